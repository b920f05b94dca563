//! Stock allocation: when the communes' orders ask for more refurbished
//! devices than the workshop holds, decide how many of each type each order
//! gets. The rule, in order of precedence (docs/allocation.md):
//!
//! 1. maximise the smallest fill ratio over the orders (devices allocated /
//!    devices asked, counting only the types in stock): max-min fairness, so
//!    no commune is left with nothing while another is served in full;
//! 2. then the total number of devices allocated;
//! 3. then the orders' priority: mandatory orders before optional ones, and
//!    optional ones by their value.
//!
//! Counts are integers, no order gets more than it asked, no type more than
//! its stock. Two small integer programmes, solved with `good_lp` and its
//! pure-Rust `microlp` back-end: the first finds the best smallest ratio,
//! the second keeps it and maximises the rest.

use std::collections::BTreeMap;

use good_lp::{constraint, default_solver, variable, Expression, Solution, SolverModel, Variable};
use serde::Serialize;

use crate::model::{Priority, Problem, Request};

/// What one order gets.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct OrderShare {
    pub order: String,
    pub name: String,
    pub asked: BTreeMap<String, u32>,
    pub allocated: BTreeMap<String, u32>,
    /// Allocated / asked over the types in stock (1 when it asks for none).
    pub fill: f64,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Allocation {
    pub orders: Vec<OrderShare>,
    /// The smallest fill ratio, the first criterion.
    pub min_fill: f64,
    /// Devices allocated in all (types in stock), the second.
    pub allocated: u64,
    pub asked: u64,
    pub stock_left: BTreeMap<String, u32>,
}

/// A weight in [0, 1] for the third criterion.
fn weight(r: &Request, top: f64) -> f64 {
    match r.priority {
        Priority::Mandatory => 1.0,
        Priority::Optional(v) if top > 0.0 => 0.5 * (v / top).clamp(0.0, 1.0),
        Priority::Optional(_) => 0.0,
    }
}

/// Allocates `stock` over `orders` by the rule above.
pub fn allocate(orders: &[Request], stock: &BTreeMap<String, u32>) -> Result<Allocation, String> {
    // Only the asked counts of types in stock are decisions.
    let asked = |o: &Request, d: &str| -> u32 {
        if stock.contains_key(d) {
            o.devices.get(d).copied().unwrap_or(0)
        } else {
            0
        }
    };
    let totals: Vec<f64> = orders
        .iter()
        .map(|o| stock.keys().map(|d| f64::from(asked(o, d))).sum())
        .collect();
    let top = orders
        .iter()
        .filter_map(|o| match o.priority {
            Priority::Optional(v) => Some(v),
            Priority::Mandatory => None,
        })
        .fold(0.0, f64::max);

    // Stage 1: the best smallest fill ratio.
    let min_fill = {
        let mut vars = good_lp::variables!();
        let t = vars.add(variable().min(0.0).max(1.0));
        let x = decision_variables(&mut vars, orders, stock, &asked);
        let mut model = vars.maximise(t).using(default_solver);
        model = add_limits(model, orders, stock, &x);
        for (o, total) in totals.iter().enumerate() {
            if *total > 0.0 {
                let sum: Expression = x[o].values().sum();
                model = model.with(constraint!(sum >= *total * t));
            }
        }
        let sol = model
            .solve()
            .map_err(|e| format!("allocation (stage 1): {e}"))?;
        sol.value(t)
    };

    // Stage 2: keep that ratio (less a rounding margin), maximise the devices
    // allocated, then the priority-weighted devices. The weights are scaled
    // below one device in all, so the total comes first.
    let asked_all: f64 = totals.iter().sum();
    let epsilon = 1.0 / (asked_all + 1.0);
    let mut vars = good_lp::variables!();
    let x = decision_variables(&mut vars, orders, stock, &asked);
    let objective: Expression = x
        .iter()
        .zip(orders)
        .flat_map(|(xo, o)| {
            let w = 1.0 + epsilon * weight(o, top);
            xo.values().map(move |&v| w * v)
        })
        .sum();
    let mut model = vars.maximise(objective).using(default_solver);
    model = add_limits(model, orders, stock, &x);
    for (o, total) in totals.iter().enumerate() {
        if *total > 0.0 {
            let sum: Expression = x[o].values().sum();
            model = model.with(constraint!(sum >= *total * min_fill - 1e-6));
        }
    }
    let sol = model
        .solve()
        .map_err(|e| format!("allocation (stage 2): {e}"))?;

    let mut shares = Vec::new();
    let mut used: BTreeMap<String, u32> = BTreeMap::new();
    for (o, order) in orders.iter().enumerate() {
        let mut allocated = order.devices.clone();
        for (d, v) in &x[o] {
            let n = sol.value(*v).round().max(0.0) as u32;
            allocated.insert(d.clone(), n);
            *used.entry(d.clone()).or_default() += n;
        }
        let got: f64 = x[o].keys().map(|d| f64::from(allocated[d])).sum();
        shares.push(OrderShare {
            order: order.id.clone(),
            name: order.name.clone(),
            asked: order.devices.clone(),
            allocated,
            fill: if totals[o] > 0.0 {
                got / totals[o]
            } else {
                1.0
            },
        });
    }
    let min = shares.iter().map(|s| s.fill).fold(1.0, f64::min);
    Ok(Allocation {
        min_fill: min,
        allocated: used.values().map(|&n| u64::from(n)).sum(),
        asked: asked_all as u64,
        stock_left: stock
            .iter()
            .map(|(d, s)| (d.clone(), s - used.get(d).copied().unwrap_or(0).min(*s)))
            .collect(),
        orders: shares,
    })
}

