//! Geocoding against a real addok (the French national address base's
//! search engine) on a real Redis, started by scripts/addok-test-server.sh
//! on loopback with the metropolis's communes: found, ambiguous, not found,
//! server down, cache hit without the server; then sheets given by address
//! alone, imported through `tournee serve --geocoder` and `tournee import`.

mod common;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use reqwest::StatusCode;
use serde_json::Value;

use common::addok;
use common::server::{client, json_of, Server};
use tournee::geocode::{self, Cache, Candidate, Geocoder, Outcome};

#[derive(Default)]
struct Memory(Mutex<HashMap<String, Vec<Candidate>>>);

impl Cache for Memory {
    fn get(&self, q: &str) -> Option<Vec<Candidate>> {
        self.0.lock().ok()?.get(q).cloned()
    }
    fn put(&self, q: &str, c: &[Candidate]) {
        if let Ok(mut m) = self.0.lock() {
            m.insert(q.to_string(), c.to_vec());
        }
    }
}

fn ask(g: &Geocoder, address: &str) -> Result<Outcome, geocode::GeocodeError> {
    tournee::routing::block_on(g.geocode(address)).expect("runtime")
}

/// A forwarder to `target` on a port of its own, for as long as `open`
/// holds: the geocoder "goes away" when it is cleared.
fn relay(target: &str, open: Arc<std::sync::atomic::AtomicBool>) -> String {
    use std::io::{Read, Write};
    use std::sync::atomic::Ordering;
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let target = target.trim_start_matches("http://").to_string();
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(mut client) = conn else { continue };
            if !open.load(Ordering::Relaxed) {
                continue; // dropped: connection refused, as a stopped server
            }
            let Ok(mut upstream) = std::net::TcpStream::connect(&target) else {
                continue;
            };
            let (mut c2, mut u2) = (
                client.try_clone().expect("clone"),
                upstream.try_clone().expect("clone"),
            );
            std::thread::spawn(move || {
                let mut buf = [0u8; 8192];
                while let Ok(n) = c2.read(&mut buf) {
                    if n == 0 || u2.write_all(&buf[..n]).is_err() {
                        break;
                    }
                }
            });
            let mut buf = [0u8; 8192];
            while let Ok(n) = upstream.read(&mut buf) {
                if n == 0 || client.write_all(&buf[..n]).is_err() {
                    break;
                }
            }
        }
    });
    url
}

