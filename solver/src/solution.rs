//! The search's answer, and the working state it is built from.

use crate::problem::Problem;
use crate::route::Tour;

/// Why a job is left out of every tour.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Reason {
    /// No vehicle has every skill the job needs.
    NoVehicleWithSkills,
    /// The job's load exceeds the capacity of every vehicle able to serve it.
    ExceedsCapacity,
    /// No vehicle can arrive before the job's windows close within its shift.
    TimeWindowUnreachable,
    /// A vehicle can reach the job in time but not be back before its shift
    /// ends (or within its maximum duration).
    ShiftTooShort,
    /// The round trip alone exceeds every vehicle's maximum distance.
    MaxDistanceExceeded,
    /// An optional job whose service costs more than its value.
    NotProfitable,
    /// The job fits a vehicle on its own, but the tours had no room or time
    /// left for it: more vehicles or longer shifts are needed.
    FleetFull,
}

/// One tour of the answer: a vehicle (shift) and the jobs in visit order.
#[derive(Clone, Debug, PartialEq)]
pub struct Route {
    pub vehicle: usize,
    pub jobs: Vec<usize>,
}

/// The search's answer.
#[derive(Clone, Debug, PartialEq)]
pub struct Solution {
    /// Non-empty tours, by vehicle index.
    pub routes: Vec<Route>,
    /// Jobs left out, by job index, each with its reason.
    pub unassigned: Vec<(usize, Reason)>,
    /// Total cost of the tours (without penalties for left-out jobs).
    pub cost: f64,
    /// What the search minimises: `cost` plus the value of each optional job
    /// left out and a prohibitive penalty per mandatory one.
    pub objective: f64,
    pub distance: f64,
    pub iterations: u64,
}

impl Solution {
    /// One tour per vehicle of `problem` (empty when the solution leaves it
    /// unused), or `None` when a route is not feasible on it.
    pub fn tours(&self, problem: &Problem) -> Option<Vec<Tour>> {
        (0..problem.vehicles.len())
            .map(|v| {
                let jobs = self
                    .routes
                    .iter()
                    .find(|r| r.vehicle == v)
                    .map_or(Vec::new(), |r| r.jobs.clone());
                Tour::new(problem, v, jobs)
            })
            .collect()
    }
}

/// A complete assignment the search works on: one tour per vehicle (possibly
/// empty) and the jobs currently left out.
#[derive(Clone, Debug)]
pub(crate) struct State {
    pub tours: Vec<Tour>,
    pub absent: Vec<usize>,
    /// Tour (vehicle) of each job, `None` when absent.
    pub tour_of: Vec<Option<usize>>,
    /// Tour costs plus the penalties of absent jobs.
    pub cost: f64,
    /// Undo log of the move under way: original tours it changed, the absent
    /// jobs and cost before it. Cheaper than copying the whole state.
    saved_tours: Vec<Tour>,
    saved_absent: Vec<usize>,
    saved_cost: f64,
}

impl State {
    pub fn empty(problem: &Problem) -> Self {
        State {
            tours: (0..problem.vehicles.len())
                .map(|v| Tour::empty(problem, v))
                .collect(),
            absent: (0..problem.jobs.len()).collect(),
            tour_of: vec![None; problem.jobs.len()],
            cost: f64::INFINITY,
            saved_tours: Vec::new(),
            saved_absent: Vec::new(),
            saved_cost: f64::INFINITY,
        }
    }

    /// Starts a move that [`State::rollback`] can undo.
    pub fn begin(&mut self) {
        self.saved_tours.clear();
        self.saved_absent.clone_from(&self.absent);
        self.saved_cost = self.cost;
    }

    /// Undoes everything since [`State::begin`].
    pub fn rollback(&mut self) {
        for &j in &self.saved_absent {
            self.tour_of[j] = None;
        }
        for tour in self.saved_tours.drain(..) {
            for &j in &tour.jobs {
                self.tour_of[j] = Some(tour.vehicle);
            }
            let v = tour.vehicle;
            self.tours[v] = tour;
        }
        std::mem::swap(&mut self.absent, &mut self.saved_absent);
        self.cost = self.saved_cost;
    }

    /// Remembers tour `v` as it was before the move, once.
    fn save(&mut self, v: usize) {
        if !self.saved_tours.iter().any(|t| t.vehicle == v) {
            self.saved_tours.push(self.tours[v].clone());
        }
    }

    /// Recomputes the cost from the tours and the absent jobs.
    pub fn recompute_cost(&mut self, penalty: &[f64]) {
        self.cost = self.tours.iter().map(|t| t.cost).sum::<f64>()
            + self.absent.iter().map(|&j| penalty[j]).sum::<f64>();
    }

    /// Replaces tour `v`'s jobs, rebuilding its cache. A job order that turns
    /// out infeasible (possible after removals when travel times break the
    /// triangle inequality) empties the tour and marks its jobs absent.
    pub fn set_tour(&mut self, problem: &Problem, v: usize, jobs: Vec<usize>) {
        self.save(v);
        for &j in &jobs {
            self.tour_of[j] = Some(v);
        }
        match Tour::new(problem, v, jobs.clone()) {
            Some(t) => self.tours[v] = t,
            None => {
                for j in jobs {
                    self.tour_of[j] = None;
                    self.absent.push(j);
                }
                self.tours[v] = Tour::empty(problem, v);
            }
        }
    }
}
