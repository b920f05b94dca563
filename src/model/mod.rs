//! The problem format (`tournee/1`): what a coordinator's tool or script
//! writes to ask for a plan. Documented field by field in `docs/format.md`.
//!
//! Every struct rejects unknown fields, so a typo such as `servce_minutes` is
//! reported instead of silently ignored.

use std::collections::BTreeMap;

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

mod routing;

pub use routing::{Engine, Fallback, OsrmSettings, Routing};

/// The version tag every problem file carries.
pub const FORMAT: &str = "tournee/1";

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Problem {
    pub format: String,
    #[serde(default)]
    pub name: String,
    pub horizon: Interval,
    #[serde(default)]
    pub routing: Routing,
    #[serde(default)]
    pub solver: SolverSettings,
    /// Device catalogue: type name → mass and packed volume of one device.
    pub devices: BTreeMap<String, DeviceType>,
    pub depots: Vec<Depot>,
    pub vehicles: Vec<Vehicle>,
    #[serde(default)]
    pub pickups: Vec<Request>,
    #[serde(default)]
    pub orders: Vec<Request>,
    /// Partner sites (recyclers, other refurbishers) where a pickup's
    /// devices may be taken instead of the workshop (`deliver_to`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub partners: Vec<Partner>,
    /// Refurbished devices available per device type, when orders may ask
    /// for more: `tournee solve` then allocates the stock first
    /// (docs/allocation.md). Device types not listed are not limited.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stock: Option<BTreeMap<String, u32>>,
    /// Re-planning from an earlier plan (`tournee solve --previous`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replan: Option<Replan>,
}

/// A break of `minutes` that starts between `from` and `to` (local times
/// `HH:MM`) on the day of each shift; a tour back before `from` needs none.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct DailyBreak {
    pub from: String,
    pub to: String,
    pub minutes: f64,
}

impl DailyBreak {
    /// The window in which the break may start, on `day`; `None` when a time
    /// is not `HH:MM`.
    pub fn window(&self, day: chrono::NaiveDate) -> Option<Interval> {
        let t = |s: &str| chrono::NaiveTime::parse_from_str(s, "%H:%M").ok();
        Some(Interval {
            start: day.and_time(t(&self.from)?),
            end: day.and_time(t(&self.to)?),
        })
    }
}

/// What changes when a coordinator re-plans mid-week (docs/format.md).
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Replan {
    /// Tours of the earlier plan that leave before this are done: kept as
    /// they were, their requests not planned again.
    #[serde(with = "wall_clock")]
    pub frozen_before: NaiveDateTime,
    /// Requests that must be in a given vehicle's tour on a given day.
    #[serde(default)]
    pub locks: Vec<Lock>,
    /// Vehicles out of service: their shifts that overlap the period are
    /// not used.
    #[serde(default)]
    pub out_of_service: Vec<Outage>,
    /// What the earlier plan announced that the re-plan keeps for each
    /// pending request (docs/format.md): its van and day (default), its
    /// day, or nothing.
    #[serde(default)]
    pub promises: Promises,
    /// What breaking one promise costs, in the problem's cost units: with
    /// it, the re-plan also searches without promises and keeps that plan
    /// when it saves more than this per promise it breaks. Absent: a
    /// promise is broken only when keeping it leaves the request out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub promise_cost: Option<f64>,
}

/// What a re-plan keeps of what donors and communes were told.
#[derive(Clone, Copy, Debug, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Promises {
    #[default]
    VanAndDay,
    Day,
    None,
}

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Lock {
    pub request: String,
    pub vehicle: String,
    pub day: chrono::NaiveDate,
}

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Outage {
    pub vehicle: String,
    #[serde(with = "wall_clock")]
    pub from: NaiveDateTime,
    #[serde(with = "wall_clock")]
    pub to: NaiveDateTime,
}

impl Problem {
    /// Every skill named by a vehicle or a request, in name order.
    pub fn skill_names(&self) -> std::collections::BTreeSet<&str> {
        self.vehicles
            .iter()
            .flat_map(|v| &v.skills)
            .chain(
                self.pickups
                    .iter()
                    .chain(&self.orders)
                    .flat_map(|r| &r.skills),
            )
            .map(String::as_str)
            .collect()
    }
}

