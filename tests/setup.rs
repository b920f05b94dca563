//! A coordinator's week from nothing, through the API alone, on a real
//! server with an empty database: the presets, the set-up saved (and a
//! wrong one refused with its paths), the week's problem, the French sheet
//! imported into it, planned, and every request planned or listed with its
//! reason.

mod common;

use reqwest::StatusCode;
use serde_json::{json, Value};

use common::repo;
use common::server::{client, json_of, plan_of_job, Server};

fn setup() -> Value {
    serde_json::from_str(
        &std::fs::read_to_string(repo().join("data/rouen/setup.json")).expect("setup"),
    )
    .expect("json")
}

#[test]
fn from_an_empty_database_to_a_planned_week_through_the_api() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = Server::start(&dir.path().join("t.db"), &[], &[]);
    let http = client();

    // Nothing yet: the set-up is missing, and says how to add one.
    let r = http.get(server.at("/api/v1/setup")).send().expect("setup");
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert!(json_of(r)["message"]
        .as_str()
        .is_some_and(|m| m.contains("PUT /api/v1/setup")));
    let presets = json_of(
        http.get(server.at("/api/v1/setup/presets"))
            .send()
            .expect("presets"),
    );
    assert!(presets["vans"]
        .as_array()
        .is_some_and(|v| v.iter().any(|v| v["preset"] == "kangoo-e-tech")));
    assert!(presets["devices"]
        .as_array()
        .is_some_and(|d| d.iter().any(|d| d["fr"][1] == "écrans")));

    // A wrong set-up: refused with the set-up's own paths.
    let mut wrong = setup();
    wrong["vans"][1]["vehicle"]["capacity"]["kg"] = json!(-5);
    wrong["vans"][0]["week"][0]["days"] = json!(["lun", "someday"]);
    let r = http
        .put(server.at("/api/v1/setup"))
        .json(&wrong)
        .send()
        .expect("put");
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let e = json_of(r);
    assert_eq!(e["field"], "vans[0].week[0].days[1]", "{e}");
    let r = http
        .put(server.at("/api/v1/setup"))
        .json(&setup())
        .send()
        .expect("put");
    assert_eq!(r.status(), StatusCode::OK, "{:?}", r.text());
    assert_eq!(
        json_of(http.get(server.at("/api/v1/setup")).send().expect("get"))["name"],
        "Métropole Rouen Normandie"
    );

    // The week's problem, then the sheet joined to it.
    let week = json_of(
        http.get(server.at("/api/v1/setup/week?week=2026-12-02"))
            .send()
            .expect("week"),
    );
    assert_eq!(week["horizon"]["start"], "2026-11-30T00:00:00");
    assert_eq!(
        week["vehicles"][0]["shifts"].as_array().map_or(0, Vec::len),
        5
    );
    let sheet = std::fs::read(repo().join("data/rouen/demandes-semaine.csv")).expect("sheet");
    let imported = json_of(
        http.post(server.at("/api/v1/imports?week=2026-11-30&problem=true"))
            .header("content-type", "text/csv")
            .body(sheet)
            .send()
            .expect("import"),
    );
    assert_eq!(imported["errors"], json!([]), "{}", imported["summary"]);
    assert_eq!(imported["problem_errors"], json!([]));
    let mut problem = imported["problem"].clone();
    problem["solver"] = json!({"time_limit_s": 30, "seed": 1, "iteration_limit": 500});

    let job = json_of(
        http.post(server.at("/api/v1/jobs"))
            .json(&problem)
            .send()
            .expect("job"),
    );
    let id = job["id"].as_str().expect("job id");
    let plan_id = plan_of_job(&http, &server, id, 60);
    let plan = json_of(
        http.get(server.at(&format!("/api/v1/plans/{plan_id}")))
            .send()
            .expect("plan"),
    )["plan"]
        .clone();
    let planned: usize = plan["tours"]
        .as_array()
        .expect("tours")
        .iter()
        .map(|t| {
            t["stops"]
                .as_array()
                .map_or(0, |s| s.iter().filter(|s| s["kind"] != "reload").count())
        })
        .sum();
    let left: Vec<&Value> = plan["unassigned"]
        .as_array()
        .expect("unassigned")
        .iter()
        .collect();
    assert_eq!(planned + left.len(), 137, "every request planned or listed");
    assert!(left
        .iter()
        .all(|u| u["reason"].as_str().is_some_and(|r| !r.is_empty())));
    assert!(left
        .iter()
        .any(|u| u["job"] == "P121" && u["reason"] == "exceeds_capacity"));

    // What the board downloads reads back in the CLI: the plan document,
    // and the API's stored-plan answer too.
    let doc = http
        .get(server.at(&format!("/api/v1/plans/{plan_id}/plan")))
        .send()
        .expect("plan document")
        .text()
        .expect("text");
    let wrapper = http
        .get(server.at(&format!("/api/v1/plans/{plan_id}")))
        .send()
        .expect("stored plan")
        .text()
        .expect("text");
    for (name, text) in [("plan.json", doc), ("stored.json", wrapper)] {
        let path = dir.path().join(name);
        std::fs::write(&path, text).expect("write");
        let path = path.to_str().expect("utf-8");
        for args in [vec!["report", path], vec!["export", path, "stops"]] {
            let o = common::run(&args);
            assert!(o.status.success(), "{args:?}: {}", common::stderr(&o));
        }
    }
}

