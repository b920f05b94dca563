//! A network of workshops, each with its stock (`depots[].stock`). The rule
//! runs once over the whole network: an order that names no workshop may
//! draw from each of them, its own (the nearest) first, and the devices
//! that come from another are delivered by a van of that workshop, as a
//! stop of their own (the order's id followed by `@` and the workshop's).
//! Before, each order drew from its workshop alone, and on the sample
//! network 6 desktops and 5 monitors stayed at Elbeuf while communes served
//! from Petit-Quevilly were short.
//!
//! A van carries only what its own workshop holds: delivering straight from
//! the workshop that has the devices costs no more than taking them to the
//! other workshop first and delivering from there, a detour the planner
//! would have to make anyway.

use std::collections::BTreeMap;

use super::{share_out, Allocation, Announced, Sources};
use crate::model::{Priority, Problem, Request};
use crate::routing::haversine_m;

/// The workshop an order draws from first: the one it names, else the
/// nearest.
pub fn workshop_of<'a>(problem: &'a Problem, order: &'a Request) -> &'a str {
    if let Some(d) = &order.depot {
        return d;
    }
    problem
        .depots
        .iter()
        .map(|d| (haversine_m(d.location, order.location), d.id.as_str()))
        .min_by(|a, b| a.0.total_cmp(&b.0))
        .map_or("", |(_, id)| id)
}

/// The order and the workshop of a part id `ORDER@WORKSHOP`: devices of
/// an order that come from a workshop other than the one of its first stop.
pub fn part_of<'a>(problem: &'a Problem, id: &str) -> Option<(&'a Request, &'a str)> {
    let (order, workshop) = id.rsplit_once('@')?;
    let o = problem
        .orders
        .iter()
        .find(|o| o.id == order && o.depot.is_none())?;
    let w = problem
        .depots
        .iter()
        .find(|d| d.id == workshop && d.stock.is_some())?;
    Some((o, w.id.as_str()))
}

/// The allocation over the network's workshops, keeping what was
/// `announced` to each order while the stocks hold it.
pub(super) fn allocate(problem: &Problem, announced: &Announced) -> Result<Allocation, String> {
    let names: Vec<String> = problem.depots.iter().map(|d| d.id.clone()).collect();
    let stock: Vec<BTreeMap<String, u32>> = problem
        .depots
        .iter()
        .map(|d| d.stock.clone().unwrap_or_default())
        .collect();
    let index = |id: &str| problem.depots.iter().position(|d| d.id == id);
    // Cost of a device from each workshop: its distance over the longest,
    // a tie-break after the rule's three criteria.
    let far = problem
        .orders
        .iter()
        .flat_map(|o| {
            problem
                .depots
                .iter()
                .map(|d| haversine_m(d.location, o.location))
        })
        .fold(1.0, f64::max);
    let of_order = |k: usize| -> Vec<(usize, f64)> {
        let o = &problem.orders[k];
        let own = index(workshop_of(problem, o)).unwrap_or(0);
        // An order that names its workshop, or whose workshop keeps no
        // stock (it is not limited), draws from it alone.
        if o.depot.is_some() || problem.depots[own].stock.is_none() {
            return vec![(own, 0.0)];
        }
        let mut from: Vec<(usize, f64)> = problem
            .depots
            .iter()
            .enumerate()
            .filter(|(_, d)| d.stock.is_some())
            .map(|(s, d)| (s, haversine_m(d.location, o.location) / far))
            .collect();
        from.sort_by(|a, b| (a.0 != own).cmp(&(b.0 != own)).then(a.1.total_cmp(&b.1)));
        from
    };
    let sources = Sources {
        names,
        stock,
        declared: problem.depots.iter().map(|d| d.stock.is_some()).collect(),
        of_order: &of_order,
    };
    share_out(&problem.orders, &sources, announced)
}

/// The problem to route: each order cut into one request per workshop it
/// draws from (its own keeps the order's id and the types no workshop
/// limits), each delivered by a van of that workshop (a skill only those
/// vans have); orders that get nothing are left out.
pub(super) fn apply(problem: &Problem, allocation: &Allocation) -> Problem {
    let mut p = problem.clone();
    p.orders = Vec::with_capacity(problem.orders.len());
    for (o, share) in problem.orders.iter().zip(&allocation.orders) {
        let own = workshop_of(problem, o);
        let limited = |t: &str| share.from.values().any(|c| c.contains_key(t));
        // Types no workshop limits, and what each workshop gives.
        let unlimited: BTreeMap<String, u32> = share
            .allocated
            .iter()
            .filter(|(t, &n)| n > 0 && !limited(t))
            .map(|(t, &n)| (t.clone(), n))
            .collect();
        let mut parts: Vec<(&str, BTreeMap<String, u32>)> = share
            .from
            .iter()
            .map(|(w, c)| (w.as_str(), c.clone()))
            .collect();
        // Its own workshop first, then the nearest.
        let distance = |w: &str| {
            problem
                .depots
                .iter()
                .find(|d| d.id == w)
                .map_or(f64::INFINITY, |d| haversine_m(d.location, o.location))
        };
        parts.sort_by(|a, b| {
            (a.0 != own)
                .cmp(&(b.0 != own))
                .then(distance(a.0).total_cmp(&distance(b.0)))
        });
        if parts.is_empty() {
            parts.push((own, BTreeMap::new()));
        }
        parts[0].1.extend(unlimited);
        let count = |d: &BTreeMap<String, u32>| d.values().map(|&n| f64::from(n)).sum::<f64>();
        let all: f64 = parts.iter().map(|(_, d)| count(d)).sum();
        for (k, (w, devices)) in parts.into_iter().enumerate() {
            if devices.values().all(|&n| n == 0) {
                continue;
            }
            let mut part = o.clone();
            // An optional order's value is shared by its parts, by devices.
            if let Priority::Optional(v) = o.priority {
                part.priority = Priority::Optional(v * count(&devices) / all.max(1.0));
            }
            if k > 0 {
                part.id = format!("{}@{w}", o.id);
            }
            // A lock or a promise names a van of the order's own workshop:
            // not one of another's.
            if w != own {
                part.skills.retain(|s| !s.starts_with("lock:"));
            }
            part.depot = Some(w.to_string());
            part.devices = devices;
            part.skills.push(format!("workshop:{w}"));
            p.orders.push(part);
        }
    }
    for v in &mut p.vehicles {
        v.skills.push(format!("workshop:{}", v.depot));
    }
    for d in &mut p.depots {
        d.stock = None;
    }
    p.stock = None;
    p
}
