//! Domain ↔ solver. A validated problem becomes a `tournee_solver::Problem`
//! (places as matrix indices, times in seconds from the horizon's start,
//! loads in grams, millilitres and devices, one solver vehicle per shift);
//! the solver's answer becomes a [`Plan`] with wall-clock times.

use std::collections::BTreeMap;

use chrono::{Duration, NaiveDateTime};
use tournee_solver as solver;
use tournee_solver::{Reason, Solution, TimeWindow};

use crate::emissions;
use crate::input::measure;
use crate::model::{self, Request};
use crate::plan::{self, Plan, StopKind, Totals, PLAN_FORMAT};
use crate::routing::Travel;

/// The two kinds of request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    Pickup,
    Delivery,
}

impl Side {
    fn kind(self) -> StopKind {
        match self {
            Side::Pickup => StopKind::Pickup,
            Side::Delivery => StopKind::Delivery,
        }
    }

    /// The problem's requests of this kind.
    fn list(self, p: &model::Problem) -> &[Request] {
        match self {
            Side::Pickup => &p.pickups,
            Side::Delivery => &p.orders,
        }
    }
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
    /// How travel was estimated.
    pub travel: String,
}

/// No vehicle carries more devices than this when `capacity.units` is absent.
const UNLIMITED: i64 = i64::MAX / 4;

/// Converts a validated problem, with travel figures over its places
/// ([`routing::places`]).
pub fn to_solver(p: &model::Problem, travel: &Travel) -> Conversion {
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
        let load = load_of(r, p);
        if let Some((_, why)) = travel.unroutable.iter().find(|(i, _)| *i == location) {
            unroutable.push((kind, index, why.clone()));
            continue;
        }
        let mut windows: Vec<TimeWindow> = r
            .time_windows
            .iter()
            .map(|w| TimeWindow::new(secs(w.start), secs(w.end)))
            .collect();
        merge_windows(&mut windows);
        let (pickup, delivery) = match kind {
            Side::Pickup => (load, solver::Load::ZERO),
            Side::Delivery => (solver::Load::ZERO, load),
        };
        jobs.push(solver::Job {
            location,
            pickup,
            delivery,
            service: r.service_minutes * 60.0,
            windows,
            skills: bits(&r.skills),
            prize: match r.priority {
                model::Priority::Mandatory => None,
                model::Priority::Optional(v) => Some(v),
            },
            shipment: None,
        });
        refs.push(JobRef { kind, index });
    }

    let mut vehicles = Vec::new();
    let mut shifts = Vec::new();
    for (vi, veh) in p.vehicles.iter().enumerate() {
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
                capacity: solver::Load([
                    grams(veh.capacity.kg),
                    millilitres(veh.capacity.m3 * 1000.0),
                    veh.capacity.units.map_or(UNLIMITED, i64::from),
                ]),
                skills: bits(&veh.skills),
                max_duration: veh.max_tour_hours.map(|h| h * 3600.0),
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
        },
        jobs: refs,
        shifts,
        unroutable,
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

fn r3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

fn r2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

fn plan_load(l: solver::Load) -> plan::Load {
    plan::Load {
        kg: r3(l.0[0] as f64 / 1000.0),
        m3: r3(l.0[1] as f64 / 1e6),
        units: l.0[2].max(0) as u64,
    }
}

