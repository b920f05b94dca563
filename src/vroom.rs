//! VROOM as a peer in the product benchmark: a converted problem written as
//! VROOM's JSON input (its `docs/API.md`: custom matrices, one vehicle per
//! shift), and VROOM's answer read back as a solver [`Solution`], so that the
//! same conversion turns both solvers' tours into plans that the independent
//! checker verifies and the benchmark re-costs.
//!
//! What VROOM 1.15 cannot say, and how it is bridged:
//! - costs are integers: every cost is sent in hundredths of a cost unit
//!   (VROOM's `per_hour` prices travel time only, not waiting or service:
//!   its blind spot on the product's default objective);
//! - one duration matrix per speed factor (a VROOM `profile` each), rounded
//!   up to the second so that VROOM's times are never shorter than ours;
//! - a shift with several trips becomes that many consecutive vehicles
//!   splitting the shift (VROOM has no reload at the depot), read back as one
//!   tour whose trips the planner splits again; each piece carries the fixed
//!   cost (a tour on one piece is then priced right; one on both pays it
//!   twice in VROOM's own objective, once in the re-costing);
//! - a whole-tour duration limit (`max_tour_hours`) has no VROOM field: the
//!   shift's window is sent, and the checker verifies the limit; nor has a
//!   driver's hours over several shifts (`max_driver_hours`), not sent (the
//!   product benchmark's weeks set none);
//! - a shipment (a pickup taken to a partner site) is a VROOM shipment,
//!   its two steps named by our two jobs' indices;
//! - optional requests' values are not VROOM priorities: every job is sent
//!   with the same priority (the benchmark's problems are all mandatory).

use std::collections::BTreeMap;

use serde_json::{json, Value};
use tournee_solver as solver;
use tournee_solver::{Problem, Reason, Route, Solution};

/// Costs are sent in hundredths, VROOM's costs being integers.
const COST_SCALE: f64 = 100.0;
/// VROOM reads amounts as 32-bit integers; an unlimited dimension is sent as this.
const BIG_AMOUNT: i64 = 2_000_000_000;

/// Which solver vehicle each VROOM vehicle stands for, in VROOM id order.
pub struct Input {
    pub json: Value,
    pub vehicle_of: Vec<usize>,
}

/// VROOM's input for `problem` (a converted problem: jobs and vehicles as
/// the search sees them).
pub fn input(problem: &Problem) -> Input {
    let n = problem.distance.size();
    let mut profiles: BTreeMap<String, f64> = BTreeMap::new();
    let profile = |f: f64| format!("speed-{f}");
    for v in &problem.vehicles {
        profiles.insert(profile(v.speed_factor), v.speed_factor);
    }
    let distances: Vec<Vec<i64>> = (0..n)
        .map(|a| {
            (0..n)
                .map(|b| problem.distance.get(a, b).round() as i64)
                .collect()
        })
        .collect();
    let mut matrices = serde_json::Map::new();
    for (name, factor) in &profiles {
        let durations: Vec<Vec<i64>> = (0..n)
            .map(|a| {
                (0..n)
                    .map(|b| (problem.duration.get(a, b) / factor).ceil() as i64)
                    .collect()
            })
            .collect();
        matrices.insert(
            name.clone(),
            json!({"durations": durations, "distances": distances}),
        );
    }
    let amount = |l: solver::Load| -> Vec<i64> { l.0.iter().map(|&x| x.min(BIG_AMOUNT)).collect() };
    let skills = |bits: u64| -> Vec<u32> { (0..64).filter(|b| bits >> b & 1 == 1).collect() };
    let window = |w: solver::TimeWindow| json!([w.start.round() as i64, w.end.round() as i64]);

    let mut vehicles = Vec::new();
    let mut vehicle_of = Vec::new();
    for (vi, v) in problem.vehicles.iter().enumerate() {
        let trips = v.max_trips.max(1);
        let span = (v.shift.end - v.shift.start) / trips as f64;
        for t in 0..trips {
            let start =
                v.shift.start + span * t as f64 + if t > 0 { v.reload_service } else { 0.0 };
            let end = v.shift.start + span * (t + 1) as f64;
            let piece = solver::TimeWindow::new(start, end.max(start));
            let mut veh = json!({
                "id": vehicles.len(),
                "start_index": v.start,
                "end_index": v.end,
                "profile": profile(v.speed_factor),
                "capacity": amount(v.capacity),
                "skills": skills(v.skills),
                "time_window": window(piece),
                "costs": {
                    "fixed": (v.fixed_cost * COST_SCALE).round() as i64,
                    "per_km": (v.cost_per_distance * 1000.0 * COST_SCALE).round() as i64,
                    "per_hour": (v.cost_per_time * 3600.0 * COST_SCALE).round() as i64,
                },
            });
            if let Some(d) = v.max_distance {
                veh["max_distance"] = json!(d.floor() as i64);
            }
            if let Some(n) = v.max_jobs {
                // On each half of a two-trip shift: VROOM cannot share one
                // limit between two of its vehicles, so it plans a looser
                // problem there, and a shift over the limit is refused by
                // the conversion back (the product benchmark's problems
                // set no `max_stops`).
                veh["max_tasks"] = json!(n);
            }
            if let Some(b) = v.driver_break {
                // On the piece its window opens in (the first when it opens
                // before the shift), once.
                let from = v.shift.start + span * t as f64;
                let opens_here =
                    (t == 0 || b.window.start >= from) && (t + 1 == trips || b.window.start < end);
                if opens_here {
                    veh["breaks"] = json!([{
                        "id": vehicles.len(),
                        "time_windows": [window(b.window)],
                        "service": b.duration.round() as i64,
                    }]);
                }
            }
            vehicles.push(veh);
            vehicle_of.push(vi);
        }
    }
    // A job's place, service, set-up and windows: a VROOM job or one step
    // of a shipment.
    let step = |j: usize| {
        let job = &problem.jobs[j];
        let mut out = json!({
            "id": j,
            "location_index": job.location,
            "service": job.service.round() as i64,
        });
        // VROOM pays a job's set-up after any other location index,
        // even one at the same place (ours: after a leg of no distance).
        if let Some(&s) = problem.setup.get(job.location).filter(|&&s| s > 0.0) {
            out["setup"] = json!(s.round() as i64);
        }
        // No window is any time in the shift, for both.
        if !job.windows.is_empty() {
            out["time_windows"] = job.windows.iter().map(|&w| window(w)).collect();
        }
        out
    };
    let (mut jobs, mut shipments) = (Vec::new(), Vec::new());
    for (j, job) in problem.jobs.iter().enumerate() {
        match job.shipment {
            None => {
                let mut out = step(j);
                out["pickup"] = json!(amount(job.pickup));
                out["delivery"] = json!(amount(job.delivery));
                out["skills"] = json!(skills(job.skills));
                jobs.push(out);
            }
            Some(solver::Shipment::PickupFor(d)) => shipments.push(json!({
                "pickup": step(j),
                "delivery": step(d),
                "amount": amount(job.pickup),
                "skills": skills(job.skills),
            })),
            Some(solver::Shipment::DeliveryOf(_)) => {}
        }
    }
    let mut json = json!({"vehicles": vehicles, "jobs": jobs, "matrices": matrices});
    if !shipments.is_empty() {
        json["shipments"] = json!(shipments);
    }
    Input { json, vehicle_of }
}

