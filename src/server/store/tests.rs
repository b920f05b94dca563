//! One test suite for every store: each test runs on a fresh SQLite file and
//! on a fresh database of a real PostgreSQL server (the one
//! `scripts/postgres-test-server.sh` starts; its URL in
//! `TOURNEE_TEST_POSTGRES`). Under CI a missing server fails the tests
//! rather than skipping half of them.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::*;
use crate::server::status::{JobState, Outcome, Reason};

/// A fresh store of each kind, with what keeps it alive.
fn stores() -> Vec<(&'static str, Box<dyn Store>, Option<tempfile::TempDir>)> {
    let dir = tempfile::tempdir().expect("tempdir");
    let sqlite = Sqlite::open(&dir.path().join("t.db")).expect("sqlite");
    let mut all: Vec<(&'static str, Box<dyn Store>, Option<tempfile::TempDir>)> =
        vec![("sqlite", Box::new(sqlite), Some(dir))];
    if let Some(url) = fresh_postgres() {
        all.push((
            "postgres",
            Box::new(Postgres::open(&url).expect("postgres")),
            None,
        ));
    }
    all
}

/// The URL of a new, empty database on the test server, if there is one.
pub(crate) fn fresh_postgres() -> Option<String> {
    static N: AtomicUsize = AtomicUsize::new(0);
    let from_file = || {
        let env = concat!(env!("CARGO_MANIFEST_DIR"), "/target/postgres/env");
        std::fs::read_to_string(env).ok().and_then(|e| {
            e.trim()
                .strip_prefix("TOURNEE_TEST_POSTGRES=")
                .map(String::from)
        })
    };
    let Some(base) = std::env::var("TOURNEE_TEST_POSTGRES")
        .ok()
        .or_else(from_file)
    else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI runs the store tests on PostgreSQL too: start scripts/postgres-test-server.sh and set TOURNEE_TEST_POSTGRES"
        );
        eprintln!("TOURNEE_TEST_POSTGRES not set: PostgreSQL store not tested");
        return None;
    };
    let name = format!(
        "store_{}_{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    );
    let admin = format!("{base}/postgres");
    std::thread::spawn(move || {
        let mut c = ::postgres::Client::connect(&admin, ::postgres::NoTls).expect("test server");
        c.batch_execute(&format!("CREATE DATABASE {name}"))
            .expect("create database");
        Some(format!("{base}/{name}"))
    })
    .join()
    .expect("create database")
}

fn meta(id: &str, organisation: &str, at: &str) -> PlanMeta {
    PlanMeta {
        id: id.into(),
        name: format!("semaine {id}"),
        created_at: at.into(),
        created_by: "camille".into(),
        organisation: organisation.into(),
        travel_model: "haversine".into(),
    }
}

fn tour(id: &str, day: &str, km: f64) -> TourDoc {
    TourDoc {
        id: id.into(),
        view: format!("{{\"tour\": \"{id}\"}}"),
        stops: 3,
        figures: crate::report::TourFigures {
            tour: id.into(),
            day: day.into(),
            km,
            ..Default::default()
        },
    }
}

fn status(stop: usize, state: &str) -> StopStatus {
    StopStatus {
        stop,
        status: Outcome::stored(state),
        note: "".into(),
        at: "2026-11-30T09:00:00Z".into(),
        recorded_at: "2026-11-30T09:00:01Z".into(),
        actual: Actual {
            reason: (state == "failed").then_some(Reason::Absent),
            devices: Some(BTreeMap::from([("laptop".into(), 4)])),
            ..Default::default()
        },
        proofs: vec![],
    }
}

const LATER: &str = "2099-01-01T00:00:00Z";

