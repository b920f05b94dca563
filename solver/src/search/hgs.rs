//! The hybrid genetic layer (Vidal 2012, 2022): a population recombined by
//! route exchange, each child polished by the local search.

use std::time::Instant;

use super::{Progress, Search, Throttle, FIRST_POPULATION};
use crate::crossover;
use crate::local_search::Outcome;
use crate::population::Population;
use crate::route::Tour;
use crate::solution::State;

impl<'a> Search<'a> {
    /// Runs the local search around the `moved` jobs, and takes its tours
    /// when it ends feasible.
    pub(super) fn polish(&mut self, state: &mut State, moved: &[usize]) {
        let Some(ls) = self.local_search.as_mut() else {
            return;
        };
        let Outcome::Improved(changes) = ls.run(&state.tours, moved, &mut self.rng) else {
            return;
        };
        // The local search prices a request open in several windows as if
        // only its current one existed, so its gain is checked against the
        // exact costs before it is kept.
        let before: Vec<Tour> = changes
            .iter()
            .map(|(v, _)| state.tours[*v].clone())
            .collect();
        let old_cost: f64 = before.iter().map(|t| t.cost).sum();
        let absent = state.absent.len();
        for (v, jobs) in changes {
            state.set_tour(self.problem, v, jobs);
        }
        let new_cost: f64 = before.iter().map(|t| state.tours[t.vehicle].cost).sum();
        if new_cost > old_cost - 1e-9 || state.absent.len() > absent {
            // A tour the exact schedule refuses lands in `absent`: undo.
            state.absent.truncate(absent);
            for tour in before {
                state.set_tour(self.problem, tour.vehicle, tour.jobs);
            }
        }
    }

    /// Hybrid genetic search (Vidal 2012, 2022) until the budget is spent:
    /// a population started from `best` and from random constructions, each
    /// polished; then children of two parents chosen by binary tournament,
    /// built by route exchange and polished. Returns the best solution met.
    pub(super) fn evolve(
        &mut self,
        mut best: State,
        iteration: &mut u64,
        started: Instant,
        progress: &mut impl FnMut(&Progress),
    ) -> State {
        let every: Vec<usize> = (0..self.problem.jobs.len()).collect();
        let mut population = Population::new();
        population.add(best.clone());
        let mut reports = Throttle::new();
        let mut built = 0;
        loop {
            let (done, fraction) = self.stopped(*iteration, started, 1.0);
            if done {
                break;
            }
            let mut child = if built < FIRST_POPULATION {
                built += 1;
                self.random_construction()
            } else {
                let a = population.select(&mut self.rng);
                let b = population.select(&mut self.rng);
                self.recombine(population.get(a), population.get(b))
            };
            self.polish(&mut child, &every);
            child.recompute_cost(&self.penalty);
            *iteration += 1;
            if child.cost < best.cost - 1e-9 {
                best = child.clone();
                progress(&self.progress(*iteration, started, fraction, &best));
                reports.sent();
            }
            population.add(child);
            if reports.due() {
                progress(&self.progress(*iteration, started, fraction, &best));
            }
        }
        best
    }

    /// A child of `a` and `b` by selective route exchange around a random
    /// job, the jobs it leaves out re-inserted as in SISR's recreate.
    pub(super) fn recombine(&mut self, a: &State, b: &State) -> State {
        let n = self.problem.jobs.len();
        let tours =
            |s: &State| -> Vec<Vec<usize>> { s.tours.iter().map(|t| t.jobs.clone()).collect() };
        let used = |s: &State| s.tours.iter().filter(|t| !t.is_empty()).count();
        let most = used(a).min(used(b));
        // At least one tour, and one fewer than all, so both parents give.
        let k = 1 + self.rng.below(most.saturating_sub(1).max(1));
        let seed = self.rng.below(n);
        let child_tours =
            crossover::srex(&tours(a), &tours(b), &self.neighbours[seed], k, &self.class);
        let mut child = State::empty(self.problem);
        for (v, jobs) in child_tours.into_iter().enumerate() {
            if !jobs.is_empty() {
                child.set_tour(self.problem, v, jobs);
            }
        }
        child.absent = (0..n).filter(|&j| child.tour_of[j].is_none()).collect();
        self.recreate(&mut child);
        child.recompute_cost(&self.penalty);
        child
    }
}