#[test]
fn found_ambiguous_not_found_down_and_cached() {
    let cache = Arc::new(Memory::default());
    let open = Arc::new(std::sync::atomic::AtomicBool::new(true));
    let through = relay(addok(), open.clone());
    let settings = geocode::settings(&format!("addok={through}")).expect("settings");
    let g = Geocoder::new(settings.clone(), Some(cache.clone())).expect("client");
    match ask(&g, "Boos 76520").expect("answer") {
        Outcome::Found(c) => {
            assert_eq!(c.label, "Boos");
            assert_eq!(c.citycode.as_deref(), Some("76116"));
            assert!((c.location[0] - 1.209).abs() < 0.01 && (c.location[1] - 49.388).abs() < 0.01);
        }
        other => panic!("{other:?}"),
    }
    match ask(&g, "Quevilly").expect("answer") {
        Outcome::Ambiguous(c) => {
            let labels: Vec<&str> = c.iter().map(|c| c.label.as_str()).collect();
            assert!(
                labels.contains(&"Le Grand-Quevilly") && labels.contains(&"Le Petit-Quevilly"),
                "{labels:?}"
            );
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(ask(&g, "Zanzibar").expect("answer"), Outcome::NotFound);

    // A geocoder that is not there: a clear error, not a guess.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port();
    let down = geocode::settings(&format!("addok=http://127.0.0.1:{port}")).expect("settings");
    let nowhere = Geocoder::new(down.clone(), None).expect("client");
    let e = ask(&nowhere, "Boos 76520").expect_err("no server");
    assert!(e.to_string().contains("could not be asked"), "{e}");
    // The same server gone, but the address asked before: from the cache.
    let _ = down;
    open.store(false, std::sync::atomic::Ordering::Relaxed);
    let cached = Geocoder::new(settings, Some(cache)).expect("client");
    assert!(ask(&cached, "Quevilly 2").is_err(), "the relay is closed");
    assert!(matches!(ask(&cached, "  Boos   76520 "), Ok(Outcome::Found(c)) if c.label == "Boos"));
}

/// A French sheet whose places are addresses only.
const SHEET: &str = "\
Type;Nom;Adresse;Code postal;Commune;Créneaux;Portables
collecte;Mairie de Darnétal;Mairie;76160;Darnétal;mar 9h-12h;8
collecte;Agence;;;Quevilly;mer 9h-12h;3
collecte;Inconnue;;;Zanzibar;;2
livraison;Commune d'Elbeuf;Mairie;76500;Elbeuf;jeu 14h-16h;5
";

#[test]
fn the_server_places_addresses_and_asks_when_unsure() {
    let dir = tempfile::tempdir().expect("tempdir");
    let flag = format!("addok={}", addok());
    let server = Server::start(&dir.path().join("t.db"), &[], &["--geocoder", &flag]);
    let http = client();
    let r = http
        .post(server.at("/api/v1/imports?week=2026-11-30"))
        .header("content-type", "text/csv")
        .body(SHEET)
        .send()
        .expect("import");
    assert_eq!(r.status(), StatusCode::OK);
    let got = json_of(r);
    let ids = |k: &str| -> Vec<String> {
        got[k]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|r| r["name"].as_str().map(String::from))
            .collect()
    };
    assert_eq!(ids("pickups"), vec!["Mairie de Darnétal"]);
    assert_eq!(ids("orders"), vec!["Commune d'Elbeuf"]);
    let darnetal = &got["pickups"][0]["location"];
    assert!(
        (darnetal[0].as_f64().unwrap_or(0.0) - 1.145).abs() < 0.01,
        "{darnetal}"
    );
    // Its commune's INSEE code, as the geocoder gave it.
    assert_eq!(got["pickups"][0]["insee"], "76212");
    let geocoded = got["geocoded"].as_array().expect("geocoded");
    assert!(geocoded
        .iter()
        .any(|g| g["label"] == "Darnétal" && g["citycode"] == "76212"));
    let errors = got["errors"].as_array().expect("errors");
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert_eq!(
        (errors[0]["row"].as_u64(), errors[0]["column"].as_str()),
        (Some(3), Some("Adresse"))
    );
    assert!(errors[0]["message"]
        .as_str()
        .is_some_and(|m| m.contains("plusieurs lieux possibles")));
    assert!(errors[0]["candidates"]
        .as_array()
        .is_some_and(|c| c.len() >= 2));
    assert!(errors[1]["message"]
        .as_str()
        .is_some_and(|m| m.contains("introuvable")));
    // Asked once: the store answers the second import, the same way.
    let again = json_of(
        http.post(server.at("/api/v1/imports?week=2026-11-30"))
            .header("content-type", "text/csv")
            .body(SHEET)
            .send()
            .expect("import"),
    );
    assert_eq!(again["pickups"], got["pickups"]);
    // One address looked up: the same rule, the candidates best first.
    let one = json_of(
        http.get(server.at("/api/v1/geocode?q=Quevilly"))
            .send()
            .expect("geocode"),
    );
    assert_eq!(one["outcome"], "ambiguous");
    assert_eq!(one["candidates"].as_array().map_or(0, Vec::len), 2);
    let r = http
        .get(server.at(&format!("/api/v1/geocode?q={}", "x".repeat(201))))
        .send()
        .expect("geocode");
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert_eq!(json_of(r)["field"], "query.q");

    // Without a geocoder, such rows say what is missing, and a lookup
    // finds no geocoder.
    let plain = Server::start(&dir.path().join("p.db"), &[], &[]);
    let r = http
        .get(plain.at("/api/v1/geocode?q=Rouen"))
        .send()
        .expect("geocode");
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let e = json_of(
        http.post(plain.at("/api/v1/imports?week=2026-11-30"))
            .header("content-type", "text/csv")
            .body(SHEET)
            .send()
            .expect("import"),
    );
    assert!(
        e["errors"][0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("aucun géocodeur")),
        "{e}"
    );
}

#[test]
fn tournee_import_geocodes_with_its_flag() {
    let dir = tempfile::tempdir().expect("tempdir");
    let sheet = dir.path().join("demandes.csv");
    let clear: String = SHEET
        .lines()
        .filter(|l| !l.contains("Quevilly") && !l.contains("Zanzibar"))
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(&sheet, clear).expect("write");
    let o = common::run(&[
        "import",
        sheet.to_str().expect("utf-8"),
        "--week",
        "2026-11-30",
        "--geocoder",
        &format!("addok={}", addok()),
    ]);
    assert!(o.status.success(), "{}", common::stderr(&o));
    assert!(
        common::stderr(&o).contains("→ Darnétal"),
        "{}",
        common::stderr(&o)
    );
    let v: Value = serde_json::from_slice(&o.stdout).expect("requests");
    assert!((v["orders"][0]["location"][1].as_f64().unwrap_or(0.0) - 49.29).abs() < 0.01);

    // The board's sheet of 121 pickups given by commune alone: refused
    // while two rows are unplaced (their candidates listed), imported with
    // --skip-errors.
    let sheet = common::repo().join("data/rouen/collectes-adresses.csv");
    let sheet = sheet.to_str().expect("utf-8");
    let flag = format!("addok={}", addok());
    let args = ["import", sheet, "--week", "2026-11-30", "--geocoder", &flag];
    let o = common::run(&args);
    assert_eq!(o.status.code(), Some(2));
    let said = common::stderr(&o);
    assert!(said.contains("ligne 12, Commune : « Quevilly »"), "{said}");
    assert!(said.contains("Le Grand-Quevilly [1.05"), "{said}");
    let o = common::run(&[&args[..], &["--skip-errors"]].concat());
    assert!(o.status.success(), "{}", common::stderr(&o));
    let v: Value = serde_json::from_slice(&o.stdout).expect("requests");
    assert_eq!(v["pickups"].as_array().map_or(0, Vec::len), 119);
}
