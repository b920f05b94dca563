//! The rules of a problem that JSON types cannot express: references
//! between fields, ranges and units (`crate::limits`), windows inside the
//! horizon. Every mistake is kept with its field path, up to
//! `limits::MAX_ERRORS`.

use std::collections::BTreeSet;

use chrono::NaiveDateTime;

use super::{FieldError, MAX_TIME_LIMIT_S};
use crate::limits::*;
use crate::model::{self, Interval, Location, Problem, Request, FORMAT};

mod fleet;
mod places;

/// The rules beyond JSON types: references, ranges, units, the horizon.
pub fn validate(p: &Problem) -> Vec<FieldError> {
    let mut v = Validator {
        errors: Vec::new(),
        horizon: p.horizon,
        more: 0,
    };
    v.check(p);
    if v.more > 0 {
        v.errors.push(FieldError::new(
            "",
            format!("and {} more mistakes not listed", v.more),
        ));
    }
    v.errors
}

struct Validator {
    errors: Vec<FieldError>,
    horizon: Interval,
    /// Mistakes beyond [`MAX_ERRORS`], counted, not kept.
    more: usize,
}

impl Validator {
    fn err(&mut self, field: impl Into<String>, message: impl Into<String>) {
        if self.errors.len() < MAX_ERRORS {
            self.errors.push(FieldError::new(field, message));
        } else {
            self.more += 1;
        }
    }

    fn check(&mut self, p: &Problem) {
        if p.format != FORMAT {
            self.err(
                "format",
                format!("unsupported format `{}`, expected `{FORMAT}`", p.format),
            );
        }
        if p.horizon.end <= p.horizon.start {
            self.err("horizon", "end must be after start");
        } else if p.horizon.end - p.horizon.start > chrono::Duration::days(MAX_HORIZON_DAYS) {
            self.err("horizon", format!("at most {MAX_HORIZON_DAYS} days"));
        }
        self.text("name", &p.name);
        if let Some(cost) = p.replan.as_ref().and_then(|r| r.promise_cost) {
            self.range("replan.promise_cost", cost, (0.0, MAX_COST));
        }
        self.range(
            "routing.detour_factor",
            p.routing.detour_factor,
            DETOUR_FACTOR,
        );
        self.range("routing.speed_kmh", p.routing.speed_kmh, SPEED_KMH);
        if p.devices.len() > MAX_DEVICE_TYPES {
            self.err(
                "devices",
                format!("at most {MAX_DEVICE_TYPES} device types"),
            );
            return;
        }
        if p.stock.as_ref().is_some_and(|s| s.len() > MAX_DEVICE_TYPES) {
            self.err("stock", format!("at most {MAX_DEVICE_TYPES} device types"));
            return;
        }
        self.places(p);
        for (k, v) in p.vehicles.iter().enumerate() {
            if let Some(b) = &v.daily_break {
                let at = format!("vehicles[{k}].break");
                let day = p.horizon.start.date();
                match b.window(day) {
                    None => self.err(&at, "`from` and `to` must be times HH:MM"),
                    Some(w) if w.end < w.start => self.err(&at, "`to` is before `from`"),
                    Some(_) => {}
                }
                if !(b.minutes.is_finite() && b.minutes > 0.0 && b.minutes <= 600.0) {
                    self.err(
                        format!("{at}.minutes"),
                        format!("must be more than 0 and at most 600, got {}", b.minutes),
                    );
                }
            }
        }
        for (k, d) in p.depots.iter().enumerate() {
            for (device, &n) in d.stock.iter().flatten() {
                let at = format!("depots[{k}].stock.{device}");
                if !p.devices.contains_key(device) {
                    self.err(
                        &at,
                        format!(
                            "unknown device type `{device}`; the catalogue has: {}",
                            catalogue(p)
                        ),
                    );
                }
                self.count(&at, n);
            }
        }
        if p.stock.is_some() && p.depots.iter().any(|d| d.stock.is_some()) {
            self.err(
                "stock",
                "give the stock either for the whole network or per depot, not both",
            );
        }
        if let Some(stock) = &p.stock {
            for (device, &n) in stock {
                if !p.devices.contains_key(device) {
                    self.err(
                        format!("stock.{device}"),
                        format!(
                            "unknown device type `{device}`; the catalogue has: {}",
                            catalogue(p)
                        ),
                    );
                }
                self.count(&format!("stock.{device}"), n);
            }
        }
        match (&p.routing.engine, &p.routing.osrm) {
            (model::Engine::Osrm, None) => self.err(
                "routing.osrm",
                "engine `osrm` needs the road server: its `url`, or the `server` name the API's operator gave it",
            ),
            (_, Some(o)) => self.osrm(o),
            _ => {}
        }
        self.positive("solver.time_limit_s", p.solver.time_limit_s);
        if p.solver.time_limit_s > MAX_TIME_LIMIT_S {
            self.err(
                "solver.time_limit_s",
                format!("at most {MAX_TIME_LIMIT_S} s (one day)"),
            );
        }
        match p.solver.iteration_limit {
            Some(0) => self.err("solver.iteration_limit", "must be at least 1"),
            Some(n) if n > MAX_ITERATIONS => self.err(
                "solver.iteration_limit",
                format!("at most {MAX_ITERATIONS}"),
            ),
            _ => {}
        }
        for (name, d) in &p.devices {
            self.bounded_id(&format!("devices.{name}"), name);
            self.range(
                &format!("devices.{name}.mass_kg"),
                d.mass_kg,
                (0.0, MAX_DEVICE_KG),
            );
            self.range(
                &format!("devices.{name}.volume_l"),
                d.volume_l,
                (0.0, MAX_DEVICE_L),
            );
        }

        if p.depots.is_empty() {
            self.err("depots", "at least one depot is needed");
        }
        if p.depots.len() > MAX_DEPOTS {
            // Each depot is a row and a column of the matrices: refused
            // before anything is sized by them.
            self.err("depots", format!("at most {MAX_DEPOTS} depots"));
            return;
        }
        let mut depot_ids = BTreeSet::new();
        for (i, d) in p.depots.iter().enumerate() {
            let at = format!("depots[{i}]");
            self.id(&at, &d.id, &mut depot_ids);
            self.location(&at, d.location);
            self.text(&format!("{at}.name"), &d.name);
            self.text(&format!("{at}.address"), &d.address);
            if d.opening_hours.len() > MAX_WINDOWS {
                self.err(
                    format!("{at}.opening_hours"),
                    format!("at most {MAX_WINDOWS} periods"),
                );
                continue;
            }
            if d.stock.as_ref().is_some_and(|s| s.len() > MAX_DEVICE_TYPES) {
                self.err(
                    format!("{at}.stock"),
                    format!("at most {MAX_DEVICE_TYPES} device types"),
                );
            }
            for (k, w) in d.opening_hours.iter().enumerate() {
                self.interval(&format!("{at}.opening_hours[{k}]"), w, false);
            }
        }

        if p.vehicles.is_empty() {
            self.err(
                "vehicles",
                "the fleet is empty: at least one vehicle is needed",
            );
        }
        let mut vehicle_ids = BTreeSet::new();
        for (i, veh) in p.vehicles.iter().enumerate() {
            self.vehicle(&format!("vehicles[{i}]"), veh, &depot_ids, &mut vehicle_ids);
            self.depot_open(&format!("vehicles[{i}]"), veh, p);
        }

        let mut request_ids = BTreeSet::new();
        for (i, r) in p.pickups.iter().enumerate() {
            self.request(&format!("pickups[{i}]"), r, p, &mut request_ids);
        }
        for (i, r) in p.orders.iter().enumerate() {
            self.request(&format!("orders[{i}]"), r, p, &mut request_ids);
        }

        // In a network with stock per workshop, each workshop is one more
        // skill (its vans carry its stock, `allocate::network`).
        let network = p.depots.iter().any(|d| d.stock.is_some());
        let skills = p.skill_names().len() + if network { p.depots.len() } else { 0 };
        if skills > 64 {
            self.err(
                "",
                format!("{skills} distinct skills; at most 64 are supported"),
            );
        }
    }

