//! What drivers report, through the real server: each actual field of a
//! stop (reason, devices, recipient, times, position) stored and read back
//! by the board's key route, each bound refused on its field; and a
//! request reported failed on Monday back in Tuesday's re-plan, with why.

mod common;

use reqwest::StatusCode;
use serde_json::{json, Value};

use common::server::{client, json_of, plan_of_job, post, server, share_tokens};

/// The small problem over Monday and Tuesday, every site open both days.
fn two_days() -> Value {
    let mut p = common::small_problem();
    p["horizon"]["end"] = json!("2026-12-02T00:00");
    let shift =
        |d: &str, a: &str, b: &str| json!({"start": format!("{d}T{a}"), "end": format!("{d}T{b}")});
    p["depots"][0]["opening_hours"] = json!([
        shift("2026-11-30", "07:00", "19:00"),
        shift("2026-12-01", "07:00", "19:00")
    ]);
    for v in p["vehicles"].as_array_mut().expect("vehicles") {
        v["shifts"] = json!([
            shift("2026-11-30", "08:00", "17:00"),
            shift("2026-12-01", "08:00", "17:00")
        ]);
    }
    for list in ["pickups", "orders"] {
        for r in p[list].as_array_mut().expect("requests") {
            r.as_object_mut().expect("request").remove("time_windows");
        }
    }
    // Monday only for the first van's tour: Tuesday is for re-planning.
    p["vehicles"][1]["shifts"] = json!([shift("2026-12-01", "08:00", "17:00")]);
    p["vehicles"][0]["shifts"] = json!([
        shift("2026-11-30", "08:00", "17:00"),
        shift("2026-12-01", "08:00", "17:00")
    ]);
    p
}

