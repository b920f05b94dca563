//! The donor registry and recurring requests. A reuse network collects from
//! the same companies, town halls and schools again and again: the donor is
//! entered once (address, contact, opening hours, the devices it usually
//! gives) and a request is made from it in one step
//! ([`Donor::request`]), or generated each week by a recurrence — every n
//! weeks on given days, or monthly on a day of the month or the n-th
//! weekday — with its exceptions: dates skipped, closed periods, public
//! holidays (skipped, or moved to the donor's next open day).

use std::collections::BTreeMap;

use chrono::{Datelike, Duration, NaiveDate, NaiveTime};
use serde::{Deserialize, Serialize};

use super::{clock, weekday, WeeklyHours};
use crate::holidays::Calendar;
use crate::input::FieldError;
use crate::model::{self, Contact, Interval, Location, Request};

/// Donors in one set-up, and recurrences of one donor.
pub const MAX_DONORS: usize = 5_000;
pub const MAX_RECURRENCES: usize = 20;
/// Dates skipped and periods closed in one recurrence.
pub const MAX_EXCEPTIONS: usize = 400;
/// Days after its own day a generated request may still be served.
pub const MAX_WINDOW_DAYS: u32 = 6;
/// How far an occurrence moves to find an open day.
const MAX_MOVE_DAYS: i64 = 14;
/// What a request's id adds to its donor's: `-2026-12-01`, and `-2` … for
/// a second occurrence on one day.
const ID_SUFFIX: usize = 14;

/// A company, administration or school that gives devices.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Donor {
    /// Its requests' ids start with it: `mairie-elbeuf-2026-12-01`.
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub address: String,
    /// `[lon, lat]`; placed by the server's geocoder from `address` when
    /// left out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
    #[serde(default)]
    pub contact: Contact,
    /// Usual opening hours; none: open all day, every day.
    #[serde(default)]
    pub hours: Vec<WeeklyHours>,
    /// The devices it usually gives: a request's default.
    #[serde(default)]
    pub devices: BTreeMap<String, u32>,
    #[serde(default = "default_service")]
    pub service_minutes: f64,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub setup_minutes: f64,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub skills: Vec<String>,
    /// A partner site or workshop its devices are taken to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deliver_to: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub insee: Option<String>,
    #[serde(default)]
    pub notes: String,
    /// Requests generated each week.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub recurring: Vec<Recurrence>,
}

fn default_service() -> f64 {
    10.0
}

fn is_zero(x: &f64) -> bool {
    *x == 0.0
}

fn one() -> u32 {
    1
}

#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Every {
    Week,
    Month,
}

/// What happens to an occurrence on a public holiday or on a day the
/// donor is closed (a skipped date or a closed period cancels it: never
/// moved).
#[derive(Clone, Copy, Debug, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum IfClosed {
    /// No request that time (a weekly collection comes back next week).
    #[default]
    Skip,
    /// The request moves to the donor's next open day (at most 14 days on).
    NextDay,
}

/// Dates `from` to `to`, both included.
#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Period {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

/// When a donor's request comes back: `{"every": "week", "days": ["mar"]}`,
/// `{"every": "week", "interval": 2, "days": ["lun", "jeu"]}`,
/// `{"every": "month", "day": 15}`, `{"every": "month", "nth": 1, "days":
/// ["mar"]}` (the first Tuesday; -1 is the last).
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Recurrence {
    pub every: Every,
    /// Weeks (or months) between two: counted from the week (or month) of
    /// `from`.
    #[serde(default = "one")]
    pub interval: u32,
    /// Weekly: the days. Monthly with `nth`: the one day of the week.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub days: Vec<String>,
    /// Monthly: the day of the month (1–31; the month's last day when it
    /// is shorter).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub day: Option<u32>,
    /// Monthly: the n-th of `days` in the month (1–5, -1 the last).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nth: Option<i32>,
    /// First date it may fall on.
    pub from: NaiveDate,
    /// Last date it may fall on; none: no end.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<NaiveDate>,
    /// Devices each time; none: the donor's usual devices.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub devices: BTreeMap<String, u32>,
    /// Days after its own day the request may still be served (0–6, in the
    /// same week).
    #[serde(default, skip_serializing_if = "is_zero_u32")]
    pub window_days: u32,
    /// Dates without this request (a closed day, a collection cancelled).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub skip: Vec<NaiveDate>,
    /// Periods without it (a closed week, the summer).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub closed: Vec<Period>,
    #[serde(default, skip_serializing_if = "is_default_if_closed")]
    pub if_closed: IfClosed,
}

