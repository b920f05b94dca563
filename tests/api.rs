//! The HTTP API end to end: the real `tournee serve` on 127.0.0.1 with a real
//! SQLite file, driven by a real HTTP client.

mod common;

use std::io::{BufRead, BufReader};
use std::time::{Duration, Instant};

use reqwest::blocking::Client;
use reqwest::StatusCode;
use serde_json::{json, Value};

use common::server::{client, json_of, Server};
use common::small_problem;

/// A problem that searches for `seconds` (no iteration limit).
fn timed_problem(seconds: f64) -> Value {
    let mut p = small_problem();
    p["solver"] = json!({ "time_limit_s": seconds, "seed": 3 });
    p
}

/// Follows a job's server-sent events to its final state; returns every
/// status seen.
fn follow(http: &Client, server: &Server, id: &str) -> Vec<Value> {
    let res = http
        .get(server.at(&format!("/api/v1/jobs/{id}/events")))
        .send()
        .expect("events");
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers()["content-type"]
        .to_str()
        .is_ok_and(|c| c.starts_with("text/event-stream")));
    let mut seen = Vec::new();
    for line in BufReader::new(res).lines() {
        let line = line.expect("event line");
        if let Some(data) = line.strip_prefix("data: ") {
            let v: Value = serde_json::from_str(data).expect("event data is JSON");
            let over = matches!(v["state"].as_str(), Some("done" | "failed" | "cancelled"));
            seen.push(v);
            if over {
                break;
            }
        }
    }
    seen
}

