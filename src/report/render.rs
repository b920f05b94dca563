//! How a report is written out: as text for a manager, in the reader's
//! language and number format (from the string catalogue), and as CSV, one
//! row per figure, for a spreadsheet or a funder's own tools.

use std::fmt::Write;

use super::Report;

/// The report as text for a manager, in `lang`.
pub fn text(r: &Report, lang: crate::i18n::Lang) -> String {
    let say = |key: &str, args: &[(&str, &str)]| crate::i18n::t(lang, key, args);
    // Figures as the reader writes them (`5,792` in French).
    let f = |x: f64, digits: usize| crate::i18n::decimal(lang, x, digits);
    let mut o = String::new();
    let _ = writeln!(
        o,
        "{}",
        say("report.title", &[("plans", &r.plans.join(", "))])
    );
    let _ = writeln!(o, "\n{}", say("report.transport", &[]));
    for t in &r.tours {
        let _ = writeln!(
            o,
            "  {:<26} {:<12} {:>8} km × {} = {:>8} kgCO2e",
            t.tour,
            t.energy,
            f(t.km, 3),
            f(t.kgco2e_per_km, 5),
            f(t.co2e_kg, 3)
        );
    }
    for (title, groups) in [
        ("report.by_vehicle", &r.by_vehicle),
        ("report.by_day", &r.by_day),
    ] {
        let _ = writeln!(o, "  {}", say(title, &[]));
        for (k, g) in groups.iter() {
            let _ = writeln!(
                o,
                "    {k:<24} {:>8} km  {:>8} kgCO2e",
                f(g.km, 3),
                f(g.co2e_kg, 3)
            );
        }
    }
    let _ = writeln!(
        o,
        "  {:<26} {:>8} km  {:>8} kgCO2e",
        say("report.total", &[]),
        f(r.transport.km, 3),
        f(r.transport.co2e_kg, 3)
    );
    let _ = writeln!(
        o,
        "\n{}",
        say(
            "report.baseline",
            &[
                ("km", &f(r.baseline.km, 3)),
                ("co2", &f(r.baseline.co2e_kg, 3)),
                ("energy", &r.baseline_energy),
                ("factor", &f(r.baseline_kgco2e_per_km, 5)),
            ]
        )
    );
    let _ = writeln!(
        o,
        "{}",
        say(
            "report.saving",
            &[
                ("km", &f(r.saving.km, 3)),
                ("co2", &f(r.saving.co2e_kg, 3)),
                ("pct", &f(r.saving_pct, 1)),
            ]
        )
    );
    let rate = match lang {
        crate::i18n::Lang::Fr => r.avoided.reuse_rate.to_string().replace('.', ","),
        crate::i18n::Lang::En => r.avoided.reuse_rate.to_string(),
    };
    let _ = writeln!(o, "\n{}", say("report.avoided", &[("rate", &rate)]));
    for d in &r.avoided.devices {
        let _ = writeln!(
            o,
            "  {:<14} {:>5} × {:>6} kg × {} = {:>9} kgCO2e",
            d.device,
            d.collected,
            f(d.manufacture_kgco2e, 1),
            f(d.avoided_share, 2),
            f(d.avoided_kg, 1)
        );
    }
    if !r.avoided.unknown.is_empty() {
        let unknown = r.avoided.unknown.join(", ");
        let _ = writeln!(
            o,
            "  {}",
            say("report.no_footprint", &[("devices", &unknown)])
        );
    }
    let _ = writeln!(
        o,
        "  {:<14} {:>30} kgCO2e",
        say("report.total", &[]),
        f(r.avoided.co2e_kg, 1)
    );
    let _ = writeln!(
        o,
        "\n{}",
        say("report.net", &[("kg", &f(r.net_avoided_kg, 1))])
    );
    o
}

/// The report as CSV: one row per figure (`section,key,km,co2e_kg`).
pub fn csv(r: &Report) -> String {
    let mut o = String::from("section,key,km,co2e_kg\n");
    let mut row = |s: &str, k: &str, km: Option<f64>, kg: f64| {
        let km = km.map(|x| format!("{x:.3}")).unwrap_or_default();
        let _ = writeln!(o, "{s},{},{km},{kg:.3}", quote(k));
    };
    for t in &r.tours {
        row("tour", &t.tour, Some(t.km), t.co2e_kg);
    }
    for (k, f) in &r.by_vehicle {
        row("vehicle", k, Some(f.km), f.co2e_kg);
    }
    for (k, f) in &r.by_day {
        row("day", k, Some(f.km), f.co2e_kg);
    }
    for (k, f) in &r.by_week {
        row("week", k, Some(f.km), f.co2e_kg);
    }
    for (k, f) in &r.by_month {
        row("month", k, Some(f.km), f.co2e_kg);
    }
    row(
        "transport",
        "total",
        Some(r.transport.km),
        r.transport.co2e_kg,
    );
    row("baseline", "total", Some(r.baseline.km), r.baseline.co2e_kg);
    row("saving", "total", Some(r.saving.km), r.saving.co2e_kg);
    for d in &r.avoided.devices {
        row("avoided", &d.device, None, d.avoided_kg);
    }
    row("avoided", "total", None, r.avoided.co2e_kg);
    row("net_avoided", "total", None, r.net_avoided_kg);
    o
}

/// A CSV field, quoted when it holds a comma, quote or line break.
pub fn quote(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}
