//! Each constraint kind on a tiny hand-made instance whose optimum is found
//! by enumerating every assignment and order, with an evaluator written here
//! independently of the solver's.

use tournee_solver::{
    solve, Break, Job, Load, Matrix, Params, Problem, Reason, Shipment, TimeWindow, Vehicle,
};

fn euclid(points: &[(f64, f64)]) -> Matrix {
    Matrix::from_fn(points.len(), |i, j| {
        let (a, b) = (points[i], points[j]);
        ((a.0 - b.0).powi(2) + (a.1 - b.1).powi(2)).sqrt()
    })
}

fn problem(points: &[(f64, f64)], jobs: Vec<Job>, vehicles: Vec<Vehicle>) -> Problem {
    let d = euclid(points);
    Problem {
        jobs,
        vehicles,
        distance: d.clone(),
        duration: d,
        setup: Vec::new(),
        drivers: Vec::new(),
    }
}

fn load(x: i64) -> Load {
    Load([x, 0, 0])
}

/// Cost of one vehicle's sequence, or `None` when it breaks a rule: the
/// cheapest over every way to split it into the trips the vehicle may make.
fn route_cost(p: &Problem, v: usize, seq: &[usize]) -> Option<f64> {
    if let Some(most) = p.vehicles[v].max_jobs {
        if seq.len() > most {
            return None;
        }
    }
    cut_sets(p, v, seq)
        .iter()
        .filter_map(|cuts| trips_cost(p, v, seq, cuts))
        .min_by(f64::total_cmp)
}

/// Every set of reload points (jobs before which the vehicle goes back to
/// its depot) with fewer cuts than the vehicle's trips.
fn cut_sets(p: &Problem, v: usize, seq: &[usize]) -> Vec<Vec<usize>> {
    let max_cuts = p.vehicles[v].max_trips - 1;
    let gaps = seq.len().saturating_sub(1);
    (0..1u32 << gaps)
        .filter(|mask| mask.count_ones() as usize <= max_cuts)
        .map(|mask| {
            (0..gaps)
                .filter(|g| mask >> g & 1 == 1)
                .map(|g| g + 1)
                .collect()
        })
        .collect()
}

/// The stops of a sequence with reloads before the jobs at `cuts`: the
/// jobs themselves, and for a reload a job at the depot taking the reload
/// time.
fn with_reloads(p: &Problem, v: usize, seq: &[usize], cuts: &[usize]) -> Vec<Job> {
    let veh = &p.vehicles[v];
    let mut stops = Vec::new();
    for (i, &j) in seq.iter().enumerate() {
        if cuts.contains(&i) {
            stops.push(Job {
                service: veh.reload_service,
                ..Job::at(veh.start)
            });
        }
        stops.push(p.jobs[j].clone());
    }
    stops
}

/// Cost of a sequence split into trips at `cuts`, or `None`.
fn trips_cost(p: &Problem, v: usize, seq: &[usize], cuts: &[usize]) -> Option<f64> {
    if seq.is_empty() {
        return Some(0.0);
    }
    let veh = &p.vehicles[v];
    for (i, &j) in seq.iter().enumerate() {
        let paired = match p.jobs[j].shipment {
            Some(Shipment::PickupFor(d)) => seq[i + 1..].contains(&d),
            Some(Shipment::DeliveryOf(q)) => seq[..i].contains(&q),
            None => true,
        };
        if !paired || p.jobs[j].skills & !veh.skills != 0 {
            return None;
        }
    }
    // Each trip by itself: shipments are loaded at their pickup and must be
    // dropped in the same trip, everything else is loaded at the depot.
    let mut bounds = vec![0];
    bounds.extend_from_slice(cuts);
    bounds.push(seq.len());
    for trip in bounds.windows(2) {
        let trip = &seq[trip[0]..trip[1]];
        let mut on_board: i64 = trip
            .iter()
            .filter(|&&j| !matches!(p.jobs[j].shipment, Some(Shipment::DeliveryOf(_))))
            .map(|&j| p.jobs[j].delivery.0[0])
            .sum();
        if on_board > veh.capacity.0[0] {
            return None;
        }
        for &j in trip {
            if let Some(other) = p.jobs[j].partner() {
                if !trip.contains(&other) {
                    return None;
                }
            }
            on_board += p.jobs[j].pickup.0[0] - p.jobs[j].delivery.0[0];
            if on_board > veh.capacity.0[0] {
                return None;
            }
        }
    }
    let stops = with_reloads(p, v, seq, cuts);
    let dist = distance(p, v, &stops);
    let back = earliest_return(p, v, &stops)?;
    // Tours here leave at the shift start and never wait before their first
    // window, so the duration is the return time minus the shift start.
    let too_long = veh
        .max_duration
        .is_some_and(|m| back - veh.shift.start > m + 1e-9);
    if back > veh.shift.end + 1e-9 || too_long || veh.max_distance.is_some_and(|m| dist > m + 1e-9)
    {
        return None;
    }
    Some(veh.fixed_cost + veh.cost_per_distance * dist)
}

fn distance(p: &Problem, v: usize, stops: &[Job]) -> f64 {
    let veh = &p.vehicles[v];
    let mut places = vec![veh.start];
    places.extend(stops.iter().map(|j| j.location));
    places.push(veh.end);
    places.windows(2).map(|w| p.distance.get(w[0], w[1])).sum()
}

/// Earliest return over every place for the driver's break: in each gap
/// between stops, before driving on or on arrival. No break is needed by a
/// tour back before the window opens.
fn earliest_return(p: &Problem, v: usize, stops: &[Job]) -> Option<f64> {
    let veh = &p.vehicles[v];
    let free = drive(p, v, stops, None);
    let Some(b) = veh.driver_break else {
        return free;
    };
    if free.is_some_and(|t| t <= b.window.start) || veh.shift.start > b.window.end {
        return free;
    }
    (0..=stops.len())
        .flat_map(|gap| [(gap, false), (gap, true)])
        .filter_map(|place| drive(p, v, stops, Some(place)))
        .min_by(f64::total_cmp)
}

