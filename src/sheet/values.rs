//! Cell values as French coordinators write them: decimal commas and
//! spaces between thousands (`1 200,5`), times `9h`, `9h30`, `09:30`,
//! dates `30/11/2026`, `30/11` or `2026-11-30`, weekdays `lun`, `mardi`,
//! and opening windows such as `lun 9h-12h, jeu 14h-17h`,
//! `lun-ven 9h-12h 14h-17h` or `2026-11-30 09:00-12:00`.

use chrono::{Datelike, NaiveDate, NaiveDateTime, NaiveTime};

/// A number with a decimal comma or point, spaces between thousands.
pub fn number(s: &str) -> Option<f64> {
    let cleaned: String = s
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{202f}')
        .map(|c| if c == ',' { '.' } else { c })
        .collect();
    cleaned.parse::<f64>().ok().filter(|x| x.is_finite())
}

/// `9h`, `9h30`, `09:30`, `9:30`, `14H00`, `9` (hours), `24h` (midnight at
/// the end of the day is kept as 23:59:59 plus a second by the caller).
pub fn time(s: &str) -> Option<(u32, u32)> {
    let s = s.trim().to_lowercase();
    let (h, m) = match s.split_once(['h', ':']) {
        Some((h, m)) => (h, if m.is_empty() { "0" } else { m }),
        None => (s.as_str(), "0"),
    };
    let (h, m) = (h.trim().parse::<u32>().ok()?, m.trim().parse::<u32>().ok()?);
    (h <= 24 && m < 60 && (h < 24 || m == 0)).then_some((h, m))
}

/// A weekday in French or English, full or shortened (`lun`, `lundi`,
/// `mon`, `monday`), as days after Monday.
pub fn weekday(s: &str) -> Option<u32> {
    let s = fold(s.trim().trim_end_matches('.'));
    const NAMES: [[&str; 4]; 7] = [
        ["lun", "lundi", "mon", "monday"],
        ["mar", "mardi", "tue", "tuesday"],
        ["mer", "mercredi", "wed", "wednesday"],
        ["jeu", "jeudi", "thu", "thursday"],
        ["ven", "vendredi", "fri", "friday"],
        ["sam", "samedi", "sat", "saturday"],
        ["dim", "dimanche", "sun", "sunday"],
    ];
    NAMES
        .iter()
        .position(|names| names.contains(&s.as_str()))
        .map(|i| i as u32)
}

/// Lower case without accents, for comparing what people type.
pub fn fold(s: &str) -> String {
    s.to_lowercase()
        .chars()
        .map(|c| match c {
            'à' | 'â' | 'ä' => 'a',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'î' | 'ï' => 'i',
            'ô' | 'ö' => 'o',
            'ù' | 'û' | 'ü' => 'u',
            'ç' => 'c',
            'œ' => 'o',
            c => c,
        })
        .collect()
}

/// A date: `2026-11-30`, `30/11/2026`, `30/11/26` or `30/11` (the year of
/// `week`, or the next one when that is nearer). Years 2000 to 2100 only:
/// a planning tool has no use for others, and date arithmetic stays safe.
pub fn date(s: &str, week: Option<NaiveDate>) -> Option<NaiveDate> {
    parse_date(s, week).filter(|d| (2000..=2100).contains(&d.year()))
}

fn parse_date(s: &str, week: Option<NaiveDate>) -> Option<NaiveDate> {
    let s = s.trim();
    if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return Some(d);
    }
    let parts: Vec<&str> = s.split(['/', '.']).collect();
    let num = |p: &str| p.trim().parse::<i32>().ok();
    match parts.as_slice() {
        [d, m, y] => {
            let y = num(y)?;
            let y = if y < 100 { 2000 + y } else { y };
            NaiveDate::from_ymd_opt(y, num(m)? as u32, num(d)? as u32)
        }
        [d, m] => {
            let w = week?;
            let (d, m) = (num(d)? as u32, num(m)? as u32);
            [w.year(), w.year() + 1, w.year() - 1]
                .into_iter()
                .filter_map(|y| NaiveDate::from_ymd_opt(y, m, d))
                .min_by_key(|x| (*x - w).num_days().abs())
        }
        _ => None,
    }
}

