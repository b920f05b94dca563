//! Granular neighbourhoods: for each job, the few other jobs it is worth
//! putting next to.
//!
//! Closeness mixes distance with how well the two jobs' windows chain, as in
//! Vidal et al. (2013): going from `i` to `j` costs the distance, plus a
//! fifth of the least wait at `j` and the least time warp (lateness) at
//! `j`. Two jobs near each other but open at opposite ends of the day are
//! then far apart. The measure is made symmetric by taking the smaller way.

use crate::problem::{Job, Problem};

/// Weight of the least waiting time and of the least time warp.
const WAIT_WEIGHT: f64 = 0.2;
const WARP_WEIGHT: f64 = 1.0;

/// Each job's `k` closest other jobs, closest first (ties by index).
pub fn granular(problem: &Problem, k: usize) -> Vec<Vec<usize>> {
    let n = problem.jobs.len();
    let k = k.min(n.saturating_sub(1));
    (0..n)
        .map(|i| {
            let mut others: Vec<(f64, usize)> = (0..n)
                .filter(|&j| j != i)
                .map(|j| (proximity(problem, i, j).min(proximity(problem, j, i)), j))
                .collect();
            let by_key =
                |a: &(f64, usize), b: &(f64, usize)| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1));
            if k < others.len() && k > 0 {
                others.select_nth_unstable_by(k - 1, by_key);
            }
            others.truncate(k);
            others.sort_by(by_key);
            others.into_iter().map(|(_, j)| j).collect()
        })
        .collect()
}

/// How unattractive serving `j` right after `i` is.
pub fn proximity(problem: &Problem, i: usize, j: usize) -> f64 {
    let (a, b) = (&problem.jobs[i], &problem.jobs[j]);
    let distance = problem.distance.get(a.location, b.location);
    let travel = problem.duration.get(a.location, b.location);
    let (a_open, a_close) = span(a);
    let (b_open, b_close) = span(b);
    // Leaving `i` as late as possible still reaching `j` before it opens:
    // the least wait. Leaving as early as possible after `j` closed: the
    // least warp.
    let wait = (b_open - a_close - a.service - travel).max(0.0);
    let warp = (a_open + a.service + travel - b_close).max(0.0);
    distance + WAIT_WEIGHT * wait + WARP_WEIGHT * warp
}

/// First opening and last closing of a job's windows (always open: ±∞
/// folded to a span that adds nothing).
fn span(job: &Job) -> (f64, f64) {
    match (job.windows.first(), job.windows.last()) {
        (Some(f), Some(l)) => (f.start, l.end),
        _ => (f64::NEG_INFINITY, f64::INFINITY),
    }
}
