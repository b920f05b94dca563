//! The road back-end against a real `osrm-routed` on the Monaco extract,
//! started by `scripts/osrm-test-server.sh` (which `scripts/test.sh` and CI
//! run; these tests start it themselves when it is not running).

mod common;

use std::collections::HashMap;
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::Duration;

use serde_json::{json, Value};
use tournee::model::{Fallback, Location, OsrmSettings};
use tournee::routing::osrm::{Osrm, OsrmError, Table};
use tournee::routing::{self, block_on, RoutingError};

/// `OSRM_URL`, `OSRM_ROUTED`, `OSRM_DATA` of the shared test server.
fn server() -> &'static HashMap<String, String> {
    static ENV: OnceLock<HashMap<String, String>> = OnceLock::new();
    ENV.get_or_init(|| {
        let out = Command::new(common::repo().join("scripts/osrm-test-server.sh"))
            .arg("start")
            .output()
            .expect("run scripts/osrm-test-server.sh");
        assert!(
            out.status.success(),
            "the OSRM test server did not start: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let env = std::fs::read_to_string(common::repo().join("target/osrm/env"))
            .expect("target/osrm/env");
        env.lines()
            .filter_map(|l| l.split_once('='))
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    })
}

fn settings(url: &str, block: usize) -> OsrmSettings {
    serde_json::from_value(json!({ "url": url, "max_table_size": block })).expect("settings")
}

/// `n` points on a grid over Monaco's built-up area.
fn monaco(n: usize) -> Vec<Location> {
    let side = (n as f64).sqrt().ceil() as usize;
    (0..n)
        .map(|k| {
            let (i, j) = (k % side, k / side);
            [
                7.412 + 0.016 * i as f64 / side as f64,
                43.728 + 0.016 * j as f64 / side as f64,
            ]
        })
        .collect()
}

/// The server's own answer to one table request over all `points`.
fn direct(url: &str, points: &[Location]) -> Value {
    let coords: Vec<String> = points
        .iter()
        .map(|p| format!("{:.6},{:.6}", p[0], p[1]))
        .collect();
    let u = format!(
        "{url}/table/v1/driving/{}?annotations=duration,distance",
        coords.join(";")
    );
    reqwest::blocking::get(u)
        .expect("direct query")
        .json()
        .expect("JSON")
}

fn table(url: &str, points: &[Location], block: usize) -> Result<Table, OsrmError> {
    let client = Osrm::new(&settings(url, block)).expect("client");
    block_on(client.table(points)).expect("runtime")
}

#[test]
fn a_matrix_in_blocks_equals_the_servers_own_answer() {
    let url = &server()["OSRM_URL"];
    let points = monaco(10);
    let ours = table(url, &points, 4).expect("table");
    let theirs = direct(url, &points);
    for i in 0..points.len() {
        for j in 0..points.len() {
            assert_eq!(
                ours.durations[i][j],
                theirs["durations"][i][j].as_f64(),
                "duration {i}→{j}"
            );
            assert_eq!(
                ours.distances[i][j],
                theirs["distances"][i][j].as_f64(),
                "distance {i}→{j}"
            );
        }
    }
    assert!(ours.durations[0][9].is_some_and(|d| d > 0.0));
}

#[test]
fn a_matrix_larger_than_a_block_is_the_same_as_one_query() {
    let url = &server()["OSRM_URL"];
    let points = monaco(150);
    let blocks = table(url, &points, 40).expect("blocks of 40");
    let whole = table(url, &points, 150).expect("one query");
    assert_eq!(blocks, whole);
}

#[test]
fn a_block_beyond_the_servers_limit_is_refused_clearly() {
    let url = &server()["OSRM_URL"];
    // The test server allows 1000 × 1000; 1100 sources at once is too big.
    match table(url, &monaco(1100), 1100) {
        Err(OsrmError::Refused { code, .. }) => assert_eq!(code, "TooBig"),
        other => panic!("expected TooBig, got {other:?}"),
    }
}

fn monaco_problem(url: &str, extra: Option<Location>) -> Value {
    let points = monaco(9);
    let day = |a: &str, b: &str| json!({"start": format!("2026-11-30T{a}"), "end": format!("2026-11-30T{b}")});
    let mut pickups: Vec<Value> = points[1..]
        .iter()
        .enumerate()
        .map(|(i, p)| json!({"id": format!("P{}", i + 1), "location": p, "devices": {"laptop": 3}}))
        .collect();
    if let Some(p) = extra {
        pickups.push(json!({"id": "SEA", "location": p, "devices": {"laptop": 1}}));
    }
    json!({
        "format": "tournee/1",
        "name": "Monaco",
        "horizon": {"start": "2026-11-30T00:00", "end": "2026-12-01T00:00"},
        "routing": {"engine": "osrm", "osrm": {"url": url}},
        "solver": {"time_limit_s": 1, "seed": 1, "iteration_limit": 500},
        "devices": {"laptop": {"mass_kg": 1.65, "volume_l": 3}},
        "depots": [{"id": "atelier", "location": points[0]}],
        "vehicles": [{"id": "van", "depot": "atelier", "capacity": {"kg": 500, "m3": 3},
                      "shifts": [day("08:00", "17:00")]}],
        "pickups": pickups
    })
}

