//! The local search against walking each tour stop by stop and against
//! the exact schedule.

use super::*;
use crate::problem::{Job, Load, Matrix, TimeWindow, Vehicle};
use crate::route::{schedule, tour_cost};
use crate::search::{self, Params};

/// A random problem the local search applies to: scattered jobs, some
/// with a window (with `multi`, some with two), deliveries and pickups,
/// four unlike vehicles (costs, capacities, paces, limits).
fn problem(seed: u64, n: usize, multi: bool) -> Problem {
    let mut rng = Rng::new(seed);
    let pts: Vec<(f64, f64)> = (0..=n)
        .map(|_| (rng.below(100) as f64, rng.below(100) as f64))
        .collect();
    let d = Matrix::from_fn(n + 1, |a, b| {
        ((pts[a].0 - pts[b].0).powi(2) + (pts[a].1 - pts[b].1).powi(2)).sqrt()
    });
    let jobs = (1..=n)
        .map(|loc| {
            let mut job = Job::at(loc);
            job.service = rng.below(10) as f64;
            job.delivery = Load([rng.below(5) as i64, 0, 0]);
            job.pickup = Load([rng.below(5) as i64, rng.below(3) as i64, 0]);
            if rng.chance(0.7) {
                let open = rng.below(300) as f64;
                let close = open + 20.0 + rng.below(100) as f64;
                job.windows = vec![TimeWindow::new(open, close)];
                if multi && rng.chance(0.5) {
                    let later = close + 20.0 + rng.below(100) as f64;
                    job.windows.push(TimeWindow::new(later, later + 60.0));
                }
            }
            job
        })
        .collect();
    let vehicles = (0..4)
        .map(|k| {
            let mut v = Vehicle::new(0, Load([12 + 4 * k as i64, 6, 0]));
            v.shift = TimeWindow::new(0.0, 500.0);
            v.fixed_cost = 10.0 * k as f64;
            v.cost_per_time = if k % 2 == 0 { 0.0 } else { 0.3 };
            v.max_duration = (k == 3).then_some(250.0);
            // Unlike paces, and a distance limit that binds.
            v.speed_factor = [1.0, 0.8, 1.25, 1.0][k];
            v.max_distance = (k == 2).then_some(220.0);
            // And a most jobs a tour that binds on random tours.
            v.max_jobs = (k == 1).then_some(n / 4);
            v
        })
        .collect();
    Problem {
        jobs,
        vehicles,
        distance: d.clone(),
        duration: d,
        setup: Vec::new(),
        drivers: Vec::new(),
    }
}

#[test]
fn every_move_is_priced_as_its_tours_walked_stop_by_stop() {
    let mut over = 0;
    for seed in 1..=5 {
        let mut p = problem(seed, 24, false);
        // Set-up times on odd seeds, so that the bound's set-up terms are
        // checked too.
        if seed % 2 == 1 {
            p.setup = (0..p.distance.size())
                .map(|l| (1 + l % 3) as f64 * 4.0)
                .collect();
        }
        assert!(LocalSearch::applies(&p));
        let mut rng = Rng::new(seed);
        let mut ls = LocalSearch::new(&p);
        ls.penalties = Penalties {
            load: 0.5 + rng.unit() * 5.0,
            time_warp: 0.5 + rng.unit() * 5.0,
        };
        // Random, mostly infeasible tours; one vehicle left empty.
        let mut orders = vec![Vec::new(); 4];
        for j in 0..p.jobs.len() {
            orders[rng.below(3)].push(j);
        }
        rng.shuffle(&mut orders);
        let tours: Vec<Tour> = orders
            .into_iter()
            .enumerate()
            .map(|(v, jobs)| {
                let mut t = Tour::empty(&p, v);
                t.jobs = jobs;
                t
            })
            .collect();
        ls.load(&tours, &[]);
        let walk = |v: usize, jobs: &[usize]| {
            let veh = &p.vehicles[v];
            let start = Seg::depot(veh.start, veh.shift.start, veh.shift.end);
            let seg = jobs.iter().fold(start, |acc, &j| {
                acc.then(&p, v, job_seg(&p, j, window_of(&p.jobs[j], 0.0)))
            });
            ls.price_seg(v, seg, jobs.len())
        };
        let mut priced = 0;
        for u in 0..p.jobs.len() {
            for v in 0..p.jobs.len() {
                let (Some((ru, i)), Some((rv, j))) = (ls.at[u], ls.at[v]) else {
                    panic!("every job is in a tour");
                };
                let empty = (0..4).find(|&r| ls.lines[r].len() == 0);
                let reconnect = if ru == rv {
                    ls.two_opt(ru, i, j)
                } else {
                    ls.two_opt_star(ru, i, rv, j)
                };
                let mut moves = vec![
                    reconnect,
                    ls.exchange(ru, i, 1, rv, 0, 0),
                    empty.and_then(|e| ls.exchange(ru, i, 2, e, 0, 0)),
                ];
                for (n, m) in [(1, 0), (2, 0), (1, 1), (2, 1), (1, 2), (2, 2), (3, 3)] {
                    moves.push(ls.exchange(ru, i, n, rv, j, m));
                }
                for mv in moves.into_iter().flatten() {
                    let mut before = Vec::new();
                    let mut after = Vec::new();
                    for r in mv.tours() {
                        let jobs = ls.jobs_of(r);
                        let vehicle = ls.lines[r.line].vehicle;
                        let exact = walk(vehicle, &jobs);
                        let price = ls.price(r);
                        // (Both infinite past the vehicle's most jobs.)
                        assert!(
                            price == exact || (price - exact).abs() < 1e-6,
                            "seed {seed}"
                        );
                        if p.vehicles[vehicle].max_jobs.is_some_and(|m| jobs.len() > m) {
                            assert_eq!(price, f64::INFINITY);
                            over += 1;
                        }
                        if let Some(bound) = ls.cost_bound(r) {
                            assert!(bound <= exact + 1e-6);
                        }
                        before.extend_from_slice(&ls.lines[r.line].jobs);
                        after.extend(jobs);
                        priced += 1;
                    }
                    // A move only reorders the jobs of its tours.
                    before.sort_unstable();
                    after.sort_unstable();
                    assert_eq!(before, after);
                }
            }
        }
        assert!(priced > 5000, "{priced}");
    }
    assert!(over > 100, "{over} moves past the most jobs");
}

