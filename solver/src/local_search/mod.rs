//! Local search over relaxed tours: capacity and windows may be broken, at a
//! price per unit of excess load and of time warp, so the search can cross
//! infeasible ground between two good solutions (the penalised search of
//! Vidal's hybrid genetic search, HGS-CVRP 2022, and of PyVRP).
//!
//! Every move is priced in constant time (or in the length of the piece it
//! reverses or moves within a tour) by joining cached prefix and suffix
//! summaries ([`crate::segment`]). Only pairs of jobs that are granular
//! neighbours are tried, and a pair is tried again only when one of their
//! tours has changed since ([`crate::neighbours`]).
//!
//! Moves: move one or two consecutive stops after another stop (or first in
//! a tour, or into an empty tour), swap one or two stops with one or two
//! others, exchange two tours' tails (2-opt*), reverse a piece of a tour
//! (2-opt).
//!
//! The search runs on problems whose constraints the summaries capture: no
//! driver's break, one trip per shift, no shipments. Vans of different
//! speeds each price a piece taken from another's tour at their own pace
//! (the cached summaries are per tour, so such a piece is walked again: its
//! length, not a constant); a tour longer than its van's distance limit
//! pays the time-warp price per kilometre over, scaled to the time the
//! fleet takes to drive one. Others keep to the ruin-and-recreate search
//! alone. A job with several windows (a request open on several days) is
//! served, in each tour, in one of them: the one it was served in while
//! that meets the tour's shift, else the first that does, so a move to
//! another day's tour takes that day's window.

mod line;
mod moves;
mod penalties;
#[cfg(test)]
mod tests;

use std::time::Instant;

use crate::neighbours;
use crate::problem::Problem;
use crate::rng::Rng;
use crate::route::Tour;

use line::{empty_line, job_seg, window_of, Line, Move, Piece, Rebuilt, Seg, ALWAYS};
use penalties::initial_penalties;
pub use penalties::Penalties;

/// Neighbours tried per job.
const GRANULARITY: usize = 20;
/// A move is taken when it saves more than this.
const EPS: f64 = 1e-7;
/// Price factor at which no move that breaks a bound can pay.
const FEASIBLE_ONLY: f64 = 1e6;

/// The penalised local search and its working copy of the tours.
pub struct LocalSearch<'a> {
    problem: &'a Problem,
    neighbours: Vec<Vec<usize>>,
    pub penalties: Penalties,
    lines: Vec<Line>,
    /// Tour and position of each job, `None` when it is left out.
    at: Vec<Option<(usize, usize)>>,
    /// Clock when each job's pairs were last tried.
    tested: Vec<u64>,
    clock: u64,
    /// Searches since the last penalty update, and how many ended within
    /// capacity and on time.
    runs: u32,
    load_ok: u32,
    time_ok: u32,
    /// The penalties changed since the tours were priced.
    stale: bool,
    /// When the search's time is up: a descent stops there.
    pub deadline: Option<Instant>,
    /// The window each job is to be served in.
    window: Vec<(f64, f64)>,
    /// Time units per distance unit, over the matrices: what a distance
    /// over a van's limit weighs against time warp.
    distance_scale: f64,
    /// Some job has several windows.
    multi: bool,
}

/// What one local search did.
pub enum Outcome {
    /// Nothing better than the tours it was given.
    Unchanged,
    /// Better, feasible tours: each changed vehicle's new jobs.
    Improved(Vec<(usize, Vec<usize>)>),
    /// It ended out of bounds and could not be repaired.
    Infeasible,
}

impl<'a> LocalSearch<'a> {
    /// True when the summaries capture every constraint of `problem`.
    pub fn applies(problem: &Problem) -> bool {
        problem.drivers.is_empty()
            && problem.jobs.iter().all(|j| j.shipment.is_none())
            && problem
                .vehicles
                .iter()
                .all(|v| v.driver_break.is_none() && v.max_trips == 1)
    }