/// One integer variable per order and type in stock that it asks for.
fn decision_variables(
    vars: &mut good_lp::ProblemVariables,
    orders: &[Request],
    stock: &BTreeMap<String, u32>,
    asked: &impl Fn(&Request, &str) -> u32,
) -> Vec<BTreeMap<String, Variable>> {
    orders
        .iter()
        .map(|o| {
            stock
                .keys()
                .filter(|d| asked(o, d) > 0)
                .map(|d| {
                    let v = vars.add(variable().integer().min(0).max(asked(o, d)));
                    (d.clone(), v)
                })
                .collect()
        })
        .collect()
}

/// Stock limits per device type.
fn add_limits<M: SolverModel>(
    mut model: M,
    orders: &[Request],
    stock: &BTreeMap<String, u32>,
    x: &[BTreeMap<String, Variable>],
) -> M {
    for (d, &s) in stock {
        let sum: Expression = (0..orders.len()).filter_map(|o| x[o].get(d)).sum();
        model = model.with(constraint!(sum <= s));
    }
    model
}

/// The problem with each order's devices replaced by its allocation; orders
/// that get nothing are removed (and returned), since there is nothing to
/// deliver.
pub fn apply(problem: &Problem, allocation: &Allocation) -> (Problem, Vec<String>) {
    let mut p = problem.clone();
    let mut dropped = Vec::new();
    p.orders = problem
        .orders
        .iter()
        .zip(&allocation.orders)
        .filter_map(|(o, share)| {
            let mut o = o.clone();
            o.devices = share
                .allocated
                .iter()
                .filter(|(_, &n)| n > 0)
                .map(|(d, &n)| (d.clone(), n))
                .collect();
            if o.devices.is_empty() {
                dropped.push(o.id);
                None
            } else {
                Some(o)
            }
        })
        .collect();
    p.stock = None;
    (p, dropped)
}

/// A problem ready to route: with a `stock`, its orders cut to what the
/// allocation gives them (and the allocation, to report); else unchanged.
pub fn prepare(problem: Problem) -> Result<(Problem, Option<Allocation>), String> {
    let Some(stock) = problem.stock.clone() else {
        return Ok((problem, None));
    };
    let allocation = allocate(&problem.orders, &stock)?;
    let (allocated, _) = apply(&problem, &allocation);
    Ok((allocated, Some(allocation)))
}

/// The allocation as a table for the coordinator.
pub fn text(a: &Allocation) -> String {
    use std::fmt::Write;
    let mut o = String::new();
    let _ = writeln!(
        o,
        "Allocation: {} of {} devices asked; smallest fill {:.1} %",
        a.allocated,
        a.asked,
        100.0 * a.min_fill
    );
    for s in &a.orders {
        let parts: Vec<String> = s
            .asked
            .iter()
            .map(|(d, n)| format!("{d} {}/{n}", s.allocated.get(d).copied().unwrap_or(0)))
            .collect();
        let _ = writeln!(
            o,
            "  {:<8} {:<34} {:>5.1} %  {}",
            s.order,
            s.name.chars().take(34).collect::<String>(),
            100.0 * s.fill,
            parts.join(", ")
        );
    }
    let left: Vec<String> = a
        .stock_left
        .iter()
        .map(|(d, n)| format!("{d} {n}"))
        .collect();
    let _ = writeln!(o, "  stock left: {}", left.join(", "));
    o
}