/// Return time leaving at the shift start, with the break (if placed) in
/// gap `.0`, taken on arrival when `.1`.
fn drive(p: &Problem, v: usize, stops: &[Job], brk: Option<(usize, bool)>) -> Option<f64> {
    let veh = &p.vehicles[v];
    let (mut t, mut at) = (veh.shift.start, veh.start);
    let stops = stops.iter().map(Some).chain([None]);
    for (gap, job) in stops.enumerate() {
        let to = job.map_or(veh.end, |j| j.location);
        // A place's set-up, unless the leg stays where it is.
        let setup = if p.distance.get(at, to) > 0.0 {
            p.setup.get(to).copied().unwrap_or(0.0)
        } else {
            0.0
        };
        let travel = p.duration.get(at, to) / veh.speed_factor + setup;
        match (brk, veh.driver_break) {
            (Some((g, on_arrival)), Some(b)) if g == gap => {
                let start = if on_arrival { t + travel } else { t }.max(b.window.start);
                if start > b.window.end {
                    return None;
                }
                t = if on_arrival {
                    start + b.duration
                } else {
                    start + b.duration + travel
                };
            }
            _ => t += travel,
        }
        let Some(job) = job else { break };
        let start = if job.windows.is_empty() {
            t
        } else {
            let w = job.windows.iter().find(|w| w.end >= t)?;
            t.max(w.start)
        };
        t = start + job.service;
        at = to;
    }
    Some(t)
}

fn permutations(items: &[usize]) -> Vec<Vec<usize>> {
    if items.len() <= 1 {
        return vec![items.to_vec()];
    }
    let mut out = Vec::new();
    for i in 0..items.len() {
        let mut rest = items.to_vec();
        let x = rest.remove(i);
        for mut p in permutations(&rest) {
            p.insert(0, x);
            out.push(p);
        }
    }
    out
}

/// Optimal objective (tour costs + values of optional jobs left out) by
/// enumeration; mandatory jobs must all be served.
fn optimum(p: &Problem) -> f64 {
    let (n, m) = (p.jobs.len(), p.vehicles.len());
    let mut best = f64::INFINITY;
    let choices = m + 1; // a vehicle, or left out
    for code in 0..choices.pow(n as u32) {
        let mut c = code;
        let mut groups = vec![Vec::new(); choices];
        for j in 0..n {
            groups[c % choices].push(j);
            c /= choices;
        }
        let left_out = &groups[m];
        if left_out.iter().any(|&j| p.jobs[j].prize.is_none()) {
            continue;
        }
        let mut total: f64 = left_out
            .iter()
            .map(|&j| p.jobs[j].prize.unwrap_or(0.0))
            .sum();
        let mut alone = Vec::new();
        for (v, group) in groups.iter().enumerate().take(m) {
            // A driver's shifts are priced together below.
            if p.drivers.iter().any(|d| d.shifts.contains(&v)) {
                alone.push(0.0);
                continue;
            }
            let cheapest = permutations(group)
                .iter()
                .filter_map(|s| route_cost(p, v, s))
                .fold(f64::INFINITY, f64::min);
            alone.push(cheapest);
        }
        total += alone.iter().sum::<f64>();
        for d in &p.drivers {
            total += cheapest_week(p, &d.shifts, &groups, d.max_duration);
        }
        best = best.min(total);
    }
    best
}

/// The cheapest tours of one driver's shifts serving `groups[shift]`
/// each, their durations (return minus shift start: the tours here leave
/// at the start and never wait) summed within `most`.
fn cheapest_week(p: &Problem, shifts: &[usize], groups: &[Vec<usize>], most: f64) -> f64 {
    let options = |v: usize| -> Vec<(f64, f64)> {
        permutations(&groups[v])
            .iter()
            .filter_map(|seq| {
                let cost = route_cost(p, v, seq)?;
                let stops = with_reloads(p, v, seq, &[]);
                let back = earliest_return(p, v, &stops)?;
                let took = if seq.is_empty() {
                    0.0
                } else {
                    back - p.vehicles[v].shift.start
                };
                Some((cost, took))
            })
            .collect()
    };
    let mut sums = vec![(0.0, 0.0)];
    for &v in shifts {
        let here = options(v);
        sums = sums
            .iter()
            .flat_map(|&(c, t)| here.iter().map(move |&(c2, t2)| (c + c2, t + t2)))
            .filter(|&(_, t)| t <= most + 1e-9)
            .collect();
    }
    sums.iter().map(|s| s.0).fold(f64::INFINITY, f64::min)
}

fn solved(p: &Problem) -> tournee_solver::Solution {
    let params = Params {
        iteration_limit: Some(3000),
        time_limit: None,
        ..Params::default()
    };
    let s = solve(p, &params, |_| {}).expect("valid problem");
    // Every returned tour must pass the independent evaluator.
    for r in &s.routes {
        assert!(
            route_cost(p, r.vehicle, &r.jobs).is_some(),
            "infeasible tour {r:?}"
        );
    }
    s
}

fn objective(p: &Problem, s: &tournee_solver::Solution) -> f64 {
    s.cost
        + s.unassigned
            .iter()
            .map(|&(j, _)| p.jobs[j].prize.unwrap_or(f64::INFINITY))
            .sum::<f64>()
}

fn assert_optimal(p: &Problem) -> tournee_solver::Solution {
    let s = solved(p);
    let opt = optimum(p);
    assert!(
        opt.is_finite(),
        "the test instance must have a feasible solution"
    );
    assert!(
        (objective(p, &s) - opt).abs() < 1e-6,
        "solver {} vs optimum {opt}",
        objective(p, &s)
    );
    s
}