/// A span of local wall-clock time, `start` included, `end` included.
#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Interval {
    #[serde(with = "wall_clock")]
    pub start: NaiveDateTime,
    #[serde(with = "wall_clock")]
    pub end: NaiveDateTime,
}

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SolverSettings {
    #[serde(default = "default_time_limit")]
    pub time_limit_s: f64,
    #[serde(default = "default_seed")]
    pub seed: u64,
    /// Stop after this many iterations (for reproducible runs).
    #[serde(default)]
    pub iteration_limit: Option<u64>,
}

impl Default for SolverSettings {
    fn default() -> Self {
        SolverSettings {
            time_limit_s: default_time_limit(),
            seed: default_seed(),
            iteration_limit: None,
        }
    }
}

fn default_time_limit() -> f64 {
    10.0
}

fn default_seed() -> u64 {
    1
}

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct DeviceType {
    pub mass_kg: f64,
    pub volume_l: f64,
}

/// Longitude and latitude in degrees (WGS84), in that order as in GeoJSON.
pub type Location = [f64; 2];

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Depot {
    pub id: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub address: String,
    pub location: Location,
    /// When vans may leave and come back; empty means always open.
    #[serde(default)]
    pub opening_hours: Vec<Interval>,
    /// Refurbished devices in stock at this workshop, in a network of
    /// several: each order then draws from one workshop (docs/allocation.md).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stock: Option<BTreeMap<String, u32>>,
}

/// Minutes to unload at a workshop a pickup's devices are taken to
/// (`deliver_to` naming a depot); a partner site says its own.
pub const DROP_AT_DEPOT_MIN: f64 = 10.0;

/// Where a pickup's devices are dropped (`deliver_to`): a partner site, or
/// a depot (10 minutes to unload, [`DROP_AT_DEPOT_MIN`]).
#[derive(Clone, Copy, Debug)]
pub enum DropPlace<'a> {
    Partner(&'a Partner),
    Depot(&'a Depot),
}

impl<'a> DropPlace<'a> {
    pub fn name(self) -> &'a str {
        match self {
            DropPlace::Partner(s) => &s.name,
            DropPlace::Depot(d) => &d.name,
        }
    }

    pub fn address(self) -> &'a str {
        match self {
            DropPlace::Partner(s) => &s.address,
            DropPlace::Depot(d) => &d.address,
        }
    }

    pub fn location(self) -> Location {
        match self {
            DropPlace::Partner(s) => s.location,
            DropPlace::Depot(d) => d.location,
        }
    }

    pub fn contact(self) -> Contact {
        match self {
            DropPlace::Partner(s) => s.contact.clone(),
            DropPlace::Depot(_) => Contact::default(),
        }
    }

    pub fn opening_hours(self) -> &'a [Interval] {
        match self {
            DropPlace::Partner(s) => &s.opening_hours,
            DropPlace::Depot(d) => &d.opening_hours,
        }
    }

    /// Minutes to unload there.
    pub fn service_minutes(self) -> f64 {
        match self {
            DropPlace::Partner(s) => s.service_minutes,
            DropPlace::Depot(_) => DROP_AT_DEPOT_MIN,
        }
    }
}

impl Problem {
    /// Where pickup `r`'s devices are dropped, when it is taken elsewhere
    /// and the place exists.
    pub fn drop_place(&self, r: &Request) -> Option<DropPlace<'_>> {
        let to = r.deliver_to.as_deref()?;
        self.partners
            .iter()
            .find(|s| s.id == to)
            .map(DropPlace::Partner)
            .or_else(|| {
                self.depots
                    .iter()
                    .find(|d| d.id == to)
                    .map(DropPlace::Depot)
            })
    }
}

