//! How fast a small problem is planned through `POST /api/v1/solve`, with an
//! iteration limit that is known to reach its optimum.
//!
//! ```sh
//! cargo build --release
//! cargo run --release --example solve_latency -- [REQUESTS] [SEEDS]
//! ```
//!
//! 1. A one-day problem of 20 pickups within about 8 km of a workshop at
//!    Le Petit-Quevilly (seeded draws, 15 to 60 kg each, so that the two
//!    600-kg vans share them), priced per tour, per km and per hour.
//! 2. Its optimum by an exact dynamic programme over subsets (Held and
//!    Karp, "A dynamic programming approach to sequencing problems", 1962):
//!    the cheapest tour through every subset of stops, then the best split
//!    of the stops between the two vans, on the solver problem's own
//!    matrices and costs but with its own arithmetic.
//! 3. The smallest iteration limit of a ladder at which every seed of
//!    `1..=SEEDS` (50) reaches that optimum, the solver called directly.
//! 4. `tournee serve` started on loopback; `REQUESTS` (500) solves of the
//!    problem with that limit and seeds in turn, one after another, each
//!    answer's cost compared with the optimum; p50, p99 and the slowest.
//!
//! A benchmark, not a test: speed is measured here and stated in the
//! README, never asserted in the test suite.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use tournee::routing::{block_on, Travel};

const STOPS: usize = 20;
const LADDER: [u64; 8] = [10, 20, 30, 50, 100, 200, 400, 800];

/// The problem, as a client sends it.
fn problem() -> Value {
    let mut state = 20_261_202u64;
    let mut draw = move || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (state >> 33) as f64 / (1u64 << 31) as f64
    };
    let (lon, lat) = (1.0585, 49.4262);
    let pickups: Vec<Value> = (1..=STOPS)
        .map(|i| {
            let (r, a) = (0.01 + 0.07 * draw().sqrt(), std::f64::consts::TAU * draw());
            let towers = 3 + (draw() * 9.0) as u32;
            json!({
                "id": format!("P{i:02}"), "name": format!("Bureau {i}"),
                "location": [lon + 1.5 * r * a.cos(), lat + r * a.sin()],
                "devices": {"desktop_tower": towers},
                "time_windows": [{"start": "2026-12-01T08:00", "end": "2026-12-01T18:00"}],
                "service_minutes": 10 + (draw() * 11.0) as u32
            })
        })
        .collect();
    let van = |id: &str| {
        json!({
            "id": id, "depot": "atelier", "capacity": {"kg": 600, "m3": 3.9},
            "shifts": [{"start": "2026-12-01T08:00", "end": "2026-12-01T17:00"}],
            "costs": {"fixed": 10, "per_km": 0.25, "per_hour": 24}
        })
    };
    json!({
        "format": "tournee/1",
        "name": "20 stops",
        "horizon": {"start": "2026-12-01T00:00", "end": "2026-12-02T00:00"},
        "routing": {"engine": "haversine", "detour_factor": 1.3, "speed_kmh": 30},
        "devices": {"desktop_tower": {"mass_kg": 6.875, "volume_l": 30}},
        "depots": [{
            "id": "atelier", "name": "Atelier", "location": [lon, lat],
            "opening_hours": [{"start": "2026-12-01T07:00", "end": "2026-12-01T19:00"}]
        }],
        "vehicles": [van("kangoo-1"), van("kangoo-2")],
        "pickups": pickups,
        "orders": []
    })
}

/// The cheapest objective over every way to serve the jobs with the
/// problem's identical vehicles, each tour leaving at the start of its
/// shift (no window here makes it wait). Checks the assumptions it makes.
fn optimum(p: &tournee_solver::Problem) -> Result<f64, String> {
    let n = p.jobs.len();
    let v = &p.vehicles[0];
    if n != STOPS || p.vehicles.len() != 2 || p.vehicles[1].capacity != v.capacity {
        return Err("expected 20 jobs and two alike vans".into());
    }
    if p.vehicles.iter().any(|v| v.speed_factor != 1.0) || !p.setup.is_empty() {
        return Err("expected one speed and no set-up times".into());
    }
    if p.jobs
        .iter()
        .any(|j| j.delivery != tournee_solver::Load::ZERO)
    {
        return Err("expected pickups only".into());
    }
    let arc = |a: usize, b: usize| {
        v.cost_per_distance * p.distance.get(a, b) + v.cost_per_time * p.duration.get(a, b)
    };
    let loc = |j: usize| p.jobs[j].location;
    let full = 1usize << n;
    // dp[s * n + j]: cheapest path from the depot through the set s,
    // ending at job j (in s); its duration beside it.
    let mut dp = vec![f64::INFINITY; full * n];
    let mut took = vec![0.0f64; full * n];
    for j in 0..n {
        dp[(1 << j) * n + j] = arc(v.start, loc(j));
        took[(1 << j) * n + j] = p.duration.get(v.start, loc(j)) + p.jobs[j].service;
    }
    for s in 1..full {
        for j in (0..n).filter(|j| s >> j & 1 == 1) {
            let here = dp[s * n + j];
            if !here.is_finite() {
                continue;
            }
            for k in (0..n).filter(|k| s >> k & 1 == 0) {
                let t = (s | 1 << k) * n + k;
                let c = here + arc(loc(j), loc(k));
                if c < dp[t] {
                    dp[t] = c;
                    took[t] = took[s * n + j] + p.duration.get(loc(j), loc(k)) + p.jobs[k].service;
                }
            }
        }
    }
    let shift = v.shift.end - v.shift.start;
    let tour = |s: usize| -> f64 {
        if s == 0 {
            return 0.0;
        }
        let mut load = tournee_solver::Load::ZERO;
        let mut service = 0.0;
        for j in (0..n).filter(|j| s >> j & 1 == 1) {
            load = load + p.jobs[j].pickup;
            service += p.jobs[j].service;
        }
        if !load.fits(v.capacity) {
            return f64::INFINITY;
        }
        (0..n)
            .filter(|j| s >> j & 1 == 1)
            .filter(|&j| took[s * n + j] + p.duration.get(loc(j), v.end) <= shift)
            .map(|j| dp[s * n + j] + arc(loc(j), v.end))
            .fold(f64::INFINITY, f64::min)
            + v.fixed_cost
            + v.cost_per_time * service
    };
    let tours: Vec<f64> = (0..full).map(tour).collect();
    let best = (0..full)
        .map(|s| tours[s] + tours[(full - 1) ^ s])
        .fold(f64::INFINITY, f64::min);
    // The durations kept are those of the cheapest paths: exact when time
    // follows distance, as with the haversine model's one speed.
    let ratio = |a: usize, b: usize| p.duration.get(a, b) / p.distance.get(a, b).max(1e-9);
    let pace = ratio(v.start, loc(0));
    if (0..n).any(|j| (ratio(v.start, loc(j)) - pace).abs() > 1e-9 * pace) {
        return Err("time does not follow distance".into());
    }
    Ok(best)
}