/// Why a window could not be read.
#[derive(Debug, PartialEq)]
pub enum WindowError {
    /// Not a window at all.
    Unreadable,
    /// It ends before it starts.
    Backwards,
    /// It names a weekday and no week was given.
    NeedsWeek,
    /// More windows than a request may have (`limits::MAX_WINDOWS`).
    TooMany,
}

/// The windows of one cell: items separated by `;`, `,`, new lines or
/// ` et `; each is days then one or more time ranges (`lun 9h-12h 14h-17h`,
/// `lun-ven 9h-12h`, `30/11/2026 09:00-12:00`); a day alone is the whole
/// day. Returns (start, end) pairs, or the first item that fails.
pub fn windows(
    cell: &str,
    week: Option<NaiveDate>,
) -> Result<Vec<(NaiveDateTime, NaiveDateTime)>, (String, WindowError)> {
    let mut out = Vec::new();
    let normalised = cell.replace(" et ", ";").replace('\n', ";");
    for item in normalised
        .split([';', ','])
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        out.extend(window_item(item, week).map_err(|e| (item.to_string(), e))?);
        if out.len() > crate::limits::MAX_WINDOWS {
            return Err((item.to_string(), WindowError::TooMany));
        }
    }
    Ok(out)
}

fn window_item(
    item: &str,
    week: Option<NaiveDate>,
) -> Result<Vec<(NaiveDateTime, NaiveDateTime)>, WindowError> {
    let text = item
        .replace(['–', '—'], "-")
        .replace(" à ", "-")
        .replace(" a ", "-");
    let mut days: Vec<NaiveDate> = Vec::new();
    let mut ranges: Vec<(NaiveTime, NaiveTime, bool)> = Vec::new();
    for token in text.split_whitespace() {
        if matches!(
            fold(token).as_str(),
            "de" | "du" | "le" | "les" | "from" | "on"
        ) {
            continue;
        }
        if let Some(d) = day_token(token, week)? {
            days.extend(d);
        } else if let Some((a, b)) = token.split_once('-') {
            let (Some(a), Some(b)) = (time(a), time(b)) else {
                return Err(WindowError::Unreadable);
            };
            let at = |(h, m): (u32, u32)| NaiveTime::from_hms_opt(h % 24, m, 0);
            let (Some(start), Some(end)) = (at(a), at(b)) else {
                return Err(WindowError::Unreadable);
            };
            // `24h`: the end of the day, the next midnight.
            let to_midnight = b.0 == 24;
            if !to_midnight && end <= start {
                return Err(WindowError::Backwards);
            }
            ranges.push((start, end, to_midnight));
        } else {
            return Err(WindowError::Unreadable);
        }
    }
    if days.is_empty() {
        return Err(WindowError::Unreadable);
    }
    if ranges.is_empty() {
        ranges.push((NaiveTime::MIN, NaiveTime::MIN, true));
    }
    if days.len().saturating_mul(ranges.len()) > crate::limits::MAX_WINDOWS {
        return Err(WindowError::TooMany);
    }
    let mut out = Vec::new();
    for d in &days {
        for &(start, end, to_midnight) in &ranges {
            let end = if to_midnight {
                d.succ_opt()
                    .ok_or(WindowError::Unreadable)?
                    .and_time(NaiveTime::MIN)
            } else {
                d.and_time(end)
            };
            out.push((d.and_time(start), end));
        }
    }
    Ok(out)
}

