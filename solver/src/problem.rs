//! The problem the search works on: plain numbers and indices, no names.
//!
//! Times and durations are seconds (or any unit, as long as it is the same
//! everywhere) counted from the start of the planning horizon; distances are
//! in the unit of the distance matrix. Loads are integers in up to [`DIMS`]
//! dimensions (the domain layer uses grams, millilitres and units).

use std::ops::{Add, Sub};

/// Number of capacity dimensions a [`Load`] carries.
pub const DIMS: usize = 3;

/// A quantity in every capacity dimension.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Load(pub [i64; DIMS]);

impl Load {
    pub const ZERO: Load = Load([0; DIMS]);

    /// Element-wise maximum.
    pub fn max(self, other: Load) -> Load {
        Load(std::array::from_fn(|d| self.0[d].max(other.0[d])))
    }

    /// True when every dimension is at most `capacity`'s.
    pub fn fits(self, capacity: Load) -> bool {
        self.0.iter().zip(capacity.0.iter()).all(|(a, c)| a <= c)
    }

    /// Sum over dimensions of the amount above `capacity` (0 when it fits).
    pub fn excess(self, capacity: Load) -> i64 {
        self.0
            .iter()
            .zip(capacity.0.iter())
            .map(|(a, c)| (a - c).max(0))
            .sum()
    }

    pub fn is_zero(self) -> bool {
        self.0.iter().all(|&x| x == 0)
    }
}

impl Add for Load {
    type Output = Load;
    fn add(self, o: Load) -> Load {
        Load(std::array::from_fn(|d| self.0[d] + o.0[d]))
    }
}

impl Sub for Load {
    type Output = Load;
    fn sub(self, o: Load) -> Load {
        Load(std::array::from_fn(|d| self.0[d] - o.0[d]))
    }
}

/// A closed interval of time during which service may start.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TimeWindow {
    pub start: f64,
    pub end: f64,
}

impl TimeWindow {
    pub const ALWAYS: TimeWindow = TimeWindow {
        start: f64::NEG_INFINITY,
        end: f64::INFINITY,
    };

    pub fn new(start: f64, end: f64) -> Self {
        TimeWindow { start, end }
    }
}

/// Links the two halves of a shipment: goods collected at one job and
/// dropped at another, by the same tour, collection first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shipment {
    /// This job collects (its `pickup`) what the given job drops.
    PickupFor(usize),
    /// This job drops (its `delivery`) what the given job collected.
    DeliveryOf(usize),
}

/// A stop to serve: a pickup, a delivery or both at one place.
#[derive(Clone, Debug)]
pub struct Job {
    /// Row/column of the job's place in the matrices.
    pub location: usize,
    /// Quantity dropped here: loaded at the depot, or for the delivery half
    /// of a shipment, collected at its pickup half.
    pub delivery: Load,
    /// Quantity collected here: brought back to the depot, or for the pickup
    /// half of a shipment, dropped at its delivery half.
    pub pickup: Load,
    /// Time spent on site.
    pub service: f64,
    /// Windows in which service may start, sorted and disjoint. Empty means
    /// "any time in the vehicle's shift".
    pub windows: Vec<TimeWindow>,
    /// Skills a vehicle needs, as a bit set.
    pub skills: u64,
    /// `None` for a mandatory job; `Some(value)` for an optional job, which the
    /// search leaves out when serving it costs more than `value`. Both halves
    /// of a shipment are optional or neither; the shipment is worth the sum.
    pub prize: Option<f64>,
    /// Set on both halves of a shipment.
    pub shipment: Option<Shipment>,
}

impl Job {
    /// A mandatory job with no window, no skill and no load.
    pub fn at(location: usize) -> Self {
        Job {
            location,
            delivery: Load::ZERO,
            pickup: Load::ZERO,
            service: 0.0,
            windows: Vec::new(),
            skills: 0,
            prize: None,
            shipment: None,
        }
    }

    /// What the vehicle must carry from the depot for this job.
    pub fn from_depot(&self) -> Load {
        match self.shipment {
            Some(Shipment::DeliveryOf(_)) => Load::ZERO,
            _ => self.delivery,
        }
    }

    /// The other half of a shipment.
    pub fn partner(&self) -> Option<usize> {
        match self.shipment? {
            Shipment::PickupFor(d) => Some(d),
            Shipment::DeliveryOf(p) => Some(p),
        }
    }

