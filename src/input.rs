//! Reading a problem file: JSON syntax and types first (with the path of the
//! offending field), then the rules that types cannot express. Every mistake
//! is reported with its field path, e.g. `pickups[17].time_windows[1]: end
//! 09:00 is before start 12:00`.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use chrono::NaiveDateTime;

use crate::model::{self, Interval, Location, Problem, Request, FORMAT};

/// The longest search a problem may ask for.
pub const MAX_TIME_LIMIT_S: f64 = 86_400.0;

/// One mistake in a problem, tied to the field where it is.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct FieldError {
    /// Path such as `vehicles[2].shifts[0]`; empty for the document itself.
    pub field: String,
    pub message: String,
}

impl FieldError {
    fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        FieldError {
            field: field.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.field.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.field, self.message)
        }
    }
}

/// Parses and validates a problem; every error found is returned.
pub fn read(text: &str) -> Result<Problem, Vec<FieldError>> {
    let problem = parse(text).map_err(|e| vec![e])?;
    let errors = validate(&problem);
    if errors.is_empty() {
        Ok(problem)
    } else {
        Err(errors)
    }
}

/// JSON syntax and types. Stops at the first error, as a parser must.
pub fn parse(text: &str) -> Result<Problem, FieldError> {
    let de = &mut serde_json::Deserializer::from_str(text);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let field = if path == "." { String::new() } else { path };
        FieldError::new(field, e.into_inner().to_string())
    })
}

/// The rules beyond JSON types: references, ranges, units, the horizon.
pub fn validate(p: &Problem) -> Vec<FieldError> {
    let mut v = Validator {
        errors: Vec::new(),
        horizon: p.horizon,
    };
    v.check(p);
    v.errors
}

struct Validator {
    errors: Vec<FieldError>,
    horizon: Interval,
}