const PTS: [(f64, f64); 6] = [
    (0.0, 0.0),
    (10.0, 0.0),
    (10.0, 10.0),
    (0.0, 10.0),
    (-10.0, 5.0),
    (5.0, -8.0),
];

fn job(loc: usize, pickup: i64) -> Job {
    Job {
        pickup: load(pickup),
        ..Job::at(loc)
    }
}

#[test]
fn capacity_splits_the_work() {
    let jobs = (1..=5).map(|l| job(l, 6)).collect();
    let p = problem(&PTS, jobs, vec![Vehicle::new(0, load(12)); 3]);
    let s = assert_optimal(&p);
    assert!(s.routes.len() >= 3);
}

#[test]
fn time_windows_force_the_order() {
    // Geometrically 1,2,3 is shortest; the windows demand 3 first and 1 last.
    let mut jobs: Vec<Job> = (1..=3).map(|l| job(l, 1)).collect();
    jobs[2].windows = vec![TimeWindow::new(0.0, 15.0)];
    jobs[0].windows = vec![TimeWindow::new(40.0, 60.0)];
    let p = problem(&PTS[..4], jobs, vec![Vehicle::new(0, load(10))]);
    let s = assert_optimal(&p);
    assert_eq!(s.routes[0].jobs.first(), Some(&2));
    assert_eq!(s.routes[0].jobs.last(), Some(&0));
}

#[test]
fn several_windows_per_job_and_waiting() {
    let mut jobs: Vec<Job> = (1..=3).map(|l| job(l, 1)).collect();
    // Job 0 is open early and late; the late window is the one that fits.
    jobs[0].windows = vec![TimeWindow::new(0.0, 5.0), TimeWindow::new(50.0, 55.0)];
    jobs[1].windows = vec![TimeWindow::new(20.0, 30.0)];
    jobs[0].service = 3.0;
    let p = problem(&PTS[..4], jobs, vec![Vehicle::new(0, load(10))]);
    let s = assert_optimal(&p);
    let sched = tournee_solver::schedule(&p, 0, &s.routes[0].jobs).expect("feasible");
    let v0 = sched
        .visits
        .iter()
        .find(|v| v.job == 0)
        .expect("job 0 served");
    assert!(v0.start >= 50.0 && v0.start <= 55.0, "{v0:?}");
}

#[test]
fn skills_restrict_vehicles() {
    let mut jobs: Vec<Job> = (1..=4).map(|l| job(l, 1)).collect();
    jobs[1].skills = 0b1;
    jobs[3].skills = 0b1;
    let mut lift = Vehicle::new(0, load(10));
    lift.skills = 0b1;
    lift.fixed_cost = 5.0;
    let p = problem(&PTS, jobs, vec![Vehicle::new(0, load(10)), lift]);
    let s = assert_optimal(&p);
    for r in &s.routes {
        if r.vehicle == 0 {
            assert!(!r.jobs.contains(&1) && !r.jobs.contains(&3));
        }
    }
}

#[test]
fn heterogeneous_fleet_costs_and_speed() {
    let jobs: Vec<Job> = (1..=5).map(|l| job(l, 3)).collect();
    let mut cheap = Vehicle::new(0, load(9));
    cheap.cost_per_distance = 0.5;
    let mut slow = Vehicle::new(0, load(15));
    slow.speed_factor = 0.5;
    slow.shift = TimeWindow::new(0.0, 90.0);
    slow.fixed_cost = 10.0;
    let p = problem(&PTS, jobs, vec![cheap, slow]);
    assert_optimal(&p);
}

#[test]
fn max_distance_and_max_duration() {
    let jobs: Vec<Job> = (1..=5).map(|l| job(l, 1)).collect();
    let mut short = Vehicle::new(0, load(10));
    short.max_distance = Some(30.0);
    let mut brief = Vehicle::new(0, load(10));
    brief.max_duration = Some(40.0);
    let p = problem(&PTS, jobs, vec![short, brief.clone(), brief]);
    let s = assert_optimal(&p);
    for r in &s.routes {
        let sched = tournee_solver::schedule(&p, r.vehicle, &r.jobs).expect("feasible");
        if r.vehicle == 0 {
            assert!(sched.distance <= 30.0 + 1e-9);
        } else {
            assert!(sched.duration() <= 40.0 + 1e-9);
        }
    }
}

#[test]
fn a_places_setup_is_paid_once_for_stops_that_follow_there() {
    // Two sites, each with two requests (two locations at one point).
    let points = [
        (0.0, 0.0),
        (10.0, 0.0),
        (10.0, 0.0),
        (0.0, 10.0),
        (0.0, 10.0),
    ];
    let jobs: Vec<Job> = (1..=4)
        .map(|l| Job {
            service: 5.0,
            ..job(l, 1)
        })
        .collect();
    // 10 + 14.1 + 10 of driving, 20 of service, 2 × 30 of set-up: 114.
    // A set-up for each request would take 174, past the shift; the
    // second van costs more than any detour.
    let van = |fixed: f64| Vehicle {
        shift: TimeWindow::new(0.0, 130.0),
        fixed_cost: fixed,
        ..Vehicle::new(0, load(10))
    };
    let mut p = problem(&points, jobs, vec![van(100.0), van(500.0)]);
    p.setup = vec![0.0, 30.0, 30.0, 30.0, 30.0];
    let s = assert_optimal(&p);
    assert_eq!(s.routes.len(), 1, "{:?}", s.routes);
    let sched = tournee_solver::schedule(&p, 0, &s.routes[0].jobs).expect("feasible");
    assert!(sched.arrival <= 130.0 + 1e-9);
    // Without the rule (a set-up at every stop) one van cannot do it.
    p.distance = Matrix::from_fn(
        5,
        |a, b| if a == b { 0.0 } else { 1e-3 } + euclid(&points).get(a, b),
    );
    assert!(tournee_solver::schedule(&p, 0, &s.routes[0].jobs).is_err());
}

