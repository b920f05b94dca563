//! What orders get: within what they asked, and within the stock (one, or
//! one per workshop of a network).

use std::collections::BTreeMap;

use crate::model::{Problem, Request};
use crate::plan::{Plan, StopKind};

/// What a delivery stop hands over: with a stock, the plan's (allocated)
/// counts, checked by [`check_stock`]; otherwise what the order asked.
pub(super) fn delivered<'a>(
    problem: &Problem,
    stop: &'a crate::plan::Stop,
    order: &'a Request,
) -> &'a BTreeMap<String, u32> {
    if problem.stock.is_some() || problem.depots.iter().any(|d| d.stock.is_some()) {
        &stop.devices
    } else {
        &order.devices
    }
}

/// With a stock: no order gets more than it asked (types not in stock in
/// full), and no type is handed out beyond its stock.
pub(super) fn check_stock(
    stock: &BTreeMap<String, u32>,
    plan: &Plan,
    requests: &BTreeMap<&str, (StopKind, &Request)>,
    errors: &mut Vec<String>,
) {
    let mut handed: BTreeMap<&str, u32> = BTreeMap::new();
    for s in plan.tours.iter().flat_map(|t| &t.stops) {
        let Some((StopKind::Delivery, r)) = requests.get(s.job.as_str()) else {
            continue;
        };
        for (d, &asked) in &r.devices {
            let got = s.devices.get(d).copied().unwrap_or(0);
            if got > asked || (!stock.contains_key(d) && got != asked) {
                errors.push(format!(
                    "order {}: {got} {d} delivered, {asked} asked",
                    s.job
                ));
            }
            *handed.entry(d.as_str()).or_default() += got;
        }
        if let Some(d) = s.devices.keys().find(|d| !r.devices.contains_key(*d)) {
            errors.push(format!("order {}: {d} delivered, none asked", s.job));
        }
    }
    for (d, &n) in &handed {
        if stock.get(*d).is_some_and(|&s| n > s) {
            errors.push(format!("{n} {d} delivered, only {} in stock", stock[*d]));
        }
    }
}

/// In a network with stock per workshop: each order is delivered from the
/// workshop it names, or (naming none) from any workshop, at most once from
/// each (a part from another workshop is `ORDER@WORKSHOP`); no order gets
/// more than it asked, and no workshop hands out more than its stock.
pub(super) fn check_workshop_stock(
    problem: &Problem,
    plan: &Plan,
    requests: &BTreeMap<&str, (StopKind, &Request)>,
    errors: &mut Vec<String>,
) {
    let mut handed: BTreeMap<(&str, &str), u32> = BTreeMap::new();
    let mut got: BTreeMap<(&str, &str), u32> = BTreeMap::new();
    let mut stops: BTreeMap<(&str, &str), usize> = BTreeMap::new();
    for t in &plan.tours {
        for s in &t.stops {
            let Some((StopKind::Delivery, r)) = requests.get(s.job.as_str()) else {
                continue;
            };
            let from = match crate::allocate::part_of(problem, &s.job) {
                Some((_, w)) if r.id != s.job => Some(w),
                _ => r.depot.as_deref(),
            };
            if let Some(w) = from.filter(|w| *w != t.depot) {
                errors.push(format!(
                    "order {} is delivered from {} but draws from {w}",
                    s.job, t.depot
                ));
            }
            *stops.entry((r.id.as_str(), t.depot.as_str())).or_default() += 1;
            for (d, &n) in &s.devices {
                *got.entry((r.id.as_str(), d.as_str())).or_default() += n;
                *handed.entry((t.depot.as_str(), d.as_str())).or_default() += n;
            }
        }
    }
    for ((order, w), n) in stops {
        if n > 1 {
            errors.push(format!("order {order} is delivered {n} times from {w}"));
        }
    }
    for ((order, d), n) in got {
        let asked = requests
            .get(order)
            .and_then(|(_, r)| r.devices.get(d).copied())
            .unwrap_or(0);
        if n > asked {
            errors.push(format!("order {order}: {n} {d} delivered, {asked} asked"));
        }
    }
    // A type some workshop keeps a stock of is limited everywhere: a
    // workshop that does not list it has none. Other types are not limited.
    let limited = |d: &str| {
        problem
            .depots
            .iter()
            .any(|x| x.stock.as_ref().is_some_and(|st| st.contains_key(d)))
    };
    for ((w, d), n) in handed {
        if !limited(d) {
            continue;
        }
        let s = problem
            .depots
            .iter()
            .find(|x| x.id == w)
            .and_then(|x| x.stock.as_ref())
            .and_then(|st| st.get(d).copied());
        match s {
            Some(s) if n > s => {
                errors.push(format!("{n} {d} delivered from {w}, only {s} in stock"))
            }
            None if problem
                .depots
                .iter()
                .any(|x| x.id == w && x.stock.is_some()) =>
            {
                errors.push(format!("{n} {d} delivered from {w}, none in stock"))
            }
            _ => {}
        }
    }
}