#[test]
fn summaries_and_the_schedule_agree_on_lateness_load_and_duration() {
    let mut feasible = 0;
    for seed in 1..=3 {
        let mut p = problem(seed, 30, false);
        let mut rng = Rng::new(seed);
        for veh in &mut p.vehicles {
            veh.max_duration = None;
        }
        for _ in 0..3000 {
            let v = rng.below(p.vehicles.len());
            let mut jobs: Vec<usize> = (0..p.jobs.len()).filter(|_| rng.chance(0.15)).collect();
            rng.shuffle(&mut jobs);
            let veh = &p.vehicles[v];
            let start = Seg::depot(veh.start, veh.shift.start, veh.shift.end);
            let whole = jobs
                .iter()
                .fold(start, |acc, &j| {
                    acc.then(&p, v, job_seg(&p, j, window_of(&p.jobs[j], 0.0)))
                })
                .then(&p, v, Seg::depot(veh.end, veh.shift.start, veh.shift.end));
            let fits = whole.time.time_warp < 1e-9
                && whole.load.peak.fits(veh.capacity)
                && veh.max_distance.is_none_or(|m| whole.distance <= m + 1e-9)
                && veh.max_jobs.is_none_or(|m| jobs.len() <= m);
            match schedule(&p, v, &jobs) {
                Ok(s) => {
                    assert!(fits, "{jobs:?}");
                    assert!(
                        (s.duration() - whole.time.duration).abs() < 1e-6,
                        "{jobs:?}"
                    );
                    assert!((s.distance - whole.distance).abs() < 1e-6);
                    feasible += 1;
                }
                Err(e) => assert!(!fits, "{e:?} {jobs:?}"),
            }
        }
    }
    assert!(feasible > 500, "{feasible}");
}

#[test]
fn a_search_ends_with_feasible_tours_that_cost_no_more() {
    let (mut improved, mut improved_multi) = (0, 0);
    for seed in 1..=8 {
        // Even seeds: jobs open in two windows.
        let p = problem(seed, 40, seed % 2 == 0);
        // A quick first answer without the local search, to improve on.
        let params = Params {
            seed,
            iteration_limit: Some(5),
            time_limit: None,
            local_search: false,
            ..Params::default()
        };
        let first = search::solve(&p, &params, |_| {});
        let tours = first.tours(&p).expect("the search returns feasible tours");
        let cost = |v: usize, jobs: &[usize]| {
            let sched = schedule(&p, v, jobs).expect("feasible");
            tour_cost(&p, v, &sched)
        };
        let before: f64 = tours.iter().map(|t| cost(t.vehicle, &t.jobs)).sum();
        let mut ls = LocalSearch::new(&p);
        let every: Vec<usize> = (0..p.jobs.len()).collect();
        let mut rng = Rng::new(seed);
        if let Outcome::Improved(changes) = ls.run(&tours, &every, &mut rng) {
            let mut after = before;
            for (v, jobs) in changes {
                // Feasible by the exact schedule, not only by the summaries.
                after += cost(v, &jobs) - cost(v, &tours[v].jobs);
            }
            if seed % 2 == 0 {
                // Two windows: the search prices each job in the window
                // it was served in, so its gain can be an illusion the
                // exact schedule undoes (the genetic search checks each
                // one before it keeps it); most are real.
                improved_multi += usize::from(after < before - 1e-9);
            } else {
                assert!(after < before - 1e-9, "seed {seed}: {after} vs {before}");
            }
            improved += 1;
        }
    }
    assert!(
        improved >= 4,
        "the search improved {improved} of 8 first answers"
    );
    assert!(
        improved_multi >= 2,
        "{improved_multi} of 4 with two windows"
    );
}

