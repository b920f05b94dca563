//! Readers and the independent checker on real benchmark files (copies in
//! `data/benchmarks/`), against the published best-known solutions.

use std::path::PathBuf;

use tournee_solver::io::{check, read_solomon, read_vrplib, Instance};
use tournee_solver::{solve, Params};

fn data(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../data/benchmarks")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Routes of a CVRPLIB `.sol` file as node indices of `inst`.
fn read_sol(inst: &Instance, text: &str) -> Vec<Vec<usize>> {
    text.lines()
        .filter_map(|l| l.split_once(':').filter(|(k, _)| k.starts_with("Route")))
        .map(|(_, ids)| {
            ids.split_whitespace()
                .map(|t| {
                    let id: usize = t.parse().expect("numeric id");
                    inst.ids.iter().position(|&x| x == id).expect("known id")
                })
                .collect()
        })
        .collect()
}

#[test]
fn solomon_reader_reads_c101() {
    let inst = read_solomon(&data("C101.txt")).expect("parses");
    assert_eq!(inst.name, "C101");
    assert_eq!(inst.customers(), 100);
    assert_eq!(inst.capacity, 200);
    assert_eq!(inst.fleet, Some(25));
    let w = inst.windows.as_ref().expect("time windows");
    assert_eq!(w[0], (0.0, 1236.0));
    assert_eq!(
        (inst.coords[1], inst.demand[1], w[1], inst.service[1]),
        ((45.0, 68.0), 10, (912.0, 967.0), 90.0)
    );
}

#[test]
fn best_known_solomon_solutions_check_out_at_their_published_cost() {
    for (inst, sol, bks) in [
        ("R101.txt", "R101.hierarchical.sol", 1650.7992),
        ("RC101.txt", "RC101.hierarchical.sol", 1696.9492),
    ] {
        let inst = read_solomon(&data(inst)).expect("parses");
        let routes = read_sol(&inst, &data(sol));
        let d = check(&inst, &routes).expect("the BKS is feasible");
        assert!((d - bks).abs() < 1e-3, "{d} vs {bks}");
    }
}

#[test]
fn best_known_x_solution_checks_out() {
    let inst = read_vrplib(&data("X-n101-k25.vrp")).expect("parses");
    assert_eq!(inst.customers(), 100);
    assert_eq!(inst.capacity, 206);
    let routes = read_sol(&inst, &data("X-n101-k25.sol"));
    assert_eq!(routes.len(), 26);
    assert_eq!(check(&inst, &routes).expect("feasible"), 27591.0);
}

#[test]
fn checker_catches_broken_solutions() {
    let inst = read_solomon(&data("R101.txt")).expect("parses");
    let good = read_sol(&inst, &data("R101.hierarchical.sol"));

    let mut missing = good.clone();
    missing[0].pop();
    assert!(check(&inst, &missing).unwrap_err().contains("not visited"));

    let mut twice = good.clone();
    let c = twice[0][0];
    twice[1].push(c);
    assert!(check(&inst, &twice).unwrap_err().contains("twice"));

    let mut late = good.clone();
    late[0].reverse();
    assert!(check(&inst, &late).is_err());

    let mut merged = good.clone();
    let tail = merged.pop().expect("routes");
    merged[0].extend(tail);
    assert!(check(&inst, &merged).is_err());

    // 19 routes fit the fleet of 25; 26 single-customer splits do not.
    let mut many: Vec<Vec<usize>> = good.iter().flatten().map(|&c| vec![c]).collect();
    many.truncate(100);
    assert!(check(&inst, &many).unwrap_err().contains("fleet"));
}

#[test]
fn solver_solution_on_c101_is_feasible_and_near_the_optimum() {
    let inst = read_solomon(&data("C101.txt")).expect("parses");
    let params = Params {
        iteration_limit: Some(4_000),
        time_limit: None,
        ..Params::default()
    };
    let d = solve_and_check(&inst, &params);
    assert!(d <= 828.9369 * 1.01, "C101 distance {d}");
}

#[test]
fn solution_files_read_back() {
    let inst = read_vrplib(&data("X-n101-k25.vrp")).expect("parses");
    let routes = read_sol(&inst, &data("X-n101-k25.sol"));
    let jobs: Vec<Vec<usize>> = routes
        .iter()
        .map(|r| r.iter().map(|n| n - 1).collect())
        .collect();
    let text = inst.solution_text(&jobs, 27591.0);
    assert!(text.ends_with("Cost 27591\n"));
    assert_eq!(read_sol(&inst, &text), routes);
}

#[test]
fn malformed_files_are_errors_with_a_line() {
    let e = read_solomon("C1\nVEHICLE\nNUMBER CAPACITY\n 25 x\n").unwrap_err();
    assert_eq!(e.line, 4);
    assert!(read_solomon("").is_err());
    assert!(read_vrplib(
        "NAME : x\nDIMENSION : 3\nCAPACITY : 10\nNODE_COORD_SECTION\n1 0 0\n9 1 1\n"
    )
    .is_err());
    let e = read_vrplib("NAME : x\nEDGE_WEIGHT_TYPE : GEO\n").unwrap_err();
    assert!(e.message.contains("GEO"));
}

#[test]
fn large_instances_use_the_granular_recreate_and_stay_feasible() {
    // 450 customers (above the granular threshold), checked independently.
    let mut rng = tournee_solver::rng::Rng::new(11);
    let n = 451;
    let inst = Instance {
        name: "synthetic-450".into(),
        coords: (0..n)
            .map(|_| (rng.unit() * 1000.0, rng.unit() * 1000.0))
            .collect(),
        demand: (0..n)
            .map(|i| if i == 0 { 0 } else { 1 + rng.below(30) as i64 })
            .collect(),
        windows: None,
        service: vec![0.0; n],
        capacity: 150,
        fleet: None,
        ids: (0..n).collect(),
        rounding: tournee_solver::io::Rounding::Nearest,
    };
    let params = Params {
        iteration_limit: Some(300),
        time_limit: None,
        ..Params::default()
    };
    solve_and_check(&inst, &params);
}

/// Solves `inst`, has the independent checker verify the answer (every
/// customer served, every rule kept) and returns its distance, which must
/// equal the solver's own figure.
fn solve_and_check(inst: &Instance, params: &Params) -> f64 {
    let s = solve(&inst.to_problem(), params, |_| {}).expect("valid");
    let routes: Vec<Vec<usize>> = s
        .routes
        .iter()
        .map(|r| r.jobs.iter().map(|j| j + 1).collect())
        .collect();
    let d = check(inst, &routes).expect("feasible");
    assert!((d - s.distance).abs() < 1e-6);
    d
}
