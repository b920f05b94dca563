//! An independent plan checker. It re-verifies a [`Plan`] against the problem
//! it answers, from the problem's own data: every request accounted for once,
//! skills, loads at every stop, travel times, opening hours, shifts, tour
//! limits and the reported figures. It shares no code with the search or with
//! the conversion of solutions into plans, so their bugs cannot hide here.

use std::collections::BTreeMap;

use chrono::NaiveDateTime;

use crate::input::measure;
use crate::model::{wall_clock, Interval, Problem, Request};
use crate::plan::{Plan, StopKind};
use crate::routing::{self, Travel};

mod drops;
mod stock;

use drops::check_drops;
use stock::{check_stock, check_workshop_stock, delivered};

/// Slack for times printed to the second.
const TIME_TOLERANCE_S: f64 = 2.0;

/// Every broken rule, as a sentence naming the tour and stop; empty when the
/// plan is feasible.
pub fn check(problem: &Problem, plan: &Plan) -> Vec<String> {
    let travel = Travel::haversine(&problem.routing, routing::places(problem));
    check_with(problem, plan, &travel)
}

/// Checks `plan` with the travel figures it was planned with (road
/// matrices from OSRM, say); [`check`] uses the haversine model.
pub fn check_with(problem: &Problem, plan: &Plan, travel: &Travel) -> Vec<String> {
    let mut errors = Vec::new();
    // In a network, an order may also be delivered in parts from other
    // workshops (`ORDER@WORKSHOP`, `allocate::part_of`).
    let parts: Vec<String> = if problem.depots.iter().any(|d| d.stock.is_some()) {
        problem
            .orders
            .iter()
            .filter(|o| o.depot.is_none())
            .flat_map(|o| {
                problem
                    .depots
                    .iter()
                    .filter(|d| d.stock.is_some())
                    .map(move |d| format!("{}@{}", o.id, d.id))
            })
            .collect()
    } else {
        Vec::new()
    };
    let requests: BTreeMap<&str, (StopKind, &Request)> = problem
        .pickups
        .iter()
        .map(|r| (r.id.as_str(), (StopKind::Pickup, r)))
        .chain(
            problem
                .orders
                .iter()
                .map(|r| (r.id.as_str(), (StopKind::Delivery, r))),
        )
        .chain(parts.iter().filter_map(|id| {
            crate::allocate::part_of(problem, id)
                .map(|(r, _)| (id.as_str(), (StopKind::Delivery, r)))
        }))
        .collect();
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();

    for tour in &plan.tours {
        for s in tour.request_stops().filter(|s| s.kind != StopKind::Drop) {
            *seen.entry(s.job.as_str()).or_default() += 1;
        }
        check_tour(problem, travel, &requests, tour, &mut errors);
        check_drops(&requests, tour, &mut errors);
    }
    check_drivers(problem, plan, &mut errors);
    if let Some(stock) = &problem.stock {
        check_stock(stock, plan, &requests, &mut errors);
    }
    if problem.depots.iter().any(|d| d.stock.is_some()) {
        check_workshop_stock(problem, plan, &requests, &mut errors);
    }
    for u in &plan.unassigned {
        *seen.entry(u.job.as_str()).or_default() += 1;
        match requests.get(u.job.as_str()) {
            Some((kind, _)) if *kind != u.kind => {
                errors.push(format!("unassigned {}: wrong kind", u.job))
            }
            None => errors.push(format!("unassigned {}: no such request", u.job)),
            _ => {}
        }
        if u.reason.is_empty() {
            errors.push(format!("unassigned {}: no reason given", u.job));
        }
    }
    for (id, n) in &seen {
        if *n > 1 {
            errors.push(format!("request {id} appears {n} times"));
        }
    }
    for id in requests.keys().filter(|id| !parts.iter().any(|p| p == *id)) {
        if !seen.contains_key(id) {
            errors.push(format!(
                "request {id} is neither planned nor listed as unassigned"
            ));
        }
    }
    errors
}

/// Each van's tours together within its driver's hours (`max_driver_hours`),
/// departure to return.
fn check_drivers(problem: &Problem, plan: &Plan, errors: &mut Vec<String>) {
    for veh in &problem.vehicles {
        let Some(most) = veh.max_driver_hours else {
            continue;
        };
        let mut hours = 0.0;
        let mut tours = 0.0;
        for tour in plan.tours.iter().filter(|t| t.vehicle == veh.id) {
            tours += 1.0;
            let (Some(a), Some(b)) = (
                parse_time(&tour.departure, &tour.id, errors),
                parse_time(&tour.return_, &tour.id, errors),
            ) else {
                continue;
            };
            hours += secs(a, b) / 3600.0;
        }
        // Each tour's times are given to the second.
        if hours > most + TIME_TOLERANCE_S * tours / 3600.0 {
            errors.push(format!(
                "vehicle {}: {hours:.2} h of tours, more than its driver's {most} h (max_driver_hours)",
                veh.id
            ));
        }
    }
}

