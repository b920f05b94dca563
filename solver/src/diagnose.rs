//! Why a job was left out: each left-out job is tried alone on every vehicle,
//! and the rule that stops the closest one is reported.

use crate::drivers::Drivers;
use crate::problem::{Problem, Shipment};
use crate::rng::Rng;
use crate::route::{schedule, Tour, Violation};
use crate::solution::Reason;

/// The reason `job` is not in any of `tours`. A shipment's halves are
/// tried together and share the reason.
pub fn reason(problem: &Problem, job: usize, tours: &[Tour]) -> Reason {
    let alone = match problem.jobs[job].shipment {
        Some(Shipment::PickupFor(d)) => vec![job, d],
        Some(Shipment::DeliveryOf(p)) => vec![p, job],
        None => vec![job],
    };
    let skilled: Vec<usize> = (0..problem.vehicles.len())
        .filter(|&v| {
            alone
                .iter()
                .all(|&j| problem.vehicles[v].can_serve(&problem.jobs[j]))
        })
        .collect();
    if skilled.is_empty() {
        return Reason::NoVehicleWithSkills;
    }
    let roomy: Vec<usize> = skilled
        .into_iter()
        .filter(|&v| {
            let cap = problem.vehicles[v].capacity;
            alone.iter().all(|&j| {
                let j = &problem.jobs[j];
                j.delivery.fits(cap) && j.pickup.fits(cap)
            })
        })
        .collect();
    if roomy.is_empty() {
        return Reason::ExceedsCapacity;
    }
    let mut best = Reason::TimeWindowUnreachable;
    for v in roomy {
        match schedule(problem, v, &alone) {
            Ok(_) => return left_out_with_room(problem, &alone, tours),
            // The way back is what fails only if the site can be reached
            // while it is open within the shift at all: a site open on a day
            // without this vehicle is a window the shift cannot reach.
            Err(Violation::ShiftEnd | Violation::MaxDuration | Violation::Break)
                if alone.iter().all(|&j| reachable_while_open(problem, v, j)) =>
            {
                best = Reason::ShiftTooShort
            }
            Err(Violation::MaxDistance) if best == Reason::TimeWindowUnreachable => {
                best = Reason::MaxDistanceExceeded
            }
            // A shipment's two stops on a vehicle of one stop a tour.
            Err(Violation::MaxJobs) if best == Reason::TimeWindowUnreachable => {
                best = Reason::FleetFull
            }
            Err(_) => {}
        }
    }
    best
}

/// Whether vehicle `v`, leaving at the start of its shift, can be at `job`
/// while one of its windows is open and before its shift ends.
fn reachable_while_open(problem: &Problem, v: usize, job: usize) -> bool {
    let veh = &problem.vehicles[v];
    let j = &problem.jobs[job];
    let arrival = veh.shift.start + problem.travel_time(v, veh.start, j.location);
    j.service_start(arrival)
        .is_some_and(|start| start <= veh.shift.end)
}

/// A job that fits a vehicle on its own: an optional one that some tour could
/// take was not worth its cost; otherwise the tours were full.
fn left_out_with_room(problem: &Problem, alone: &[usize], tours: &[Tour]) -> Reason {
    if problem.jobs[alone[0]].prize.is_none() {
        return Reason::FleetFull;
    }
    let mut rng = Rng::new(0);
    // A driver's other tours leave each of theirs what is left of the week.
    let drivers = Drivers::new(problem);
    let worked = drivers.worked(tours);
    let fits_somewhere = tours.iter().any(|t| {
        let longest = drivers.longest(&worked, t);
        match *alone {
            [p, d] => t
                .best_pair_insertion(problem, (p, d), 0.0, &mut rng, longest)
                .is_some(),
            _ => t
                .best_insertion(problem, alone[0], 0.0, &mut rng, longest)
                .is_some(),
        }
    });
    if fits_somewhere {
        Reason::NotProfitable
    } else {
        Reason::FleetFull
    }
}