fn main() -> Result<(), String> {
    let args = std::env::args()
        .skip(1)
        .map(|a| match a.parse::<usize>() {
            Ok(n) if n > 0 => Ok(n),
            _ => Err(format!("{a:?}: expected a positive whole number")),
        })
        .collect::<Result<Vec<usize>, String>>()?;
    let (requests, seeds) = (
        args.first().copied().unwrap_or(500),
        args.get(1).copied().unwrap_or(50) as u64,
    );
    let body = problem();
    let text = body.to_string();
    let model = tournee::input::read(&text).map_err(|e| format!("{e:?}"))?;
    let travel: Travel =
        block_on(tournee::routing::travel(&model, None))?.map_err(|e| e.to_string())?;
    let conversion = tournee::convert::to_solver(&model, &travel);
    let solver_problem = &conversion.problem;
    let started = Instant::now();
    let best = optimum(solver_problem)?;
    println!(
        "optimum {best:.4} (exact, {:.1} s)",
        started.elapsed().as_secs_f64()
    );

    let reaches = |limit: u64| {
        (1..=seeds).all(|seed| {
            let params = tournee_solver::Params {
                seed,
                time_limit: None,
                iteration_limit: Some(limit),
                ..Default::default()
            };
            tournee_solver::solve(solver_problem, &params, |_| {})
                .is_ok_and(|s| s.unassigned.is_empty() && s.objective <= best * (1.0 + 1e-9))
        })
    };
    let limit = LADDER
        .into_iter()
        .find(|&l| reaches(l))
        .ok_or("no limit of the ladder reaches the optimum on every seed")?;
    println!("iteration limit {limit}: seeds 1-{seeds} all reach it");

    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let bin = exe
        .parent()
        .and_then(|d| d.parent())
        .map(|d| d.join("tournee"))
        .filter(|b| b.exists())
        .ok_or("target/release/tournee is missing: run `cargo build --release` first")?;
    let db = std::env::temp_dir().join(format!("tournee-latency-{}.db", std::process::id()));
    let mut child = Command::new(bin)
        .args(["serve", "--addr", "127.0.0.1:0", "--db"])
        .arg(&db)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| e.to_string())?;
    let mut line = String::new();
    if let Some(out) = child.stdout.take() {
        BufReader::new(out)
            .read_line(&mut line)
            .map_err(|e| e.to_string())?;
    }
    let url = line.trim().trim_start_matches("listening on ").to_string();
    let client = reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .map_err(|e| e.to_string())?;
    let mut times = Vec::with_capacity(requests);
    let mut off = 0;
    for k in 0..requests {
        let mut body = body.clone();
        body["solver"] =
            json!({"seed": 1 + k as u64 % seeds, "iteration_limit": limit, "time_limit_s": 5});
        let sent = Instant::now();
        let answer: Value = client
            .post(format!("{url}/api/v1/solve"))
            .json(&body)
            .send()
            .and_then(|r| r.json())
            .map_err(|e| e.to_string())?;
        times.push(sent.elapsed().as_secs_f64() * 1000.0);
        let cost = answer["totals"]["cost"].as_f64().unwrap_or(f64::INFINITY);
        // The answer's cost is rounded to the cent.
        if (cost - best).abs() > 0.006 {
            off += 1;
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    let _ = std::fs::remove_file(&db);
    times.sort_by(f64::total_cmp);
    let at = |q: f64| times[((times.len() as f64 * q).ceil() as usize).clamp(1, times.len()) - 1];
    println!(
        "{requests} solves of {STOPS} stops, {limit} iterations: p50 {:.1} ms, p99 {:.1} ms, slowest {:.1} ms; {} of {requests} answers at the optimum",
        at(0.5),
        at(0.99),
        at(1.0),
        requests - off
    );
    Ok(())
}
