//! The solver's answer as a plan: wall-clock times, stops with what each
//! hands over, loads, kilometres and emissions per leg, and why each job
//! left out was left out.

use std::collections::BTreeMap;

use tournee_solver as solver;
use tournee_solver::{Reason, Solution};

use super::{reason_code, wall_clock, Conversion, ShiftRef};
use crate::emissions;
use crate::input::measure;
use crate::model::{self, Request};
use crate::plan::{self, Plan, StopKind, Totals, PLAN_FORMAT};

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
        // The search only returns tours its schedule keeps; should one be
        // refused all the same (a rounding gap between two time models),
        // its requests are listed as left out rather than lost from the plan.
        let mut left_out = solution.unassigned.clone();
        for route in &solution.routes {
            let Ok(sched) = solver::schedule(&self.problem, route.vehicle, &route.jobs) else {
                left_out.extend(route.jobs.iter().map(|&j| (j, Reason::FleetFull)));
                continue;
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
            // Plan stops before each solver stop (a visit to several
            // requests at one place is several stops): where the break goes.
            let mut stops_before = vec![0];
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
                    stops_before.push(stops.len());
                }
                let (kind, r) = self.request(p, visit.job);
                let loc = self.problem.jobs[visit.job].location;
                // The solver's arrival is when the set-up is done.
                let setup = self.problem.setup_on(prev, loc);
                let site = match kind {
                    StopKind::Drop => drop_site(p, r),
                    _ => Site {
                        name: &r.name,
                        address: &r.address,
                        location: r.location,
                        contact: r.contact.clone(),
                    },
                };
                stops.push(plan::Stop {
                    job: r.id.clone(),
                    kind,
                    name: site.name.to_string(),
                    address: site.address.to_string(),
                    location: site.location,
                    contact: site.contact,
                    devices: r.devices.clone(),
                    travel_km: r3(km(prev, loc)),
                    arrival: clock(visit.arrival - setup),
                    setup_min: r2(setup / 60.0),
                    start: clock(visit.start),
                    departure: clock(visit.departure),
                    waiting_min: r2((visit.start - visit.arrival) / 60.0),
                    load: plan_load(visit.load),
                    co2e_kg: r3(r3(km(prev, loc)) * factor),
                    // A round trip, back to the start depot for an open
                    // tour; a drop is part of its pickup's.
                    baseline_km: if kind == StopKind::Drop {
                        0.0
                    } else {
                        r3(km(sv.start, loc) + km(loc, home))
                    },
                    insee: None,
                    commune: String::new(),
                    commune_nearest: false,
                });
                count(&mut totals, kind, r, stops.last_mut(), site.location);
                prev = loc;
                self.serve_after(p, visit, home, sv.start, &mut stops, &mut totals, &clock);
                stops_before.push(stops.len());
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
                    after_stop: stops_before.get(b.after).copied().unwrap_or(b.after),
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
        // A pickup taken elsewhere is left out with its drop: said once.
        let mut unassigned: Vec<plan::Unassigned> = left_out
            .iter()
            .filter(|&&(job, _)| self.jobs[job].kind != super::Side::Drop)
            .flat_map(|&(job, reason)| {
                let (kind, r) = self.request(p, job);
                let message = self.reason_message(p, job, reason);
                let with = self.followers.get(&job).into_iter().flatten();
                let list = self.jobs[job].kind.list(p);
                std::iter::once(r)
                    .chain(with.filter_map(|&i| list.get(i)))
                    .map(move |r| plan::Unassigned {
                        job: r.id.clone(),
                        kind,
                        name: r.name.clone(),
                        reason: reason_code(reason).to_string(),
                        message: message.clone(),
                    })
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

    /// The requests served after the first at a visit (`merge.rs`): the
    /// first's stop ends after its own service, and each other follows at
    /// no distance, no set-up and no wait, carrying what it hands over.
    #[allow(clippy::too_many_arguments)]
    fn serve_after(
        &self,
        p: &model::Problem,
        visit: &solver::Visit,
        home: usize,
        start_depot: usize,
        stops: &mut Vec<plan::Stop>,
        totals: &mut Totals,
        clock: &impl Fn(f64) -> String,
    ) {
        let Some(after) = self.followers.get(&visit.job) else {
            return;
        };
        let kind = self.jobs[visit.job].kind;
        let list = kind.list(p);
        let job = &self.problem.jobs[visit.job];
        let loc = job.location;
        let km = |a: usize, b: usize| self.problem.distance.get(a, b) / 1000.0;
        // What the van carried on arrival, then after each request.
        let mut load = visit.load - job.pickup + job.delivery;
        let (lead_kind, lead) = self.request(p, visit.job);
        let mut t = visit.start;
        let members = std::iter::once(lead).chain(after.iter().filter_map(|&i| list.get(i)));
        for (n, r) in members.enumerate() {
            let l = super::load_of(r, p);
            load = match kind {
                super::Side::Pickup => load + l,
                _ => load - l,
            };
            let leave = t + r.service_minutes * 60.0;
            if n == 0 {
                // The first request's stop, already made: its own end.
                if let Some(s) = stops.last_mut() {
                    s.departure = clock(leave);
                    s.load = plan_load(load);
                }
            } else {
                let Some(mut s) = stops.last().cloned() else {
                    return;
                };
                s.job = r.id.clone();
                s.name = r.name.clone();
                s.address = r.address.clone();
                s.contact = r.contact.clone();
                s.devices = r.devices.clone();
                s.travel_km = 0.0;
                s.co2e_kg = 0.0;
                s.setup_min = 0.0;
                s.waiting_min = 0.0;
                s.arrival = clock(t);
                s.start = clock(t);
                s.departure = clock(leave);
                s.load = plan_load(load);
                s.baseline_km = r3(km(start_depot, loc) + km(loc, home));
                stops.push(s);
                count(totals, lead_kind, r, stops.last_mut(), r.location);
            }
            t = leave;
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
            Reason::FleetFull => "it fits a vehicle on its own, but every tour that could take it is full (load, time, its most stops or its driver's hours): add a shift or a vehicle".to_string(),
        }
    }
}

/// A stop's request in the plan's totals, and its commune.
fn count(
    totals: &mut Totals,
    kind: StopKind,
    r: &Request,
    stop: Option<&mut plan::Stop>,
    site: model::Location,
) {
    let devices: u64 = r.devices.values().map(|&c| c as u64).sum();
    match kind {
        StopKind::Pickup => {
            place_in_commune(stop, r.insee.as_deref(), r.location);
            totals.pickups_planned += 1;
            totals.devices_collected += devices;
        }
        StopKind::Delivery => {
            place_in_commune(stop, r.insee.as_deref(), r.location);
            totals.orders_planned += 1;
            totals.devices_delivered += devices;
        }
        _ => place_in_commune(stop, None, site),
    }
    totals.stops += 1;
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

/// What a stop shows of its place.
struct Site<'a> {
    name: &'a str,
    address: &'a str,
    location: model::Location,
    contact: model::Contact,
}

/// The partner site or workshop where pickup `r`'s devices are dropped.
fn drop_site<'a>(p: &'a model::Problem, r: &'a Request) -> Site<'a> {
    match p.drop_place(r) {
        Some(place) => Site {
            name: place.name(),
            address: place.address(),
            location: place.location(),
            contact: place.contact(),
        },
        None => Site {
            name: r.deliver_to.as_deref().unwrap_or_default(),
            address: "",
            location: r.location,
            contact: Default::default(),
        },
    }
}

/// A stop's commune: the request's INSEE code (named from the communes'
/// table when it has it), else the commune of the nearest town hall.
fn place_in_commune(stop: Option<&mut plan::Stop>, insee: Option<&str>, location: model::Location) {
    let Some(stop) = stop else { return };
    match insee {
        Some(code) => {
            stop.insee = Some(code.to_string());
            stop.commune = crate::communes::by_code(code)
                .map(|c| c.name.clone())
                .unwrap_or_default();
        }
        None => {
            if let Some(c) = crate::communes::nearest(location) {
                stop.insee = Some(c.insee.clone());
                stop.commune = c.name.clone();
                stop.commune_nearest = true;
            }
        }
    }
}
