//! An organisation's set-up: what a coordinator enters once and reuses week
//! after week — the workshops with their weekly opening hours and stock,
//! the vans with their usual week (and days off), the device catalogue and
//! the travel model. [`Setup::week`] turns it into the problem of one week,
//! without requests; a sheet's requests join it (`sheet`, `tournee import`).
//!
//! A workshop holds a `depot` and a van a `vehicle` of the problem format
//! (docs/format.md), whose dated `opening_hours` and `shifts` are left
//! empty: the weekly `hours` and `week` give them for any week.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate, NaiveTime};
use serde::{Deserialize, Serialize};

use crate::holidays::Calendar;
use crate::input::FieldError;
use crate::model::{self, DeviceType, Interval, Problem};

pub mod donors;
pub use donors::Donor;

pub const FORMAT: &str = "tournee-setup/1";

/// Days of the week and the hours on each: `{"days": ["lun", "mar"],
/// "from": "08:00", "to": "17:00"}`.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct WeeklyHours {
    /// `lun`…`dim` or `mon`…`sun` (full names too).
    pub days: Vec<String>,
    pub from: String,
    pub to: String,
}

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Workshop {
    pub depot: model::Depot,
    /// Opening hours over the week; none: always open.
    #[serde(default)]
    pub hours: Vec<WeeklyHours>,
}

/// A partner site (a recycler, another refurbisher) where vans may drop
/// what a pickup collected (`deliver_to`), with its weekly hours.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct PartnerSite {
    pub partner: model::Partner,
    /// Opening hours over the week; none: always open.
    #[serde(default)]
    pub hours: Vec<WeeklyHours>,
}

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Van {
    pub vehicle: model::Vehicle,
    /// The van's usual week: one shift per listed day.
    pub week: Vec<WeeklyHours>,
    /// Dates without a shift (holidays, servicing).
    #[serde(default)]
    pub days_off: Vec<NaiveDate>,
}

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Setup {
    pub format: String,
    #[serde(default)]
    pub name: String,
    /// Device types; default: the default catalogue (`data/catalogue.csv`).
    #[serde(default = "default_devices")]
    pub devices: BTreeMap<String, DeviceType>,
    pub workshops: Vec<Workshop>,
    pub vans: Vec<Van>,
    /// Partner sites a pickup's devices may be taken to.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub partners: Vec<PartnerSite>,
    /// The donor registry, with each donor's recurring requests.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub donors: Vec<Donor>,
    #[serde(default)]
    pub routing: model::Routing,
    /// Public holidays without shifts or opening hours: `fr` (default),
    /// `fr_alsace_moselle` or `none`.
    #[serde(default, skip_serializing_if = "is_default_calendar")]
    pub public_holidays: Calendar,
}

fn is_default_calendar(c: &Calendar) -> bool {
    *c == Calendar::Fr
}

fn default_devices() -> BTreeMap<String, DeviceType> {
    crate::sheet::Catalogue::default().devices()
}

/// Days after Monday a weekday name means (`lun`, `mardi`, `wed`, …).
fn weekday(s: &str) -> Option<i64> {
    crate::sheet::values::weekday(s).map(i64::from)
}

/// The dated intervals of `hours` in the week of `monday`, day by day.
fn dated(hours: &[WeeklyHours], monday: NaiveDate, off: &[NaiveDate]) -> Vec<Interval> {
    let mut out: Vec<Interval> = hours
        .iter()
        .flat_map(|h| {
            let (from, to) = (clock(&h.from), clock(&h.to));
            h.days.iter().filter_map(move |d| {
                let day = monday + chrono::Duration::days(weekday(d)?);
                Some(Interval {
                    start: day.and_time(from?),
                    end: day.and_time(to?),
                })
            })
        })
        .filter(|i| !off.contains(&i.start.date()))
        .collect();
    out.sort_by_key(|i| i.start);
    out
}

fn clock(s: &str) -> Option<NaiveTime> {
    NaiveTime::parse_from_str(s.trim(), "%H:%M").ok()
}