    /// Earliest time at or after `arrival` at which service can start, or
    /// `None` when every window has closed. Waiting is allowed.
    pub fn service_start(&self, arrival: f64) -> Option<f64> {
        if self.windows.is_empty() {
            return Some(arrival);
        }
        self.windows
            .iter()
            .find(|w| w.end >= arrival)
            .map(|w| arrival.max(w.start))
    }

    /// Latest time at or before `deadline` at which service can start, or
    /// `None` when no window opens by then.
    pub fn latest_start(&self, deadline: f64) -> Option<f64> {
        if self.windows.is_empty() {
            return Some(deadline);
        }
        self.windows
            .iter()
            .rev()
            .find(|w| w.start <= deadline)
            .map(|w| deadline.min(w.end))
    }
}

/// A driver's break: `duration` long, starting within `window`. It is taken
/// at a stop (before or after its service) or at a depot, and counts in the
/// shift and the maximum duration. A tour back at its depot before the window
/// opens needs none, nor does a shift that starts after it closes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Break {
    pub window: TimeWindow,
    pub duration: f64,
}

/// One tour slot: a vehicle on one shift.
#[derive(Clone, Debug)]
pub struct Vehicle {
    /// Location where the tour starts and where it ends.
    pub start: usize,
    pub end: usize,
    /// Earliest departure and latest return.
    pub shift: TimeWindow,
    pub capacity: Load,
    pub skills: u64,
    /// Longest allowed tour, from departure to return.
    pub max_duration: Option<f64>,
    /// Longest allowed tour distance.
    pub max_distance: Option<f64>,
    /// Most jobs in one tour, every trip together (VROOM's `max_tasks`):
    /// a driver's day is often limited by the stops, whatever the distance.
    pub max_jobs: Option<usize>,
    pub fixed_cost: f64,
    pub cost_per_distance: f64,
    pub cost_per_time: f64,
    /// Travel times are the duration matrix divided by this factor (a slow
    /// cargo bike has a factor below 1).
    pub speed_factor: f64,
    pub driver_break: Option<Break>,
    /// Trips allowed in the shift: from the second on, the vehicle comes
    /// back to its start depot mid-shift, unloads what it collected and
    /// loads the next trip's deliveries. 1 means a single trip.
    pub max_trips: usize,
    /// Time spent at the depot between two trips.
    pub reload_service: f64,
}

impl Vehicle {
    /// A vehicle with unit distance cost, leaving at time 0, and no other
    /// limit than `capacity`.
    pub fn new(depot: usize, capacity: Load) -> Self {
        Vehicle {
            start: depot,
            end: depot,
            shift: TimeWindow::new(0.0, f64::INFINITY),
            capacity,
            skills: 0,
            max_duration: None,
            max_distance: None,
            max_jobs: None,
            fixed_cost: 0.0,
            cost_per_distance: 1.0,
            cost_per_time: 0.0,
            speed_factor: 1.0,
            driver_break: None,
            max_trips: 1,
            reload_service: 0.0,
        }
    }

    /// Whether a tour of `jobs` jobs keeps within [`Self::max_jobs`].
    pub fn holds(&self, jobs: usize) -> bool {
        self.max_jobs.is_none_or(|m| jobs <= m)
    }

    /// True when the vehicle has every skill `job` needs.
    pub fn can_serve(&self, job: &Job) -> bool {
        job.skills & !self.skills == 0
    }
}

/// A square matrix of travel distances or durations between locations.
#[derive(Clone, Debug)]
pub struct Matrix {
    n: usize,
    data: Vec<f64>,
}

impl Matrix {
    pub fn from_fn(n: usize, f: impl Fn(usize, usize) -> f64) -> Self {
        let mut data = Vec::with_capacity(n * n);
        for i in 0..n {
            for j in 0..n {
                data.push(f(i, j));
            }
        }
        Matrix { n, data }
    }

    /// Builds a matrix from rows; `None` when they do not form a square.
    pub fn from_rows(rows: Vec<Vec<f64>>) -> Option<Self> {
        let n = rows.len();
        if rows.iter().any(|r| r.len() != n) {
            return None;
        }
        Some(Matrix {
            n,
            data: rows.into_iter().flatten().collect(),
        })
    }

