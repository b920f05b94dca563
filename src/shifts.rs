//! A van's shift must at least let it drive from its start workshop to its
//! end workshop (`end_depot`), within the shift's open hours and its
//! `max_tour_km`. A shift that cannot is a mistake in the set-up, not a
//! reason to leave every request out: it is reported with its field path,
//! like every other mistake, before any search starts.

use crate::input::FieldError;
use crate::model::{self, Problem};
use crate::routing::Travel;

/// The shifts (and distance limits) in which a van cannot even drive from
/// its start depot to its end depot. `travel` covers the problem's places
/// with the depots first, as [`crate::routing::places`] numbers them (a
/// travel over the depots alone will do).
pub fn reach_errors(p: &Problem, travel: &Travel) -> Vec<FieldError> {
    let index = |id: &str| p.depots.iter().position(|d| d.id == id);
    let mut errors = Vec::new();
    for (vi, veh) in p.vehicles.iter().enumerate() {
        // An open tour needs no way back.
        let Some(end_id) = veh.end_id() else {
            continue;
        };
        let (Some(a), Some(b)) = (index(&veh.depot), index(end_id)) else {
            continue; // unknown depots are reported by the validation
        };
        let (drive_s, metres) = (
            travel.duration.get(a, b) / veh.speed_factor,
            travel.distance.get(a, b),
        );
        if veh.max_tour_km.is_some_and(|km| metres > km * 1000.0) {
            errors.push(FieldError::new(
                format!("vehicles[{vi}].max_tour_km"),
                format!(
                    "{:.1} km from `{}` to `{end_id}` is already more than this limit",
                    metres / 1000.0,
                    veh.depot
                ),
            ));
        }
        for (si, shift) in veh.shifts.iter().enumerate() {
            let open = model::usable_shift(
                shift,
                &p.depots[a].opening_hours,
                &p.depots[b].opening_hours,
            );
            let open_s = (open.end - open.start).num_seconds() as f64;
            if open_s > 0.0 && drive_s > open_s {
                errors.push(FieldError::new(
                    format!("vehicles[{vi}].shifts[{si}]"),
                    format!(
                        "the van cannot even drive from `{}` to `{end_id}` in this shift: {:.0} min of driving, {:.0} min while both are open",
                        veh.depot,
                        drive_s / 60.0,
                        open_s / 60.0
                    ),
                ));
            }
        }
    }
    errors
}

/// The same check for the embedded travel model, which needs no server:
/// run with the rest of the validation.
pub fn reach_errors_haversine(p: &Problem) -> Vec<FieldError> {
    if p.routing.engine != model::Engine::Haversine {
        return Vec::new();
    }
    let depots = p.depots.iter().map(|d| d.location).collect();
    reach_errors(p, &Travel::haversine(&p.routing, depots))
}
