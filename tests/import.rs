//! Importing a coordinator's sheet end to end: `tournee import` on the
//! project's French sample sheet (`;`, decimal commas, weekday windows,
//! count columns) and on the English template, and `POST /api/v1/imports`
//! on a real server, in CSV and XLSX.

mod common;

use reqwest::StatusCode;
use serde_json::Value;

use common::server::{client, json_of, Server};
use common::{repo, run, stderr};

fn sample() -> Value {
    serde_json::from_str(
        &std::fs::read_to_string(repo().join("data/rouen/week.json")).expect("week"),
    )
    .expect("json")
}

/// A request's id, place, non-zero counts and number of windows.
type Digest = (String, Value, Vec<(String, u64)>, usize);

/// The requests' digests, to compare imports.
fn digest(requests: &Value) -> Vec<Digest> {
    requests
        .as_array()
        .expect("requests")
        .iter()
        .map(|r| {
            let devices = r["devices"]
                .as_object()
                .expect("devices")
                .iter()
                .filter_map(|(k, v)| v.as_u64().filter(|n| *n > 0).map(|n| (k.clone(), n)))
                .collect();
            let windows = r["time_windows"].as_array().map_or(0, Vec::len);
            (
                r["id"].as_str().unwrap_or("").to_string(),
                r["location"].clone(),
                devices,
                windows,
            )
        })
        .collect()
}

#[test]
fn the_french_sheet_imports_into_the_sample_week_and_plans() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("problem.json");
    let setup = repo().join("data/rouen/week.json");
    for sheet in ["demandes-semaine.csv", "week-requests.csv"] {
        let o = run(&[
            "import",
            repo()
                .join("data/rouen")
                .join(sheet)
                .to_str()
                .expect("utf-8"),
            "--setup",
            setup.to_str().expect("utf-8"),
            "-o",
            out.to_str().expect("utf-8"),
        ]);
        assert!(o.status.success(), "{sheet}: {}", stderr(&o));
        assert!(
            stderr(&o).contains("137 lignes : 121 collectes et 16 livraisons lues, 0 erreur"),
            "{}",
            stderr(&o)
        );
        let p: Value =
            serde_json::from_str(&std::fs::read_to_string(&out).expect("out")).expect("json");
        let week = sample();
        assert_eq!(digest(&p["pickups"]), digest(&week["pickups"]), "{sheet}");
        assert_eq!(digest(&p["orders"]), digest(&week["orders"]), "{sheet}");
    }
    let o = run(&[
        "solve",
        out.to_str().expect("utf-8"),
        "--iterations",
        "500",
        "--check",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

#[test]
fn both_templates_import_without_a_mistake() {
    for (template, summary) in [
        (
            "demandes.csv",
            "2 lignes : 1 collecte et 1 livraison lues, 0 erreur",
        ),
        (
            "requests.csv",
            "2 lignes : 1 collecte et 1 livraison lues, 0 erreur",
        ),
    ] {
        let path = repo().join("web/public/template").join(template);
        let o = run(&[
            "import",
            path.to_str().expect("utf-8"),
            "--week",
            "2026-11-30",
        ]);
        assert!(o.status.success(), "{template}: {}", stderr(&o));
        assert!(stderr(&o).contains(summary), "{template}: {}", stderr(&o));
        let v: Value = serde_json::from_slice(&o.stdout).expect("requests");
        assert_eq!(v["pickups"][0]["id"], "P001");
        assert_eq!(v["orders"][0]["priority"]["optional"], 40.0);
    }
}

#[test]
fn mistakes_are_listed_by_row_and_column_and_nothing_is_written() {
    let dir = tempfile::tempdir().expect("tempdir");
    let text =
        std::fs::read_to_string(repo().join("data/rouen/demandes-semaine.csv")).expect("sheet");
    // Row 3 gets a longitude out of range, row 5 an unknown window.
    let broken: Vec<String> = csv_rows(&text)
        .into_iter()
        .enumerate()
        .map(|(i, mut cells)| {
            match i {
                2 => cells[4] = "500".into(),
                4 => cells[6] = "le matin".into(),
                _ => {}
            }
            let quoted: Vec<String> = cells
                .iter()
                .map(|c| {
                    if c.contains(';') {
                        format!("\"{c}\"")
                    } else {
                        c.clone()
                    }
                })
                .collect();
            quoted.join(";")
        })
        .collect();
    let sheet = dir.path().join("demandes.csv");
    std::fs::write(&sheet, broken.join("\r\n")).expect("write");
    let out = dir.path().join("problem.json");
    let args = |extra: &[&str]| {
        let mut a = vec![
            "import".to_string(),
            sheet.to_str().expect("utf-8").to_string(),
            "--week".into(),
            "30/11/2026".into(),
            "-o".into(),
            out.to_str().expect("utf-8").to_string(),
        ];
        a.extend(extra.iter().map(|s| s.to_string()));
        a
    };
    let o = common::bin().args(args(&[])).output().expect("import");
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.contains("ligne 3, Longitude : un nombre entre -180 et 180"),
        "{err}"
    );
    assert!(
        err.contains("ligne 5, Créneaux : « le matin » n'est pas un créneau"),
        "{err}"
    );
    assert!(
        !out.exists(),
        "nothing is written while the sheet has mistakes"
    );
    // Skipped explicitly: the other rows are written.
    let o = common::bin()
        .args(args(&["--skip-errors", "--lang", "en"]))
        .output()
        .expect("import");
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("2 mistakes"), "{}", stderr(&o));
    let p: Value =
        serde_json::from_str(&std::fs::read_to_string(&out).expect("out")).expect("json");
    assert_eq!(
        p["pickups"].as_array().map_or(0, Vec::len) + p["orders"].as_array().map_or(0, Vec::len),
        135
    );
}

