//! Domain ↔ solver. A validated problem becomes a `tournee_solver::Problem`
//! (places as matrix indices, times in seconds from the horizon's start,
//! loads in grams, millilitres and devices, one solver vehicle per shift);
//! the solver's answer becomes a [`Plan`] with wall-clock times.

use std::collections::BTreeMap;

use chrono::{Duration, NaiveDateTime};
use tournee_solver as solver;
use tournee_solver::{Reason, TimeWindow};

use crate::input::measure;
use crate::model::{self, Request};
use crate::plan::{Plan, StopKind};
use crate::routing::Travel;

mod merge;
mod to_plan;

/// The two kinds of request, and the second half of a pickup taken to a
/// partner site or another workshop (`deliver_to`): its drop there.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    Pickup,
    Delivery,
    Drop,
}

impl Side {
    fn kind(self) -> StopKind {
        match self {
            Side::Pickup => StopKind::Pickup,
            Side::Delivery => StopKind::Delivery,
            Side::Drop => StopKind::Drop,
        }
    }

    /// The problem's requests of this kind (a drop's is its pickup).
    fn list(self, p: &model::Problem) -> &[Request] {
        match self {
            Side::Pickup | Side::Drop => &p.pickups,
            Side::Delivery => &p.orders,
        }
    }
}

/// Where a pickup's devices are dropped: the place's index in the
/// matrices (numbered as in `routing::places`), its opening hours and the
/// time to unload there.
fn drop_place<'a>(
    p: &'a model::Problem,
    r: &Request,
) -> Option<(usize, &'a [model::Interval], f64)> {
    let place = p.drop_place(r)?;
    let index = match place {
        model::DropPlace::Partner(s) => {
            let k = p.partners.iter().position(|x| x.id == s.id)?;
            p.depots.len() + p.pickups.len() + p.orders.len() + k
        }
        model::DropPlace::Depot(d) => p.depots.iter().position(|x| x.id == d.id)?,
    };
    Some((index, place.opening_hours(), place.service_minutes()))
}

/// Which request a solver job stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct JobRef {
    pub kind: Side,
    /// Index in `pickups` or `orders`.
    pub index: usize,
}

/// Which vehicle shift a solver vehicle stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ShiftRef {
    pub vehicle: usize,
    pub shift: usize,
}

/// A solver problem and the way back to the domain.
pub struct Conversion {
    pub problem: solver::Problem,
    pub jobs: Vec<JobRef>,
    pub shifts: Vec<ShiftRef>,
    /// Requests no road reaches: left out of the search, reported as such.
    pub unroutable: Vec<(Side, usize, String)>,
    /// Solver jobs that serve several requests at one place in one visit
    /// (`merge.rs`): the job → the other requests of its kind, in the
    /// order they are served after its own.
    pub followers: BTreeMap<usize, Vec<usize>>,
    /// How travel was estimated.
    pub travel: String,
}

/// No vehicle carries more devices than this when `capacity.units` is absent.
const UNLIMITED: i64 = i64::MAX / 4;

/// Converts a validated problem, with travel figures over its places
/// ([`routing::places`]); requests at one place that fit together are
/// one job, served in one visit (`merge.rs`).
pub fn to_solver(p: &model::Problem, travel: &Travel) -> Conversion {
    convert(p, travel, true)
}

/// Converts a problem one job per request: for placing a request in a
/// plan's tours as they are (`insert.rs`), where each stop is a job.
pub fn to_solver_apart(p: &model::Problem, travel: &Travel) -> Conversion {
    convert(p, travel, false)
}

/// The capacity of a van in the solver's units.
fn capacity_of(veh: &model::Vehicle) -> solver::Load {
    solver::Load([
        grams(veh.capacity.kg),
        millilitres(veh.capacity.m3 * 1000.0),
        veh.capacity.units.map_or(UNLIMITED, i64::from),
    ])
}