#[test]
fn most_stops_per_tour() {
    // Without the limits one van would take all five (one fixed cost).
    let jobs: Vec<Job> = (1..=5).map(|l| job(l, 1)).collect();
    let van = |most: usize| Vehicle {
        max_jobs: Some(most),
        fixed_cost: 100.0,
        ..Vehicle::new(0, load(10))
    };
    let p = problem(&PTS, jobs, vec![van(2), van(3), van(3)]);
    let s = assert_optimal(&p);
    assert_eq!(s.routes.len(), 2, "{:?}", s.routes);
    for r in &s.routes {
        let most = p.vehicles[r.vehicle].max_jobs.unwrap_or(usize::MAX);
        assert!(r.jobs.len() <= most, "{r:?}");
    }
    // One stop a tour and two vans: three jobs are left out, fleet full.
    let jobs: Vec<Job> = (1..=5).map(|l| job(l, 1)).collect();
    let p = problem(&PTS, jobs, vec![van(1), van(1)]);
    let s = solved(&p);
    assert_eq!(s.routes.iter().map(|r| r.jobs.len()).sum::<usize>(), 2);
    assert_eq!(s.unassigned.len(), 3);
    assert!(s
        .unassigned
        .iter()
        .all(|&(_, why)| why == tournee_solver::Reason::FleetFull));
}

#[test]
fn a_drivers_hours_over_several_shifts() {
    // One driver on two shifts (vans 0 and 1), 60 a shift and 65 together;
    // a hired van (2) at 50 a tour. Without the driver's limit the two
    // shifts share the five jobs (75 of driving; 61 in one tour, too long
    // for a shift).
    let jobs: Vec<Job> = (1..=5).map(|l| job(l, 1)).collect();
    let shift = Vehicle {
        max_duration: Some(60.0),
        ..Vehicle::new(0, load(10))
    };
    let hired = Vehicle {
        fixed_cost: 50.0,
        ..Vehicle::new(0, load(10))
    };
    let mut p = problem(&PTS, jobs, vec![shift.clone(), shift, hired]);
    let free = assert_optimal(&p);
    assert!(
        free.routes.iter().all(|r| r.vehicle != 2),
        "{:?}",
        free.routes
    );
    p.drivers = vec![tournee_solver::Driver {
        shifts: vec![0, 1],
        max_duration: 65.0,
    }];
    let s = assert_optimal(&p);
    assert!(s.routes.iter().any(|r| r.vehicle == 2), "{:?}", s.routes);
    let week: f64 = s
        .routes
        .iter()
        .filter(|r| r.vehicle < 2)
        .map(|r| {
            let stops = with_reloads(&p, r.vehicle, &r.jobs, &[]);
            earliest_return(&p, r.vehicle, &stops).unwrap_or(f64::INFINITY)
        })
        .sum();
    assert!(week <= 65.0 + 1e-9, "the driver works {week}");
    assert!(s.cost > free.cost + 1.0, "{} vs {}", s.cost, free.cost);
    // A limit no tour fits in: every job to the hired van.
    p.drivers[0].max_duration = 5.0;
    let s = assert_optimal(&p);
    assert!(s.routes.iter().all(|r| r.vehicle == 2), "{:?}", s.routes);
    // Two identical vans, Monday and Tuesday, a driver each with 100: a
    // long Tuesday job takes most of one driver's week, so the Monday job
    // goes to the other van's Monday (an empty shift like the first van's,
    // yet not the same: its driver's hours are its own), though the other
    // driver's vans cost more. Each shift's limit is its length, which
    // alone never binds: the week's hours must still be counted.
    let day = |from: f64| Vehicle {
        shift: TimeWindow::new(from, from + 200.0),
        max_duration: Some(200.0),
        ..Vehicle::new(0, load(10))
    };
    let at = |loc: usize, from: f64, service: f64| Job {
        windows: vec![TimeWindow::new(from, from + 200.0)],
        service,
        ..job(loc, 1)
    };
    let mut two = problem(
        &PTS,
        vec![at(1, 1000.0, 70.0), at(3, 0.0, 20.0)],
        vec![day(0.0), day(1000.0), day(0.0), day(1000.0)],
    );
    two.vehicles[2].fixed_cost = 1.0;
    two.vehicles[3].fixed_cost = 1.0;
    two.drivers = vec![
        tournee_solver::Driver {
            shifts: vec![0, 1],
            max_duration: 100.0,
        },
        tournee_solver::Driver {
            shifts: vec![2, 3],
            max_duration: 100.0,
        },
    ];
    let s = assert_optimal(&two);
    assert!(s.unassigned.is_empty(), "{:?}", s.unassigned);
    // A shift without a max_duration in a driver is refused.
    p.vehicles[0].max_duration = None;
    assert!(solve(&p, &Params::default(), |_| {}).is_err());
}

#[test]
fn deliveries_and_pickups_share_a_tour() {
    // Capacity 10: deliver 8 at 1 first, then there is room to pick up 8 at 2.
    let mut deliver = Job::at(1);
    deliver.delivery = load(8);
    let far_pickup = job(2, 8);
    let p = problem(
        &PTS[..3],
        vec![far_pickup, deliver],
        vec![Vehicle::new(0, load(10))],
    );
    let s = assert_optimal(&p);
    assert_eq!(s.routes.len(), 1);
    assert_eq!(s.routes[0].jobs, vec![1, 0]);
}

/// Adds a shipment of `amount` from location `from` to location `to`.
fn ship(jobs: &mut Vec<Job>, from: usize, to: usize, amount: i64) {
    let (p, d) = (jobs.len(), jobs.len() + 1);
    jobs.push(Job {
        pickup: load(amount),
        shipment: Some(Shipment::PickupFor(d)),
        ..Job::at(from)
    });
    jobs.push(Job {
        delivery: load(amount),
        shipment: Some(Shipment::DeliveryOf(p)),
        ..Job::at(to)
    });
}

