//! First solutions: every job inserted at its cheapest place, in a given
//! or a random order.

use super::Search;
use crate::solution::State;

impl<'a> Search<'a> {
    /// First solution: every job inserted at its cheapest place, farthest
    /// from the depot first (the stops that are hardest to serve).
    pub(super) fn initial(&mut self) -> State {
        let dd = &self.depot_distance;
        let mut order: Vec<usize> = (0..self.problem.jobs.len()).collect();
        order.sort_by(|&a, &b| dd[b].total_cmp(&dd[a]).then(a.cmp(&b)));
        let mut state = self.construct(order);
        let every: Vec<usize> = (0..self.problem.jobs.len()).collect();
        self.polish(&mut state, &every);
        state.recompute_cost(&self.penalty);
        state
    }

    /// Every job inserted at its cheapest place, in a random order.
    pub(super) fn random_construction(&mut self) -> State {
        let mut order: Vec<usize> = (0..self.problem.jobs.len()).collect();
        self.rng.shuffle(&mut order);
        self.construct(order)
    }

    /// Every job, in `order`, inserted at its cheapest place.
    pub(super) fn construct(&mut self, order: Vec<usize>) -> State {
        let mut state = State::empty(self.problem);
        state.absent.clear();
        self.insert_all(&mut state, order, 0.0);
        state.recompute_cost(&self.penalty);
        state
    }
}