#[test]
fn a_job_from_queue_to_driver_updates_survives_a_restart() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("tournee.db");
    let http = client();
    let server = Server::start(&db, &[], &[]);
    assert_eq!(
        json_of(http.get(server.at("/healthz")).send().expect("healthz")),
        json!({"status": "ok"})
    );

    let res = http
        .post(server.at("/api/v1/jobs"))
        .json(&timed_problem(1.5))
        .send()
        .expect("create job");
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    let location = res.headers()["location"]
        .to_str()
        .expect("location")
        .to_string();
    let job = json_of(res);
    let id = job["id"].as_str().expect("id").to_string();
    assert_eq!(location, format!("/api/v1/jobs/{id}"));

    // Progress as events: running with a best cost and a growing share of
    // the time limit, then done with a plan.
    let events = follow(&http, &server, &id);
    let last = events.last().expect("at least one event");
    assert_eq!(last["state"], "done", "{events:?}");
    let running: Vec<&Value> = events.iter().filter(|e| e["state"] == "running").collect();
    assert!(!running.is_empty(), "{events:?}");
    assert!(running
        .iter()
        .any(|e| e["progress"]["best_cost"].is_number()));
    let percents: Vec<f64> = running
        .iter()
        .filter_map(|e| e["progress"]["percent"].as_f64())
        .collect();
    assert!(percents.windows(2).all(|w| w[0] <= w[1]), "{percents:?}");
    let status = json_of(http.get(server.at(&location)).send().expect("status"));
    assert_eq!(status["state"], "done");
    let plan_id = status["plan_id"].as_str().expect("plan id").to_string();
    let result = json_of(
        http.get(server.at(&format!("{location}/result")))
            .send()
            .expect("result"),
    );

    // The stored plan, feasible by the independent checker, with share links.
    let stored = json_of(
        http.get(server.at(&format!("/api/v1/plans/{plan_id}")))
            .send()
            .expect("plan"),
    );
    let plan: tournee::plan::Plan = serde_json::from_value(stored["plan"].clone()).expect("a plan");
    let problem: tournee::model::Problem =
        serde_json::from_value(timed_problem(1.5)).expect("problem");
    assert!(tournee::check::check(&problem, &plan).is_empty());
    assert_eq!(result, stored["plan"]);
    assert_eq!(stored["meta"]["created_by"], "local");
    let share = stored["share"].as_array().expect("share links");
    assert_eq!(share.len(), plan.tours.len());
    let token = share[0]["token"].as_str().expect("token").to_string();
    let listed = json_of(http.get(server.at("/api/v1/plans")).send().expect("list"));
    assert_eq!(listed["plans"][0]["id"], plan_id.as_str());

    // The manager's figures, per plan and per period, and the exports.
    let report = json_of(
        http.get(server.at(&format!("/api/v1/plans/{plan_id}/report")))
            .send()
            .expect("report"),
    );
    let by_tours: f64 = plan
        .tours
        .iter()
        .map(|t| t.distance_km * t.co2e_kg_per_km)
        .sum();
    let transport = report["transport"]["co2e_kg"].as_f64().expect("kg");
    assert!((transport - by_tours).abs() < 1e-9 && transport > 0.0);
    let period = json_of(
        http.get(server.at("/api/v1/reports?from=2026-11-30&to=2026-11-30&reuse_rate=0.5"))
            .send()
            .expect("period"),
    );
    assert_eq!(period["transport"], report["transport"]);
    assert_eq!(period["by_week"]["2026-W49"], report["transport"]);
    let outside = json_of(
        http.get(server.at("/api/v1/reports?from=2026-12-01"))
            .send()
            .expect("period"),
    );
    assert_eq!(outside["transport"]["km"], 0.0);
    for (query, field) in [("reuse_rate=2", "reuse_rate"), ("from=monday", "from")] {
        let r = http
            .get(server.at(&format!("/api/v1/reports?{query}")))
            .send()
            .expect("bad query");
        assert_eq!(r.status(), StatusCode::BAD_REQUEST);
        assert_eq!(json_of(r)["field"], field);
    }
    let csv = http
        .get(server.at(&format!("/api/v1/plans/{plan_id}/stops.csv")))
        .send()
        .expect("csv")
        .text()
        .expect("text");
    assert_eq!(csv.lines().count(), 1 + plan.totals.stops);

    // The driver opens the tour and reports two stops.
    let tour = json_of(
        http.get(server.at(&format!("/api/v1/tours/{token}")))
            .send()
            .expect("tour"),
    );
    assert_eq!(tour["tour"]["id"], plan.tours[0].id.as_str());
    assert!(tour["geometry"]["polyline"]
        .as_str()
        .is_some_and(|p| !p.is_empty()));
    let coords = tour["geometry"]["geojson"]["coordinates"]
        .as_array()
        .expect("line");
    assert_eq!(coords.len(), plan.tours[0].stops.len() + 2);
    assert!(plan.tours[0].stops.len() >= 2, "the test needs two stops");
    let gpx = http
        .get(server.at(&format!("/api/v1/tours/{token}/gpx")))
        .send()
        .expect("gpx");
    assert_eq!(gpx.headers()["content-type"], "application/gpx+xml");
    let gpx = gpx.text().expect("text");
    assert_eq!(gpx.matches("<rtept ").count(), plan.tours[0].stops.len());
    let stop_url = |n: usize| server.at(&format!("/api/v1/tours/{token}/stops/{n}"));
    let done = json!({"status": "done", "at": "2026-11-30T09:12:00+01:00"});
    let first = json_of(http.put(stop_url(1)).json(&done).send().expect("done"));
    assert_eq!(first["status"], "done");
    let again = json_of(http.put(stop_url(1)).json(&done).send().expect("again"));
    assert_eq!(again, first, "a repeated report changes nothing");
    let failed = json!({"status": "failed", "note": "closed, nobody there"});
    let r = http.put(stop_url(2)).json(&failed).send().expect("failed");
    assert_eq!(r.status(), StatusCode::OK);
    server.stop();

    // Same file, new server: plans and statuses are all there.
    let server = Server::start(&db, &[], &[]);
    let after = json_of(
        http.get(server.at(&format!("/api/v1/plans/{plan_id}")))
            .send()
            .expect("plan after restart"),
    );
    assert_eq!(after["plan"], stored["plan"]);
    let tour = json_of(
        http.get(server.at(&format!("/api/v1/tours/{token}")))
            .send()
            .expect("tour after restart"),
    );
    let statuses = tour["statuses"].as_array().expect("statuses");
    assert_eq!(statuses.len(), 2);
    assert_eq!(statuses[0], first);
    assert_eq!(statuses[1]["status"], "failed");
    assert_eq!(statuses[1]["note"], "closed, nobody there");
    let job = json_of(http.get(server.at(&location)).send().expect("old job"));
    assert_eq!(job["state"], "done");
    assert_eq!(job["plan_id"], plan_id.as_str());

    // Deleting the plan takes its tours' links with it.
    let r = http
        .delete(server.at(&format!("/api/v1/plans/{plan_id}")))
        .send()
        .expect("delete");
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let r = http
        .get(server.at(&format!("/api/v1/tours/{token}")))
        .send()
        .expect("gone");
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
}