    pub fn new(problem: &'a Problem) -> Self {
        let n = problem.jobs.len();
        LocalSearch {
            problem,
            neighbours: neighbours::granular(problem, GRANULARITY),
            penalties: initial_penalties(problem),
            lines: Vec::new(),
            at: vec![None; n],
            tested: vec![0; n],
            clock: 0,
            runs: 0,
            load_ok: 0,
            time_ok: 0,
            stale: true,
            deadline: None,
            window: vec![ALWAYS; n],
            distance_scale: distance_scale(problem),
            multi: problem.jobs.iter().any(|j| j.windows.len() > 1),
        }
    }

    /// Improves `tours` around the `focus` jobs (those just moved): their
    /// pairs are tried first, then those of every tour a move changes. A
    /// search that ends infeasible is run again with tenfold penalties to
    /// repair it and, failing that, from the start at prices that only
    /// allow feasible tours.
    pub fn run(&mut self, tours: &[Tour], focus: &[usize], rng: &mut Rng) -> Outcome {
        self.load(tours, focus);
        self.descend(rng);
        let (load_ok, time_ok) = self.bounds_kept();
        self.record(load_ok, time_ok);
        let kept = load_ok && time_ok;
        if !kept && !self.descend_priced(rng, 10.0) {
            // Still out of bounds: start again from the given tours at
            // prices that keep every tour feasible.
            self.load(tours, focus);
            if !self.descend_priced(rng, FEASIBLE_ONLY) {
                return Outcome::Infeasible;
            }
        }
        let changed: Vec<(usize, Vec<usize>)> = self
            .lines
            .iter()
            .filter(|l| l.jobs != tours[l.vehicle].jobs)
            .map(|l| (l.vehicle, l.jobs.clone()))
            .collect();
        if changed.is_empty() {
            Outcome::Unchanged
        } else {
            Outcome::Improved(changed)
        }
    }

    /// Descends at `factor` times the usual prices; true when it ends
    /// within every bound.
    fn descend_priced(&mut self, rng: &mut Rng, factor: f64) -> bool {
        let usual = self.penalties;
        self.set_penalties(Penalties {
            load: usual.load * factor,
            time_warp: usual.time_warp * factor,
        });
        self.descend(rng);
        self.set_penalties(usual);
        self.bounds_kept() == (true, true)
    }

    /// Brings the working copy in line with `tours` (rebuilding only the
    /// tours that differ), with only the `focus` jobs' pairs untested.
    fn load(&mut self, tours: &[Tour], focus: &[usize]) {
        if self.lines.len() != tours.len() {
            self.lines = tours.iter().map(|t| empty_line(t.vehicle)).collect();
            self.at.iter_mut().for_each(|a| *a = None);
            self.stale = true;
        }
        let differs: Vec<usize> = (0..tours.len())
            .filter(|&r| self.stale || self.lines[r].jobs != tours[r].jobs)
            .collect();
        for &r in &differs {
            for &j in &self.lines[r].jobs {
                self.at[j] = None;
            }
            // A job with several windows keeps, for this search, the one it
            // is served in now: a restriction, so tours it finds feasible
            // are feasible.
            for (k, &j) in tours[r].jobs.iter().enumerate() {
                let job = &self.problem.jobs[j];
                let start = if job.windows.len() > 1 {
                    tours[r].service_start(self.problem, k + 1)
                } else {
                    0.0
                };
                self.window[j] = window_of(job, start);
            }
        }
        for r in differs {
            let mut line = std::mem::replace(&mut self.lines[r], empty_line(tours[r].vehicle));
            self.rebuild(r, &mut line, tours[r].jobs.clone());
            self.lines[r] = line;
        }
        self.stale = false;
        self.clock = 1;
        self.lines.iter_mut().for_each(|l| l.modified = 1);
        self.tested.iter_mut().for_each(|t| *t = 1);
        for &j in focus {
            self.tested[j] = 0;
        }
    }