#[test]
fn plans_belong_to_their_organisation_and_go_with_their_tours() {
    for (kind, s, _keep) in stores() {
        let tours = [
            tour("van-1-mon", "2026-11-30", 10.0),
            tour("van-2-mon", "2026-11-30", 20.0),
        ];
        let tokens = s
            .put_plan(
                &meta("p1", "refurbA", "2026-11-30T08:00:00Z"),
                "{\"p\":1}",
                "{\"q\":1}",
                &tours,
                LATER,
            )
            .expect("put");
        assert_eq!(tokens.len(), 2, "{kind}");
        assert_ne!(tokens[0], tokens[1], "{kind}");
        s.put_plan(
            &meta("p2", "refurbA", "2026-11-30T09:00:00Z"),
            "{}",
            "{}",
            &[],
            LATER,
        )
        .expect("put");
        s.put_plan(
            &meta("p3", "refurbB", "2026-11-30T10:00:00Z"),
            "{}",
            "{}",
            &[],
            LATER,
        )
        .expect("put");
        let ids = |org| -> Vec<String> {
            s.list_plans(org)
                .expect("list")
                .into_iter()
                .map(|m| m.id)
                .collect()
        };
        assert_eq!(ids("refurbA"), ["p2", "p1"], "{kind}: newest first");
        assert_eq!(ids("refurbB"), ["p3"], "{kind}");
        assert_eq!(
            s.plan_organisation("p3").expect("org").as_deref(),
            Some("refurbB")
        );
        assert_eq!(s.plan_organisation("nope").expect("org"), None);
        let got = s.get_plan("p1").expect("get").expect("there");
        assert_eq!(
            got.meta,
            meta("p1", "refurbA", "2026-11-30T08:00:00Z"),
            "{kind}"
        );
        assert_eq!(
            (got.problem.as_str(), got.plan.as_str()),
            ("{\"p\":1}", "{\"q\":1}")
        );
        assert_eq!(got.tokens, tokens, "{kind}");
        let shared = s
            .tour_by_token(&tokens[1], "2026-12-01T00:00:00Z")
            .expect("token")
            .expect("live");
        assert_eq!(
            (shared.plan_id.as_str(), shared.index, shared.stops),
            ("p1", 1, 3),
            "{kind}"
        );
        assert_eq!(
            s.tour_view("p1", 0).expect("view").as_deref(),
            Some("{\"tour\": \"van-1-mon\"}")
        );
        assert_eq!(s.tour_view("p1", 5).expect("view"), None, "{kind}");
        // Past its expiry a link opens nothing.
        assert_eq!(
            s.tour_by_token(&tokens[1], "2099-06-01T00:00:00Z")
                .expect("token"),
            None
        );
        assert!(s.delete_plan("p1").expect("delete"), "{kind}");
        assert!(!s.delete_plan("p1").expect("delete"), "{kind}");
        assert_eq!(
            s.get_plan("p1").expect("get").map(|p| p.meta.id),
            None,
            "{kind}"
        );
        assert_eq!(
            s.tour_by_token(&tokens[0], "2026-12-01T00:00:00Z")
                .expect("token"),
            None
        );
        assert_eq!(ids("refurbA"), ["p2"], "{kind}");
    }
}