#[test]
fn shipments_ride_from_pickup_to_delivery_in_one_tour() {
    // Two loads of 6 in a van of 10 cannot be on board together.
    let mut jobs = vec![job(5, 2)];
    ship(&mut jobs, 1, 3, 6);
    ship(&mut jobs, 2, 4, 6);
    let p = problem(&PTS, jobs, vec![Vehicle::new(0, load(10)); 2]);
    let s = assert_optimal(&p);
    assert!(s.unassigned.is_empty());
    for r in &s.routes {
        let sched = tournee_solver::schedule(&p, r.vehicle, &r.jobs).expect("feasible");
        assert!(sched.visits.iter().all(|v| v.load.0[0] <= 10), "{sched:?}");
    }
}

#[test]
fn shipments_with_time_windows_and_depot_work_share_tours() {
    let mut jobs = vec![job(5, 3)];
    jobs[0].delivery = load(4);
    ship(&mut jobs, 2, 1, 5);
    ship(&mut jobs, 4, 3, 5);
    jobs[2].windows = vec![TimeWindow::new(0.0, 30.0)];
    jobs[3].windows = vec![TimeWindow::new(60.0, 90.0)];
    let mut v = Vehicle::new(0, load(9));
    v.shift = TimeWindow::new(0.0, 200.0);
    let p = problem(&PTS, jobs, vec![v.clone(), v]);
    assert_optimal(&p);
}

#[test]
fn a_shipment_left_out_leaves_whole_with_its_reason() {
    let mut jobs = vec![job(5, 1)];
    ship(&mut jobs, 1, 2, 20); // larger than the van
    ship(&mut jobs, 3, 4, 1);
    jobs[3].prize = Some(1.0); // a detour of about 20 for a value of 2
    jobs[4].prize = Some(1.0);
    let p = problem(&PTS, jobs, vec![Vehicle::new(0, load(10))]);
    let s = solved(&p);
    assert_eq!(s.routes[0].jobs, vec![0]);
    assert_eq!(
        s.unassigned,
        vec![
            (1, Reason::ExceedsCapacity),
            (2, Reason::ExceedsCapacity),
            (3, Reason::NotProfitable),
            (4, Reason::NotProfitable),
        ]
    );
}

#[test]
fn driver_break_is_taken_in_its_window_and_counts_in_the_shift() {
    // Without the break one tour of 70 would do; with it, 90 > 85.
    let mut jobs: Vec<Job> = (1..=3).map(|l| job(l, 1)).collect();
    for j in &mut jobs {
        j.service = 10.0;
    }
    let mut v = Vehicle::new(0, load(10));
    v.shift = TimeWindow::new(0.0, 85.0);
    v.driver_break = Some(Break {
        window: TimeWindow::new(25.0, 35.0),
        duration: 20.0,
    });
    let p = problem(&PTS, jobs, vec![v.clone(), v]);
    let s = assert_optimal(&p);
    assert_eq!(s.routes.len(), 2);
    for r in &s.routes {
        let sched = tournee_solver::schedule(&p, r.vehicle, &r.jobs).expect("feasible");
        assert!(sched.arrival <= 85.0);
        let b = sched
            .driver_break
            .expect("every tour here spans the window");
        assert!((25.0..=35.0).contains(&b.start) && b.end == b.start + 20.0);
        // Nothing is served during the break.
        assert!(sched
            .visits
            .iter()
            .all(|v| v.departure <= b.start || v.start >= b.end));
    }
}

#[test]
fn break_before_driving_on_when_the_window_closes_on_the_road() {
    // Served 10..30 at 1; the window closes at 32, before reaching 2 at 40.
    let mut jobs: Vec<Job> = (1..=2).map(|l| job(l, 1)).collect();
    jobs[0].service = 20.0;
    jobs[0].windows = vec![TimeWindow::new(0.0, 10.0)];
    jobs[1].windows = vec![TimeWindow::new(0.0, 70.0)];
    let mut v = Vehicle::new(0, load(10));
    v.driver_break = Some(Break {
        window: TimeWindow::new(28.0, 32.0),
        duration: 15.0,
    });
    let p = problem(&PTS[..3], jobs, vec![v]);
    let s = assert_optimal(&p);
    let sched = tournee_solver::schedule(&p, 0, &s.routes[0].jobs).expect("feasible");
    let b = sched.driver_break.expect("break taken");
    assert_eq!((b.after, b.location, b.start), (1, 1, 30.0));
    assert_eq!(sched.visits[1].start, 55.0);

    // If the second stop closes before 55, the break fits nowhere.
    let mut p = p;
    p.jobs[1].windows = vec![TimeWindow::new(0.0, 50.0)];
    assert_eq!(
        tournee_solver::schedule(&p, 0, &[0, 1]),
        Err(tournee_solver::Violation::Break)
    );
}

#[test]
fn break_fills_waiting_and_the_tour_leaves_as_late_as_it_can() {
    // Stop 1 opens at 100, 10 away; the break (30, from 50 on) fits in the
    // wait before it, so the shortest tour leaves at 60 and is back at 110.
    let mut jobs = vec![job(1, 1)];
    jobs[0].windows = vec![TimeWindow::new(100.0, 110.0)];
    let mut v = Vehicle::new(0, load(10));
    v.driver_break = Some(Break {
        window: TimeWindow::new(50.0, 200.0),
        duration: 30.0,
    });
    let p = problem(&PTS, jobs, vec![v]);
    let sched = tournee_solver::schedule(&p, 0, &[0]).expect("feasible");
    assert_eq!((sched.departure, sched.arrival), (60.0, 110.0));
    let b = sched.driver_break.expect("break taken");
    assert_eq!((b.after, b.location, b.start, b.end), (0, 1, 70.0, 100.0));
}

