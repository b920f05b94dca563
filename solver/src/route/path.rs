//! The times along one job order: earliest and latest service, the
//! driver's break placed where it delays the return least, reloads as stops
//! at the depot.

use super::Violation;
use crate::problem::{Break, Job, Problem};

/// Where the break goes: in the gap after position `gap`, either right
/// there (before driving on) or on arrival at the next position.
#[derive(Clone, Copy, Debug)]
pub(super) struct Placement {
    pub(super) gap: usize,
    pub(super) on_arrival: bool,
    pub(super) rest: Break,
}

/// The times of one job order, with its reloads and the driver's break
/// placed where it delays the return least. Positions are 0 (start depot),
/// 1..=m (the stops: jobs and reloads) and m + 1 (end depot).
pub(super) struct Path<'a> {
    pub(super) problem: &'a Problem,
    pub(super) v: usize,
    /// Each stop: a job, or `None` for a reload at the start depot.
    pub(super) stops: Vec<Option<usize>>,
    pub(super) reload: Job,
    pub(super) loc: Vec<usize>,
    pub(super) rest: Option<Break>,
}

impl<'a> Path<'a> {
    /// `reloads` holds the jobs (by index in `jobs`) before which the
    /// vehicle goes back to reload.
    pub(super) fn new(problem: &'a Problem, v: usize, jobs: &[usize], reloads: &[usize]) -> Self {
        let veh = &problem.vehicles[v];
        let mut stops = Vec::with_capacity(jobs.len() + reloads.len());
        for (i, &j) in jobs.iter().enumerate() {
            if reloads.contains(&i) {
                stops.push(None);
            }
            stops.push(Some(j));
        }
        let reload = Job {
            service: veh.reload_service,
            ..Job::at(veh.start)
        };
        let mut loc = Vec::with_capacity(stops.len() + 2);
        loc.push(veh.start);
        loc.extend(
            stops
                .iter()
                .map(|s| s.map_or(veh.start, |j| problem.jobs[j].location)),
        );
        loc.push(veh.end);
        // An empty tour is not driven, and a shift that starts after the
        // window has closed has had its break before.
        let rest = veh
            .driver_break
            .filter(|b| !jobs.is_empty() && veh.shift.start <= b.window.end);
        Path {
            problem,
            v,
            stops,
            reload,
            loc,
            rest,
        }
    }

    /// The job served at stop `k` (0-based), a reload's own for reloads.
    #[inline]
    pub(super) fn job(&self, k: usize) -> &Job {
        self.stops[k].map_or(&self.reload, |j| &self.problem.jobs[j])
    }

    #[inline]
    pub(super) fn travel(&self, k: usize) -> f64 {
        self.problem
            .travel_time(self.v, self.loc[k], self.loc[k + 1])
    }

    /// Earliest return when leaving at `departure`, by a forward pass that
    /// follows two schedules: break still to take, break taken.
    pub(super) fn earliest(&self, departure: f64) -> Result<(f64, Option<Placement>), Violation> {
        let n = self.stops.len();
        let mut ahead = departure; // leaving position k, break still to take
        let mut behind = f64::INFINITY; // leaving position k, break taken
                                        // The last time the break schedule switches over is where the
                                        // break on the kept schedule is taken.
        let mut taken = None;
        for k in 0..=n {
            let travel = self.travel(k);
            let mut ready_behind = behind + travel;
            if let Some((ready, p)) = self.rest.and_then(|b| through_break(b, ahead, travel, k)) {
                if ready < ready_behind {
                    ready_behind = ready;
                    taken = Some(p);
                }
            }
            let ready_ahead = ahead + travel;
            if k == n {
                return match self.rest {
                    Some(b) if ready_ahead > b.window.start => {
                        if ready_behind.is_finite() {
                            Ok((ready_behind, taken))
                        } else {
                            Err(Violation::Break)
                        }
                    }
                    _ => Ok((ready_ahead, None)),
                };
            }
            let job = self.job(k);
            ahead = serve(job, ready_ahead);
            behind = serve(job, ready_behind);
            if ahead.is_infinite() && behind.is_infinite() {
                return Err(Violation::TimeWindow(k + 1));
            }
        }
        unreachable!("the loop returns at the end depot")
    }

    /// Latest departure that still returns by `ret`, by a backward pass over
    /// the same two schedules (latest service starts).
    pub(super) fn latest_departure(&self, ret: f64, with_break: bool) -> f64 {
        let rest = self.rest.filter(|_| with_break);
        let mut behind = ret; // latest start at position k + 1, break taken
        let mut ahead = if rest.is_some() {
            f64::NEG_INFINITY
        } else {
            ret
        };
        for k in (0..=self.stops.len()).rev() {
            let travel = self.travel(k);
            let leave_behind = behind - travel;
            let mut leave_ahead = ahead - travel;
            if let Some(b) = rest {
                // On arrival at k + 1, or before leaving k.
                let on_arrival = (behind - b.duration).min(b.window.end);
                if b.window.start <= on_arrival {
                    leave_ahead = leave_ahead.max(on_arrival - travel);
                }
                let before = (behind - b.duration - travel).min(b.window.end);
                if b.window.start <= before {
                    leave_ahead = leave_ahead.max(before);
                }
            }
            if k == 0 {
                return if rest.is_some() {
                    leave_ahead
                } else {
                    leave_behind
                };
            }
            let job = self.job(k - 1);
            behind = latest(job, leave_behind - job.service);
            ahead = latest(job, leave_ahead - job.service);
        }
        unreachable!("the loop returns at the start depot")
    }
}

/// Leaving at `time` from the stop before a leg of `travel`, the earliest
/// time the next stop can be served when the break is taken in between: on
/// arrival when the window allows, since that is never later, else before
/// leaving.
pub(super) fn through_break(
    b: Break,
    time: f64,
    travel: f64,
    gap: usize,
) -> Option<(f64, Placement)> {
    let place = |on_arrival| Placement {
        gap,
        on_arrival,
        rest: b,
    };
    let on_arrival = (time + travel).max(b.window.start);
    if on_arrival <= b.window.end {
        return Some((on_arrival + b.duration, place(true)));
    }
    let before = time.max(b.window.start);
    (before <= b.window.end).then(|| (before + b.duration + travel, place(false)))
}

/// Departure after serving `job` when ready at `ready` (infinite: never).
pub(super) fn serve(job: &Job, ready: f64) -> f64 {
    if !ready.is_finite() {
        return f64::INFINITY;
    }
    job.service_start(ready)
        .map_or(f64::INFINITY, |s| s + job.service)
}

/// Latest service start at or before `deadline` (minus infinity: none).
pub(super) fn latest(job: &Job, deadline: f64) -> f64 {
    if !deadline.is_finite() {
        return f64::NEG_INFINITY;
    }
    match job.latest_start(deadline) {
        Some(start) => start,
        // A deadline a rounding error before a window opens still meets
        // it, by waiting: else the whole tour would leave at its shift's
        // start and count every wait in its duration.
        None if job.latest_start(deadline + 1e-7).is_some() => deadline,
        None => f64::NEG_INFINITY,
    }
}