    fn request(&mut self, at: &str, r: &Request, p: &Problem, ids: &mut BTreeSet<String>) {
        self.id(at, &r.id, ids);
        // `ORDER@WORKSHOP` names the part of an order delivered from another
        // workshop of a network (`allocate::part_of`).
        if let Some((_, w)) = r.id.rsplit_once('@') {
            if p.depots.iter().any(|d| d.id == w && d.stock.is_some()) {
                self.err(
                    format!("{at}.id"),
                    format!("`{}` ends in `@` and a workshop's id: such ids name the parts of orders delivered from another workshop", r.id),
                );
            }
        }
        self.location(at, r.location);
        for (field, text) in [
            ("name", &r.name),
            ("address", &r.address),
            ("notes", &r.notes),
            ("contact.name", &r.contact.name),
            ("contact.phone", &r.contact.phone),
            ("contact.email", &r.contact.email),
        ] {
            self.text(&format!("{at}.{field}"), text);
        }
        if r.insee
            .as_deref()
            .is_some_and(|c| !crate::communes::is_code(c))
        {
            self.err(
                format!("{at}.insee"),
                "not an INSEE code: five characters such as 76540 (2A004 in Corse-du-Sud)",
            );
        }
        if r.devices.len() > MAX_DEVICE_TYPES {
            self.err(
                format!("{at}.devices"),
                format!("at most {MAX_DEVICE_TYPES} device types"),
            );
            return;
        }
        for (name, &n) in &r.devices {
            self.count(&format!("{at}.devices.{name}"), n);
        }
        if r.time_windows.len() > MAX_WINDOWS {
            self.err(
                format!("{at}.time_windows"),
                format!("at most {MAX_WINDOWS} windows"),
            );
        }
        self.skills(&format!("{at}.skills"), &r.skills);
        for name in r.devices.keys() {
            if !p.devices.contains_key(name) {
                // The catalogue's names, up to ten: enough to see the mistake.
                let mut known: Vec<&str> = p.devices.keys().take(10).map(String::as_str).collect();
                if p.devices.len() > 10 {
                    known.push("…");
                }
                self.err(
                    format!("{at}.devices.{name}"),
                    format!(
                        "unknown device type `{name}`; the catalogue has: {}",
                        known.join(", ")
                    ),
                );
            }
        }
        for (k, w) in r.time_windows.iter().enumerate() {
            self.interval(&format!("{at}.time_windows[{k}]"), w, true);
        }
        self.range(
            &format!("{at}.service_minutes"),
            r.service_minutes,
            (0.0, MAX_MINUTES),
        );
        self.range(
            &format!("{at}.setup_minutes"),
            r.setup_minutes,
            (0.0, MAX_MINUTES),
        );
        if let model::Priority::Optional(value) = r.priority {
            self.range(&format!("{at}.priority.optional"), value, (0.0, MAX_COST));
        }
    }

