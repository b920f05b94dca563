//! A bounded load test on loopback against the real `tournee serve`: 200
//! solves with 50 in flight, none lost; then 20,000 drivers' tour GETs, on
//! the sample week's plan and on a plan of 1,000 stops, whose latency must
//! not grow with the plan's size (a tour is one stored row). The figures are
//! printed (`cargo test --release --test load -- --nocapture`) and quoted in
//! the README.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{json, Value};

use common::server::{client, json_of, plan_of_job, share_tokens, Server};

/// Runs a job to its plan; the plan's share tokens.
fn planned(server: &Server, problem: &Value) -> Vec<String> {
    let http = client();
    let job = json_of(
        http.post(server.at("/api/v1/jobs"))
            .json(problem)
            .send()
            .expect("job"),
    );
    let id = job["id"].as_str().unwrap_or_else(|| panic!("{job}"));
    let plan_id = plan_of_job(&http, server, id, 120);
    share_tokens(&http, server, &plan_id)
}

/// 1,000 pickups around Rouen, 20 vans over 5 days that take 10 each: a
/// plan of about 100 tours of 10 stops, like the sample's tours but ten
/// times as many.
fn thousand_stops() -> Value {
    let mut p = common::small_problem();
    let days: Vec<Value> = (0..5)
        .map(|d| json!({"start": format!("2026-11-{:02}T08:00", 23 + d), "end": format!("2026-11-{:02}T18:00", 23 + d)}))
        .collect();
    p["horizon"] = json!({"start": "2026-11-23T00:00", "end": "2026-11-28T00:00"});
    p["depots"][0]["opening_hours"] = json!([]);
    p["vehicles"] = (0..20)
        .map(|v| json!({"id": format!("van-{v}"), "depot": "atelier", "capacity": {"kg": 2000, "m3": 20, "units": 40}, "shifts": days}))
        .collect();
    p["pickups"] = (0..1000)
        .map(|i| {
            let (a, r) = (
                i as f64 * 2.399,
                0.01 + 0.09 * ((i * 7919) % 1000) as f64 / 1000.0,
            );
            json!({"id": format!("P{i}"), "name": format!("Donateur {i}"),
                   "location": [1.09 + r * a.cos(), 49.44 + 0.66 * r * a.sin()],
                   "devices": {"laptop": 4}, "service_minutes": 5})
        })
        .collect();
    p["orders"] = json!([]);
    p["solver"] = json!({"time_limit_s": 30, "seed": 1, "iteration_limit": 1});
    p
}

/// Latencies of `n` GETs of the tours' views, spread over `threads` clients.
fn tour_gets(server: &Server, tokens: &[String], n: usize, threads: usize) -> Vec<Duration> {
    let next = AtomicUsize::new(0);
    let mut all: Vec<Duration> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                s.spawn(|| {
                    let http = client();
                    let mut mine = Vec::new();
                    loop {
                        let k = next.fetch_add(1, Ordering::Relaxed);
                        if k >= n {
                            break mine;
                        }
                        let token = &tokens[k % tokens.len()];
                        let started = Instant::now();
                        let r = http
                            .get(server.at(&format!("/api/v1/tours/{token}")))
                            .send()
                            .expect("tour");
                        assert_eq!(r.status(), StatusCode::OK);
                        let _ = r.bytes().expect("body");
                        mine.push(started.elapsed());
                    }
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("client"))
            .collect()
    });
    all.sort();
    all
}

fn quantile(sorted: &[Duration], q: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * q).round() as usize]
}

#[test]
fn two_hundred_solves_and_twenty_thousand_tour_reads() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = Server::start(
        &dir.path().join("t.db"),
        &[],
        &[
            "--max-solves",
            "2",
            "--queue",
            "30",
            "--max-jobs-per-key",
            "20",
            "--workers",
            "2",
        ],
    );

    // 200 small solves, 50 in flight: each answered, 200 or a refusal that
    // says when to come back.
    let mut small = common::small_problem();
    small["solver"] = json!({"time_limit_s": 2, "seed": 1, "iteration_limit": 30});
    let body = small.to_string();
    let next = AtomicUsize::new(0);
    let started = Instant::now();
    let statuses: Vec<u16> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..50)
            .map(|_| {
                s.spawn(|| {
                    let http = client();
                    let mut mine = Vec::new();
                    while next.fetch_add(1, Ordering::Relaxed) < 200 {
                        let r = http
                            .post(server.at("/api/v1/solve"))
                            .header("content-type", "application/json")
                            .body(body.clone())
                            .send()
                            .expect("every solve is answered");
                        let status = r.status().as_u16();
                        if status != 200 {
                            assert!(r.headers().contains_key("retry-after"), "{status}");
                        }
                        mine.push(status);
                    }
                    mine
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("client"))
            .collect()
    });
    let count = |c: u16| statuses.iter().filter(|&&s| s == c).count();
    println!(
        "200 solves, 50 in flight: {} planned, {} over the key's quota (429), {} queue full (503), in {:.1} s",
        count(200),
        count(429),
        count(503),
        started.elapsed().as_secs_f64()
    );
    assert_eq!(statuses.len(), 200);
    assert_eq!(count(200) + count(429) + count(503), 200, "{statuses:?}");
    assert!(count(200) >= 20, "{statuses:?}");

    // Drivers' reads: the sample week, then a plan of 1,000 stops.
    let week: Value = serde_json::from_str(
        &std::fs::read_to_string(common::repo().join("data/rouen/week.json")).expect("week"),
    )
    .expect("week json");
    let mut week = week;
    week["solver"] = json!({"time_limit_s": 30, "seed": 1, "iteration_limit": 200});
    let sample = planned(&server, &week);
    let big = planned(&server, &thousand_stops());
    assert!(big.len() >= 50, "{} tours", big.len());
    let a = tour_gets(&server, &sample, 10_000, 4);
    let b = tour_gets(&server, &big, 10_000, 4);
    let (a50, a99, b50, b99) = (
        quantile(&a, 0.5),
        quantile(&a, 0.99),
        quantile(&b, 0.5),
        quantile(&b, 0.99),
    );
    println!(
        "tour GET, 4 clients: sample week ({} tours): p50 {:.2} ms, p99 {:.2} ms; 1,000 stops ({} tours): p50 {:.2} ms, p99 {:.2} ms",
        sample.len(),
        a50.as_secs_f64() * 1e3,
        a99.as_secs_f64() * 1e3,
        big.len(),
        b50.as_secs_f64() * 1e3,
        b99.as_secs_f64() * 1e3
    );
    // One row per tour: a plan ten times as large reads about the same.
    assert!(
        b99 <= a99 * 2 + Duration::from_millis(2),
        "p99 grew with the plan: {a99:?} → {b99:?}"
    );
    let health = client().get(server.at("/healthz")).send().expect("healthz");
    assert_eq!(health.status(), StatusCode::OK);
}
