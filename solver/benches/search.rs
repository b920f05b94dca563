//! Micro-benchmarks: the O(1) insertion test (the move evaluation every
//! recreate step repeats thousands of times), one full pass (construction
//! of a complete solution, its local search, one ruin-and-recreate
//! iteration) on Solomon R101 and on a seeded 1,000-stop instance, and one
//! local-search descent on R101.

use std::path::PathBuf;

use criterion::{criterion_group, criterion_main, Criterion};
use tournee_solver::io::read_solomon;
use tournee_solver::local_search::{LocalSearch, Outcome};
use tournee_solver::rng::Rng;
use tournee_solver::route::Tour;
use tournee_solver::{Job, Load, Matrix, Params, Problem, TimeWindow, Vehicle};

fn r101() -> Problem {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../data/benchmarks/R101.txt");
    let text = std::fs::read_to_string(path).expect("data/benchmarks/R101.txt");
    read_solomon(&text).expect("parses").to_problem()
}

/// 1,000 stops uniformly in a 100 × 100 square, 2-hour windows over a
/// 10-hour day, demand 1–20, vans of 200.
fn synthetic(n: usize, seed: u64) -> Problem {
    let mut rng = Rng::new(seed);
    let pts: Vec<(f64, f64)> = (0..=n)
        .map(|_| (rng.unit() * 100.0, rng.unit() * 100.0))
        .collect();
    let d = Matrix::from_fn(n + 1, |i, j| {
        ((pts[i].0 - pts[j].0).powi(2) + (pts[i].1 - pts[j].1).powi(2)).sqrt()
    });
    let jobs = (1..=n)
        .map(|i| {
            let open = rng.unit() * 480.0;
            Job {
                pickup: Load([1 + rng.below(20) as i64, 0, 0]),
                service: 10.0,
                windows: vec![TimeWindow::new(open, open + 120.0)],
                ..Job::at(i)
            }
        })
        .collect();
    let mut v = Vehicle::new(0, Load([200, 0, 0]));
    v.shift = TimeWindow::new(0.0, 720.0);
    Problem {
        jobs,
        vehicles: vec![v; n / 5],
        distance: d.clone(),
        duration: d,
        setup: Vec::new(),
        drivers: Vec::new(),
    }
}

fn insertion(c: &mut Criterion) {
    let p = r101();
    // A tour of the first ten customers in time-window order.
    let mut jobs: Vec<usize> = (0..10).collect();
    jobs.sort_by(|&a, &b| {
        p.jobs[a].windows[0]
            .end
            .total_cmp(&p.jobs[b].windows[0].end)
    });
    let tour = (0..jobs.len())
        .rev()
        .find_map(|k| Tour::new(&p, 0, jobs[..=k].to_vec()))
        .expect("a feasible prefix");
    c.bench_function("try_insert R101 (every position, 50 jobs)", |b| {
        b.iter(|| {
            let mut found = 0;
            for job in 50..100 {
                for after in 0..=tour.len() {
                    found += tour.try_insert(&p, job, after).is_some() as usize;
                }
            }
            found
        })
    });
}

fn full_pass(c: &mut Criterion) {
    let params = Params {
        iteration_limit: Some(1),
        time_limit: None,
        ..Params::default()
    };
    let p = r101();
    c.bench_function("construction + local search + 1 iteration, R101", |b| {
        b.iter(|| {
            tournee_solver::solve(&p, &params, |_| {})
                .expect("valid")
                .cost
        })
    });
    let big = synthetic(1000, 7);
    let mut group = c.benchmark_group("large");
    group.sample_size(10);
    group.bench_function(
        "construction + local search + 1 iteration, 1000 stops",
        |b| {
            b.iter(|| {
                tournee_solver::solve(&big, &params, |_| {})
                    .expect("valid")
                    .cost
            })
        },
    );
    group.finish();
}

/// One full descent of the penalised local search (every job's pairs
/// tried until no move improves), from the cheapest-insertion construction.
fn local_search(c: &mut Criterion) {
    let p = r101();
    let params = Params {
        iteration_limit: Some(0),
        time_limit: None,
        local_search: false,
        ..Params::default()
    };
    let first = tournee_solver::solve(&p, &params, |_| {}).expect("valid");
    let tours = first.tours(&p).expect("feasible");
    let every: Vec<usize> = (0..p.jobs.len()).collect();
    let mut ls = LocalSearch::new(&p);
    let mut rng = Rng::new(1);
    c.bench_function("local search descent from construction, R101", |b| {
        b.iter(|| matches!(ls.run(&tours, &every, &mut rng), Outcome::Improved(_)))
    });
}

criterion_group!(benches, insertion, full_pass, local_search);
criterion_main!(benches);
