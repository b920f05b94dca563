//! Re-planning mid-week. A coordinator re-plans on Wednesday with Monday's
//! and Tuesday's tours done, some requests locked to a vehicle and day, new
//! requests added and a van out of service. The earlier plan's finished
//! tours are kept as they were; everything else may move; the new plan says
//! what moved.
//!
//! The changes are expressed in the ordinary problem, so the search needs no
//! special case: done requests are removed, shifts already driven or out of
//! service are emptied (kept in place, so that shift numbers stay valid), and
//! a lock becomes a skill only the locked vehicle has plus time windows cut
//! to the locked day.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDateTime;

mod promises;
mod stock;
mod why;

pub use promises::{plan_keeping, Promise, Promised};
pub use stock::stock_broken;
pub use why::{Broken, Why};

use crate::input::FieldError;
use crate::model::{wall_clock, Interval, Problem};
use crate::plan::{Change, Plan, Tour};

/// The problem left to plan, the tours kept from the earlier plan, the
/// promises that could not be kept (each with why), and the promised
/// requests as they were asked, to release one that cannot be kept.
pub struct Replanning {
    pub problem: Problem,
    pub kept: Vec<Tour>,
    pub broken: Broken,
    pub promised: Promised,
    /// What the earlier plan delivers to each order still to deliver: the
    /// stock allocation keeps it while the stock holds it.
    pub announced: crate::allocate::Announced,
}

/// What merging a re-plan's new tours needs: the tours kept, the earlier
/// plan, the promises broken.
#[derive(Clone, Debug)]
pub struct Replanned {
    pub kept: Vec<Tour>,
    pub previous: Plan,
    pub broken: Broken,
    pub promised: Promised,
}

/// The problem's vehicle ids, for a mistake's message.
fn vehicles(problem: &Problem) -> String {
    let ids: Vec<&str> = problem.vehicles.iter().map(|v| v.id.as_str()).collect();
    ids.join(", ")
}

fn err(field: String, message: String) -> FieldError {
    FieldError { field, message }
}

