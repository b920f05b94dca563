//! `tournee demo`: plan the embedded sample week of the Métropole Rouen
//! Normandie (3 vans, 5 days, 121 pickups, 16 commune orders), print it,
//! then serve it: the planning board, the drivers' tours and the emissions
//! page open on it. Needs no file: the main job on the embedded defaults.

use crate::i18n::Lang;
use crate::model::Problem;
use crate::plan::Plan;
use crate::routing;
use crate::server::{self, store::Sqlite};
use crate::{allocate, check, input, pipeline, text};

/// The sample week, compiled into the binary.
pub const SAMPLE_WEEK: &str = include_str!("../../data/rouen/week.json");

/// Plans and prints the sample week, then, unless `config` is `None`, stores
/// the plan and serves the web pages and the API on it.
pub fn run(
    time_limit: f64,
    seed: u64,
    lang: Lang,
    config: Option<server::Config>,
) -> Result<(), String> {
    let (problem, plan) = plan(time_limit, seed, lang)?;
    let Some(config) = config else {
        return Ok(());
    };
    let store = Sqlite::open(&config.db).map_err(|e| format!("{}: {e}", config.db.display()))?;
    server::jobs::store_plan(
        &store,
        &problem,
        SAMPLE_WEEK,
        &plan,
        &server::store::Owner {
            organisation: server::keys::DEFAULT_ORGANISATION.into(),
            name: "demo".into(),
        },
        config.token_days,
        None,
    )?;
    drop(store);
    eprintln!(
        "{}",
        crate::i18n::t(
            lang,
            "text.demo_stored",
            &[("db", &config.db.display().to_string())]
        )
    );
    server::serve(config)
}

fn plan(time_limit: f64, seed: u64, lang: Lang) -> Result<(Problem, Plan), String> {
    let mut problem = input::read(SAMPLE_WEEK).map_err(|e| format!("embedded sample: {}", e[0]))?;
    problem.solver.time_limit_s = time_limit;
    problem.solver.seed = seed;
    let n = |key: &str, n: usize| crate::i18n::count(lang, key, n);
    eprintln!(
        "{}",
        crate::i18n::t(
            lang,
            "text.demo_planning",
            &[
                ("name", &problem.name),
                ("pickups", &n("count.pickup", problem.pickups.len())),
                ("orders", &n("count.order", problem.orders.len())),
                ("vans", &n("count.van", problem.vehicles.len())),
                ("seconds", &time_limit.to_string()),
            ]
        )
    );
    // The refurbished stock is shared out first (fewer laptops than asked).
    let (routed, finish) = pipeline::prepare(problem.clone(), None).map_err(|e| e.to_string())?;
    if let Some(a) = &finish.allocation {
        crate::cli::out(&allocate::text(a, lang));
    }
    // The sample uses the haversine model: no server needed.
    let run = pipeline::Run {
        threads: 1,
        matrix_cache: None,
        cancel: Default::default(),
    };
    let plan = routing::block_on(pipeline::plan(routed, &finish, run, (), |_| {}))?
        .map_err(|e| e.to_string())?
        .plan;
    crate::cli::out(&text::render(&plan, lang));
    let errors = check::check(&problem, &plan);
    if errors.is_empty() {
        eprintln!("check: the plan is feasible");
        Ok((problem, plan))
    } else {
        Err(format!("the plan is not feasible: {}", errors.join("; ")))
    }
}