/// Requests open on two days, vans on either day: a move to the other
/// day's tour is priced in that day's window, as the tour walked stop by
/// stop in the windows that meet its shift.
#[test]
fn a_move_to_another_days_tour_is_priced_in_that_days_window() {
    for seed in 1..=3 {
        let mut p = problem(seed, 20, false);
        for (k, job) in p.jobs.iter_mut().enumerate() {
            let open = (k % 5) as f64 * 60.0;
            job.windows = vec![
                TimeWindow::new(open, open + 120.0),
                TimeWindow::new(1000.0 + open, 1000.0 + open + 120.0),
            ];
        }
        // Vans 0 and 1 on day one, 2 and 3 on day two, at unlike paces.
        for (k, veh) in p.vehicles.iter_mut().enumerate() {
            veh.shift = if k < 2 {
                TimeWindow::new(0.0, 500.0)
            } else {
                TimeWindow::new(1000.0, 1500.0)
            };
            veh.max_duration = None;
        }
        let mut rng = Rng::new(seed);
        let mut ls = LocalSearch::new(&p);
        let mut orders = vec![Vec::new(); 4];
        for j in 0..p.jobs.len() {
            orders[rng.below(4)].push(j);
        }
        // The window of each job that meets vehicle `v`'s shift.
        let on_day = |j: usize, v: usize| {
            let shift = p.vehicles[v].shift;
            let w = p.jobs[j]
                .windows
                .iter()
                .find(|w| w.start <= shift.end && shift.start <= w.end)
                .expect("a window each day");
            (w.start, w.end)
        };
        // Random (mostly infeasible) tours, each job in its tour's day.
        let empty: Vec<Tour> = (0..4).map(|v| Tour::empty(&p, v)).collect();
        ls.load(&empty, &[]);
        for (r, jobs) in orders.into_iter().enumerate() {
            for &j in &jobs {
                ls.window[j] = on_day(j, r);
            }
            let mut line = std::mem::replace(&mut ls.lines[r], empty_line(r));
            ls.rebuild(r, &mut line, jobs);
            ls.lines[r] = line;
        }
        let walk = |v: usize, jobs: &[usize]| {
            let veh = &p.vehicles[v];
            let start = Seg::depot(veh.start, veh.shift.start, veh.shift.end);
            let seg = jobs.iter().fold(start, |acc, &j| {
                acc.then(&p, v, job_seg(&p, j, on_day(j, v)))
            });
            ls.price_seg(v, seg, jobs.len())
        };
        let mut across = 0;
        for u in 0..p.jobs.len() {
            for w in 0..p.jobs.len() {
                let (Some((ru, i)), Some((rv, j))) = (ls.at[u], ls.at[w]) else {
                    continue;
                };
                let mut moves = vec![if ru == rv {
                    ls.two_opt(ru, i, j)
                } else {
                    ls.two_opt_star(ru, i, rv, j)
                }];
                for (n, m) in [(1, 0), (2, 0), (1, 1), (2, 2)] {
                    moves.push(ls.exchange(ru, i, n, rv, j, m));
                }
                for mv in moves.into_iter().flatten() {
                    for r in mv.tours() {
                        let vehicle = ls.lines[r.line].vehicle;
                        let exact = walk(vehicle, &ls.jobs_of(r));
                        let price = ls.price(r);
                        assert!(
                            price == exact || (price - exact).abs() < 1e-6,
                            "seed {seed}"
                        );
                    }
                    let days: Vec<bool> = mv
                        .tours()
                        .iter()
                        .map(|r| ls.lines[r.line].vehicle < 2)
                        .collect();
                    across += usize::from(days.len() == 2 && days[0] != days[1]);
                }
            }
        }
        assert!(across > 500, "{across} moves between days");
    }
}