/// A partner site: a recycler that takes broken devices, another
/// refurbisher, a storage room. Vans drop collected devices there
/// (`pickups[].deliver_to`) during a tour.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Partner {
    pub id: String,
    #[serde(default)]
    pub name: String,
    /// What kind of partner (`recycler`, `refurbisher`, …): shown, not used.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub kind: String,
    #[serde(default)]
    pub address: String,
    pub location: Location,
    #[serde(default)]
    pub contact: Contact,
    /// When devices can be dropped there; empty means any time.
    #[serde(default)]
    pub opening_hours: Vec<Interval>,
    /// Time to unload there.
    #[serde(default = "default_service")]
    pub service_minutes: f64,
}

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Capacity {
    pub kg: f64,
    pub m3: f64,
    /// Optional limit on the number of devices.
    #[serde(default)]
    pub units: Option<u32>,
}

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Costs {
    /// Per tour that leaves the depot.
    #[serde(default)]
    pub fixed: f64,
    #[serde(default = "default_per_km")]
    pub per_km: f64,
    #[serde(default)]
    pub per_hour: f64,
}

impl Default for Costs {
    fn default() -> Self {
        Costs {
            fixed: 0.0,
            per_km: default_per_km(),
            per_hour: 0.0,
        }
    }
}

fn default_per_km() -> f64 {
    1.0
}

#[derive(Clone, Copy, Debug, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Energy {
    /// Diesel light van (Kangoo to Trafic class).
    #[default]
    Diesel,
    Petrol,
    Electric,
    /// Diesel van of 3.5 t gross weight (Master, Daily).
    #[serde(rename = "diesel_3_5t")]
    Diesel35t,
    /// Diesel rigid truck of 7.5 t gross weight.
    SmallTruck,
    CargoBike,
}

impl Energy {
    /// The name used in problems and in `data/emission-factors.csv`.
    pub fn key(self) -> &'static str {
        match self {
            Energy::Diesel => "diesel",
            Energy::Petrol => "petrol",
            Energy::Electric => "electric",
            Energy::Diesel35t => "diesel_3_5t",
            Energy::SmallTruck => "small_truck",
            Energy::CargoBike => "cargo_bike",
        }
    }
}

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Vehicle {
    pub id: String,
    #[serde(default)]
    pub name: String,
    /// Depot where its tours start.
    pub depot: String,
    /// Depot where its tours end; the start depot when absent.
    #[serde(default)]
    pub end_depot: Option<String>,
    /// Its tours end at their last stop (a driver who goes home from
    /// there, a van left at a partner's): no way back is planned.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub open_tour: bool,
    pub capacity: Capacity,
    /// Working periods, typically one per working day; each gives one tour.
    /// Required in a problem (the validation says so when it is empty); a
    /// set-up's van leaves it out and gives its usual week instead.
    #[serde(default)]
    pub shifts: Vec<Interval>,
    #[serde(default)]
    pub max_tour_hours: Option<f64>,
    #[serde(default)]
    pub max_tour_km: Option<f64>,
    /// The driver's hours over all the van's shifts in the problem (a
    /// week's: 35, the French legal week), each tour counted from
    /// departure to return.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_driver_hours: Option<f64>,
    /// Most stops in one tour (every trip together), reloads not counted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_stops: Option<u32>,
    #[serde(default)]
    pub energy: Energy,
    /// The driver's daily break, e.g. 45 minutes starting between 11:45 and
    /// 14:00, on every shift.
    #[serde(rename = "break", default, skip_serializing_if = "Option::is_none")]
    pub daily_break: Option<DailyBreak>,
    /// Trips allowed per shift: from the second on, the van comes back to
    /// its depot mid-shift to unload what it collected and load the next
    /// deliveries.
    #[serde(default = "one_trip", skip_serializing_if = "is_one_trip")]
    pub trips: u32,
    /// Time at the depot between two trips.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub reload_minutes: f64,
    /// kgCO2e per km, when the vehicle's own figure is known; otherwise the
    /// energy's factor from `data/emission-factors.csv`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub co2e_kg_per_km: Option<f64>,
    #[serde(default)]
    pub costs: Costs,
    #[serde(default)]
    pub skills: Vec<String>,
    /// Multiplies the average speed (below 1: slower than traffic).
    #[serde(default = "one")]
    pub speed_factor: f64,
}

