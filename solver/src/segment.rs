//! Summaries of a run of consecutive stops that join in constant time, so a
//! move's new tours are priced from cached prefixes and suffixes instead of
//! being walked stop by stop.
//!
//! The time summary is the one of T. Vidal, T. G. Crainic, M. Gendreau and
//! C. Prins, "A hybrid genetic algorithm with adaptive diversity management
//! for a large class of vehicle routing problems with time-windows",
//! Computers & Operations Research 40(1), 2013: a late arrival is not
//! forbidden but "warps" back in time to the window's end, and the warp is
//! charged as a penalty. The load summary, for tours that both deliver and
//! collect, is the one PyVRP uses.

use crate::problem::Load;

/// Time summary of a run of stops, for service at the first one starting
/// anywhere in `earliest..=latest`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TimeSegment {
    /// Shortest time from the first service's start to the last one's end,
    /// waiting included.
    pub duration: f64,
    /// Total time travelled back to meet windows that had closed.
    pub time_warp: f64,
    pub earliest: f64,
    pub latest: f64,
}

impl TimeSegment {
    /// One stop whose service (`service` long) starts in `start..=end`.
    pub fn stop(start: f64, end: f64, service: f64) -> Self {
        TimeSegment {
            duration: service,
            time_warp: 0.0,
            earliest: start,
            latest: end,
        }
    }

    /// This run, then `travel` later the run `next`.
    #[inline]
    pub fn then(self, travel: f64, next: TimeSegment) -> TimeSegment {
        // Time from the first service's start to arriving at `next`.
        let reach = self.duration - self.time_warp + travel;
        let wait = (next.earliest - reach - self.latest).max(0.0);
        let warp = (self.earliest + reach - next.latest).max(0.0);
        TimeSegment {
            duration: self.duration + next.duration + travel + wait,
            time_warp: self.time_warp + next.time_warp + warp,
            earliest: (next.earliest - reach).max(self.earliest) - wait,
            latest: (next.latest - reach).min(self.latest) + warp,
        }
    }
}

/// Load summary of a run of stops: what it delivers (carried from the
/// depot), what it collects (carried back), and the most on board at once.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct LoadSegment {
    pub delivery: Load,
    pub pickup: Load,
    pub peak: Load,
}

impl LoadSegment {
    pub fn stop(delivery: Load, pickup: Load) -> Self {
        LoadSegment {
            delivery,
            pickup,
            peak: delivery.max(pickup),
        }
    }

    /// This run, then `next`: the goods for `next` ride through this run,
    /// and this run's collections ride through `next`.
    #[inline]
    pub fn then(self, next: LoadSegment) -> LoadSegment {
        LoadSegment {
            delivery: self.delivery + next.delivery,
            pickup: self.pickup + next.pickup,
            peak: (self.peak + next.delivery).max(next.peak + self.pickup),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Walks stops one by one the plain way: leave as late as the first
    /// window allows without waiting later, arrive late means warp.
    fn walk(stops: &[(f64, f64, f64)], travel: f64) -> (f64, f64) {
        // Try every start in the first window on a fine grid; keep the
        // least warp, then the least duration.
        let (e0, l0, _) = stops[0];
        let mut best = (f64::INFINITY, f64::INFINITY);
        let steps = 2000;
        for k in 0..=steps {
            let start = e0 + (l0 - e0) * k as f64 / steps as f64;
            let (mut t, mut warp) = (start, 0.0);
            for (i, &(e, l, s)) in stops.iter().enumerate() {
                if i > 0 {
                    t += travel;
                    if t < e {
                        t = e;
                    }
                    if t > l {
                        warp += t - l;
                        t = l;
                    }
                }
                t += s;
            }
            let cand = (warp, t - start + warp);
            if cand.0 < best.0 - 1e-9 || (cand.0 < best.0 + 1e-9 && cand.1 < best.1) {
                best = cand;
            }
        }
        best
    }

    #[test]
    fn joining_matches_a_walk_whatever_the_grouping() {
        let mut rng = crate::rng::Rng::new(7);
        for _ in 0..300 {
            let n = 2 + rng.below(5);
            let stops: Vec<(f64, f64, f64)> = (0..n)
                .map(|_| {
                    let e = (rng.below(100)) as f64;
                    (e, e + rng.below(40) as f64, rng.below(10) as f64)
                })
                .collect();
            let travel = 1.0 + rng.below(20) as f64;
            let seg = |&(e, l, s): &(f64, f64, f64)| TimeSegment::stop(e, l, s);
            // Left to right, and as two halves joined.
            let all = stops[1..]
                .iter()
                .fold(seg(&stops[0]), |acc, s| acc.then(travel, seg(s)));
            let cut = 1 + rng.below(n - 1);
            let half = |part: &[(f64, f64, f64)]| {
                part[1..]
                    .iter()
                    .fold(seg(&part[0]), |acc, s| acc.then(travel, seg(s)))
            };
            let joined = half(&stops[..cut]).then(travel, half(&stops[cut..]));
            assert!((all.time_warp - joined.time_warp).abs() < 1e-9);
            assert!((all.duration - joined.duration).abs() < 1e-9);
            let (warp, duration) = walk(&stops, travel);
            assert!((all.time_warp - warp).abs() < 1e-6, "{stops:?}");
            // The grid finds the shortest duration among least-warp starts
            // to within its step.
            assert!(all.duration <= duration + 1e-6, "{stops:?}");
            assert!(duration - all.duration <= (stops[0].1 - stops[0].0) / 1000.0 + 1e-6);
        }
    }

    #[test]
    fn peak_load_counts_deliveries_still_aboard_and_pickups_collected() {
        let l = |x: i64| Load([x, 0, 0]);
        // Deliver 5, collect 7, deliver 3: leave with 8, then 3, 10, 7.
        let a = LoadSegment::stop(l(5), l(0));
        let b = LoadSegment::stop(l(0), l(7));
        let c = LoadSegment::stop(l(3), l(0));
        assert_eq!(a.then(b).then(c).peak, l(10));
        assert_eq!(a.then(b.then(c)).peak, l(10));
        assert_eq!(a.then(c).then(b).peak, l(8));
    }
}
