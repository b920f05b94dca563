//! One bad request never hurts anyone else: a corpus of bad and hostile
//! requests over real HTTP against the real `tournee serve`, one test per
//! family. Each checks the status, the field path where there is one, and
//! that the server still answers `/healthz` and still plans a good problem
//! afterwards.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{json, Value};

use common::server::{
    client, fields, json_of, plan_with_tokens, post, server, still_serves, Server,
};
use common::small_problem;

#[test]
fn counts_and_figures_out_of_bounds_are_400s_with_their_field() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = server(&dir, &[]);
    let http = client();
    type Edit = fn(&mut Value);
    let cases: [(&str, Edit, &str); 7] = [
        (
            "orders[0].devices.laptop",
            |p| p["orders"][0]["devices"]["laptop"] = json!(4_294_967_295u64),
            "4 294 967 295 laptops",
        ),
        (
            "stock.laptop",
            |p| p["stock"]["laptop"] = json!(4_000_000_000u64),
            "a stock of 4·10⁹",
        ),
        (
            "pickups[0].service_minutes",
            |p| p["pickups"][0]["service_minutes"] = json!(1e308),
            "service 1e308 min",
        ),
        (
            "vehicles[0].reload_minutes",
            |p| p["vehicles"][0]["reload_minutes"] = json!(1e308),
            "reload 1e308 min",
        ),
        (
            "routing.detour_factor",
            |p| p["routing"] = json!({"detour_factor": 1e308}),
            "detour 1e308",
        ),
        (
            "routing.speed_kmh",
            |p| p["routing"] = json!({"speed_kmh": 1e-308}),
            "speed 1e-308 km/h",
        ),
        (
            "vehicles[0].speed_factor",
            |p| p["vehicles"][0]["speed_factor"] = json!(1e-300),
            "speed factor 1e-300",
        ),
    ];
    for (field, edit, what) in cases {
        let mut p = small_problem();
        p["stock"] = json!({"laptop": 5});
        edit(&mut p);
        for path in ["/api/v1/solve", "/api/v1/jobs", "/api/v1/allocate"] {
            let started = Instant::now();
            let (status, e) = post(&http, &server, path, &p);
            assert_eq!(status, StatusCode::BAD_REQUEST, "{what} on {path}: {e}");
            assert!(
                fields(&e).iter().any(|f| f == field),
                "{what} on {path}: {e}"
            );
            assert!(
                started.elapsed() < Duration::from_secs(5),
                "{what} on {path} took {:?}",
                started.elapsed()
            );
        }
    }
    still_serves(&server);
}

#[test]
fn documents_that_would_size_buffers_or_floods_of_mistakes_are_cut_short() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = server(&dir, &[]);
    let http = client();
    // 30,000 workshops would be a 30,000² matrix.
    let mut p = small_problem();
    p["depots"] = (0..30_000)
        .map(|i| json!({"id": format!("d{i}"), "location": [1.0, 49.0]}))
        .collect();
    let started = Instant::now();
    let (status, e) = post(&http, &server, "/api/v1/solve", &p);
    assert_eq!(status, StatusCode::BAD_REQUEST, "{e}");
    assert!(fields(&e).contains(&"depots".to_string()), "{e}");
    assert!(started.elapsed() < Duration::from_secs(5));
    // 5,000 unknown device types in one request: a bounded answer.
    let mut p = small_problem();
    p["pickups"][0]["devices"] = (0..5_000)
        .map(|i| (format!("thing{i}"), json!(1)))
        .collect::<serde_json::Map<String, Value>>()
        .into();
    let (status, e) = post(&http, &server, "/api/v1/solve", &p);
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(e["field"], "pickups[0].devices", "{e}");
    let mut p = small_problem();
    p["pickups"] = (0..2_000)
        .map(|i| json!({"id": format!("P{i}"), "location": [1.0, 49.4], "devices": {"gadget": 1}}))
        .collect();
    let (status, e) = post(&http, &server, "/api/v1/solve", &p);
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let listed = e["errors"].as_array().map_or(0, Vec::len);
    assert!(listed <= 101, "{listed} mistakes listed");
    assert!(e["errors"][listed - 1]["message"]
        .as_str()
        .is_some_and(|m| m.contains("more mistakes not listed")));
    still_serves(&server);
}

#[test]
fn a_van_that_cannot_reach_its_end_workshop_is_a_field_error_not_a_crash() {
    let mut p = small_problem();
    // Marseille is 700 km from Rouen: no 9-hour shift gets there.
    p["depots"]
        .as_array_mut()
        .expect("depots")
        .push(json!({"id": "marseille", "location": [5.37, 43.29]}));
    p["vehicles"][0]["end_depot"] = json!("marseille");

    let dir = tempfile::tempdir().expect("tempdir");
    let path = common::write(dir.path(), "far.json", &p);
    let out = common::run(&["solve", path.to_str().expect("utf-8")]);
    assert_eq!(out.status.code(), Some(2), "{}", common::stderr(&out));
    assert!(
        common::stderr(&out).contains("vehicles[0].shifts[0]: the van cannot even drive"),
        "{}",
        common::stderr(&out)
    );

    let server = server(&dir, &[]);
    let (status, e) = post(&client(), &server, "/api/v1/solve", &p);
    assert_eq!(status, StatusCode::BAD_REQUEST, "{e}");
    assert!(
        fields(&e).contains(&"vehicles[0].shifts[0]".to_string()),
        "{e}"
    );
    still_serves(&server);
}

