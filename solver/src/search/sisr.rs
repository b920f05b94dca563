//! SISR: ruin and recreate with slack-induced string removals (Christiaens
//! and Vanden Berghe, Transportation Science 54(2), 2020), accepted by
//! simulated annealing.

use std::time::Instant;

use super::{Progress, Search, Throttle};
use crate::solution::State;

/// Share of SISR's iterations that empty a tour ([`Search::empty_a_tour`]).
const ELIMINATE_RATE: f64 = 0.05;

impl<'a> Search<'a> {
    /// SISR: ruin and recreate from `current`, accepted by simulated
    /// annealing, until `until` of the budget is spent; the temperature
    /// falls over that span. Returns the best solution met.
    pub(super) fn anneal(
        &mut self,
        mut current: State,
        until: f64,
        iteration: &mut u64,
        started: Instant,
        progress: &mut impl FnMut(&Progress),
    ) -> State {
        let mut best = current.clone();
        let per_job = self.cost_per_job(&current);
        let (t0, t1) = (
            self.params.temperature.0 * per_job.max(1e-9),
            self.params.temperature.1 * per_job.max(1e-9),
        );
        let mut reports = Throttle::new();
        loop {
            let (done, fraction) = self.stopped(*iteration, started, until);
            if done {
                break;
            }
            let temperature = t0 * (t1 / t0).powf(fraction / until);
            let threshold = current.cost - temperature * self.rng.unit().ln();
            current.begin();
            if self.tours_cost && self.rng.chance(ELIMINATE_RATE) {
                self.empty_a_tour(&mut current);
            } else {
                let seed = self.rng.below(self.problem.jobs.len());
                self.ruin(&mut current, seed);
            }
            let moved = current.absent.clone();
            self.recreate(&mut current);
            self.closed = None;
            current.recompute_cost(&self.penalty);
            // A candidate that beats the best is polished by the local
            // search. Running it on every candidate costs more than it
            // finds: SISR's iterations are cheap (a few dozen microseconds)
            // and the search then makes ten times fewer of them.
            if current.cost < best.cost - 1e-9 {
                self.polish(&mut current, &moved);
                current.recompute_cost(&self.penalty);
            }
            // Insertions keep to the drivers' hours; a removal may lengthen
            // a tour where travel times break the triangle inequality, and
            // such a candidate is refused.
            if current.cost >= threshold || !self.drivers.hold(&current.tours) {
                current.rollback();
            } else if current.cost < best.cost - 1e-9 {
                best = current.clone();
                progress(&self.progress(*iteration, started, fraction, &best));
                reports.sent();
            }
            *iteration += 1;
            if reports.due() {
                progress(&self.progress(*iteration, started, fraction, &best));
            }
        }
        best
    }

    /// The scale of SISR's temperatures: what the tours of `state` cost per
    /// job they serve. Not the objective per job: a job the first solution
    /// leaves out (too heavy for every van, or one its greedy construction
    /// could not place) counts at a prohibitive penalty, and a scale
    /// counting it ran the annealing hundreds to thousands of times too hot
    /// to the end (on the product benchmark's mixed fleet, 2,919 per job
    /// instead of 2.6). Measured at a fixed 100,000 iterations, seeds 1–6,
    /// fixed + per-km objective: mixed fleet 310.0 → 278.6, 600 requests
    /// 566.6 → 503.9, sample week 280.5 → 273.2; and at 50,000 with the
    /// default objective, sample week 2,127 → 2,109. Public instances are
    /// untouched: their first solutions serve every job. With no tour yet,
    /// the round trips from the nearest depot stand for it.
    pub(super) fn cost_per_job(&self, state: &State) -> f64 {
        let served = self.problem.jobs.len() - state.absent.len();
        let tours: f64 = state.tours.iter().map(|t| t.cost).sum();
        if served > 0 && tours > 0.0 {
            tours / served as f64
        } else {
            state.cost.min(self.tour_cost_bound()) / self.problem.jobs.len().max(1) as f64
        }
    }