#[test]
fn no_break_for_a_tour_back_before_the_window_opens() {
    let mut v = Vehicle::new(0, load(10));
    v.driver_break = Some(Break {
        window: TimeWindow::new(100.0, 120.0),
        duration: 30.0,
    });
    v.max_duration = Some(60.0);
    let p = problem(&PTS, vec![job(1, 1), job(5, 1)], vec![v]);
    let s = assert_optimal(&p);
    let sched = tournee_solver::schedule(&p, 0, &s.routes[0].jobs).expect("feasible");
    assert!(sched.driver_break.is_none() && sched.arrival < 100.0);
}

#[test]
fn optional_jobs_are_served_only_when_worth_it() {
    let mut jobs: Vec<Job> = (1..=3).map(|l| job(l, 1)).collect();
    let mut far = job(4, 1);
    far.prize = Some(5.0); // a detour of about 22 is not worth 5
    jobs.push(far);
    let mut worth = job(5, 1);
    worth.prize = Some(100.0);
    jobs.push(worth);
    let p = problem(&PTS, jobs, vec![Vehicle::new(0, load(10))]);
    let s = assert_optimal(&p);
    assert_eq!(s.unassigned, vec![(3, Reason::NotProfitable)]);
}

#[test]
fn every_left_out_job_says_why() {
    let mut jobs: Vec<Job> = Vec::new();
    let mut skilled = job(1, 1);
    skilled.skills = 0b10;
    jobs.push(skilled);
    jobs.push(job(2, 50));
    let mut closed = job(3, 1);
    closed.windows = vec![TimeWindow::new(0.0, 5.0)]; // 10 away
    jobs.push(closed);
    let mut late = job(4, 1);
    late.windows = vec![TimeWindow::new(80.0, 95.0)]; // reachable, but no way back by 100
    late.service = 10.0;
    jobs.push(late);
    let mut v = Vehicle::new(0, load(10));
    v.shift = TimeWindow::new(0.0, 100.0);
    let p = problem(&PTS, jobs, vec![v]);
    let s = solved(&p);
    assert_eq!(
        s.unassigned,
        vec![
            (0, Reason::NoVehicleWithSkills),
            (1, Reason::ExceedsCapacity),
            (2, Reason::TimeWindowUnreachable),
            (3, Reason::ShiftTooShort),
        ]
    );

    let mut v = Vehicle::new(0, load(10));
    v.max_distance = Some(15.0);
    let p = problem(&PTS, vec![job(2, 1)], vec![v]);
    assert_eq!(
        solved(&p).unassigned,
        vec![(0, Reason::MaxDistanceExceeded)]
    );

    // Two jobs that each fill the only van: one is left out for want of room.
    let p = problem(
        &PTS,
        vec![job(1, 8), job(2, 8)],
        vec![Vehicle::new(0, load(10))],
    );
    let s = solved(&p);
    assert_eq!(s.unassigned.len(), 1);
    assert_eq!(s.unassigned[0].1, Reason::FleetFull);
}

#[test]
fn same_seed_same_iterations_same_solution() {
    let jobs: Vec<Job> = (1..=5).map(|l| job(l, 4)).collect();
    let p = problem(&PTS, jobs, vec![Vehicle::new(0, load(9)); 4]);
    let params = Params {
        seed: 42,
        iteration_limit: Some(500),
        time_limit: None,
        ..Params::default()
    };
    let a = solve(&p, &params, |_| {}).expect("valid");
    let b = solve(&p, &params, |_| {}).expect("valid");
    assert_eq!(a, b);
}

#[test]
fn invalid_problems_are_refused_not_panicked_on() {
    let mut bad = problem(&PTS, vec![job(9, 1)], vec![Vehicle::new(0, load(1))]);
    assert!(solve(&bad, &Params::default(), |_| {}).is_err());
    bad.jobs[0] = job(1, 1);
    bad.jobs[0].windows = vec![TimeWindow::new(5.0, 1.0)];
    assert!(solve(&bad, &Params::default(), |_| {}).is_err());
    // Shipment halves that do not point at each other.
    let mut jobs = Vec::new();
    ship(&mut jobs, 1, 2, 1);
    jobs[1].shipment = Some(Shipment::DeliveryOf(1));
    let bad = problem(&PTS, jobs, vec![Vehicle::new(0, load(5))]);
    assert!(solve(&bad, &Params::default(), |_| {}).is_err());
    // A vehicle that cannot even drive from its start to its end depot in
    // its shift, or within its distance limit: refused, not a panic.
    let mut far = Vehicle::new(0, load(5));
    far.end = PTS.len() - 1;
    let reach = euclid(&PTS).get(0, far.end);
    far.shift = TimeWindow::new(0.0, reach / 2.0);
    let bad = problem(&PTS, vec![job(1, 1)], vec![far.clone()]);
    assert!(solve(&bad, &Params::default(), |_| {}).is_err());
    far.shift = TimeWindow::new(0.0, 10.0 * reach);
    far.max_distance = Some(reach / 2.0);
    let bad = problem(&PTS, vec![job(1, 1)], vec![far.clone()]);
    assert!(solve(&bad, &Params::default(), |_| {}).is_err());
    far.max_distance = None;
    let fine = problem(&PTS, vec![job(1, 1)], vec![far]);
    let quick = Params {
        iteration_limit: Some(50),
        time_limit: None,
        ..Params::default()
    };
    assert!(solve(&fine, &quick, |_| {}).is_ok());
}

#[test]
fn threads_are_reproducible_and_never_worse_than_one() {
    let jobs: Vec<Job> = (1..=5).map(|l| job(l, 4)).collect();
    let p = problem(&PTS, jobs, vec![Vehicle::new(0, load(9)); 4]);
    let params = |threads| Params {
        seed: 5,
        iteration_limit: Some(200),
        time_limit: None,
        threads,
        ..Params::default()
    };
    let one = solve(&p, &params(1), |_| {}).expect("valid");
    let three = solve(&p, &params(3), |_| {}).expect("valid");
    assert_eq!(three, solve(&p, &params(3), |_| {}).expect("valid"));
    assert!(three.objective <= one.objective + 1e-9);
}