    /// Refreshes the summaries and cost of tour `r` for a new job order.
    fn rebuild(&mut self, r: usize, line: &mut Line, jobs: Vec<usize>) {
        let (p, v) = (self.problem, line.vehicle);
        let veh = &p.vehicles[v];
        line.node.clear();
        line.node
            .push(Seg::depot(veh.start, veh.shift.start, veh.shift.end));
        for (k, &j) in jobs.iter().enumerate() {
            line.node.push(job_seg(p, j, self.window[j]));
            self.at[j] = Some((r, k + 1));
        }
        line.jobs = jobs;
        let n = line.jobs.len();
        line.prefix.clear();
        line.prefix.push(line.node[0]);
        line.reach.clear();
        line.reach.push(0.0);
        line.drive.clear();
        line.drive.push(0.0);
        line.busy.clear();
        line.busy.push(0.0);
        for k in 1..=n {
            let next = line.prefix[k - 1].then(p, v, line.node[k]);
            line.prefix.push(next);
            line.reach.push(next.distance);
            let (a, b) = (line.node[k - 1].last, line.node[k].first);
            line.drive.push(line.drive[k - 1] + p.duration.get(a, b));
            line.busy
                .push(line.busy[k - 1] + p.setup_on(a, b) + line.node[k].time.duration);
        }
        line.suffix.clear();
        line.suffix.resize(n + 2, line.node[0]);
        line.suffix_skills.clear();
        line.suffix_skills.resize(n + 2, 0);
        for k in (1..=n).rev() {
            line.suffix[k] = if k == n {
                line.node[k]
            } else {
                line.node[k].then(p, v, line.suffix[k + 1])
            };
            line.suffix_skills[k] = line.suffix_skills[k + 1] | p.jobs[line.jobs[k - 1]].skills;
        }
        line.cost = self.price_seg(v, line.prefix[n], n);
    }

    /// Penalised cost of vehicle `v` driving `seg` (from its start depot)
    /// then back to its end depot; `jobs` stops in all.
    fn price_seg(&self, v: usize, seg: Seg, jobs: usize) -> f64 {
        if jobs == 0 {
            return 0.0;
        }
        let veh = &self.problem.vehicles[v];
        // The one hard rule here: a move past the vehicle's most jobs is
        // never taken (penalising it would only make the repair longer).
        if !veh.holds(jobs) {
            return f64::INFINITY;
        }
        let whole = seg.then(
            self.problem,
            v,
            Seg::depot(veh.end, veh.shift.start, veh.shift.end),
        );
        let overtime = veh
            .max_duration
            .map_or(0.0, |m| (whole.time.duration - m).max(0.0));
        let too_far = veh
            .max_distance
            .map_or(0.0, |m| (whole.distance - m).max(0.0));
        veh.fixed_cost
            + veh.cost_per_distance * whole.distance
            + veh.cost_per_time * whole.time.duration
            + self.penalties.time_warp
                * (whole.time.time_warp + overtime + self.distance_scale * too_far)
            + self.penalties.load * whole.load.peak.excess(veh.capacity) as f64
    }

    /// Whether every tour is within capacity, and whether every tour is on
    /// time (windows, shift end, maximum duration).
    fn bounds_kept(&self) -> (bool, bool) {
        (0..self.lines.len()).fold((true, true), |(load_ok, time_ok), r| {
            let (over_load, late) = self.out_of_bounds(r);
            (load_ok && !over_load, time_ok && !late)
        })
    }

    /// Whether tour `r` carries too much, and whether it is late.
    fn out_of_bounds(&self, r: usize) -> (bool, bool) {
        let line = &self.lines[r];
        if line.len() == 0 {
            return (false, false);
        }
        let veh = &self.problem.vehicles[line.vehicle];
        let whole = line.prefix[line.len()].then(
            self.problem,
            line.vehicle,
            Seg::depot(veh.end, veh.shift.start, veh.shift.end),
        );
        let late = whole.time.time_warp > 1e-9
            || veh
                .max_duration
                .is_some_and(|m| whole.time.duration > m + 1e-9)
            || veh.max_distance.is_some_and(|m| whole.distance > m + 1e-9);
        (!whole.load.peak.fits(veh.capacity), late)
    }