fn convert(p: &model::Problem, travel: &Travel, merging: bool) -> Conversion {
    let depot_index: BTreeMap<&str, usize> = p
        .depots
        .iter()
        .enumerate()
        .map(|(i, d)| (d.id.as_str(), i))
        .collect();
    let mut unroutable = Vec::new();
    let skills = skill_bits(p);
    let bits = |names: &[String]| {
        names
            .iter()
            .fold(0u64, |acc, s| acc | skills.get(s).copied().unwrap_or(0))
    };
    let secs = |t: NaiveDateTime| seconds_from(p.horizon.start, t);

    let mut jobs = Vec::new();
    let mut refs = Vec::new();
    let requests = p
        .pickups
        .iter()
        .enumerate()
        .map(|(i, r)| (Side::Pickup, i, r))
        .chain(
            p.orders
                .iter()
                .enumerate()
                .map(|(i, r)| (Side::Delivery, i, r)),
        );
    // Places are numbered as in `routing::places`: depots, then requests;
    // an open tour ends at a place one past the others, at no distance and
    // no time from any of them: the tour's last stop is its end.
    let places = travel.distance.size();
    let unreached = |at: usize| travel.unroutable.iter().find(|(i, _)| *i == at);
    // Requests at one place served in one visit: the first's job serves
    // the others (skipped below).
    let same_place = |kind: Side, first: usize| {
        if !merging {
            return merge::Followers::new();
        }
        let trip = |v: usize, i: usize| {
            let veh = &p.vehicles[v];
            let start = depot_index.get(veh.depot.as_str()).copied().unwrap_or(0);
            let at = first + i;
            let back = match (veh.open_tour, veh.end_id()) {
                (true, _) => 0.0,
                (false, end) => {
                    let end = end
                        .and_then(|e| depot_index.get(e))
                        .copied()
                        .unwrap_or(start);
                    travel.duration.get(at, end)
                }
            };
            (travel.duration.get(start, at) + back) / veh.speed_factor
        };
        merge::same_place(p, kind, |i| unreached(first + i).is_some(), trip)
    };
    // By the place (matrix index) of the first request of a visit: the
    // others' indices in their list; and the places of those others.
    let mut visits: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    let mut served_after = std::collections::BTreeSet::new();
    let first_order = p.depots.len() + p.pickups.len();
    for (kind, first) in [
        (Side::Pickup, p.depots.len()),
        (Side::Delivery, first_order),
    ] {
        for (lead, after) in same_place(kind, first) {
            served_after.extend(after.iter().map(|&i| first + i));
            visits.insert(first + lead, after);
        }
    }
    let mut followers = BTreeMap::new();
    let open_end = p.vehicles.iter().any(|v| v.open_tour);
    // Set-up times by place (none at the depots nor at an open tour's end),
    // when a request has one.
    let mut setup = Vec::new();
    if p.pickups
        .iter()
        .chain(&p.orders)
        .any(|r| r.setup_minutes > 0.0)
    {
        setup = vec![0.0; places + usize::from(open_end)];
    }
    for (location, (kind, index, r)) in (p.depots.len()..).zip(requests) {
        if let Some(s) = setup.get_mut(location) {
            *s = r.setup_minutes * 60.0;
        }
        if served_after.contains(&location) {
            continue;
        }
        let after = visits.remove(&location).unwrap_or_default();
        let others = after.iter().map(|&i| &kind.list(p)[i]);
        let load = others.clone().fold(load_of(r, p), |l, o| l + load_of(o, p));
        let dropped = drop_place(p, r);
        if let Some((_, why)) = unreached(location) {
            unroutable.push((kind, index, why.clone()));
            continue;
        }
        if let Some((_, why)) = dropped.and_then(|(at, _, _)| unreached(at)) {
            unroutable.push((kind, index, format!("the place it is taken to: {why}")));
            continue;
        }
        let windows = |w: &[model::Interval]| -> Vec<TimeWindow> {
            let mut out: Vec<TimeWindow> = w
                .iter()
                .map(|w| TimeWindow::new(secs(w.start), secs(w.end)))
                .collect();
            merge_windows(&mut out);
            out
        };
        let (pickup, delivery) = match kind {
            Side::Pickup => (load, solver::Load::ZERO),
            _ => (solver::Load::ZERO, load),
        };
        let value = |r: &Request| match r.priority {
            model::Priority::Mandatory => None,
            model::Priority::Optional(v) => Some(v),
        };
        let prize = others
            .clone()
            .fold(value(r), |sum, o| Some(sum? + value(o)?));
        // One service after the other: the last starts once the others
        // are served.
        let services: Vec<f64> = std::iter::once(r)
            .chain(others)
            .map(|o| o.service_minutes * 60.0)
            .collect();
        let service: f64 = services.iter().sum();
        let before_last = service - services.last().copied().unwrap_or(0.0);
        let first = jobs.len();
        if !after.is_empty() {
            followers.insert(first, after.clone());
        }
        jobs.push(solver::Job {
            location,
            pickup,
            delivery,
            service,
            windows: merge::windows(windows(&r.time_windows), before_last),
            skills: bits(&r.skills),
            prize,
            shipment: dropped.map(|_| solver::Shipment::PickupFor(first + 1)),
        });
        refs.push(JobRef { kind, index });
        // A pickup taken elsewhere: a shipment from its site to that place,
        // in the same tour; the shipment's value rides on its first half.
        if let Some((at, hours, minutes)) = dropped {
            jobs.push(solver::Job {
                location: at,
                pickup: solver::Load::ZERO,
                delivery: load,
                service: minutes * 60.0,
                windows: windows(hours),
                skills: bits(&r.skills),
                prize: prize.map(|_| 0.0),
                shipment: Some(solver::Shipment::DeliveryOf(first)),
            });
            refs.push(JobRef {
                kind: Side::Drop,
                index,
            });
        }
    }

    let mut vehicles = Vec::new();
    let mut shifts = Vec::new();
    let mut drivers = Vec::new();
    for (vi, veh) in p.vehicles.iter().enumerate() {
        // A driver's hours over the van's shifts: each tour at most that
        // long too, so that every one is scheduled (`solver::Driver`).
        let driver = veh.max_driver_hours.map(|h| h * 3600.0);
        if let Some(limit) = driver {
            drivers.push(solver::Driver {
                shifts: (vehicles.len()..vehicles.len() + veh.shifts.len()).collect(),
                max_duration: limit,
            });
        }
        let longest = match (veh.max_tour_hours.map(|h| h * 3600.0), driver) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        let start = depot_index.get(veh.depot.as_str()).copied().unwrap_or(0);
        let end = match veh.end_id() {
            Some(id) => depot_index.get(id).copied().unwrap_or(start),
            None => places,
        };
        let end_hours = p.depots.get(end).map_or(&[][..], |d| &d.opening_hours[..]);
        for (si, shift) in veh.shifts.iter().enumerate() {
            let open = model::usable_shift(shift, &p.depots[start].opening_hours, end_hours);
            vehicles.push(solver::Vehicle {
                start,
                end,
                shift: TimeWindow::new(secs(open.start), secs(open.end)),
                capacity: capacity_of(veh),
                skills: bits(&veh.skills),
                max_duration: longest,
                max_distance: veh.max_tour_km.map(|km| km * 1000.0),
                max_jobs: veh.max_stops.map(|n| n as usize),
                fixed_cost: veh.costs.fixed,
                cost_per_distance: veh.costs.per_km / 1000.0,
                cost_per_time: veh.costs.per_hour / 3600.0,
                speed_factor: veh.speed_factor,
                driver_break: veh.daily_break.as_ref().and_then(|b| {
                    let w = b.window(shift.start.date())?;
                    Some(solver::Break {
                        window: TimeWindow::new(secs(w.start), secs(w.end)),
                        duration: b.minutes * 60.0,
                    })
                }),
                max_trips: veh.trips as usize,
                reload_service: veh.reload_minutes * 60.0,
            });
            shifts.push(ShiftRef {
                vehicle: vi,
                shift: si,
            });
        }
    }

    Conversion {
        problem: solver::Problem {
            jobs,
            vehicles,
            distance: with_open_end(&travel.distance, open_end),
            duration: with_open_end(&travel.duration, open_end),
            setup,
            drivers,
        },
        jobs: refs,
        shifts,
        unroutable,
        followers,
        travel: travel.description.clone(),
    }
}

