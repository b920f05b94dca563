//! Every reason a request is left out, each built on purpose from the
//! small problem and planned by the real binary: the code coordinators
//! act on and the sentence they read must both be right. (`unroutable`,
//! which needs a road network, is in tests/osrm.rs.)

mod common;

use serde_json::{json, Value};

use common::small_problem;

/// The left-out requests of `problem`: (request, reason, message).
fn left_out(problem: &Value) -> Vec<(String, String, String)> {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = common::write(dir.path(), "p.json", problem);
    let o = common::run(&[
        "solve",
        path.to_str().expect("utf-8"),
        "--format",
        "json",
        "--check",
    ]);
    assert!(o.status.success(), "{}", common::stderr(&o));
    let plan: Value = serde_json::from_slice(&o.stdout).expect("plan");
    plan["unassigned"]
        .as_array()
        .expect("unassigned")
        .iter()
        .map(|u| {
            let s = |k: &str| u[k].as_str().unwrap_or("").to_string();
            (s("job"), s("reason"), s("message"))
        })
        .collect()
}

/// The reason and sentence of `job`, which must be left out.
fn why(problem: &Value, job: &str) -> (String, String) {
    let left = left_out(problem);
    let (_, reason, message) = left
        .into_iter()
        .find(|(j, _, _)| j == job)
        .unwrap_or_else(|| panic!("{job} should be left out"));
    (reason, message)
}

fn day(d: &str, a: &str, b: &str) -> Value {
    json!({"start": format!("{d}T{a}"), "end": format!("{d}T{b}")})
}

#[test]
fn a_site_needing_equipment_no_van_has() {
    let mut p = small_problem();
    p["pickups"][0]["skills"] = json!(["two_people"]);
    let (reason, message) = why(&p, "P1");
    assert_eq!(reason, "no_vehicle_with_skills");
    assert_eq!(message, "needs two_people and no vehicle has it");
}

#[test]
fn a_request_too_large_for_any_van() {
    let mut p = small_problem();
    p["pickups"][3]["devices"] = json!({"desktop_tower": 200});
    let (reason, message) = why(&p, "P4");
    assert_eq!(reason, "exceeds_capacity");
    assert!(
        message.starts_with(
            "200 devices (1375.0 kg, 6.00 m3) do not fit in any vehicle able to serve it"
        ),
        "{message}"
    );
}

#[test]
fn a_site_open_only_on_a_day_without_a_van() {
    // The case: open on Tuesday, every van works Monday only.
    let mut p = small_problem();
    p["horizon"]["end"] = json!("2026-12-02T00:00");
    p["pickups"][0]["time_windows"] = json!([day("2026-12-01", "09:00", "12:00")]);
    let (reason, message) = why(&p, "P1");
    assert_eq!(reason, "time_window_unreachable");
    assert_eq!(
        message,
        "no vehicle shift can reach the site while it is open"
    );
    // And one that closes before any van can be there.
    let mut early = small_problem();
    early["pickups"][0]["time_windows"] = json!([day("2026-11-30", "06:00", "07:30")]);
    assert_eq!(why(&early, "P1").0, "time_window_unreachable");
}

#[test]
fn a_site_reached_while_open_but_too_late_to_come_back() {
    // Open from 16:50 with an hour of work: van A (until 17:00) gets there
    // in time but cannot be back; van B (until 12:00) never gets there.
    let mut p = small_problem();
    p["pickups"][1]["time_windows"] = json!([day("2026-11-30", "16:50", "17:30")]);
    p["pickups"][1]["service_minutes"] = json!(60);
    let (reason, message) = why(&p, "P2");
    assert_eq!(reason, "shift_too_short");
    assert!(
        message
            .starts_with("the site can be reached while open, but no vehicle could then be back"),
        "{message}"
    );
}

#[test]
fn a_site_beyond_every_vans_longest_tour() {
    let mut p = small_problem();
    for v in p["vehicles"].as_array_mut().expect("vehicles") {
        v["max_tour_km"] = json!(30);
    }
    // About 35 km away as the crow flies, 45 by road.
    p["pickups"][3]["location"] = json!([1.50, 49.60]);
    let (reason, message) = why(&p, "P4");
    assert_eq!(reason, "max_distance_exceeded");
    assert_eq!(
        message,
        "the round trip from the depot is longer than every vehicle's maximum tour distance"
    );
}