    /// A matrix from its entries, row after row; `None` unless there are
    /// `n × n` of them.
    pub fn from_data(n: usize, data: Vec<f64>) -> Option<Self> {
        (data.len() == n * n).then_some(Matrix { n, data })
    }

    pub fn size(&self) -> usize {
        self.n
    }

    /// The sum of every entry.
    pub fn sum(&self) -> f64 {
        self.data.iter().sum()
    }

    #[inline]
    pub fn get(&self, from: usize, to: usize) -> f64 {
        self.data[from * self.n + to]
    }
}

/// Everything the search needs to know.
#[derive(Clone, Debug)]
pub struct Problem {
    pub jobs: Vec<Job>,
    pub vehicles: Vec<Vehicle>,
    pub distance: Matrix,
    pub duration: Matrix,
    /// Time spent on arriving at each location (parking, finding the
    /// contact: VROOM's `setup`), paid once when several stops follow at
    /// one place: a leg of no distance pays none. Empty: none anywhere.
    pub setup: Vec<f64>,
    /// Drivers who drive several shifts (a van's week): the hours of one
    /// driver's tours together are limited. Empty: each shift on its own.
    pub drivers: Vec<Driver>,
}

/// One driver's shifts (vehicle indices) and the longest time their tours
/// may last together, departure to return summed over the tours (a
/// weekly limit on working hours). Each of its shifts has a
/// `max_duration` (the driver's, when no shorter), so that every tour is
/// scheduled and knows its duration.
#[derive(Clone, Debug, PartialEq)]
pub struct Driver {
    pub shifts: Vec<usize>,
    pub max_duration: f64,
}

/// Why a problem cannot be searched at all.
#[derive(Debug, Clone, PartialEq)]
pub struct ProblemError(pub String);

impl std::fmt::Display for ProblemError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ProblemError {}

impl Problem {
    /// Checks the indices and numbers that the search relies on. The domain
    /// layer reports user mistakes with field paths before this; this guard
    /// catches programming errors and hand-built problems.
    pub fn validate(&self) -> Result<(), ProblemError> {
        let n = self.distance.size();
        if self.duration.size() != n {
            return Err(ProblemError(
                "distance and duration matrices differ in size".into(),
            ));
        }
        if self
            .distance
            .data
            .iter()
            .chain(&self.duration.data)
            .any(|x| !x.is_finite() || *x < 0.0)
        {
            return Err(ProblemError(
                "matrices must hold finite, non-negative values".into(),
            ));
        }
        if !(self.setup.is_empty() || self.setup.len() == n)
            || self.setup.iter().any(|x| !x.is_finite() || *x < 0.0)
        {
            return Err(ProblemError(
                "set-up times: none, or one finite, non-negative value per location".into(),
            ));
        }
        for (i, job) in self.jobs.iter().enumerate() {
            if job.location >= n {
                return Err(ProblemError(format!(
                    "job {i}: location {} outside the matrix",
                    job.location
                )));
            }
            if !(job.service >= 0.0 && job.service.is_finite()) {
                return Err(ProblemError(format!(
                    "job {i}: service time must be finite and non-negative"
                )));
            }
            let sorted = job.windows.windows(2).all(|w| w[0].end < w[1].start);
            if let Err(why) = self.check_shipment(i) {
                return Err(ProblemError(format!("job {i}: {why}")));
            }
            if !sorted
                || job
                    .windows
                    .iter()
                    .any(|w| w.start.is_nan() || w.end.is_nan() || w.start > w.end)
            {
                return Err(ProblemError(format!(
                    "job {i}: windows must be sorted, disjoint and non-empty"
                )));
            }
        }
        for (v, veh) in self.vehicles.iter().enumerate() {
            if veh.start >= n || veh.end >= n {
                return Err(ProblemError(format!(
                    "vehicle {v}: depot outside the matrix"
                )));
            }
            if veh.shift.start.is_nan() || veh.shift.end.is_nan() || veh.shift.start > veh.shift.end
            {
                return Err(ProblemError(format!(
                    "vehicle {v}: shift ends before it starts"
                )));
            }
            if !(veh.speed_factor > 0.0 && veh.speed_factor.is_finite()) {
                return Err(ProblemError(format!(
                    "vehicle {v}: speed factor must be positive"
                )));
            }
            if veh.driver_break.is_some_and(|b| {
                !(b.duration >= 0.0 && b.duration.is_finite() && b.window.start <= b.window.end)
            }) {
                return Err(ProblemError(format!(
                    "vehicle {v}: break needs a non-negative duration and a window"
                )));
            }
            if veh.max_trips == 0 || !(veh.reload_service >= 0.0 && veh.reload_service.is_finite())
            {
                return Err(ProblemError(format!(
                    "vehicle {v}: needs at least one trip and a non-negative reload time"
                )));
            }
            if veh.max_duration.is_none() && self.driver_of(v).is_some() {
                return Err(ProblemError(format!(
                    "vehicle {v}: a driver's shift needs a max_duration"
                )));
            }
            if crate::route::Tour::new(self, v, Vec::new()).is_none() {
                return Err(ProblemError(format!(
                    "vehicle {v}: cannot drive from its start depot to its end depot within its shift and distance limit"
                )));
            }
        }
        for (d, driver) in self.drivers.iter().enumerate() {
            let taken = driver
                .shifts
                .iter()
                .any(|&v| v >= self.vehicles.len() || self.driver_of(v) != Some(d));
            if taken || !(driver.max_duration >= 0.0 && driver.max_duration.is_finite()) {
                return Err(ProblemError(format!(
                    "driver {d}: shifts must be vehicles of no other driver, and the limit finite"
                )));
            }
        }
        Ok(())
    }