/// Why a validated problem could not be planned.
#[derive(Debug, Clone, PartialEq)]
pub enum PlanError {
    /// A mistake that shows only with the travel figures (a van that cannot
    /// reach its end workshop in its shift), with its field path.
    Invalid(Vec<crate::input::FieldError>),
    /// The solver refused the converted problem (a fault of ours).
    Search(solver::ProblemError),
}

impl std::fmt::Display for PlanError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PlanError::Invalid(errors) => {
                let lines: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
                f.write_str(&lines.join("; "))
            }
            PlanError::Search(e) => write!(f, "the solver refused the problem: {e}"),
        }
    }
}

/// Plans a validated problem with its own solver settings, running `threads`
/// independent searches; `progress` hears from the search as it goes, and
/// setting `cancel` stops it early with the best plan so far.
pub fn plan(
    p: &model::Problem,
    travel: &Travel,
    threads: usize,
    cancel: Option<std::sync::Arc<std::sync::atomic::AtomicBool>>,
    progress: impl FnMut(&solver::Progress),
) -> Result<Plan, PlanError> {
    let unreachable = crate::shifts::reach_errors(p, travel);
    if !unreachable.is_empty() {
        return Err(PlanError::Invalid(unreachable));
    }
    let conversion = to_solver(p, travel);
    let params = solver::Params {
        seed: p.solver.seed,
        time_limit: Some(std::time::Duration::from_secs_f64(p.solver.time_limit_s)),
        iteration_limit: p.solver.iteration_limit,
        threads,
        cancel,
        ..Default::default()
    };
    let solution =
        solver::solve(&conversion.problem, &params, progress).map_err(PlanError::Search)?;
    Ok(conversion.to_plan(p, &solution))
}

