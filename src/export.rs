//! Exports of a plan for common tools: CSV of tours and of stops (a
//! spreadsheet), GPX of one tour (drivers' navigation apps). GeoJSON of the
//! whole plan is [`crate::plan::to_geojson`].

use std::fmt::Write;

use crate::geometry;
use crate::plan::{Plan, Tour};
use crate::report::quote;

/// One row per stop: tour, vehicle, day, order, arrival, request, devices,
/// km since the last stop, CO2e of that leg.
pub fn stops_csv(plan: &Plan) -> String {
    let mut o = String::from(
        "tour,vehicle,day,order,arrival,start,departure,job,kind,name,devices,km_since_last,co2e_kg\n",
    );
    for t in &plan.tours {
        for (k, s) in t.stops.iter().enumerate() {
            let devices: u64 = s.devices.values().map(|&n| u64::from(n)).sum();
            let kind = s.kind.as_str();
            let _ = writeln!(
                o,
                "{},{},{},{},{},{},{},{},{kind},{},{devices},{:.3},{:.3}",
                quote(&t.id),
                quote(&t.vehicle),
                t.day,
                k + 1,
                s.arrival,
                s.start,
                s.departure,
                quote(&s.job),
                quote(&s.name),
                s.travel_km,
                s.co2e_kg
            );
        }
    }
    o
}

/// One row per tour.
pub fn tours_csv(plan: &Plan) -> String {
    let mut o = String::from(
        "tour,vehicle,day,departure,return,stops,distance_km,duration_h,energy,kgco2e_per_km,co2e_kg\n",
    );
    for t in &plan.tours {
        let _ = writeln!(
            o,
            "{},{},{},{},{},{},{:.3},{:.3},{},{},{:.3}",
            quote(&t.id),
            quote(&t.vehicle),
            t.day,
            t.departure,
            t.return_,
            t.stops.len(),
            t.distance_km,
            t.duration_h,
            t.energy,
            t.co2e_kg_per_km,
            t.co2e_kg
        );
    }
    o
}

fn xml(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// One tour as GPX 1.1: its stops as waypoints and as a route (in visit
/// order), and its path as a track.
pub fn gpx(tour: &Tour) -> String {
    let mut o = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<gpx version=\"1.1\" creator=\"Tournée\" xmlns=\"http://www.topografix.com/GPX/1/1\">\n",
    );
    let _ = writeln!(
        o,
        "  <metadata><name>{}</name><desc>{} {}–{}, {} stops, {} km</desc></metadata>",
        xml(&tour.id),
        xml(&tour.vehicle),
        xml(&tour.departure),
        xml(&tour.return_),
        tour.stops.len(),
        tour.distance_km
    );
    let point = |tag: &str, k: usize, s: &crate::plan::Stop| {
        format!(
            "<{tag} lat=\"{:.6}\" lon=\"{:.6}\"><name>{} {}</name><desc>{}; {} {}</desc></{tag}>",
            s.location[1],
            s.location[0],
            k + 1,
            xml(&s.job),
            xml(&s.name),
            xml(&s.address),
            xml(&s.arrival)
        )
    };
    for (k, s) in tour.stops.iter().enumerate() {
        let _ = writeln!(o, "  {}", point("wpt", k, s));
    }
    let _ = writeln!(o, "  <rte><name>{}</name>", xml(&tour.id));
    for (k, s) in tour.stops.iter().enumerate() {
        let _ = writeln!(o, "    {}", point("rtept", k, s));
    }
    let _ = writeln!(o, "  </rte>");
    let _ = writeln!(o, "  <trk><name>{}</name><trkseg>", xml(&tour.id));
    for p in geometry::decode_polyline(&tour.geometry.polyline) {
        let _ = writeln!(o, "    <trkpt lat=\"{:.5}\" lon=\"{:.5}\"/>", p[1], p[0]);
    }
    o.push_str("  </trkseg></trk>\n</gpx>\n");
    o
}