/// Where a stop is and what it asks: a request, or the depot for a reload.
struct Site<'a> {
    location: crate::model::Location,
    service_minutes: f64,
    windows: &'a [Interval],
    request: Option<(StopKind, &'a Request)>,
}

/// The tour's break (gap, start, end) if it has a valid one; errors for a
/// break out of its window or of the wrong length, or missing from a tour
/// that spans the window.
fn check_break(
    veh: &crate::model::Vehicle,
    shift: &Interval,
    tour: &crate::plan::Tour,
    back: NaiveDateTime,
    at: &str,
    errors: &mut Vec<String>,
) -> Option<(usize, NaiveDateTime, NaiveDateTime)> {
    let rule = veh.daily_break.as_ref()?;
    let window = rule.window(shift.start.date())?;
    let Some(b) = &tour.driver_break else {
        if shift.start <= window.end && secs(window.start, back) > TIME_TOLERANCE_S {
            errors.push(format!(
                "{at}: no break, though the tour spans the break window"
            ));
        }
        return None;
    };
    let (start, end) = (
        parse_time(&b.start, at, errors)?,
        parse_time(&b.end, at, errors)?,
    );
    if secs(window.start, start) < -TIME_TOLERANCE_S || secs(start, window.end) < -TIME_TOLERANCE_S
    {
        errors.push(format!("{at}: break at {} outside its window", b.start));
    }
    if (secs(start, end) - rule.minutes * 60.0).abs() > TIME_TOLERANCE_S {
        errors.push(format!("{at}: break of the wrong length"));
    }
    if b.after_stop > tour.stops.len() {
        errors.push(format!(
            "{at}: break after stop {} of {}",
            b.after_stop,
            tour.stops.len()
        ));
    }
    Some((b.after_stop, start, end))
}

fn parse_time(s: &str, what: &str, errors: &mut Vec<String>) -> Option<NaiveDateTime> {
    let t = wall_clock::parse(s);
    if t.is_none() {
        errors.push(format!("{what}: `{s}` is not a date-time"));
    }
    t
}

fn secs(a: NaiveDateTime, b: NaiveDateTime) -> f64 {
    (b - a).num_milliseconds() as f64 / 1000.0
}

fn within(t: NaiveDateTime, hours: &[Interval]) -> bool {
    hours.is_empty() || hours.iter().any(|o| o.start <= t && t <= o.end)
}