#[test]
fn a_weeks_problem_needs_a_set_up_and_a_week() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = Server::start(&dir.path().join("t.db"), &[], &[]);
    let http = client();
    let r = http
        .get(server.at("/api/v1/setup/week?week=2026-11-30"))
        .send()
        .expect("week");
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    for week in ["lundi", "-262143-01-01", "%2B262142-12-31"] {
        let r = http
            .get(server.at(&format!("/api/v1/setup/week?week={week}")))
            .send()
            .expect("week");
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{week}");
        assert_eq!(json_of(r)["field"], "query.week");
    }
    let r = http
        .post(server.at("/api/v1/imports?problem=true"))
        .header("content-type", "text/csv")
        .body("Nom;Portables\n")
        .send()
        .expect("import");
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert_eq!(json_of(r)["field"], "query.week");
    let r = http
        .post(server.at("/api/v1/imports?problem=true&week=2026-11-30"))
        .header("content-type", "text/csv")
        .body("Nom;Portables\n")
        .send()
        .expect("import");
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
}

/// The flow through the API alone: an empty database, a workshop
/// given by its address (placed by the real local addok), three vans and
/// their week, the French sheet of 120 pickups given by commune alone, the
/// two rows the geocoder could not place fixed as the board fixes them (a
/// candidate picked, a point placed by hand), planned, every request
/// planned or listed with its reason.
#[test]
fn a_week_given_by_addresses_alone_through_the_api() {
    let dir = tempfile::tempdir().expect("tempdir");
    let flag = format!("addok={}", common::addok());
    let server = Server::start(&dir.path().join("t.db"), &[], &["--geocoder", &flag]);
    let http = client();

    let mut s = setup();
    let depot = &mut s["workshops"][0]["depot"];
    depot["address"] = json!("76140 Le Petit-Quevilly");
    depot.as_object_mut().expect("depot").remove("location");
    let r = http
        .put(server.at("/api/v1/setup"))
        .json(&s)
        .send()
        .expect("put");
    assert_eq!(r.status(), StatusCode::OK);
    let placed = json_of(r)["workshops"][0]["depot"]["location"].clone();
    assert!(
        (placed[0].as_f64().unwrap_or(0.0) - 1.0526).abs() < 0.01,
        "{placed}"
    );
    // An address with two places is refused with both, on its field.
    let mut unsure = s.clone();
    unsure["workshops"][0]["depot"]["address"] = json!("Quevilly");
    let r = http
        .put(server.at("/api/v1/setup"))
        .json(&unsure)
        .send()
        .expect("put");
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let e = json_of(r);
    assert_eq!(e["field"], "workshops[0].depot.address");
    assert!(e["message"]
        .as_str()
        .is_some_and(|m| m.contains("Le Grand-Quevilly") && m.contains("Le Petit-Quevilly")));

    let sheet = std::fs::read(repo().join("data/rouen/collectes-adresses.csv")).expect("sheet");
    let mut imported = json_of(
        http.post(server.at("/api/v1/imports?week=2026-11-30&problem=true"))
            .header("content-type", "text/csv")
            .body(sheet)
            .send()
            .expect("import"),
    );
    assert_eq!(
        imported["summary"],
        "121 lignes : 119 collectes et 0 livraison lues, 2 erreurs"
    );
    assert_eq!(imported["geocoded"].as_array().map_or(0, Vec::len), 119);
    let errors = imported["errors"].as_array().cloned().expect("errors");
    let rows: Vec<(u64, &str)> = errors
        .iter()
        .map(|e| {
            (
                e["row"].as_u64().unwrap_or(0),
                e["column"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(rows, vec![(12, "Commune"), (121, "Commune")]);
    // Row 12, "Quevilly": two candidates; the coordinator picks the Grand.
    let grand = errors[0]["candidates"]
        .as_array()
        .and_then(|c| c.iter().find(|c| c["label"] == "Le Grand-Quevilly"))
        .expect("Le Grand-Quevilly offered")["location"]
        .clone();
    // Row 121, Clères (outside the metropolis): not found, placed by hand.
    assert!(errors[1]["message"]
        .as_str()
        .is_some_and(|m| m.contains("introuvable")));
    let fixes = [(0, grand), (1, json!([1.1135, 49.5993]))];
    let problem = &mut imported["problem"];
    for (k, location) in fixes {
        let unplaced = &errors[k]["unplaced"];
        assert_eq!(unplaced["kind"], "pickup");
        let mut request = unplaced["request"].clone();
        request["location"] = location;
        problem["pickups"]
            .as_array_mut()
            .expect("pickups")
            .push(request);
    }
    problem["solver"] = json!({"time_limit_s": 30, "seed": 1, "iteration_limit": 300});
    let job = json_of(
        http.post(server.at("/api/v1/jobs"))
            .json(&problem)
            .send()
            .expect("job"),
    );
    let plan_id = plan_of_job(&http, &server, job["id"].as_str().expect("id"), 90);
    let plan = json_of(
        http.get(server.at(&format!("/api/v1/plans/{plan_id}")))
            .send()
            .expect("plan"),
    )["plan"]
        .clone();
    let mut seen: Vec<String> = plan["tours"]
        .as_array()
        .expect("tours")
        .iter()
        .flat_map(|t| t["stops"].as_array().cloned().unwrap_or_default())
        .filter(|s| s["kind"] != "reload")
        .filter_map(|s| s["job"].as_str().map(String::from))
        .collect();
    let left = plan["unassigned"].as_array().expect("unassigned");
    assert!(left
        .iter()
        .all(|u| u["reason"].as_str().is_some_and(|r| !r.is_empty())));
    seen.extend(
        left.iter()
            .filter_map(|u| u["job"].as_str().map(String::from)),
    );
    seen.sort();
    let expected: Vec<String> = (1..=121).map(|i| format!("P{i:03}")).collect();
    assert_eq!(seen, expected, "every request planned or listed, once");
    // The two fixed rows are planned where they were placed.
    let stop = |job: &str| {
        plan["tours"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|t| t["stops"].as_array().cloned().unwrap_or_default())
            .find(|s| s["job"] == job)
    };
    let p011 = stop("P011").expect("P011 planned");
    assert!((p011["location"][1].as_f64().unwrap_or(0.0) - 49.4068).abs() < 0.001);
}

/// A donor entered once, by its address (placed by the real local addok):
/// its recurrence gives a request in the weeks it falls in, in the donor's
/// hours, and `GET /api/v1/setup/donors/{id}/request` makes one more in one
/// step; a closed day, an unknown donor and a wrong date are refused.
#[test]
fn a_donor_entered_once_gives_its_recurring_requests_and_one_in_one_step() {
    let dir = tempfile::tempdir().expect("tempdir");
    let flag = format!("addok={}", common::addok());
    let server = Server::start(&dir.path().join("t.db"), &[], &["--geocoder", &flag]);
    let http = client();

    let mut s = setup();
    s["donors"] = json!([{
        "id": "mairie-elbeuf",
        "name": "Mairie d'Elbeuf",
        "address": "76500 Elbeuf",
        "hours": [{"days": ["lun", "mar", "mer", "jeu", "ven"], "from": "09:00", "to": "12:00"}],
        "devices": {"laptop": 5},
        "recurring": [{"every": "week", "interval": 2, "days": ["mar"], "from": "2026-11-30"}]
    }]);
    let r = http
        .put(server.at("/api/v1/setup"))
        .json(&s)
        .send()
        .expect("put");
    assert_eq!(r.status(), StatusCode::OK, "{:?}", r.text());
    let placed = json_of(r)["donors"][0]["location"].clone();
    assert!(
        (placed[1].as_f64().unwrap_or(0.0) - 49.28).abs() < 0.03,
        "Elbeuf placed at {placed}"
    );

    // Its requests: the weeks it falls in, none in the others.
    let ids = |week: &str| -> Vec<String> {
        let w = json_of(
            http.get(server.at(&format!("/api/v1/setup/week?week={week}")))
                .send()
                .expect("week"),
        );
        w["pickups"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|p| p["id"].as_str().map(String::from))
            .collect()
    };
    assert_eq!(ids("2026-12-01"), ["mairie-elbeuf-2026-12-01"]);
    assert!(ids("2026-12-08").is_empty());
    assert_eq!(ids("2026-12-15"), ["mairie-elbeuf-2026-12-15"]);

    // One more, in one step, on a Thursday, served until Friday.
    let r = http
        .get(server.at("/api/v1/setup/donors/mairie-elbeuf/request?date=2026-12-10&window_days=1"))
        .send()
        .expect("request");
    assert_eq!(r.status(), StatusCode::OK);
    let one = json_of(r);
    assert_eq!(one["id"], "mairie-elbeuf-2026-12-10");
    assert_eq!(one["devices"]["laptop"], 5);
    let windows: Vec<&str> = one["time_windows"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|w| w["start"].as_str())
        .collect();
    assert_eq!(windows, ["2026-12-10T09:00:00", "2026-12-11T09:00:00"]);

    // Christmas, a Saturday, a wrong date, a wrong span: refused on the query.
    for (query, field) in [
        ("date=2026-12-25", "query.date"),
        ("date=2026-12-12", "query.date"),
        ("date=jeudi", "query.date"),
        ("date=2026-12-10&window_days=30", "query.window_days"),
    ] {
        let r = http
            .get(server.at(&format!(
                "/api/v1/setup/donors/mairie-elbeuf/request?{query}"
            )))
            .send()
            .expect("request");
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{query}");
        assert_eq!(json_of(r)["field"], field, "{query}");
    }
    let r = http
        .get(server.at("/api/v1/setup/donors/personne/request?date=2026-12-10"))
        .send()
        .expect("request");
    assert_eq!(r.status(), StatusCode::NOT_FOUND);

    // A donor the geocoder cannot place is refused on its address.
    s["donors"][0]["address"] = json!("Nulle-Part-sur-Mer");
    let r = http
        .put(server.at("/api/v1/setup"))
        .json(&s)
        .send()
        .expect("put");
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert_eq!(json_of(r)["field"], "donors[0].address");
}
