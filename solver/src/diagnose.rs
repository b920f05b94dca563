//! Why a job was left out: each left-out job is tried alone on every vehicle,
//! and the rule that stops the closest one is reported.

use crate::problem::Problem;
use crate::rng::Rng;
use crate::route::{schedule, Tour, Violation};
use crate::solution::Reason;

/// The reason `job` is not in any of `tours`.
pub fn reason(problem: &Problem, job: usize, tours: &[Tour]) -> Reason {
    let j = &problem.jobs[job];
    let skilled: Vec<usize> = (0..problem.vehicles.len())
        .filter(|&v| problem.vehicles[v].can_serve(j))
        .collect();
    if skilled.is_empty() {
        return Reason::NoVehicleWithSkills;
    }
    let roomy: Vec<usize> = skilled
        .into_iter()
        .filter(|&v| {
            let cap = problem.vehicles[v].capacity;
            j.delivery.fits(cap) && j.pickup.fits(cap)
        })
        .collect();
    if roomy.is_empty() {
        return Reason::ExceedsCapacity;
    }
    let mut best = Reason::TimeWindowUnreachable;
    for v in roomy {
        match schedule(problem, v, &[job]) {
            Ok(_) => return left_out_with_room(problem, job, tours),
            Err(Violation::ShiftEnd | Violation::MaxDuration) => best = Reason::ShiftTooShort,
            Err(Violation::MaxDistance) if best == Reason::TimeWindowUnreachable => {
                best = Reason::MaxDistanceExceeded
            }
            Err(_) => {}
        }
    }
    best
}

/// A job that fits a vehicle on its own: an optional one that some tour could
/// take was not worth its cost; otherwise the tours were full.
fn left_out_with_room(problem: &Problem, job: usize, tours: &[Tour]) -> Reason {
    if problem.jobs[job].prize.is_none() {
        return Reason::FleetFull;
    }
    let mut rng = Rng::new(0);
    let fits_somewhere = tours
        .iter()
        .any(|t| t.best_insertion(problem, job, 0.0, &mut rng).is_some());
    if fits_somewhere {
        Reason::NotProfitable
    } else {
        Reason::FleetFull
    }
}