impl Setup {
    /// The problem of the week that starts on `monday` (any day is moved to
    /// its week's Monday): horizon Monday to Monday, each workshop's hours
    /// and each van's shifts on their days, and the donors' recurring
    /// requests that fall in it (a sheet's requests join them).
    pub fn week(&self, monday: NaiveDate) -> Problem {
        let monday =
            monday - chrono::Duration::days(i64::from(monday.weekday().num_days_from_monday()));
        let start = monday.and_time(NaiveTime::MIN);
        let holidays: Vec<NaiveDate> = (0..7)
            .map(|d| monday + chrono::Duration::days(d))
            .filter(|&d| self.public_holidays.is_holiday(d))
            .collect();
        let off = |days_off: &[NaiveDate]| -> Vec<NaiveDate> {
            holidays.iter().chain(days_off).copied().collect()
        };
        Problem {
            format: model::FORMAT.to_string(),
            name: format!("{} — semaine du {}", self.name, monday.format("%d/%m/%Y")),
            horizon: Interval {
                start,
                end: start + chrono::Duration::days(7),
            },
            routing: self.routing.clone(),
            solver: Default::default(),
            devices: self.devices.clone(),
            depots: self
                .workshops
                .iter()
                .map(|w| {
                    let mut d = w.depot.clone();
                    // (Open as usual: the vans are what stop on a holiday;
                    // a workshop whose only day is one would otherwise
                    // read as open all week.)
                    d.opening_hours = dated(&w.hours, monday, &[]);
                    d
                })
                .collect(),
            vehicles: self
                .vans
                .iter()
                .map(|v| {
                    let mut vehicle = v.vehicle.clone();
                    vehicle.shifts = dated(&v.week, monday, &off(&v.days_off));
                    vehicle
                })
                // A van off all week (its days on holidays or days off)
                // is not in that week's problem.
                .filter(|v| !v.shifts.is_empty())
                .collect(),
            pickups: self
                .donors
                .iter()
                .flat_map(|d| d.week(monday, self.public_holidays))
                .collect(),
            orders: Vec::new(),
            // (Open as usual, like the workshops: the vans are what stop
            // on a holiday.)
            partners: self
                .partners
                .iter()
                .map(|s| {
                    let mut partner = s.partner.clone();
                    partner.opening_hours = dated(&s.hours, monday, &[]);
                    partner
                })
                .collect(),
            stock: None,
            replan: None,
        }
    }

    /// Every mistake, with its path in the set-up: its own rules (weekly
    /// hours), then the problem format's on a week's expansion, with the
    /// problem's paths turned into the set-up's.
    pub fn validate(&self) -> Vec<FieldError> {
        let mut errors = Vec::new();
        if self.format != FORMAT {
            errors.push(FieldError::new(
                "format",
                format!("unsupported format `{}`, expected `{FORMAT}`", self.format),
            ));
        }
        let hours = |at: String, hours: &[WeeklyHours], errors: &mut Vec<FieldError>| {
            for (k, h) in hours.iter().enumerate() {
                let at = format!("{at}[{k}]");
                if h.days.is_empty() {
                    errors.push(FieldError::new(format!("{at}.days"), "at least one day"));
                }
                for (j, d) in h.days.iter().enumerate() {
                    if weekday(d).is_none() {
                        errors.push(FieldError::new(
                            format!("{at}.days[{j}]"),
                            format!("`{d}` is not a day of the week (lun … dim, mon … sun)"),
                        ));
                    }
                }
                match (clock(&h.from), clock(&h.to)) {
                    (Some(a), Some(b)) if a < b => {}
                    (Some(_), Some(_)) => {
                        errors.push(FieldError::new(&at, "`to` must be after `from`"))
                    }
                    _ => errors.push(FieldError::new(&at, "`from` and `to` are times HH:MM")),
                }
            }
        };
        for (i, w) in self.workshops.iter().enumerate() {
            hours(format!("workshops[{i}].hours"), &w.hours, &mut errors);
        }
        for (i, v) in self.vans.iter().enumerate() {
            hours(format!("vans[{i}].week"), &v.week, &mut errors);
        }
        for (i, s) in self.partners.iter().enumerate() {
            hours(format!("partners[{i}].hours"), &s.hours, &mut errors);
        }
        for (i, d) in self.donors.iter().enumerate().take(donors::MAX_DONORS) {
            hours(format!("donors[{i}].hours"), &d.hours, &mut errors);
        }
        if !errors.is_empty() {
            return errors;
        }
        donors::validate(&self.donors, &mut errors);
        // A week without days off or holidays, to check the rest as a
        // problem (every van in it, so that paths map back to `vans[i]`).
        let mut plain = self.clone();
        plain.public_holidays = Calendar::None;
        for v in &mut plain.vans {
            v.days_off.clear();
        }
        // The donors are checked on requests made from them, below; their
        // recurrences are not expanded (their rules may be wrong).
        plain.donors.clear();
        let monday = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap_or_default();
        let mut p = plain.week(monday);
        p.format = model::FORMAT.to_string();
        // The donors' fields, checked as requests made from them.
        let (requests, paths): (Vec<_>, Vec<_>) = donors::requests_to_check(&self.donors, monday)
            .into_iter()
            .unzip();
        p.pickups = requests;
        let checked = crate::input::validate(&p)
            .into_iter()
            .chain(crate::shifts::reach_errors_haversine(&p))
            .filter_map(|e| {
                let field = donor_path(&e.field, &paths).unwrap_or_else(|| setup_path(&e.field));
                // Ids and places are the donors' own rules; a recurrence's
                // request is there for its devices.
                let own = field.starts_with("donors[")
                    && (field.ends_with(".id")
                        || (field.contains(".recurring[") && !field.contains(".devices")));
                (!own).then(|| FieldError::new(field, e.message))
            });
        errors.extend(checked);
        errors
    }
}

