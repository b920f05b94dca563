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

mod construct;
mod hgs;
mod insert;
mod sisr;
#[cfg(test)]
mod tests;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::diagnose;
use crate::drivers::Drivers;
use crate::local_search::LocalSearch;
use crate::problem::Problem;
use crate::rng::Rng;
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
    /// A tour being emptied: re-insertions go elsewhere ([`Search::anneal`]).
    closed: Option<usize>,
    /// Whether some vehicle costs something to send out at all.
    tours_cost: bool,
    /// Drivers' hours over several shifts.
    drivers: Drivers<'a>,
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
            closed: None,
            tours_cost: problem.vehicles.iter().any(|v| v.fixed_cost > 0.0),
            drivers: Drivers::new(problem),
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

/// Whether the local search runs: where its summaries capture every
/// constraint ([`LocalSearch::applies`]) and each job has one window.
/// Measured on the sample week (requests open on several days, 10 s, seeds
/// 1–5, one thread): mean cost 2,097 with SISR alone, 2,105 with the local
/// search polishing SISR's new bests, 2,133 with the genetic search (its
/// children's descents keep each request on the day it is served); and the
/// Wednesday re-plan of `tests/replan.rs` left 8 requests out instead of 4.
/// Measured again once SISR's temperatures had the right scale
/// (`cost_per_job`, in sisr.rs), fixed + per-km objective, 10 s, seeds 1–6:
/// sample week 273.5 alone, 272.7 polishing, 279.7 genetic; mixed fleet
/// 272.0, 278.3, 299.2. So problems whose jobs have several windows keep to
/// SISR until the local search pays there.
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
                && b.max_jobs == a.max_jobs
                && b.fixed_cost == a.fixed_cost
                && b.cost_per_distance == a.cost_per_distance
                && b.cost_per_time == a.cost_per_time
                && b.speed_factor == a.speed_factor
                && b.driver_break == a.driver_break
                && b.max_trips == a.max_trips
                && b.reload_service == a.reload_service
                // Each driver's hours left differ: no two of their
                // shifts stand for one another.
                && problem.driver_of(u).is_none()
                && problem.driver_of(v).is_none()
        })
        .unwrap_or(v)
}
