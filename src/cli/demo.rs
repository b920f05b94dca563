//! `tournee demo`: plan the embedded sample week of the Métropole Rouen
//! Normandie (3 vans, 5 days, 121 pickups, 16 commune orders) and print it.
//! Needs no file and no server: the main job on the embedded defaults.

use crate::routing::{self, Travel};
use crate::{allocate, check, convert, input, text};

/// The sample week, compiled into the binary.
pub const SAMPLE_WEEK: &str = include_str!("../../data/rouen/week.json");

pub fn run(time_limit: f64, seed: u64) -> Result<(), String> {
    let mut problem = input::read(SAMPLE_WEEK).map_err(|e| format!("embedded sample: {}", e[0]))?;
    problem.solver.time_limit_s = time_limit;
    problem.solver.seed = seed;
    eprintln!(
        "Planning {} ({} pickups, {} orders, {} vehicles) for {time_limit} s…",
        problem.name,
        problem.pickups.len(),
        problem.orders.len(),
        problem.vehicles.len()
    );
    // The refurbished stock is shared out first (fewer laptops than asked).
    let (routed, allocation) = allocate::prepare(problem.clone())?;
    if let Some(a) = &allocation {
        print!("{}", allocate::text(a));
    }
    // The sample uses the haversine model: no server needed.
    let travel = Travel::haversine(&routed.routing, routing::places(&routed));
    let mut plan = convert::plan(&routed, &travel, 1, None, |_| {}).map_err(|e| e.to_string())?;
    if let Some(a) = &allocation {
        allocate::add_unserved(&mut plan, a);
    }
    print!("{}", text::render(&plan));
    let errors = check::check(&problem, &plan);
    if errors.is_empty() {
        eprintln!("check: the plan is feasible");
        Ok(())
    } else {
        Err(format!("the plan is not feasible: {}", errors.join("; ")))
    }
}
