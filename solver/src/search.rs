//! The search: ruin and recreate with slack-induced string removals (SISR),
//! after J. Christiaens and G. Vanden Berghe, "Slack induction by string
//! removals for vehicle routing problems", Transportation Science 54(2),
//! 2020, followed on problems of up to a few hundred jobs by a hybrid
//! genetic search (Vidal 2012, 2022) seeded with SISR's best.
//!
//! Each SISR iteration removes a few strings of consecutive stops from tours
//! that lie near a random seed stop, then re-inserts every removed stop at
//! its cheapest feasible place (skipping places at random: "blinks"), and
//! accepts the result by simulated annealing. The genetic search recombines
//! a population of solutions by route exchange ([`crate::crossover`]) and
//! polishes each child with the local search. Every state the search holds
//! is feasible; jobs that no tour can take stay out with a penalty.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::crossover;
use crate::diagnose;
use crate::local_search::{LocalSearch, Outcome};
use crate::population::Population;
use crate::problem::Problem;
use crate::problem::Shipment;
use crate::rng::Rng;
use crate::route::{Insertion, PairInsertion, Tour};
use crate::solution::{Route, Solution, State};

/// How long to search and from which seed.
#[derive(Clone, Debug)]
pub struct Params {
    pub seed: u64,
    /// Wall-clock budget. With an iteration limit too, the search is
    /// reproducible for a seed as long as this limit is not reached first.
    pub time_limit: Option<Duration>,
    /// Search steps: a SISR ruin-and-recreate, or one solution built and
    /// polished by the genetic search (a hundred times dearer).
    pub iteration_limit: Option<u64>,
    /// Average number of stops removed per iteration (c̄ in the paper).
    pub avg_removed: f64,
    /// Longest string removed from one tour (L_max).
    pub max_string: usize,
    /// Probability of the split-string variant, which keeps a few stops
    /// inside the removed string.
    pub split_rate: f64,
    /// Probability of keeping one more stop inside a split string.
    pub split_depth: f64,
    /// Probability of skipping each insertion place.
    pub blink_rate: f64,
    /// Start and end temperatures, as fractions of the mean cost per job of
    /// the first solution.
    pub temperature: (f64, f64),
    /// Independent searches run side by side (seeds `seed`, `seed + 1`, …);
    /// the best answer wins. One thread is the default, and the benchmark rule.
    pub threads: usize,
    /// Polish each new best solution with the penalised local search (on
    /// the problems it applies to), and there, up to [`RECOMBINE_UP_TO`]
    /// jobs, end with the hybrid genetic search. Off: SISR alone.
    pub local_search: bool,
    /// Set from another thread to stop the search early; it then returns
    /// the best solution found so far.
    pub cancel: Option<Arc<AtomicBool>>,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            seed: 1,
            time_limit: Some(Duration::from_secs(10)),
            iteration_limit: None,
            avg_removed: 10.0,
            max_string: 10,
            split_rate: 0.5,
            split_depth: 0.01,
            blink_rate: 0.01,
            temperature: (3.0, 0.001),
            threads: 1,
            local_search: true,
            cancel: None,
        }
    }
}

/// What the search reports while it runs.
#[derive(Clone, Debug)]
pub struct Progress {
    pub iteration: u64,
    pub elapsed: Duration,
    /// Share of the budget (time or iterations) used, from 0 to 1.
    pub fraction: f64,
    /// Cost of the best solution's tours.
    pub best_cost: f64,
    /// What the search minimises: that cost plus the penalties for the jobs
    /// it leaves out.
    pub best_objective: f64,
    pub unassigned: usize,
}

/// Searches for cheap tours serving every job it can.
///
/// Where the local search runs ([`pays`]) and the problem is not large, the
/// search is a hybrid: SISR's annealing for the first part of the budget, then a
/// hybrid genetic search (recombination of a population of solutions, each
/// child polished by the local search) that starts from SISR's best. SISR
/// alone falls into deep basins on long tours with wide windows (Solomon
/// R201: 1152.26 from every seed, 0.4 % above the optimum), which
/// recombination leaves; the genetic search alone is slower to cut the
/// number of tours. Above [`RECOMBINE_UP_TO`] jobs, each child's local
/// search costs too much and SISR runs alone.
pub fn solve(problem: &Problem, params: &Params, mut progress: impl FnMut(&Progress)) -> Solution {
    let started = Instant::now();
    let mut search = Search::new(problem, params);
    let mut iteration = 0u64;
    let hybrid = search.local_search.is_some() && problem.jobs.len() <= RECOMBINE_UP_TO;
    let anneal_until = if hybrid { ANNEAL_SHARE } else { 1.0 };
    let first = search.initial();
    let mut best = search.anneal(first, anneal_until, &mut iteration, started, &mut progress);
    if hybrid {
        best = search.evolve(best, &mut iteration, started, &mut progress);
    }
    progress(&search.progress(iteration, started, 1.0, &best));
    search.finish(best, iteration)
}

