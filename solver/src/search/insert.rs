//! Cheapest insertion of a job (or a shipment's two halves) over the
//! tours, with SISR's blinks and, on large problems, a granular choice of
//! tours.

use super::{Search, GRANULAR_FROM, GRANULAR_NEIGHBOURS};
use crate::problem::Shipment;
use crate::route::{Insertion, PairInsertion};
use crate::solution::State;

impl<'a> Search<'a> {
    /// Inserts each job in turn at its cheapest feasible place; a job that
    /// fits nowhere (or, if optional, costs more than its value) stays out.
    /// A shipment goes in (or stays out) whole, when its pickup comes up.
    pub(super) fn insert_all(&mut self, state: &mut State, order: Vec<usize>, blink: f64) {
        for job in order {
            let partner = match self.problem.jobs[job].shipment {
                Some(Shipment::DeliveryOf(_)) => continue,
                Some(Shipment::PickupFor(d)) => Some(d),
                None => None,
            };
            let penalty = self.penalty[job] + partner.map_or(0.0, |d| self.penalty[d]);
            match self.cheapest(state, job, partner, blink) {
                Some((v, place)) if place.delta() < penalty => {
                    let mut jobs = state.tours[v].jobs.clone();
                    place.apply(&mut jobs, job, partner);
                    state.set_tour(self.problem, v, jobs);
                }
                _ => {
                    state.absent.push(job);
                    state.absent.extend(partner);
                }
            }
        }
    }

    /// The cheapest place for `job` (with its shipment partner, if any) over
    /// the tours worth trying.
    pub(super) fn cheapest(
        &mut self,
        state: &State,
        job: usize,
        partner: Option<usize>,
        blink: f64,
    ) -> Option<(usize, Place)> {
        let granular = self.problem.jobs.len() >= GRANULAR_FROM;
        let near: Vec<usize> = if granular {
            self.neighbours[job]
                .iter()
                .take(GRANULAR_NEIGHBOURS)
                .filter_map(|&n| state.tour_of[n])
                .collect()
        } else {
            Vec::new()
        };
        let mut best: Option<(usize, Place)> = None;
        let mut tried_empty = Vec::new();
        let worked = self.drivers.worked(&state.tours);
        for (v, tour) in state.tours.iter().enumerate() {
            if self.closed == Some(v) {
                continue;
            }
            // Identical empty vehicles give identical insertions.
            if tour.is_empty() {
                if tried_empty.contains(&self.class[v]) {
                    continue;
                }
                tried_empty.push(self.class[v]);
            } else if granular && !near.contains(&v) {
                continue;
            }
            // A driver's other tours this week leave this one the rest.
            let longest = self.drivers.longest(&worked, tour);
            let place = match partner {
                None => tour
                    .best_insertion(self.problem, job, blink, &mut self.rng, longest)
                    .map(Place::One),
                Some(d) => tour
                    .best_pair_insertion(self.problem, (job, d), blink, &mut self.rng, longest)
                    .map(Place::Pair),
            };
            if let Some(place) = place {
                if best.is_none_or(|(_, b)| place.delta() < b.delta()) {
                    best = Some((v, place));
                }
            }
        }
        best
    }
}

/// Where a job, or a shipment's two halves, goes in a tour.
#[derive(Clone, Copy, Debug)]
pub(super) enum Place {
    One(Insertion),
    Pair(PairInsertion),
}

impl Place {
    pub(super) fn delta(&self) -> f64 {
        match self {
            Place::One(i) => i.delta,
            Place::Pair(p) => p.delta,
        }
    }

    pub(super) fn apply(&self, jobs: &mut Vec<usize>, job: usize, partner: Option<usize>) {
        match (self, partner) {
            (Place::Pair(p), Some(d)) => {
                jobs.insert(p.delivery_after, d);
                jobs.insert(p.after, job);
            }
            (Place::One(i), _) => jobs.insert(i.after, job),
            (Place::Pair(p), None) => jobs.insert(p.after, job),
        }
    }
}