    /// Applies improving moves until none is left.
    fn descend(&mut self, rng: &mut Rng) {
        let mut order: Vec<usize> = (0..self.at.len())
            .filter(|&j| self.at[j].is_some())
            .collect();
        loop {
            let mut improved = false;
            rng.shuffle(&mut order);
            for &u in &order {
                if self.deadline.is_some_and(|d| Instant::now() >= d) {
                    return;
                }
                let last = self.tested[u];
                self.tested[u] = self.clock;
                for k in 0..self.neighbours[u].len() {
                    let v = self.neighbours[u][k];
                    let (Some((ru, _)), Some((rv, _))) = (self.at[u], self.at[v]) else {
                        continue;
                    };
                    if self.lines[ru].modified.max(self.lines[rv].modified) > last
                        && self.try_pair(u, v)
                    {
                        improved = true;
                    }
                }
                if let Some((ru, _)) = self.at[u] {
                    if self.lines[ru].modified > last && self.try_empty(u) {
                        improved = true;
                    }
                }
            }
            if !improved {
                return;
            }
        }
    }

    /// Prices a move against the current tours and applies it when it
    /// saves more than [`EPS`].
    fn take_if_better(&mut self, candidate: Option<Move>) -> bool {
        let Some(mv) = candidate else {
            return false;
        };
        let rebuilt = mv.tours();
        // Penalties and waiting only add: the distance and the time no
        // window can shorten often show that a move cannot pay.
        let bound: Option<f64> = rebuilt
            .iter()
            .map(|r| self.cost_bound(r).map(|b| b - self.lines[r.line].cost))
            .sum();
        if bound.is_some_and(|b| b >= -EPS) {
            return false;
        }
        let mut delta = 0.0;
        for r in rebuilt {
            delta += self.price(r) - self.lines[r.line].cost;
        }
        if delta >= -EPS {
            return false;
        }

        let orders: Vec<Vec<usize>> = rebuilt.iter().map(|r| self.jobs_of(r)).collect();
        self.clock += 1;
        for (r, jobs) in rebuilt.iter().zip(orders) {
            let vehicle = self.lines[r.line].vehicle;
            for &j in &jobs {
                self.window[j] = self.window_for(j, vehicle);
            }
            let mut line = std::mem::replace(&mut self.lines[r.line], empty_line(0));
            line.modified = self.clock;
            self.rebuild(r.line, &mut line, jobs);
            self.lines[r.line] = line;
        }
        true
    }

    /// What a rebuilt tour costs at least: its fixed cost, its distance,
    /// and its driving, set-ups and service at the cost per time (`None`
    /// when it reverses a piece, whose sums are not cached).
    fn cost_bound(&self, r: &Rebuilt) -> Option<f64> {
        let p = self.problem;
        let veh = &p.vehicles[self.lines[r.line].vehicle];
        // Problems priced by distance alone (the public benchmarks) skip
        // the time sums.
        let timed = veh.cost_per_time != 0.0;
        let (mut distance, mut drive, mut busy) = (0.0, 0.0, 0.0);
        let (mut last, mut jobs) = (veh.start, 0);
        for piece in r.pieces().iter().filter(|q| q.from <= q.to) {
            if piece.reversed {
                return None;
            }
            let line = &self.lines[piece.line];
            if piece.from > 0 {
                let first = line.node[piece.from].first;
                distance += p.distance.get(last, first);
                if timed {
                    drive += p.duration.get(last, first);
                    busy += line.node[piece.from].time.duration;
                    if !p.setup.is_empty() {
                        busy += p.setup_on(last, first);
                    }
                }
                jobs += piece.to + 1 - piece.from;
            } else {
                jobs += piece.to;
            }
            distance += line.reach[piece.to] - line.reach[piece.from];
            if timed {
                drive += line.drive[piece.to] - line.drive[piece.from];
                busy += line.busy[piece.to] - line.busy[piece.from];
            }
            last = line.node[piece.to].last;
        }
        if jobs == 0 {
            return Some(0.0);
        }
        distance += p.distance.get(last, veh.end);
        let mut bound = veh.fixed_cost + veh.cost_per_distance * distance;
        if timed {
            drive += p.duration.get(last, veh.end);
            if !p.setup.is_empty() {
                busy += p.setup_on(last, veh.end);
            }
            bound += veh.cost_per_time * (drive / veh.speed_factor + busy);
        }
        Some(bound)
    }

