//! Emissions report and exports: the worked example of docs/emissions.md
//! redone, the sample week's figures checked against the plan, and the
//! exports opened by independent tools (CSV reader, GPX schema).

mod common;

use std::process::Command;

use serde_json::Value;

fn example() -> String {
    common::repo()
        .join("tests/data/emissions-example.json")
        .display()
        .to_string()
}

fn stdout(args: &[&str]) -> String {
    let o = common::run(args);
    assert!(o.status.success(), "{}", common::stderr(&o));
    String::from_utf8(o.stdout).expect("UTF-8")
}

#[test]
fn the_sample_weeks_figures_by_commune_group_and_donor_add_up() {
    let dir = tempfile::tempdir().expect("tempdir");
    let plan = dir.path().join("plan.json");
    let o = common::run(&[
        "solve",
        common::repo()
            .join("data/rouen/week.json")
            .to_str()
            .expect("utf-8"),
        "--iterations",
        "300",
        "-o",
        plan.to_str().expect("utf-8"),
    ]);
    assert!(o.status.success(), "{}", common::stderr(&o));
    let p: Value =
        serde_json::from_str(&std::fs::read_to_string(&plan).expect("plan")).expect("json");
    // Given by coordinates, each site is counted in its nearest commune.
    let stops: Vec<&Value> = p["tours"]
        .as_array()
        .expect("tours")
        .iter()
        .flat_map(|t| t["stops"].as_array().expect("stops"))
        .filter(|s| s["kind"] != "reload")
        .collect();
    assert!(stops.iter().all(|s| s["commune_nearest"] == true
        && s["insee"].as_str().is_some_and(|c| c.starts_with("76"))));
    let r: Value = serde_json::from_str(&stdout(&[
        "report",
        plan.to_str().expect("utf-8"),
        "--format",
        "json",
    ]))
    .expect("report");
    let sum = |by: &str, field: &str| -> f64 {
        r[by]
            .as_object()
            .expect(by)
            .values()
            .map(|t| t[field].as_f64().unwrap_or(0.0))
            .sum()
    };
    let collected = r["done"]["devices_collected"].as_f64().expect("collected");
    let delivered = r["done"]["devices_delivered"].as_f64().expect("delivered");
    for by in ["by_commune", "by_group", "by_month_done"] {
        assert_eq!(sum(by, "devices_collected"), collected, "{by}");
        assert_eq!(sum(by, "devices_delivered"), delivered, "{by}");
        assert!(
            (sum(by, "km")
                - stops
                    .iter()
                    .map(|s| s["travel_km"].as_f64().unwrap_or(0.0))
                    .sum::<f64>())
            .abs()
                < 1e-6,
            "{by}"
        );
    }
    assert_eq!(sum("by_donor", "devices_collected"), collected);
    // The metropolis holds every stop of the sample; Rouen is named.
    assert_eq!(r["by_group"].as_object().map(|g| g.len()), Some(1));
    assert_eq!(
        r["by_group"]["Métropole Rouen Normandie"]["stops"].as_u64(),
        Some(stops.len() as u64)
    );
    assert_eq!(r["by_commune"]["76540"]["name"], "Rouen");
}

