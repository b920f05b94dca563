//! Kilometres driven, from what drivers reported. A driver may take the
//! stops in another order than planned (a site that opens late, a road
//! closed); the order their reports' times give is the order driven. Each
//! leg the plan has is counted as planned (by road); a leg it does not have
//! is estimated: from or to the workshop, half the stop's round trip (by
//! road, the baseline's own figure); between two stops, the straight line
//! times the tour's own ratio of road to straight-line kilometres over its
//! planned legs between stops. A stop not reported is taken as driven where
//! it was planned, and a failed one as visited. There is no odometer in
//! this: it is an estimate, said as such in docs/emissions.md.

use chrono::NaiveDateTime;

use super::{StopFigures, TourFigures};

/// The kilometres tour `t` was driven, when its reports give another order
/// than planned; `Some(t.km)` when they give the planned one; `None` when
/// nothing is reported, the times cannot be compared, or the figures have
/// no stop locations (stored before they were kept).
pub fn km(t: &TourFigures) -> Option<f64> {
    let mut timed: Vec<(usize, NaiveDateTime)> = Vec::new();
    for (&n, r) in &t.reported {
        let k = n.checked_sub(1).filter(|&k| k < t.stops.len())?;
        if let Some(at) = r.at.as_deref() {
            timed.push((k, time(at)?));
        }
    }
    if timed.is_empty() {
        return None;
    }
    // The reported stops, in the order driven, put back in their slots.
    let mut slots: Vec<usize> = timed.iter().map(|&(k, _)| k).collect();
    slots.sort_unstable();
    timed.sort_by_key(|&(k, at)| (at, k));
    let mut order: Vec<usize> = (0..t.stops.len()).collect();
    for (slot, &(k, _)) in slots.iter().zip(&timed) {
        order[*slot] = k;
    }
    if order.iter().enumerate().all(|(i, &k)| i == k) {
        return Some(t.km);
    }
    let ratio = road_ratio(&t.stops)?;
    let back = t.km - t.stops.iter().map(|s| s.km).sum::<f64>();
    let n = t.stops.len();
    let mut total = 0.0;
    let mut previous: Option<usize> = None;
    for &k in &order {
        total += match previous {
            None if k == 0 => t.stops[0].km,
            None => t.stops[k].baseline_km / 2.0,
            Some(p) if k == p + 1 => t.stops[k].km,
            Some(p) => straight_km(&t.stops[p], &t.stops[k])? * ratio,
        };
        previous = Some(k);
    }
    total += match previous {
        Some(p) if p + 1 == n => back,
        // A tour with no way back planned (an open tour) drives none.
        Some(_) if back <= 0.0 => 0.0,
        Some(p) => t.stops[p].baseline_km / 2.0,
        None => 0.0,
    };
    Some(total)
}

/// A reported time, on one clock: an RFC 3339 time in UTC, or a local
/// wall-clock time as given.
fn time(at: &str) -> Option<NaiveDateTime> {
    chrono::DateTime::parse_from_rfc3339(at)
        .map(|d| d.naive_utc())
        .ok()
        .or_else(|| crate::model::wall_clock::parse(at))
}

fn straight_km(a: &StopFigures, b: &StopFigures) -> Option<f64> {
    Some(crate::routing::haversine_m(a.location?, b.location?) / 1000.0)
}

/// Road kilometres per straight-line kilometre over the tour's planned
/// legs between stops (1.3, a usual detour factor, when it has none).
fn road_ratio(stops: &[StopFigures]) -> Option<f64> {
    let (mut road, mut straight) = (0.0, 0.0);
    for pair in stops.windows(2) {
        road += pair[1].km;
        straight += straight_km(&pair[0], &pair[1])?;
    }
    Some(if straight > 0.0 { road / straight } else { 1.3 })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::Reported;

    fn stop(km: f64, at: [f64; 2], baseline_km: f64) -> StopFigures {
        StopFigures {
            kind: "pickup".into(),
            km,
            location: Some(at),
            baseline_km,
            ..Default::default()
        }
    }

    fn reported(at: &str) -> Reported {
        Reported {
            done: true,
            devices: None,
            at: Some(at.into()),
        }
    }

    /// Three stops on a line of longitude 1°E, 0.01° of latitude apart
    /// (1.112 km), planned 1 → 2 → 3 with 10 km to the first, 1.5 km
    /// between stops and 12 km back: 25 km.
    fn tour() -> TourFigures {
        TourFigures {
            km: 25.0,
            stops: vec![
                stop(10.0, [1.0, 49.40], 20.0),
                stop(1.5, [1.0, 49.41], 21.0),
                stop(1.5, [1.0, 49.42], 24.0),
            ],
            ..Default::default()
        }
    }

    #[test]
    fn the_planned_order_is_the_planned_distance() {
        let mut t = tour();
        assert_eq!(km(&t), None, "nothing reported");
        t.reported.insert(1, reported("2026-11-30T09:00:00Z"));
        t.reported.insert(3, reported("2026-11-30T10:00:00Z"));
        assert_eq!(km(&t), Some(25.0));
    }

    /// docs/emissions.md's worked example: P2 reported before P1.
    #[test]
    fn the_worked_example_driven_the_other_way_round() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/data/emissions-example.json"
        );
        let text = std::fs::read_to_string(path).expect("the example plan");
        let plan: crate::plan::Plan = serde_json::from_str(&text).expect("a plan");
        let mut t = crate::report::figures(&plan).remove(0);
        t.reported.insert(1, reported("2026-11-30T09:40"));
        t.reported.insert(2, reported("2026-11-30T09:10"));
        let got = km(&t).expect("an estimate");
        assert!((got - 28.5).abs() < 1e-9, "{got}");
    }

    #[test]
    fn another_order_counts_its_own_legs() {
        let mut t = tour();
        // Stop 3 before stop 2: depot → 1 (planned, 10) → 3 → 2 (straight
        // lines times the tour's ratio) → depot (half of stop 2's round trip).
        t.reported.insert(1, reported("2026-11-30T09:00:00Z"));
        t.reported.insert(2, reported("2026-11-30T10:00:00Z"));
        t.reported.insert(3, reported("2026-11-30T09:30:00Z"));
        let step = crate::routing::haversine_m([1.0, 49.40], [1.0, 49.41]) / 1000.0;
        let ratio = 3.0 / (2.0 * step);
        let step_13 = crate::routing::haversine_m([1.0, 49.40], [1.0, 49.42]) / 1000.0;
        let expected = 10.0 + step_13 * ratio + step * ratio + 21.0 / 2.0;
        let got = km(&t).expect("an estimate");
        assert!((got - expected).abs() < 1e-9, "{got} against {expected}");
        // A stop not reported stays where it was planned.
        t.reported.remove(&1);
        let expected = 10.0 + step_13 * ratio + step * ratio + 21.0 / 2.0;
        assert!((km(&t).expect("an estimate") - expected).abs() < 1e-9);
        // Times on a clock that cannot be read: the plan's distance.
        t.reported.insert(1, reported("lundi"));
        assert_eq!(km(&t), None);
    }
}
