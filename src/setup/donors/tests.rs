use super::*;
use crate::setup::tests::sample;

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
}

/// The town hall of Elbeuf, open Monday to Friday 9:00–12:00 and
/// 14:00–17:00, usually giving five laptops.
fn mairie() -> Donor {
    serde_json::from_value(serde_json::json!({
        "id": "mairie-elbeuf",
        "name": "Mairie d'Elbeuf",
        "address": "Place Aristide Briand, 76500 Elbeuf",
        "location": [1.0094, 49.2867],
        "contact": {"name": "Service informatique", "phone": "02 32 96 90 00"},
        "hours": [{"days": ["lun", "mar", "mer", "jeu", "ven"], "from": "09:00", "to": "12:00"},
                  {"days": ["lun", "mar", "mer", "jeu", "ven"], "from": "14:00", "to": "17:00"}],
        "devices": {"laptop": 5},
        "notes": "Quai de livraison à l'arrière"
    }))
    .expect("donor")
}

fn every(rule: serde_json::Value) -> Recurrence {
    serde_json::from_value(rule).expect("recurrence")
}

/// The days of `donor`'s requests in the weeks of these Mondays.
fn days(donor: &Donor, mondays: &[&str]) -> Vec<String> {
    mondays
        .iter()
        .flat_map(|m| donor.week(date(m), Calendar::Fr))
        .map(|r| r.id)
        .collect()
}

#[test]
fn a_request_every_other_tuesday_comes_in_its_weeks_in_the_donors_hours() {
    let mut d = mairie();
    d.recurring = vec![every(serde_json::json!({
        "every": "week", "interval": 2, "days": ["mar"], "from": "2026-11-30"
    }))];
    assert_eq!(
        days(&d, &["2026-11-30", "2026-12-07", "2026-12-14"]),
        ["mairie-elbeuf-2026-12-01", "mairie-elbeuf-2026-12-15"]
    );
    let r = &d.week(date("2026-11-30"), Calendar::Fr)[0];
    let windows: Vec<String> = r
        .time_windows
        .iter()
        .map(|w| format!("{}–{}", w.start, w.end.time()))
        .collect();
    assert_eq!(
        windows,
        [
            "2026-12-01 09:00:00–12:00:00",
            "2026-12-01 14:00:00–17:00:00"
        ]
    );
    assert_eq!(r.devices, BTreeMap::from([("laptop".to_string(), 5)]));
    assert_eq!(
        (r.name.as_str(), r.location),
        ("Mairie d'Elbeuf", [1.0094, 49.2867])
    );
    assert_eq!(r.contact.phone, "02 32 96 90 00");
    // Its own devices replace the usual ones; nothing before `from`.
    d.recurring[0].devices = BTreeMap::from([("screen".to_string(), 2)]);
    d.recurring[0].from = date("2026-12-14");
    assert_eq!(
        days(&d, &["2026-11-30", "2026-12-14"]),
        ["mairie-elbeuf-2026-12-15"]
    );
    assert_eq!(
        d.week(date("2026-12-14"), Calendar::Fr)[0].devices["screen"],
        2
    );
    // Nor after `until`.
    d.recurring[0].until = Some(date("2026-12-20"));
    assert!(days(&d, &["2026-12-28"]).is_empty());
}