#[test]
fn a_duration_limit_as_long_as_the_shift_keeps_every_window() {
    // A limit no shorter than the shift cannot bind, so insertions are
    // priced from the tour's cache without scheduling; the tours must still
    // keep every window (two of them open twice) and the shift's end.
    let mut jobs: Vec<Job> = (1..=5).map(|l| job(l, 2)).collect();
    jobs[0].windows = vec![TimeWindow::new(0.0, 10.0), TimeWindow::new(40.0, 50.0)];
    jobs[2].windows = vec![TimeWindow::new(20.0, 35.0)];
    jobs[3].windows = vec![TimeWindow::new(5.0, 15.0), TimeWindow::new(60.0, 70.0)];
    jobs.iter_mut().for_each(|j| j.service = 4.0);
    let v = Vehicle {
        shift: TimeWindow::new(0.0, 80.0),
        max_duration: Some(80.0),
        fixed_cost: 15.0,
        ..Vehicle::new(0, load(6))
    };
    let p = problem(&PTS, jobs, vec![v.clone(), v]);
    let s = assert_optimal(&p);
    assert!(s.unassigned.is_empty(), "{:?}", s.unassigned);
}

/// Draws below `n` from a small linear congruential generator, which keeps
/// the random tests self-contained and reproducible.
fn draws(seed: u64) -> impl FnMut(u64) -> u64 {
    let mut state = seed;
    move |n| {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (state >> 33) % n
    }
}

#[test]
fn schedules_agree_with_the_independent_evaluator_on_random_tours() {
    let mut next = draws(12345);
    let (mut checked, mut breaks) = (0, 0);
    for _ in 0..3000 {
        let n = 1 + next(5) as usize;
        let mut jobs: Vec<Job> = (0..n)
            .map(|i| {
                let mut j = job(1 + i % 5, next(4) as i64);
                j.service = next(15) as f64;
                if next(2) == 0 {
                    let open = next(80) as f64;
                    j.windows = vec![TimeWindow::new(open, open + 5.0 + next(40) as f64)];
                }
                j
            })
            .collect();
        if n >= 2 && next(2) == 0 {
            // Turn the last two into a shipment, in either order.
            let (p, d) = (n - 2, n - 1);
            jobs[p].pickup = load(3);
            jobs[p].shipment = Some(Shipment::PickupFor(d));
            jobs[d].pickup = load(0);
            jobs[d].delivery = load(3);
            jobs[d].shipment = Some(Shipment::DeliveryOf(p));
        }
        let mut v = Vehicle::new(0, load(8));
        v.shift = TimeWindow::new(0.0, 100.0 + next(100) as f64);
        if next(3) > 0 {
            let open = next(100) as f64;
            v.driver_break = Some(Break {
                window: TimeWindow::new(open, open + next(30) as f64),
                duration: next(25) as f64,
            });
        }
        let p = problem(&PTS, jobs, vec![v]);
        let mut seq: Vec<usize> = (0..n).collect();
        for i in (1..n).rev() {
            seq.swap(i, next(i as u64 + 1) as usize);
        }
        let ours = tournee_solver::schedule(&p, 0, &seq);
        let theirs = route_cost(&p, 0, &seq);
        assert_eq!(ours.is_ok(), theirs.is_some(), "{seq:?} {p:?} {ours:?}");
        if let Ok(s) = ours {
            let back = earliest_return(&p, 0, &with_reloads(&p, 0, &seq, &[])).expect("feasible");
            assert!((s.arrival - back).abs() < 1e-9, "{} vs {back}", s.arrival);
            checked += 1;
            breaks += usize::from(s.driver_break.is_some());
        }
    }
    assert!(
        checked > 300 && breaks > 100,
        "only {checked} feasible tours drawn, {breaks} with a break"
    );
}

/// A vehicle allowed `trips` trips, with `reload` time at the depot between.
fn multi_trip(capacity: i64, trips: usize, reload: f64) -> Vehicle {
    Vehicle {
        max_trips: trips,
        reload_service: reload,
        ..Vehicle::new(0, load(capacity))
    }
}

#[test]
fn a_van_goes_back_to_its_depot_for_a_second_trip() {
    let jobs = vec![job(1, 6), job(2, 6), job(3, 4), job(4, 4)];
    let p = problem(&PTS[..5], jobs.clone(), vec![multi_trip(10, 2, 5.0)]);
    let s = assert_optimal(&p);
    assert!(s.unassigned.is_empty());
    let sched = tournee_solver::schedule(&p, 0, &s.routes[0].jobs).expect("feasible");
    assert_eq!(sched.reloads.len(), 1);
    let r = sched.reloads[0];
    // Unloaded at the depot and out again, empty, after the reload time.
    assert_eq!(r.load, load(0));
    assert!((r.departure - r.start - 5.0).abs() < 1e-9);
    assert!(sched.visits.iter().all(|v| v.load.0[0] <= 10));
    // One trip cannot carry it all.
    let single = problem(&PTS[..5], jobs, vec![multi_trip(10, 1, 5.0)]);
    assert!(!solved(&single).unassigned.is_empty());
}

#[test]
fn each_trip_loads_its_own_deliveries() {
    let mut jobs = vec![Job::at(1), Job::at(2), job(3, 7)];
    jobs[0].delivery = load(8);
    jobs[1].delivery = load(8);
    let p = problem(&PTS[..4], jobs, vec![multi_trip(10, 3, 0.0)]);
    let s = assert_optimal(&p);
    let sched = tournee_solver::schedule(&p, 0, &s.routes[0].jobs).expect("feasible");
    assert_eq!(sched.reloads.len(), 1, "{sched:?}");
    assert_eq!(sched.initial_load, load(8));
}