#[test]
fn links_are_revoked_renewed_and_follow_a_replan() {
    for (kind, s, _keep) in stores() {
        let old = s
            .put_plan(
                &meta("p1", "default", "2026-11-30T08:00:00Z"),
                "{}",
                "{}",
                &[
                    tour("van-1-mon", "2026-11-30", 1.0),
                    tour("van-2-mon", "2026-11-30", 1.0),
                ],
                LATER,
            )
            .expect("put");
        let now = "2026-12-01T00:00:00Z";
        assert!(s.reshare("p1", None).expect("revoke"), "{kind}");
        assert_eq!(
            s.tour_by_token(&old[0], now).expect("token"),
            None,
            "{kind}: revoked"
        );
        assert_eq!(
            s.get_plan("p1").expect("get").expect("plan").tokens,
            ["", ""],
            "{kind}"
        );
        assert!(s.reshare("p1", Some(LATER)).expect("renew"), "{kind}");
        let renewed = s.get_plan("p1").expect("get").expect("plan").tokens;
        assert!(
            renewed.iter().all(|t| !t.is_empty() && !old.contains(t)),
            "{kind}"
        );
        assert!(!s.reshare("nope", Some(LATER)).expect("renew"), "{kind}");

        // A re-plan: van-1's tour kept (with its reports and proofs), van-2's
        // changed, van-3's new.
        s.set_stop_status("p1", 0, &status(1, "done"))
            .expect("status");
        s.set_stop_status("p1", 1, &status(2, "failed"))
            .expect("status");
        let photo = Proof {
            kind: "photo".into(),
            media_type: "image/jpeg".into(),
            bytes: vec![0xff, 0xd8, 0xff, 0, 1, 2],
            recorded_at: "2026-11-30T09:00:02Z".into(),
        };
        s.put_proof("p1", 0, 1, &photo).expect("proof");
        let new = s
            .put_plan(
                &meta("p2", "default", "2026-11-30T12:00:00Z"),
                "{}",
                "{}",
                &[
                    tour("van-3-mon", "2026-11-30", 1.0),
                    tour("van-2-mon", "2026-11-30", 1.0),
                    tour("van-1-mon", "2026-11-30", 1.0),
                ],
                LATER,
            )
            .expect("put");
        s.follow("p1", "p2", &["van-1-mon".into()], now)
            .expect("follow");
        let after = s.get_plan("p2").expect("get").expect("plan").tokens;
        assert_eq!(after[0], new[0], "{kind}: a new tour keeps its own link");
        assert_eq!(
            after[1], renewed[1],
            "{kind}: van-2's driver keeps their link"
        );
        assert_eq!(
            after[2], renewed[0],
            "{kind}: van-1's driver keeps their link"
        );
        let opened = s
            .tour_by_token(&renewed[0], now)
            .expect("token")
            .expect("live");
        assert_eq!((opened.plan_id.as_str(), opened.index), ("p2", 2), "{kind}");
        let kept = s.stop_statuses("p2", 2).expect("statuses");
        assert_eq!(
            kept.len(),
            1,
            "{kind}: the kept tour's report moved with it"
        );
        assert_eq!(kept[0].actual, status(1, "done").actual, "{kind}");
        assert_eq!(kept[0].proofs, ["photo"], "{kind}");
        assert_eq!(
            s.proof("p2", 2, 1, "photo").expect("proof"),
            Some(photo.clone())
        );
        assert!(
            s.stop_statuses("p2", 1).expect("statuses").is_empty(),
            "{kind}: van-2 changed"
        );
        assert_eq!(
            s.proof("p2", 2, 1, "signature").expect("proof"),
            None,
            "{kind}"
        );
    }
}

#[test]
fn stop_reports_and_proofs_are_replaced_not_doubled() {
    for (kind, s, _keep) in stores() {
        s.put_plan(
            &meta("p1", "default", "2026-11-30T08:00:00Z"),
            "{}",
            "{}",
            &[tour("van-1-mon", "2026-11-30", 1.0)],
            LATER,
        )
        .expect("put");
        s.set_stop_status("p1", 0, &status(2, "failed"))
            .expect("status");
        s.set_stop_status("p1", 0, &status(1, "failed"))
            .expect("status");
        s.set_stop_status("p1", 0, &status(1, "done"))
            .expect("status");
        for kind in ["signature", "photo", "photo"] {
            let p = Proof {
                kind: kind.into(),
                media_type: "image/png".into(),
                bytes: kind.as_bytes().to_vec(),
                recorded_at: "2026-11-30T09:00:02Z".into(),
            };
            s.put_proof("p1", 0, 1, &p).expect("proof");
        }
        let all = s.plan_statuses("p1").expect("statuses");
        let seen: Vec<(usize, usize, &str)> = all
            .iter()
            .map(|(t, st)| (*t, st.stop, st.status.as_str()))
            .collect();
        assert_eq!(seen, [(0, 1, "done"), (0, 2, "failed")], "{kind}");
        assert_eq!(all[0].1.proofs, ["photo", "signature"], "{kind}");
        assert_eq!(all[1].1.actual.reason, Some(Reason::Absent), "{kind}");
        let photo = s.proof("p1", 0, 1, "photo").expect("proof").expect("there");
        assert_eq!(photo.bytes, b"photo", "{kind}");
        // Deleting the plan takes its reports and proofs with it.
        s.delete_plan("p1").expect("delete");
        assert!(
            s.plan_statuses("p1").expect("statuses").is_empty(),
            "{kind}"
        );
        assert_eq!(s.proof("p1", 0, 1, "photo").expect("proof"), None, "{kind}");
    }
}

