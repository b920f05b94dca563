//! The search's own scales, on small hand-made problems.

use super::{Params, Search};
use crate::problem::{Job, Load, Matrix, Problem, Vehicle};

/// Six jobs on a line east of the depot, a van of capacity 10 costing a
/// fixed 5 per tour plus its distance; with `impossible`, a seventh job
/// heavier than the van.
fn line_problem(impossible: bool) -> Problem {
    let mut points: Vec<f64> = (0..=6).map(|k| k as f64 * 3.0).collect();
    let mut jobs: Vec<Job> = (1..=6)
        .map(|k| Job {
            pickup: Load([3, 0, 0]),
            ..Job::at(k)
        })
        .collect();
    if impossible {
        points.push(10.0);
        jobs.push(Job {
            pickup: Load([50, 0, 0]),
            ..Job::at(7)
        });
    }
    let d = Matrix::from_fn(points.len(), |i, j| (points[i] - points[j]).abs());
    let van = Vehicle {
        fixed_cost: 5.0,
        ..Vehicle::new(0, Load([10, 0, 0]))
    };
    Problem {
        jobs,
        vehicles: vec![van; 3],
        distance: d.clone(),
        duration: d,
        setup: Vec::new(),
        drivers: Vec::new(),
    }
}

#[test]
fn a_job_no_van_can_take_does_not_heat_the_annealing() {
    let params = Params::default();
    let scale = |p: &Problem| {
        let mut search = Search::new(p, &params);
        let first = search.initial();
        (search.cost_per_job(&first), first)
    };
    let (plain, _) = scale(&line_problem(false));
    let with_impossible = line_problem(true);
    let (heated, first) = scale(&with_impossible);
    // The heavy job stays out at its prohibitive penalty…
    assert_eq!(first.absent, vec![6]);
    assert!(first.cost > with_impossible.unassigned_penalty());
    // …and the temperatures still follow what the tours cost per job.
    assert!(plain > 1.0 && plain < 20.0, "{plain}");
    assert!((heated - plain).abs() < 1e-9, "{heated} vs {plain}");
}
