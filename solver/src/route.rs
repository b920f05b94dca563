//! One tour: its exact schedule, and the cached quantities that let the search
//! test an insertion in constant time.
//!
//! A tour is a vehicle and an ordered list of jobs. Positions along the tour
//! are numbered 0 (leaving the start depot), 1..=n (the jobs) and n + 1
//! (arriving at the end depot).

use crate::problem::{Break, Job, Load, Problem, Shipment, Vehicle};

/// Times at one stop of a scheduled tour.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Visit {
    pub job: usize,
    pub arrival: f64,
    pub start: f64,
    pub departure: f64,
    /// What the vehicle carries when it leaves.
    pub load: Load,
}

/// A return to the start depot between two trips: the vehicle unloads what
/// it collected and loads the next trip's deliveries.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Reload {
    /// Number of jobs served before it.
    pub after: usize,
    pub arrival: f64,
    pub start: f64,
    pub departure: f64,
    /// What the vehicle carries when it leaves again.
    pub load: Load,
}

/// Where and when the driver takes the break.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BreakVisit {
    /// Number of stops (jobs and reloads) served before it (0: at the start
    /// depot, or on the way to the first stop).
    pub after: usize,
    /// Location where the break is taken: the stop just served, or the next
    /// one on arrival, before its service.
    pub location: usize,
    pub start: f64,
    pub end: f64,
}

/// A tour's schedule with the shortest duration: the earliest return, and the
/// latest departure that still allows it.
#[derive(Clone, Debug, PartialEq)]
pub struct Schedule {
    pub departure: f64,
    pub visits: Vec<Visit>,
    pub arrival: f64,
    /// What the vehicle carries when it leaves the depot (all deliveries).
    pub initial_load: Load,
    pub distance: f64,
    pub driver_break: Option<BreakVisit>,
    /// Returns to the depot between trips, in tour order.
    pub reloads: Vec<Reload>,
}

impl Schedule {
    pub fn duration(&self) -> f64 {
        self.arrival - self.departure
    }
}

/// Why a tour cannot be driven as given.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Violation {
    /// The vehicle lacks a skill the job at this position needs.
    Skills(usize),
    /// The other half of the shipment at this position is missing from the
    /// tour, or on the wrong side of it.
    Precedence(usize),
    /// The load exceeds the capacity after this position (0 = leaving the depot).
    Capacity(usize),
    /// Every window of the job at this position has closed on arrival.
    TimeWindow(usize),
    /// No stop of the tour leaves room for the driver's break in its window.
    Break,
    /// The vehicle is back after the end of its shift.
    ShiftEnd,
    MaxDuration,
    MaxDistance,
}

/// Schedules `jobs` on vehicle `v`, or says the first rule it breaks.
pub fn schedule(problem: &Problem, v: usize, jobs: &[usize]) -> Result<Schedule, Violation> {
    let loads = loads(problem, v, jobs)?;
    let first = timed(problem, v, jobs, &loads);
    if first.is_ok() || loads.reloads.is_empty() {
        return first;
    }
    // The split with the fewest kilometres can miss a window or the shift's
    // end that another split keeps (a return to the depot earlier or later,
    // say between the morning's and the afternoon's visits): the two-trip
    // splits that fit the vehicle are tried, the shortest feasible kept.
    let mut best: Option<Schedule> = None;
    for other in two_trip_splits(problem, v, jobs) {
        if let Ok(s) = timed(problem, v, jobs, &other) {
            if best.as_ref().is_none_or(|b| s.distance < b.distance) {
                best = Some(s);
            }
        }
    }
    best.map_or(first, Ok)
}

