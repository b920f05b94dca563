//! Two `tournee serve` processes on one real PostgreSQL database (the
//! server `scripts/postgres-test-server.sh` starts): jobs submitted through
//! both, one server killed with -9 in the middle, every job still planned
//! once; a job's progress and its cancel reach across servers.

mod common;

use std::time::{Duration, Instant};

use reqwest::blocking::Client;
use reqwest::StatusCode;
use serde_json::{json, Value};

use common::server::{client, json_of, new_database, post, Server};
use common::small_problem;

fn job(http: &Client, server: &Server, id: &str) -> Value {
    json_of(
        http.get(server.at(&format!("/api/v1/jobs/{id}")))
            .send()
            .expect("job"),
    )
}

/// Polls `server` until `ok` holds for job `id`, at most `seconds`.
fn wait_for(
    http: &Client,
    server: &Server,
    id: &str,
    seconds: u64,
    ok: impl Fn(&Value) -> bool,
) -> Value {
    let until = Instant::now() + Duration::from_secs(seconds);
    loop {
        let v = job(http, server, id);
        if ok(&v) {
            return v;
        }
        assert!(Instant::now() < until, "job {id} after {seconds} s: {v}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

fn plans_stored(url: &str) -> i64 {
    let mut c = postgres::Client::connect(url, postgres::NoTls).expect("connect");
    c.query_one("SELECT COUNT(*) FROM plans", &[])
        .expect("count")
        .get(0)
}

#[test]
fn two_servers_on_one_database_plan_every_job_once_when_one_is_killed() {
    let url = new_database(&format!("cluster_{}", std::process::id()));
    let db = std::ffi::OsString::from(&url);
    let dir = tempfile::tempdir().expect("tempdir");
    let args = ["--max-jobs-per-key", "30", "--queue", "30"];
    let mut a = Server::start_on(&db, &[], &args, Some(&dir.path().join("a.log")));
    let b = Server::start_on(&db, &[], &args, Some(&dir.path().join("b.log")));
    let http = client();

    // Cancelled through the other server: A runs it, B is asked.
    let mut long = small_problem();
    long["solver"] = json!({"time_limit_s": 60, "seed": 1});
    let (status, far) = post(&http, &a, "/api/v1/jobs", &long);
    assert_eq!(status, StatusCode::ACCEPTED, "{far}");
    let far = far["id"].as_str().expect("id").to_string();
    // Its progress, as A records it, read from B.
    let seen = wait_for(&http, &b, &far, 20, |v| {
        v["state"] == "running" && v["progress"]["iterations"].as_u64().unwrap_or(0) > 0
    });
    assert!(
        seen["progress"]["elapsed_s"].as_f64().unwrap_or(0.0) > 0.0,
        "{seen}"
    );
    let r = http
        .delete(b.at(&format!("/api/v1/jobs/{far}")))
        .send()
        .expect("cancel");
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    wait_for(&http, &a, &far, 20, |v| v["state"] == "cancelled");

    // Twenty jobs of two seconds, half through each server.
    let mut ids = Vec::new();
    for k in 0..20 {
        let mut p = small_problem();
        p["solver"] = json!({"time_limit_s": 2, "seed": k + 1});
        let to = if k % 2 == 0 { &a } else { &b };
        let (status, v) = post(&http, to, "/api/v1/jobs", &p);
        assert_eq!(status, StatusCode::ACCEPTED, "{v}");
        ids.push(v["id"].as_str().expect("id").to_string());
    }
    // A has planned some and is planning others when it dies.
    wait_for(&http, &b, &ids[0], 30, |v| v["state"] == "done");
    a.child.kill().expect("kill -9");
    a.child.wait().expect("wait");
    let undone = ids
        .iter()
        .step_by(2)
        .filter(|id| job(&http, &b, id)["state"] != "done")
        .count();
    assert!(
        undone > 0,
        "A had finished all its jobs before it was killed"
    );

    let mut plans = Vec::new();
    for id in &ids {
        let v = wait_for(&http, &b, id, 120, |v| {
            v["state"] != "queued" && v["state"] != "running"
        });
        assert_eq!(v["state"], "done", "{v}");
        plans.push(v["plan_id"].as_str().expect("plan").to_string());
    }
    plans.sort();
    plans.dedup();
    assert_eq!(plans.len(), 20, "one plan per job");
    // None planned twice: the database holds exactly those plans.
    assert_eq!(plans_stored(&url), 20);
    let log = std::fs::read_to_string(dir.path().join("b.log")).unwrap_or_default();
    assert!(log.contains("taken over"), "{log}");
    drop(b);
}
