//! Travel between places. The embedded model needs no server: great-circle
//! (haversine) distance times a detour factor, and time from an average speed.
//! Urban road distance is typically 1.2–1.4 times the straight line; 1.3 and
//! 30 km/h are the defaults for a metropolis (documented in docs/format.md).
//! With `engine: osrm`, road distances and times come from an OSRM server.

pub mod osrm;

use std::collections::HashMap;

use tournee_solver::Matrix;

use crate::model::{self, Engine, Fallback, Location, Routing};

/// A leg the road server found no route for: long enough never to fit a
/// shift, finite so the solver's arithmetic stays sound.
const NO_ROUTE_M: f64 = 1e7;
const NO_ROUTE_S: f64 = 1e7;

/// Distances (m) and durations (s) between a problem's places: its depots,
/// then one place per pickup, then one per order.
#[derive(Clone, Debug)]
pub struct Travel {
    pub places: Vec<Location>,
    pub distance: Matrix,
    pub duration: Matrix,
    /// Places no road reaches, by index, with the reason.
    pub unroutable: Vec<(usize, String)>,
    /// How the figures were obtained, for the plan.
    pub description: String,
    index: HashMap<(u64, u64), usize>,
}

impl Travel {
    fn new(places: Vec<Location>, distance: Matrix, duration: Matrix, description: String) -> Self {
        let mut index = HashMap::new();
        for (i, p) in places.iter().enumerate() {
            index.entry((p[0].to_bits(), p[1].to_bits())).or_insert(i);
        }
        Travel {
            places,
            distance,
            duration,
            unroutable: Vec::new(),
            description,
            index,
        }
    }

    /// The haversine model over `places`.
    pub fn haversine(routing: &Routing, places: Vec<Location>) -> Self {
        let model = TravelModel::new(routing);
        let (d, t) = model.matrices(&places);
        Travel::new(places, d, t, model.describe())
    }

    /// Index of a place given by its coordinates.
    pub fn index_of(&self, p: Location) -> Option<usize> {
        self.index.get(&(p[0].to_bits(), p[1].to_bits())).copied()
    }

    /// Distance in metres between two of the places (NaN for a place not
    /// among them, which fails any comparison made with it).
    pub fn distance_m(&self, a: Location, b: Location) -> f64 {
        match (self.index_of(a), self.index_of(b)) {
            (Some(i), Some(j)) => self.distance.get(i, j),
            _ => f64::NAN,
        }
    }

    /// Driving time in seconds between two of the places (before a
    /// vehicle's speed factor).
    pub fn duration_s(&self, a: Location, b: Location) -> f64 {
        match (self.index_of(a), self.index_of(b)) {
            (Some(i), Some(j)) => self.duration.get(i, j),
            _ => f64::NAN,
        }
    }
}

/// The places of a problem, in the order [`Travel`] numbers them.
pub fn places(p: &model::Problem) -> Vec<Location> {
    p.depots
        .iter()
        .map(|d| d.location)
        .chain(p.pickups.iter().map(|r| r.location))
        .chain(p.orders.iter().map(|r| r.location))
        .collect()
}

/// Why no travel figures could be had.
#[derive(Debug, Clone, PartialEq)]
pub enum RoutingError {
    Osrm(osrm::OsrmError),
    /// A depot is off the road network: nothing can be planned.
    DepotUnroutable {
        depot: String,
        why: String,
    },
}

impl std::fmt::Display for RoutingError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RoutingError::Osrm(e) => e.fmt(f),
            RoutingError::DepotUnroutable { depot, why } => {
                write!(f, "depot `{depot}` cannot be routed: {why}")
            }
        }
    }
}

/// The travel figures for a problem, by its routing settings.
pub async fn travel(p: &model::Problem) -> Result<Travel, RoutingError> {
    let places = places(p);
    let settings = match (&p.routing.engine, &p.routing.osrm) {
        (Engine::Osrm, Some(s)) => s,
        _ => return Ok(Travel::haversine(&p.routing, places)),
    };
    let table = match osrm::Osrm::new(settings) {
        Ok(client) => client.table(&places).await,
        Err(e) => Err(e),
    };
    let table = match table {
        Ok(t) => t,
        Err(e @ osrm::OsrmError::Unreachable(_)) if settings.fallback == Fallback::Haversine => {
            let mut t = Travel::haversine(&p.routing, places);
            t.description = format!("{} (fallback: {e})", t.description);
            return Ok(t);
        }
        Err(e) => return Err(RoutingError::Osrm(e)),
    };
    let travel = from_table(p, settings, places, table)?;
    Ok(travel)
}

