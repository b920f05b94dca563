//! French public holidays (jours fériés), so that a set-up's week has no
//! shift on 14 July. The eleven days of the Code du travail, article
//! L3133-1: 1 January, Easter Monday, 1 May, 8 May, Ascension Thursday,
//! Whit Monday, 14 July, 15 August, 1 November, 11 November, 25 December;
//! in Alsace and Moselle (article L3134-13, the three departments of the
//! local law) also Good Friday and 26 December. Easter Sunday is computed
//! with the Gregorian algorithm of Meeus, Jones and Butcher (J. Meeus,
//! *Astronomical Algorithms*, 1991, chapter 8).

use chrono::{Datelike, Duration, NaiveDate};
use serde::{Deserialize, Serialize};

/// Which days a set-up keeps free of shifts and opening hours.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Calendar {
    /// The eleven national days.
    #[default]
    Fr,
    /// The national days, Good Friday and 26 December (Bas-Rhin, Haut-Rhin,
    /// Moselle).
    FrAlsaceMoselle,
    /// No public holiday: every listed day is worked.
    None,
}

/// Easter Sunday of `year` (Gregorian calendar).
pub fn easter(year: i32) -> Option<NaiveDate> {
    let a = year % 19;
    let (b, c) = (year / 100, year % 100);
    let (d, e) = (b / 4, b % 4);
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let (i, k) = (c / 4, c % 4);
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    NaiveDate::from_ymd_opt(year, u32::try_from(month).ok()?, u32::try_from(day).ok()?)
}

impl Calendar {
    /// Whether `date` is a public holiday.
    pub fn is_holiday(self, date: NaiveDate) -> bool {
        self.holidays(date.year()).contains(&date)
    }

    /// The public holidays of `year`, in date order.
    pub fn holidays(self, year: i32) -> Vec<NaiveDate> {
        if self == Calendar::None {
            return Vec::new();
        }
        let fixed = |m: u32, d: u32| NaiveDate::from_ymd_opt(year, m, d);
        let mut days: Vec<NaiveDate> = [
            (1, 1),
            (5, 1),
            (5, 8),
            (7, 14),
            (8, 15),
            (11, 1),
            (11, 11),
            (12, 25),
        ]
        .into_iter()
        .filter_map(|(m, d)| fixed(m, d))
        .collect();
        if let Some(sunday) = easter(year) {
            let after = |n: i64| sunday + Duration::days(n);
            days.extend([after(1), after(39), after(50)]);
            if self == Calendar::FrAlsaceMoselle {
                days.push(after(-2));
            }
        }
        if self == Calendar::FrAlsaceMoselle {
            days.extend(fixed(12, 26));
        }
        days.sort_unstable();
        days
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
    }

    #[test]
    fn easter_falls_on_the_published_sundays() {
        // Dates published by the Bureau des longitudes / IMCCE.
        for (y, m, d) in [
            (2024, 3, 31),
            (2025, 4, 20),
            (2026, 4, 5),
            (2027, 3, 28),
            (2038, 4, 25),
        ] {
            assert_eq!(easter(y), Some(date(y, m, d)), "{y}");
            assert_eq!(date(y, m, d).weekday(), chrono::Weekday::Sun);
        }
    }

    #[test]
    fn the_french_holidays_of_2026() {
        let got = Calendar::Fr.holidays(2026);
        let want = [
            date(2026, 1, 1),
            date(2026, 4, 6),
            date(2026, 5, 1),
            date(2026, 5, 8),
            date(2026, 5, 14),
            date(2026, 5, 25),
            date(2026, 7, 14),
            date(2026, 8, 15),
            date(2026, 11, 1),
            date(2026, 11, 11),
            date(2026, 12, 25),
        ];
        assert_eq!(got, want);
        let local = Calendar::FrAlsaceMoselle.holidays(2026);
        assert_eq!(local.len(), 13);
        assert!(local.contains(&date(2026, 4, 3)) && local.contains(&date(2026, 12, 26)));
        assert!(Calendar::None.holidays(2026).is_empty());
        assert!(!Calendar::Fr.is_holiday(date(2026, 12, 2)));
    }
}
