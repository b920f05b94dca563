//! `tournee bench` end to end on the benchmark copies in data/benchmarks.

mod common;

use common::{repo, run, stderr};

#[test]
fn bench_prints_checked_rows_writes_solutions_and_compares_with_peers() {
    let dir = tempfile::tempdir().expect("tempdir");
    let peers = dir.path().join("peers.csv");
    std::fs::write(
        &peers,
        "instance,solver,distance\nC101,other,900.0\nC101,best,850.5\n",
    )
    .expect("write");
    let sols = dir.path().join("sols");
    let data = repo().join("data/benchmarks");
    let out = run(&[
        "bench",
        "--format",
        "solomon",
        "--time-limit",
        "0.5",
        "--peers",
        peers.to_str().expect("utf-8"),
        "--solutions",
        sols.to_str().expect("utf-8"),
        data.join("C101.txt").to_str().expect("utf-8"),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let csv = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = csv.lines().collect();
    assert!(lines[0].starts_with("instance,customers,vehicles,distance,bks_distance,gap_pct,"));
    let header: Vec<&str> = lines[0].split(',').collect();
    let row: Vec<&str> = lines[1].split(',').collect();
    let field = |name: &str| row[header.iter().position(|h| *h == name).expect(name)];
    assert_eq!(field("instance"), "C101");
    assert_eq!(field("feasible"), "true");
    assert_eq!(field("best_peer"), "best");
    let distance: f64 = field("distance").parse().expect("number");
    let ratio: f64 = field("ratio_to_peer").parse().expect("number");
    assert!((ratio - distance / 850.5).abs() < 1e-4);
    assert!(lines[2].starts_with("MEAN,"));
    assert!(lines[2].ends_with("1/1"));
    let sol = std::fs::read_to_string(sols.join("C101.sol")).expect("solution written");
    assert!(sol.starts_with("Route #1: "));
    let routes = sol.lines().filter(|l| l.starts_with("Route")).count();
    assert_eq!(routes.to_string(), field("vehicles"));
}

#[test]
fn bench_on_vrplib_with_bks() {
    let data = repo().join("data/benchmarks");
    let dir = tempfile::tempdir().expect("tempdir");
    let bks = dir.path().join("bks.csv");
    std::fs::write(
        &bks,
        "instance,vehicles,distance,objective_kind\nX-n101-k25,26,27591,distance\n",
    )
    .expect("write");
    let out = run(&[
        "bench",
        "--format",
        "vrplib",
        "--time-limit",
        "1",
        "--bks",
        bks.to_str().expect("utf-8"),
        data.to_str().expect("utf-8"),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let csv = String::from_utf8_lossy(&out.stdout);
    let row: Vec<&str> = csv.lines().nth(1).expect("a row").split(',').collect();
    assert_eq!(row[0], "X-n101-k25");
    assert_eq!(row[4], "27591");
    let gap: f64 = row[5].parse().expect("gap");
    assert!((0.0..10.0).contains(&gap), "gap {gap}");
    assert_eq!(*row.last().expect("feasible"), "true");
}

#[test]
fn bench_refuses_a_missing_file_and_a_bad_time_limit() {
    let out = run(&["bench", "--format", "solomon", "/nonexistent.txt"]);
    assert_eq!(out.status.code(), Some(2));
    let out = run(&["bench", "--format", "solomon", "--time-limit", "0", "x.txt"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("positive number of seconds"));
}

/// A Python with pyvroom (VROOM 1.15 from PyPI), installed once by the
/// project's script.
fn vroom_python() -> std::path::PathBuf {
    let out = std::process::Command::new(repo().join("scripts/peers.sh"))
        .output()
        .expect("run scripts/peers.sh");
    assert!(out.status.success(), "{}", stderr(&out));
    std::path::PathBuf::from(String::from_utf8_lossy(&out.stdout).trim())
}

#[test]
fn the_product_benchmark_plans_beside_vroom_and_checks_and_prices_both_alike() {
    let dir = tempfile::tempdir().expect("tempdir");
    let weeks = dir.path().join("weeks");
    let gen = std::process::Command::new("python3")
        .arg(repo().join("scripts/bench_weeks.py"))
        .arg(&weeks)
        .output()
        .expect("python3");
    assert!(gen.status.success(), "{}", stderr(&gen));
    let sols = dir.path().join("sols");
    let python = vroom_python();
    let problems = ["semaine-km", "deux-tournees"];
    let mut args = vec![
        "bench".to_string(),
        "--format".into(),
        "tournee".into(),
        "--time-limit".into(),
        "2".into(),
        "--iterations".into(),
        "300".into(),
        "--seeds".into(),
        "2".into(),
        "--vroom".into(),
        python.display().to_string(),
        "--solutions".into(),
        sols.display().to_string(),
    ];
    args.extend(
        problems
            .iter()
            .map(|p| weeks.join(format!("{p}.json")).display().to_string()),
    );
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = run(&args);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let csv = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines[0],
        "problem,solver,seed,cost,distance_km,tours,unassigned,wall_s,feasible"
    );
    // Two seeds of ours and VROOM once, per problem.
    assert_eq!(lines.len(), 1 + 3 * problems.len(), "{csv}");
    for line in &lines[1..] {
        let f: Vec<&str> = line.split(',').collect();
        let (problem, solver, seed) = (f[0], f[1], f[2]);
        assert_eq!(f[8], "true", "{line}");
        // The data-centre clear-out fits no van: left out by both.
        assert_eq!(f[6], "1", "{line}");
        let plan_file = match solver {
            "tournee" => format!("{problem}.tournee-{seed}.plan.json"),
            "vroom" => format!("{problem}.vroom.plan.json"),
            other => panic!("solver {other}"),
        };
        let plan: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(sols.join(&plan_file)).expect("plan kept"),
        )
        .expect("plan JSON");
        // Priced here again from the plan's tours and the problem's rates.
        let problem_json: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(weeks.join(format!("{problem}.json"))).expect("problem"),
        )
        .expect("problem JSON");
        let rates = |id: &str| {
            let v = problem_json["vehicles"]
                .as_array()
                .expect("vehicles")
                .iter()
                .find(|v| v["id"] == id)
                .expect("the tour's vehicle");
            let c = &v["costs"];
            (
                c["fixed"].as_f64().unwrap_or(0.0),
                c["per_km"].as_f64().unwrap_or(0.0),
                c["per_hour"].as_f64().unwrap_or(0.0),
            )
        };
        let mut cost = 0.0;
        for t in plan["tours"].as_array().expect("tours") {
            let (fixed, per_km, per_hour) = rates(t["vehicle"].as_str().expect("vehicle"));
            let hours = |k: &str| {
                let s = t[k].as_str().expect("time");
                chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S").expect("time format")
            };
            let h = (hours("return") - hours("departure")).num_seconds() as f64 / 3600.0;
            cost += fixed + per_km * t["distance_km"].as_f64().expect("km") + per_hour * h;
        }
        let reported: f64 = f[3].parse().expect("cost");
        assert!((cost - reported).abs() < 0.01, "{line}: priced {cost}");
    }
    // Two trips a shift are two VROOM vehicles splitting it, each with the
    // fixed cost.
    let input: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(sols.join("deux-tournees.vroom-input.json")).expect("input kept"),
    )
    .expect("input JSON");
    let vehicles = input["vehicles"].as_array().expect("vehicles");
    assert_eq!(vehicles.len(), 2 * 3 * 5);
    assert!(vehicles[0]["costs"]["fixed"].as_i64().expect("fixed") > 0);
    assert_eq!(vehicles[1]["costs"]["fixed"], vehicles[0]["costs"]["fixed"]);
    // The summary table on standard error, a ratio per problem.
    let table = stderr(&out);
    for p in problems {
        assert!(table.contains(&format!("| {p} |")), "{table}");
    }
    assert!(table.contains("| mean |"), "{table}");
}
