//! Where does this late request fit? Given a stored plan and one new
//! request, every tour is tried with the request at every position (and
//! every unused shift with a tour of its own), each schedule recomputed by
//! the solver's own rules; the cheapest few that hold are suggested, with
//! what each adds and what it does to the other stops' times. The other
//! stops keep their tours and their order: the plan changes only where the
//! coordinator says, without a full re-plan.

use serde::Serialize;
use tournee_solver as solver;

use crate::convert;
use crate::model::{Problem, Request};
use crate::plan::Plan;
use crate::routing::Travel;

/// Suggestions answered, at most.
pub const MAX_SUGGESTIONS: usize = 5;

/// A stop whose times move by a minute or more.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Shifted {
    pub job: String,
    pub from: String,
    pub to: String,
}

/// One place the request fits.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Suggestion {
    /// The tour it joins (`van/2026-12-03`), or a new tour of that van.
    pub tour: String,
    pub vehicle: String,
    pub day: String,
    pub new_tour: bool,
    /// The stop number it takes in the tour (1 = first).
    pub position: usize,
    pub added_km: f64,
    pub added_minutes: f64,
    pub added_cost: f64,
    pub arrival: String,
    /// The other stops whose arrival moves by a minute or more.
    pub shifted: Vec<Shifted>,
    /// The plan with the request there, every other tour as it was.
    #[serde(skip)]
    pub plan: Plan,
}

/// The problem with `request` added (an order if `order`).
pub fn with_request(problem: &Problem, request: Request, order: bool) -> Problem {
    let mut p = problem.clone();
    p.replan = None;
    if order {
        p.orders.push(request);
    } else {
        p.pickups.push(request);
    }
    p
}