#[test]
fn holidays_skipped_dates_and_closed_periods_skip_or_move_a_request() {
    let mut d = mairie();
    d.recurring = vec![every(serde_json::json!({
        "every": "week", "days": ["mar"], "from": "2026-01-01",
        "skip": ["2026-12-08"], "closed": [{"from": "2026-08-01", "to": "2026-08-31"}]
    }))];
    // Tuesday 14 July 2026, a public holiday; 8 December skipped; August closed.
    assert!(days(&d, &["2026-07-13", "2026-12-07", "2026-08-10"]).is_empty());
    assert_eq!(days(&d, &["2026-07-06"]), ["mairie-elbeuf-2026-07-07"]);
    assert!(d.week(date("2026-07-13"), Calendar::None).len() == 1);
    // Moved to the next open day instead: Wednesday 15 July, and the first
    // Tuesday after the summer closure… is 1 September itself.
    d.recurring[0].if_closed = IfClosed::NextDay;
    assert_eq!(days(&d, &["2026-07-13"]), ["mairie-elbeuf-2026-07-15"]);
    assert_eq!(days(&d, &["2026-08-31"]), ["mairie-elbeuf-2026-09-01"]);
    // A skipped date is cancelled, not moved.
    assert!(days(&d, &["2026-12-07"]).is_empty());
    // A Tuesday moved onto another request's day: two requests that day,
    // each with its devices (one visit when they fit together).
    d.recurring.push(every(serde_json::json!({
        "every": "week", "days": ["mer"], "from": "2026-01-01"
    })));
    assert_eq!(
        days(&d, &["2026-07-13"]),
        ["mairie-elbeuf-2026-07-15", "mairie-elbeuf-2026-07-15-2"]
    );
    // So is a Monday of the same rule moved onto its Tuesday (Easter
    // Monday, 6 April 2026).
    d.recurring = vec![every(serde_json::json!({
        "every": "week", "days": ["lun", "mar"], "from": "2026-01-01", "if_closed": "next_day"
    }))];
    let easter = d.week(date("2026-04-06"), Calendar::Fr);
    let ids: Vec<&str> = easter.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(
        ids,
        ["mairie-elbeuf-2026-04-07", "mairie-elbeuf-2026-04-07-2"]
    );
    assert!(easter.iter().all(|r| r.devices["laptop"] == 5));
}

#[test]
fn monthly_requests_on_a_day_of_the_month_or_the_nth_weekday() {
    let mut d = mairie();
    // The 31st: the last day of a shorter month (Monday 30 November 2026).
    d.recurring = vec![every(
        serde_json::json!({"every": "month", "day": 31, "from": "2026-01-01"}),
    )];
    assert_eq!(days(&d, &["2026-11-30"]), ["mairie-elbeuf-2026-11-30"]);
    // The first Tuesday, every other month from December.
    d.recurring = vec![every(serde_json::json!({
        "every": "month", "interval": 2, "nth": 1, "days": ["mar"], "from": "2026-12-01"
    }))];
    assert_eq!(
        days(&d, &["2026-11-30", "2027-01-04", "2027-02-01"]),
        ["mairie-elbeuf-2026-12-01", "mairie-elbeuf-2027-02-02"]
    );
    // The last Friday of December 2026 is Christmas: skipped, or moved to
    // the donor's next open day, Monday 28, in the next week.
    d.recurring = vec![every(serde_json::json!({
        "every": "month", "nth": -1, "days": ["ven"], "from": "2026-01-01"
    }))];
    assert!(days(&d, &["2026-12-21", "2026-12-28"]).is_empty());
    assert_eq!(days(&d, &["2026-11-23"]), ["mairie-elbeuf-2026-11-27"]);
    d.recurring[0].if_closed = IfClosed::NextDay;
    assert_eq!(
        days(&d, &["2026-12-21", "2026-12-28"]),
        ["mairie-elbeuf-2026-12-28"]
    );
}

