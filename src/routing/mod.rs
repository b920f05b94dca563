//! Travel between places. The embedded model needs no server: great-circle
//! (haversine) distance times a detour factor, and time from an average speed.
//! Urban road distance is typically 1.2–1.4 times the straight line; 1.3 and
//! 30 km/h are the defaults for a metropolis (documented in docs/format.md).
//! With `engine: osrm`, road distances and times come from an OSRM server.

mod cache;
pub mod osrm;

use std::collections::HashMap;
use std::path::Path;

use futures_util::StreamExt;
use tournee_solver::Matrix;

use crate::plan::Plan;

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

/// The places of a problem, in the order [`Travel`] numbers them: depots,
/// pickups, orders, partner sites.
pub fn places(p: &model::Problem) -> Vec<Location> {
    p.depots
        .iter()
        .map(|d| d.location)
        .chain(p.pickups.iter().map(|r| r.location))
        .chain(p.orders.iter().map(|r| r.location))
        .chain(p.partners.iter().map(|s| s.location))
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

/// The travel figures for a problem, by its routing settings. Road
/// matrices are kept in `cache` (a folder) when given, so that planning the
/// same places again asks the server nothing.
pub async fn travel(p: &model::Problem, cache: Option<&Path>) -> Result<Travel, RoutingError> {
    let places = places(p);
    let settings = match (&p.routing.engine, &p.routing.osrm) {
        (Engine::Osrm, Some(s)) => s,
        _ => return Ok(Travel::haversine(&p.routing, places)),
    };
    let cached = cache.map(|dir| cache::Entry::new(dir, settings, &places));
    let hit = cached.as_ref().and_then(cache::Entry::read);
    let table = match (hit, osrm::Osrm::new(settings)) {
        (Some(table), _) => Ok(table),
        (None, Ok(client)) => client.table(&places).await,
        (None, Err(e)) => Err(e),
    };
    if let (Ok(table), Some(entry)) = (&table, &cached) {
        if let Err(e) = entry.write(table) {
            tracing::warn!("matrix cache: {e}");
        }
    }
    let table = match table {
        Ok(t) => t,
        Err(e @ osrm::OsrmError::Unreachable(_)) if settings.fallback == Fallback::Haversine => {
            // The plan says which server failed by its name; its address
            // and answer stay in the log.
            tracing::warn!("road server unreachable, haversine used instead: {e}");
            let mut t = Travel::haversine(&p.routing, places);
            let name = if settings.server.is_empty() {
                settings.url.as_str()
            } else {
                settings.server.as_str()
            };
            t.description = format!(
                "{} (fallback: road server {name} unreachable)",
                t.description
            );
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
        if settings.server.is_empty() {
            format!("OSRM {} at {}", settings.profile, settings.url)
        } else {
            format!("OSRM {} ({})", settings.profile, settings.server)
        },
    );
    travel.unroutable = unroutable;
    Ok(travel)
}

/// With `engine: osrm`, replaces each tour's straight lines by its road path
/// from the server's `route` service. A tour whose route cannot be had keeps
/// its straight lines; the first such error is returned, to be reported.
pub async fn road_geometry(p: &model::Problem, plan: &mut Plan) -> Result<(), osrm::OsrmError> {
    let Some(settings) = p
        .routing
        .osrm
        .as_ref()
        .filter(|_| p.routing.engine == Engine::Osrm)
    else {
        return Ok(());
    };
    let client = osrm::Osrm::new(settings)?;
    let paths: Vec<Vec<Location>> = plan
        .tours
        .iter()
        .map(|t| {
            crate::geometry::tour_path(
                p,
                &t.depot,
                &t.end_depot,
                t.stops.iter().map(|s| s.location),
            )
        })
        .collect();
    let client = &client;
    let routes: Vec<_> = futures_util::stream::iter(paths)
        .map(|path| async move { client.route(&path).await })
        .buffered(settings.concurrency.max(1))
        .collect()
        .await;
    let mut first_error = None;
    for (tour, route) in plan.tours.iter_mut().zip(routes) {
        match route {
            Ok(r) if !r.polyline.is_empty() => {
                tour.geometry = crate::plan::Geometry {
                    source: "road".into(),
                    polyline: r.polyline,
                }
            }
            Ok(_) => {}
            Err(e) => {
                first_error.get_or_insert(e);
            }
        }
    }
    first_error.map_or(Ok(()), Err)
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

    /// Distance (m) and duration (s) matrices over `places`. Great-circle
    /// distance is symmetric, so each pair is computed once, with each
    /// place's latitude cosine computed once too.
    pub fn matrices(&self, places: &[Location]) -> (Matrix, Matrix) {
        let n = places.len();
        let rad: Vec<(f64, f64, f64)> = places
            .iter()
            .map(|p| {
                (
                    p[0].to_radians(),
                    p[1].to_radians(),
                    p[1].to_radians().cos(),
                )
            })
            .collect();
        let mut d = vec![0.0; n * n];
        for i in 0..n {
            let (l1, p1, c1) = rad[i];
            for j in i + 1..n {
                let (l2, p2, c2) = rad[j];
                let h = ((p2 - p1) / 2.0).sin().powi(2) + c1 * c2 * ((l2 - l1) / 2.0).sin().powi(2);
                let m = 2.0 * EARTH_RADIUS_M * h.sqrt().min(1.0).asin() * self.detour_factor;
                d[i * n + j] = m;
                d[j * n + i] = m;
            }
        }
        let per_s = self.speed_kmh / 3.6;
        let t: Vec<f64> = d.iter().map(|m| m / per_s).collect();
        let square = "n × n entries by construction";
        (
            Matrix::from_data(n, d).expect(square),
            Matrix::from_data(n, t).expect(square),
        )
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
    fn matrices_agree_with_the_pairwise_formula() {
        let m = TravelModel {
            detour_factor: 1.3,
            speed_kmh: 30.0,
        };
        let places = [[1.0993, 49.4431], [1.0625, 49.4240], [1.1508, 49.4447]];
        let (d, t) = m.matrices(&places);
        for i in 0..3 {
            for j in 0..3 {
                let want = m.distance_m(places[i], places[j]);
                assert!((d.get(i, j) - want).abs() < 1e-6, "{i}→{j}");
                assert!((t.get(i, j) - m.duration_s(places[i], places[j])).abs() < 1e-6);
            }
        }
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