/// Skill names → bits, in name order so that the mapping is stable.
fn skill_bits(p: &model::Problem) -> BTreeMap<String, u64> {
    p.skill_names()
        .into_iter()
        .take(64)
        .enumerate()
        .map(|(i, s)| (s.to_string(), 1u64 << i))
        .collect()
}

fn grams(kg: f64) -> i64 {
    (kg * 1000.0).round() as i64
}

fn millilitres(litres: f64) -> i64 {
    (litres * 1000.0).round() as i64
}

/// What a request weighs, occupies and counts, in solver units.
pub fn load_of(r: &Request, p: &model::Problem) -> solver::Load {
    let (kg, litres, units) = measure(&r.devices, &p.devices);
    solver::Load([grams(kg), millilitres(litres), units as i64])
}

pub fn seconds_from(origin: NaiveDateTime, t: NaiveDateTime) -> f64 {
    (t - origin).num_milliseconds() as f64 / 1000.0
}

fn wall_clock(origin: NaiveDateTime, secs: f64) -> NaiveDateTime {
    origin + Duration::seconds(secs.round() as i64)
}

/// Sorts windows and merges those that overlap or touch.
fn merge_windows(w: &mut Vec<TimeWindow>) {
    w.sort_by(|a, b| a.start.total_cmp(&b.start));
    let mut out: Vec<TimeWindow> = Vec::with_capacity(w.len());
    for x in w.drain(..) {
        match out.last_mut() {
            Some(last) if x.start <= last.end => last.end = last.end.max(x.end),
            _ => out.push(x),
        }
    }
    *w = out;
}

/// `m`, and when some tour is open one more place at zero from and to all.
fn with_open_end(m: &solver::Matrix, open_end: bool) -> solver::Matrix {
    if !open_end {
        return m.clone();
    }
    let n = m.size();
    solver::Matrix::from_fn(n + 1, |a, b| if a < n && b < n { m.get(a, b) } else { 0.0 })
}

impl Conversion {
    /// The solver job that stands for request `id`.
    pub fn job_of(&self, p: &model::Problem, id: &str) -> Option<usize> {
        let named = |kind: Side, i: usize| kind.list(p).get(i).is_some_and(|r| r.id == id);
        self.jobs.iter().enumerate().position(|(k, j)| {
            j.kind != Side::Drop
                && (named(j.kind, j.index)
                    || self
                        .followers
                        .get(&k)
                        .is_some_and(|f| f.iter().any(|&i| named(j.kind, i))))
        })
    }

    /// The solver job a plan's stop stands for: its request, or the drop
    /// of a pickup taken elsewhere.
    pub fn stop_job(&self, p: &model::Problem, stop: &crate::plan::Stop) -> Option<usize> {
        if stop.kind != StopKind::Drop {
            return self.job_of(p, &stop.job);
        }
        self.jobs.iter().position(|j| {
            j.kind == Side::Drop && p.pickups.get(j.index).is_some_and(|r| r.id == stop.job)
        })
    }

    /// The solver vehicle that stands for shift `shift` of vehicle `id`.
    pub fn vehicle_of(&self, p: &model::Problem, id: &str, shift: usize) -> Option<usize> {
        self.shifts
            .iter()
            .position(|s| s.shift == shift && p.vehicles.get(s.vehicle).is_some_and(|v| v.id == id))
    }
}

/// A reason from its machine-readable name (the inverse of [`reason_code`]).
pub fn reason_of(code: &str) -> Option<Reason> {
    [
        Reason::NoVehicleWithSkills,
        Reason::ExceedsCapacity,
        Reason::TimeWindowUnreachable,
        Reason::ShiftTooShort,
        Reason::MaxDistanceExceeded,
        Reason::NotProfitable,
        Reason::FleetFull,
    ]
    .into_iter()
    .find(|&r| reason_code(r) == code)
}

/// The machine-readable name of a reason.
pub fn reason_code(r: Reason) -> &'static str {
    match r {
        Reason::NoVehicleWithSkills => "no_vehicle_with_skills",
        Reason::ExceedsCapacity => "exceeds_capacity",
        Reason::TimeWindowUnreachable => "time_window_unreachable",
        Reason::ShiftTooShort => "shift_too_short",
        Reason::MaxDistanceExceeded => "max_distance_exceeded",
        Reason::NotProfitable => "not_profitable",
        Reason::FleetFull => "fleet_full",
    }
}
