//! Travel between places. The embedded model needs no server: great-circle
//! (haversine) distance times a detour factor, and time from an average speed.
//! Urban road distance is typically 1.2–1.4 times the straight line; 1.3 and
//! 30 km/h are the defaults for a metropolis (documented in docs/format.md).

use tournee_solver::Matrix;

use crate::model::{Location, Routing};

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
