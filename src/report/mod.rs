//! The managers' report of a plan (or of several): transport CO2e per tour,
//! vehicle and day; CO2e avoided by reusing the devices collected; the
//! baseline of one round trip per request, and the saving. Every figure is
//! recomputed from the plan's kilometres and the factors in `data/`, as
//! docs/emissions.md explains, so that it can be redone by hand.

use std::collections::BTreeMap;

use chrono::Datelike;
use serde::Serialize;

mod driven;
mod render;

pub use render::{csv, quote, text};

use crate::emissions;
use crate::model::Energy;
use crate::plan::{Plan, StopKind};

#[derive(Clone, Debug, Default, Serialize, PartialEq)]
pub struct Figure {
    pub km: f64,
    pub co2e_kg: f64,
}

impl Figure {
    fn add(&mut self, km: f64, factor: f64) {
        self.km += km;
        self.co2e_kg += km * factor;
    }
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct TourLine {
    pub tour: String,
    pub vehicle: String,
    pub day: String,
    pub energy: String,
    pub km: f64,
    pub kgco2e_per_km: f64,
    pub co2e_kg: f64,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct DeviceLine {
    pub device: String,
    pub collected: u64,
    pub manufacture_kgco2e: f64,
    pub avoided_share: f64,
    pub avoided_kg: f64,
}

#[derive(Clone, Debug, Default, Serialize, PartialEq)]
pub struct Avoided {
    pub devices: Vec<DeviceLine>,
    /// Share of the collected devices that are refurbished and reused.
    pub reuse_rate: f64,
    pub co2e_kg: f64,
    /// Device types without a footprint in `data/device-footprints.csv`
    /// (counted as avoiding nothing).
    pub unknown: Vec<String>,
}

#[derive(Clone, Debug, Default, Serialize, PartialEq)]
pub struct Report {
    pub plans: Vec<String>,
    pub tours: Vec<TourLine>,
    pub by_vehicle: BTreeMap<String, Figure>,
    pub by_day: BTreeMap<String, Figure>,
    /// ISO weeks (`2026-W49`) and months (`2026-11`).
    pub by_week: BTreeMap<String, Figure>,
    pub by_month: BTreeMap<String, Figure>,
    pub transport: Figure,
    /// One round trip per request, priced with the reference vehicle's
    /// factor (the same for every plan, so weeks and plans compare).
    pub baseline: Figure,
    /// The reference vehicle's energy (`diesel` unless set) and factor.
    pub baseline_energy: String,
    pub baseline_kgco2e_per_km: f64,
    /// Baseline minus transport.
    pub saving: Figure,
    pub saving_pct: f64,
    pub avoided: Avoided,
    /// Avoided minus transport emissions.
    pub net_avoided_kg: f64,
    /// Planned against done.
    pub done: Done,
    /// By commune (INSEE code; `hors-territoire` outside the table), by
    /// group of communes (the EPCI), by donor (pickup request), by month.
    pub by_commune: BTreeMap<String, Territory>,
    pub by_group: BTreeMap<String, Territory>,
    pub by_donor: BTreeMap<String, Territory>,
    pub by_month_done: BTreeMap<String, Territory>,
    /// By organisation of the server (a period report read from the store:
    /// a network key sees each refurbisher of the network side by side).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub by_organisation: BTreeMap<String, Territory>,
    pub method: String,
}

/// What the report needs of one tour: small, so that a stored plan keeps
/// one per tour and a period report reads these rows, not whole plans.
#[derive(Clone, Debug, Default, Serialize, serde::Deserialize, PartialEq)]
pub struct TourFigures {
    pub plan: String,
    pub tour: String,
    pub vehicle: String,
    pub day: String,
    pub energy: String,
    pub km: f64,
    pub kgco2e_per_km: f64,
    /// Kilometres of one round trip per stop (the baseline).
    pub baseline_km: f64,
    /// Devices collected, per type (as planned).
    pub collected: BTreeMap<String, u64>,
    /// Each stop in order: whether it collects or delivers, and what.
    #[serde(default)]
    pub stops: Vec<StopFigures>,
    /// What the drivers reported, by stop number (from 1); filled when
    /// the report is made, not stored.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub reported: BTreeMap<usize, Reported>,
    /// The organisation whose plan it is; filled by the store, not stored.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub organisation: String,
}

/// A stop as the report counts it.
#[derive(Clone, Debug, Default, Serialize, serde::Deserialize, PartialEq)]
pub struct StopFigures {
    /// `pickup`, `delivery` or `reload`.
    pub kind: String,
    pub devices: BTreeMap<String, u32>,
    /// The request, and its commune (INSEE code and name; empty outside
    /// the communes' table).
    #[serde(default)]
    pub request: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub insee: String,
    #[serde(default)]
    pub commune: String,
    /// Kilometres driven to reach it, and their CO2e.
    #[serde(default)]
    pub km: f64,
    #[serde(default)]
    pub co2e_kg: f64,
    /// Where it is (longitude, latitude; none in figures stored before).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<[f64; 2]>,
    /// One round trip from the workshop to it and back, by road.
    #[serde(default)]
    pub baseline_km: f64,
}

/// A territory's figures: a commune's, the group's, a donor's.
#[derive(Clone, Debug, Default, Serialize, PartialEq)]
pub struct Territory {
    pub name: String,
    pub stops: usize,
    pub devices_collected: u64,
    pub devices_delivered: u64,
    /// Kilometres driven to reach its stops, and their CO2e.
    pub km: f64,
    pub co2e_kg: f64,
}

/// A driver's report of a stop, as the report counts it.
#[derive(Clone, Debug, Default, Serialize, serde::Deserialize, PartialEq)]
pub struct Reported {
    pub done: bool,
    /// The devices actually collected or delivered (none: as planned).
    pub devices: Option<BTreeMap<String, u32>>,
    /// When the driver was there (arrival, else departure, else the
    /// report's time), as the phone sent it: the order the stops were
    /// driven in.
    pub at: Option<String>,
}

/// Planned against done: what the drivers reported, and what the
/// figures that follow from it count.
#[derive(Clone, Debug, Default, Serialize, PartialEq)]
pub struct Done {
    pub stops: usize,
    pub stops_reported: usize,
    pub stops_failed: usize,
    pub devices_collected_planned: u64,
    /// Reported where a driver did (a failed stop collects nothing), as
    /// planned elsewhere; the avoided manufacture counts these.
    pub devices_collected: u64,
    pub devices_delivered_planned: u64,
    pub devices_delivered: u64,
    /// Kilometres planned, and driven: in the order the drivers reported
    /// their stops where they did ([`driven::km`]), as planned elsewhere;
    /// with their CO2e.
    pub km_planned: f64,
    pub km: f64,
    pub co2e_kg_planned: f64,
    pub co2e_kg: f64,
}

/// One [`TourFigures`] per tour of `plan`.
pub fn figures(plan: &Plan) -> Vec<TourFigures> {
    plan.tours
        .iter()
        .map(|t| {
            let mut collected: BTreeMap<String, u64> = BTreeMap::new();
            for s in t.stops.iter().filter(|s| s.kind == StopKind::Pickup) {
                for (device, n) in &s.devices {
                    *collected.entry(device.clone()).or_default() += u64::from(*n);
                }
            }
            TourFigures {
                plan: plan.name.clone(),
                tour: t.id.clone(),
                vehicle: t.vehicle.clone(),
                day: t.day.clone(),
                energy: t.energy.clone(),
                km: t.distance_km,
                kgco2e_per_km: t.co2e_kg_per_km,
                baseline_km: t.stops.iter().map(|s| s.baseline_km).sum(),
                collected,
                stops: t
                    .stops
                    .iter()
                    .map(|s| StopFigures {
                        kind: s.kind.as_str().to_string(),
                        devices: s.devices.clone(),
                        request: s.job.clone(),
                        name: s.name.clone(),
                        insee: s.insee.clone().unwrap_or_default(),
                        commune: s.commune.clone(),
                        km: s.travel_km,
                        co2e_kg: s.co2e_kg,
                        location: Some(s.location),
                        baseline_km: s.baseline_km,
                    })
                    .collect(),
                reported: BTreeMap::new(),
                organisation: String::new(),
            }
        })
        .collect()
}

/// Puts the drivers' reports of a tour (stop number, report) into its
/// figures.
pub fn join_reports(t: &mut TourFigures, reports: impl IntoIterator<Item = (usize, Reported)>) {
    t.reported.extend(reports);
}

/// Adds tour `t`'s stops to `done` and what it actually collected to
/// `collected`: a stop reported done counts what its driver counted (as
/// planned if they gave no count), a failed one nothing, one not reported
/// what was planned.
fn count_done(t: &TourFigures, done: &mut Done, collected: &mut BTreeMap<String, u64>) {
    let sum = |d: &BTreeMap<String, u32>| d.values().map(|&n| u64::from(n)).sum::<u64>();
    if t.stops.is_empty() {
        // A tour stored before stops were kept: as planned.
        let n: u64 = t.collected.values().sum();
        done.devices_collected_planned += n;
        done.devices_collected += n;
        for (device, n) in &t.collected {
            *collected.entry(device.clone()).or_default() += n;
        }
        return;
    }
    for (k, s) in t.stops.iter().enumerate() {
        if s.kind == "reload" {
            continue;
        }
        done.stops += 1;
        let got = moved(t, k, s);
        if let Some(r) = t.reported.get(&(k + 1)) {
            done.stops_reported += 1;
            done.stops_failed += usize::from(!r.done);
        }
        if s.kind == "pickup" {
            done.devices_collected_planned += sum(&s.devices);
            done.devices_collected += sum(&got);
            for (device, n) in got {
                *collected.entry(device).or_default() += u64::from(n);
            }
        } else {
            done.devices_delivered_planned += sum(&s.devices);
            done.devices_delivered += sum(&got);
        }
    }
}

/// What a stop actually moved: as reported, nothing when it failed, as
/// planned when not reported.
fn moved(t: &TourFigures, k: usize, s: &StopFigures) -> BTreeMap<String, u32> {
    match t.reported.get(&(k + 1)) {
        Some(r) if !r.done => BTreeMap::new(),
        Some(r) => r.devices.clone().unwrap_or_else(|| s.devices.clone()),
        None => s.devices.clone(),
    }
}

/// Adds tour `t`'s stops to its communes, group, donors and month.
fn count_territories(t: &TourFigures, r: &mut Report) {
    let month = t.day.get(..7).unwrap_or("").to_string();
    for (k, s) in t.stops.iter().enumerate() {
        if s.kind == "reload" {
            continue;
        }
        let n: u64 = moved(t, k, s).values().map(|&n| u64::from(n)).sum();
        let pickup = s.kind == "pickup";
        let add = |e: &mut Territory, name: &str| {
            if e.name.is_empty() {
                e.name = name.to_string();
            }
            e.stops += 1;
            if pickup {
                e.devices_collected += n;
            } else {
                e.devices_delivered += n;
            }
            e.km += s.km;
            e.co2e_kg += s.co2e_kg;
        };
        let (code, group) = match s.insee.as_str() {
            "" => ("hors-territoire", "hors territoire"),
            code if crate::communes::by_code(code).is_some() => (code, crate::communes::GROUP),
            code => (code, "hors territoire"),
        };
        let commune = if s.commune.is_empty() {
            code
        } else {
            &s.commune
        };
        add(r.by_commune.entry(code.to_string()).or_default(), commune);
        add(r.by_group.entry(group.to_string()).or_default(), group);
        add(r.by_month_done.entry(month.clone()).or_default(), &month);
        if pickup {
            add(r.by_donor.entry(s.request.clone()).or_default(), &s.name);
        }
        if !t.organisation.is_empty() {
            // Stops and devices here; the tour's whole km below.
            let e = r.by_organisation.entry(t.organisation.clone()).or_default();
            e.name.clone_from(&t.organisation);
            e.stops += 1;
            if pickup {
                e.devices_collected += n;
            } else {
                e.devices_delivered += n;
            }
        }
    }
}

/// The vehicle the baseline is priced with unless the caller names one:
/// the light diesel van of the emission factors.
pub const REFERENCE: Energy = Energy::Diesel;

/// `diesel`, `electric`, … (the problem format's energies), for a setting.
pub fn energy(s: &str) -> Result<Energy, String> {
    serde_json::from_value(serde_json::Value::String(s.to_string())).map_err(|_| {
        format!("`{s}` is not an energy: diesel, petrol, electric, diesel_3_5t, small_truck or cargo_bike")
    })
}

/// The report of the tours of `plans` for which `keep(day)` holds, the
/// baseline priced with `reference`.
pub fn report(
    plans: &[&Plan],
    reuse_rate: f64,
    reference: Energy,
    keep: impl Fn(&str) -> bool,
) -> Report {
    let mut r = of_tours(
        plans
            .iter()
            .flat_map(|p| figures(p))
            .filter(|t| keep(&t.day)),
        reuse_rate,
        reference,
    );
    r.plans = plans.iter().map(|p| p.name.clone()).collect();
    r
}

/// The report of these tours; `plans` lists their plans' names, once each.
pub fn of_tours(
    tours: impl IntoIterator<Item = TourFigures>,
    reuse_rate: f64,
    reference: Energy,
) -> Report {
    let reference_factor = emissions::energy_factor(reference);
    let mut r = Report {
        method: "docs/emissions.md: km × kgCO2e/km (well-to-wheel); baseline = one round trip per request × the reference vehicle's kgCO2e/km; avoided = devices collected × manufacture × avoided share × reuse rate".into(),
        baseline_energy: reference.key().to_string(),
        baseline_kgco2e_per_km: reference_factor,
        ..Report::default()
    };
    let mut collected: BTreeMap<String, u64> = BTreeMap::new();
    for t in tours {
        if !r.plans.contains(&t.plan) {
            r.plans.push(t.plan.clone());
        }
        let f = t.kgco2e_per_km;
        r.transport.add(t.km, f);
        r.by_vehicle
            .entry(t.vehicle.clone())
            .or_default()
            .add(t.km, f);
        r.by_day.entry(t.day.clone()).or_default().add(t.km, f);
        if let Ok(date) = chrono::NaiveDate::parse_from_str(&t.day, "%Y-%m-%d") {
            let week = date.iso_week();
            r.by_week
                .entry(format!("{}-W{:02}", week.year(), week.week()))
                .or_default()
                .add(t.km, f);
            r.by_month
                .entry(date.format("%Y-%m").to_string())
                .or_default()
                .add(t.km, f);
        }
        r.baseline.add(t.baseline_km, reference_factor);
        count_done(&t, &mut r.done, &mut collected);
        let driven = driven::km(&t).unwrap_or(t.km);
        r.done.km_planned += t.km;
        r.done.km += driven;
        r.done.co2e_kg_planned += t.km * f;
        r.done.co2e_kg += driven * f;
        count_territories(&t, &mut r);
        if let Some(e) = r.by_organisation.get_mut(&t.organisation) {
            e.km += t.km;
            e.co2e_kg += t.km * f;
        }
        r.tours.push(TourLine {
            tour: t.tour,
            vehicle: t.vehicle,
            day: t.day,
            energy: t.energy,
            km: t.km,
            kgco2e_per_km: f,
            co2e_kg: t.km * f,
        });
    }
    let footprints = emissions::footprints();
    r.avoided.reuse_rate = reuse_rate;
    for (device, n) in collected {
        match footprints.iter().find(|f| f.device == device) {
            Some(f) => {
                let avoided = n as f64 * f.manufacture_kgco2e * f.avoided_share * reuse_rate;
                r.avoided.co2e_kg += avoided;
                r.avoided.devices.push(DeviceLine {
                    device,
                    collected: n,
                    manufacture_kgco2e: f.manufacture_kgco2e,
                    avoided_share: f.avoided_share,
                    avoided_kg: avoided,
                });
            }
            None => r.avoided.unknown.push(device),
        }
    }
    r.saving = Figure {
        km: r.baseline.km - r.transport.km,
        co2e_kg: r.baseline.co2e_kg - r.transport.co2e_kg,
    };
    r.saving_pct = if r.baseline.co2e_kg > 0.0 {
        100.0 * r.saving.co2e_kg / r.baseline.co2e_kg
    } else {
        0.0
    };
    r.net_avoided_kg = r.avoided.co2e_kg - r.transport.co2e_kg;
    r
}
