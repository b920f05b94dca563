//! How a tour is cut into trips: a vehicle allowed several trips goes back
//! to its depot to unload what it collected and load the next trip's
//! deliveries (PyVRP's multi-trip model, reload depots inside the route).

use super::Violation;
use crate::problem::{Load, Problem, Shipment};

/// Loads along a tour, with the trips it is split into.
pub(super) struct Loads {
    /// What the vehicle carries when it leaves the depot.
    pub(super) initial: Load,
    /// What it carries when it leaves each job.
    pub(super) after: Vec<Load>,
    /// Jobs (by index in the tour) before which the vehicle goes back to its
    /// depot to reload, with what it carries when it leaves again.
    pub(super) reloads: Vec<(usize, Load)>,
}

/// The loads of `jobs` on vehicle `v`, checking skills, shipment order and
/// capacity on the way. A vehicle allowed several trips splits the order
/// into trips where the returns to the depot add the least distance (a
/// small dynamic programme over the cut points, as in Prins's split for
/// giant tours). A shipment's goods stay on board, so no cut falls between
/// its halves.
pub(super) fn loads(problem: &Problem, v: usize, jobs: &[usize]) -> Result<Loads, Violation> {
    let cut_ok = cuts_allowed(problem, v, jobs)?;
    let starts = split(problem, v, jobs, &cut_ok)?;
    Ok(loads_for(problem, jobs, starts))
}

/// Where a tour may be cut into trips: before job i when no shipment is
/// under way; checks skills and shipment order on the way.
pub(super) fn cuts_allowed(
    problem: &Problem,
    v: usize,
    jobs: &[usize],
) -> Result<Vec<bool>, Violation> {
    let veh = &problem.vehicles[v];
    let n = jobs.len();
    let mut cut_ok = vec![true; n + 1];
    let mut open = 0usize;
    for (i, &j) in jobs.iter().enumerate() {
        let job = &problem.jobs[j];
        if !veh.can_serve(job) {
            return Err(Violation::Skills(i + 1));
        }
        cut_ok[i] = open == 0;
        match job.shipment {
            Some(Shipment::PickupFor(d)) if jobs[i + 1..].contains(&d) => open += 1,
            Some(Shipment::DeliveryOf(p)) if jobs[..i].contains(&p) => open -= 1,
            None => {}
            Some(_) => return Err(Violation::Precedence(i + 1)),
        }
    }
    Ok(cut_ok)
}

/// Every split of `jobs` into two trips (cut before job 1, 2, …) whose loads
/// fit vehicle `v`.
pub(super) fn two_trip_splits(problem: &Problem, v: usize, jobs: &[usize]) -> Vec<Loads> {
    let veh = &problem.vehicles[v];
    let Ok(cut_ok) = cuts_allowed(problem, v, jobs) else {
        return Vec::new();
    };
    (1..jobs.len())
        .filter(|&cut| cut_ok[cut])
        .map(|cut| loads_for(problem, jobs, vec![0, cut]))
        .filter(|l| {
            let leaving = std::iter::once(l.initial).chain(l.reloads.iter().map(|r| r.1));
            leaving
                .chain(l.after.iter().copied())
                .all(|x| x.fits(veh.capacity))
        })
        .collect()
}

/// The loads of `jobs` in trips starting at the given jobs (0 first).
pub(super) fn loads_for(problem: &Problem, jobs: &[usize], mut starts: Vec<usize>) -> Loads {
    // Each trip leaves with its own deliveries.
    starts.push(jobs.len());
    let mut after = Vec::with_capacity(jobs.len());
    let mut leaving = Vec::with_capacity(starts.len() - 1);
    for trip in starts.windows(2) {
        let trip = &jobs[trip[0]..trip[1]];
        let mut load = trip
            .iter()
            .fold(Load::ZERO, |acc, &j| acc + problem.jobs[j].from_depot());
        leaving.push(load);
        for &j in trip {
            load = load - problem.jobs[j].delivery + problem.jobs[j].pickup;
            after.push(load);
        }
    }
    Loads {
        initial: leaving[0],
        after,
        reloads: starts[1..starts.len() - 1]
            .iter()
            .copied()
            .zip(leaving[1..].iter().copied())
            .collect(),
    }
}

/// The first job of each trip (0 first): the fewest added kilometres over
/// at most `max_trips` trips that each fit the vehicle, or where the load
/// first overflows when no split fits.
pub(super) fn split(
    problem: &Problem,
    v: usize,
    jobs: &[usize],
    cut_ok: &[bool],
) -> Result<Vec<usize>, Violation> {
    let veh = &problem.vehicles[v];
    let n = jobs.len();
    let job = |i: usize| &problem.jobs[jobs[i]];
    // How far a trip starting at job i reaches: adding a job raises every
    // earlier load by its delivery, so once a trip overflows, longer ones do.
    let reach = |i: usize| -> (usize, usize) {
        let (mut peak, mut load) = (Load::ZERO, Load::ZERO);
        for k in i..n {
            let extra = job(k).from_depot();
            let next = load + extra - job(k).delivery + job(k).pickup;
            if !(peak + extra).fits(veh.capacity) {
                return (k, 0);
            }
            if !next.fits(veh.capacity) {
                return (k, k + 1);
            }
            (peak, load) = ((peak + extra).max(next), next);
        }
        (n, 0)
    };
    let (end, overflow) = reach(0);
    if end == n || veh.max_trips == 1 {
        return if end == n {
            Ok(vec![0])
        } else {
            Err(Violation::Capacity(overflow))
        };
    }
    let depot = veh.start;
    let d = |a: usize, b: usize| problem.distance.get(a, b);
    let detour = |i: usize| {
        let (a, b) = (job(i - 1).location, job(i).location);
        d(a, depot) + d(depot, b) - d(a, b)
    };
    // Where a trip starting at each job must end, worked out once.
    let ends: Vec<usize> = (0..n).map(|i| reach(i).0).collect();
    // best[t][i]: the least added distance for jobs[..i] in t trips, with
    // the next trip starting at job i, and where the last trip started.
    let trips = veh.max_trips.min(n);
    let mut best: Vec<Vec<Option<(f64, usize)>>> = vec![vec![None; n + 1]; trips + 1];
    best[0][0] = Some((0.0, 0));
    for t in 0..trips {
        for i in 0..n {
            let Some((cost, _)) = best[t][i] else {
                continue;
            };
            for next in i + 1..=ends[i] {
                if next < n && !cut_ok[next] {
                    continue;
                }
                let added = if next < n { cost + detour(next) } else { cost };
                if best[t + 1][next].is_none_or(|(c, _)| added < c) {
                    best[t + 1][next] = Some((added, i));
                }
            }
        }
    }
    // The fewest trips among the cheapest splits.
    let Some(mut t) = (1..=trips)
        .filter_map(|t| best[t][n].map(|(c, _)| (c, t)))
        .min_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)))
        .map(|(_, t)| t)
    else {
        return Err(Violation::Capacity(overflow));
    };
    let mut starts = Vec::with_capacity(t);
    let mut at = n;
    while t > 0 {
        // Every state on the path back was reached on the way forward; a
        // gap would be a fault of the split, reported as no split at all.
        let Some((_, prev)) = best[t][at] else {
            return Err(Violation::Capacity(overflow));
        };
        starts.push(prev);
        (at, t) = (prev, t - 1);
    }
    starts.reverse();
    Ok(starts)
}