#[test]
fn the_worked_example_is_what_the_report_prints() {
    let doc = std::fs::read_to_string(common::repo().join("docs/emissions.md")).expect("doc");
    let block = doc
        .split("```text\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("the example's text block");
    assert_eq!(stdout(&["report", &example(), "--lang", "en"]), block);
    // French by default, the same figures with decimal commas.
    let fr = stdout(&["report", &example()]);
    assert!(
        fr.starts_with("Bilan des émissions : worked example"),
        "{fr}"
    );
    assert!(fr.contains("24,500 km × 0,23639 =    5,792 kgCO2e"), "{fr}");

    // The same figures by plain arithmetic, as the doc does them by hand.
    let r: Value =
        serde_json::from_str(&stdout(&["report", &example(), "--format", "json"])).expect("JSON");
    let close = |v: &Value, x: f64| (v.as_f64().expect("number") - x).abs() < 1e-9;
    assert!(close(&r["transport"]["co2e_kg"], 24.5 * 0.23639));
    assert!(close(&r["baseline"]["co2e_kg"], (18.2 + 22.6) * 0.23639));
    let avoided = 10.0 * 170.0 * 0.43 + 4.0 * 64.6 * 0.43 + 2.0 * 203.0 * 0.43;
    assert!(close(&r["avoided"]["co2e_kg"], avoided));
    assert!(close(&r["net_avoided_kg"], avoided - 24.5 * 0.23639));

    // The baseline is priced with one reference vehicle, not the tour's:
    // the same tour driven by an electric van has the same baseline.
    let mut electric: Value =
        serde_json::from_str(&std::fs::read_to_string(example()).expect("example")).expect("json");
    electric["tours"][0]["energy"] = Value::from("electric");
    electric["tours"][0]["co2e_kg_per_km"] = Value::from(0.02);
    let dir = tempfile::tempdir().expect("tempdir");
    let other = common::write(dir.path(), "electric.json", &electric);
    let other = other.to_str().expect("utf-8");
    let e: Value =
        serde_json::from_str(&stdout(&["report", other, "--format", "json"])).expect("JSON");
    assert!(close(&e["baseline"]["co2e_kg"], (18.2 + 22.6) * 0.23639));
    assert!(close(&e["transport"]["co2e_kg"], 24.5 * 0.02));
    assert_eq!(e["baseline_energy"], "diesel");
    // Another reference, when the report names it.
    let named: Value = serde_json::from_str(&stdout(&[
        "report",
        other,
        "--format",
        "json",
        "--baseline-energy",
        "diesel_3_5t",
    ]))
    .expect("JSON");
    let factor = named["baseline_kgco2e_per_km"].as_f64().expect("factor");
    assert!(
        factor > 0.23639,
        "a 3.5 t van emits more than a light one: {factor}"
    );
    assert!(close(&named["baseline"]["co2e_kg"], (18.2 + 22.6) * factor));
    let o = common::run(&["report", other, "--baseline-energy", "steam"]);
    assert_eq!(o.status.code(), Some(2));

    // A lower reuse rate scales the avoided figure, nothing else.
    let half: Value = serde_json::from_str(&stdout(&[
        "report",
        &example(),
        "--format",
        "json",
        "--reuse-rate",
        "0.5",
    ]))
    .expect("JSON");
    assert!(close(&half["avoided"]["co2e_kg"], avoided / 2.0));
    assert_eq!(half["transport"], r["transport"]);
}

fn sample_plan(dir: &std::path::Path) -> (String, tournee::plan::Plan) {
    let out = dir.join("plan.json");
    let o = common::run(&[
        "solve",
        common::repo()
            .join("data/rouen/week.json")
            .to_str()
            .expect("path"),
        "--iterations",
        "3000",
        "-o",
        out.to_str().expect("path"),
    ]);
    assert!(o.status.success(), "{}", common::stderr(&o));
    let plan = serde_json::from_str(&std::fs::read_to_string(&out).expect("plan")).expect("plan");
    (out.display().to_string(), plan)
}

#[test]
fn the_sample_weeks_report_adds_up_from_the_plan() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (path, plan) = sample_plan(dir.path());
    let r: Value =
        serde_json::from_str(&stdout(&["report", &path, "--format", "json"])).expect("JSON");

    // Each tour: its km × its vehicle's factor from data/emission-factors.csv.
    let factors = tournee::emissions::factors();
    let problem = tournee::input::read(tournee::cli::demo::SAMPLE_WEEK).expect("sample");
    let mut total = 0.0;
    for (line, tour) in r["tours"]
        .as_array()
        .expect("tours")
        .iter()
        .zip(&plan.tours)
    {
        let veh = problem
            .vehicles
            .iter()
            .find(|v| v.id == tour.vehicle)
            .expect("vehicle");
        let f = factors
            .iter()
            .find(|f| f.energy == veh.energy.key())
            .expect("factor")
            .kgco2e_per_km;
        let kg = tour.distance_km * f;
        assert!((line["co2e_kg"].as_f64().expect("kg") - kg).abs() < 1e-9);
        assert!((tour.co2e_kg - kg).abs() < 0.001, "the plan's own figure");
        total += kg;
    }
    assert!((r["transport"]["co2e_kg"].as_f64().expect("total") - total).abs() < 1e-6);
    let by_vehicle: f64 = r["by_vehicle"]
        .as_object()
        .expect("groups")
        .values()
        .map(|g| g["co2e_kg"].as_f64().expect("kg"))
        .sum();
    assert!((by_vehicle - total).abs() < 1e-6);
    // Planning beats one trip per request, and reuse outweighs transport.
    assert!(r["saving"]["co2e_kg"].as_f64().expect("saving") > 0.0);
    assert!(r["net_avoided_kg"].as_f64().expect("net") > 0.0);
    let collected: u64 = r["avoided"]["devices"]
        .as_array()
        .expect("devices")
        .iter()
        .map(|d| d["collected"].as_u64().expect("count"))
        .sum();
    assert_eq!(collected, plan.totals.devices_collected);
}

