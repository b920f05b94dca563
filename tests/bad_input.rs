//! `tournee solve` on malformed problems: exit status 2 and one line per
//! mistake naming the field path and the reason; never a panic.

mod common;

use common::{run, small_problem, stderr, write};
use serde_json::{json, Value};

/// Runs `tournee solve` on `problem` and returns its stderr, asserting exit 2.
fn rejected(problem: &Value) -> String {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write(dir.path(), "p.json", problem);
    let out = run(&["solve", path.to_str().expect("utf-8")]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "stderr: {err}");
    assert!(!err.contains("panicked"), "{err}");
    err
}

fn with(edit: impl FnOnce(&mut Value)) -> String {
    let mut p = small_problem();
    edit(&mut p);
    rejected(&p)
}

#[test]
fn invalid_json() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("p.json");
    std::fs::write(&path, "{\"format\": \"tournee/1\", \"depots\": [").expect("write");
    let out = run(&["solve", path.to_str().expect("utf-8")]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("EOF while parsing"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn missing_required_field() {
    let err = with(|p| {
        p["pickups"][2]
            .as_object_mut()
            .expect("object")
            .remove("location");
    });
    assert!(
        err.contains("pickups[2]") && err.contains("missing field `location`"),
        "{err}"
    );
}

#[test]
fn unknown_field_is_a_typo() {
    let err = with(|p| p["pickups"][1]["servce_minutes"] = json!(15));
    assert!(
        err.contains("pickups[1].servce_minutes") && err.contains("unknown field"),
        "{err}"
    );
}

#[test]
fn negative_count() {
    let err = with(|p| p["pickups"][0]["devices"]["laptop"] = json!(-3));
    assert!(
        err.contains("pickups[0].devices.laptop") && err.contains("-3"),
        "{err}"
    );
}

#[test]
fn non_numeric_count() {
    let err = with(|p| p["pickups"][0]["devices"]["laptop"] = json!("ten"));
    assert!(
        err.contains("pickups[0].devices.laptop") && err.contains("invalid type"),
        "{err}"
    );
}

#[test]
fn unknown_device_type() {
    let err = with(|p| p["orders"][0]["devices"]["laptopp"] = json!(2));
    assert!(
        err.contains("orders[0].devices.laptopp: unknown device type `laptopp`"),
        "{err}"
    );
}

#[test]
fn time_window_end_before_start() {
    let err = with(|p| {
        p["pickups"][2]["time_windows"][1] =
            json!({"start": "2026-11-30T12:00", "end": "2026-11-30T09:00"})
    });
    assert!(
        err.contains("pickups[2].time_windows[1]: end 09:00 is before start 12:00"),
        "{err}"
    );
}

#[test]
fn time_window_outside_the_horizon() {
    let err = with(|p| {
        p["pickups"][0]["time_windows"][0] =
            json!({"start": "2026-12-03T09:00", "end": "2026-12-03T12:00"})
    });
    assert!(
        err.contains("pickups[0].time_windows[0]") && err.contains("outside the horizon"),
        "{err}"
    );
}

#[test]
fn malformed_date_time() {
    let err = with(|p| p["vehicles"][0]["shifts"][0]["start"] = json!("Monday 8am"));
    assert!(
        err.contains("vehicles[0].shifts[0].start") && err.contains("not a date-time"),
        "{err}"
    );
}

#[test]
fn coordinates_out_of_range() {
    let err = with(|p| p["pickups"][3]["location"] = json!([1.1, 95.0]));
    assert!(
        err.contains("pickups[3].location: latitude 95 is outside -90..90"),
        "{err}"
    );
    let err = with(|p| p["depots"][0]["location"] = json!([200.0, 49.0]));
    assert!(
        err.contains("depots[0].location: longitude 200 is outside -180..180"),
        "{err}"
    );
}

#[test]
fn coordinates_not_a_number() {
    // JSON has no NaN; a file that writes one is rejected at that field.
    let mut text = serde_json::to_string_pretty(&small_problem()).expect("json");
    text = text.replacen("1.0993", "NaN", 1);
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("p.json");
    std::fs::write(&path, text).expect("write");
    let out = run(&["solve", path.to_str().expect("utf-8")]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("pickups[0].location"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn vehicle_depot_does_not_exist() {
    let err = with(|p| p["vehicles"][1]["depot"] = json!("atelier-nord"));
    assert!(
        err.contains("vehicles[1].depot: no depot has id `atelier-nord`; the depots are: atelier"),
        "{err}"
    );
}

#[test]
fn an_unknown_device_in_the_stock_lists_the_catalogue() {
    let err = with(|p| p["stock"] = json!({"tablette": 3}));
    assert!(
        err.contains("stock.tablette: unknown device type `tablette`; the catalogue has: desktop_tower, laptop"),
        "{err}"
    );
}

#[test]
fn duplicate_ids() {
    let err = with(|p| p["orders"][0]["id"] = json!("P2"));
    assert!(err.contains("orders[0].id: duplicate id `P2`"), "{err}");
    let err = with(|p| p["vehicles"][1]["id"] = json!("van-a"));
    assert!(
        err.contains("vehicles[1].id: duplicate id `van-a`"),
        "{err}"
    );
}

#[test]
fn an_id_that_names_a_part_of_an_order_in_a_network_is_refused() {
    let err = with(|p| {
        p["depots"][0]["stock"] = json!({"laptop": 4});
        p["orders"][0]["id"] = json!("C1@atelier");
    });
    assert!(
        err.contains("orders[0].id: `C1@atelier` ends in `@` and a workshop's id"),
        "{err}"
    );
    // Without stock per workshop there are no parts: the id is fine.
    let mut p = common::small_problem();
    p["orders"][0]["id"] = json!("C1@atelier");
    assert!(tournee::input::read(&p.to_string()).is_ok());
}

#[test]
fn empty_fleet() {
    let err = with(|p| p["vehicles"] = json!([]));
    assert!(err.contains("vehicles: the fleet is empty"), "{err}");
}

#[test]
fn zero_capacity() {
    let err = with(|p| p["vehicles"][0]["capacity"]["kg"] = json!(0));
    assert!(
        err.contains("vehicles[0].capacity.kg: must be more than 0"),
        "{err}"
    );
}

#[test]
fn shift_when_the_depot_is_closed() {
    let err = with(|p| {
        p["vehicles"][1]["shifts"][0] =
            json!({"start": "2026-11-30T19:30", "end": "2026-11-30T22:00"})
    });
    assert!(
        err.contains("vehicles[1].shifts[0]: depot `atelier` is closed"),
        "{err}"
    );
}

#[test]
fn wrong_format_version() {
    let err = with(|p| p["format"] = json!("tournee/9"));
    assert!(
        err.contains("format: unsupported format `tournee/9`"),
        "{err}"
    );
}

#[test]
fn every_mistake_is_listed_not_only_the_first() {
    let err = with(|p| {
        p["pickups"][0]["devices"]["phablet"] = json!(1);
        p["vehicles"][1]["depot"] = json!("nowhere");
        p["orders"][0]["location"] = json!([1.1, -91.0]);
    });
    assert_eq!(err.lines().count(), 3, "{err}");
}

#[test]
fn missing_file_is_an_error_not_a_panic() {
    let out = run(&["solve", "/nonexistent/problem.json"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("/nonexistent/problem.json"));
}

#[test]
fn a_request_larger_than_every_vehicle_is_planned_as_unassigned() {
    let mut p = small_problem();
    p["pickups"][3]["devices"] = json!({"desktop_tower": 200});
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write(dir.path(), "p.json", &p);
    let plan_path = dir.path().join("plan.json");
    let out = run(&[
        "solve",
        path.to_str().expect("utf-8"),
        "-o",
        plan_path.to_str().expect("utf-8"),
        "--check",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let plan: Value =
        serde_json::from_str(&std::fs::read_to_string(plan_path).expect("plan")).expect("json");
    let unassigned = plan["unassigned"].as_array().expect("array");
    assert_eq!(unassigned.len(), 1);
    assert_eq!(unassigned[0]["job"], "P4");
    assert_eq!(unassigned[0]["reason"], "exceeds_capacity");
    assert!(unassigned[0]["message"]
        .as_str()
        .expect("text")
        .contains("1375.0 kg"));
}