fn check_tour(
    problem: &Problem,
    travel: &Travel,
    requests: &BTreeMap<&str, (StopKind, &Request)>,
    tour: &crate::plan::Tour,
    errors: &mut Vec<String>,
) {
    let at = format!("tour {}", tour.id);
    let Some(veh) = problem.vehicles.iter().find(|v| v.id == tour.vehicle) else {
        errors.push(format!("{at}: no vehicle `{}`", tour.vehicle));
        return;
    };
    let Some(shift) = veh.shifts.get(tour.shift) else {
        errors.push(format!(
            "{at}: vehicle {} has no shift {}",
            veh.id, tour.shift
        ));
        return;
    };
    let find = |id: &str| problem.depots.iter().find(|d| d.id == id);
    // An open tour ends at its last stop: no end depot.
    let (Some(start_depot), Ok(end_depot)) = (
        find(&veh.depot),
        veh.end_id().map(|id| find(id).ok_or(id)).transpose(),
    ) else {
        errors.push(format!("{at}: unknown depot"));
        return;
    };
    let end_id = end_depot.map_or("", |d| d.id.as_str());
    if tour.depot != start_depot.id || tour.end_depot != end_id {
        errors.push(format!("{at}: depots differ from the vehicle's"));
    }
    let (Some(departure), Some(back)) = (
        parse_time(&tour.departure, &at, errors),
        parse_time(&tour.return_, &at, errors),
    ) else {
        return;
    };
    if departure < shift.start || back > shift.end {
        errors.push(format!(
            "{at}: {}–{} is outside the shift {}–{}",
            tour.departure,
            tour.return_,
            wall_clock::format(&shift.start),
            wall_clock::format(&shift.end)
        ));
    }
    if !within(departure, &start_depot.opening_hours) {
        errors.push(format!(
            "{at}: leaves {} while it is closed",
            start_depot.id
        ));
    }
    if let Some(end) = end_depot.filter(|d| !within(back, &d.opening_hours)) {
        errors.push(format!("{at}: returns to {} while it is closed", end.id));
    }

    // Loads: each trip's deliveries leave the depot on board, pickups come
    // back; a reload between trips unloads them and loads the next trip.
    let cap_kg = veh.capacity.kg + 1e-6;
    let cap_l = veh.capacity.m3 * 1000.0 + 1e-6;
    let cap_units = veh.capacity.units.map_or(u64::MAX, u64::from);
    let trip_load = |from: usize| {
        let (mut kg, mut litres, mut units) = (0.0, 0.0, 0u64);
        for s in tour.stops[from..]
            .iter()
            .take_while(|s| s.kind != StopKind::Reload)
        {
            if let Some((StopKind::Delivery, r)) = requests.get(s.job.as_str()) {
                let (k, l, n) = measure(delivered(problem, s, r), &problem.devices);
                kg += k;
                litres += l;
                units += n;
            }
        }
        (kg, litres, units)
    };
    let (mut kg, mut litres, mut units) = trip_load(0);
    if kg > cap_kg || litres > cap_l || units > cap_units {
        errors.push(format!(
            "{at}: leaves with {kg:.1} kg, {:.3} m3, {units} devices: over capacity",
            litres / 1000.0
        ));
    }
    let reloads = tour
        .stops
        .iter()
        .filter(|s| s.kind == StopKind::Reload)
        .count();
    if reloads + 1 > veh.trips as usize {
        errors.push(format!(
            "{at}: {} trips, vehicle {} may make {}",
            reloads + 1,
            veh.id,
            veh.trips
        ));
    }

    let pause = check_break(veh, shift, tour, back, &at, errors);
    // A leg into `arrival` is on time when it follows the previous departure,
    // or, in the gap where the break is, the break's end (break before
    // driving on) or, for a break on arrival, its start after the arrival
    // and the set-up and its end before service.
    let leg_ok = |gap: usize,
                  leave: NaiveDateTime,
                  drive: f64,
                  arrival: NaiveDateTime,
                  setup: f64,
                  ready: NaiveDateTime| {
        let follows = |t: NaiveDateTime| (secs(t, arrival) - drive).abs() <= TIME_TOLERANCE_S;
        match pause {
            Some((g, start, end)) if g == gap => {
                let on_arrival = follows(leave)
                    && secs(arrival, start) >= setup - TIME_TOLERANCE_S
                    && secs(end, ready) >= -TIME_TOLERANCE_S;
                secs(leave, start) >= -TIME_TOLERANCE_S && (follows(end) || on_arrival)
            }
            _ => follows(leave),
        }
    };
    let speed = veh.speed_factor;
    let mut place = start_depot.location;
    let mut time = departure;
    let mut km = 0.0;
    for (i, s) in tour.stops.iter().enumerate() {
        let at = format!("{at} stop {} ({})", i + 1, s.job);
        // A reload is a stop at the vehicle's depot taking the reload time.
        let site = if s.kind == StopKind::Reload {
            if s.job != start_depot.id {
                errors.push(format!("{at}: reloads happen at depot {}", start_depot.id));
            }
            Site {
                location: start_depot.location,
                service_minutes: veh.reload_minutes,
                windows: &start_depot.opening_hours,
                request: None,
            }
        } else {
            let Some(&(kind, r)) = requests.get(s.job.as_str()) else {
                errors.push(format!("{at}: no such request"));
                continue;
            };
            if s.kind == StopKind::Drop {
                // Where the pickup's devices are left (`deliver_to`).
                let Some(place) = problem.drop_place(r) else {
                    errors.push(format!("{at}: a drop for a request not taken elsewhere"));
                    continue;
                };
                Site {
                    location: place.location(),
                    service_minutes: place.service_minutes(),
                    windows: place.opening_hours(),
                    request: Some((StopKind::Drop, r)),
                }
            } else {
                if kind != s.kind {
                    errors.push(format!("{at}: wrong kind"));
                }
                if let Some(skill) = r.skills.iter().find(|k| !veh.skills.contains(k)) {
                    errors.push(format!("{at}: vehicle {} lacks skill {skill}", veh.id));
                }
                Site {
                    location: r.location,
                    service_minutes: r.service_minutes,
                    windows: &r.time_windows,
                    request: Some((kind, r)),
                }
            }
        };
        let leg_m = travel.distance_m(place, site.location);
        km += leg_m / 1000.0;
        if (s.travel_km - leg_m / 1000.0).abs() > 0.01 {
            errors.push(format!(
                "{at}: travel {} km reported, {:.3} km recomputed",
                s.travel_km,
                leg_m / 1000.0
            ));
        }
        let (Some(arrival), Some(start), Some(leave)) = (
            parse_time(&s.arrival, &at, errors),
            parse_time(&s.start, &at, errors),
            parse_time(&s.departure, &at, errors),
        ) else {
            return;
        };
        // The set-up on arrival, unless the stop before was at the same place.
        let setup_s = match site.request {
            Some((kind, r)) if leg_m > 0.0 && kind != StopKind::Drop => r.setup_minutes * 60.0,
            _ => 0.0,
        };
        if !leg_ok(
            i,
            time,
            travel.duration_s(place, site.location) / speed,
            arrival,
            setup_s,
            start,
        ) {
            errors.push(format!(
                "{at}: arrival {} does not follow from the previous departure",
                s.arrival
            ));
        }
        if (s.setup_min * 60.0 - setup_s).abs() > TIME_TOLERANCE_S {
            errors.push(format!(
                "{at}: {} min of set-up reported, {:.1} min due",
                s.setup_min,
                setup_s / 60.0
            ));
        }
        if secs(arrival, start) < setup_s - TIME_TOLERANCE_S {
            errors.push(format!(
                "{at}: service starts before arrival and set-up are over"
            ));
        }
        let open = site.windows.is_empty()
            || site.windows.iter().any(|w| {
                secs(w.start, start) >= -TIME_TOLERANCE_S && secs(start, w.end) >= -TIME_TOLERANCE_S
            });
        if !open {
            errors.push(format!(
                "{at}: service at {} is outside every time window",
                s.start
            ));
        }
        if (secs(start, leave) - site.service_minutes * 60.0).abs() > TIME_TOLERANCE_S {
            errors.push(format!("{at}: departure does not leave the service time"));
        }
        match site.request {
            Some((StopKind::Pickup, r)) => {
                let (k, l, n) = measure(&r.devices, &problem.devices);
                kg += k;
                litres += l;
                units += n;
            }
            Some((StopKind::Drop, r)) => {
                let (k, l, n) = measure(&r.devices, &problem.devices);
                kg -= k;
                litres -= l;
                units = units.saturating_sub(n);
            }
            Some((_, r)) => {
                let (k, l, n) = measure(delivered(problem, s, r), &problem.devices);
                kg -= k;
                litres -= l;
                units = units.saturating_sub(n);
            }
            None => (kg, litres, units) = trip_load(i + 1),
        }
        if kg > cap_kg || litres > cap_l || units > cap_units {
            errors.push(format!(
                "{at}: {kg:.1} kg, {:.3} m3, {units} devices on board: over capacity",
                litres / 1000.0
            ));
        }
        if (s.load.kg - kg).abs() > 0.01
            || (s.load.m3 - litres / 1000.0).abs() > 0.001
            || s.load.units != units
        {
            errors.push(format!(
                "{at}: reported load differs from the recomputed one"
            ));
        }
        place = site.location;
        time = leave;
    }
    let end = end_depot.map_or(place, |d| d.location);
    let back_m = travel.distance_m(place, end);
    km += back_m / 1000.0;
    let drive_back = travel.duration_s(place, end) / speed;
    // A break at the end depot ends the tour: the return is its end.
    let back_ok = leg_ok(tour.stops.len(), time, drive_back, back, 0.0, back)
        || pause.is_some_and(|(g, start, end)| {
            g == tour.stops.len()
                && secs(end, back).abs() <= TIME_TOLERANCE_S
                && secs(time, start) >= drive_back - TIME_TOLERANCE_S
        });
    if !back_ok {
        errors.push(format!(
            "{at}: return time does not follow from the last stop"
        ));
    }
    if (tour.distance_km - km).abs() > 0.01 {
        errors.push(format!(
            "{at}: {} km reported, {km:.3} km recomputed",
            tour.distance_km
        ));
    }
    let stops = tour.request_stops().count();
    if veh.max_stops.is_some_and(|m| stops > m as usize) {
        errors.push(format!(
            "{at}: {stops} stops, more than the vehicle's max_stops"
        ));
    }
    if veh.max_tour_km.is_some_and(|m| km > m + 1e-6) {
        errors.push(format!(
            "{at}: {km:.1} km exceeds the maximum tour distance"
        ));
    }
    let hours = secs(departure, back) / 3600.0;
    if veh
        .max_tour_hours
        .is_some_and(|m| hours > m + TIME_TOLERANCE_S / 3600.0)
    {
        errors.push(format!(
            "{at}: {hours:.2} h exceeds the maximum tour duration"
        ));
    }
}