impl Conversion {
    fn request<'a>(&self, p: &'a model::Problem, job: usize) -> (StopKind, &'a Request) {
        let r = self.jobs[job];
        (r.kind.kind(), &r.kind.list(p)[r.index])
    }

    /// The plan for `solution`, with wall-clock times.
    pub fn to_plan(&self, p: &model::Problem, solution: &Solution) -> Plan {
        let origin = p.horizon.start;
        let clock = |s: f64| model::wall_clock::format(&wall_clock(origin, s));
        let mut tours = Vec::new();
        let mut totals = Totals::default();
        let mut per_day: BTreeMap<(usize, String), usize> = BTreeMap::new();
        for route in &solution.routes {
            let Ok(sched) = solver::schedule(&self.problem, route.vehicle, &route.jobs) else {
                continue; // the search only returns feasible tours
            };
            let ShiftRef { vehicle, shift } = self.shifts[route.vehicle];
            let veh = &p.vehicles[vehicle];
            let sv = &self.problem.vehicles[route.vehicle];
            let day = wall_clock(origin, sched.departure).date().to_string();
            let nth = per_day.entry((vehicle, day.clone())).or_insert(0);
            *nth += 1;
            let id = if *nth == 1 {
                format!("{}/{day}", veh.id)
            } else {
                format!("{}/{day}#{nth}", veh.id)
            };
            let mut prev = sv.start;
            let home = if sv.end < p.depots.len() {
                sv.end
            } else {
                sv.start
            };
            let mut stops = Vec::new();
            let factor = emissions::factor(veh);
            let km = |a: usize, b: usize| self.problem.distance.get(a, b) / 1000.0;
            let mut reloads = sched.reloads.iter().peekable();
            for (k, visit) in sched.visits.iter().enumerate() {
                if let Some(r) = reloads.next_if(|r| r.after == k) {
                    let depot = &p.depots[sv.start];
                    stops.push(plan::Stop {
                        job: depot.id.clone(),
                        kind: StopKind::Reload,
                        name: depot.name.clone(),
                        address: depot.address.clone(),
                        location: depot.location,
                        contact: Default::default(),
                        setup_min: 0.0,
                        devices: BTreeMap::new(),
                        travel_km: r3(km(prev, sv.start)),
                        arrival: clock(r.arrival),
                        start: clock(r.start),
                        departure: clock(r.departure),
                        waiting_min: r2((r.start - r.arrival) / 60.0),
                        load: plan_load(r.load),
                        co2e_kg: r3(r3(km(prev, sv.start)) * factor),
                        baseline_km: 0.0,
                        insee: None,
                        commune: String::new(),
                        commune_nearest: false,
                    });
                    prev = sv.start;
                }
                let (kind, r) = self.request(p, visit.job);
                let loc = self.problem.jobs[visit.job].location;
                // The solver's arrival is when the set-up is done.
                let setup = self.problem.setup_on(prev, loc);
                stops.push(plan::Stop {
                    job: r.id.clone(),
                    kind,
                    name: r.name.clone(),
                    address: r.address.clone(),
                    location: r.location,
                    contact: r.contact.clone(),
                    devices: r.devices.clone(),
                    travel_km: r3(km(prev, loc)),
                    arrival: clock(visit.arrival - setup),
                    setup_min: r2(setup / 60.0),
                    start: clock(visit.start),
                    departure: clock(visit.departure),
                    waiting_min: r2((visit.start - visit.arrival) / 60.0),
                    load: plan_load(visit.load),
                    co2e_kg: r3(r3(km(prev, loc)) * factor),
                    // A round trip, back to the start depot for an open tour.
                    baseline_km: r3(km(sv.start, loc) + km(loc, home)),
                    insee: None,
                    commune: String::new(),
                    commune_nearest: false,
                });
                place_in_commune(stops.last_mut(), r);
                let devices: u64 = r.devices.values().map(|&c| c as u64).sum();
                if kind == StopKind::Pickup {
                    totals.pickups_planned += 1;
                    totals.devices_collected += devices;
                } else {
                    totals.orders_planned += 1;
                    totals.devices_delivered += devices;
                }
                totals.stops += 1;
                prev = loc;
            }
            let cost = solver::route::tour_cost(&self.problem, route.vehicle, &sched);
            totals.tours += 1;
            totals.distance_km += sched.distance / 1000.0;
            totals.duration_h += sched.duration() / 3600.0;
            totals.cost += cost;
            let co2e_kg = r3(r3(sched.distance / 1000.0) * factor);
            totals.co2e_kg += co2e_kg;
            tours.push(plan::Tour {
                id,
                vehicle: veh.id.clone(),
                shift,
                day,
                depot: p.depots[sv.start].id.clone(),
                // Empty for an open tour (it ends at its last stop).
                end_depot: p.depots.get(sv.end).map_or(String::new(), |d| d.id.clone()),
                departure: clock(sched.departure),
                return_: clock(sched.arrival),
                distance_km: r3(sched.distance / 1000.0),
                duration_h: r3(sched.duration() / 3600.0),
                cost: r2(cost),
                load_at_departure: plan_load(sched.initial_load),
                return_km: r3(self.problem.distance.get(prev, sv.end) / 1000.0),
                geometry: straight_lines(p, veh, &stops),
                stops,
                energy: veh.energy.key().to_string(),
                co2e_kg_per_km: factor,
                co2e_kg,
                driver_break: sched.driver_break.map(|b| plan::Break {
                    after_stop: b.after,
                    start: clock(b.start),
                    end: clock(b.end),
                }),
            });
        }
        tours.sort_by(|a, b| {
            a.departure
                .cmp(&b.departure)
                .then(a.vehicle.cmp(&b.vehicle))
        });
        let mut unassigned: Vec<plan::Unassigned> = solution
            .unassigned
            .iter()
            .map(|&(job, reason)| {
                let (kind, r) = self.request(p, job);
                plan::Unassigned {
                    job: r.id.clone(),
                    kind,
                    name: r.name.clone(),
                    reason: reason_code(reason).to_string(),
                    message: self.reason_message(p, job, reason),
                }
            })
            .collect();
        for (kind, index, why) in &self.unroutable {
            let r = &kind.list(p)[*index];
            unassigned.push(plan::Unassigned {
                job: r.id.clone(),
                kind: kind.kind(),
                name: r.name.clone(),
                reason: "unroutable".to_string(),
                message: format!("the road network does not reach it: {why}"),
            });
        }
        totals.unassigned = unassigned.len();
        totals.distance_km = r3(totals.distance_km);
        totals.duration_h = r3(totals.duration_h);
        totals.cost = r2(totals.cost);
        totals.co2e_kg = r3(totals.co2e_kg);
        Plan {
            format: PLAN_FORMAT.to_string(),
            name: p.name.clone(),
            travel_model: self.travel.clone(),
            seed: p.solver.seed,
            iterations: solution.iterations,
            totals,
            tours,
            unassigned,
            changes: Vec::new(),
        }
    }

    fn reason_message(&self, p: &model::Problem, job: usize, reason: Reason) -> String {
        let (_, r) = self.request(p, job);
        match reason {
            // (A lock's own skill, `lock:VAN`, is the planner's, not the site's.)
            Reason::NoVehicleWithSkills => format!(
                "needs {} and no vehicle has it",
                r.skills
                    .iter()
                    .filter(|s| !s.starts_with("lock:"))
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(" + ")
            ),
            Reason::ExceedsCapacity => {
                let (kg, litres, n) = measure(&r.devices, &p.devices);
                let biggest = p
                    .vehicles
                    .iter()
                    .filter(|v| r.skills.iter().all(|s| v.skills.contains(s)))
                    .map(|v| format!("{} kg / {} m3", v.capacity.kg, v.capacity.m3))
                    .collect::<Vec<_>>()
                    .join(", ");
                format!(
                    "{n} devices ({kg:.1} kg, {:.2} m3) do not fit in any vehicle able to serve it ({biggest}); split the request",
                    litres / 1000.0
                )
            }
            Reason::TimeWindowUnreachable => {
                "no vehicle shift can reach the site while it is open".to_string()
            }
            Reason::ShiftTooShort => "the site can be reached while open, but no vehicle could then be back at its depot before the end of its shift or within its maximum tour time".to_string(),
            Reason::MaxDistanceExceeded => {
                "the round trip from the depot is longer than every vehicle's maximum tour distance".to_string()
            }
            Reason::NotProfitable => match r.priority {
                model::Priority::Optional(v) => {
                    format!("optional request: serving it costs more than its value ({v})")
                }
                model::Priority::Mandatory => "serving it costs more than its value".to_string(),
            },
            Reason::FleetFull => "it fits a vehicle on its own, but every tour that could take it is full (load, time or its most stops): add a shift or a vehicle".to_string(),
        }
    }
}

