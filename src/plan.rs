//! The plan format (`tournee-plan/1`): what the planning answers. One tour per
//! vehicle shift that is used, each stop with wall-clock times and the load
//! on board; the requests left out with a machine-readable reason and a
//! sentence; totals.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use serde_json::{json, Value};

use crate::geometry;
use crate::model::{Contact, Location};

pub const PLAN_FORMAT: &str = "tournee-plan/1";

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
pub struct Plan {
    pub format: String,
    pub name: String,
    /// How travel was estimated, e.g. `haversine × 1.3 at 30 km/h`.
    pub travel_model: String,
    pub seed: u64,
    pub iterations: u64,
    pub totals: Totals,
    pub tours: Vec<Tour>,
    pub unassigned: Vec<Unassigned>,
    /// After a re-plan: each request whose tour changed from the earlier plan.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub changes: Vec<Change>,
}

/// A request that moved between the earlier plan and this one; `from` or
/// `to` is `new` or `unassigned` when it was not in a tour.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
pub struct Change {
    pub request: String,
    pub from: String,
    pub to: String,
    /// Why a request announced for a van and day was not kept there (in
    /// English), and the same as a catalogue key (`why.CODE`) with its
    /// arguments, for pages in their reader's language.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub why: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub why_code: Option<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub why_args: BTreeMap<String, String>,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
pub struct Totals {
    pub tours: usize,
    pub stops: usize,
    pub distance_km: f64,
    pub duration_h: f64,
    pub cost: f64,
    pub pickups_planned: usize,
    pub orders_planned: usize,
    pub unassigned: usize,
    pub devices_collected: u64,
    pub devices_delivered: u64,
    /// Transport emissions of all tours (docs/emissions.md).
    #[serde(default)]
    pub co2e_kg: f64,
}

/// Load on board, in the units of the problem's capacities.
#[derive(Clone, Copy, Debug, Default, Deserialize, Serialize, PartialEq)]
pub struct Load {
    pub kg: f64,
    pub m3: f64,
    pub units: u64,
}

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
pub struct Tour {
    /// `vehicle/YYYY-MM-DD` (with `#k` when a vehicle has two shifts a day).
    pub id: String,
    pub vehicle: String,
    /// Index of the shift in the vehicle's `shifts`.
    pub shift: usize,
    pub day: String,
    pub depot: String,
    pub end_depot: String,
    pub departure: String,
    #[serde(rename = "return")]
    pub return_: String,
    pub distance_km: f64,
    /// From departure to return, waiting included.
    pub duration_h: f64,
    pub cost: f64,
    /// Refurbished devices loaded at the depot for the tour's orders.
    pub load_at_departure: Load,
    /// Distance from the last stop back to the depot.
    pub return_km: f64,
    pub stops: Vec<Stop>,
    /// The path to draw, from the depot through the stops and back.
    pub geometry: Geometry,
    /// Energy type and its emission factor (kgCO2e per km, well-to-wheel).
    #[serde(default)]
    pub energy: String,
    #[serde(default)]
    pub co2e_kg_per_km: f64,
    /// `distance_km × co2e_kg_per_km`.
    #[serde(default)]
    pub co2e_kg: f64,
    /// The driver's break, when the vehicle has one and the tour spans it.
    #[serde(rename = "break", default, skip_serializing_if = "Option::is_none")]
    pub driver_break: Option<Break>,
}

impl Tour {
    /// The stops that serve requests (not the reloads between trips).
    pub fn request_stops(&self) -> impl Iterator<Item = &Stop> {
        self.stops.iter().filter(|s| s.kind != StopKind::Reload)
    }
}

/// A break taken after `after_stop` stops (0: at the depot or on the way to
/// the first stop): before driving on, or on arrival before the service.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
pub struct Break {
    pub after_stop: usize,
    pub start: String,
    pub end: String,
}

/// A tour's path as an encoded polyline (precision 5, latitude first).
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
pub struct Geometry {
    /// `road` (from the road server's route) or `straight_lines`.
    pub source: String,
    pub polyline: String,
}

#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum StopKind {
    Pickup,
    Delivery,
    /// A pickup's devices left at a partner site or another workshop
    /// (`deliver_to`), later in the same tour. `job` is the pickup's id.
    Drop,
    /// Back at the depot between two trips: what was collected is unloaded
    /// and the next trip's deliveries loaded. `job` is the depot's id.
    Reload,
}

impl StopKind {
    /// Its name in the plan (`pickup`, `delivery`, `drop`, `reload`).
    pub fn as_str(self) -> &'static str {
        match self {
            StopKind::Pickup => "pickup",
            StopKind::Delivery => "delivery",
            StopKind::Drop => "drop",
            StopKind::Reload => "reload",
        }
    }
}

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
pub struct Stop {
    /// The site's commune: its INSEE code and name, from the request or,
    /// when it had none, the commune of the nearest town hall
    /// (`commune_nearest`). None outside the communes' table.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub insee: Option<String>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub commune: String,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub commune_nearest: bool,
    pub job: String,
    pub kind: StopKind,
    pub name: String,
    pub address: String,
    pub location: Location,
    pub contact: Contact,
    pub devices: BTreeMap<String, u32>,
    /// Distance from the previous stop (or the depot).
    pub travel_km: f64,
    pub arrival: String,
    /// Minutes of set-up on arrival (the request's `setup_minutes`; none
    /// when the stop before was at the same place).
    #[serde(default, skip_serializing_if = "crate::model::is_zero")]
    pub setup_min: f64,
    /// Start of service: the arrival (after the set-up), or the opening of
    /// the window.
    pub start: String,
    pub departure: String,
    pub waiting_min: f64,
    /// On board when leaving the stop.
    pub load: Load,
    /// Emissions of the leg from the previous stop (or the depot).
    #[serde(default)]
    pub co2e_kg: f64,
    /// A round trip from the tour's depot to this stop alone: the baseline
    /// of one trip per request (docs/emissions.md).
    #[serde(default)]
    pub baseline_km: f64,
}

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
pub struct Unassigned {
    pub job: String,
    pub kind: StopKind,
    pub name: String,
    /// Machine-readable: `no_vehicle_with_skills`, `exceeds_capacity`,
    /// `time_window_unreachable`, `shift_too_short`, `max_distance_exceeded`,
    /// `not_profitable`, `fleet_full`.
    pub reason: String,
    pub message: String,
}

/// The whole plan as GeoJSON: a LineString per tour and a Point per stop,
/// with what a map needs in their properties.
pub fn to_geojson(plan: &Plan) -> Value {
    let mut features = Vec::new();
    for (t, tour) in plan.tours.iter().enumerate() {
        features.push(json!({
            "type": "Feature",
            "geometry": geometry::line_string(&geometry::decode_polyline(&tour.geometry.polyline)),
            "properties": {
                "tour": tour.id, "tour_index": t, "vehicle": tour.vehicle, "day": tour.day,
                "distance_km": tour.distance_km, "departure": tour.departure,
                "return": tour.return_, "path": tour.geometry.source,
            }
        }));
        for (k, s) in tour.stops.iter().enumerate() {
            features.push(json!({
                "type": "Feature",
                "geometry": { "type": "Point", "coordinates": s.location },
                "properties": {
                    "tour": tour.id, "stop": k + 1, "job": s.job, "kind": s.kind,
                    "name": s.name, "arrival": s.arrival, "start": s.start,
                    "devices": s.devices,
                }
            }));
        }
    }
    json!({ "type": "FeatureCollection", "features": features })
}