/// The schedule of `jobs` on vehicle `v` with the trips of `loads`.
fn timed(
    problem: &Problem,
    v: usize,
    jobs: &[usize],
    loads: &Loads,
) -> Result<Schedule, Violation> {
    let veh = &problem.vehicles[v];
    let reload_at: Vec<usize> = loads.reloads.iter().map(|r| r.0).collect();
    let path = Path::new(problem, v, jobs, &reload_at);

    let (earliest_return, placed) = path.earliest(veh.shift.start)?;
    if earliest_return > veh.shift.end {
        return Err(Violation::ShiftEnd);
    }
    // The latest departure that keeps that return; rounding could make it
    // miss by a hair, and then the shift start is kept.
    let latest = path
        .latest_departure(earliest_return, placed.is_some())
        .max(veh.shift.start);
    let (departure, placed) = match placed {
        None => (latest, None),
        // The break may move when the tour leaves later.
        Some(_) => match path.earliest(latest) {
            Ok((back, p)) if back <= earliest_return + 1e-9 => (latest, p),
            _ => (veh.shift.start, placed),
        },
    };

    // Walk the tour from that departure to get the times to print.
    let m = path.stops.len();
    let mut visits = Vec::with_capacity(jobs.len());
    let mut reloads = Vec::with_capacity(reload_at.len());
    let mut driver_break = None;
    let mut time = departure;
    let mut arrival = departure;
    let mut distance = 0.0;
    for k in 0..=m {
        let travel = path.travel(k);
        distance += problem.distance.get(path.loc[k], path.loc[k + 1]);
        let (arrived, ready) = match placed {
            Some(p) if p.gap == k => {
                let b = p.rest;
                let (location, start, arrived) = if p.on_arrival {
                    let arrived = time + travel;
                    (path.loc[k + 1], arrived.max(b.window.start), arrived)
                } else {
                    let start = time.max(b.window.start);
                    (path.loc[k], start, start + b.duration + travel)
                };
                let end = start + b.duration;
                driver_break = Some(BreakVisit {
                    after: k,
                    location,
                    start,
                    end,
                });
                (arrived, end.max(arrived))
            }
            _ => (time + travel, time + travel),
        };
        if k == m {
            arrival = ready;
            break;
        }
        let job = path.job(k);
        // The latest departure was worked out backwards; walking forwards
        // may arrive a rounding error after the window it aimed at.
        let start = job
            .service_start(ready)
            .or_else(|| job.service_start(ready - 1e-7).map(|s| s.max(ready)))
            .ok_or(Violation::TimeWindow(k + 1))?;
        time = start + job.service;
        match path.stops[k] {
            Some(j) => visits.push(Visit {
                job: j,
                arrival: arrived,
                start,
                departure: time,
                load: loads.after[visits.len()],
            }),
            None => reloads.push(Reload {
                after: visits.len(),
                arrival: arrived,
                start,
                departure: time,
                load: loads.reloads[reloads.len()].1,
            }),
        }
    }
    let sched = Schedule {
        departure,
        visits,
        arrival,
        initial_load: loads.initial,
        distance,
        driver_break,
        reloads,
    };
    if veh.max_distance.is_some_and(|m| sched.distance > m) {
        return Err(Violation::MaxDistance);
    }
    if veh.max_duration.is_some_and(|m| sched.duration() > m) {
        return Err(Violation::MaxDuration);
    }
    Ok(sched)
}

/// Loads along a tour, with the trips it is split into.
struct Loads {
    /// What the vehicle carries when it leaves the depot.
    initial: Load,
    /// What it carries when it leaves each job.
    after: Vec<Load>,
    /// Jobs (by index in the tour) before which the vehicle goes back to its
    /// depot to reload, with what it carries when it leaves again.
    reloads: Vec<(usize, Load)>,
}

/// The loads of `jobs` on vehicle `v`, checking skills, shipment order and
/// capacity on the way. A vehicle allowed several trips splits the order
/// into trips where the returns to the depot add the least distance (a
/// small dynamic programme over the cut points, as in Prins's split for
/// giant tours). A shipment's goods stay on board, so no cut falls between
/// its halves.
fn loads(problem: &Problem, v: usize, jobs: &[usize]) -> Result<Loads, Violation> {
    let cut_ok = cuts_allowed(problem, v, jobs)?;
    let starts = split(problem, v, jobs, &cut_ok)?;
    Ok(loads_for(problem, jobs, starts))
}