/// `m`, and when some tour is open one more place at zero from and to all.
fn with_open_end(m: &solver::Matrix, open_end: bool) -> solver::Matrix {
    if !open_end {
        return m.clone();
    }
    let n = m.size();
    solver::Matrix::from_fn(n + 1, |a, b| if a < n && b < n { m.get(a, b) } else { 0.0 })
}

/// A tour drawn as straight lines from its depot through its stops and back,
/// until a road server gives the real path.
fn straight_lines(
    p: &model::Problem,
    veh: &model::Vehicle,
    stops: &[plan::Stop],
) -> plan::Geometry {
    let end = veh.end_id().unwrap_or("");
    let points = crate::geometry::tour_path(p, &veh.depot, end, stops.iter().map(|s| s.location));
    plan::Geometry {
        source: "straight_lines".into(),
        polyline: crate::geometry::encode_polyline(&points),
    }
}

/// A stop's commune: the request's INSEE code (named from the communes'
/// table when it has it), else the commune of the nearest town hall.
fn place_in_commune(stop: Option<&mut plan::Stop>, r: &Request) {
    let Some(stop) = stop else { return };
    match &r.insee {
        Some(code) => {
            stop.insee = Some(code.clone());
            stop.commune = crate::communes::by_code(code)
                .map(|c| c.name.clone())
                .unwrap_or_default();
        }
        None => {
            if let Some(c) = crate::communes::nearest(r.location) {
                stop.insee = Some(c.insee.clone());
                stop.commune = c.name.clone();
                stop.commune_nearest = true;
            }
        }
    }
}

impl Conversion {
    /// The solver job that stands for request `id`.
    pub fn job_of(&self, p: &model::Problem, id: &str) -> Option<usize> {
        self.jobs
            .iter()
            .position(|j| j.kind.list(p).get(j.index).is_some_and(|r| r.id == id))
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