/// Solves with the CLI; returns the plan and its GeoJSON export.
fn solve(problem: &Value) -> (tournee::plan::Plan, Value) {
    let dir = tempfile::tempdir().expect("tempdir");
    let input = common::write(dir.path(), "p.json", problem);
    let out = dir.path().join("plan.json");
    let geo = dir.path().join("plan.geojson");
    let o = common::run(&[
        "solve",
        input.to_str().expect("path"),
        "-o",
        out.to_str().expect("path"),
        "--geojson",
        geo.to_str().expect("path"),
        "--check",
        "--format",
        "json",
    ]);
    assert!(o.status.success(), "{}", common::stderr(&o));
    let plan =
        serde_json::from_str(&std::fs::read_to_string(out).expect("plan")).expect("plan JSON");
    let geo = serde_json::from_str(&std::fs::read_to_string(geo).expect("geojson")).expect("JSON");
    (plan, geo)
}

#[test]
fn a_plan_on_monaco_uses_the_road_distances() {
    let url = &server()["OSRM_URL"];
    let (plan, geo) = solve(&monaco_problem(url, None));
    assert!(
        plan.travel_model.starts_with("OSRM"),
        "{}",
        plan.travel_model
    );
    assert!(plan.unassigned.is_empty());
    let tour = &plan.tours[0];
    let mut legs: Vec<Location> = vec![monaco(9)[0]];
    legs.extend(tour.stops.iter().map(|s| s.location));
    legs.push(monaco(9)[0]);
    let answer = direct(url, &legs);
    for (k, stop) in tour.stops.iter().enumerate() {
        let metres = answer["distances"][k][k + 1].as_f64().expect("distance");
        assert!(
            (stop.travel_km - metres / 1000.0).abs() < 0.0006,
            "stop {}: {} km planned, {metres} m by OSRM",
            k + 1,
            stop.travel_km
        );
    }
    let back = answer["distances"][legs.len() - 2][legs.len() - 1]
        .as_f64()
        .expect("distance");
    assert!((tour.return_km - back / 1000.0).abs() < 0.0006);

    // The tour's path follows the roads: many more points than stops, from
    // near the depot, and as long as the tour.
    assert_eq!(tour.geometry.source, "road");
    let path = tournee::geometry::decode_polyline(&tour.geometry.polyline);
    assert!(path.len() > tour.stops.len() + 2, "{} points", path.len());
    let start = tournee::routing::haversine_m(path[0], monaco(9)[0]);
    assert!(start < 200.0, "the path starts {start} m from the depot");
    let length: f64 = path
        .windows(2)
        .map(|w| tournee::routing::haversine_m(w[0], w[1]))
        .sum();
    let planned = tour.distance_km * 1000.0;
    assert!(
        (length - planned).abs() < 0.05 * planned,
        "path {length} m, tour {planned} m"
    );

    // The GeoJSON export: a line per tour and a point per stop.
    assert_eq!(geo["type"], "FeatureCollection");
    let features = geo["features"].as_array().expect("features");
    assert_eq!(features.len(), plan.tours.len() + plan.totals.stops);
    assert_eq!(features[0]["geometry"]["type"], "LineString");
    assert_eq!(
        features[0]["geometry"]["coordinates"]
            .as_array()
            .map(Vec::len),
        Some(path.len())
    );
}

#[test]
fn a_point_in_the_sea_is_reported_by_index_and_left_out_as_unroutable() {
    let url = &server()["OSRM_URL"];
    let sea = [7.4700, 43.7300]; // about 3 km off the harbour
    let problem: tournee::model::Problem =
        serde_json::from_value(monaco_problem(url, Some(sea))).expect("problem");
    let travel = block_on(routing::travel(&problem, None))
        .expect("runtime")
        .expect("travel");
    let sea_index = routing::places(&problem).len() - 1;
    assert_eq!(travel.unroutable.len(), 1, "{:?}", travel.unroutable);
    assert_eq!(travel.unroutable[0].0, sea_index);
    assert!(travel.unroutable[0].1.contains("from the nearest road"));

    let (plan, _) = solve(&monaco_problem(url, Some(sea)));
    assert_eq!(plan.unassigned.len(), 1);
    assert_eq!(plan.unassigned[0].job, "SEA");
    assert_eq!(plan.unassigned[0].reason, "unroutable");
    assert_eq!(plan.totals.pickups_planned, 8);
}