/// A request's field path as the donor's it was made from:
/// `pickups[3].devices.laptop` → `donors[1].recurring[0].devices.laptop`,
/// `pickups[0].time_windows[1]` → `donors[0].hours`.
fn donor_path(field: &str, paths: &[String]) -> Option<String> {
    let rest = field.strip_prefix("pickups[")?;
    let (index, tail) = rest.split_once(']')?;
    let to = paths.get(index.parse::<usize>().ok()?)?;
    let tail = tail.strip_prefix('.').unwrap_or(tail);
    Some(match tail {
        "" => to.clone(),
        t if t.starts_with("time_windows") => {
            format!("{}.hours", to.split(".recurring").next().unwrap_or(to))
        }
        t => format!("{to}.{t}"),
    })
}

/// A problem's field path as the set-up's: `vehicles[2].capacity.kg` →
/// `vans[2].vehicle.capacity.kg`, `vehicles[2].shifts[0]` →
/// `vans[2].week`, `depots[0]` → `workshops[0].depot`.
fn setup_path(field: &str) -> String {
    let swap = |prefix: &str, to: &str, inner: &str| -> Option<String> {
        let rest = field.strip_prefix(prefix)?;
        let (index, tail) = rest.split_once(']')?;
        let tail = tail.strip_prefix('.').unwrap_or(tail);
        Some(match tail {
            "" => format!("{to}[{index}]"),
            t if t.starts_with("shifts") => format!("{to}[{index}].week"),
            t if t.starts_with("opening_hours") => format!("{to}[{index}].hours"),
            t => format!("{to}[{index}].{inner}.{t}"),
        })
    };
    swap("vehicles[", "vans", "vehicle")
        .or_else(|| swap("depots[", "workshops", "depot"))
        .or_else(|| swap("partners[", "partners", "partner"))
        .unwrap_or_else(|| field.to_string())
}

/// A van to start from: a preset of `data/vans.csv`.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Preset {
    pub preset: String,
    pub nom: String,
    pub name: String,
    pub capacity: model::Capacity,
    pub energy: model::Energy,
    pub skills: Vec<String>,
    pub source: String,
}

/// The van presets, from the embedded `data/vans.csv`.
pub fn presets() -> Vec<Preset> {
    let text = include_str!("../../data/vans.csv");
    csv::Reader::from_reader(text.as_bytes())
        .records()
        .filter_map(Result::ok)
        .filter_map(|r| {
            let f = |i: usize| r.get(i).unwrap_or("").to_string();
            Some(Preset {
                preset: f(0),
                nom: f(1),
                name: f(2),
                capacity: model::Capacity {
                    kg: f(3).parse().ok()?,
                    m3: f(4).parse().ok()?,
                    units: None,
                },
                energy: serde_json::from_value(serde_json::Value::String(f(5))).ok()?,
                skills: f(6)
                    .split('|')
                    .filter(|s| !s.is_empty())
                    .map(String::from)
                    .collect(),
                source: f(7),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests;
