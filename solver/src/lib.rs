//! `tournee-solver`: the optimisation library behind Tournée.
//!
//! It knows nothing of depots' names, JSON or HTTP. It takes a [`Problem`]
//! (jobs, vehicle shifts, travel matrices, all as indices and numbers) and a
//! budget, and returns a [`Solution`]: tours and the jobs left out, each with
//! a [`Reason`].
//!
//! ```
//! use tournee_solver::{solve, Job, Load, Matrix, Params, Problem, Vehicle};
//! let pts: [(f64, f64); 3] = [(0.0, 0.0), (3.0, 4.0), (6.0, 8.0)];
//! let d = Matrix::from_fn(3, |i, j| {
//!     let (a, b) = (pts[i], pts[j]);
//!     ((a.0 - b.0) * (a.0 - b.0) + (a.1 - b.1) * (a.1 - b.1)).sqrt()
//! });
//! let problem = Problem {
//!     jobs: vec![Job::at(1), Job::at(2)],
//!     vehicles: vec![Vehicle::new(0, Load([10, 0, 0]))],
//!     distance: d.clone(),
//!     duration: d,
//!     setup: Vec::new(),
//!     drivers: Vec::new(),
//! };
//! let params = Params { iteration_limit: Some(50), ..Params::default() };
//! let solution = solve(&problem, &params, |_| {}).unwrap();
//! assert_eq!(solution.routes.len(), 1);
//! assert!((solution.distance - 20.0).abs() < 1e-9);
//! ```

pub mod crossover;
mod diagnose;
mod drivers;
pub mod io;
pub mod local_search;
mod neighbours;
mod population;
pub mod problem;
pub mod rng;
pub mod route;
pub mod search;
mod segment;
pub mod solution;

pub use problem::{
    Break, Driver, Job, Load, Matrix, Problem, ProblemError, Shipment, TimeWindow, Vehicle, DIMS,
};
pub use route::{schedule, BreakVisit, Schedule, Violation, Visit};
pub use search::{Params, Progress};
pub use solution::{Reason, Route, Solution};

/// Checks `problem` and searches it within the budget in `params`, calling
/// `progress` on every improvement and a few times a second.
pub fn solve(
    problem: &Problem,
    params: &Params,
    progress: impl FnMut(&Progress),
) -> Result<Solution, ProblemError> {
    problem.validate()?;
    let threads = params.threads.max(1);
    if threads == 1 {
        return Ok(search::solve(problem, params, progress));
    }
    // Independent searches with consecutive seeds; the first one reports
    // progress. Ties go to the lowest seed, so the answer stays reproducible
    // under iteration limits.
    let solutions: Vec<Solution> = std::thread::scope(|scope| {
        let others: Vec<_> = (1..threads as u64)
            .map(|k| {
                let params = Params {
                    seed: params.seed.wrapping_add(k),
                    ..params.clone()
                };
                scope.spawn(move || search::solve(problem, &params, |_| {}))
            })
            .collect();
        let mut all = vec![search::solve(problem, params, progress)];
        all.extend(others.into_iter().filter_map(|h| h.join().ok()));
        all
    });
    let best = solutions.into_iter().reduce(|best, s| {
        if s.objective < best.objective - 1e-9 {
            s
        } else {
            best
        }
    });
    best.ok_or_else(|| ProblemError("every search thread failed".into()))
}