#[test]
fn a_running_job_can_be_cancelled() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = Server::start(&dir.path().join("t.db"), &[], &[]);
    let http = client();
    let job = json_of(
        http.post(server.at("/api/v1/jobs"))
            .json(&timed_problem(60.0))
            .send()
            .expect("create"),
    );
    let id = job["id"].as_str().expect("id");
    let started = Instant::now();
    let r = http
        .delete(server.at(&format!("/api/v1/jobs/{id}")))
        .send()
        .expect("cancel");
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    let events = follow(&http, &server, id);
    assert_eq!(events.last().expect("event")["state"], "cancelled");
    assert!(started.elapsed() < Duration::from_secs(30));
    let r = http
        .delete(server.at(&format!("/api/v1/jobs/{id}")))
        .send()
        .expect("cancel again");
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let r = http
        .get(server.at(&format!("/api/v1/jobs/{id}/result")))
        .send()
        .expect("no result");
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let plans = json_of(http.get(server.at("/api/v1/plans")).send().expect("list"));
    assert_eq!(plans["plans"], json!([]));
}

const KEY: &str = "coordinator:0123456789abcdef-secret";

#[test]
fn api_keys_guard_plans_and_a_tour_token_opens_only_its_tour() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = Server::start(&dir.path().join("t.db"), &[("TOURNEE_API_KEYS", KEY)], &[]);
    let http = client();
    let key = "0123456789abcdef-secret";
    let mut p = small_problem();
    p["solver"]["time_limit_s"] = json!(1);
    // Van A (the only one on duty for P2, 87.5 kg) takes little else.
    p["vehicles"][0]["capacity"]["kg"] = json!(90);

    for auth in [None, Some("Bearer wrong-key-wrong-key"), Some(key)] {
        let mut req = http.post(server.at("/api/v1/solve")).json(&p);
        if let Some(a) = auth {
            req = req.header("authorization", a);
        }
        let r = req.send().expect("solve");
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "{auth:?}");
        assert_eq!(json_of(r)["error"], "unauthorized");
    }
    let bearer = format!("Bearer {key}");
    let r = http
        .post(server.at("/api/v1/solve"))
        .header("authorization", &bearer)
        .json(&p)
        .send()
        .expect("solve");
    assert_eq!(r.status(), StatusCode::OK);
    let plan: tournee::plan::Plan = r.json().expect("plan");
    assert!(plan.tours.len() >= 2, "the test needs two tours");

    // Store it (checked first), then look at its share tokens.
    let r = http
        .post(server.at("/api/v1/plans"))
        .header("authorization", &bearer)
        .json(&json!({"problem": p, "plan": plan}))
        .send()
        .expect("upload");
    assert_eq!(r.status(), StatusCode::CREATED);
    let id = json_of(r)["id"].as_str().expect("id").to_string();
    let stored = json_of(
        http.get(server.at(&format!("/api/v1/plans/{id}")))
            .header("authorization", &bearer)
            .send()
            .expect("plan"),
    );
    assert_eq!(stored["meta"]["created_by"], "coordinator");
    let tokens: Vec<String> = stored["share"]
        .as_array()
        .expect("share")
        .iter()
        .map(|s| s["token"].as_str().expect("token").to_string())
        .collect();
    assert_ne!(tokens[0], tokens[1]);
    assert!(tokens.iter().all(|t| t.len() == 32));

    // A token opens its tour, and nothing else.
    let t0 = json_of(
        http.get(server.at(&format!("/api/v1/tours/{}", tokens[0])))
            .send()
            .expect("tour"),
    );
    assert_eq!(t0["tour"]["id"], plan.tours[0].id.as_str());
    for path in [
        format!("/api/v1/plans/{id}"),
        "/api/v1/plans".to_string(),
        format!("/api/v1/plans/{id}/tours/1"),
        format!("/api/v1/plans/{id}/problem"),
    ] {
        let r = http
            .get(server.at(&path))
            .header("authorization", format!("Bearer {}", tokens[0]))
            .send()
            .expect("request");
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "{path}");
    }
    let r = http
        .get(server.at("/api/v1/tours/0123456789abcdef0123456789abcdef"))
        .send()
        .expect("wrong token");
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    // Stop numbers beyond this tour's are refused, not written elsewhere.
    let beyond = plan.tours[0].stops.len() + 1;
    let r = http
        .put(server.at(&format!("/api/v1/tours/{}/stops/{beyond}", tokens[0])))
        .json(&json!({"status": "done"}))
        .send()
        .expect("beyond");
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let t1 = json_of(
        http.get(server.at(&format!("/api/v1/plans/{id}/tours/1")))
            .header("authorization", &bearer)
            .send()
            .expect("tour 1"),
    );
    assert_eq!(t1["statuses"], json!([]));
}