#[test]
fn a_slow_body_times_out_and_one_key_cannot_fill_the_queue() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = server(
        &dir,
        &[
            "--body-timeout-s",
            "1",
            "--max-jobs-per-key",
            "1",
            "--retry-after-s",
            "9",
        ],
    );
    // Headers promise 1,000 bytes; one arrives.
    let mut s = TcpStream::connect(server.authority()).expect("connect");
    write!(
        s,
        "POST /api/v1/solve HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{{",
        server.authority()
    )
    .expect("write");
    s.set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    let started = Instant::now();
    let mut answer = [0u8; 64];
    let n = s
        .read(&mut answer)
        .expect("an answer before the read timeout");
    let head = String::from_utf8_lossy(&answer[..n]);
    assert!(head.starts_with("HTTP/1.1 408"), "{head}");
    assert!(started.elapsed() < Duration::from_secs(5));

    // One job at a time for this key: the second gets 429 and Retry-After.
    let http = client();
    let mut long = small_problem();
    long["solver"] = json!({"time_limit_s": 20, "seed": 1});
    let (status, job) = post(&http, &server, "/api/v1/jobs", &long);
    assert_eq!(status, StatusCode::ACCEPTED, "{job}");
    let r = http
        .post(server.at("/api/v1/jobs"))
        .json(&long)
        .send()
        .expect("second job");
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(r.headers()["retry-after"], "9");
    assert_eq!(json_of(r)["error"], "quota");
    let id = job["id"].as_str().expect("id");
    http.delete(server.at(&format!("/api/v1/jobs/{id}")))
        .send()
        .expect("cancel");
    let until = Instant::now() + Duration::from_secs(10);
    while json_of(
        http.get(server.at(&format!("/api/v1/jobs/{id}")))
            .send()
            .expect("status"),
    )["state"]
        != "cancelled"
    {
        assert!(Instant::now() < until, "the job was not cancelled");
        std::thread::sleep(Duration::from_millis(100));
    }
    // Longer than any server allows.
    let mut p = small_problem();
    p["solver"] = json!({"time_limit_s": 86_400});
    // (The cancelled job gives its place back as its task ends.)
    let mut answer = post(&http, &server, "/api/v1/jobs", &p);
    while answer.0 == StatusCode::TOO_MANY_REQUESTS && Instant::now() < until {
        std::thread::sleep(Duration::from_millis(100));
        answer = post(&http, &server, "/api/v1/jobs", &p);
    }
    let (status, e) = answer;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{e}");
    assert_eq!(e["field"], "solver.time_limit_s");
}

