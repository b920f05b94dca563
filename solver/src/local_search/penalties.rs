//! Penalty management: the prices of excess load and of time warp move
//! towards a target share of searches that end feasible (Vidal 2012;
//! PyVRP's penalty manager), starting from the problem's own scale.

use crate::problem::Problem;

use super::LocalSearch;

/// Prices per unit of excess load and of time warp.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Penalties {
    pub load: f64,
    pub time_warp: f64,
}

/// Share of searches that should end feasible: below it the penalties rise,
/// above it they fall.
const TARGET_FEASIBLE: f64 = 0.5;
/// Searches between two penalty updates.
const UPDATE_EVERY: u32 = 10;

impl LocalSearch<'_> {
    pub(super) fn set_penalties(&mut self, penalties: Penalties) {
        self.penalties = penalties;
        for r in 0..self.lines.len() {
            let line = &self.lines[r];
            let n = line.len();
            let cost = self.price_seg(line.vehicle, line.prefix[n], n);
            self.lines[r].cost = cost;
        }
        // Pairs in tours out of bounds are worth trying again.
        self.clock += 1;
        for r in 0..self.lines.len() {
            if self.out_of_bounds(r) != (false, false) {
                self.lines[r].modified = self.clock;
            }
        }
    }

    /// Counts one search's ending and, every so often, moves each penalty
    /// towards the target share of feasible endings.
    pub(super) fn record(&mut self, load_ok: bool, time_ok: bool) {
        self.runs += 1;
        self.load_ok += u32::from(load_ok);
        self.time_ok += u32::from(time_ok);
        if self.runs < UPDATE_EVERY {
            return;
        }
        let adjust = |price: f64, ok: u32| {
            let share = f64::from(ok) / f64::from(UPDATE_EVERY);
            let next = if share < TARGET_FEASIBLE - 0.05 {
                price * 1.5
            } else if share > TARGET_FEASIBLE + 0.05 {
                price * 0.85
            } else {
                price
            };
            next.clamp(1e-6, 1e9)
        };
        self.penalties = Penalties {
            load: adjust(self.penalties.load, self.load_ok),
            time_warp: adjust(self.penalties.time_warp, self.time_ok),
        };
        (self.runs, self.load_ok, self.time_ok) = (0, 0, 0);
        self.stale = true;
    }
}

/// Starting prices: a unit of excess load costs what driving to an average
/// job and back costs (distance and time) per unit of an average job's
/// load; a unit of time warp
/// costs what a unit of driving time costs.
pub(super) fn initial_penalties(problem: &Problem) -> Penalties {
    let n = problem.jobs.len().max(1) as f64;
    let Some(veh) = problem.vehicles.first() else {
        return Penalties {
            load: 1.0,
            time_warp: 1.0,
        };
    };
    let per_distance = veh.cost_per_distance.max(1e-6);
    let (mut distance, mut time, mut size) = (0.0, 0.0, 0.0);
    for job in &problem.jobs {
        distance += problem.distance.get(veh.start, job.location);
        time += problem.duration.get(veh.start, job.location);
        size += (job.delivery + job.pickup).0.iter().sum::<i64>() as f64;
    }
    let trip = per_distance * distance + veh.cost_per_time * time;
    let load = 2.0 * trip / size.max(n);
    let time_warp = per_distance * distance / time.max(1e-6) + veh.cost_per_time;
    Penalties {
        load: load.max(1e-6),
        time_warp: time_warp.max(1e-6),
    }
}
