//! The worked example of docs/format.md is a valid problem, plans feasibly,
//! and the figures the text quotes follow from the travel model.

mod common;

use common::{repo, run, stderr};
use tournee::{input, routing::TravelModel};

fn example() -> String {
    let doc = std::fs::read_to_string(repo().join("docs/format.md")).expect("docs/format.md");
    let start = doc.find("```json\n").expect("a json block") + 8;
    let end = start + doc[start..].find("```").expect("closed block");
    doc[start..end].to_string()
}

#[test]
fn worked_example_is_valid_and_plans_feasibly() {
    let text = example();
    let problem = input::read(&text).expect("the documented example is valid");
    assert_eq!(problem.pickups.len(), 2);
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("example.json");
    std::fs::write(&path, &text).expect("write");
    let out = run(&[
        "solve",
        path.to_str().expect("utf-8"),
        "--iterations",
        "300",
        "--check",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn quoted_distance_and_time_hold() {
    let problem = input::read(&example()).expect("valid");
    let m = TravelModel::new(&problem.routing);
    let (depot, mairie) = (problem.depots[0].location, problem.pickups[0].location);
    assert!((tournee::routing::haversine_m(depot, mairie) - 3_500.0).abs() < 5.0);
    assert!((m.distance_m(depot, mairie) - 4_550.0).abs() < 5.0);
    assert!((m.duration_s(depot, mairie) - 546.0).abs() < 1.0);
}