/// Applies `problem.replan` to the problem, given the earlier plan.
/// `failed`: requests of the earlier plan its drivers reported failed,
/// each with the driver's reason: back in the pool, even from a tour done.
pub fn prepare(
    problem: &Problem,
    previous: &Plan,
    failed: &BTreeMap<String, String>,
) -> Result<Replanning, Vec<FieldError>> {
    let Some(replan) = &problem.replan else {
        return Ok(Replanning {
            problem: problem.clone(),
            kept: Vec::new(),
            broken: Broken::new(),
            promised: Promised::default(),
            announced: Default::default(),
        });
    };
    let mut errors = Vec::new();
    let mut p = problem.clone();
    p.replan = None;

    // Tours already driven: kept, with their requests.
    let mut kept = Vec::new();
    for (i, t) in previous.tours.iter().enumerate() {
        match wall_clock::parse(&t.departure) {
            Some(d) if d < replan.frozen_before => kept.push(t.clone()),
            Some(_) => {}
            None => errors.push(err(
                format!("previous.tours[{i}].departure"),
                format!("`{}` is not a date-time", t.departure),
            )),
        }
    }
    // A stop reported failed was not done: its request is planned again.
    let done: BTreeSet<&str> = kept
        .iter()
        .flat_map(|t| t.request_stops().map(|s| s.job.as_str()))
        .filter(|job| !failed.contains_key(*job))
        .collect();
    p.pickups.retain(|r| !done.contains(r.id.as_str()));
    p.orders = orders_left(problem, previous, &kept, failed);
    // What the kept tours delivered has left the stock: the network's, or
    // that of the workshop the tour loaded at (not a delivery reported
    // failed: those devices came back).
    for t in &kept {
        let from_workshop = p
            .depots
            .iter_mut()
            .find(|d| d.id == t.depot)
            .and_then(|d| d.stock.as_mut());
        let Some(stock) = from_workshop.or(p.stock.as_mut()) else {
            continue;
        };
        for s in &t.stops {
            if s.kind == crate::plan::StopKind::Delivery && !failed.contains_key(&s.job) {
                for (d, n) in &s.devices {
                    if let Some(left) = stock.get_mut(d) {
                        *left = left.saturating_sub(*n);
                    }
                }
            }
        }
    }

    // Shifts driven by kept tours, out of service, or over before the
    // re-plan (the past), cannot be used; one under way, from now on.
    let used: BTreeSet<(&str, usize)> =
        kept.iter().map(|t| (t.vehicle.as_str(), t.shift)).collect();
    for (k, o) in replan.out_of_service.iter().enumerate() {
        if !problem.vehicles.iter().any(|v| v.id == o.vehicle) {
            errors.push(err(
                format!("replan.out_of_service[{k}].vehicle"),
                format!(
                    "no vehicle `{}`; the vehicles are: {}",
                    o.vehicle,
                    vehicles(problem)
                ),
            ));
        }
    }
    for v in &mut p.vehicles {
        for (i, shift) in v.shifts.iter_mut().enumerate() {
            let out = replan
                .out_of_service
                .iter()
                .any(|o| o.vehicle == v.id && o.from < shift.end && shift.start < o.to);
            // Under way: what is left of it, if an hour or more (less is
            // no shift to plan, and might not reach its end workshop).
            let frozen = replan.frozen_before;
            let past = shift.end <= frozen
                || (shift.start < frozen && shift.end - frozen < chrono::Duration::hours(1));
            if out || used.contains(&(v.id.as_str(), i)) || past {
                shift.end = shift.start;
            } else if shift.start < replan.frozen_before {
                shift.start = replan.frozen_before;
            }
        }
    }

    // A driver's hours in the tours kept count in the week: what is left
    // for the rest (none left: no more shifts).
    for v in &mut p.vehicles {
        let Some(most) = v.max_driver_hours else {
            continue;
        };
        // From the tours' times (to the second), not their rounded hours.
        let worked: f64 = kept
            .iter()
            .filter(|t| t.vehicle == v.id)
            .map(|t| {
                match (
                    wall_clock::parse(&t.departure),
                    wall_clock::parse(&t.return_),
                ) {
                    (Some(a), Some(b)) => (b - a).num_seconds() as f64 / 3600.0,
                    _ => t.duration_h,
                }
            })
            .sum();
        if worked < most - 1e-3 {
            v.max_driver_hours = Some(most - worked);
        } else {
            v.max_driver_hours = None;
            for s in &mut v.shifts {
                s.end = s.start;
            }
        }
    }

    // Locks: a skill only the locked vehicle has, and windows on that day.
    for (k, lock) in replan.locks.iter().enumerate() {
        let skill = format!("lock:{}", lock.vehicle);
        let Some(v) = p.vehicles.iter_mut().find(|v| v.id == lock.vehicle) else {
            errors.push(err(
                format!("replan.locks[{k}].vehicle"),
                format!(
                    "no vehicle `{}`; the vehicles are: {}",
                    lock.vehicle,
                    vehicles(problem)
                ),
            ));
            continue;
        };
        if !v.skills.contains(&skill) {
            v.skills.push(skill.clone());
        }
        let Some(r) = p
            .pickups
            .iter_mut()
            .chain(p.orders.iter_mut())
            .find(|r| r.id == lock.request)
        else {
            let why = if done.contains(lock.request.as_str()) {
                "is in a tour already done"
            } else {
                "is not a request of this problem"
            };
            errors.push(err(
                format!("replan.locks[{k}].request"),
                format!("`{}` {why}", lock.request),
            ));
            continue;
        };
        // A lock must not contradict the van: its equipment, its days.
        let lacking: Vec<&str> = r
            .skills
            .iter()
            .filter(|s| !s.starts_with("lock:") && !v.skills.contains(s))
            .map(String::as_str)
            .collect();
        if !lacking.is_empty() {
            errors.push(err(
                format!("replan.locks[{k}].vehicle"),
                format!(
                    "`{}` lacks {}, which `{}` needs",
                    lock.vehicle,
                    lacking.join(" + "),
                    lock.request
                ),
            ));
            continue;
        }
        r.skills.push(skill);
        r.time_windows = on_day(&r.time_windows, lock.day, problem);
        let works: Vec<&Interval> = v
            .shifts
            .iter()
            .filter(|s| s.start < s.end && s.start.date() == lock.day)
            .collect();
        if r.time_windows.is_empty() {
            errors.push(err(
                format!("replan.locks[{k}].day"),
                format!("`{}` is not open on {}", lock.request, lock.day),
            ));
        } else if works.is_empty() {
            errors.push(err(
                format!("replan.locks[{k}].day"),
                format!("`{}` has no shift on {}", lock.vehicle, lock.day),
            ));
        } else if !works.iter().any(|s| {
            r.time_windows
                .iter()
                .any(|w| w.start < s.end && s.start < w.end)
        }) {
            errors.push(err(
                format!("replan.locks[{k}].day"),
                format!(
                    "`{}`'s shift on {} does not meet `{}`'s opening hours",
                    lock.vehicle, lock.day, lock.request
                ),
            ));
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let (mut broken, promised) = promises::keep(&mut p, problem, previous, &kept, replan);
    for (job, reason) in failed {
        if p.pickups.iter().chain(&p.orders).any(|r| &r.id == job) {
            broken.insert(
                job.clone(),
                Why::new("driver_failed", &[("reason", reason)]),
            );
        }
    }
    let announced = stock::announced(&p, previous, &kept);
    Ok(Replanning {
        problem: p,
        kept,
        broken,
        promised,
        announced,
    })
}

/// The parts of `windows` (all day when empty) that fall on `day`.
fn on_day(windows: &[Interval], day: chrono::NaiveDate, problem: &Problem) -> Vec<Interval> {
    let (start, end): (NaiveDateTime, NaiveDateTime) = (
        day.and_time(chrono::NaiveTime::MIN),
        (day + chrono::Days::new(1)).and_time(chrono::NaiveTime::MIN),
    );
    let whole = [Interval {
        start: problem.horizon.start.max(start),
        end: problem.horizon.end.min(end),
    }];
    let from = if windows.is_empty() {
        &whole[..]
    } else {
        windows
    };
    from.iter()
        .filter(|w| w.start < end && start < w.end)
        .map(|w| Interval {
            start: w.start.max(start),
            end: w.end.min(end),
        })
        .filter(|w| w.start <= w.end)
        .collect()
}

/// The new plan with the kept tours back in, and what moved since the
/// earlier plan (with why, for a promise that could not be kept).
pub fn merge(mut plan: Plan, kept: Vec<Tour>, previous: &Plan, broken: &Broken) -> Plan {
    // Where each request is now: the kept tours, then the new plan (a
    // request reported failed in a kept tour is where it was planned again).
    let mut after: BTreeMap<String, String> = kept
        .iter()
        .flat_map(|t| {
            t.request_stops()
                .map(move |s| (s.job.clone(), t.id.clone()))
        })
        .collect();
    for t in &plan.tours {
        for s in t.request_stops() {
            after.insert(s.job.clone(), t.id.clone());
        }
    }
    for u in &plan.unassigned {
        after.insert(u.job.clone(), "unassigned".into());
    }
    for t in &kept {
        plan.totals.tours += 1;
        plan.totals.stops += t.request_stops().count();
        plan.totals.distance_km += t.distance_km;
        plan.totals.duration_h += t.duration_h;
        plan.totals.cost += t.cost;
        plan.totals.co2e_kg += t.co2e_kg;
    }
    plan.tours.extend(kept);
    plan.tours.sort_by(|a, b| {
        a.departure
            .cmp(&b.departure)
            .then(a.vehicle.cmp(&b.vehicle))
    });
    let place = |p: &Plan| -> BTreeMap<String, String> {
        let mut m: BTreeMap<String, String> = p
            .tours
            .iter()
            .flat_map(|t| {
                t.request_stops()
                    .map(move |s| (s.job.clone(), t.id.clone()))
            })
            .collect();
        for u in &p.unassigned {
            m.insert(u.job.clone(), "unassigned".into());
        }
        m
    };
    let before = place(previous);
    plan.changes = after
        .iter()
        .filter_map(|(job, to)| {
            let from = before.get(job).cloned().unwrap_or_else(|| "new".into());
            // A request that stays put is listed when a promise to it was
            // broken all the same: its share of the stock. (One released
            // that found its tour again kept its promise after all.)
            let stays_broken = broken.get(job).is_some_and(|w| w.code == "stock_changed");
            (from != *to || stays_broken).then(|| Change {
                request: job.clone(),
                from,
                to: to.clone(),
                why: broken.get(job).map(|w| w.said(crate::i18n::Lang::En)),
                why_code: broken.get(job).map(|w| w.code.clone()),
                why_args: broken.get(job).map(|w| w.args.clone()).unwrap_or_default(),
            })
        })
        .collect();
    plan
}

/// The orders still to deliver. One delivered by a kept tour is done. In a
/// network (`allocate::network`), an order may be delivered in parts
/// (`ORDER@WORKSHOP`): while nothing of it is done it is shared out again
/// as it was; once some stop of it is done, each stop still to go stays as
/// an order of its own drawing from its workshop alone (the order's own
/// stop from its own workshop), asking what that stop was to bring and
/// never more than the order still asks.
fn orders_left(
    problem: &Problem,
    previous: &Plan,
    kept: &[Tour],
    failed: &BTreeMap<String, String>,
) -> Vec<crate::model::Request> {
    type Stop = crate::plan::Stop;
    let delivery = |s: &&Stop| s.kind == crate::plan::StopKind::Delivery;
    let done: BTreeMap<&str, &Stop> = kept
        .iter()
        .flat_map(|t| t.stops.iter().filter(delivery))
        .filter(|s| !failed.contains_key(&s.job))
        .map(|s| (s.job.as_str(), s))
        .collect();
    let kept_ids: BTreeSet<&str> = kept.iter().map(|t| t.id.as_str()).collect();
    // Stops still to go, with what they were to bring when known: planned
    // in a tour not kept, or reported failed; left out (unknown).
    let mut pending: BTreeMap<&str, Option<&Stop>> = BTreeMap::new();
    for t in &previous.tours {
        let later = !kept_ids.contains(t.id.as_str());
        for s in t.stops.iter().filter(delivery) {
            if later || failed.contains_key(&s.job) {
                pending.insert(s.job.as_str(), Some(s));
            }
        }
    }
    for u in &previous.unassigned {
        pending.entry(u.job.as_str()).or_insert(None);
    }
    let mut out = Vec::new();
    for o in &problem.orders {
        let of_o = |j: &&str| {
            *j == o.id || crate::allocate::part_of(problem, j).is_some_and(|(x, _)| x.id == o.id)
        };
        let stops_done: Vec<&Stop> = done
            .iter()
            .filter(|(j, _)| of_o(j))
            .map(|(_, s)| *s)
            .collect();
        if stops_done.is_empty() {
            out.push(o.clone());
            continue;
        }
        let mut left = o.clone();
        for s in stops_done {
            for (d, n) in &s.devices {
                if let Some(asked) = left.devices.get_mut(d) {
                    *asked = asked.saturating_sub(*n);
                }
            }
        }
        let own = crate::allocate::workshop_of(problem, o).to_string();
        for (&job, stop) in pending.iter().filter(|(j, _)| of_o(j)) {
            let mut r = left.clone();
            r.id = job.to_string();
            r.depot = Some(match crate::allocate::part_of(problem, job) {
                Some((_, w)) if job != o.id => w.to_string(),
                _ => own.clone(),
            });
            if r.depot.as_deref() != Some(own.as_str()) {
                r.skills.retain(|s| !s.starts_with("lock:"));
            }
            if let Some(s) = stop {
                r.devices = s
                    .devices
                    .iter()
                    .map(|(d, &n)| (d.clone(), n.min(left.devices.get(d).copied().unwrap_or(0))))
                    .collect();
            }
            for (d, n) in &r.devices {
                if let Some(asked) = left.devices.get_mut(d) {
                    *asked = asked.saturating_sub(*n);
                }
            }
            if r.devices.values().any(|&n| n > 0) {
                out.push(r);
            }
        }
    }
    out
}