#[test]
fn client_mistakes_get_4xx_with_the_field_and_never_a_500() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = Server::start(
        &dir.path().join("t.db"),
        &[],
        &["--max-body-bytes", "20000", "--sync-max-seconds", "5"],
    );
    let http = client();
    let post = |body: String| {
        http.post(server.at("/api/v1/solve"))
            .header("content-type", "application/json")
            .body(body)
            .send()
            .expect("post")
    };

    let mut p = small_problem();
    p["pickups"][1]["time_windows"][0]["end"] = json!("2026-11-30T08:00");
    let r = post(p.to_string());
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let e = json_of(r);
    assert_eq!(e["error"], "invalid_input");
    assert_eq!(e["field"], "pickups[1].time_windows[0]");

    let mut p = small_problem();
    p["pickups"][0]["devices"]["laptop"] = json!("ten");
    let e = json_of(post(p.to_string()));
    assert_eq!(e["field"], "pickups[0].devices.laptop");

    let mut p = small_problem();
    p["solver"]["time_limit_s"] = json!(60);
    let e = json_of(post(p.to_string()));
    assert_eq!(e["field"], "solver.time_limit_s");

    let r = post("{ not json".into());
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);

    let r = post(format!("{{\"pad\": \"{}\"}}", "x".repeat(30_000)));
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(json_of(r)["error"], "body_too_large");

    let r = http
        .get(server.at("/api/v1/jobs/nope"))
        .send()
        .expect("job");
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert_eq!(json_of(r)["error"], "not_found");
    let r = http
        .get(server.at("/api/v2/everything"))
        .send()
        .expect("route");
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert_eq!(json_of(r)["error"], "not_found");
    let r = http
        .get(server.at("/api/v1/plans/x/tours/minus-one"))
        .send()
        .expect("bad index");
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(r.headers().contains_key("x-request-id"));
}

#[test]
fn fifty_concurrent_solves_are_all_answered_by_a_bounded_queue() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = Server::start(
        &dir.path().join("t.db"),
        &[],
        &[
            "--max-solves",
            "1",
            "--queue",
            "3",
            "--retry-after-s",
            "7",
            "--max-jobs-per-key",
            "50",
        ],
    );
    let body = timed_problem(0.3).to_string();
    let url = server.at("/api/v1/solve");
    let answers: Vec<(u16, Option<String>, Value)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..50)
            .map(|_| {
                let (url, body) = (url.clone(), body.clone());
                s.spawn(move || {
                    let r = client()
                        .post(url)
                        .header("content-type", "application/json")
                        .body(body)
                        .send()
                        .expect("every request is answered");
                    let retry = r
                        .headers()
                        .get("retry-after")
                        .and_then(|v| v.to_str().ok())
                        .map(String::from);
                    (r.status().as_u16(), retry, r.json().expect("JSON body"))
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("client thread"))
            .collect()
    });
    assert_eq!(answers.len(), 50);
    let ok = answers.iter().filter(|a| a.0 == 200).count();
    let busy: Vec<_> = answers.iter().filter(|a| a.0 == 503).collect();
    assert_eq!(ok + busy.len(), 50, "only 200 or 503 expected");
    assert!(ok >= 4, "the running solve and the queue are served: {ok}");
    assert!(!busy.is_empty(), "a queue of 3 cannot take 50 at once");
    for (_, retry, body) in &busy {
        assert_eq!(retry.as_deref(), Some("7"));
        assert_eq!(body["error"], "busy");
    }
    for (code, _, body) in &answers {
        if *code == 200 {
            assert_eq!(body["format"], "tournee-plan/1");
        }
    }
    let r = client().get(server.at("/healthz")).send().expect("alive");
    assert_eq!(r.status(), StatusCode::OK);
}