    /// The driver whose shift vehicle `v` is, if any.
    pub fn driver_of(&self, v: usize) -> Option<usize> {
        self.drivers.iter().position(|d| d.shifts.contains(&v))
    }

    /// A shipment's halves must point at each other, carry the same goods
    /// and nothing else, and be optional alike.
    fn check_shipment(&self, i: usize) -> Result<(), String> {
        let job = &self.jobs[i];
        let Some(half) = job.shipment else {
            return Ok(());
        };
        let (p, d) = match half {
            Shipment::PickupFor(d) => (i, d),
            Shipment::DeliveryOf(p) => (p, i),
        };
        let (Some(pj), Some(dj)) = (self.jobs.get(p), self.jobs.get(d)) else {
            return Err("shipment partner outside the job list".into());
        };
        if pj.shipment != Some(Shipment::PickupFor(d))
            || dj.shipment != Some(Shipment::DeliveryOf(p))
        {
            return Err("shipment halves must point at each other".into());
        }
        if pj.pickup != dj.delivery || !pj.delivery.is_zero() || !dj.pickup.is_zero() {
            return Err("a shipment's halves must carry the same goods and nothing else".into());
        }
        if pj.prize.is_some() != dj.prize.is_some() {
            return Err("a shipment's halves must be both mandatory or both optional".into());
        }
        Ok(())
    }

    /// Time from leaving `a` to being ready to serve at `b`: the drive at
    /// vehicle `v`'s pace, and `b`'s set-up unless the leg stays in one
    /// place. Every time model of the solver goes through here, so the
    /// set-up holds in each of them.
    #[inline]
    pub fn travel_time(&self, v: usize, a: usize, b: usize) -> f64 {
        let drive = self.duration.get(a, b) / self.vehicles[v].speed_factor;
        // (Tested first: the search's innermost step, and most problems
        // have no set-up at all.)
        if self.setup.is_empty() {
            drive
        } else {
            drive + self.setup_on(a, b)
        }
    }

    /// The set-up paid on the leg from `a` to `b`.
    pub fn setup_on(&self, a: usize, b: usize) -> f64 {
        match self.setup.get(b) {
            Some(&s) if s > 0.0 && a != b && self.distance.get(a, b) > 0.0 => s,
            _ => 0.0,
        }
    }

    /// Cost charged for leaving a mandatory job out: far above any tour cost,
    /// so the search only does it when no tour can take the job.
    pub fn unassigned_penalty(&self) -> f64 {
        let max_d = self.distance.data.iter().cloned().fold(0.0, f64::max);
        let max_t = self.duration.data.iter().cloned().fold(0.0, f64::max);
        let worst = self
            .vehicles
            .iter()
            .map(|v| {
                v.fixed_cost
                    + 2.0 * (max_d * v.cost_per_distance + max_t / v.speed_factor * v.cost_per_time)
            })
            .fold(1.0, f64::max);
        1000.0 * worst
    }
}