#[test]
fn the_protocol_is_held_to_what_the_document_says() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = server(&dir, &[]);
    let http = client();
    let good = small_problem().to_string();
    let send = |body: String, kind: Option<&str>| {
        let mut r = http.post(server.at("/api/v1/solve")).body(body);
        if let Some(k) = kind {
            r = r.header("content-type", k);
        }
        r.send().expect("post")
    };
    for trailing in [format!("{good}xyz"), format!("{good}{good}")] {
        let r = send(trailing, Some("application/json"));
        assert_eq!(r.status(), StatusCode::BAD_REQUEST);
        assert!(json_of(r)["message"]
            .as_str()
            .unwrap_or("")
            .contains("after the JSON document"));
    }
    for kind in [
        Some("text/plain"),
        Some("application/x-www-form-urlencoded"),
        None,
    ] {
        let r = send(good.clone(), kind);
        assert_eq!(r.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE, "{kind:?}");
        assert_eq!(json_of(r)["error"], "unsupported_media_type");
    }
    assert_eq!(
        send(good.clone(), Some("application/json; charset=utf-8")).status(),
        StatusCode::OK
    );
    // Query mistakes answer the JSON error too.
    for query in ["reuse_rate=lots", "bogus=1"] {
        let r = http
            .get(server.at(&format!("/api/v1/reports?{query}")))
            .send()
            .expect("report");
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{query}");
        assert!(r.headers()["content-type"]
            .to_str()
            .is_ok_and(|c| c.starts_with("application/json")));
        let e = json_of(r);
        assert!(
            e["field"].as_str().is_some_and(|f| f.starts_with("query")),
            "{e}"
        );
    }
    // A method a path does not serve: 405 with the ones it does.
    let r = http.put(server.at("/api/v1/jobs")).send().expect("put");
    assert_eq!(r.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(r.headers()["allow"], "POST");
    let r = http
        .delete(server.at("/api/v1/reports"))
        .send()
        .expect("delete");
    assert_eq!(r.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(r.headers()["allow"], "GET");
    // The document lists every query parameter and the media types served.
    let doc = json_of(
        http.get(server.at("/api/openapi.json"))
            .send()
            .expect("doc"),
    );
    let names = |path: &str, method: &str| -> Vec<String> {
        doc["paths"][path][method]["parameters"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|p| p["name"].as_str().map(String::from))
            .collect()
    };
    for n in ["from", "to", "reuse_rate"] {
        assert!(
            names("/api/v1/reports", "get").contains(&n.to_string()),
            "{n}"
        );
    }
    assert!(names("/api/v1/jobs", "post").contains(&"previous".to_string()));
    assert!(names("/api/v1/solve", "post").contains(&"previous".to_string()));
    assert!(
        doc["paths"]["/api/v1/plans/{id}/geojson"]["get"]["responses"]["200"]["content"]
            ["application/geo+json"]
            .is_object()
    );
    still_serves(&server);
}

#[test]
fn share_tokens_stay_out_of_logs_and_caches_and_can_be_revoked() {
    let dir = tempfile::tempdir().expect("tempdir");
    let log = dir.path().join("server.log");
    let server = Server::start_logged(&dir.path().join("t.db"), &[], &[], Some(&log));
    let http = client();
    let (plan_id, tokens) = plan_with_tokens(&http, &server);
    let token = tokens.first().expect("a tour").clone();
    let tour = http
        .get(server.at(&format!("/api/v1/tours/{token}")))
        .send()
        .expect("tour");
    assert_eq!(tour.status(), StatusCode::OK);
    assert_eq!(tour.headers()["cache-control"], "no-store");
    for (h, want) in [
        ("x-content-type-options", "nosniff"),
        ("x-frame-options", "DENY"),
        ("referrer-policy", "no-referrer"),
    ] {
        assert_eq!(tour.headers()[h], want, "{h}");
    }
    assert!(tour.headers()["content-security-policy"]
        .to_str()
        .is_ok_and(|c| c.contains("script-src 'self'") && c.contains("frame-ancestors 'none'")));
    // A driver's update with a time that is not one: refused.
    let r = http
        .put(server.at(&format!("/api/v1/tours/{token}/stops/1")))
        .json(&json!({"status": "done", "at": "<img src=x onerror=alert(1)>"}))
        .send()
        .expect("bad at");
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert_eq!(json_of(r)["field"], "at");
    let r = http
        .put(server.at(&format!("/api/v1/tours/{token}/stops/1")))
        .json(&json!({"status": "done", "at": "2026-11-30T09:12"}))
        .send()
        .expect("update");
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["cache-control"], "no-store");

    // New links: the old one stops working, the new one opens the tour.
    let renewed = json_of(
        http.post(server.at(&format!("/api/v1/plans/{plan_id}/share")))
            .send()
            .expect("renew"),
    );
    let fresh = renewed["share"][0]["token"]
        .as_str()
        .expect("token")
        .to_string();
    assert_ne!(fresh, token);
    let status = |t: &str| {
        http.get(server.at(&format!("/api/v1/tours/{t}")))
            .send()
            .expect("tour")
            .status()
    };
    assert_eq!(status(&token), StatusCode::NOT_FOUND);
    assert_eq!(status(&fresh), StatusCode::OK);
    // Revoked: no link opens it.
    let r = http
        .delete(server.at(&format!("/api/v1/plans/{plan_id}/share")))
        .send()
        .expect("revoke");
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert_eq!(status(&fresh), StatusCode::NOT_FOUND);
    let stored = json_of(
        http.get(server.at(&format!("/api/v1/plans/{plan_id}")))
            .send()
            .expect("plan"),
    );
    assert_eq!(stored["share"], json!([]), "revoked links are not offered");
    server.stop();
    let logged = std::fs::read_to_string(&log).expect("log");
    assert!(
        logged.contains("/api/v1/tours/…"),
        "tour requests are logged"
    );
    for t in [&token, &fresh] {
        assert!(
            !logged.contains(t.as_str()),
            "a share token reached the log"
        );
    }
}

#[test]
fn a_keyless_server_answers_only_to_its_own_host_and_origin() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = server(&dir, &[]);
    let http = client();
    // DNS rebinding: the page of evil.example resolving to 127.0.0.1.
    let r = http
        .get(server.at("/api/v1/plans"))
        .header("host", "evil.example")
        .send()
        .expect("rebound");
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(json_of(r)["error"], "forbidden");
    // Another site's page posting here.
    let r = http
        .post(server.at("/api/v1/solve"))
        .header("origin", "http://evil.example")
        .json(&small_problem())
        .send()
        .expect("cross-site");
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // The same origin is fine.
    let r = http
        .post(server.at("/api/v1/solve"))
        .header("origin", server.url.clone())
        .json(&small_problem())
        .send()
        .expect("same site");
    assert_eq!(r.status(), StatusCode::OK);
    // With API keys, any host name may be used (behind a proxy).
    let keyed = Server::start(
        &dir.path().join("k.db"),
        &[("TOURNEE_API_KEYS", "coord:0123456789abcdef0123")],
        &[],
    );
    let r = http
        .get(keyed.at("/healthz"))
        .header("host", "tournee.example.org")
        .send()
        .expect("proxied");
    assert_eq!(r.status(), StatusCode::OK);
}
