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