/// Share of the budget for SISR's annealing in the hybrid search.
const ANNEAL_SHARE: f64 = 0.3;

/// Largest problem (in jobs) for the hybrid search.
pub const RECOMBINE_UP_TO: usize = 600;

/// Solutions built at random and polished to start the population.
const FIRST_POPULATION: usize = 100;

struct Search<'a> {
    problem: &'a Problem,
    params: &'a Params,
    /// Cost of leaving each job out: its value, or a prohibitive penalty.
    penalty: Vec<f64>,
    /// Each job's other jobs, nearest first (capped for large problems).
    neighbours: Vec<Vec<usize>>,
    /// Distance from the nearest depot, and load relative to the fleet, used
    /// to order re-insertions.
    depot_distance: Vec<f64>,
    size: Vec<f64>,
    /// Vehicles that are interchangeable share a class (the index of the
    /// first of them), so only one empty tour per class is tried.
    class: Vec<usize>,
    local_search: Option<LocalSearch<'a>>,
    rng: Rng,
}

/// Neighbours kept per job: enough for the strings SISR removes.
const MAX_NEIGHBOURS: usize = 100;

/// From this many jobs on, a job is only re-inserted into tours that serve
/// one of its nearest neighbours (or an empty tour): a granular
/// neighbourhood, as in Toth and Vigo's granular tabu search, which keeps an
/// iteration's cost independent of the number of tours.
const GRANULAR_FROM: usize = 400;
const GRANULAR_NEIGHBOURS: usize = 40;

impl<'a> Search<'a> {
    fn new(problem: &'a Problem, params: &'a Params) -> Self {
        let big = problem.unassigned_penalty();
        let penalty = problem
            .jobs
            .iter()
            .map(|j| j.prize.unwrap_or(big))
            .collect();
        let d = |a: usize, b: usize| problem.distance.get(a, b);
        let n = problem.jobs.len();
        let neighbours = (0..n)
            .map(|i| {
                let li = problem.jobs[i].location;
                let mut others: Vec<usize> = (0..n).collect();
                let key = |&j: &usize| (d(li, problem.jobs[j].location), j != i, j);
                let keep = MAX_NEIGHBOURS.min(n);
                if keep < n {
                    others.select_nth_unstable_by(keep - 1, |a, b| {
                        key(a)
                            .partial_cmp(&key(b))
                            .unwrap_or(std::cmp::Ordering::Equal)
                    });
                    others.truncate(keep);
                }
                others.sort_by(|a, b| {
                    key(a)
                        .partial_cmp(&key(b))
                        .unwrap_or(std::cmp::Ordering::Equal)
                });
                others
            })
            .collect();
        let mut depots: Vec<usize> = problem.vehicles.iter().map(|v| v.start).collect();
        depots.sort_unstable();
        depots.dedup();
        let depot_distance = problem
            .jobs
            .iter()
            .map(|j| {
                depots
                    .iter()
                    .map(|&o| d(o, j.location))
                    .fold(f64::INFINITY, f64::min)
            })
            .collect();
        let fleet_max = problem
            .vehicles
            .iter()
            .fold(crate::Load::ZERO, |m, v| m.max(v.capacity));
        let size = problem
            .jobs
            .iter()
            .map(|j| {
                let l = j.delivery + j.pickup;
                (0..crate::DIMS)
                    .filter(|&k| fleet_max.0[k] > 0)
                    .map(|k| l.0[k] as f64 / fleet_max.0[k] as f64)
                    .sum()
            })
            .collect();
        Search {
            problem,
            params,
            penalty,
            neighbours,
            depot_distance,
            size,
            class: (0..problem.vehicles.len())
                .map(|v| v_class(problem, v))
                .collect(),
            local_search: (params.local_search && pays(problem)).then(|| {
                let mut ls = LocalSearch::new(problem);
                ls.deadline = params.time_limit.map(|t| Instant::now() + t);
                ls
            }),
            rng: Rng::new(params.seed),
        }
    }

