//! What donors and communes were told, kept by a re-plan: each pending
//! request stays on the van and day (or the day) the earlier plan
//! announced, as a skill only that van has and its windows cut to that
//! day, so the search needs no special case. A promise is broken when
//! keeping it leaves the request out, or, with `replan.promise_cost`, when
//! a plan without promises saves more than that per promise it breaks.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;

use super::{Broken, Why};
use crate::model::{Interval, Problem};
use crate::plan::{Plan, Tour};

/// What one pending request was told, and how it was asked.
#[derive(Clone, Debug, PartialEq)]
pub struct Promise {
    /// Its windows and skills as asked, to release the promise.
    pub windows: Vec<Interval>,
    pub skills: Vec<String>,
    /// The day announced.
    pub day: NaiveDate,
    /// The van announced, when the promise holds it too.
    pub van: Option<String>,
}

/// The promises of a re-plan, and what breaking one costs (none: only
/// when keeping it leaves the request out).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Promised {
    pub requests: BTreeMap<String, Promise>,
    pub cost: Option<f64>,
}

impl Promised {
    /// The promises `plan` breaks: request → what it does instead.
    pub fn broken_by(&self, plan: &Plan) -> BTreeMap<String, Why> {
        let mut at: BTreeMap<&str, &Tour> = BTreeMap::new();
        for t in &plan.tours {
            for s in t.request_stops() {
                at.insert(s.job.as_str(), t);
            }
        }
        self.requests
            .iter()
            .filter_map(|(job, p)| {
                let what = match at.get(job.as_str()) {
                    None => Why::new("cheaper_left_out", &[]),
                    Some(t) if t.day != p.day.to_string() => {
                        Why::new("cheaper_day", &[("day", &t.day)])
                    }
                    Some(t) if p.van.as_ref().is_some_and(|v| *v != t.vehicle) => {
                        Why::new("cheaper_van", &[("van", &t.vehicle)])
                    }
                    Some(_) => return None,
                };
                Some((job.clone(), what))
            })
            .collect()
    }
}

/// Plans `problem` with `solve`. A promised request the plan leaves out is
/// released (its windows and skills as asked) and the problem planned once
/// more: the promise is broken only when keeping it leaves the request
/// out. Answers the plan, the problem it was made for, and the promises so
/// broken with why.
pub fn plan_keeping<E>(
    mut problem: Problem,
    promised: &Promised,
    mut solve: impl FnMut(&Problem) -> Result<Plan, E>,
) -> Result<(Plan, Problem, Broken), E> {
    let mut broken = BTreeMap::new();
    let mut plan = solve(&problem)?;
    // A few rounds at most: each releases the promises its plan could not
    // keep (another search may leave out another promised request).
    for round in 0..ROUNDS {
        let left: Vec<(String, String)> = plan
            .unassigned
            .iter()
            .filter(|u| promised.requests.contains_key(&u.job) && !broken.contains_key(&u.job))
            .map(|u| (u.job.clone(), u.reason.clone()))
            .collect();
        for (job, reason) in &left {
            broken.insert(job.clone(), Why::new("fleet_full", &[("reason", reason)]));
        }
        if left.is_empty() || round + 1 == ROUNDS {
            break;
        }
        // The requests left out are released: their windows and skills as
        // asked. (Loosening the others' vans too was measured: more moves,
        // hardly fewer left out.)
        release(&mut problem, promised, |job| {
            left.iter().any(|(j, _)| j == job)
        });
        plan = solve(&problem)?;
    }
    match promised.cost {
        Some(cost) if !promised.requests.is_empty() => {
            weigh(plan, problem, broken, promised, cost, &mut solve)
        }
        _ => Ok((plan, problem, broken)),
    }
}

/// With a cost per broken promise: the problem planned once more without
/// any promise, that plan kept when it leaves no more requests out and
/// costs less once each promise it breaks is priced.
fn weigh<E>(
    plan: Plan,
    problem: Problem,
    broken: Broken,
    promised: &Promised,
    cost: f64,
    solve: &mut impl FnMut(&Problem) -> Result<Plan, E>,
) -> Result<(Plan, Problem, Broken), E> {
    let mut free = problem.clone();
    release(&mut free, promised, |_| true);
    let free_plan = solve(&free)?;
    let breaks = promised.broken_by(&free_plan);
    let kept_total = plan.totals.cost + cost * broken.len() as f64;
    let free_total = free_plan.totals.cost + cost * breaks.len() as f64;
    if free_plan.unassigned.len() > plan.unassigned.len() || free_total >= kept_total {
        return Ok((plan, problem, broken));
    }
    let saved = format!("{:.2}", plan.totals.cost - free_plan.totals.cost);
    let n = breaks.len();
    let broken = breaks
        .into_iter()
        .map(|(job, mut why)| {
            why.args.insert("n".into(), n.to_string());
            why.args.insert("saved".into(), saved.clone());
            why.args.insert("cost".into(), cost.to_string());
            (job, why)
        })
        .collect();
    Ok((free_plan, free, broken))
}

