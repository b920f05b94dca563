//! Work that must end and state that must last: the operator's road
//! servers (a URL from a caller is refused; a cancel stops the wait), a
//! client that hangs up, kill -9 with a job running and drivers' updates in
//! flight, two servers on one SQLite file, and commands writing into a
//! closed pipe. Over real HTTP against the real `tournee serve`.

mod common;

use std::net::TcpListener;
use std::time::{Duration, Instant};

use reqwest::blocking::Client;
use reqwest::StatusCode;
use serde_json::{json, Value};

use common::server::{client, json_of, plan_with_tokens, post, server, still_serves, Server};
use common::small_problem;

/// A listener that accepts connections and never answers.
fn silent_listener() -> (String, std::thread::JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let handle = std::thread::spawn(move || {
        let mut held = Vec::new();
        listener.set_nonblocking(true).expect("nonblocking");
        let until = Instant::now() + Duration::from_secs(30);
        while Instant::now() < until {
            match listener.accept() {
                Ok((s, _)) => held.push(s),
                Err(_) => std::thread::sleep(Duration::from_millis(20)),
            }
        }
    });
    (url, handle)
}

fn osrm_problem(server_name: &str) -> Value {
    let mut p = small_problem();
    p["routing"] = json!({"engine": "osrm", "osrm": {"server": server_name, "retries": 0}});
    p["solver"] = json!({"time_limit_s": 5, "seed": 1});
    p
}