    /// Runs the local search around the `moved` jobs, and takes its tours
    /// when it ends feasible.
    fn polish(&mut self, state: &mut State, moved: &[usize]) {
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

    /// Whether the budget up to `until` (a share of it) is spent or the
    /// caller cancelled; and the share spent.
    fn stopped(&self, iteration: u64, started: Instant, until: f64) -> (bool, f64) {
        let fraction = self.fraction(iteration, started.elapsed());
        let cancelled = self
            .params
            .cancel
            .as_ref()
            .is_some_and(|c| c.load(Ordering::Relaxed));
        let done = fraction >= until || self.problem.jobs.is_empty() || cancelled;
        (done, fraction)
    }

    /// SISR: ruin and recreate from `current`, accepted by simulated
    /// annealing, until `until` of the budget is spent; the temperature
    /// falls over that span. Returns the best solution met.
    fn anneal(
        &mut self,
        mut current: State,
        until: f64,
        iteration: &mut u64,
        started: Instant,
        progress: &mut impl FnMut(&Progress),
    ) -> State {
        let mut best = current.clone();
        let per_job =
            current.cost.min(self.tour_cost_bound()) / self.problem.jobs.len().max(1) as f64;
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
            self.ruin(&mut current);
            let moved = current.absent.clone();
            self.recreate(&mut current);
            current.recompute_cost(&self.penalty);
            // A candidate that beats the best is polished by the local
            // search. Running it on every candidate costs more than it
            // finds: SISR's iterations are cheap (a few dozen microseconds)
            // and the search then makes ten times fewer of them.
            if current.cost < best.cost - 1e-9 {
                self.polish(&mut current, &moved);
                current.recompute_cost(&self.penalty);
            }
            if current.cost >= threshold {
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

    /// Hybrid genetic search (Vidal 2012, 2022) until the budget is spent:
    /// a population started from `best` and from random constructions, each
    /// polished; then children of two parents chosen by binary tournament,
    /// built by route exchange and polished. Returns the best solution met.
    fn evolve(
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
    fn recombine(&mut self, a: &State, b: &State) -> State {
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

    /// Share of the budget used; iterations rule when they are limited, so
    /// that a seed and an iteration limit give the same search every time.
    fn fraction(&self, iteration: u64, elapsed: Duration) -> f64 {
        let by_time = self
            .params
            .time_limit
            .map(|t| elapsed.as_secs_f64() / t.as_secs_f64().max(1e-9));
        match self.params.iteration_limit {
            Some(limit) => {
                let by_iter = iteration as f64 / limit.max(1) as f64;
                if by_time.is_some_and(|f| f >= 1.0) {
                    1.0
                } else {
                    by_iter
                }
            }
            None => by_time.unwrap_or(1.0),
        }
    }

    /// Cost of serving every job by its own round trip from the nearest
    /// depot (at unit cost): scales temperatures when penalties for jobs left
    /// out dominate the first solution.
    fn tour_cost_bound(&self) -> f64 {
        self.depot_distance.iter().map(|d| 2.0 * d).sum()
    }

    /// First solution: every job inserted at its cheapest place, farthest
    /// from the depot first (the stops that are hardest to serve).
    fn initial(&mut self) -> State {
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
    fn random_construction(&mut self) -> State {
        let mut order: Vec<usize> = (0..self.problem.jobs.len()).collect();
        self.rng.shuffle(&mut order);
        self.construct(order)
    }

    /// Every job, in `order`, inserted at its cheapest place.
    fn construct(&mut self, order: Vec<usize>) -> State {
        let mut state = State::empty(self.problem);
        state.absent.clear();
        self.insert_all(&mut state, order, 0.0);
        state.recompute_cost(&self.penalty);
        state
    }

    /// Removes strings of stops from tours near a random seed stop.
    fn ruin(&mut self, state: &mut State) {
        let routed = self.problem.jobs.len() - state.absent.len();
        let used = state.tours.iter().filter(|t| !t.is_empty()).count();
        if used == 0 {
            return;
        }
        let avg_len = routed as f64 / used as f64;
        let ls_max = (self.params.max_string as f64).min(avg_len);
        let ks_max = 4.0 * self.params.avg_removed / (1.0 + ls_max) - 1.0;
        let strings = (1.0 + self.rng.unit() * ks_max.max(0.0)).floor().max(1.0) as usize;
        let seed = self.rng.below(self.problem.jobs.len());
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
    fn remove_string(&mut self, jobs: &[usize], pos: usize, len: usize) -> Vec<usize> {
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
    fn recreate(&mut self, state: &mut State) {
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

    /// Inserts each job in turn at its cheapest feasible place; a job that
    /// fits nowhere (or, if optional, costs more than its value) stays out.
    /// A shipment goes in (or stays out) whole, when its pickup comes up.
    fn insert_all(&mut self, state: &mut State, order: Vec<usize>, blink: f64) {
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
    fn cheapest(
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
        for (v, tour) in state.tours.iter().enumerate() {
            // Identical empty vehicles give identical insertions.
            if tour.is_empty() {
                if tried_empty.contains(&self.class[v]) {
                    continue;
                }
                tried_empty.push(self.class[v]);
            } else if granular && !near.contains(&v) {
                continue;
            }
            let place = match partner {
                None => tour
                    .best_insertion(self.problem, job, blink, &mut self.rng)
                    .map(Place::One),
                Some(d) => tour
                    .best_pair_insertion(self.problem, job, d, blink, &mut self.rng)
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

    fn progress(&self, iteration: u64, started: Instant, fraction: f64, best: &State) -> Progress {
        Progress {
            iteration,
            elapsed: started.elapsed(),
            fraction: fraction.min(1.0),
            best_cost: best.tours.iter().map(|t| t.cost).sum(),
            best_objective: best.cost,
            unassigned: best.absent.len(),
        }
    }

    fn finish(&self, best: State, iterations: u64) -> Solution {
        let routes: Vec<Route> = best
            .tours
            .iter()
            .filter(|t| !t.is_empty())
            .map(|t| Route {
                vehicle: t.vehicle,
                jobs: t.jobs.clone(),
            })
            .collect();
        let mut absent = best.absent.clone();
        absent.sort_unstable();
        let unassigned = absent
            .into_iter()
            .map(|j| (j, diagnose::reason(self.problem, j, &best.tours)))
            .collect();
        Solution {
            routes,
            unassigned,
            cost: best.tours.iter().map(|t| t.cost).sum(),
            objective: best.cost,
            distance: best.tours.iter().map(|t| t.distance).sum(),
            iterations,
        }
    }
}

/// Paces progress reports: one on every new best, and a few a second
/// between them.
struct Throttle {
    last: Instant,
}

impl Throttle {
    const EVERY: Duration = Duration::from_millis(200);

    fn new() -> Self {
        Throttle {
            last: Instant::now(),
        }
    }

    fn sent(&mut self) {
        self.last = Instant::now();
    }

    /// True (and counted as sent) when the last report is old enough.
    fn due(&mut self) -> bool {
        let due = self.last.elapsed() >= Self::EVERY;
        if due {
            self.sent();
        }
        due
    }
}

/// Where a job, or a shipment's two halves, goes in a tour.
#[derive(Clone, Copy, Debug)]
enum Place {
    One(Insertion),
    Pair(PairInsertion),
}

impl Place {
    fn delta(&self) -> f64 {
        match self {
            Place::One(i) => i.delta,
            Place::Pair(p) => p.delta,
        }
    }

    fn apply(&self, jobs: &mut Vec<usize>, job: usize, partner: Option<usize>) {
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

/// Whether the local search runs: where its summaries capture every
/// constraint ([`LocalSearch::applies`]) and each job has one window.
/// Measured on the sample week (requests open on several days, 10 s, seeds
/// 1–5, one thread): mean cost 2,097 with SISR alone, 2,105 with the local
/// search polishing SISR's new bests, 2,133 with the genetic search (its
/// children's descents keep each request on the day it is served); and the
/// Wednesday re-plan of `tests/replan.rs` left 8 requests out instead of 4.
/// So problems whose jobs have several windows keep to SISR until the local
/// search pays there.
fn pays(problem: &Problem) -> bool {
    LocalSearch::applies(problem) && problem.jobs.iter().all(|j| j.windows.len() <= 1)
}

/// Index of the first vehicle identical to `v` in every attribute.
fn v_class(problem: &Problem, v: usize) -> usize {
    let a = &problem.vehicles[v];
    (0..v)
        .find(|&u| {
            let b = &problem.vehicles[u];
            b.start == a.start
                && b.end == a.end
                && b.shift == a.shift
                && b.capacity == a.capacity
                && b.skills == a.skills
                && b.max_duration == a.max_duration
                && b.max_distance == a.max_distance
                && b.fixed_cost == a.fixed_cost
                && b.cost_per_distance == a.cost_per_distance
                && b.cost_per_time == a.cost_per_time
                && b.speed_factor == a.speed_factor
                && b.driver_break == a.driver_break
        })
        .unwrap_or(v)
}