#[test]
fn the_api_reads_csv_and_xlsx_and_says_what_is_wrong_in_french() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = Server::start(&dir.path().join("t.db"), &[], &[]);
    let http = client();
    let csv = std::fs::read(repo().join("data/rouen/demandes-semaine.csv")).expect("sheet");
    let post = |body: Vec<u8>, kind: &str, query: &str| {
        http.post(server.at(&format!("/api/v1/imports{query}")))
            .header("content-type", kind)
            .body(body)
            .send()
            .expect("import")
    };
    let r = post(csv.clone(), "text/csv", "?week=2026-11-30");
    assert_eq!(r.status(), StatusCode::OK);
    let got = json_of(r);
    assert_eq!(got["errors"], serde_json::json!([]));
    assert_eq!(digest(&got["pickups"]), digest(&sample()["pickups"]));
    assert_eq!(
        got["summary"],
        "137 lignes : 121 collectes et 16 livraisons lues, 0 erreur"
    );

    // The same sheet as a workbook.
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    let text = String::from_utf8(csv).expect("utf-8");
    let mut reader = csv_rows(&text);
    for (r, row) in reader.iter_mut().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            sheet.write_string(r as u32, c as u16, cell).expect("cell");
        }
    }
    let xlsx = book.save_to_buffer().expect("xlsx");
    let r = post(
        xlsx,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "?week=2026-11-30",
    );
    assert_eq!(r.status(), StatusCode::OK);
    let from_book = json_of(r);
    assert_eq!(digest(&from_book["pickups"]), digest(&got["pickups"]));
    assert_eq!(digest(&from_book["orders"]), digest(&got["orders"]));

    // Weekdays without the week: every row says why, in French or English.
    let r = post(text.clone().into_bytes(), "text/csv", "");
    let e = json_of(r);
    // 137 mistakes: the first 100 listed, then how many more.
    assert_eq!(e["errors"].as_array().map_or(0, Vec::len), 101);
    assert_eq!(
        e["errors"][100]["message"],
        "et 37 autres erreurs, non listées"
    );
    assert_eq!(e["errors"][0]["column"], "Créneaux");
    assert!(e["errors"][0]["message"]
        .as_str()
        .is_some_and(|m| m.contains("donnez le lundi de la semaine")));
    let e = json_of(post(text.into_bytes(), "text/csv", "?lang=en"));
    assert!(e["errors"][0]["message"]
        .as_str()
        .is_some_and(|m| m.contains("give the Monday")));
    // The wrong type of body, and a week that is no date.
    let r = post(b"{}".to_vec(), "application/json", "");
    assert_eq!(r.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let r = post(b"a;b\n".to_vec(), "text/csv", "?week=someday");
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert_eq!(json_of(r)["field"], "query.week");
}

/// `;`-separated rows, quotes honoured (the sample sheet's own format).
fn csv_rows(text: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    for line in text.lines() {
        let (mut row, mut cell, mut quoted) = (Vec::new(), String::new(), false);
        for c in line.chars() {
            match c {
                '"' => quoted = !quoted,
                ';' if !quoted => row.push(std::mem::take(&mut cell)),
                c => cell.push(c),
            }
        }
        row.push(cell);
        out.push(row);
    }
    out
}