impl Validator {
    fn err(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.errors.push(FieldError::new(field, message));
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
        }
        self.positive("routing.detour_factor", p.routing.detour_factor);
        self.positive("routing.speed_kmh", p.routing.speed_kmh);
        for (k, o) in p.pickups.iter().enumerate() {
            if o.depot.is_some() {
                self.err(
                    format!("pickups[{k}].depot"),
                    "only orders draw from a workshop; collected devices go back with the van",
                );
            }
        }
        for (k, o) in p.orders.iter().enumerate() {
            if let Some(d) = &o.depot {
                if !p.depots.iter().any(|x| &x.id == d) {
                    self.err(format!("orders[{k}].depot"), format!("no depot `{d}`"));
                }
            }
        }
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
                    self.err(format!("{at}.minutes"), "must be between 0 and 600");
                }
            }
        }
        for (k, d) in p.depots.iter().enumerate() {
            for device in d.stock.iter().flat_map(|s| s.keys()) {
                if !p.devices.contains_key(device) {
                    self.err(
                        format!("depots[{k}].stock.{device}"),
                        format!("unknown device type `{device}` (not in `devices`)"),
                    );
                }
            }
        }
        if p.stock.is_some() && p.depots.iter().any(|d| d.stock.is_some()) {
            self.err(
                "stock",
                "give the stock either for the whole network or per depot, not both",
            );
        }
        if let Some(stock) = &p.stock {
            for device in stock.keys() {
                if !p.devices.contains_key(device) {
                    self.err(
                        format!("stock.{device}"),
                        format!("unknown device type `{device}` (not in `devices`)"),
                    );
                }
            }
        }
        match (&p.routing.engine, &p.routing.osrm) {
            (model::Engine::Osrm, None) => {
                self.err("routing.osrm", "engine `osrm` needs the server's `url`")
            }
            (_, Some(o)) => {
                if !(o.url.starts_with("http://") || o.url.starts_with("https://")) {
                    self.err("routing.osrm.url", "must start with http:// or https://");
                }
                if o.max_table_size < 2 {
                    self.err("routing.osrm.max_table_size", "must be at least 2");
                }
                if o.concurrency == 0 {
                    self.err("routing.osrm.concurrency", "must be at least 1");
                }
                self.positive("routing.osrm.timeout_s", o.timeout_s);
                self.positive("routing.osrm.max_snap_m", o.max_snap_m);
            }
            _ => {}
        }
        self.positive("solver.time_limit_s", p.solver.time_limit_s);
        if p.solver.time_limit_s > MAX_TIME_LIMIT_S {
            self.err(
                "solver.time_limit_s",
                format!("at most {MAX_TIME_LIMIT_S} s (one day)"),
            );
        }
        if p.solver.iteration_limit == Some(0) {
            self.err("solver.iteration_limit", "must be at least 1");
        }
        for (name, d) in &p.devices {
            self.non_negative(&format!("devices.{name}.mass_kg"), d.mass_kg);
            self.non_negative(&format!("devices.{name}.volume_l"), d.volume_l);
        }

        if p.depots.is_empty() {
            self.err("depots", "at least one depot is needed");
        }
        let mut depot_ids = BTreeSet::new();
        for (i, d) in p.depots.iter().enumerate() {
            let at = format!("depots[{i}]");
            self.id(&at, &d.id, &mut depot_ids);
            self.location(&at, d.location);
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

        let skills = p.skill_names().len();
        if skills > 64 {
            self.err(
                "",
                format!("{skills} distinct skills; at most 64 are supported"),
            );
        }
    }

    fn vehicle(
        &mut self,
        at: &str,
        veh: &model::Vehicle,
        depots: &BTreeSet<String>,
        ids: &mut BTreeSet<String>,
    ) {
        self.id(at, &veh.id, ids);
        if !depots.contains(&veh.depot) {
            self.err(
                format!("{at}.depot"),
                format!("no depot has id `{}`", veh.depot),
            );
        }
        if let Some(end) = &veh.end_depot {
            if !depots.contains(end) {
                self.err(
                    format!("{at}.end_depot"),
                    format!("no depot has id `{end}`"),
                );
            }
        }
        self.positive(&format!("{at}.capacity.kg"), veh.capacity.kg);
        self.positive(&format!("{at}.capacity.m3"), veh.capacity.m3);
        if veh.capacity.units == Some(0) {
            self.err(format!("{at}.capacity.units"), "must be positive");
        }
        if veh.shifts.is_empty() {
            self.err(format!("{at}.shifts"), "at least one shift is needed");
        }
        for (k, s) in veh.shifts.iter().enumerate() {
            self.interval(&format!("{at}.shifts[{k}]"), s, true);
        }
        if let Some(h) = veh.max_tour_hours {
            self.positive(&format!("{at}.max_tour_hours"), h);
        }
        if let Some(km) = veh.max_tour_km {
            self.positive(&format!("{at}.max_tour_km"), km);
        }
        self.non_negative(&format!("{at}.costs.fixed"), veh.costs.fixed);
        self.non_negative(&format!("{at}.costs.per_km"), veh.costs.per_km);
        self.non_negative(&format!("{at}.costs.per_hour"), veh.costs.per_hour);
        self.positive(&format!("{at}.speed_factor"), veh.speed_factor);
        if veh.trips == 0 {
            self.err(format!("{at}.trips"), "at least one trip per shift");
        }
        self.non_negative(&format!("{at}.reload_minutes"), veh.reload_minutes);
    }

    /// Each shift must overlap its depots' opening hours.
    fn depot_open(&mut self, at: &str, veh: &model::Vehicle, p: &Problem) {
        let find = |id: &str| p.depots.iter().find(|d| d.id == id);
        let end_id = veh.end_depot.as_deref().unwrap_or(&veh.depot);
        let (Some(start), Some(end)) = (find(&veh.depot), find(end_id)) else {
            return;
        };
        for (k, shift) in veh.shifts.iter().enumerate() {
            let open = model::usable_shift(shift, &start.opening_hours, &end.opening_hours);
            if shift.start < shift.end && open.start >= open.end {
                self.err(
                    format!("{at}.shifts[{k}]"),
                    format!("depot `{}` is closed during this shift", start.id),
                );
            }
        }
    }

    fn request(&mut self, at: &str, r: &Request, p: &Problem, ids: &mut BTreeSet<String>) {
        self.id(at, &r.id, ids);
        self.location(at, r.location);
        for name in r.devices.keys() {
            if !p.devices.contains_key(name) {
                let known: Vec<&str> = p.devices.keys().map(String::as_str).collect();
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
        self.non_negative(&format!("{at}.service_minutes"), r.service_minutes);
        if let model::Priority::Optional(value) = r.priority {
            self.non_negative(&format!("{at}.priority.optional"), value);
        }
    }

    fn id(&mut self, at: &str, id: &str, seen: &mut BTreeSet<String>) {
        if id.trim().is_empty() {
            self.err(format!("{at}.id"), "must not be empty");
        } else if !seen.insert(id.to_string()) {
            self.err(format!("{at}.id"), format!("duplicate id `{id}`"));
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

    fn non_negative(&mut self, at: &str, x: f64) {
        if !(x.is_finite() && x >= 0.0) {
            self.err(at, format!("must be zero or more, got {x}"));
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

/// Device counts → (mass in kg, volume in litres, number of devices).
pub fn measure(
    devices: &BTreeMap<String, u32>,
    catalogue: &BTreeMap<String, model::DeviceType>,
) -> (f64, f64, u64) {
    devices
        .iter()
        .fold((0.0, 0.0, 0), |(kg, l, n), (name, &count)| {
            let d = catalogue.get(name);
            (
                kg + count as f64 * d.map_or(0.0, |d| d.mass_kg),
                l + count as f64 * d.map_or(0.0, |d| d.volume_l),
                n + count as u64,
            )
        })
}