#[test]
fn report_figures_take_each_organisations_day_from_its_newest_plan() {
    for (kind, s, _keep) in stores() {
        let put = |id: &str, org: &str, at: &str, tours: &[TourDoc]| {
            s.put_plan(&meta(id, org, at), "{}", "{}", tours, LATER)
                .expect("put");
        };
        put(
            "a1",
            "refurbA",
            "2026-11-29T08:00:00Z",
            &[
                tour("a-mon", "2026-11-30", 10.0),
                tour("a-tue", "2026-12-01", 11.0),
            ],
        );
        // A's re-plan of Monday replaces a1's Monday, not its Tuesday.
        put(
            "a2",
            "refurbA",
            "2026-11-30T08:00:00Z",
            &[tour("a-mon", "2026-11-30", 12.0)],
        );
        // B's Monday is B's, whatever A planned later.
        put(
            "b1",
            "refurbB",
            "2026-11-28T08:00:00Z",
            &[tour("b-mon", "2026-11-30", 30.0)],
        );
        s.set_stop_status("a2", 0, &status(1, "done"))
            .expect("status");
        let km = |org: Option<&str>,
                  from: Option<&str>,
                  to: Option<&str>|
         -> Vec<(String, String, f64)> {
            let mut v: Vec<_> = s
                .tour_figures(org, from, to)
                .expect("figures")
                .into_iter()
                .map(|f| (f.organisation, f.day, f.km))
                .collect();
            v.sort_by(|a, b| a.partial_cmp(b).expect("numbers"));
            v
        };
        let a = |d: &str, k: f64| ("refurbA".to_string(), d.to_string(), k);
        let b = |d: &str, k: f64| ("refurbB".to_string(), d.to_string(), k);
        assert_eq!(
            km(Some("refurbA"), None, None),
            [a("2026-11-30", 12.0), a("2026-12-01", 11.0)],
            "{kind}"
        );
        assert_eq!(
            km(None, None, None),
            [
                a("2026-11-30", 12.0),
                a("2026-12-01", 11.0),
                b("2026-11-30", 30.0)
            ],
            "{kind}"
        );
        assert_eq!(
            km(None, Some("2026-12-01"), None),
            [a("2026-12-01", 11.0)],
            "{kind}"
        );
        assert_eq!(
            km(None, None, Some("2026-11-30")),
            [a("2026-11-30", 12.0), b("2026-11-30", 30.0)]
        );
        assert!(km(Some("refurbC"), None, None).is_empty(), "{kind}");
        let monday = s
            .tour_figures(Some("refurbA"), None, Some("2026-11-30"))
            .expect("figures");
        assert!(
            monday[0].reported.get(&1).is_some_and(|r| r.done),
            "{kind}: the driver's report joins"
        );
    }
}

