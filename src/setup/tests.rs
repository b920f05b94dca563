//! The set-up's week: shifts, holidays, partner sites, paths of mistakes.

use super::*;

/// The sample week's workshop and vans as a set-up.
pub fn sample() -> Setup {
    let p: Problem =
        serde_json::from_str(include_str!("../../data/rouen/week.json")).expect("the sample");
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
        donors: Vec::new(),
    }
}

#[test]
fn a_week_of_the_set_up_is_the_sample_weeks_fleet() {
    let p: Problem =
        serde_json::from_str(include_str!("../../data/rouen/week.json")).expect("the sample");
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
    let rows = include_str!("../../data/vans.csv").lines().count() - 1;
    assert_eq!(p.len(), rows, "every preset reads, its energy known");
    let kangoo = p
        .iter()
        .find(|v| v.preset == "kangoo-e-tech")
        .expect("Kangoo");
    assert_eq!((kangoo.capacity.kg, kangoo.capacity.m3), (600.0, 3.3));
    assert_eq!(kangoo.energy, model::Energy::Electric);
}