    fn id(&mut self, at: &str, id: &str, seen: &mut BTreeSet<String>) {
        if id.trim().is_empty() {
            self.err(format!("{at}.id"), "must not be empty");
        } else if !seen.insert(id.to_string()) {
            self.err(format!("{at}.id"), format!("duplicate id `{id}`"));
        }
        self.bounded_id(&format!("{at}.id"), id);
    }

    /// An id or name of at most [`MAX_ID_CHARS`] characters, without
    /// control characters.
    fn bounded_id(&mut self, at: &str, id: &str) {
        if id.chars().count() > MAX_ID_CHARS {
            self.err(at, format!("at most {MAX_ID_CHARS} characters"));
        } else if id.chars().any(char::is_control) {
            self.err(at, "must not hold control characters");
        }
    }

    fn text(&mut self, at: &str, text: &str) {
        if text.chars().count() > MAX_TEXT_CHARS {
            self.err(at, format!("at most {MAX_TEXT_CHARS} characters"));
        }
    }

    fn skills(&mut self, at: &str, skills: &[String]) {
        if skills.len() > MAX_SKILLS {
            self.err(at, format!("at most {MAX_SKILLS} skills"));
        }
        for (k, s) in skills.iter().enumerate() {
            self.bounded_id(&format!("{at}[{k}]"), s);
        }
    }

    fn count(&mut self, at: &str, n: u32) {
        if n > MAX_DEVICES {
            self.err(at, format!("at most {MAX_DEVICES} devices, got {n}"));
        }
    }

    /// A finite number from `lo` to `hi`.
    fn range(&mut self, at: &str, x: f64, (lo, hi): (f64, f64)) {
        if !(x.is_finite() && (lo..=hi).contains(&x)) {
            self.err(at, format!("must be from {lo} to {hi}, got {x}"));
        }
    }

    fn location(&mut self, at: &str, [lon, lat]: Location) {
        if !(-180.0..=180.0).contains(&lon) {
            self.err(
                format!("{at}.location"),
                format!("longitude {lon} is outside -180..180"),
            );
        }
        if !(-90.0..=90.0).contains(&lat) {
            self.err(
                format!("{at}.location"),
                format!("latitude {lat} is outside -90..90"),
            );
        }
    }

    fn interval(&mut self, at: &str, w: &Interval, in_horizon: bool) {
        if w.end < w.start {
            self.err(
                at,
                format!(
                    "end {} is before start {}",
                    short(w.end, w.start),
                    short(w.start, w.end)
                ),
            );
        } else if in_horizon && (w.start < self.horizon.start || w.end > self.horizon.end) {
            self.err(
                at,
                format!(
                    "{}–{} is outside the horizon {}–{}",
                    model::wall_clock::format(&w.start),
                    model::wall_clock::format(&w.end),
                    model::wall_clock::format(&self.horizon.start),
                    model::wall_clock::format(&self.horizon.end)
                ),
            );
        }
    }

    fn positive(&mut self, at: &str, x: f64) {
        if !(x.is_finite() && x > 0.0) {
            self.err(at, format!("must be a positive number, got {x}"));
        }
    }

    fn positive_max(&mut self, at: &str, x: f64, hi: f64) {
        if !(x.is_finite() && x > 0.0 && x <= hi) {
            self.err(at, format!("must be more than 0 and at most {hi}, got {x}"));
        }
    }
}

/// `HH:MM` when both times fall on the same day, the full date-time otherwise.
fn short(t: NaiveDateTime, other: NaiveDateTime) -> String {
    if t.date() == other.date() {
        t.format("%H:%M").to_string()
    } else {
        model::wall_clock::format(&t)
    }
}

/// Ids as a mistake's message lists them: ten at most, then "…".
fn list(ids: &[&str]) -> String {
    let mut shown: Vec<&str> = ids.iter().take(10).copied().collect();
    if ids.len() > 10 {
        shown.push("…");
    }
    if shown.is_empty() {
        "none".into()
    } else {
        shown.join(", ")
    }
}

/// The catalogue's device types, as [`list`] shows them.
fn catalogue(p: &Problem) -> String {
    let ids: Vec<&str> = p.devices.keys().map(String::as_str).collect();
    list(&ids)
}