/// A free port with nothing listening on it.
fn dead_url() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    drop(listener);
    format!("http://127.0.0.1:{port}")
}

#[test]
fn a_server_that_is_down_fails_clearly_or_falls_back_as_configured() {
    let url = dead_url();
    let mut problem: tournee::model::Problem =
        serde_json::from_value(monaco_problem(&url, None)).expect("problem");
    match block_on(routing::travel(&problem, None)).expect("runtime") {
        Err(RoutingError::Osrm(OsrmError::Unreachable(why))) => {
            assert!(why.contains(&url), "{why}")
        }
        other => panic!("expected unreachable, got {other:?}"),
    }
    if let Some(o) = problem.routing.osrm.as_mut() {
        o.fallback = Fallback::Haversine;
    }
    let travel = block_on(routing::travel(&problem, None))
        .expect("runtime")
        .expect("fallback");
    assert!(
        travel.description.contains("fallback"),
        "{}",
        travel.description
    );

    // From the command line: a clear error, exit status 1.
    let dir = tempfile::tempdir().expect("tempdir");
    let input = common::write(dir.path(), "p.json", &monaco_problem(&url, None));
    let o = common::run(&["solve", input.to_str().expect("path")]);
    assert_eq!(o.status.code(), Some(1));
    assert!(common::stderr(&o).contains("OSRM server unreachable"));
}

/// A second osrm-routed of our own (so that it can be stopped), and its URL.
fn own_server() -> (std::process::Child, String) {
    let env = server();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    drop(listener);
    let child = Command::new(&env["OSRM_ROUTED"])
        .args(["--ip", "127.0.0.1", "--port", &port.to_string()])
        .arg(&env["OSRM_DATA"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start a second osrm-routed");
    let url = format!("http://127.0.0.1:{port}");
    let probe = format!("{url}/nearest/v1/driving/7.42,43.73");
    let up = (0..100).any(|_| {
        std::thread::sleep(Duration::from_millis(50));
        reqwest::blocking::get(&probe).is_ok()
    });
    assert!(up, "the second server did not start");
    (child, url)
}

#[test]
fn a_server_stopped_mid_way_gives_an_error_not_a_partial_matrix() {
    let (mut child, url) = own_server();
    let killer = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(300));
        let _ = child.kill();
        let _ = child.wait();
    });
    let mut s = settings(&url, 20);
    s.concurrency = 1;
    s.retries = 1;
    let client = Osrm::new(&s).expect("client");
    // 800 points in blocks of 20: 1,600 requests, far more than 300 ms.
    let outcome = block_on(client.table(&monaco(800))).expect("runtime");
    killer.join().expect("killer");
    match outcome {
        Err(OsrmError::Unreachable(_)) => {}
        other => panic!(
            "expected unreachable, got {}",
            if other.is_ok() {
                "a matrix"
            } else {
                "another error"
            }
        ),
    }
}

#[test]
fn a_cached_matrix_is_reused_without_asking_the_server() {
    let (mut child, url) = own_server();
    let dir = tempfile::tempdir().expect("tempdir");
    let problem: tournee::model::Problem =
        serde_json::from_value(monaco_problem(&url, None)).expect("problem");
    let first = block_on(routing::travel(&problem, Some(dir.path())))
        .expect("runtime")
        .expect("travel");
    let files = std::fs::read_dir(dir.path()).expect("cache").count();
    assert_eq!(files, 1);
    let _ = child.kill();
    let _ = child.wait();
    // The server is gone: only the cache can answer.
    let again = block_on(routing::travel(&problem, Some(dir.path())))
        .expect("runtime")
        .expect("from the cache");
    assert_eq!(
        (again.distance.get(0, 3), again.duration.get(3, 0)),
        (first.distance.get(0, 3), first.duration.get(3, 0))
    );
    // Other places are a miss, and the dead server then says so.
    let mut moved = problem.clone();
    moved.pickups[0].location[0] += 0.001;
    assert!(block_on(routing::travel(&moved, Some(dir.path())))
        .expect("runtime")
        .is_err());
}

#[test]
fn nearest_tells_how_far_a_place_is_from_the_roads() {
    let client = Osrm::new(&settings(&server()["OSRM_URL"], 100)).expect("client");
    let town = block_on(client.nearest(monaco(9)[4]))
        .expect("runtime")
        .expect("nearest");
    let sea = block_on(client.nearest([7.4700, 43.7300]))
        .expect("runtime")
        .expect("nearest");
    assert!(town < 150.0, "{town} m");
    assert!(sea > 1000.0, "{sea} m");
}