/// Gives the promised requests `which` selects their windows and skills as
/// asked.
fn release(problem: &mut Problem, promised: &Promised, which: impl Fn(&str) -> bool) {
    for r in problem.pickups.iter_mut().chain(problem.orders.iter_mut()) {
        if let (Some(p), true) = (promised.requests.get(&r.id), which(&r.id)) {
            r.time_windows = p.windows.clone();
            r.skills = p.skills.clone();
        }
    }
}

/// Searches at most this many times to keep promises.
const ROUNDS: usize = 3;

/// The van's shifts on `day` it can still drive (not done, not out of
/// service).
fn shifts_on(v: &crate::model::Vehicle, day: chrono::NaiveDate) -> impl Iterator<Item = &Interval> {
    v.shifts
        .iter()
        .filter(move |s| s.start < s.end && s.start.date() == day)
}

/// Whether `v` can serve a site open in `windows` that needs `skills`, on `day`.
fn can_serve(
    v: &crate::model::Vehicle,
    day: chrono::NaiveDate,
    windows: &[Interval],
    skills: &[String],
) -> bool {
    skills
        .iter()
        .all(|s| s.starts_with("lock:") || v.skills.contains(s))
        && shifts_on(v, day).any(|s| windows.iter().any(|w| w.start < s.end && s.start < w.end))
}

/// Keeps what the earlier plan announced for each pending request that is
/// not locked: its van and day (a skill only that van has, its windows cut
/// to that day), or its day alone, as `replan.promises` says. A promise
/// that can no longer be kept (the van out of service, the site closed
/// that day) is kept as far as it can, and said: request → why.
pub(super) fn keep(
    p: &mut Problem,
    problem: &Problem,
    previous: &Plan,
    kept: &[Tour],
    replan: &crate::model::Replan,
) -> (Broken, Promised) {
    use crate::model::Promises;
    let mut broken = BTreeMap::new();
    let mut promised = Promised {
        requests: BTreeMap::new(),
        cost: replan.promise_cost,
    };
    if replan.promises == Promises::None {
        return (broken, promised);
    }
    let kept: BTreeSet<&str> = kept.iter().map(|t| t.id.as_str()).collect();
    let locked: BTreeSet<&str> = replan.locks.iter().map(|l| l.request.as_str()).collect();
    for t in previous
        .tours
        .iter()
        .filter(|t| !kept.contains(t.id.as_str()))
    {
        let Ok(day) = chrono::NaiveDate::parse_from_str(&t.day, "%Y-%m-%d") else {
            continue;
        };
        // (A drop is its pickup's second half: the pickup holds the promise.)
        for s in t
            .request_stops()
            .filter(|s| s.kind != crate::plan::StopKind::Drop)
        {
            if locked.contains(s.job.as_str()) {
                continue;
            }
            let Some(r) = p
                .pickups
                .iter_mut()
                .chain(p.orders.iter_mut())
                .find(|r| r.id == s.job)
            else {
                continue; // no longer asked
            };
            let windows = super::on_day(&r.time_windows, day, problem);
            if windows.is_empty() {
                broken.insert(s.job.clone(), Why::new("closed_that_day", &[("day", &day)]));
                continue;
            }
            let van = p.vehicles.iter().find(|v| v.id == t.vehicle);
            let van_keeps = van.is_some_and(|v| can_serve(v, day, &windows, &r.skills));
            let pinned = replan.promises == Promises::VanAndDay && van_keeps;
            promised.requests.insert(
                s.job.clone(),
                Promise {
                    windows: r.time_windows.clone(),
                    skills: r.skills.clone(),
                    day,
                    van: pinned.then(|| t.vehicle.clone()),
                },
            );
            if pinned {
                let skill = format!("lock:{}", t.vehicle);
                r.skills.push(skill.clone());
                r.time_windows = windows;
                if let Some(v) = p.vehicles.iter_mut().find(|v| v.id == t.vehicle) {
                    if !v.skills.contains(&skill) {
                        v.skills.push(skill);
                    }
                }
                continue;
            }
            if !p
                .vehicles
                .iter()
                .any(|v| can_serve(v, day, &windows, &r.skills))
            {
                broken.insert(s.job.clone(), Why::new("no_van_that_day", &[("day", &day)]));
                promised.requests.remove(&s.job);
                continue;
            }
            r.time_windows = windows;
            if replan.promises == Promises::VanAndDay {
                let (from, to) = (
                    day.and_time(chrono::NaiveTime::MIN),
                    (day + chrono::Days::new(1)).and_time(chrono::NaiveTime::MIN),
                );
                let out = replan
                    .out_of_service
                    .iter()
                    .any(|o| o.vehicle == t.vehicle && o.from < to && from < o.to);
                broken.insert(
                    s.job.clone(),
                    Why::new(
                        if out { "van_out" } else { "van_cannot" },
                        &[("van", &t.vehicle), ("day", &day)],
                    ),
                );
            }
        }
    }
    (broken, promised)
}
