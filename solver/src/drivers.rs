//! A driver's hours over several shifts ([`crate::Driver`]): the one sum
//! that spans tours. Tours know their own duration; this unit adds them up
//! per driver and says how long one tour may last given the others, for
//! the search's insertions, its acceptance test and the diagnosis of a
//! job left out.

use crate::problem::Problem;
use crate::route::Tour;

/// Each vehicle's driver, and the drivers' limits.
pub(crate) struct Drivers<'a> {
    problem: &'a Problem,
    of: Vec<Option<usize>>,
}

impl<'a> Drivers<'a> {
    pub fn new(problem: &'a Problem) -> Self {
        Drivers {
            problem,
            of: (0..problem.vehicles.len())
                .map(|v| problem.driver_of(v))
                .collect(),
        }
    }

    /// Each driver's hours (seconds) in `tours`; empty without drivers.
    pub fn worked(&self, tours: &[Tour]) -> Vec<f64> {
        let mut worked = vec![0.0; self.problem.drivers.len()];
        if !worked.is_empty() {
            for t in tours {
                if let Some(d) = self.of[t.vehicle] {
                    worked[d] += t.duration;
                }
            }
        }
        worked
    }

    /// How long `tour` may last, its driver's other tours (in `worked`)
    /// as they are; infinity for a vehicle without a driver's limit.
    pub fn longest(&self, worked: &[f64], tour: &Tour) -> f64 {
        self.of[tour.vehicle].map_or(f64::INFINITY, |d| {
            self.problem.drivers[d].max_duration - (worked[d] - tour.duration)
        })
    }

    /// Whether every driver keeps to their hours in `tours`.
    pub fn hold(&self, tours: &[Tour]) -> bool {
        self.worked(tours)
            .iter()
            .zip(&self.problem.drivers)
            .all(|(w, d)| *w <= d.max_duration + 1e-6)
    }
}
