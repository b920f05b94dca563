//! "Where does this late request fit?" through the real server: a plan,
//! one new pickup, the suggestions (cheapest first, each within the rules:
//! every one applied and its plan passed by the independent checker, the
//! other tours untouched), and a bad request refused on its own paths.

mod common;

use reqwest::StatusCode;
use serde_json::{json, Value};

use common::server::{client, json_of, plan_of_job, post, server};

#[test]
fn a_late_request_gets_the_cheapest_places_each_within_the_rules() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = server(&dir, &[]);
    let http = client();
    let (status, job) = post(&http, &server, "/api/v1/jobs", &common::small_problem());
    assert_eq!(status, StatusCode::ACCEPTED, "{job}");
    let plan_id = plan_of_job(&http, &server, job["id"].as_str().expect("id"), 30);
    let before = json_of(
        http.get(server.at(&format!("/api/v1/plans/{plan_id}/plan")))
            .send()
            .expect("plan"),
    );
    let late = json!({"kind": "pickup", "request": {
        "id": "LATE", "name": "Appel du matin", "location": [1.095, 49.435],
        "devices": {"laptop": 4},
        "time_windows": [{"start": "2026-11-30T10:00", "end": "2026-11-30T16:00"}]}});
    let path = format!("/api/v1/plans/{plan_id}/insertions");
    let (status, got) = post(&http, &server, &path, &late);
    assert_eq!(status, StatusCode::OK, "{got}");
    let suggestions = got["suggestions"].as_array().expect("suggestions").clone();
    assert!(!suggestions.is_empty() && suggestions.len() <= 5, "{got}");
    let costs: Vec<f64> = suggestions
        .iter()
        .map(|s| s["added_cost"].as_f64().expect("cost"))
        .collect();
    assert!(
        costs.windows(2).all(|w| w[0] <= w[1]),
        "cheapest first: {costs:?}"
    );
    for (k, s) in suggestions.iter().enumerate() {
        assert!(s["added_km"].as_f64().is_some_and(|km| km >= -1e-9), "{s}");
        let arrival = s["arrival"].as_str().expect("arrival");
        assert!(
            ("2026-11-30T10:00".."2026-11-30T16:01").contains(&arrival),
            "{s}"
        );
        // Applied: a new plan, checked by the independent checker.
        let (status, applied) = post(&http, &server, &format!("{path}?apply={k}"), &late);
        assert_eq!(status, StatusCode::CREATED, "{applied}");
        let id = applied["plan_id"].as_str().expect("plan id");
        let text = |what: &str| {
            http.get(server.at(&format!("/api/v1/plans/{id}/{what}")))
                .send()
                .expect("get")
                .text()
                .expect("text")
        };
        let problem = tournee::input::read(&text("problem")).expect("problem");
        let plan: tournee::plan::Plan = serde_json::from_str(&text("plan")).expect("plan");
        let errors = tournee::check::check(&problem, &plan);
        assert!(errors.is_empty(), "suggestion {k}: {errors:?}");
        let holder = plan
            .tours
            .iter()
            .find(|t| t.stops.iter().any(|x| x.job == "LATE"))
            .expect("LATE planned");
        assert_eq!(holder.id, s["tour"].as_str().expect("tour"));
        // Every other tour as it was.
        let jobs = |t: &Value| -> Vec<String> {
            t["stops"]
                .as_array()
                .expect("stops")
                .iter()
                .filter_map(|x| x["job"].as_str().map(String::from))
                .collect()
        };
        for t in before["tours"].as_array().expect("tours") {
            if t["id"] == s["tour"] {
                continue;
            }
            let now = plan
                .tours
                .iter()
                .find(|n| n.id == t["id"].as_str().unwrap_or(""));
            let now: Vec<String> = now
                .map(|n| n.stops.iter().map(|x| x.job.clone()).collect())
                .unwrap_or_default();
            assert_eq!(now, jobs(t), "{} untouched", t["id"]);
        }
    }

    // A bad request is refused on its own paths.
    let mut bad = late.clone();
    bad["request"]["devices"] = json!({"toaster": 1});
    let (status, e) = post(&http, &server, &path, &bad);
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        common::server::fields(&e)
            .iter()
            .any(|f| f.starts_with("request.devices")),
        "{e}"
    );
    let (status, _) = post(&http, &server, &format!("{path}?apply=99"), &late);
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = post(&http, &server, "/api/v1/plans/nope/insertions", &late);
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[test]
fn a_late_pickup_taken_to_a_partner_is_suggested_with_its_drop() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = server(&dir, &[]);
    let http = client();
    let mut problem = common::small_problem();
    problem["partners"] = json!([{"id": "recycleur", "name": "Recycleur DEEE",
        "location": [1.04, 49.40], "service_minutes": 15}]);
    let (status, job) = post(&http, &server, "/api/v1/jobs", &problem);
    assert_eq!(status, StatusCode::ACCEPTED, "{job}");
    let plan_id = plan_of_job(&http, &server, job["id"].as_str().expect("id"), 30);
    let late = json!({"kind": "pickup", "request": {
        "id": "LATE", "location": [1.095, 49.435], "devices": {"desktop_tower": 2},
        "deliver_to": "recycleur"}});
    let path = format!("/api/v1/plans/{plan_id}/insertions");
    let (status, got) = post(&http, &server, &path, &late);
    assert_eq!(status, StatusCode::OK, "{got}");
    assert!(
        !got["suggestions"]
            .as_array()
            .expect("suggestions")
            .is_empty(),
        "{got}"
    );
    let (status, applied) = post(&http, &server, &format!("{path}?apply=0"), &late);
    assert_eq!(status, StatusCode::CREATED, "{applied}");
    let id = applied["plan_id"].as_str().expect("plan id");
    let text = |what: &str| {
        http.get(server.at(&format!("/api/v1/plans/{id}/{what}")))
            .send()
            .expect("get")
            .text()
            .expect("text")
    };
    let problem = tournee::input::read(&text("problem")).expect("problem");
    let plan: tournee::plan::Plan = serde_json::from_str(&text("plan")).expect("plan");
    assert_eq!(tournee::check::check(&problem, &plan), Vec::<String>::new());
    let kinds: Vec<tournee::plan::StopKind> = plan
        .tours
        .iter()
        .flat_map(|t| &t.stops)
        .filter(|s| s.job == "LATE")
        .map(|s| s.kind)
        .collect();
    assert_eq!(
        kinds,
        [
            tournee::plan::StopKind::Pickup,
            tournee::plan::StopKind::Drop
        ]
    );
}
