//! A plan as text for a terminal: one block per tour (day, vehicle, stops
//! with times and load, km, hours) and the requests left out with why.

use std::fmt::Write;

use crate::plan::{Plan, StopKind};

/// `2026-11-30T09:05:00` → `09:05`.
fn hm(t: &str) -> &str {
    t.get(11..16).unwrap_or(t)
}

pub fn render(plan: &Plan) -> String {
    let mut out = String::new();
    let t = &plan.totals;
    let _ = writeln!(
        out,
        "{}: {} tours, {} stops, {:.1} km, {:.1} h, cost {:.2}; {} unassigned",
        if plan.name.is_empty() {
            "Plan"
        } else {
            &plan.name
        },
        t.tours,
        t.stops,
        t.distance_km,
        t.duration_h,
        t.cost,
        t.unassigned
    );
    let _ = writeln!(
        out,
        "{} pickups ({} devices collected), {} deliveries ({} devices delivered); travel: {}",
        t.pickups_planned,
        t.devices_collected,
        t.orders_planned,
        t.devices_delivered,
        plan.travel_model
    );
    for tour in &plan.tours {
        let _ = writeln!(
            out,
            "\n{}  {}  {} → {}  {:.1} km  {:.2} h  cost {:.2}",
            tour.day,
            tour.vehicle,
            hm(&tour.departure),
            hm(&tour.return_),
            tour.distance_km,
            tour.duration_h,
            tour.cost
        );
        if tour.load_at_departure.units > 0 {
            let l = &tour.load_at_departure;
            let _ = writeln!(
                out,
                "      load at {}: {} devices, {:.0} kg, {:.2} m3",
                tour.depot, l.units, l.kg, l.m3
            );
        }
        let pause = |after: usize| {
            tour.driver_break
                .as_ref()
                .filter(|b| b.after_stop == after)
                .map(|b| format!("       {}–{}  break\n", hm(&b.start), hm(&b.end)))
                .unwrap_or_default()
        };
        out.push_str(&pause(0));
        for (i, s) in tour.stops.iter().enumerate() {
            let kind = match s.kind {
                StopKind::Pickup => "pickup",
                StopKind::Delivery => "deliver",
                StopKind::Reload => "reload",
            };
            let devices: u32 = s.devices.values().sum();
            let wait = if s.waiting_min >= 1.0 {
                format!(" (waits {:.0} min)", s.waiting_min)
            } else {
                String::new()
            };
            let _ = writeln!(
                out,
                "  {:>3}  {}–{}  {:<7} {:<8} {:>3} dev  {:<34} on board {:.0} kg {:.2} m3{}",
                i + 1,
                hm(&s.start),
                hm(&s.departure),
                kind,
                s.job,
                devices,
                truncate(&s.name, 34),
                s.load.kg,
                s.load.m3,
                wait
            );
            out.push_str(&pause(i + 1));
        }
    }
    if !plan.unassigned.is_empty() {
        let _ = writeln!(out, "\nNot planned:");
        for u in &plan.unassigned {
            let _ = writeln!(
                out,
                "  {:<8} {:<24} {} — {}",
                u.job, u.reason, u.name, u.message
            );
        }
    }
    out
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(n - 1).collect();
        t.push('…');
        t
    }
}
