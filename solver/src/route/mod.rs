//! One tour: its exact schedule, and the cached quantities that let the search
//! test an insertion in constant time.
//!
//! A tour is a vehicle and an ordered list of jobs. Positions along the tour
//! are numbered 0 (leaving the start depot), 1..=n (the jobs) and n + 1
//! (arriving at the end depot).
//!
//! Here: [`schedule`], the exact times of a job order, and what a tour
//! costs. `trips` cuts a tour into trips, `path` walks the times with the
//! break and the reloads, `tour` holds the search's cached view.

mod path;
mod tour;
mod trips;

pub use tour::{Insertion, PairInsertion, Tour};

use crate::problem::{Load, Problem};
use path::Path;
use trips::{loads, two_trip_splits, Loads};

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
    /// More jobs than the vehicle's `max_jobs`.
    MaxJobs,
}

/// Schedules `jobs` on vehicle `v`, or says the first rule it breaks.
pub fn schedule(problem: &Problem, v: usize, jobs: &[usize]) -> Result<Schedule, Violation> {
    if !problem.vehicles[v].holds(jobs.len()) {
        return Err(Violation::MaxJobs);
    }
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
        // may arrive a rounding error after the window it aimed at, and is
        // then served in it: not in a later window of the job (a request
        // open on another day would carry the tour into that day).
        let start = job
            .service_start(ready - 1e-7)
            .map(|s| s.max(ready))
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
    // The walk keeps the earliest return (up to rounding); should it not,
    // the tour is refused rather than planned past its shift.
    if sched.arrival > veh.shift.end + 1e-6 {
        return Err(Violation::ShiftEnd);
    }
    if veh.max_distance.is_some_and(|m| sched.distance > m) {
        return Err(Violation::MaxDistance);
    }
    // The same rounding allowance as the shift's end: a limit as long as the
    // shift is not scheduled at insertion ([`time_matters`]), and a tour
    // that fills its shift exactly must not be refused here.
    if veh
        .max_duration
        .is_some_and(|m| sched.duration() > m + 1e-6)
    {
        return Err(Violation::MaxDuration);
    }
    Ok(sched)
}

/// Cost of a scheduled tour for its vehicle; an empty tour costs nothing.
pub fn tour_cost(problem: &Problem, v: usize, s: &Schedule) -> f64 {
    if s.visits.is_empty() {
        return 0.0;
    }
    let veh = &problem.vehicles[v];
    veh.fixed_cost + veh.cost_per_distance * s.distance + veh.cost_per_time * s.duration()
}

/// True when the cost or limits of vehicle `v` depend on waiting, breaks or
/// reloads, which the insertion cache does not hold: then tours are
/// rescheduled. A duration limit no shorter than the shift never binds (a
/// tour lasts at most its shift), unless a driver's week counts the
/// durations: on the product benchmark's fixed + per-km weeks most vans'
/// limit is their 9-hour shift, and each insertion was scheduled for nothing.
fn time_matters(problem: &Problem, v: usize) -> bool {
    let veh = &problem.vehicles[v];
    veh.max_duration
        .is_some_and(|m| m < veh.shift.end - veh.shift.start || problem.driver_of(v).is_some())
        || veh.cost_per_time != 0.0
        || veh.driver_break.is_some()
        || veh.max_trips > 1
}