#[test]
fn the_openapi_document_covers_every_route_and_its_refs_resolve() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = Server::start(&dir.path().join("t.db"), &[], &[]);
    let http = client();
    let doc = json_of(
        http.get(server.at("/api/openapi.json"))
            .send()
            .expect("doc"),
    );
    assert_eq!(doc["openapi"], "3.1.0");
    let paths = doc["paths"].as_object().expect("paths");
    let page = http
        .get(server.at("/api/docs"))
        .send()
        .expect("page")
        .text()
        .expect("html");
    let mut operations = 0;
    for (path, ops) in paths {
        assert!(page.contains(path.as_str()), "{path} missing from the page");
        for (method, op) in ops.as_object().expect("operations") {
            operations += 1;
            assert!(op["responses"].as_object().is_some_and(|r| !r.is_empty()));
            // Every documented route is served: the router knows it, even
            // if this id is not found.
            let url = server.at(&path
                .replace("{index}", "0")
                .replace("{stop}", "1")
                .replace(['{', '}'], ""));
            let r = http
                .request(method.to_uppercase().parse().expect("method"), url)
                .header("content-type", "application/json")
                .body("{}")
                .send()
                .expect("request");
            if r.status() == StatusCode::NOT_FOUND {
                let body = json_of(r);
                assert!(
                    !body["message"]
                        .as_str()
                        .is_some_and(|m| m.starts_with("no such route")),
                    "{method} {path} is documented but not served"
                );
            }
        }
    }
    assert!(operations >= 16, "{operations} operations documented");
    // Every reference points at a schema the document defines.
    let text = doc.to_string();
    let schemas = doc["components"]["schemas"].as_object().expect("schemas");
    for part in text.split("\"#/components/schemas/").skip(1) {
        let name = part.split('"').next().expect("name");
        assert!(schemas.contains_key(name), "dangling $ref {name}");
    }
}

#[test]
fn allocation_alone_and_before_routing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = Server::start(&dir.path().join("t.db"), &[], &[]);
    let http = client();
    let mut p = small_problem();
    p["stock"] = json!({"laptop": 5});
    let a = json_of(
        http.post(server.at("/api/v1/allocate"))
            .json(&p)
            .send()
            .expect("allocate"),
    );
    assert_eq!(a["orders"][0]["allocated"]["laptop"], 5);
    assert_eq!(a["stock_left"]["laptop"], 0);
    let plan: tournee::plan::Plan = http
        .post(server.at("/api/v1/solve"))
        .json(&p)
        .send()
        .expect("solve")
        .json()
        .expect("plan");
    assert_eq!(plan.totals.devices_delivered, 5);
    let r = http
        .post(server.at("/api/v1/allocate"))
        .json(&small_problem())
        .send()
        .expect("no stock");
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert_eq!(json_of(r)["field"], "stock");
}

#[test]
fn a_replan_through_the_api_keeps_the_earlier_tours() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = Server::start(&dir.path().join("t.db"), &[], &[]);
    let http = client();
    let job = json_of(
        http.post(server.at("/api/v1/jobs"))
            .json(&small_problem())
            .send()
            .expect("job"),
    );
    let id = job["id"].as_str().expect("id").to_string();
    let events = follow(&http, &server, &id);
    let plan_id = events.last().expect("event")["plan_id"]
        .as_str()
        .expect("plan")
        .to_string();
    let earlier: tournee::plan::Plan = http
        .get(server.at(&format!("/api/v1/jobs/{id}/result")))
        .send()
        .expect("result")
        .json()
        .expect("plan");

    let mut p = small_problem();
    p["replan"] = json!({"frozen_before": "2026-11-30T23:00"});
    p["pickups"]
        .as_array_mut()
        .expect("pickups")
        .push(json!({"id": "U1", "location": [1.09, 49.43], "devices": {"laptop": 2}}));
    let r = http
        .post(server.at("/api/v1/solve"))
        .json(&p)
        .send()
        .expect("no previous");
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert_eq!(json_of(r)["field"], "replan");

    let replanned: tournee::plan::Plan = http
        .post(server.at(&format!("/api/v1/solve?previous={plan_id}")))
        .json(&p)
        .send()
        .expect("replan")
        .json()
        .expect("plan");
    // Every earlier tour left before 23:00: all kept as they were; the new
    // request goes to a shift still free, or is left out with a reason.
    for t in &earlier.tours {
        assert!(replanned.tours.contains(t), "tour {} kept", t.id);
    }
    let u1 = replanned
        .changes
        .iter()
        .find(|c| c.request == "U1")
        .expect("U1 listed");
    assert_eq!(u1.from, "new");
    assert!(earlier.tours.iter().all(|t| t.id != u1.to), "{u1:?}");
    assert_eq!(replanned.changes.len(), 1, "{:?}", replanned.changes);
}
