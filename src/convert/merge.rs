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

/// Whether `a` and `b` may be served in one visit (before loads and times).
fn alike(a: &Request, b: &Request) -> bool {
    let sorted = |r: &Request| {
        let mut s = r.skills.clone();
        s.sort();
        s
    };
    let windows = |r: &Request| {
        let mut w = r.time_windows.clone();
        w.sort_by_key(|w| (w.start, w.end));
        w
    };
    let same_priority = matches!(
        (a.priority, b.priority),
        (model::Priority::Mandatory, model::Priority::Mandatory)
            | (model::Priority::Optional(_), model::Priority::Optional(_))
    );
    a.location == b.location
        && a.deliver_to.is_none()
        && b.deliver_to.is_none()
        && a.depot == b.depot
        && same_priority
        && sorted(a) == sorted(b)
        && windows(a) == windows(b)
}

/// The visits of one kind of request: which requests follow which.
/// `left_out(i)` says a request is planned on its own or not at all
/// (unroutable). No merging when a vehicle has `max_stops` (its limit
/// counts a plan's stops, one per request).
pub fn same_place(p: &model::Problem, kind: Side, left_out: impl Fn(usize) -> bool) -> Followers {
    let mut out = Followers::new();
    if p.vehicles.iter().any(|v| v.max_stops.is_some()) {
        return out;
    }
    let list = kind.list(p);
    // Requests by point, in their order in the problem.
    let mut at: BTreeMap<(u64, u64), Vec<usize>> = BTreeMap::new();
    for (i, r) in list.iter().enumerate() {
        if !left_out(i) && r.deliver_to.is_none() {
            at.entry((r.location[0].to_bits(), r.location[1].to_bits()))
                .or_default()
                .push(i);
        }
    }
    let longest_shift = p
        .vehicles
        .iter()
        .flat_map(|v| &v.shifts)
        .map(|s| (s.end - s.start).num_seconds() as f64)
        .fold(0.0, f64::max);
    for mut here in at.into_values().filter(|v| v.len() > 1) {
        // The longest set-up first: the visit pays the first one's.
        here.sort_by(|&a, &b| list[b].setup_minutes.total_cmp(&list[a].setup_minutes));
        while let Some(first) = here.first().copied() {
            let lead = &list[first];
            let mut group = vec![first];
            let mut load = load_of(lead, p);
            let mut service = lead.service_minutes * 60.0;
            for &other in &here[1..] {
                let r = &list[other];
                let more = load + load_of(r, p);
                let fits = p.vehicles.iter().any(|v| {
                    lead.skills.iter().all(|s| v.skills.contains(s)) && more.fits(capacity_of(v))
                });
                // The last one still starts in a window: the first may
                // start at most `service` (of those before it) earlier
                // than each window's end.
                let starts = lead.time_windows.is_empty()
                    || lead
                        .time_windows
                        .iter()
                        .any(|w| (w.end - w.start).num_seconds() as f64 >= service);
                let whole = service + r.service_minutes * 60.0;
                if alike(lead, r) && fits && starts && whole <= longest_shift {
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