#[test]
fn a_request_may_wait_some_days_after_its_own_in_the_same_week() {
    let mut d = mairie();
    d.recurring = vec![every(serde_json::json!({
        "every": "week", "days": ["mer"], "from": "2026-01-01", "window_days": 3
    }))];
    // Wednesday 23 December: Wednesday, Thursday, not Christmas, Saturday
    // (closed), so two days of two windows.
    let r = &d.week(date("2026-12-21"), Calendar::Fr)[0];
    let dates: Vec<String> = r
        .time_windows
        .iter()
        .map(|w| w.start.date().to_string())
        .collect();
    assert_eq!(
        dates,
        ["2026-12-23", "2026-12-23", "2026-12-24", "2026-12-24"]
    );
    // Never past the week's Sunday.
    d.recurring[0].days = vec!["sam".into()];
    d.hours.clear();
    let r = &d.week(date("2026-12-21"), Calendar::Fr)[0];
    assert_eq!(r.time_windows.len(), 2, "Saturday and Sunday, all day");
    assert_eq!(r.time_windows[1].end.to_string(), "2026-12-28 00:00:00");
    // Nor on a day the rule skips, nor in its closed period: a Monday
    // request that may wait four days, closed from Wednesday to Friday.
    d.recurring[0] = every(serde_json::json!({
        "every": "week", "days": ["lun"], "from": "2026-01-01", "window_days": 4,
        "closed": [{"from": "2026-12-02", "to": "2026-12-04"}]
    }));
    let r = &d.week(date("2026-11-30"), Calendar::Fr)[0];
    let days: Vec<String> = r
        .time_windows
        .iter()
        .map(|w| w.start.date().to_string())
        .collect();
    assert_eq!(days, ["2026-11-30", "2026-12-01"]);
}

#[test]
fn a_set_ups_week_holds_its_donors_requests_and_they_are_valid_requests() {
    let mut s = sample();
    let mut d = mairie();
    d.recurring = vec![every(
        serde_json::json!({"every": "week", "days": ["mar", "jeu"], "from": "2026-11-01"}),
    )];
    s.donors = vec![d];
    assert_eq!(s.validate(), vec![]);
    let w = s.week(date("2026-12-02"));
    let ids: Vec<&str> = w.pickups.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(
        ids,
        ["mairie-elbeuf-2026-12-01", "mairie-elbeuf-2026-12-03"]
    );
    assert!(crate::input::validate(&w).is_empty());
    // The set-up's format keeps them.
    let again: crate::setup::Setup =
        serde_json::from_str(&serde_json::to_string(&s).expect("json")).expect("read");
    assert_eq!(again, s);
}

#[test]
fn a_donors_mistakes_carry_their_paths() {
    let mut s = sample();
    let mut d = mairie();
    d.recurring = vec![
        every(serde_json::json!({"every": "week", "days": ["sam"], "from": "2026-11-01"})),
        every(
            serde_json::json!({"every": "month", "nth": 2, "from": "2026-11-01", "devices": {"toaster": 1}}),
        ),
        every(
            serde_json::json!({"every": "month", "day": 40, "interval": 13, "from": "2026-11-01", "until": "2026-10-01"}),
        ),
    ];
    let mut twin = mairie();
    twin.location = None;
    twin.devices.clear();
    twin.contact.email = "x".repeat(3000);
    twin.recurring = vec![every(
        serde_json::json!({"every": "week", "days": ["lun"], "from": "2026-11-01"}),
    )];
    s.donors = vec![d, twin];
    let fields: Vec<String> = s.validate().into_iter().map(|e| e.field).collect();
    for f in [
        // Saturday, when the town hall is closed.
        "donors[0].recurring[0].days[0]",
        // The second Tuesday? No day given.
        "donors[0].recurring[1].days",
        "donors[0].recurring[1].devices.toaster",
        "donors[0].recurring[2].day",
        "donors[0].recurring[2].interval",
        "donors[0].recurring[2].until",
        "donors[1].id",
        "donors[1].location",
        "donors[1].recurring[0].devices",
        "donors[1].contact.email",
    ] {
        assert!(fields.iter().any(|x| x == f), "{f} not in {fields:?}");
    }
    assert_eq!(fields.len(), 10, "{fields:?}");
    // A donor's hours are checked as any weekly hours.
    let mut s = sample();
    let mut d = mairie();
    d.hours[0].to = "08:00".into();
    s.donors = vec![d];
    let fields: Vec<String> = s.validate().into_iter().map(|e| e.field).collect();
    assert_eq!(fields, ["donors[0].hours[0]"]);
}