#[test]
fn exports_open_in_common_tools() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (path, plan) = sample_plan(dir.path());

    // CSV: a header, one row per stop (per tour), read by a CSV parser.
    for (what, rows, columns) in [
        ("stops", plan.totals.stops, 13),
        ("tours", plan.tours.len(), 11),
    ] {
        let text = stdout(&["export", &path, what]);
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        assert_eq!(reader.headers().expect("header").len(), columns);
        let records: Vec<_> = reader
            .records()
            .collect::<Result<_, _>>()
            .expect("well-formed CSV");
        assert_eq!(records.len(), rows, "{what}");
    }

    // GeoJSON: a FeatureCollection of LineStrings and Points.
    let geo: Value = serde_json::from_str(&stdout(&["export", &path, "geojson"])).expect("JSON");
    assert_eq!(geo["type"], "FeatureCollection");
    assert_eq!(
        geo["features"].as_array().map(Vec::len),
        Some(plan.tours.len() + plan.totals.stops)
    );

    // GPX: valid against the GPX 1.1 schema, checked by lxml.
    let gpx = stdout(&["export", &path, "gpx", "--tour", &plan.tours[0].id]);
    let file = dir.path().join("tour.gpx");
    std::fs::write(&file, &gpx).expect("write");
    let tools = Command::new(common::repo().join("scripts/py-tools.sh"))
        .output()
        .expect("scripts/py-tools.sh");
    assert!(tools.status.success(), "{}", common::stderr(&tools));
    let python = String::from_utf8(tools.stdout).expect("path");
    let check = Command::new(python.trim())
        .args([
            "-c",
            "import sys, importlib.util, os\n\
             from lxml import etree\n\
             xsd = os.path.join(importlib.util.find_spec('gpx').submodule_search_locations[0], 'gpx.xsd')\n\
             etree.XMLSchema(etree.parse(xsd)).assertValid(etree.parse(sys.argv[1]))\n\
             print('valid')",
        ])
        .arg(&file)
        .output()
        .expect("python");
    assert!(
        check.status.success(),
        "GPX invalid: {}",
        common::stderr(&check)
    );
    assert!(gpx.matches("<rtept ").count() == plan.tours[0].stops.len());

    // An unknown tour is a clear error.
    let o = common::run(&["export", &path, "gpx", "--tour", "nope"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(common::stderr(&o).contains("no tour `nope`"));
}