#[test]
fn a_drivers_actuals_are_stored_bounded_and_bring_a_failed_request_back() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = server(&dir, &[]);
    let http = client();
    let problem = two_days();
    let (status, job) = post(&http, &server, "/api/v1/jobs", &problem);
    assert_eq!(status, StatusCode::ACCEPTED, "{job}");
    let plan_id = plan_of_job(&http, &server, job["id"].as_str().expect("id"), 30);
    let stored = json_of(
        http.get(server.at(&format!("/api/v1/plans/{plan_id}")))
            .send()
            .expect("plan"),
    );
    let plan = &stored["plan"];
    let tokens = share_tokens(&http, &server, &plan_id);
    // A Monday tour with two stops or more.
    let (index, tour) = plan["tours"]
        .as_array()
        .expect("tours")
        .iter()
        .enumerate()
        .find(|(_, t)| {
            t["day"] == "2026-11-30" && t["stops"].as_array().is_some_and(|s| s.len() >= 2)
        })
        .expect("a Monday tour of two stops");
    let token = &tokens[index];
    let (first, second) = (
        tour["stops"][0]["job"].as_str().expect("job").to_string(),
        tour["stops"][1]["job"].as_str().expect("job").to_string(),
    );
    let put = |stop: usize, body: Value| {
        http.put(server.at(&format!("/api/v1/tours/{token}/stops/{stop}")))
            .json(&body)
            .send()
            .expect("put")
    };

    // Each bound, refused on its field.
    for (body, field) in [
        (json!({"status": "done", "reason": "absent"}), "reason"),
        (json!({"status": "failed", "reason": "asleep"}), "reason"),
        (
            json!({"status": "done", "devices": {"laptop": 100_001}}),
            "devices.laptop",
        ),
        (json!({"status": "done", "devices": {"<b>": 1}}), "devices"),
        (
            json!({"status": "done", "recipient": "a\u{7}b"}),
            "recipient",
        ),
        (
            json!({"status": "done", "recipient": "x".repeat(201)}),
            "recipient",
        ),
        (
            json!({"status": "done", "arrived_at": "lundi"}),
            "arrived_at",
        ),
        (
            json!({"status": "done", "position": [200.0, 0.0]}),
            "position",
        ),
    ] {
        let r = put(1, body.clone());
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(json_of(r)["field"], field, "{body}");
    }

    // Stop 1 done with what was there; stop 2 failed, nobody there.
    let done = json!({"status": "done", "devices": {"laptop": 12, "monitor": 1},
                      "recipient": "Mme Martin", "arrived_at": "2026-11-30T09:02",
                      "departed_at": "2026-11-30T09:20", "position": [1.0993, 49.4431],
                      "note": "12 portables au lieu de 10"});
    let r = put(1, done.clone());
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(
        put(1, done).status(),
        StatusCode::OK,
        "the same report again"
    );
    let r = put(
        2,
        json!({"status": "failed", "reason": "absent", "note": "personne"}),
    );
    assert_eq!(r.status(), StatusCode::OK);

    // The board reads them, with each stop's tour and request.
    let seen = json_of(
        http.get(server.at(&format!("/api/v1/plans/{plan_id}/statuses")))
            .send()
            .expect("statuses"),
    );
    let list = seen["statuses"].as_array().expect("statuses");
    assert_eq!(list.len(), 2, "{seen}");
    let one = &list[0];
    assert_eq!(
        (one["tour"].as_u64(), one["request"].as_str()),
        (Some(index as u64), Some(first.as_str()))
    );
    assert_eq!(one["devices"], json!({"laptop": 12, "monitor": 1}));
    assert_eq!(one["recipient"], "Mme Martin");
    assert_eq!(one["arrived_at"], "2026-11-30T09:02");
    assert_eq!(one["departed_at"], "2026-11-30T09:20");
    assert_eq!(one["position"], json!([1.0993, 49.4431]));
    assert_eq!(
        (list[1]["request"].as_str(), list[1]["reason"].as_str()),
        (Some(second.as_str()), Some("absent"))
    );
    // The driver's own view holds them too.
    let view = json_of(
        http.get(server.at(&format!("/api/v1/tours/{token}")))
            .send()
            .expect("tour"),
    );
    assert_eq!(view["statuses"][0]["recipient"], "Mme Martin");

    // The emissions report counts what was done: stop 1 as counted, stop 2
    // nothing, every other stop as planned; planned beside it.
    let report = json_of(
        http.get(server.at(&format!("/api/v1/plans/{plan_id}/report")))
            .send()
            .expect("report"),
    );
    let done = &report["done"];
    assert_eq!(done["stops_reported"], 2, "{done}");
    assert_eq!(done["stops_failed"], 1, "{done}");
    // Driven as planned (stop 1, then stop 2): the planned kilometres.
    let planned_km: f64 = plan["tours"]
        .as_array()
        .expect("tours")
        .iter()
        .filter_map(|t| t["distance_km"].as_f64())
        .sum();
    let km = |k: &str| done[k].as_f64().expect("km");
    assert!((km("km_planned") - planned_km).abs() < 1e-6, "{done}");
    assert!((km("km") - planned_km).abs() < 1e-6, "{done}");
    let (mut planned, mut counted, mut laptops) = (0u64, 0u64, 0u64);
    for (k, t) in plan["tours"].as_array().expect("tours").iter().enumerate() {
        for (n, s) in t["stops"].as_array().expect("stops").iter().enumerate() {
            if s["kind"] != "pickup" {
                continue;
            }
            let devices = |d: &Value, key: &str| d[key].as_u64().unwrap_or(0);
            let total: u64 = s["devices"]
                .as_object()
                .expect("devices")
                .values()
                .filter_map(Value::as_u64)
                .sum();
            planned += total;
            let (got, got_laptops) = match (k == index, n) {
                (true, 0) => (13, 12),
                (true, 1) => (0, 0),
                _ => (total, devices(&s["devices"], "laptop")),
            };
            counted += got;
            laptops += got_laptops;
        }
    }
    assert_eq!(done["devices_collected_planned"].as_u64(), Some(planned));
    assert_eq!(done["devices_collected"].as_u64(), Some(counted), "{done}");
    let laptop_line = report["avoided"]["devices"]
        .as_array()
        .expect("devices")
        .iter()
        .find(|d| d["device"] == "laptop")
        .cloned()
        .expect("laptops avoided");
    assert_eq!(laptop_line["collected"].as_u64(), Some(laptops));
    // The period report counts the same.
    let period = json_of(
        http.get(server.at("/api/v1/reports"))
            .send()
            .expect("reports"),
    );
    assert_eq!(period["done"], report["done"]);

    // Tuesday's re-plan: Monday is done, the failed request comes back.
    let mut tuesday = problem.clone();
    tuesday["replan"] = json!({"frozen_before": "2026-12-01T00:00"});
    tuesday["solver"] = json!({"time_limit_s": 5, "seed": 1, "iteration_limit": 300});
    let (status, again) = post(
        &http,
        &server,
        &format!("/api/v1/solve?previous={plan_id}"),
        &tuesday,
    );
    assert_eq!(status, StatusCode::OK, "{again}");
    let back = again["tours"].as_array().expect("tours").iter().find(|t| {
        t["day"] == "2026-12-01"
            && t["stops"]
                .as_array()
                .is_some_and(|s| s.iter().any(|s| s["job"] == second.as_str()))
    });
    assert!(back.is_some(), "{second} planned again on Tuesday: {again}");
    let change = again["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .find(|c| c["request"] == second.as_str())
        .cloned()
        .expect("its change");
    assert_eq!(
        change["why"],
        "reported failed by the driver (absent): planned again"
    );
    // The same for pages in their reader's language.
    assert_eq!(change["why_code"], "driver_failed");
    assert_eq!(change["why_args"], json!({"reason": "absent"}));
    // What was done is not planned again.
    assert!(again["tours"]
        .as_array()
        .expect("tours")
        .iter()
        .filter(|t| t["day"] == "2026-12-01")
        .all(|t| t["stops"]
            .as_array()
            .is_none_or(|s| s.iter().all(|s| s["job"] != first.as_str()))));

    // Stored as a job, the re-plan takes over the drivers' links (same van,
    // same day) and the reports of the tours it kept.
    let (status, job) = post(
        &http,
        &server,
        &format!("/api/v1/jobs?previous={plan_id}"),
        &tuesday,
    );
    assert_eq!(status, StatusCode::ACCEPTED, "{job}");
    let new_id = plan_of_job(&http, &server, job["id"].as_str().expect("id"), 30);
    let opened = json_of(
        http.get(server.at(&format!("/api/v1/tours/{token}")))
            .send()
            .expect("tour"),
    );
    assert_eq!(opened["plan"]["id"], new_id.as_str(), "the link follows");
    assert_eq!(opened["tour"]["id"], tour["id"]);
    let carried = json_of(
        http.get(server.at(&format!("/api/v1/plans/{new_id}/statuses")))
            .send()
            .expect("statuses"),
    );
    let carried: Vec<(String, String)> = carried["statuses"]
        .as_array()
        .expect("statuses")
        .iter()
        .map(|s| {
            (
                s["request"].as_str().unwrap_or("").to_string(),
                s["status"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    assert_eq!(
        carried,
        vec![
            (first.clone(), "done".into()),
            (second.clone(), "failed".into())
        ]
    );
    // The earlier plan keeps its reports, under a new link of its own.
    let old_tokens = share_tokens(&http, &server, &plan_id);
    assert_ne!(old_tokens[index], *token);
    let old = json_of(
        http.get(server.at(&format!("/api/v1/tours/{}", old_tokens[index])))
            .send()
            .expect("tour"),
    );
    assert_eq!(old["plan"]["id"], plan_id.as_str());
    assert_eq!(old["statuses"].as_array().map(Vec::len), Some(2));
}

/// A small real PNG (1×1, red), built by hand so the test needs no image.
fn png() -> Vec<u8> {
    let mut v = b"\x89PNG\r\n\x1a\n".to_vec();
    v.extend_from_slice(&[0, 0, 0, 13]);
    v.extend_from_slice(b"IHDR\0\0\0\x01\0\0\0\x01\x08\x02\0\0\0\x90wS\xde");
    v.extend_from_slice(b"\0\0\0\x0cIDATx\x9cc\xf8\xcf\xc0\0\0\x03\x01\x01\0\xc9\xfe\x92\xef");
    v.extend_from_slice(b"\0\0\0\0IEND\xaeB`\x82");
    v
}

#[test]
fn a_stops_photo_and_signature_are_bounded_stored_and_read_only_with_a_key() {
    const KEY: &str = "0123456789abcdef-proofs";
    let dir = tempfile::tempdir().expect("tempdir");
    let keys = format!("coordinator:{KEY}");
    let server = common::server::Server::start(
        &dir.path().join("t.db"),
        &[("TOURNEE_API_KEYS", keys.as_str())],
        &[],
    );
    let http = client();
    let bearer = format!("Bearer {KEY}");
    let r = http
        .post(server.at("/api/v1/jobs"))
        .header("authorization", &bearer)
        .json(&common::small_problem())
        .send()
        .expect("job");
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    let job = json_of(r)["id"].as_str().expect("id").to_string();
    // The helpers speak without a key: poll with one.
    let mut plan_id = String::new();
    for _ in 0..300 {
        let j = json_of(
            http.get(server.at(&format!("/api/v1/jobs/{job}")))
                .header("authorization", &bearer)
                .send()
                .expect("job"),
        );
        if let Some(id) = j["plan_id"].as_str() {
            plan_id = id.to_string();
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert!(!plan_id.is_empty(), "the job made a plan");
    let stored = json_of(
        http.get(server.at(&format!("/api/v1/plans/{plan_id}")))
            .header("authorization", &bearer)
            .send()
            .expect("plan"),
    );
    let token = stored["share"][0]["token"]
        .as_str()
        .expect("a token")
        .to_string();
    let put = |kind: &str, media: &str, body: Vec<u8>| {
        http.put(server.at(&format!("/api/v1/tours/{token}/stops/1/{kind}")))
            .header("content-type", media)
            .body(body)
            .send()
            .expect("put")
    };

    // What is not a photo, or not what it says, or too big: refused.
    assert_eq!(
        put("photo", "image/png", b"<svg onload=alert(1)>".to_vec()).status(),
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        put("photo", "image/jpeg", png()).status(),
        StatusCode::BAD_REQUEST,
        "a PNG declared as JPEG"
    );
    assert_eq!(
        put("photo", "text/plain", png()).status(),
        StatusCode::UNSUPPORTED_MEDIA_TYPE
    );
    let mut big = png();
    big.resize(1024 * 1024 + 1, 0);
    assert_eq!(
        put("photo", "image/png", big).status(),
        StatusCode::PAYLOAD_TOO_LARGE
    );
    assert_eq!(
        put("video", "image/png", png()).status(),
        StatusCode::NOT_FOUND
    );
    let r = http
        .put(server.at(&format!("/api/v1/tours/{token}/stops/999/photo")))
        .header("content-type", "image/png")
        .body(png())
        .send()
        .expect("put");
    assert_eq!(r.status(), StatusCode::NOT_FOUND);

    // A photo and a signature, and the stop done: the board sees both.
    let r = put("photo", "image/png", png());
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(json_of(r)["bytes"].as_u64(), Some(png().len() as u64));
    let mut signature = png();
    signature.extend_from_slice(b"signed");
    assert_eq!(
        put("signature", "image/png", signature.clone()).status(),
        StatusCode::OK
    );
    let r = http
        .put(server.at(&format!("/api/v1/tours/{token}/stops/1")))
        .json(&json!({"status": "done", "recipient": "M. Durand"}))
        .send()
        .expect("done");
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(json_of(r)["proofs"], json!(["photo", "signature"]));
    let statuses = json_of(
        http.get(server.at(&format!("/api/v1/plans/{plan_id}/statuses")))
            .header("authorization", &bearer)
            .send()
            .expect("statuses"),
    );
    assert_eq!(
        statuses["statuses"][0]["proofs"],
        json!(["photo", "signature"])
    );

    // Read back with the key, byte for byte; not without it, not with the
    // driver's token.
    let path = format!("/api/v1/plans/{plan_id}/tours/0/stops/1/signature");
    let r = http
        .get(server.at(&path))
        .header("authorization", &bearer)
        .send()
        .expect("get");
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"].to_str().ok(), Some("image/png"));
    assert!(r.headers()["cache-control"]
        .to_str()
        .is_ok_and(|c| c.contains("no-store")));
    assert_eq!(r.bytes().expect("bytes").to_vec(), signature);
    assert_eq!(
        http.get(server.at(&path)).send().expect("get").status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        http.get(server.at(&format!("/api/v1/tours/{token}/stops/1/photo")))
            .send()
            .expect("get")
            .status(),
        StatusCode::METHOD_NOT_ALLOWED
    );
    // A stop without one: 404.
    let r = http
        .get(server.at(&format!("/api/v1/plans/{plan_id}/tours/0/stops/2/photo")))
        .header("authorization", &bearer)
        .send()
        .expect("get");
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
}

#[test]
fn a_delivery_reported_failed_gives_its_devices_back_to_the_stock_for_the_replan() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = server(&dir, &[]);
    let http = client();
    // The only order, on Monday, with exactly the stock it asks.
    let mut problem = two_days();
    problem["stock"] = json!({"laptop": 8});
    problem["orders"][0]["time_windows"] =
        json!([{"start": "2026-11-30T10:00", "end": "2026-11-30T16:00"}]);
    let (status, job) = post(&http, &server, "/api/v1/jobs", &problem);
    assert_eq!(status, StatusCode::ACCEPTED, "{job}");
    let plan_id = plan_of_job(&http, &server, job["id"].as_str().expect("id"), 30);
    let stored = json_of(
        http.get(server.at(&format!("/api/v1/plans/{plan_id}")))
            .send()
            .expect("plan"),
    );
    let tokens = share_tokens(&http, &server, &plan_id);
    let (index, stop) = stored["plan"]["tours"]
        .as_array()
        .expect("tours")
        .iter()
        .enumerate()
        .find_map(|(k, t)| {
            t["stops"]
                .as_array()?
                .iter()
                .position(|s| s["job"] == "C1")
                .map(|n| (k, n + 1))
        })
        .expect("C1 delivered on Monday");
    let r = http
        .put(server.at(&format!("/api/v1/tours/{}/stops/{stop}", tokens[index])))
        .json(&json!({"status": "failed", "reason": "closed"}))
        .send()
        .expect("failed");
    assert_eq!(r.status(), StatusCode::OK);

    // Tuesday: the town hall opens again; the 8 laptops came back.
    let mut tuesday = problem.clone();
    tuesday["orders"][0]["time_windows"] =
        json!([{"start": "2026-12-01T10:00", "end": "2026-12-01T16:00"}]);
    tuesday["replan"] = json!({"frozen_before": "2026-12-01T00:00"});
    let (status, again) = post(
        &http,
        &server,
        &format!("/api/v1/solve?previous={plan_id}"),
        &tuesday,
    );
    assert_eq!(status, StatusCode::OK, "{again}");
    let delivered: u64 = again["tours"]
        .as_array()
        .expect("tours")
        .iter()
        .filter(|t| t["day"] == "2026-12-01")
        .flat_map(|t| t["stops"].as_array().cloned().unwrap_or_default())
        .filter(|s| s["job"] == "C1")
        .filter_map(|s| s["devices"]["laptop"].as_u64())
        .sum();
    assert_eq!(delivered, 8, "{again}");
}