impl Vehicle {
    /// The depot its tours end at: `end_depot`, else its start depot;
    /// none for an open tour.
    pub fn end_id(&self) -> Option<&str> {
        if self.open_tour {
            return None;
        }
        Some(self.end_depot.as_deref().unwrap_or(&self.depot))
    }
}

fn one() -> f64 {
    1.0
}

fn one_trip() -> u32 {
    1
}

fn is_one_trip(trips: &u32) -> bool {
    *trips == 1
}

pub(crate) fn is_zero(x: &f64) -> bool {
    *x == 0.0
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Contact {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub email: String,
}

/// Whether a request must be planned.
#[derive(Clone, Copy, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "snake_case")]
pub enum Priority {
    /// Planned whenever the fleet can serve it.
    #[default]
    Mandatory,
    /// Planned only when serving it costs less than this value (in cost units).
    Optional(f64),
}

/// A stop to make: equipment to collect at a donor's site (a pickup), or
/// refurbished devices to bring to a commune's drop-off point (an order).
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Request {
    pub id: String,
    /// For an order in a network with stock per workshop: the workshop it
    /// draws from (default: the nearest one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub depot: Option<String>,
    /// For a pickup: the partner site or workshop its devices are taken to,
    /// in the same tour (a drop stop after it), instead of back to the
    /// van's workshop.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deliver_to: Option<String>,
    /// The donor (company, administration) or the commune.
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub address: String,
    pub location: Location,
    #[serde(default)]
    pub contact: Contact,
    /// Device type → number of devices.
    pub devices: BTreeMap<String, u32>,
    /// When the site can be visited; empty means any time in a shift.
    #[serde(default)]
    pub time_windows: Vec<Interval>,
    #[serde(default = "default_service")]
    pub service_minutes: f64,
    /// Time on arriving at the place (parking, signing in at the front
    /// desk), paid once when several stops follow at the same place.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub setup_minutes: f64,
    #[serde(default)]
    pub skills: Vec<String>,
    #[serde(default)]
    pub priority: Priority,
    #[serde(default)]
    pub notes: String,
    /// The INSEE code of the site's commune (`76540`), as the geocoder
    /// gives it; without it the nearest commune's (`communes.rs`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub insee: Option<String>,
}

fn default_service() -> f64 {
    10.0
}

/// The part of a shift when the depots are open: the van leaves once the
/// start depot opens and is back before the end depot closes. A depot with
/// no opening hours is always open; a shift when it is closed becomes empty.
pub fn usable_shift(
    shift: &Interval,
    start_hours: &[Interval],
    end_hours: &[Interval],
) -> Interval {
    let overlap = |hours: &[Interval]| -> Option<Interval> {
        if hours.is_empty() {
            return Some(*shift);
        }
        hours
            .iter()
            .filter(|o| o.start < shift.end && o.end > shift.start)
            .max_by_key(|o| o.end.min(shift.end) - o.start.max(shift.start))
            .copied()
    };
    match (overlap(start_hours), overlap(end_hours)) {
        (Some(a), Some(b)) => Interval {
            start: shift.start.max(a.start),
            end: shift.end.min(b.end).max(shift.start.max(a.start)),
        },
        _ => Interval {
            start: shift.start,
            end: shift.start,
        },
    }
}

/// Local wall-clock date-times as `2026-11-30T09:00` (seconds optional).
pub mod wall_clock {
    use chrono::NaiveDateTime;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn parse(s: &str) -> Option<NaiveDateTime> {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S")
            .or_else(|_| NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M"))
            .ok()
    }

    pub fn format(t: &NaiveDateTime) -> String {
        t.format("%Y-%m-%dT%H:%M:%S").to_string()
    }

    pub fn serialize<S: Serializer>(t: &NaiveDateTime, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format(t))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveDateTime, D::Error> {
        let s = String::deserialize(d)?;
        parse(&s).ok_or_else(|| {
            serde::de::Error::custom(format!("`{s}` is not a date-time like 2026-11-30T09:00"))
        })
    }
}
