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
    /// and each van's shifts on their days, no request.
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
            pickups: Vec::new(),
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
        if !errors.is_empty() {
            return errors;
        }
        // A week without days off or holidays, to check the rest as a
        // problem (every van in it, so that paths map back to `vans[i]`).
        let mut plain = self.clone();
        plain.public_holidays = Calendar::None;
        for v in &mut plain.vans {
            v.days_off.clear();
        }
        let monday = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap_or_default();
        let mut p = plain.week(monday);
        p.format = model::FORMAT.to_string();
        crate::input::validate(&p)
            .into_iter()
            .chain(crate::shifts::reach_errors_haversine(&p))
            .map(|e| FieldError::new(setup_path(&e.field), e.message))
            .collect()
    }
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
    let text = include_str!("../data/vans.csv");
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
mod tests {
    use super::*;

    /// The sample week's workshop and vans as a set-up.
    pub fn sample() -> Setup {
        let p: Problem =
            serde_json::from_str(include_str!("../data/rouen/week.json")).expect("the sample");
        let week = |from: &str, to: &str| WeeklyHours {
            days: ["lun", "mar", "mer", "jeu", "ven"]
                .map(String::from)
                .to_vec(),
            from: from.into(),
            to: to.into(),
        };
        Setup {
            format: FORMAT.into(),
            name: "Métropole Rouen Normandie".into(),
            devices: p.devices.clone(),
            workshops: p
                .depots
                .iter()
                .map(|d| Workshop {
                    depot: model::Depot {
                        opening_hours: Vec::new(),
                        ..d.clone()
                    },
                    hours: vec![week("07:30", "18:00")],
                })
                .collect(),
            vans: p
                .vehicles
                .iter()
                .map(|v| Van {
                    vehicle: model::Vehicle {
                        shifts: Vec::new(),
                        ..v.clone()
                    },
                    week: vec![week(
                        &v.shifts[0].start.format("%H:%M").to_string(),
                        &v.shifts[0].end.format("%H:%M").to_string(),
                    )],
                    days_off: Vec::new(),
                })
                .collect(),
            routing: p.routing.clone(),
            public_holidays: Calendar::Fr,
            partners: Vec::new(),
        }
    }

    #[test]
    fn a_week_of_the_set_up_is_the_sample_weeks_fleet() {
        let p: Problem =
            serde_json::from_str(include_str!("../data/rouen/week.json")).expect("the sample");
        let s = sample();
        assert_eq!(s.validate(), vec![]);
        // Any day of the week gives that week.
        let w = s.week(NaiveDate::from_ymd_opt(2026, 12, 2).expect("date"));
        assert_eq!(
            w.horizon.start.date(),
            NaiveDate::from_ymd_opt(2026, 11, 30).expect("date")
        );
        for (a, b) in w.vehicles.iter().zip(&p.vehicles) {
            assert_eq!(a.shifts, b.shifts, "{}", a.id);
        }
        assert_eq!(w.depots[0].opening_hours, p.depots[0].opening_hours);
        // Days off are left out.
        let mut off = sample();
        off.vans[0].days_off = vec![NaiveDate::from_ymd_opt(2026, 12, 4).expect("date")];
        let w = off.week(NaiveDate::from_ymd_opt(2026, 11, 30).expect("date"));
        assert_eq!(w.vehicles[0].shifts.len(), 4);
    }

    #[test]
    fn no_shift_lands_on_a_public_holiday() {
        // The week of Tuesday 14 July 2026.
        let monday = NaiveDate::from_ymd_opt(2026, 7, 13).expect("date");
        let fourteenth = NaiveDate::from_ymd_opt(2026, 7, 14).expect("date");
        let mut s = sample();
        let usual = |s: &Setup| {
            s.week(monday)
                .vehicles
                .iter()
                .map(|v| {
                    v.shifts
                        .iter()
                        .filter(|i| i.start.date() == fourteenth)
                        .count()
                })
                .sum::<usize>()
        };
        assert_eq!(usual(&s), 0);
        s.public_holidays = Calendar::None;
        assert!(usual(&s) > 0, "the sample's vans work on Tuesdays");
        // A van that only works on Tuesdays is off that week, not a mistake.
        s.public_holidays = Calendar::Fr;
        s.vans[0].week[0].days = vec!["mar".into()];
        let week = s.week(monday);
        assert_eq!(week.vehicles.len(), s.vans.len() - 1);
        assert!(crate::input::validate(&week).is_empty());
        // Whit Monday 2026 (25 May), computed from Easter.
        s.public_holidays = Calendar::Fr;
        let whit = s.week(NaiveDate::from_ymd_opt(2026, 5, 25).expect("date"));
        assert!(whit
            .vehicles
            .iter()
            .flat_map(|v| &v.shifts)
            .all(|i| i.start.date() != NaiveDate::from_ymd_opt(2026, 5, 25).expect("date")));
        // The choice is part of the set-up's format.
        let text = serde_json::to_string(&Setup {
            public_holidays: Calendar::FrAlsaceMoselle,
            ..sample()
        })
        .expect("json");
        assert!(
            text.contains(r#""public_holidays":"fr_alsace_moselle""#),
            "{text}"
        );
    }

    #[test]
    fn a_partner_sites_week_is_dated() {
        let mut s = sample();
        s.partners = vec![PartnerSite {
            partner: serde_json::from_value(serde_json::json!({
                "id": "recycleur", "name": "Recycleur DEEE", "location": [1.04, 49.40]
            }))
            .expect("partner"),
            hours: vec![WeeklyHours {
                days: vec!["mar".into(), "jeu".into()],
                from: "13:00".into(),
                to: "17:00".into(),
            }],
        }];
        let w = s.week(NaiveDate::from_ymd_opt(2026, 11, 30).expect("date"));
        let hours = &w.partners[0].opening_hours;
        let starts: Vec<String> = hours.iter().map(|h| h.start.to_string()).collect();
        assert_eq!(starts, ["2026-12-01 13:00:00", "2026-12-03 13:00:00"]);
        assert_eq!(hours[0].end.to_string(), "2026-12-01 17:00:00");
        assert!(crate::input::validate(&w).is_empty());
    }

    #[test]
    fn mistakes_carry_the_set_ups_paths() {
        let mut s = sample();
        s.vans[1].vehicle.capacity.kg = -1.0;
        s.vans[0].week[0].days.push("someday".into());
        s.workshops[0].hours[0].to = "06:00".into();
        let fields: Vec<String> = s.validate().into_iter().map(|e| e.field).collect();
        assert_eq!(
            fields,
            vec!["workshops[0].hours[0]", "vans[0].week[0].days[5]"]
        );
        s.vans[0].week[0].days.pop();
        s.workshops[0].hours[0].to = "18:00".into();
        let errors = s.validate();
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(errors[0].field, "vans[1].vehicle.capacity.kg");
        assert_eq!(setup_path("vehicles[3].shifts[2]"), "vans[3].week");
        assert_eq!(setup_path("depots[0]"), "workshops[0]");
        assert_eq!(
            setup_path("partners[1].location"),
            "partners[1].partner.location"
        );
    }

    #[test]
    fn presets_are_the_reference_vans() {
        let p = presets();
        let rows = include_str!("../data/vans.csv").lines().count() - 1;
        assert_eq!(p.len(), rows, "every preset reads, its energy known");
        let kangoo = p
            .iter()
            .find(|v| v.preset == "kangoo-e-tech")
            .expect("Kangoo");
        assert_eq!((kangoo.capacity.kg, kangoo.capacity.m3), (600.0, 3.3));
        assert_eq!(kangoo.energy, model::Energy::Electric);
    }
}