#[test]
fn jobs_keep_their_input_until_they_end() {
    for (kind, s, _keep) in stores() {
        let job = |id: &str, state: &str, at: &str| JobRecord {
            id: id.into(),
            state: JobState::stored(state),
            created_at: at.into(),
            created_by: "camille".into(),
            organisation: "refurbA".into(),
            plan_id: None,
            error: None,
        };
        let input = JobInput {
            problem: "{\"week\":1}".into(),
            previous: Some("p0".into()),
        };
        s.put_job(&job("j2", "queued", "2026-11-30T08:00:02Z"), Some(&input))
            .expect("job");
        s.put_job(&job("j1", "queued", "2026-11-30T08:00:01Z"), Some(&input))
            .expect("job");
        s.put_job(&job("j1", "running", "2026-11-30T08:00:01Z"), None)
            .expect("job");
        s.put_job(&job("j3", "queued", "2026-11-30T08:00:03Z"), Some(&input))
            .expect("job");
        let mut done = job("j3", "done", "2026-11-30T08:00:03Z");
        done.plan_id = Some("p9".into());
        s.put_job(&done, None).expect("job");
        s.restart_job("j2").expect("restart");
        let found = s.interrupted_jobs().expect("interrupted");
        let seen: Vec<(&str, &str, u32)> = found
            .iter()
            .map(|(r, _, n)| (r.id.as_str(), r.state.as_str(), *n))
            .collect();
        assert_eq!(seen, [("j1", "running", 0), ("j2", "queued", 1)], "{kind}");
        assert_eq!(found[0].1, input, "{kind}: the input kept while it runs");
        assert_eq!(s.get_job("j3").expect("job"), Some(done.clone()), "{kind}");
        assert_eq!(s.get_job("nope").expect("job"), None, "{kind}");
        // Put back to queued by mistake, an ended job has no input left.
        s.put_job(&job("j3", "queued", "2026-11-30T08:00:03Z"), None)
            .expect("job");
        let j3 = s
            .interrupted_jobs()
            .expect("interrupted")
            .into_iter()
            .find(|(r, _, _)| r.id == "j3");
        assert_eq!(j3.map(|(_, i, _)| i.problem), Some(String::new()), "{kind}");
    }
}

#[test]
fn setups_and_geocodes_are_replaced_in_place() {
    for (kind, s, _keep) in stores() {
        assert_eq!(s.get_setup("refurbA").expect("setup"), None, "{kind}");
        s.put_setup("refurbA", "{\"v\":1}", "2026-11-30T08:00:00Z")
            .expect("setup");
        s.put_setup("refurbA", "{\"v\":2}", "2026-11-30T09:00:00Z")
            .expect("setup");
        s.put_setup("refurbB", "{\"v\":3}", "2026-11-30T09:00:00Z")
            .expect("setup");
        assert_eq!(
            s.get_setup("refurbA").expect("setup").as_deref(),
            Some("{\"v\":2}"),
            "{kind}"
        );
        assert_eq!(
            s.get_setup("refurbB").expect("setup").as_deref(),
            Some("{\"v\":3}"),
            "{kind}"
        );
        s.put_geocode("1 rue Jeanne d'Arc, Rouen", "[1]", "2026-11-30T08:00:00Z")
            .expect("geocode");
        s.put_geocode("1 rue Jeanne d'Arc, Rouen", "[2]", "2026-11-30T08:00:00Z")
            .expect("geocode");
        assert_eq!(
            s.get_geocode("1 rue Jeanne d'Arc, Rouen")
                .expect("geocode")
                .as_deref(),
            Some("[2]")
        );
        assert_eq!(s.get_geocode("ailleurs").expect("geocode"), None, "{kind}");
    }
}

#[test]
fn both_stores_have_the_same_columns() {
    let Some(url) = fresh_postgres() else { return };
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("t.db");
    drop(Sqlite::open(&path).expect("sqlite"));
    let conn = rusqlite::Connection::open(&path).expect("open");
    let mut lite: Vec<(String, String)> = conn
        .prepare(
            "SELECT m.name, p.name FROM sqlite_master m, pragma_table_info(m.name) p
             WHERE m.type = 'table' ORDER BY 1, 2",
        )
        .expect("tables")
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .expect("columns")
        .collect::<rusqlite::Result<_>>()
        .expect("columns");
    lite.sort();
    drop(Postgres::open(&url).expect("postgres"));
    let mut pg: Vec<(String, String)> = std::thread::spawn(move || {
        let mut c = ::postgres::Client::connect(&url, ::postgres::NoTls).expect("connect");
        c.query(
            "SELECT table_name::text, column_name::text FROM information_schema.columns
             WHERE table_schema = 'public' AND table_name <> 'schema_version'",
            &[],
        )
        .expect("columns")
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect()
    })
    .join()
    .expect("columns");
    pg.sort();
    assert_eq!(lite, pg);
}
