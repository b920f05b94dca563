//! Emission factors and device footprints, with their sources
//! (`data/emission-factors.csv`, `data/device-footprints.csv`, compiled in).
//! The method is written down in docs/emissions.md.

use std::sync::OnceLock;

use serde::Deserialize;

use crate::model::{Energy, Vehicle};

pub const FACTORS_CSV: &str = include_str!("../data/emission-factors.csv");
pub const FOOTPRINTS_CSV: &str = include_str!("../data/device-footprints.csv");

/// kgCO2e per vehicle-km for one energy type (well-to-wheel).
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct Factor {
    pub energy: String,
    pub kgco2e_per_km: f64,
    pub scope: String,
    pub vehicle: String,
    pub derivation: String,
    pub source: String,
    pub year: u32,
}

/// A device type's manufacturing footprint and the share of it a reused
/// device is taken to avoid.
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct Footprint {
    pub device: String,
    pub manufacture_kgco2e: f64,
    pub avoided_share: f64,
    pub footprint_source: String,
    pub share_source: String,
}

fn rows<T: for<'de> Deserialize<'de>>(text: &str) -> Vec<T> {
    csv::Reader::from_reader(text.as_bytes())
        .deserialize()
        .filter_map(Result::ok)
        .collect()
}

/// The factors table, parsed once.
pub fn factors() -> &'static [Factor] {
    static TABLE: OnceLock<Vec<Factor>> = OnceLock::new();
    TABLE.get_or_init(|| rows(FACTORS_CSV))
}

/// The footprints table, parsed once.
pub fn footprints() -> &'static [Footprint] {
    static TABLE: OnceLock<Vec<Footprint>> = OnceLock::new();
    TABLE.get_or_init(|| rows(FOOTPRINTS_CSV))
}

/// The factor of an energy type (0 if the table lacks it, which a test
/// rules out).
pub fn energy_factor(energy: Energy) -> f64 {
    factors()
        .iter()
        .find(|f| f.energy == energy.key())
        .map_or(0.0, |f| f.kgco2e_per_km)
}

/// The vehicle's own figure when given, else its energy's.
pub fn factor(v: &Vehicle) -> f64 {
    v.co2e_kg_per_km.unwrap_or_else(|| energy_factor(v.energy))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_energy_type_has_a_sourced_factor() {
        for e in [
            Energy::Diesel,
            Energy::Petrol,
            Energy::Electric,
            Energy::Diesel35t,
            Energy::SmallTruck,
            Energy::CargoBike,
        ] {
            let f = factors();
            let row = f.iter().find(|f| f.energy == e.key());
            let row = row.unwrap_or_else(|| panic!("no factor for {}", e.key()));
            assert!(row.kgco2e_per_km > 0.0 && !row.source.is_empty());
            assert!(row.scope.starts_with("well-to-wheel"));
        }
        assert_eq!(energy_factor(Energy::Diesel), 0.23639);
    }

    #[test]
    fn footprints_are_complete() {
        let f = footprints();
        assert_eq!(f.len(), 6);
        assert!(f
            .iter()
            .all(|d| d.manufacture_kgco2e > 0.0 && (0.0..=1.0).contains(&d.avoided_share)));
    }
}