#[test]
fn the_road_server_is_the_operators_choice_and_cancel_stops_waiting_for_it() {
    let (silent, _listener) = silent_listener();
    let dir = tempfile::tempdir().expect("tempdir");
    let flag = format!("silent={silent}");
    let server = server(&dir, &["--osrm", &flag, "--osrm-timeout-s", "20"]);
    let http = client();

    // A URL in the problem: refused, whatever it points to.
    let mut p = small_problem();
    p["routing"] = json!({"engine": "osrm", "osrm": {"url": "http://127.0.0.1:22"}});
    let (status, e) = post(&http, &server, "/api/v1/jobs", &p);
    assert_eq!(status, StatusCode::BAD_REQUEST, "{e}");
    assert_eq!(e["field"], "routing.osrm.url", "{e}");
    assert!(
        e["message"].as_str().unwrap_or("").contains("silent"),
        "{e}"
    );
    // An unknown name, and an unbounded timeout.
    let (status, e) = post(&http, &server, "/api/v1/jobs", &osrm_problem("elsewhere"));
    assert_eq!(status, StatusCode::BAD_REQUEST, "{e}");
    assert_eq!(e["field"], "routing.osrm.server", "{e}");
    let mut p = osrm_problem("silent");
    p["routing"]["osrm"]["timeout_s"] = json!(1e308);
    let (status, e) = post(&http, &server, "/api/v1/jobs", &p);
    assert_eq!(status, StatusCode::BAD_REQUEST, "{e}");
    assert_eq!(e["field"], "routing.osrm.timeout_s", "{e}");

    // A job waiting on the silent server stops when cancelled.
    let (status, job) = post(&http, &server, "/api/v1/jobs", &osrm_problem("silent"));
    assert_eq!(status, StatusCode::ACCEPTED, "{job}");
    let id = job["id"].as_str().expect("id").to_string();
    std::thread::sleep(Duration::from_millis(500));
    let r = http
        .delete(server.at(&format!("/api/v1/jobs/{id}")))
        .send()
        .expect("cancel");
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    let until = Instant::now() + Duration::from_secs(5);
    let state = loop {
        let v = json_of(
            http.get(server.at(&format!("/api/v1/jobs/{id}")))
                .send()
                .expect("status"),
        );
        if v["state"] != "running" && v["state"] != "queued" || Instant::now() > until {
            break v["state"].clone();
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    assert_eq!(
        state, "cancelled",
        "a cancelled job stops waiting for the road server"
    );
    still_serves(&server);
}

#[test]
fn a_road_server_failure_does_not_show_its_address() {
    let (silent, _listener) = silent_listener();
    let dir = tempfile::tempdir().expect("tempdir");
    let flag = format!("silent={silent}");
    let server = server(&dir, &["--osrm", &flag, "--osrm-timeout-s", "1"]);
    let http = client();
    let (status, job) = post(&http, &server, "/api/v1/jobs", &osrm_problem("silent"));
    assert_eq!(status, StatusCode::ACCEPTED, "{job}");
    let id = job["id"].as_str().expect("id");
    let until = Instant::now() + Duration::from_secs(15);
    let v = loop {
        let v = json_of(
            http.get(server.at(&format!("/api/v1/jobs/{id}")))
                .send()
                .expect("status"),
        );
        if v["state"] == "failed" || Instant::now() > until {
            break v;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    assert_eq!(v["state"], "failed", "{v}");
    let error = v["error"].as_str().unwrap_or("");
    assert!(error.contains("road server `silent`"), "{v}");
    assert!(
        !error.contains("127.0.0.1"),
        "the upstream's address leaked: {v}"
    );
}

#[test]
fn a_client_that_hangs_up_stops_its_solve() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = server(&dir, &["--max-solves", "1"]);
    let mut long = small_problem();
    long["solver"] = json!({"time_limit_s": 25, "seed": 1});
    // Gone after one second, without waiting for the answer.
    let impatient = Client::builder()
        .timeout(Duration::from_secs(1))
        .build()
        .expect("client");
    let r = impatient
        .post(server.at("/api/v1/solve"))
        .json(&long)
        .send();
    assert!(r.is_err(), "the client gave up before the answer");
    // The only solver slot is free again long before the 25 s are over.
    let started = Instant::now();
    let r = client()
        .post(server.at("/api/v1/solve"))
        .json(&small_problem())
        .send()
        .expect("second solve");
    assert_eq!(r.status(), StatusCode::OK);
    assert!(
        started.elapsed() < Duration::from_secs(12),
        "the abandoned solve held the slot: {:?}",
        started.elapsed()
    );
}
#[test]
fn after_kill_9_statuses_are_intact_and_the_running_job_finishes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("t.db");
    let mut server = Server::start(&db, &[], &[]);
    let http = client();
    let (_, tokens) = plan_with_tokens(&http, &server);
    let token = tokens.first().expect("a tour").clone();
    let stops = json_of(
        http.get(server.at(&format!("/api/v1/tours/{token}")))
            .send()
            .expect("tour"),
    )["tour"]["stops"]
        .as_array()
        .map_or(0, Vec::len);
    assert!(stops >= 2, "{stops} stops");
    let mut long = small_problem();
    long["solver"] = json!({"time_limit_s": 4, "seed": 2});
    let (status, job) = post(&http, &server, "/api/v1/jobs", &long);
    assert_eq!(status, StatusCode::ACCEPTED);
    let id = job["id"].as_str().expect("id").to_string();
    // Drivers' updates acknowledged while the job runs.
    for stop in 1..=stops {
        let r = http
            .put(server.at(&format!("/api/v1/tours/{token}/stops/{stop}")))
            .json(&json!({"status": if stop % 2 == 0 { "failed" } else { "done" }, "note": format!("n{stop}")}))
            .send()
            .expect("update");
        assert_eq!(r.status(), StatusCode::OK);
    }
    std::thread::sleep(Duration::from_millis(500));
    // kill -9: no chance to tidy up.
    server.child.kill().expect("kill -9");
    server.child.wait().expect("wait");
    drop(server);

    let server = Server::start(&db, &[], &[]);
    let tour = json_of(
        http.get(server.at(&format!("/api/v1/tours/{token}")))
            .send()
            .expect("tour"),
    );
    let statuses = tour["statuses"].as_array().expect("statuses");
    assert_eq!(statuses.len(), stops, "every acknowledged update is there");
    for s in statuses {
        let n = s["stop"].as_u64().expect("stop");
        assert_eq!(s["note"], format!("n{n}"));
    }
    // The interrupted job runs again and ends done, its stream with it.
    let res = http
        .get(server.at(&format!("/api/v1/jobs/{id}/events")))
        .send()
        .expect("events");
    let text = res.text().expect("stream");
    let last = text
        .lines()
        .filter_map(|l| l.strip_prefix("data: "))
        .next_back()
        .expect("an event");
    let v: Value = serde_json::from_str(last).expect("JSON");
    assert_eq!(v["state"], "done", "{v}");
    assert!(v["plan_id"].is_string());
}

#[test]
fn a_second_server_on_the_same_file_is_refused() {
    // A SQLite file, whatever the store under test: several servers may
    // share a PostgreSQL database (tests/cluster.rs).
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("t.db");
    let first = Server::start_on(db.as_os_str(), &[], &[], None);
    let out = common::bin()
        .args(["serve", "--addr", "127.0.0.1:0", "--db"])
        .arg(&db)
        .output()
        .expect("second server");
    assert_eq!(out.status.code(), Some(1));
    assert!(
        common::stderr(&out).contains("another tournee server is using this database"),
        "{}",
        common::stderr(&out)
    );
    still_serves(&first);
}

#[test]
fn a_closed_pipe_ends_a_command_quietly() {
    let dir = tempfile::tempdir().expect("tempdir");
    let problem = common::write(dir.path(), "p.json", &small_problem());
    let plan = dir.path().join("plan.json");
    let out = common::run(&[
        "solve",
        problem.to_str().expect("utf-8"),
        "-o",
        plan.to_str().expect("utf-8"),
    ]);
    assert!(out.status.success(), "{}", common::stderr(&out));
    let bin = env!("CARGO_BIN_EXE_tournee");
    for args in [
        format!("export {} stops", plan.display()),
        format!("solve {} --format json", problem.display()),
        format!("report {}", plan.display()),
    ] {
        // The reader takes one byte and goes away.
        let out = std::process::Command::new("bash")
            .arg("-c")
            .arg(format!(
                "set -o pipefail; '{bin}' {args} | head -c 1 > /dev/null"
            ))
            .output()
            .expect("pipeline");
        let err = common::stderr(&out);
        assert!(out.status.success(), "{args}: {:?} {err}", out.status);
        assert!(
            !err.contains("panicked") && !err.contains("error"),
            "{args}: {err}"
        );
    }
}