    /// Empties a small tour (the shorter of two drawn at random) and ruins
    /// around one of its stops, then keeps its stops out of it while they
    /// are re-inserted. String removals alone seldom empty a tour: its last
    /// stops go back where the tour still runs, because another tour would
    /// have to make room for them in the same step, and a tour's fixed cost
    /// is a step too high for the annealing to climb at the end (on the
    /// product benchmark's mixed fleet a two-stop tour stayed to the end).
    /// Measured on its seven fixed + per-km problems, 10 s, seeds 11–13:
    /// mean cost 0.6 % lower with one iteration in twenty emptying a tour,
    /// 2.9 % on the 600-request week. Only where a tour has a fixed cost:
    /// on distance-only problems fewer tours are not a goal.
    fn empty_a_tour(&mut self, state: &mut State) {
        let used: Vec<usize> = (0..state.tours.len())
            .filter(|&t| !state.tours[t].is_empty())
            .collect();
        if used.len() < 2 {
            let seed = self.rng.below(self.problem.jobs.len());
            return self.ruin(state, seed);
        }
        let (a, b) = (
            used[self.rng.below(used.len())],
            used[self.rng.below(used.len())],
        );
        let t = if state.tours[b].len() < state.tours[a].len() {
            b
        } else {
            a
        };
        let jobs = state.tours[t].jobs.clone();
        let seed = jobs[self.rng.below(jobs.len())];
        for &j in &jobs {
            state.tour_of[j] = None;
        }
        state.absent.extend(jobs);
        state.set_tour(self.problem, t, Vec::new());
        self.ruin(state, seed);
        self.closed = Some(t);
    }

    /// Removes strings of stops from tours near the stop `seed`.
    pub(super) fn ruin(&mut self, state: &mut State, seed: usize) {
        let routed = self.problem.jobs.len() - state.absent.len();
        let used = state.tours.iter().filter(|t| !t.is_empty()).count();
        if used == 0 {
            return;
        }
        let avg_len = routed as f64 / used as f64;
        let ls_max = (self.params.max_string as f64).min(avg_len);
        let ks_max = 4.0 * self.params.avg_removed / (1.0 + ls_max) - 1.0;
        let strings = (1.0 + self.rng.unit() * ks_max.max(0.0)).floor().max(1.0) as usize;
        let mut ruined: Vec<usize> = Vec::with_capacity(strings);
        for k in 0..self.neighbours[seed].len() {
            if ruined.len() >= strings {
                break;
            }
            let c = self.neighbours[seed][k];
            let Some(t) = state.tour_of[c] else { continue };
            if ruined.contains(&t) {
                continue;
            }
            ruined.push(t);
            let jobs = state.tours[t].jobs.clone();
            let pos = jobs.iter().position(|&x| x == c).unwrap_or(0);
            let cap = (ls_max.min(jobs.len() as f64)).max(1.0);
            let len = ((1.0 + self.rng.unit() * cap).floor() as usize).clamp(1, jobs.len());
            let mut kept = self.remove_string(&jobs, pos, len);
            let mut removed: Vec<usize> =
                jobs.iter().copied().filter(|j| !kept.contains(j)).collect();
            // A shipment leaves its tour with both halves.
            let partners: Vec<usize> = removed
                .iter()
                .filter_map(|&j| self.problem.jobs[j].partner())
                .filter(|p| !removed.contains(p))
                .collect();
            kept.retain(|j| !partners.contains(j));
            removed.extend(partners);
            for &j in &removed {
                state.tour_of[j] = None;
            }
            state.absent.extend(removed);
            state.set_tour(self.problem, t, kept);
        }
    }

    /// Jobs of a tour that stay after removing a string of `len` stops that
    /// covers position `pos` (or, in the split variant, a longer string of
    /// which a few consecutive stops are kept).
    pub(super) fn remove_string(&mut self, jobs: &[usize], pos: usize, len: usize) -> Vec<usize> {
        let n = jobs.len();
        let mut keep_inside = 0;
        if len < n && self.rng.chance(self.params.split_rate) {
            keep_inside = 1;
            while len + keep_inside < n && self.rng.chance(self.params.split_depth) {
                keep_inside += 1;
            }
        }
        let span = len + keep_inside;
        // Windows of `span` stops that contain `pos`.
        let lo = pos.saturating_sub(span - 1);
        let hi = pos.min(n - span);
        let first = lo + self.rng.below(hi - lo + 1);
        let kept_at = first + self.rng.below(span - keep_inside + 1);
        jobs.iter()
            .enumerate()
            .filter(|&(i, _)| {
                i < first || i >= first + span || (i >= kept_at && i < kept_at + keep_inside)
            })
            .map(|(_, &j)| j)
            .collect()
    }

    /// Re-inserts the absent jobs in a random one of SISR's orders.
    pub(super) fn recreate(&mut self, state: &mut State) {
        let mut order = std::mem::take(&mut state.absent);
        self.rng.shuffle(&mut order);
        let r = self.rng.below(11);
        let (dd, size) = (&self.depot_distance, &self.size);
        match r {
            0..=3 => {}
            4..=7 => order.sort_by(|&a, &b| size[b].total_cmp(&size[a])),
            8..=9 => order.sort_by(|&a, &b| dd[b].total_cmp(&dd[a])),
            _ => order.sort_by(|&a, &b| dd[a].total_cmp(&dd[b])),
        }
        self.insert_all(state, order, self.params.blink_rate);
    }
}
