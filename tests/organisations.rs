//! A network of refurbishers on one server: organisations and roles from a
//! keys file, over real HTTP with a real SQLite file. Each organisation's
//! objects are 404 to the others on every route, each role reaches what it
//! should, a network key reads every organisation's figures and nothing
//! else, and a key is rotated in the file without a restart.

mod common;

use std::path::Path;
use std::time::{Duration, Instant, SystemTime};

use common::server::{client, Server};
use common::small_problem;
use reqwest::blocking::{Client, RequestBuilder};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

const A: &str = "refurbA-coordinator-key";
const A_MANAGER: &str = "refurbA-manager-secret";
const B: &str = "refurbB-coordinator-key";
const NETWORK: &str = "region-network-key-0001";

fn keys_file(path: &Path, b_key: &str, at: SystemTime) {
    let manager = format!("{:x}", Sha256::digest(A_MANAGER.as_bytes()));
    std::fs::write(
        path,
        format!(
            "organisation,role,name,key\nrefurbA,coordinator,alice,{A}\nrefurbA,manager,bob,sha256:{manager}\nrefurbB,coordinator,carol,{b_key}\nregion,network,pilot,{NETWORK}\n"
        ),
    )
    .expect("write keys");
    std::fs::File::options()
        .write(true)
        .open(path)
        .and_then(|f| f.set_modified(at))
        .expect("set the file's time");
}

fn call(http: &Client, server: &Server, method: Method, path: &str, key: &str) -> RequestBuilder {
    http.request(method, server.at(path))
        .header("authorization", format!("Bearer {key}"))
}

fn status(r: RequestBuilder) -> StatusCode {
    r.send().expect("request").status()
}

