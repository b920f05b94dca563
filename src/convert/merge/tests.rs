use serde_json::json;

use super::super::{to_solver, to_solver_apart};
use crate::input;
use crate::routing::{places, Travel};

/// A town hall's three offices at one point (9:00–12:00), a school at
/// another, one 600 kg van.
fn problem(edit: impl FnOnce(&mut serde_json::Value)) -> crate::model::Problem {
    let w = json!([{"start": "2026-11-30T09:00", "end": "2026-11-30T12:00"}]);
    let at = json!([1.0993, 49.4431]);
    let mut v = json!({
        "format": "tournee/1",
        "horizon": {"start": "2026-11-30T00:00", "end": "2026-12-01T00:00"},
        "devices": {"laptop": {"mass_kg": 1.65, "volume_l": 3},
                    "desktop_tower": {"mass_kg": 6.875, "volume_l": 30}},
        "depots": [{"id": "atelier", "location": [1.0585, 49.4262]}],
        "vehicles": [{"id": "van", "depot": "atelier", "capacity": {"kg": 600, "m3": 3.3},
                      "shifts": [{"start": "2026-11-30T08:00", "end": "2026-11-30T17:00"}]}],
        "pickups": [
            {"id": "M1", "location": at, "devices": {"laptop": 10}, "time_windows": w,
             "setup_minutes": 5},
            {"id": "M2", "location": at, "devices": {"laptop": 4}, "time_windows": w,
             "service_minutes": 20, "setup_minutes": 15},
            {"id": "M3", "location": at, "devices": {"laptop": 2}, "time_windows": w},
            {"id": "E1", "location": [1.03, 49.45], "devices": {"laptop": 4}, "time_windows": w}
        ]
    });
    edit(&mut v);
    input::read(&v.to_string()).expect("valid")
}

fn conversion(p: &crate::model::Problem) -> super::super::Conversion {
    to_solver(p, &Travel::haversine(&p.routing, places(p)))
}

/// The requests each solver job serves, by id.
fn visits(p: &crate::model::Problem) -> Vec<Vec<String>> {
    let c = conversion(p);
    (0..c.jobs.len())
        .map(|k| {
            let j = c.jobs[k];
            std::iter::once(j.index)
                .chain(c.followers.get(&k).into_iter().flatten().copied())
                .map(|i| p.pickups[i].id.clone())
                .collect()
        })
        .collect()
}

#[test]
fn requests_at_one_point_alike_are_one_visit_with_the_longest_setup_first() {
    let p = problem(|_| {});
    assert_eq!(visits(&p), [vec!["M2", "M1", "M3"], vec!["E1"]]);
    let c = conversion(&p);
    let job = &c.problem.jobs[0];
    // Services one after the other: 20 + 10 + 10 min; the last one starts
    // by 12:00, so the visit by 11:30; the devices of all three.
    assert_eq!(job.service, 40.0 * 60.0);
    assert_eq!(job.windows.len(), 1);
    assert_eq!(job.windows[0].end, 11.5 * 3600.0);
    assert_eq!(job.pickup.0[0], 16 * 1650);
    assert_eq!(c.problem.setup[job.location], 15.0 * 60.0);
    // Placing a request in a plan as it is: one job per request.
    let apart = to_solver_apart(&p, &Travel::haversine(&p.routing, places(&p)));
    assert_eq!(apart.problem.jobs.len(), 4);
    assert!(apart.followers.is_empty());
    // A follower's id leads to its visit's job.
    assert_eq!(c.job_of(&p, "M3"), Some(0));
}

#[test]
fn requests_that_differ_or_do_not_fit_together_stay_apart() {
    let apart = |edit: fn(&mut serde_json::Value)| visits(&problem(edit)).len();
    // Other windows, skills, priority, a drop elsewhere, a point a metre off.
    assert_eq!(
        apart(|v| v["pickups"][2]["time_windows"][0]["end"] = json!("2026-11-30T11:00")),
        3
    );
    assert_eq!(
        apart(|v| v["pickups"][2]["skills"] = json!(["tail_lift"])),
        3
    );
    assert_eq!(
        apart(|v| v["pickups"][2]["priority"] = json!({"optional": 50.0})),
        3
    );
    assert_eq!(
        apart(|v| v["pickups"][2]["location"] = json!([1.09931, 49.4431])),
        3
    );
    // Together heavier than the van: 86 towers (591 kg) with M1's ten
    // laptops would be 608 kg; with M3's two, 595 kg.
    let heavy = problem(|v| v["pickups"][1]["devices"] = json!({"desktop_tower": 86}));
    let mut groups = visits(&heavy);
    groups.sort();
    assert_eq!(
        groups,
        [vec!["E1"], vec!["M1"], vec!["M2", "M3"]],
        "what fits goes together"
    );
    // Services longer than the windows allow: the third one waits.
    let long = problem(|v| {
        for k in 0..3 {
            v["pickups"][k]["service_minutes"] = json!(100);
        }
    });
    assert_eq!(visits(&long).len(), 3, "{:?}", visits(&long));
    // Longer together than any tour may last (1 h here): apart.
    let short = problem(|v| {
        v["vehicles"][0]["max_tour_hours"] = json!(1);
        for k in 0..3 {
            v["pickups"][k]["service_minutes"] = json!(40);
        }
        v["pickups"][0]["time_windows"] = json!([]);
        v["pickups"][1]["time_windows"] = json!([]);
        v["pickups"][2]["time_windows"] = json!([]);
    });
    let mut groups = visits(&short);
    groups.sort();
    assert_eq!(groups, [vec!["E1"], vec!["M1"], vec!["M2"], vec!["M3"]]);
    // 28 + 28 minutes would fit in a 1-hour tour, but not with the drive
    // there and back (about 18 minutes).
    let far = problem(|v| {
        v["vehicles"][0]["max_tour_hours"] = json!(1);
        for k in 0..3 {
            v["pickups"][k]["service_minutes"] = json!(28);
            v["pickups"][k]["setup_minutes"] = json!(0);
            v["pickups"][k]["time_windows"] = json!([]);
        }
    });
    assert_eq!(visits(&far).len(), 4, "{:?}", visits(&far));
    // A van with a most-stops limit counts each request: no merging.
    let counted = problem(|v| v["vehicles"][0]["max_stops"] = json!(10));
    assert_eq!(visits(&counted).len(), 4);
}

#[test]
fn a_tour_the_schedule_refuses_leaves_its_requests_listed_as_left_out() {
    // The school opens for five minutes at 9:00: after the town hall's
    // 40-minute visit it is missed. A search never returns such a tour;
    // should one come all the same, no request may vanish from the plan.
    let p = problem(|v| {
        v["pickups"][3]["time_windows"] =
            json!([{"start": "2026-11-30T09:00", "end": "2026-11-30T09:05"}]);
    });
    let c = conversion(&p);
    let late = tournee_solver::Solution {
        routes: vec![tournee_solver::Route {
            vehicle: 0,
            jobs: vec![0, 1],
        }],
        unassigned: Vec::new(),
        cost: 0.0,
        objective: 0.0,
        distance: 0.0,
        iterations: 0,
    };
    assert!(tournee_solver::schedule(&c.problem, 0, &late.routes[0].jobs).is_err());
    let plan = c.to_plan(&p, &late);
    assert!(plan.tours.is_empty(), "{:?}", plan.tours);
    let mut out: Vec<&str> = plan.unassigned.iter().map(|u| u.job.as_str()).collect();
    out.sort_unstable();
    assert_eq!(out, ["E1", "M1", "M2", "M3"]);
    assert_eq!(plan.totals.unassigned, 4);
}