    /// Penalised cost of a rebuilt tour.
    fn price(&self, r: &Rebuilt) -> f64 {
        let v = self.lines[r.line].vehicle;
        let pieces = r.pieces();
        let mut acc = self.seg(v, pieces[0]);
        let mut jobs = pieces[0].to;
        for &p in &pieces[1..] {
            if p.from > p.to {
                continue;
            }
            acc = acc.then(self.problem, v, self.seg(v, p));
            jobs += p.to + 1 - p.from;
        }
        self.price_seg(v, acc, jobs)
    }

    /// Summary of one piece, for vehicle `v`. A prefix is always its own
    /// tour's. A piece of a tour whose summaries do not hold for `v` (another
    /// pace, or another shift where a job has several windows) is walked
    /// again, each job in its window for `v` ([`Self::window_for`]).
    fn seg(&self, v: usize, p: Piece) -> Seg {
        let line = &self.lines[p.line];
        let cached = self.cached_for(line.vehicle, v);
        let node = |k: usize| {
            if cached {
                line.node[k]
            } else {
                let j = line.jobs[k - 1];
                job_seg(self.problem, j, self.window_for(j, v))
            }
        };
        if p.reversed {
            return (p.from..p.to)
                .rev()
                .fold(node(p.to), |acc, k| acc.then(self.problem, v, node(k)));
        }
        if p.from == 0 {
            return line.prefix[p.to];
        }
        if cached && p.to == line.len() {
            return line.suffix[p.from];
        }
        (p.from + 1..=p.to).fold(node(p.from), |acc, k| acc.then(self.problem, v, node(k)))
    }

    /// Whether the summaries of a tour of vehicle `a` hold for vehicle `b`:
    /// same pace, and same shift unless no job has several windows.
    fn cached_for(&self, a: usize, b: usize) -> bool {
        let (va, vb) = (&self.problem.vehicles[a], &self.problem.vehicles[b]);
        a == b || (va.speed_factor == vb.speed_factor && (!self.multi || va.shift == vb.shift))
    }

    /// The window job `j` is served in by vehicle `v`: its current one when
    /// that meets `v`'s shift, else the first that does (a request open on
    /// several days moves to another day's tour in that day's window).
    fn window_for(&self, j: usize, v: usize) -> (f64, f64) {
        let windows = &self.problem.jobs[j].windows;
        let current = self.window[j];
        if windows.len() <= 1 {
            return current;
        }
        let shift = self.problem.vehicles[v].shift;
        let meets = |(a, b): (f64, f64)| a <= shift.end && shift.start <= b;
        if meets(current) {
            return current;
        }
        windows
            .iter()
            .map(|w| (w.start, w.end))
            .find(|&w| meets(w))
            .unwrap_or(current)
    }

    /// The job order of a rebuilt tour.
    fn jobs_of(&self, r: &Rebuilt) -> Vec<usize> {
        let mut jobs = Vec::new();
        for p in r.pieces() {
            if p.from > p.to {
                continue;
            }
            let line = &self.lines[p.line];
            let from = p.from.max(1);
            let part = &line.jobs[from - 1..p.to];
            if p.reversed {
                jobs.extend(part.iter().rev());
            } else {
                jobs.extend_from_slice(part);
            }
        }
        jobs
    }
}

/// Mean time per distance unit over the matrices (1 when they hold no
/// distance).
fn distance_scale(problem: &Problem) -> f64 {
    let (distance, time) = (problem.distance.sum(), problem.duration.sum());
    if distance > 0.0 && time > 0.0 {
        time / distance
    } else {
        1.0
    }
}
