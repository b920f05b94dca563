//! What a driver's phone reads: one tour with its stops, each stop's opening
//! hours that day and the road path. Built once, when the plan is stored,
//! so that opening a tour costs one row whatever the plan's size; the
//! drivers' stop statuses are added when it is read.

use serde_json::{json, Value};

use crate::geometry;
use crate::model::{Interval, Problem};
use crate::plan::{Plan, StopKind};

/// The driver view of tour `index` of `plan` (stored as plan `plan_id`),
/// without the statuses. `Value::Null` when there is no such tour.
pub fn tour_view(plan_id: &str, problem: &Problem, plan: &Plan, index: usize) -> Value {
    let Some(tour) = plan.tours.get(index) else {
        return Value::Null;
    };
    // Each stop's opening hours that day, from the problem, for the driver
    // arriving early or late (empty: open all day; none for reloads).
    let windows: Vec<Vec<&Interval>> = tour
        .stops
        .iter()
        .map(|stop| {
            let hours: Vec<&Interval> = match stop.kind {
                StopKind::Reload => Vec::new(),
                // A drop: the partner's (or workshop's) opening hours.
                StopKind::Drop => problem
                    .pickups
                    .iter()
                    .filter(|r| r.id == stop.job)
                    .filter_map(|r| problem.drop_place(r))
                    .flat_map(|place| place.opening_hours())
                    .collect(),
                _ => problem
                    .pickups
                    .iter()
                    .chain(&problem.orders)
                    .filter(|r| r.id == stop.job)
                    .flat_map(|r| &r.time_windows)
                    .collect(),
            };
            hours
                .into_iter()
                .filter(|w| w.start.date().to_string() == tour.day)
                .collect()
        })
        .collect();
    // Workshops by their name, as drivers know them.
    let depot = |id: &str| {
        problem
            .depots
            .iter()
            .find(|d| d.id == id && !d.name.is_empty())
            .map_or(id.to_string(), |d| d.name.clone())
    };
    json!({
        "plan": { "id": plan_id, "name": problem.name },
        "depot_name": depot(&tour.depot),
        "end_depot_name": depot(&tour.end_depot),
        "tour": tour,
        "windows": windows,
        "geometry": {
            "source": tour.geometry.source,
            "polyline": tour.geometry.polyline,
            "geojson": geometry::line_string(&geometry::decode_polyline(&tour.geometry.polyline)),
        },
    })
}

/// A stored view with the tour's current statuses, as the API answers it:
/// the statuses spliced in front, so that the view is not parsed again.
pub fn with_statuses(view: &str, statuses: &Value) -> String {
    let rest = view.strip_prefix('{').unwrap_or(view);
    format!("{{\"statuses\":{statuses},{rest}")
}