/// Matrices from an OSRM table; places too far from a road, or that no
/// depot can reach or be reached from, are marked unroutable.
fn from_table(
    p: &model::Problem,
    settings: &model::OsrmSettings,
    places: Vec<Location>,
    table: osrm::Table,
) -> Result<Travel, RoutingError> {
    let n = places.len();
    let depots = p.depots.len();
    let mut unroutable = Vec::new();
    for i in 0..n {
        let snapped = table.snapped_m[i];
        let why = if snapped > settings.max_snap_m {
            Some(format!(
                "{snapped:.0} m from the nearest road (more than {} m)",
                settings.max_snap_m
            ))
        } else if (0..depots)
            .any(|d| table.durations[d][i].is_none() || table.durations[i][d].is_none())
        {
            Some("no road route to or from the depot".to_string())
        } else {
            None
        };
        if let Some(why) = why {
            if i < depots {
                return Err(RoutingError::DepotUnroutable {
                    depot: p.depots[i].id.clone(),
                    why,
                });
            }
            unroutable.push((i, why));
        }
    }
    let d = Matrix::from_fn(n, |i, j| table.distances[i][j].unwrap_or(NO_ROUTE_M));
    let t = Matrix::from_fn(n, |i, j| table.durations[i][j].unwrap_or(NO_ROUTE_S));
    let mut travel = Travel::new(
        places,
        d,
        t,
        format!("OSRM {} at {}", settings.profile, settings.url),
    );
    travel.unroutable = unroutable;
    Ok(travel)
}

/// Runs `future` to completion from synchronous code (the CLI).
pub fn block_on<F: std::future::Future>(future: F) -> Result<F::Output, String> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the I/O runtime: {e}"))?;
    Ok(rt.block_on(future))
}

/// Mean Earth radius (IUGG), in metres.
const EARTH_RADIUS_M: f64 = 6_371_008.8;

/// Great-circle distance in metres between two (longitude, latitude) points.
pub fn haversine_m([lon1, lat1]: Location, [lon2, lat2]: Location) -> f64 {
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dp = p2 - p1;
    let dl = (lon2 - lon1).to_radians();
    let h = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_M * h.sqrt().min(1.0).asin()
}

/// The travel model a plan was made with.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TravelModel {
    pub detour_factor: f64,
    pub speed_kmh: f64,
}

impl TravelModel {
    pub fn new(r: &Routing) -> Self {
        TravelModel {
            detour_factor: r.detour_factor,
            speed_kmh: r.speed_kmh,
        }
    }

    /// Road distance estimate in metres.
    pub fn distance_m(&self, a: Location, b: Location) -> f64 {
        haversine_m(a, b) * self.detour_factor
    }

    /// Driving time in seconds at the average speed (before a vehicle's
    /// speed factor).
    pub fn duration_s(&self, a: Location, b: Location) -> f64 {
        self.distance_m(a, b) / (self.speed_kmh / 3.6)
    }

    /// Distance (m) and duration (s) matrices over `places`.
    pub fn matrices(&self, places: &[Location]) -> (Matrix, Matrix) {
        let n = places.len();
        let d = Matrix::from_fn(n, |i, j| self.distance_m(places[i], places[j]));
        let t = Matrix::from_fn(n, |i, j| d.get(i, j) / (self.speed_kmh / 3.6));
        (d, t)
    }

    pub fn describe(&self) -> String {
        format!(
            "haversine × {} at {} km/h",
            self.detour_factor, self.speed_kmh
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn haversine_matches_a_known_distance() {
        // Rouen town hall to Le Petit-Quevilly town hall: about 2.6 km.
        let d = haversine_m([1.0993, 49.4431], [1.0625, 49.4240]);
        assert!((2_000.0..3_500.0).contains(&d), "{d}");
        // One degree of latitude is about 111.2 km.
        let deg = haversine_m([0.0, 0.0], [0.0, 1.0]);
        assert!((deg - 111_195.0).abs() < 10.0, "{deg}");
        assert_eq!(haversine_m([1.0, 49.0], [1.0, 49.0]), 0.0);
    }

    #[test]
    fn time_follows_speed_and_detour() {
        let m = TravelModel {
            detour_factor: 1.5,
            speed_kmh: 36.0,
        };
        let (a, b) = ([0.0, 0.0], [0.0, 1.0]);
        let d = m.distance_m(a, b);
        assert!((d - 1.5 * haversine_m(a, b)).abs() < 1e-6);
        assert!((m.duration_s(a, b) - d / 10.0).abs() < 1e-6);
    }
}
