//! One tour: its exact schedule, and the cached quantities that let the search
//! test an insertion in constant time.
//!
//! A tour is a vehicle and an ordered list of jobs. Positions along the tour
//! are numbered 0 (leaving the start depot), 1..=n (the jobs) and n + 1
//! (arriving at the end depot).

use crate::problem::{Load, Problem};

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
    /// The load exceeds the capacity after this position (0 = leaving the depot).
    Capacity(usize),
    /// Every window of the job at this position has closed on arrival.
    TimeWindow(usize),
    /// The vehicle is back after the end of its shift.
    ShiftEnd,
    MaxDuration,
    MaxDistance,
}

/// Schedules `jobs` on vehicle `v`, or says the first rule it breaks.
pub fn schedule(problem: &Problem, v: usize, jobs: &[usize]) -> Result<Schedule, Violation> {
    let veh = &problem.vehicles[v];
    let tt = |a: usize, b: usize| problem.travel_time(v, a, b);

    // Loads: everything to deliver leaves the depot with the vehicle.
    let initial_load = jobs
        .iter()
        .fold(Load::ZERO, |acc, &j| acc + problem.jobs[j].delivery);
    if !initial_load.fits(veh.capacity) {
        return Err(Violation::Capacity(0));
    }
    let mut loads = Vec::with_capacity(jobs.len());
    let mut load = initial_load;
    for (i, &j) in jobs.iter().enumerate() {
        let job = &problem.jobs[j];
        if !veh.can_serve(job) {
            return Err(Violation::Skills(i + 1));
        }
        load = load - job.delivery + job.pickup;
        if !load.fits(veh.capacity) {
            return Err(Violation::Capacity(i + 1));
        }
        loads.push(load);
    }

    // Forward pass: earliest return.
    let mut loc = veh.start;
    let mut time = veh.shift.start;
    let mut distance = 0.0;
    for (i, &j) in jobs.iter().enumerate() {
        let job = &problem.jobs[j];
        let start = job
            .service_start(time + tt(loc, job.location))
            .ok_or(Violation::TimeWindow(i + 1))?;
        distance += problem.distance.get(loc, job.location);
        time = start + job.service;
        loc = job.location;
    }
    let earliest_return = time + tt(loc, veh.end);
    distance += problem.distance.get(loc, veh.end);
    if earliest_return > veh.shift.end {
        return Err(Violation::ShiftEnd);
    }
    if veh.max_distance.is_some_and(|m| distance > m) {
        return Err(Violation::MaxDistance);
    }

    // Backward pass: the latest departure that keeps that return time.
    let mut next_loc = veh.end;
    let mut deadline = earliest_return;
    for &j in jobs.iter().rev() {
        let job = &problem.jobs[j];
        let latest = deadline - tt(job.location, next_loc) - job.service;
        // The forward pass met this deadline, so a window opens by then.
        deadline = job.latest_start(latest).unwrap_or(latest);
        next_loc = job.location;
    }
    let departure = (deadline - tt(veh.start, next_loc)).max(veh.shift.start);

    // Second forward pass from that departure gives the times to print.
    let mut visits = Vec::with_capacity(jobs.len());
    let mut loc = veh.start;
    let mut time = departure;
    for (i, &j) in jobs.iter().enumerate() {
        let job = &problem.jobs[j];
        let arrival = time + tt(loc, job.location);
        let start = job
            .service_start(arrival)
            .ok_or(Violation::TimeWindow(i + 1))?;
        time = start + job.service;
        loc = job.location;
        visits.push(Visit {
            job: j,
            arrival,
            start,
            departure: time,
            load: loads[i],
        });
    }
    let arrival = time + tt(loc, veh.end);
    let sched = Schedule {
        departure,
        visits,
        arrival,
        initial_load,
        distance,
    };
    if veh.max_duration.is_some_and(|m| sched.duration() > m) {
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

/// A tested insertion: where, and what it adds to the cost.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Insertion {
    /// Insert after this position (0 = right after the depot).
    pub after: usize,
    pub delta: f64,
}

impl Tour {
    pub fn empty(problem: &Problem, vehicle: usize) -> Self {
        Self::new(problem, vehicle, Vec::new()).expect("an empty tour is always feasible")
    }

    /// Builds the cache for a feasible job order, or `None` when it is not.
    pub fn new(problem: &Problem, vehicle: usize, jobs: Vec<usize>) -> Option<Self> {
        let sched = schedule(problem, vehicle, &jobs).ok()?;
        let cost = tour_cost(problem, vehicle, &sched);
        let veh = &problem.vehicles[vehicle];
        let n = jobs.len();
        let mut loc = Vec::with_capacity(n + 2);
        loc.push(veh.start);
        loc.extend(jobs.iter().map(|&j| problem.jobs[j].location));
        loc.push(veh.end);

        let mut earliest_departure = Vec::with_capacity(n + 2);
        earliest_departure.push(veh.shift.start);
        let mut time = veh.shift.start;
        for i in 1..=n {
            let job = &problem.jobs[jobs[i - 1]];
            let arrival = time + problem.travel_time(vehicle, loc[i - 1], loc[i]);
            time = job.service_start(arrival)? + job.service;
            earliest_departure.push(time);
        }
        earliest_departure.push(time + problem.travel_time(vehicle, loc[n], loc[n + 1]));

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

        let mut load = Vec::with_capacity(n + 2);
        load.push(sched.initial_load);
        load.extend(sched.visits.iter().map(|v| v.load));
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
            distance: sched.distance,
        })
    }

    pub fn len(&self) -> usize {
        self.jobs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.jobs.is_empty()
    }

    /// Tests inserting `job` after position `after`, in O(1) unless the
    /// vehicle has a maximum duration (then the tour is rescheduled).
    pub fn try_insert(&self, problem: &Problem, job: usize, after: usize) -> Option<Insertion> {
        let v = self.vehicle;
        let veh = &problem.vehicles[v];
        let j = &problem.jobs[job];
        let (a, b) = (self.loc[after], self.loc[after + 1]);

        // Deliveries ride from the depot to the job, pickups from the job back.
        let cap = veh.capacity;
        if !(self.prefix_max[after] + j.delivery).fits(cap)
            || !(self.load[after] + j.pickup).fits(cap)
            || !(self.suffix_max[after + 1] + j.pickup).fits(cap)
        {
            return None;
        }

        let arrival = self.earliest_departure[after] + problem.travel_time(v, a, j.location);
        let start = j.service_start(arrival)?;
        let next_arrival = start + j.service + problem.travel_time(v, j.location, b);
        if next_arrival > self.latest_start[after + 1] {
            return None;
        }

        let added = problem.distance.get(a, j.location) + problem.distance.get(j.location, b)
            - problem.distance.get(a, b);
        if veh.max_distance.is_some_and(|m| self.distance + added > m) {
            return None;
        }
        let delta = if veh.max_duration.is_some() || veh.cost_per_time != 0.0 {
            // Waiting changes the duration in ways the cache does not hold.
            let mut jobs = self.jobs.clone();
            jobs.insert(after, job);
            let sched = schedule(problem, v, &jobs).ok()?;
            tour_cost(problem, v, &sched) - self.cost
        } else {
            let fixed = if self.is_empty() { veh.fixed_cost } else { 0.0 };
            fixed + veh.cost_per_distance * added
        };
        Some(Insertion { after, delta })
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
        if !problem.vehicles[self.vehicle].can_serve(&problem.jobs[job]) {
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
