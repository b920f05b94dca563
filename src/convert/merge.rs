//! Requests at one place served in one visit. A sheet often has several
//! rows for one site (two departments of a company, a town hall's offices
//! and its school on one address): planned apart, two vans may call at the
//! same front desk on the same day. When they are at the same point, ask
//! for the same time windows, the same skills and priority, go back to the
//! van's workshop (no `deliver_to`) and their devices fit together in a
//! van able to serve them, they become one solver job: one arrival, one
//! set-up, services one after the other. The plan lists each request as its
//! own stop, the later ones at no distance and no wait after the first
//! (VROOM and PyVRP leave this to the caller; commercial planners call it
//! "stop grouping").

use std::collections::BTreeMap;

use tournee_solver as solver;

use super::{capacity_of, load_of, Side};
use crate::model::{self, Request};

/// Requests served after another one of the same kind, in one visit:
/// the first one's index → the others', in the order they are served.
pub type Followers = BTreeMap<usize, Vec<usize>>;

/// What requests must share to be served in one visit: the point, the
/// skills, the windows, the kind of priority and the workshop (none goes
/// elsewhere: `deliver_to` is left out before).
type Alike = (u64, u64, Vec<String>, Vec<(i64, i64)>, bool, Option<String>);

fn alike(r: &Request) -> Alike {
    let mut skills = r.skills.clone();
    skills.sort();
    let mut windows: Vec<(i64, i64)> = r
        .time_windows
        .iter()
        .map(|w| (w.start.and_utc().timestamp(), w.end.and_utc().timestamp()))
        .collect();
    windows.sort();
    (
        r.location[0].to_bits(),
        r.location[1].to_bits(),
        skills,
        windows,
        matches!(r.priority, model::Priority::Mandatory),
        r.depot.clone(),
    )
}

/// Requests tried with each first one of a visit: a bound on the work
/// when thousands of requests share one point.
const MAX_TRIED: usize = 64;

/// The visits of one kind of request: which requests follow which.
/// `left_out(i)` says a request is planned on its own or not at all
/// (unroutable); `trip(v, i)` is vehicle `v`'s drive from its workshop to
/// request `i` and back, in seconds. No merging when a vehicle has
/// `max_stops` (its limit counts a plan's stops, one per request).
pub fn same_place(
    p: &model::Problem,
    kind: Side,
    left_out: impl Fn(usize) -> bool,
    trip: impl Fn(usize, usize) -> f64,
) -> Followers {
    let mut out = Followers::new();
    if p.vehicles.iter().any(|v| v.max_stops.is_some()) {
        return out;
    }
    let list = kind.list(p);
    // Requests alike, in their order in the problem.
    let mut groups: BTreeMap<Alike, Vec<usize>> = BTreeMap::new();
    for (i, r) in list.iter().enumerate() {
        if !left_out(i) && r.deliver_to.is_none() {
            groups.entry(alike(r)).or_default().push(i);
        }
    }
    // The longest tour each vehicle may make: its longest shift, its tour
    // limit, its driver's week.
    let longest: Vec<f64> = p
        .vehicles
        .iter()
        .map(|v| {
            let shift = v
                .shifts
                .iter()
                .map(|s| (s.end - s.start).num_seconds() as f64)
                .fold(0.0, f64::max);
            [v.max_tour_hours, v.max_driver_hours]
                .into_iter()
                .flatten()
                .fold(shift, |m, h| m.min(h * 3600.0))
        })
        .collect();
    for mut here in groups.into_values().filter(|v| v.len() > 1) {
        // The longest set-up first: the visit pays the first one's.
        here.sort_by(|&a, &b| list[b].setup_minutes.total_cmp(&list[a].setup_minutes));
        while let Some(first) = here.first().copied() {
            let lead = &list[first];
            let mut group = vec![first];
            let mut load = load_of(lead, p);
            let mut service = lead.service_minutes * 60.0;
            for &other in here.iter().skip(1).take(MAX_TRIED) {
                let r = &list[other];
                let more = load + load_of(r, p);
                let whole = service + r.service_minutes * 60.0;
                // Some van able to serve them takes them all, and has the
                // time to drive there, set up, serve them and come back.
                let visit = lead.setup_minutes * 60.0 + whole;
                let fits = p.vehicles.iter().enumerate().any(|(v, veh)| {
                    lead.skills.iter().all(|s| veh.skills.contains(s))
                        && more.fits(capacity_of(veh))
                        && visit + trip(v, first) <= longest[v]
                });
                // The last one still starts in a window: the first may
                // start at most `service` (of those before it) earlier
                // than each window's end.
                let starts = lead.time_windows.is_empty()
                    || lead
                        .time_windows
                        .iter()
                        .any(|w| (w.end - w.start).num_seconds() as f64 >= service);
                if fits && starts {
                    group.push(other);
                    load = more;
                    service = whole;
                }
            }
            here.retain(|i| !group.contains(i));
            if group.len() > 1 {
                out.insert(first, group[1..].to_vec());
            }
        }
    }
    out
}

/// A visit's windows: each of the first request's windows, ending
/// `earlier` seconds (the services before the last one's) sooner; those
/// left empty are dropped.
pub fn windows(w: Vec<solver::TimeWindow>, earlier: f64) -> Vec<solver::TimeWindow> {
    if earlier <= 0.0 {
        return w;
    }
    w.into_iter()
        .map(|w| solver::TimeWindow::new(w.start, w.end - earlier))
        .filter(|w| w.end >= w.start)
        .collect()
}

#[cfg(test)]
mod tests;