fn is_zero_u32(x: &u32) -> bool {
    *x == 0
}

fn is_default_if_closed(x: &IfClosed) -> bool {
    *x == IfClosed::Skip
}

/// The Monday of `day`'s week.
fn monday_of(day: NaiveDate) -> NaiveDate {
    day - Duration::days(i64::from(day.weekday().num_days_from_monday()))
}

/// Months from year 0, to count intervals of months.
fn month_index(day: NaiveDate) -> i64 {
    i64::from(day.year()) * 12 + i64::from(day.month0())
}

fn days_in_month(year: i32, month: u32) -> u32 {
    let next = if month == 12 {
        NaiveDate::from_ymd_opt(year + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(year, month + 1, 1)
    };
    next.and_then(|n| n.pred_opt()).map_or(28, |d| d.day())
}

impl Recurrence {
    /// Whether its rule (before exceptions) falls on `day`.
    pub fn falls_on(&self, day: NaiveDate) -> bool {
        if day < self.from || self.until.is_some_and(|u| day > u) {
            return false;
        }
        let interval = i64::from(self.interval.max(1));
        let dow = i64::from(day.weekday().num_days_from_monday());
        let listed = |days: &[String]| days.iter().any(|d| weekday(d) == Some(dow));
        match self.every {
            Every::Week => {
                let weeks = (monday_of(day) - monday_of(self.from)).num_days() / 7;
                weeks % interval == 0 && listed(&self.days)
            }
            Every::Month => {
                if (month_index(day) - month_index(self.from)) % interval != 0 {
                    return false;
                }
                let last = days_in_month(day.year(), day.month());
                match (self.day, self.nth) {
                    (Some(d), _) => day.day() == d.min(last),
                    (None, Some(n)) if listed(&self.days) => {
                        let k = (day.day() as i32 - 1) / 7 + 1;
                        if n == -1 {
                            day.day() + 7 > last
                        } else {
                            k == n
                        }
                    }
                    _ => false,
                }
            }
        }
    }

    /// Whether an occurrence may be kept on `day`.
    fn open_on(&self, donor: &Donor, calendar: Calendar, day: NaiveDate) -> bool {
        !calendar.is_holiday(day)
            && !self.skip.contains(&day)
            && !self.closed.iter().any(|p| p.from <= day && day <= p.to)
            && donor.open_on(day)
    }

    /// The days in `first..=last` its requests are served on (each the
    /// request's own day, after the exceptions), once per occurrence: an
    /// occurrence moved onto another's day is there twice.
    pub fn dates(
        &self,
        donor: &Donor,
        calendar: Calendar,
        first: NaiveDate,
        last: NaiveDate,
    ) -> Vec<NaiveDate> {
        // Occurrences up to two weeks before may move into the range.
        let lookback = match self.if_closed {
            IfClosed::Skip => 0,
            IfClosed::NextDay => MAX_MOVE_DAYS,
        };
        let mut out = Vec::new();
        let mut day = first - Duration::days(lookback);
        while day <= last {
            // A skipped date, or a closed period, cancels an occurrence:
            // it is never moved (a month closed would pile up its weeks).
            let cancelled = self.skip.contains(&day)
                || self.closed.iter().any(|p| p.from <= day && day <= p.to);
            if self.falls_on(day) && !cancelled {
                let kept = if self.open_on(donor, calendar, day) {
                    Some(day)
                } else if self.if_closed == IfClosed::NextDay {
                    (1..=MAX_MOVE_DAYS)
                        .map(|k| day + Duration::days(k))
                        .find(|&d| self.open_on(donor, calendar, d))
                } else {
                    None
                };
                if let Some(d) = kept.filter(|&d| first <= d && d <= last) {
                    out.push(d);
                }
            }
            day += Duration::days(1);
        }
        out.sort();
        out
    }
}

impl Donor {
    /// Whether the donor opens on `day` (always, without hours).
    pub fn open_on(&self, day: NaiveDate) -> bool {
        let dow = i64::from(day.weekday().num_days_from_monday());
        self.hours.is_empty()
            || self
                .hours
                .iter()
                .any(|h| h.days.iter().any(|d| weekday(d) == Some(dow)))
    }

    /// Its opening hours on `day`; the whole day without hours.
    fn hours_on(&self, day: NaiveDate) -> Vec<Interval> {
        if self.hours.is_empty() {
            let start = day.and_time(NaiveTime::MIN);
            return vec![Interval {
                start,
                end: start + Duration::days(1),
            }];
        }
        let dow = i64::from(day.weekday().num_days_from_monday());
        let mut out: Vec<Interval> = self
            .hours
            .iter()
            .filter(|h| h.days.iter().any(|d| weekday(d) == Some(dow)))
            .filter_map(|h| {
                Some(Interval {
                    start: day.and_time(clock(&h.from)?),
                    end: day.and_time(clock(&h.to)?),
                })
            })
            .collect();
        out.sort_by_key(|i| i.start);
        out
    }

    /// A request from this donor on `day`, served in its hours that day
    /// and on the `more` days after it that are open, up to `last`; with
    /// `devices`, or its usual devices when none.
    pub fn request(
        &self,
        day: NaiveDate,
        more: u32,
        last: NaiveDate,
        calendar: Calendar,
        devices: &BTreeMap<String, u32>,
    ) -> Request {
        let time_windows = (0..=i64::from(more.min(MAX_WINDOW_DAYS)))
            .map(|k| day + Duration::days(k))
            .filter(|&d| d == day || (d <= last && !calendar.is_holiday(d)))
            .flat_map(|d| self.hours_on(d))
            .collect();
        Request {
            id: format!("{}-{}", self.id, day.format("%Y-%m-%d")),
            depot: None,
            deliver_to: self.deliver_to.clone(),
            name: self.name.clone(),
            address: self.address.clone(),
            location: self.location.unwrap_or([0.0, 0.0]),
            contact: self.contact.clone(),
            devices: if devices.is_empty() {
                self.devices.clone()
            } else {
                devices.clone()
            },
            time_windows,
            service_minutes: self.service_minutes,
            setup_minutes: self.setup_minutes,
            skills: self.skills.clone(),
            priority: model::Priority::default(),
            notes: self.notes.clone(),
            insee: self.insee.clone(),
        }
    }

    /// Its recurring requests served in `monday`'s week, by date.
    pub fn week(&self, monday: NaiveDate, calendar: Calendar) -> Vec<Request> {
        let sunday = monday + Duration::days(6);
        let mut by_day: BTreeMap<NaiveDate, Vec<Request>> = BTreeMap::new();
        for r in &self.recurring {
            for d in r.dates(self, calendar, monday, sunday) {
                let mut new = self.request(d, r.window_days, sunday, calendar, &r.devices);
                // The days after its own keep the rule's exceptions too.
                new.time_windows
                    .retain(|w| w.start.date() == d || r.open_on(self, calendar, w.start.date()));
                // A second occurrence that day (another rule, or one moved
                // there) is a request of its own; the planner serves them
                // in one visit when they fit together (`convert::merge`).
                let that_day = by_day.entry(d).or_default();
                if !that_day.is_empty() {
                    new.id = format!("{}-{}", new.id, that_day.len() + 1);
                }
                that_day.push(new);
            }
        }
        by_day.into_values().flatten().collect()
    }
}

/// The set-up rules of the donors that the problem format does not check
/// (ids, recurrences); the rest is checked on requests made from them
/// ([`requests_to_check`]).
pub fn validate(donors: &[Donor], errors: &mut Vec<FieldError>) {
    let mut err = |at: String, m: String| errors.push(FieldError::new(at, m));
    if donors.len() > MAX_DONORS {
        err("donors".into(), format!("at most {MAX_DONORS} donors"));
        return;
    }
    let mut seen = std::collections::BTreeSet::new();
    for (i, d) in donors.iter().enumerate() {
        let at = format!("donors[{i}]");
        let id_ok = !d.id.is_empty()
            && d.id.len() <= crate::limits::MAX_ID_CHARS - ID_SUFFIX
            && d.id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if !id_ok {
            err(
                format!("{at}.id"),
                format!(
                    "`{}`: letters, digits, `-` and `_`, 1 to {} characters",
                    d.id,
                    crate::limits::MAX_ID_CHARS - ID_SUFFIX
                ),
            );
        } else if !seen.insert(d.id.as_str()) {
            err(
                format!("{at}.id"),
                format!("`{}` is the id of another donor", d.id),
            );
        }
        if d.location.is_none() {
            err(
                format!("{at}.location"),
                "missing: give `location` ([lon, lat]) or an address the geocoder finds".into(),
            );
        }
        if d.recurring.len() > MAX_RECURRENCES {
            err(
                format!("{at}.recurring"),
                format!("at most {MAX_RECURRENCES} recurrences"),
            );
            continue;
        }
        for (k, r) in d.recurring.iter().enumerate() {
            recurrence(&format!("{at}.recurring[{k}]"), d, r, &mut err);
        }
    }
}

fn recurrence(at: &str, d: &Donor, r: &Recurrence, err: &mut impl FnMut(String, String)) {
    let most = match r.every {
        Every::Week => 52,
        Every::Month => 12,
    };
    if !(1..=most).contains(&r.interval) {
        err(format!("{at}.interval"), format!("1 to {most}"));
    }
    for (j, day) in r.days.iter().enumerate() {
        match weekday(day) {
            None => err(
                format!("{at}.days[{j}]"),
                format!("`{day}` is not a day of the week (lun … dim, mon … sun)"),
            ),
            Some(dow) => {
                let on = NaiveDate::from_ymd_opt(2026, 11, 30).map(|m| m + Duration::days(dow));
                if on.is_some_and(|o| !d.open_on(o)) {
                    err(
                        format!("{at}.days[{j}]"),
                        format!("the donor's hours have no `{day}`"),
                    );
                }
            }
        }
    }
    match (r.every, r.day, r.nth) {
        (Every::Week, None, None) if r.days.is_empty() => {
            err(format!("{at}.days"), "at least one day".into())
        }
        (Every::Week, None, None) => {}
        (Every::Week, _, _) => err(
            at.to_string(),
            "`day` and `nth` are for monthly requests; weekly ones take `days`".into(),
        ),
        (Every::Month, Some(day), None) => {
            if !(1..=31).contains(&day) {
                err(format!("{at}.day"), "a day of the month, 1 to 31".into());
            }
            if !r.days.is_empty() {
                err(
                    format!("{at}.days"),
                    "with `day` (of the month), no `days`".into(),
                );
            }
        }
        (Every::Month, None, Some(n)) => {
            if !(n == -1 || (1..=5).contains(&n)) {
                err(
                    format!("{at}.nth"),
                    "1 to 5 (the first to fifth), or -1 (the last)".into(),
                );
            }
            if r.days.len() != 1 {
                err(
                    format!("{at}.days"),
                    "with `nth`, exactly one day of the week".into(),
                );
            }
        }
        (Every::Month, _, _) => err(
            at.to_string(),
            "a monthly request takes `day` (of the month) or `nth` with one of `days`".into(),
        ),
    }
    if r.window_days > MAX_WINDOW_DAYS {
        err(
            format!("{at}.window_days"),
            format!("0 to {MAX_WINDOW_DAYS} days"),
        );
    }
    if r.until.is_some_and(|u| u < r.from) {
        err(format!("{at}.until"), "before `from`".into());
    }
    let years = 2000..=2100;
    if !years.contains(&r.from.year()) || r.until.is_some_and(|u| !years.contains(&u.year())) {
        err(at.to_string(), "dates are in the years 2000 to 2100".into());
    }
    if r.skip.len() + r.closed.len() > MAX_EXCEPTIONS {
        err(
            format!("{at}.skip"),
            format!("at most {MAX_EXCEPTIONS} dates and periods skipped"),
        );
    }
    for (j, p) in r.closed.iter().enumerate() {
        if p.to < p.from {
            err(format!("{at}.closed[{j}]"), "`to` before `from`".into());
        }
    }
    if r.devices.is_empty() && d.devices.is_empty() {
        err(
            format!("{at}.devices"),
            "no devices: give them here or as the donor's usual `devices`".into(),
        );
    }
}

/// Requests made from the donors, to check their fields with the problem
/// format's rules: one per donor (its usual devices), one per recurrence
/// with devices of its own; each with the set-up path its mistakes map to.
pub fn requests_to_check(donors: &[Donor], day: NaiveDate) -> Vec<(Request, String)> {
    let mut out = Vec::new();
    for (i, d) in donors.iter().enumerate().take(MAX_DONORS) {
        let r = d.request(day, 0, day, Calendar::None, &BTreeMap::new());
        out.push((r, format!("donors[{i}]")));
        for (k, rec) in d.recurring.iter().enumerate().take(MAX_RECURRENCES) {
            if !rec.devices.is_empty() {
                let mut r = d.request(day, 0, day, Calendar::None, &rec.devices);
                r.id = format!("{}-{k}", r.id);
                out.push((r, format!("donors[{i}].recurring[{k}]")));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests;