#[test]
fn a_second_trip_beats_a_second_van_that_costs_more() {
    let jobs = vec![job(1, 6), job(2, 6), job(3, 6)];
    let van = Vehicle {
        fixed_cost: 100.0,
        ..multi_trip(12, 2, 0.0)
    };
    let p = problem(&PTS[..4], jobs, vec![van.clone(), van]);
    let s = assert_optimal(&p);
    assert_eq!(s.routes.len(), 1);
}

#[test]
fn reload_time_counts_in_the_shift() {
    // Two trips to 1 and 3 take 20 + 20 driving; a 30-minute reload does not
    // fit a 60 shift, so the second van goes.
    let jobs = vec![job(1, 6), job(3, 6)];
    let mut van = multi_trip(10, 2, 30.0);
    van.shift = TimeWindow::new(0.0, 60.0);
    let p = problem(&PTS[..4], jobs, vec![van.clone(), van.clone()]);
    assert_eq!(assert_optimal(&p).routes.len(), 2);
    // A 10-minute reload fits, and one van costs less than two.
    van.reload_service = 10.0;
    van.fixed_cost = 1.0;
    let p = problem(&PTS[..4], p.jobs.clone(), vec![van.clone(), van]);
    assert_eq!(assert_optimal(&p).routes.len(), 1);
}

#[test]
fn trips_split_where_the_detour_is_shortest() {
    // Random orders on a three-trip van: the tour the solver schedules is
    // the evaluator's cheapest split, and its times are the evaluator's.
    let mut next = draws(777);
    let (mut feasible, mut reloaded) = (0, 0);
    for _ in 0..2000 {
        let n = 1 + next(6) as usize;
        let jobs: Vec<Job> = (0..n)
            .map(|i| {
                let mut j = job(1 + (i + next(5) as usize) % 5, next(7) as i64);
                j.delivery = load(next(5) as i64);
                j.service = next(10) as f64;
                j
            })
            .collect();
        let van = multi_trip(9, 1 + next(3) as usize, next(20) as f64);
        let p = problem(&PTS, jobs, vec![van]);
        let seq: Vec<usize> = (0..n).collect();
        let ours = tournee_solver::schedule(&p, 0, &seq);
        let theirs = route_cost(&p, 0, &seq);
        assert_eq!(ours.is_ok(), theirs.is_some(), "{seq:?} {p:?} {ours:?}");
        let Ok(s) = ours else { continue };
        let best = theirs.expect("feasible");
        assert!((s.distance - best).abs() < 1e-9, "{} vs {best}", s.distance);
        let cuts: Vec<usize> = s.reloads.iter().map(|r| r.after).collect();
        let cost = trips_cost(&p, 0, &seq, &cuts).expect("our split is feasible");
        assert!((cost - s.distance).abs() < 1e-9);
        let back = earliest_return(&p, 0, &with_reloads(&p, 0, &seq, &cuts)).expect("back");
        assert!((s.arrival - back).abs() < 1e-9, "{} vs {back}", s.arrival);
        feasible += 1;
        reloaded += usize::from(!cuts.is_empty());
    }
    assert!(
        feasible > 500 && reloaded > 200,
        "{feasible} feasible, {reloaded} with a reload"
    );
}

#[test]
fn a_split_that_misses_a_window_gives_way_to_one_that_keeps_it() {
    // On a line: depot 0, A at 1, B at 2, C at 3, each load 5 on a van of
    // 10, so one cut. Cutting before B adds the least distance (2 against 4)
    // but reaches B at 4, after its window closes at 3; cutting before C
    // reaches B at 2.
    let pts = [(0.0, 0.0), (1.0, 0.0), (2.0, 0.0), (3.0, 0.0)];
    let mut jobs = vec![job(1, 5), job(2, 5), job(3, 5)];
    jobs[1].windows = vec![TimeWindow::new(0.0, 3.0)];
    let p = problem(&pts, jobs, vec![multi_trip(10, 2, 0.0)]);
    let sched = tournee_solver::schedule(&p, 0, &[0, 1, 2]).expect("feasible with the other cut");
    assert_eq!(sched.reloads.len(), 1);
    assert_eq!(sched.reloads[0].after, 2, "{sched:?}");
    assert!((sched.distance - 10.0).abs() < 1e-9);
    assert!(sched.visits[1].start <= 3.0);
    assert!(assert_optimal(&p).unassigned.is_empty());
}

#[test]
fn a_tour_leaving_late_stays_in_the_window_it_aimed_at() {
    // The latest departure meets B's morning window exactly; walking forward
    // from it arrives a rounding error after the window closes. B is served
    // there, not in its window of the next day (which would carry the tour
    // past C's window and out of its shift).
    let pts = [(0.0, 0.0), (0.1, 0.0), (0.7, 0.0), (1.0, 0.0)];
    let mut jobs = vec![Job::at(1), Job::at(2), Job::at(3)];
    jobs[1].windows = vec![TimeWindow::new(0.0, 1.7), TimeWindow::new(20.0, 21.0)];
    jobs[2].windows = vec![TimeWindow::new(5.0, 6.0)];
    let mut van = Vehicle::new(0, load(10));
    van.shift = TimeWindow::new(0.0, 30.0);
    van.cost_per_time = 1.0;
    let p = problem(&pts, jobs, vec![van]);
    let s = tournee_solver::schedule(&p, 0, &[0, 1, 2]).expect("feasible");
    assert!(s.visits[1].start < 1.7 + 1e-6, "{s:?}");
    assert!((s.visits[2].start - 5.0).abs() < 1e-9, "{s:?}");
    assert!(s.arrival <= 6.0 + 1e-9, "{s:?}");
}