/// The days a token names: a date, a weekday of `week`, or a range of
/// weekdays (`lun-ven`); `None` when the token is not a day.
fn day_token(token: &str, week: Option<NaiveDate>) -> Result<Option<Vec<NaiveDate>>, WindowError> {
    if let Some(d) = date(token, week) {
        return Ok(Some(vec![d]));
    }
    let on = |k: u32| -> Result<NaiveDate, WindowError> {
        let monday = week.ok_or(WindowError::NeedsWeek)?;
        monday
            .checked_add_days(chrono::Days::new(u64::from(k)))
            .ok_or(WindowError::Unreadable)
    };
    if let Some(k) = weekday(token) {
        return Ok(Some(vec![on(k)?]));
    }
    if let Some((a, b)) = token.split_once('-') {
        if let (Some(a), Some(b)) = (weekday(a), weekday(b)) {
            if b < a {
                return Err(WindowError::Backwards);
            }
            return (a..=b).map(on).collect::<Result<_, _>>().map(Some);
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> NaiveDateTime {
        crate::model::wall_clock::parse(s).expect("a date-time")
    }

    #[test]
    fn numbers_with_commas_and_spaces() {
        assert_eq!(number("1,5"), Some(1.5));
        assert_eq!(number("1 200"), Some(1200.0));
        assert_eq!(number("12"), Some(12.0));
        assert_eq!(number("douze"), None);
    }

    #[test]
    fn times_as_written() {
        assert_eq!(time("9h"), Some((9, 0)));
        assert_eq!(time("9h30"), Some((9, 30)));
        assert_eq!(time("09:30"), Some((9, 30)));
        assert_eq!(time("14H00"), Some((14, 0)));
        assert_eq!(time("25h"), None);
        assert_eq!(time("9h75"), None);
    }

    #[test]
    fn dates_french_and_iso() {
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d);
        let week = d(2026, 11, 30);
        assert_eq!(date("30/11/2026", None), d(2026, 11, 30));
        assert_eq!(date("2026-11-30", None), d(2026, 11, 30));
        assert_eq!(date("01/12/26", None), d(2026, 12, 1));
        assert_eq!(date("2/12", week), d(2026, 12, 2));
        assert_eq!(date("31/02/2026", None), None);
        assert_eq!(
            date("27/12/262143", None),
            None,
            "years beyond 2100 are refused"
        );
    }

    #[test]
    fn windows_of_a_week() {
        let week = NaiveDate::from_ymd_opt(2026, 11, 30);
        let w = windows("mar 9h-12h, jeu 14h-17h", week).expect("read");
        assert_eq!(
            w,
            vec![
                (at("2026-12-01T09:00"), at("2026-12-01T12:00")),
                (at("2026-12-03T14:00"), at("2026-12-03T17:00"))
            ]
        );
        let w = windows("lun-mer 9h-12h 14h-17h30", week).expect("read");
        assert_eq!(w.len(), 6);
        assert_eq!(w[5], (at("2026-12-02T14:00"), at("2026-12-02T17:30")));
        let w = windows("2026-11-30 09:00-12:00; 30/11/2026 de 14h à 17h", None);
        assert_eq!(
            w.expect("read")[1],
            (at("2026-11-30T14:00"), at("2026-11-30T17:00"))
        );
        let whole = windows("vendredi", week).expect("read");
        assert_eq!(
            whole,
            vec![(at("2026-12-04T00:00"), at("2026-12-05T00:00"))]
        );
    }

    #[test]
    fn windows_that_cannot_be_read_say_which_and_why() {
        let week = NaiveDate::from_ymd_opt(2026, 11, 30);
        assert_eq!(
            windows("lun 9h-12h; mar 12h-9h", week),
            Err(("mar 12h-9h".to_string(), WindowError::Backwards))
        );
        assert_eq!(
            windows("jeu 14h-17h", None),
            Err(("jeu 14h-17h".to_string(), WindowError::NeedsWeek))
        );
        assert_eq!(
            windows("le matin", week),
            Err(("le matin".to_string(), WindowError::Unreadable))
        );
        // Days times ranges cannot grow without bound.
        let flood = format!("{} {}", "lun-dim ".repeat(100), "0h-1h ".repeat(100));
        assert_eq!(
            windows(&flood, week).map_err(|e| e.1),
            Err(WindowError::TooMany)
        );
    }
}