/// Where a tour may be cut into trips: before job i when no shipment is
/// under way; checks skills and shipment order on the way.
fn cuts_allowed(problem: &Problem, v: usize, jobs: &[usize]) -> Result<Vec<bool>, Violation> {
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
fn two_trip_splits(problem: &Problem, v: usize, jobs: &[usize]) -> Vec<Loads> {
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
fn loads_for(problem: &Problem, jobs: &[usize], mut starts: Vec<usize>) -> Loads {
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
fn split(
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

/// Where the break goes: in the gap after position `gap`, either right
/// there (before driving on) or on arrival at the next position.
#[derive(Clone, Copy, Debug)]
struct Placement {
    gap: usize,
    on_arrival: bool,
    rest: Break,
}

/// The times of one job order, with its reloads and the driver's break
/// placed where it delays the return least. Positions are 0 (start depot),
/// 1..=m (the stops: jobs and reloads) and m + 1 (end depot).
struct Path<'a> {
    problem: &'a Problem,
    v: usize,
    /// Each stop: a job, or `None` for a reload at the start depot.
    stops: Vec<Option<usize>>,
    reload: Job,
    loc: Vec<usize>,
    rest: Option<Break>,
}

impl<'a> Path<'a> {
    /// `reloads` holds the jobs (by index in `jobs`) before which the
    /// vehicle goes back to reload.
    fn new(problem: &'a Problem, v: usize, jobs: &[usize], reloads: &[usize]) -> Self {
        let veh = &problem.vehicles[v];
        let mut stops = Vec::with_capacity(jobs.len() + reloads.len());
        for (i, &j) in jobs.iter().enumerate() {
            if reloads.contains(&i) {
                stops.push(None);
            }
            stops.push(Some(j));
        }
        let reload = Job {
            service: veh.reload_service,
            ..Job::at(veh.start)
        };
        let mut loc = Vec::with_capacity(stops.len() + 2);
        loc.push(veh.start);
        loc.extend(
            stops
                .iter()
                .map(|s| s.map_or(veh.start, |j| problem.jobs[j].location)),
        );
        loc.push(veh.end);
        // An empty tour is not driven, and a shift that starts after the
        // window has closed has had its break before.
        let rest = veh
            .driver_break
            .filter(|b| !jobs.is_empty() && veh.shift.start <= b.window.end);
        Path {
            problem,
            v,
            stops,
            reload,
            loc,
            rest,
        }
    }

    /// The job served at stop `k` (0-based), a reload's own for reloads.
    #[inline]
    fn job(&self, k: usize) -> &Job {
        self.stops[k].map_or(&self.reload, |j| &self.problem.jobs[j])
    }

    #[inline]
    fn travel(&self, k: usize) -> f64 {
        self.problem
            .travel_time(self.v, self.loc[k], self.loc[k + 1])
    }

    /// Earliest return when leaving at `departure`, by a forward pass that
    /// follows two schedules: break still to take, break taken.
    fn earliest(&self, departure: f64) -> Result<(f64, Option<Placement>), Violation> {
        let n = self.stops.len();
        let mut ahead = departure; // leaving position k, break still to take
        let mut behind = f64::INFINITY; // leaving position k, break taken
                                        // The last time the break schedule switches over is where the
                                        // break on the kept schedule is taken.
        let mut taken = None;
        for k in 0..=n {
            let travel = self.travel(k);
            let mut ready_behind = behind + travel;
            if let Some((ready, p)) = self.rest.and_then(|b| through_break(b, ahead, travel, k)) {
                if ready < ready_behind {
                    ready_behind = ready;
                    taken = Some(p);
                }
            }
            let ready_ahead = ahead + travel;
            if k == n {
                return match self.rest {
                    Some(b) if ready_ahead > b.window.start => {
                        if ready_behind.is_finite() {
                            Ok((ready_behind, taken))
                        } else {
                            Err(Violation::Break)
                        }
                    }
                    _ => Ok((ready_ahead, None)),
                };
            }
            let job = self.job(k);
            ahead = serve(job, ready_ahead);
            behind = serve(job, ready_behind);
            if ahead.is_infinite() && behind.is_infinite() {
                return Err(Violation::TimeWindow(k + 1));
            }
        }
        unreachable!("the loop returns at the end depot")
    }

    /// Latest departure that still returns by `ret`, by a backward pass over
    /// the same two schedules (latest service starts).
    fn latest_departure(&self, ret: f64, with_break: bool) -> f64 {
        let rest = self.rest.filter(|_| with_break);
        let mut behind = ret; // latest start at position k + 1, break taken
        let mut ahead = if rest.is_some() {
            f64::NEG_INFINITY
        } else {
            ret
        };
        for k in (0..=self.stops.len()).rev() {
            let travel = self.travel(k);
            let leave_behind = behind - travel;
            let mut leave_ahead = ahead - travel;
            if let Some(b) = rest {
                // On arrival at k + 1, or before leaving k.
                let on_arrival = (behind - b.duration).min(b.window.end);
                if b.window.start <= on_arrival {
                    leave_ahead = leave_ahead.max(on_arrival - travel);
                }
                let before = (behind - b.duration - travel).min(b.window.end);
                if b.window.start <= before {
                    leave_ahead = leave_ahead.max(before);
                }
            }
            if k == 0 {
                return if rest.is_some() {
                    leave_ahead
                } else {
                    leave_behind
                };
            }
            let job = self.job(k - 1);
            behind = latest(job, leave_behind - job.service);
            ahead = latest(job, leave_ahead - job.service);
        }
        unreachable!("the loop returns at the start depot")
    }
}

/// Leaving at `time` from the stop before a leg of `travel`, the earliest
/// time the next stop can be served when the break is taken in between: on
/// arrival when the window allows, since that is never later, else before
/// leaving.
fn through_break(b: Break, time: f64, travel: f64, gap: usize) -> Option<(f64, Placement)> {
    let place = |on_arrival| Placement {
        gap,
        on_arrival,
        rest: b,
    };
    let on_arrival = (time + travel).max(b.window.start);
    if on_arrival <= b.window.end {
        return Some((on_arrival + b.duration, place(true)));
    }
    let before = time.max(b.window.start);
    (before <= b.window.end).then(|| (before + b.duration + travel, place(false)))
}

/// Departure after serving `job` when ready at `ready` (infinite: never).
fn serve(job: &Job, ready: f64) -> f64 {
    if !ready.is_finite() {
        return f64::INFINITY;
    }
    job.service_start(ready)
        .map_or(f64::INFINITY, |s| s + job.service)
}

/// Latest service start at or before `deadline` (minus infinity: none).
fn latest(job: &Job, deadline: f64) -> f64 {
    if !deadline.is_finite() {
        return f64::NEG_INFINITY;
    }
    match job.latest_start(deadline) {
        Some(start) => start,
        // A deadline a rounding error before a window opens still meets
        // it, by waiting: else the whole tour would leave at its shift's
        // start and count every wait in its duration.
        None if job.latest_start(deadline + 1e-7).is_some() => deadline,
        None => f64::NEG_INFINITY,
    }
}

/// Cost of a scheduled tour for its vehicle; an empty tour costs nothing.
pub fn tour_cost(problem: &Problem, v: usize, s: &Schedule) -> f64 {
    if s.visits.is_empty() {
        return 0.0;
    }
    let veh = &problem.vehicles[v];
    veh.fixed_cost + veh.cost_per_distance * s.distance + veh.cost_per_time * s.duration()
}

/// True when the vehicle's cost or limits depend on waiting, breaks or reloads,
/// which the insertion cache does not hold: then tours are rescheduled.
fn time_matters(veh: &Vehicle) -> bool {
    veh.max_duration.is_some()
        || veh.cost_per_time != 0.0
        || veh.driver_break.is_some()
        || veh.max_trips > 1
}

/// A tour with the prefix and suffix data that make insertion tests O(1).
#[derive(Clone, Debug)]
pub struct Tour {
    pub vehicle: usize,
    pub jobs: Vec<usize>,
    /// Exact cost of the tour as scheduled.
    pub cost: f64,
    /// Per position 0..=n+1: location.
    loc: Vec<usize>,
    /// Earliest time the vehicle can leave each position.
    earliest_departure: Vec<f64>,
    /// Latest start of service at each position that keeps the rest feasible
    /// (at n + 1: the end of the shift).
    latest_start: Vec<f64>,
    /// Load leaving each position, and its running maxima from either end.
    load: Vec<Load>,
    prefix_max: Vec<Load>,
    suffix_max: Vec<Load>,
    pub distance: f64,
}

/// A tested shipment insertion: the pickup goes after position `after`, the
/// delivery after position `delivery_after` (≥ `after`; equal means right
/// after the pickup), both numbered in the tour before the insertion.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PairInsertion {
    pub after: usize,
    pub delivery_after: usize,
    pub delta: f64,
}

/// A tested insertion: where, and what it adds to the cost.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Insertion {
    /// Insert after this position (0 = right after the depot).
    pub after: usize,
    pub delta: f64,
}

impl Tour {
    /// The vehicle's tour with no job. [`Problem::validate`] refuses a
    /// vehicle that cannot even drive from its start depot to its end depot
    /// within its shift and distance limit; should one get here all the
    /// same, its empty tour is kept as it is and takes no job (every
    /// insertion test fails on time), rather than stopping the search.
    pub fn empty(problem: &Problem, vehicle: usize) -> Self {
        Self::new(problem, vehicle, Vec::new()).unwrap_or_else(|| {
            let veh = &problem.vehicles[vehicle];
            let back = veh.shift.start + problem.travel_time(vehicle, veh.start, veh.end);
            Tour {
                vehicle,
                jobs: Vec::new(),
                cost: 0.0,
                loc: vec![veh.start, veh.end],
                earliest_departure: vec![veh.shift.start, back.max(veh.shift.end)],
                latest_start: vec![f64::NEG_INFINITY, f64::NEG_INFINITY],
                load: vec![Load::ZERO; 2],
                prefix_max: vec![Load::ZERO; 2],
                suffix_max: vec![Load::ZERO; 2],
                distance: problem.distance.get(veh.start, veh.end),
            }
        })
    }

    /// Builds the cache for a feasible job order, or `None` when it is not.
    pub fn new(problem: &Problem, vehicle: usize, jobs: Vec<usize>) -> Option<Self> {
        let veh = &problem.vehicles[vehicle];
        let loads = loads(problem, vehicle, &jobs).ok()?;
        let n = jobs.len();
        let mut loc = Vec::with_capacity(n + 2);
        loc.push(veh.start);
        loc.extend(jobs.iter().map(|&j| problem.jobs[j].location));
        loc.push(veh.end);
        let distance: f64 = loc
            .windows(2)
            .map(|w| problem.distance.get(w[0], w[1]))
            .sum();
        if veh.max_distance.is_some_and(|m| distance > m) {
            return None;
        }

        let mut earliest_departure = Vec::with_capacity(n + 2);
        earliest_departure.push(veh.shift.start);
        let mut time = veh.shift.start;
        for i in 1..=n {
            let job = &problem.jobs[jobs[i - 1]];
            let arrival = time + problem.travel_time(vehicle, loc[i - 1], loc[i]);
            time = job.service_start(arrival)? + job.service;
            earliest_departure.push(time);
        }
        let back = time + problem.travel_time(vehicle, loc[n], loc[n + 1]);
        if back > veh.shift.end {
            return None;
        }
        earliest_departure.push(back);

        let mut latest_start = vec![0.0; n + 2];
        latest_start[n + 1] = veh.shift.end;
        for i in (1..=n).rev() {
            let job = &problem.jobs[jobs[i - 1]];
            let deadline = latest_start[i + 1]
                - problem.travel_time(vehicle, loc[i], loc[i + 1])
                - job.service;
            latest_start[i] = job.latest_start(deadline)?;
        }
        latest_start[0] = veh.shift.end;

        // Only breaks, reloads, duration limits and time costs need the
        // exact schedule (a reload's detour adds to the distance).
        let (cost, distance) = if n == 0 {
            (0.0, distance)
        } else if time_matters(veh) {
            let sched = schedule(problem, vehicle, &jobs).ok()?;
            (tour_cost(problem, vehicle, &sched), sched.distance)
        } else {
            (veh.fixed_cost + veh.cost_per_distance * distance, distance)
        };

        // With reloads these loads span trips; insertions then skip the
        // load test below and go to the exact schedule.
        let mut load = Vec::with_capacity(n + 2);
        load.push(loads.initial);
        load.extend(loads.after);
        load.push(Load::ZERO);
        let mut prefix_max = load.clone();
        for i in 1..prefix_max.len() {
            prefix_max[i] = prefix_max[i].max(prefix_max[i - 1]);
        }
        let mut suffix_max = load.clone();
        for i in (0..suffix_max.len() - 1).rev() {
            suffix_max[i] = suffix_max[i].max(suffix_max[i + 1]);
        }
        Some(Tour {
            vehicle,
            jobs,
            cost,
            loc,
            earliest_departure,
            latest_start,
            load,
            prefix_max,
            suffix_max,
            distance,
        })
    }

    pub fn len(&self) -> usize {
        self.jobs.len()
    }

    /// Earliest start of service at position `p` (1..=n).
    pub fn service_start(&self, problem: &Problem, p: usize) -> f64 {
        self.earliest_departure[p] - problem.jobs[self.jobs[p - 1]].service
    }

    pub fn is_empty(&self) -> bool {
        self.jobs.is_empty()
    }

    /// Tests inserting `job` after position `after`, in O(1) unless the
    /// vehicle's cost or limits depend on waiting (then the tour is
    /// rescheduled).
    pub fn try_insert(&self, problem: &Problem, job: usize, after: usize) -> Option<Insertion> {
        let v = self.vehicle;
        let veh = &problem.vehicles[v];
        let j = &problem.jobs[job];
        let (a, b) = (self.loc[after], self.loc[after + 1]);

        // Deliveries ride from the depot to the job, pickups from the job back.
        let cap = veh.capacity;
        let one_trip = veh.max_trips == 1;
        if one_trip
            && (!(self.prefix_max[after] + j.delivery).fits(cap)
                || !(self.load[after] + j.pickup).fits(cap)
                || !(self.suffix_max[after + 1] + j.pickup).fits(cap))
            || !self.time_fits(problem, j, after)
        {
            return None;
        }
        let added = problem.distance.get(a, j.location) + problem.distance.get(j.location, b)
            - problem.distance.get(a, b);
        if one_trip && veh.max_distance.is_some_and(|m| self.distance + added > m) {
            return None;
        }
        let delta = if time_matters(&problem.vehicles[self.vehicle]) {
            let mut jobs = self.jobs.clone();
            jobs.insert(after, job);
            self.cost_of(problem, &jobs)? - self.cost
        } else {
            self.distance_cost(problem, added)
        };
        Some(Insertion { after, delta })
    }

    /// True when `job` alone, put after position `after`, keeps every later
    /// stop on time (ignoring the driver's break, so a necessary condition).
    #[inline(always)]
    fn time_fits(&self, problem: &Problem, job: &Job, after: usize) -> bool {
        let v = self.vehicle;
        let arrival =
            self.earliest_departure[after] + problem.travel_time(v, self.loc[after], job.location);
        job.service_start(arrival).is_some_and(|start| {
            start + job.service + problem.travel_time(v, job.location, self.loc[after + 1])
                <= self.latest_start[after + 1]
        })
    }

    /// Cost of a change that adds `added` distance, when time costs nothing.
    fn distance_cost(&self, problem: &Problem, added: f64) -> f64 {
        let veh = &problem.vehicles[self.vehicle];
        let fixed = if self.is_empty() { veh.fixed_cost } else { 0.0 };
        fixed + veh.cost_per_distance * added
    }

    /// Cost of this tour's vehicle driving `jobs`, if it can.
    fn cost_of(&self, problem: &Problem, jobs: &[usize]) -> Option<f64> {
        let sched = schedule(problem, self.vehicle, jobs).ok()?;
        Some(tour_cost(problem, self.vehicle, &sched))
    }

    /// Cheapest feasible insertion of a shipment: `pickup` after position
    /// `after`, `delivery` after position `delivery_after` of the tour as it
    /// is (not before the pickup). Candidates that pass the O(1) tests are
    /// tried cheapest first against the exact schedule.
    pub fn best_pair_insertion(
        &self,
        problem: &Problem,
        pickup: usize,
        delivery: usize,
        blink: f64,
        rng: &mut crate::rng::Rng,
    ) -> Option<PairInsertion> {
        let veh = &problem.vehicles[self.vehicle];
        let (pj, dj) = (&problem.jobs[pickup], &problem.jobs[delivery]);
        let goods = pj.pickup;
        if !veh.can_serve(pj) || !veh.can_serve(dj) || !goods.fits(veh.capacity) {
            return None;
        }
        let d = |a: usize, b: usize| problem.distance.get(a, b);
        let n = self.len();
        let drop_ok: Vec<bool> = (0..=n).map(|b| self.time_fits(problem, dj, b)).collect();
        let mut candidates = Vec::new();
        for a in 0..=n {
            if !(self.load[a] + goods).fits(veh.capacity) || !self.time_fits(problem, pj, a) {
                continue;
            }
            let (la, lp, ld) = (self.loc[a], pj.location, dj.location);
            for (b, &drop_fits) in drop_ok.iter().enumerate().skip(a) {
                // The goods ride over positions a + 1..=b as well.
                if b > a && !(self.load[b] + goods).fits(veh.capacity) {
                    break;
                }
                if !drop_fits || (blink > 0.0 && rng.chance(blink)) {
                    continue;
                }
                let added = if a == b {
                    d(la, lp) + d(lp, ld) + d(ld, self.loc[a + 1]) - d(la, self.loc[a + 1])
                } else {
                    d(la, lp) + d(lp, self.loc[a + 1]) - d(la, self.loc[a + 1])
                        + d(self.loc[b], ld)
                        + d(ld, self.loc[b + 1])
                        - d(self.loc[b], self.loc[b + 1])
                };
                candidates.push((self.distance_cost(problem, added), a, b));
            }
        }
        candidates.sort_by(|x, y| x.0.total_cmp(&y.0));
        let mut best: Option<PairInsertion> = None;
        for (lower, after, delivery_after) in candidates {
            if best.is_some_and(|b| b.delta <= lower)
                && !time_matters(&problem.vehicles[self.vehicle])
            {
                break;
            }
            let mut jobs = self.jobs.clone();
            jobs.insert(delivery_after, delivery);
            jobs.insert(after, pickup);
            let Some(cost) = self.cost_of(problem, &jobs) else {
                continue;
            };
            let delta = cost - self.cost;
            if best.is_none_or(|b| delta < b.delta) {
                best = Some(PairInsertion {
                    after,
                    delivery_after,
                    delta,
                });
            }
        }
        best
    }

    /// Cheapest feasible insertion of `job` in this tour. Each position is
    /// skipped with probability `blink` (drawn from `rng`), as in SISR.
    pub fn best_insertion(
        &self,
        problem: &Problem,
        job: usize,
        blink: f64,
        rng: &mut crate::rng::Rng,
    ) -> Option<Insertion> {
        let j = &problem.jobs[job];
        if !problem.vehicles[self.vehicle].can_serve(j) || j.shipment.is_some() {
            return None;
        }
        let mut best: Option<Insertion> = None;
        for after in 0..=self.len() {
            if blink > 0.0 && rng.chance(blink) {
                continue;
            }
            if let Some(ins) = self.try_insert(problem, job, after) {
                if best.is_none_or(|b| ins.delta < b.delta) {
                    best = Some(ins);
                }
            }
        }
        best
    }
}