/// A stored plan of the organisation of `key`, from a quick job; the job's
/// id and the plan's.
fn plan_of(http: &Client, server: &Server, key: &str) -> (String, String) {
    let r = call(http, server, Method::POST, "/api/v1/jobs", key)
        .json(&small_problem())
        .send()
        .expect("job");
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    let job = r.json::<Value>().expect("json")["id"]
        .as_str()
        .expect("id")
        .to_string();
    let until = Instant::now() + Duration::from_secs(30);
    loop {
        let v: Value = call(
            http,
            server,
            Method::GET,
            &format!("/api/v1/jobs/{job}"),
            key,
        )
        .send()
        .expect("status")
        .json()
        .expect("json");
        if let Some(p) = v["plan_id"].as_str() {
            return (job, p.to_string());
        }
        assert!(v["state"] != "failed" && Instant::now() < until, "{v}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn tours_in_report(http: &Client, server: &Server, key: &str) -> usize {
    let r = call(http, server, Method::GET, "/api/v1/reports", key)
        .send()
        .expect("report");
    assert_eq!(r.status(), StatusCode::OK);
    let v: Value = r.json().expect("json");
    v["tours"].as_array().map_or(0, Vec::len)
}

#[test]
fn organisations_see_only_their_own_and_roles_reach_what_they_should() {
    let dir = tempfile::tempdir().expect("tempdir");
    let keys = dir.path().join("keys.csv");
    let start = SystemTime::now();
    keys_file(&keys, B, start);
    let server = Server::start(
        &dir.path().join("t.db"),
        &[],
        &["--keys", keys.to_str().expect("utf-8")],
    );
    let http = client();

    let (job_a, plan_a) = plan_of(&http, &server, A);
    let tours_a = tours_in_report(&http, &server, A);
    assert!(tours_a > 0);
    let setup: Value = serde_json::from_str(
        &std::fs::read_to_string(common::repo().join("data/rouen/setup.json")).expect("setup"),
    )
    .expect("setup JSON");
    let r = call(&http, &server, Method::PUT, "/api/v1/setup", A).json(&setup);
    assert_eq!(status(r), StatusCode::OK);

    // B sees nothing of A's, on every route that names an object, and
    // cannot tell A's ids from ids that do not exist.
    let routes: Vec<(Method, String)> = [
        "GET /api/v1/plans/{p}",
        "GET /api/v1/plans/{p}/plan",
        "GET /api/v1/plans/{p}/problem",
        "GET /api/v1/plans/{p}/geojson",
        "GET /api/v1/plans/{p}/stops.csv",
        "GET /api/v1/plans/{p}/tours/0",
        "GET /api/v1/plans/{p}/statuses",
        "GET /api/v1/plans/{p}/report",
        "GET /api/v1/plans/{p}/tours/0/stops/1/photo",
        "POST /api/v1/plans/{p}/share",
        "DELETE /api/v1/plans/{p}/share",
        "DELETE /api/v1/plans/{p}",
        "GET /api/v1/jobs/{j}",
        "GET /api/v1/jobs/{j}/result",
        "GET /api/v1/jobs/{j}/events",
        "DELETE /api/v1/jobs/{j}",
    ]
    .iter()
    .map(|r| {
        let (m, p) = r.split_once(' ').expect("method and path");
        (
            Method::from_bytes(m.as_bytes()).expect("method"),
            p.replace("{p}", &plan_a).replace("{j}", &job_a),
        )
    })
    .collect();
    for (method, path) in &routes {
        let r = call(&http, &server, method.clone(), path, B)
            .send()
            .expect("request");
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "B: {method} {path}");
        let body = r.text().unwrap_or_default();
        assert!(!body.contains("Mairie"), "{method} {path}: {body}");
        // The same answer as for an id that does not exist.
        let ghost = path
            .replace(&plan_a, "0000000000000000")
            .replace(&job_a, "0000000000000000");
        assert_eq!(
            status(call(&http, &server, method.clone(), &ghost, B)),
            StatusCode::NOT_FOUND,
            "{method} {ghost}"
        );
    }
    let insert = call(
        &http,
        &server,
        Method::POST,
        &format!("/api/v1/plans/{plan_a}/insertions"),
        B,
    )
    .json(&json!({"request": {"id": "P9", "location": [1.09, 49.44], "devices": {"laptop": 1}}}));
    assert_eq!(status(insert), StatusCode::NOT_FOUND);
    let mut replan = small_problem();
    replan["replan"] = json!({"frozen_before": "2026-11-30T12:00"});
    let r = call(
        &http,
        &server,
        Method::POST,
        &format!("/api/v1/jobs?previous={plan_a}"),
        B,
    )
    .json(&replan);
    assert_eq!(
        status(r),
        StatusCode::NOT_FOUND,
        "a re-plan of A's plan by B"
    );
    let listed: Value = call(&http, &server, Method::GET, "/api/v1/plans", B)
        .send()
        .expect("list")
        .json()
        .expect("json");
    assert_eq!(listed["plans"], json!([]));
    assert_eq!(
        status(call(&http, &server, Method::GET, "/api/v1/setup", B)),
        StatusCode::NOT_FOUND
    );
    assert_eq!(tours_in_report(&http, &server, B), 0);
    // A still has everything.
    for (method, path) in routes.iter().filter(|(m, _)| *m == Method::GET) {
        if path.ends_with("/photo") || path.ends_with("/result") || path.ends_with("/events") {
            continue;
        }
        assert_eq!(
            status(call(&http, &server, method.clone(), path, A)),
            StatusCode::OK,
            "A: {path}"
        );
    }

    // A's manager reads A's plans and reports, changes nothing.
    let plan_path = format!("/api/v1/plans/{plan_a}");
    assert_eq!(
        status(call(&http, &server, Method::GET, &plan_path, A_MANAGER)),
        StatusCode::OK
    );
    assert_eq!(tours_in_report(&http, &server, A_MANAGER), tours_a);
    for (method, path) in [
        (Method::POST, "/api/v1/jobs".to_string()),
        (Method::DELETE, plan_path.clone()),
        (Method::PUT, "/api/v1/setup".to_string()),
        (Method::GET, format!("{plan_path}/tours/0/stops/1/photo")),
    ] {
        let r = call(&http, &server, method.clone(), &path, A_MANAGER)
            .json(&small_problem())
            .send()
            .expect("request");
        assert_eq!(
            r.status(),
            StatusCode::FORBIDDEN,
            "manager: {method} {path}"
        );
        let v: Value = r.json().expect("json");
        assert_eq!(v["error"], "forbidden");
    }

    // B plans too; the network key reads both organisations' figures, and
    // nothing else.
    plan_of(&http, &server, B);
    let tours_b = tours_in_report(&http, &server, B);
    assert!(tours_b > 0);
    assert_eq!(tours_in_report(&http, &server, NETWORK), tours_a + tours_b);
    let network: Value = call(&http, &server, Method::GET, "/api/v1/reports", NETWORK)
        .send()
        .expect("report")
        .json()
        .expect("json");
    assert_eq!(network["by_donor"], json!({}));
    // Side by side, each organisation's stops and devices; together the
    // network's.
    let by_org = network["by_organisation"]
        .as_object()
        .expect("by_organisation");
    assert_eq!(
        by_org.keys().collect::<Vec<_>>(),
        ["refurbA", "refurbB"],
        "{network}"
    );
    let sum = |k: &str| -> u64 { by_org.values().map(|o| o[k].as_u64().unwrap_or(0)).sum() };
    let done = |k: &str| -> u64 {
        network["by_month_done"]
            .as_object()
            .expect("by month")
            .values()
            .map(|m| m[k].as_u64().unwrap_or(0))
            .sum()
    };
    assert!(sum("devices_collected") > 0);
    assert_eq!(sum("devices_collected"), done("devices_collected"));
    assert_eq!(sum("stops"), done("stops"));
    let km: f64 = by_org
        .values()
        .map(|o| o["km"].as_f64().unwrap_or(0.0))
        .sum();
    let transport = network["transport"]["km"].as_f64().expect("km");
    assert!((km - transport).abs() < 1e-6, "{km} against {transport}");
    // Each organisation's vans apart, no plan named.
    let mut plans: Vec<&str> = network["plans"]
        .as_array()
        .expect("plans")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    plans.sort_unstable();
    assert_eq!(plans, ["refurbA", "refurbB"]);
    let vans = network["by_vehicle"].as_object().expect("by vehicle");
    assert!(
        vans.keys()
            .all(|k| k.starts_with("refurbA/") || k.starts_with("refurbB/")),
        "{vans:?}"
    );
    let own: Value = call(&http, &server, Method::GET, "/api/v1/reports", A)
        .send()
        .expect("report")
        .json()
        .expect("json");
    assert!(
        own["by_donor"].as_object().is_some_and(|d| !d.is_empty()),
        "{own}"
    );
    let own_orgs: Vec<&String> = own["by_organisation"]
        .as_object()
        .expect("by_organisation")
        .keys()
        .collect();
    assert_eq!(own_orgs, ["refurbA"]);
    for path in [
        "/api/v1/plans".to_string(),
        plan_path.clone(),
        "/api/v1/setup".to_string(),
        format!("{plan_path}/report"),
    ] {
        assert_eq!(
            status(call(&http, &server, Method::GET, &path, NETWORK)),
            StatusCode::FORBIDDEN,
            "network: {path}"
        );
    }
    let config: Value = call(&http, &server, Method::GET, "/api/v1/web-config", A)
        .send()
        .expect("config")
        .json()
        .expect("json");
    assert_eq!(config["setup"], true);
    assert_eq!(config["api_key_required"], true);

    // B's key is rotated in the file: the old one stops, the new one works,
    // the server was not restarted.
    let rotated = "refurbB-rotated-key-2026";
    keys_file(&keys, rotated, start + Duration::from_secs(10));
    assert_eq!(
        status(call(&http, &server, Method::GET, "/api/v1/plans", B)),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        status(call(&http, &server, Method::GET, "/api/v1/plans", rotated)),
        StatusCode::OK
    );
    // A key file with a mistake keeps the keys it had.
    std::fs::write(&keys, "not a keys file").expect("write");
    std::fs::File::options()
        .write(true)
        .open(&keys)
        .and_then(|f| f.set_modified(start + Duration::from_secs(20)))
        .expect("set the file's time");
    assert_eq!(
        status(call(&http, &server, Method::GET, "/api/v1/plans", rotated)),
        StatusCode::OK
    );
}

#[test]
fn a_keys_file_with_a_mistake_is_refused_at_start_with_its_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let keys = dir.path().join("keys.csv");
    std::fs::write(
        &keys,
        "organisation,role,name,key\nrefurbA,owner,alice,0123456789abcdef\n",
    )
    .expect("write");
    let out = common::run(&[
        "serve",
        "--addr",
        "127.0.0.1:0",
        "--db",
        dir.path().join("t.db").to_str().expect("utf-8"),
        "--keys",
        keys.to_str().expect("utf-8"),
    ]);
    assert!(!out.status.success());
    let err = common::stderr(&out);
    assert!(err.contains("line 2: role `owner`"), "{err}");
}