#[test]
fn an_optional_request_worth_less_than_its_detour() {
    let mut p = small_problem();
    p["pickups"][2]["priority"] = json!({"optional": 0.01});
    p["pickups"][2]["location"] = json!([1.25, 49.52]);
    let (reason, message) = why(&p, "P3");
    assert_eq!(reason, "not_profitable");
    assert_eq!(
        message,
        "optional request: serving it costs more than its value (0.01)"
    );
}

#[test]
fn a_request_that_fits_alone_when_every_tour_is_full() {
    // One van of 400 kg for one morning, two pickups of 302 kg each.
    let mut p = small_problem();
    p["vehicles"] = json!([p["vehicles"][1].clone()]);
    let big = |id: &str, lon: f64| {
        json!({"id": id, "location": [lon, 49.44], "devices": {"desktop_tower": 44},
               "time_windows": [day("2026-11-30", "09:00", "11:00")]})
    };
    p["pickups"] = json!([big("B1", 1.09), big("B2", 1.10)]);
    p["orders"] = json!([]);
    let left = left_out(&p);
    assert_eq!(left.len(), 1, "{left:?}");
    let (_, reason, message) = &left[0];
    assert_eq!(reason, "fleet_full");
    assert!(
        message
            .starts_with("it fits a vehicle on its own, but every tour that could take it is full"),
        "{message}"
    );
}

#[test]
fn a_lock_that_contradicts_the_van_is_refused_on_its_field() {
    // P2 needs the tail lift only van A has; P1 opens 13–15, after van
    // B's morning; the week runs to Tuesday, when no van works.
    let dir = tempfile::tempdir().expect("tempdir");
    let mut p = small_problem();
    p["horizon"]["end"] = json!("2026-12-02T00:00");
    p["pickups"][1]["skills"] = json!(["tail_lift"]);
    p["pickups"][0]["time_windows"] = json!([day("2026-11-30", "13:00", "15:00")]);
    let path = common::write(dir.path(), "p.json", &p);
    let previous = dir.path().join("plan.json");
    let previous = previous.to_str().expect("utf-8");
    let o = common::run(&["solve", path.to_str().expect("utf-8"), "-o", previous]);
    assert!(o.status.success(), "{}", common::stderr(&o));
    let refused = |request: &str, vehicle: &str, day: &str| {
        let mut q = p.clone();
        q["replan"] = json!({"frozen_before": "2026-11-30T00:00",
                             "locks": [{"request": request, "vehicle": vehicle, "day": day}]});
        let path = common::write(dir.path(), "q.json", &q);
        let o = common::run(&[
            "solve",
            path.to_str().expect("utf-8"),
            "--previous",
            previous,
        ]);
        assert_eq!(o.status.code(), Some(2), "{}", common::stderr(&o));
        common::stderr(&o)
    };
    let said = refused("P2", "van-b", "2026-11-30");
    assert!(
        said.contains("replan.locks[0].vehicle: `van-b` lacks tail_lift, which `P2` needs"),
        "{said}"
    );
    let said = refused("P4", "van-b", "2026-12-01");
    assert!(
        said.contains("replan.locks[0].day: `van-b` has no shift on 2026-12-01"),
        "{said}"
    );
    let said = refused("P1", "van-b", "2026-11-30");
    assert!(
        said.contains(
            "replan.locks[0].day: `van-b`'s shift on 2026-11-30 does not meet `P1`'s opening hours"
        ),
        "{said}"
    );
    // The same lock on van A is taken.
    let mut q = p.clone();
    q["replan"] = json!({"frozen_before": "2026-11-30T00:00",
                         "locks": [{"request": "P1", "vehicle": "van-a", "day": "2026-11-30"}]});
    let path = common::write(dir.path(), "q.json", &q);
    let o = common::run(&[
        "solve",
        path.to_str().expect("utf-8"),
        "--previous",
        previous,
    ]);
    assert!(o.status.success(), "{}", common::stderr(&o));
}