/// The cheapest places for request `id` of `p` (already added, see
/// [`with_request`]) in `plan`, made for `p` without it.
pub fn suggest(p: &Problem, plan: &Plan, id: &str, travel: &Travel) -> Vec<Suggestion> {
    let conv = convert::to_solver_apart(p, travel);
    let sp = &conv.problem;
    let Some(new) = conv.job_of(p, id) else {
        return Vec::new();
    };
    // The plan's tours as solver routes.
    let routes: Vec<solver::Route> = plan
        .tours
        .iter()
        .filter_map(|t| {
            Some(solver::Route {
                vehicle: conv.vehicle_of(p, &t.vehicle, t.shift)?,
                jobs: t
                    .request_stops()
                    .map(|s| conv.stop_job(p, s))
                    .collect::<Option<Vec<_>>>()?,
            })
        })
        .collect();
    let unassigned: Vec<(usize, solver::Reason)> = plan
        .unassigned
        .iter()
        .filter_map(|u| Some((conv.job_of(p, &u.job)?, convert::reason_of(&u.reason)?)))
        .collect();
    // A pickup taken to a partner site goes in with its drop, later.
    let drop = sp.jobs[new].partner();
    let orders = |jobs: &[usize]| -> Vec<Vec<usize>> {
        let mut out = Vec::new();
        for pos in 0..=jobs.len() {
            let mut with = jobs.to_vec();
            with.insert(pos, new);
            match drop {
                None => out.push(with),
                Some(d) => {
                    for later in pos + 1..=with.len() {
                        let mut both = with.clone();
                        both.insert(later, d);
                        out.push(both);
                    }
                }
            }
        }
        out
    };
    // The tours as they are, scheduled once.
    let bases: Vec<Option<solver::Schedule>> = routes
        .iter()
        .map(|r| solver::schedule(sp, r.vehicle, &r.jobs).ok())
        .collect();
    // A driver's hours over the week, and whether a tour of vehicle `v`
    // lasting `after` instead of `before` keeps them.
    let mut worked = vec![0.0; sp.drivers.len()];
    for (r, base) in routes.iter().zip(&bases) {
        if let (Some(d), Some(s)) = (sp.driver_of(r.vehicle), base) {
            worked[d] += s.duration();
        }
    }
    let within = |v: usize, before: f64, after: f64| {
        sp.driver_of(v)
            .is_none_or(|d| worked[d] - before + after <= sp.drivers[d].max_duration + 1e-6)
    };
    let mut found: Vec<(f64, solver::Route, usize, bool)> = Vec::new();
    for (k, (r, base)) in routes.iter().zip(&bases).enumerate() {
        let Some(base) = base else {
            continue;
        };
        let base_cost = solver::route::tour_cost(sp, r.vehicle, base);
        for jobs in orders(&r.jobs) {
            let Ok(s) = solver::schedule(sp, r.vehicle, &jobs) else {
                continue;
            };
            if within(r.vehicle, base.duration(), s.duration()) {
                let cost = solver::route::tour_cost(sp, r.vehicle, &s) - base_cost;
                found.push((
                    cost,
                    solver::Route {
                        vehicle: r.vehicle,
                        jobs,
                    },
                    k,
                    false,
                ));
            }
        }
    }
    // Shifts without a tour: a tour of its own.
    for v in 0..sp.vehicles.len() {
        if routes.iter().any(|r| r.vehicle == v) || !sp.vehicles[v].can_serve(&sp.jobs[new]) {
            continue;
        }
        let alone: Vec<usize> = [new].into_iter().chain(drop).collect();
        if let Some(s) = solver::schedule(sp, v, &alone)
            .ok()
            .filter(|s| within(v, 0.0, s.duration()))
        {
            let cost = solver::route::tour_cost(sp, v, &s);
            found.push((
                cost,
                solver::Route {
                    vehicle: v,
                    jobs: alone,
                },
                usize::MAX,
                true,
            ));
        }
    }
    found.sort_by(|a, b| a.0.total_cmp(&b.0));
    found
        .into_iter()
        .take(MAX_SUGGESTIONS)
        .filter_map(|(cost, route, k, new_tour)| {
            let mut all: Vec<solver::Route> = routes
                .iter()
                .enumerate()
                .filter(|(i, _)| *i != k)
                .map(|(_, r)| r.clone())
                .collect();
            all.push(route.clone());
            let solution = solver::Solution {
                routes: all,
                unassigned: unassigned.clone(),
                cost: 0.0,
                objective: 0.0,
                distance: 0.0,
                iterations: plan.iterations,
            };
            let mut made = conv.to_plan(p, &solution);
            made.changes = Vec::new();
            let tour = made
                .tours
                .iter()
                .find(|t| t.request_stops().any(|s| s.job == id))?
                .clone();
            let before = (k != usize::MAX).then(|| &plan.tours[k]);
            let position = tour.request_stops().position(|s| s.job == id)? + 1;
            let shifted = before
                .map(|b| {
                    tour.stops
                        .iter()
                        .filter(|s| s.job != id)
                        .filter_map(|s| {
                            let was = b
                                .stops
                                .iter()
                                .find(|x| x.job == s.job && x.kind == s.kind)?;
                            minutes_apart(&was.arrival, &s.arrival)
                                .filter(|m| m.abs() >= 1.0)
                                .map(|_| Shifted {
                                    job: s.job.clone(),
                                    from: was.arrival.clone(),
                                    to: s.arrival.clone(),
                                })
                        })
                        .collect()
                })
                .unwrap_or_default();
            let (km, hours) = before.map_or((0.0, 0.0), |b| (b.distance_km, b.duration_h));
            let arrival = tour.request_stops().find(|s| s.job == id)?.arrival.clone();
            Some(Suggestion {
                tour: tour.id.clone(),
                vehicle: tour.vehicle.clone(),
                day: tour.day.clone(),
                new_tour,
                position,
                added_km: round(tour.distance_km - km, 3),
                added_minutes: round((tour.duration_h - hours) * 60.0, 1),
                added_cost: round(cost, 2),
                arrival,
                shifted,
                plan: made,
            })
        })
        .collect()
}

fn round(x: f64, digits: i32) -> f64 {
    let f = 10f64.powi(digits);
    (x * f).round() / f
}

/// Minutes from `a` to `b` (wall-clock date-times).
fn minutes_apart(a: &str, b: &str) -> Option<f64> {
    let (a, b) = (
        crate::model::wall_clock::parse(a)?,
        crate::model::wall_clock::parse(b)?,
    );
    Some((b - a).num_seconds() as f64 / 60.0)
}