/// VROOM's answer (its JSON output) as a solution of `problem`: each VROOM
/// route's jobs in order, the pieces of one shift joined; jobs VROOM left
/// out as [`Reason::FleetFull`]. Costs are left to whoever re-costs the plan.
pub fn solution(problem: &Problem, input: &Input, output: &Value) -> Result<Solution, String> {
    let mut jobs: BTreeMap<usize, Vec<(usize, usize)>> = BTreeMap::new();
    let routes = output["routes"]
        .as_array()
        .ok_or("VROOM's answer has no `routes`")?;
    for route in routes {
        let id = route["vehicle"]
            .as_u64()
            .ok_or("a route without `vehicle`")? as usize;
        let vehicle = *input
            .vehicle_of
            .get(id)
            .ok_or_else(|| format!("VROOM route on unknown vehicle {id}"))?;
        let steps = route["steps"].as_array().ok_or("a route without `steps`")?;
        let list = jobs.entry(vehicle).or_default();
        let visits = ["job", "pickup", "delivery"];
        for step in steps
            .iter()
            .filter(|s| visits.iter().any(|&v| s["type"] == v))
        {
            let j = step["id"].as_u64().ok_or("a job step without `id`")? as usize;
            if j >= problem.jobs.len() {
                return Err(format!("VROOM visits unknown job {j}"));
            }
            list.push((id, j));
        }
    }
    let mut unassigned = Vec::new();
    for x in output["unassigned"].as_array().into_iter().flatten() {
        let j = x["id"].as_u64().ok_or("an unassigned job without `id`")? as usize;
        if j >= problem.jobs.len() {
            return Err(format!("VROOM leaves out unknown job {j}"));
        }
        unassigned.push((j, Reason::FleetFull));
    }
    // Each job once: in one route, or left out.
    let mut seen = vec![false; problem.jobs.len()];
    let placed = jobs.values().flatten().map(|&(_, j)| j);
    for j in placed.chain(unassigned.iter().map(|&(j, _)| j)) {
        if std::mem::replace(&mut seen[j], true) {
            return Err(format!("VROOM's answer has job {j} twice"));
        }
    }
    Ok(Solution {
        routes: jobs
            .into_iter()
            .map(|(vehicle, mut list)| {
                // Pieces of a shift in time order (VROOM ids follow it).
                list.sort_by_key(|&(id, _)| id);
                Route {
                    vehicle,
                    jobs: list.into_iter().map(|(_, j)| j).collect(),
                }
            })
            .filter(|r| !r.jobs.is_empty())
            .collect(),
        unassigned,
        cost: 0.0,
        objective: 0.0,
        distance: 0.0,
        iterations: 0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use tournee_solver::{Job, Load, Matrix, TimeWindow, Vehicle};

    fn problem() -> Problem {
        let d = Matrix::from_fn(3, |a, b| 1000.0 * (a as f64 - b as f64).abs());
        Problem {
            jobs: (1..3)
                .map(|l| Job {
                    pickup: Load([5, 0, 1]),
                    windows: vec![
                        TimeWindow::new(0.0, 3600.0),
                        TimeWindow::new(7200.0, 9000.0),
                    ],
                    ..Job::at(l)
                })
                .collect(),
            vehicles: vec![Vehicle {
                shift: TimeWindow::new(0.0, 36_000.0),
                max_trips: 2,
                reload_service: 600.0,
                speed_factor: 0.5,
                fixed_cost: 20.0,
                cost_per_distance: 0.35 / 1000.0,
                ..Vehicle::new(0, Load([10, 10, i64::MAX / 4]))
            }],
            distance: d.clone(),
            duration: d,
            setup: Vec::new(),
            drivers: Vec::new(),
        }
    }

    #[test]
    fn a_two_trip_shift_is_two_vehicles_and_is_read_back_as_one_tour() {
        let p = problem();
        let input = input(&p);
        let v = input.json["vehicles"].as_array().expect("vehicles");
        assert_eq!(v.len(), 2);
        assert_eq!(input.vehicle_of, vec![0, 0]);
        assert_eq!(v[0]["time_window"], json!([0, 18_000]));
        assert_eq!(v[1]["time_window"], json!([18_600, 36_000]));
        assert_eq!(v[0]["costs"]["fixed"], 2000);
        assert_eq!(v[1]["costs"]["fixed"], 2000);
        assert_eq!(v[0]["costs"]["per_km"], 35);
        assert_eq!(v[0]["capacity"], json!([10, 10, BIG_AMOUNT]));
        // Durations at half speed, distances as they are.
        let m = &input.json["matrices"]["speed-0.5"];
        assert_eq!(m["durations"][0][2], 4000);
        assert_eq!(m["distances"][0][2], 2000);
        assert_eq!(
            input.json["jobs"][1]["time_windows"],
            json!([[0, 3600], [7200, 9000]])
        );

        let answer = json!({
            "routes": [
                {"vehicle": 1, "steps": [{"type": "start"}, {"type": "job", "id": 0}, {"type": "end"}]},
                {"vehicle": 0, "steps": [{"type": "job", "id": 1}]},
            ],
            "unassigned": [],
        });
        let s = solution(&p, &input, &answer).expect("read back");
        assert_eq!(s.routes.len(), 1);
        assert_eq!(s.routes[0].jobs, vec![1, 0]);
    }

    #[test]
    fn a_shipment_is_a_vroom_shipment_and_its_steps_are_read_back() {
        let mut p = problem();
        p.jobs[0].shipment = Some(solver::Shipment::PickupFor(1));
        p.jobs[1].shipment = Some(solver::Shipment::DeliveryOf(0));
        p.jobs[1].delivery = p.jobs[0].pickup;
        p.jobs[1].pickup = Load::ZERO;
        let input = input(&p);
        assert_eq!(input.json["jobs"], json!([]));
        let s = &input.json["shipments"][0];
        assert_eq!(s["pickup"]["id"], 0);
        assert_eq!(s["pickup"]["location_index"], 1);
        assert_eq!(s["delivery"]["id"], 1);
        assert_eq!(s["delivery"]["location_index"], 2);
        assert_eq!(s["amount"], json!([5, 0, 1]));
        let answer = json!({
            "routes": [{"vehicle": 0, "steps": [
                {"type": "start"}, {"type": "pickup", "id": 0},
                {"type": "delivery", "id": 1}, {"type": "end"}]}],
            "unassigned": [],
        });
        let read = solution(&p, &input, &answer).expect("read back");
        assert_eq!(read.routes[0].jobs, vec![0, 1]);
    }

    #[test]
    fn an_answer_naming_unknown_jobs_or_vehicles_is_refused() {
        let p = problem();
        let input = input(&p);
        for bad in [
            json!({"routes": [{"vehicle": 5, "steps": []}]}),
            json!({"routes": [{"vehicle": 0, "steps": [{"type": "job", "id": 9}]}]}),
            json!({"routes": [], "unassigned": [{"id": 7}]}),
            json!({"routes": [{"vehicle": 0, "steps": [{"type": "job", "id": 1}]}], "unassigned": [{"id": 1}]}),
            json!({"code": 2}),
        ] {
            assert!(solution(&p, &input, &bad).is_err(), "{bad}");
        }
    }
}
