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
//! its stock. The constraints (one stock row per device type, one
//! fill row per order, each count in exactly one of each) form the incidence
//! matrix of a bipartite graph, which is totally unimodular: with integer
//! bounds, every vertex of the linear programme is integral. So plain linear
//! programmes (`good_lp` with its pure-Rust `microlp` back-end) give integer
//! answers, without branch and bound:
//!
//! - the best smallest ratio is one of the fractions k / asked(o); a
//!   bisection over the ratio keeps the largest for which every order can get
//!   at least ⌈ratio × asked(o)⌉ devices. It never lists the fractions, so its
//!   time and memory do not grow with the counts asked: about 40 programmes
//!   whatever they are (counts are bounded by `limits::MAX_DEVICES`);
//! - a last programme keeps those lower bounds and maximises the devices
//!   handed out, with priority weights too small to trade a device away.

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

/// The devices each order must get for a smallest ratio of `ratio`.
fn lower_bounds(asked: &[u64], ratio: f64) -> Vec<u64> {
    asked
        .iter()
        .map(|&a| (ratio * a as f64 - 1e-9).ceil().max(0.0) as u64)
        .collect()
}

/// The largest fraction `k / a` (over the orders' totals `a`) for which
/// `feasible` holds, given that it holds at 0. Feasibility only changes at
/// those fractions, so the answer is one of them; two distinct ones differ
/// by at least 1 / (largest total)², which the bisection narrows down to.
fn best_ratio(totals: &[u64], mut feasible: impl FnMut(f64) -> bool) -> f64 {
    let top = totals.iter().copied().max().unwrap_or(0);
    if top == 0 || feasible(1.0) {
        return 1.0;
    }
    // The fraction of `a` in [lo, hi), if any: there is at most one in all
    // once hi - lo is below the gap.
    let gap = 1.0 / (top as f64 * top as f64);
    let (mut lo, mut hi) = (0.0_f64, 1.0_f64);
    while hi - lo > gap / 2.0 {
        let mid = 0.5 * (lo + hi);
        if feasible(mid) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    // The answer is in [lo, hi), where no other fraction is: the smallest
    // fraction not below `lo`. Should rounding make it miss (counts near
    // the bounds), `lo` itself asks the same devices of every order.
    let answer = totals
        .iter()
        .filter(|&&a| a > 0)
        .map(|&a| ((lo * a as f64 - 1e-9).ceil() / a as f64).min(1.0))
        .fold(1.0, f64::min);
    if feasible(answer) {
        answer
    } else {
        lo
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
    let totals: Vec<u64> = orders
        .iter()
        .map(|o| stock.keys().map(|d| u64::from(asked(o, d))).sum())
        .collect();
    let top = orders
        .iter()
        .filter_map(|o| match o.priority {
            Priority::Optional(v) => Some(v),
            Priority::Mandatory => None,
        })
        .fold(0.0, f64::max);
    // Priority weights scaled below one device in all, so the total comes
    // first.
    let epsilon = 1.0 / (totals.iter().sum::<u64>() as f64 + 1.0);
    let weights: Vec<f64> = orders
        .iter()
        .map(|o| 1.0 + epsilon * weight(o, top))
        .collect();

    // The best smallest ratio (ratio 0 asks nothing, so it is feasible).
    let best = best_ratio(&totals, |r| {
        solve(orders, stock, &asked, &lower_bounds(&totals, r), &weights).is_ok()
    });
    let counts = solve(
        orders,
        stock,
        &asked,
        &lower_bounds(&totals, best),
        &weights,
    )?;

    let mut shares = Vec::new();
    let mut used: BTreeMap<String, u32> = BTreeMap::new();
    for ((order, got), total) in orders.iter().zip(counts).zip(&totals) {
        let mut allocated = order.devices.clone();
        let mut sum = 0;
        for (d, n) in got {
            sum += n;
            *used.entry(d.clone()).or_default() += n;
            allocated.insert(d, n);
        }
        shares.push(OrderShare {
            order: order.id.clone(),
            name: order.name.clone(),
            asked: order.devices.clone(),
            allocated,
            fill: if *total > 0 {
                f64::from(sum) / *total as f64
            } else {
                1.0
            },
        });
    }
    if stock
        .iter()
        .any(|(d, s)| used.get(d).is_some_and(|u| u > s))
    {
        return Err("allocation exceeds the stock (a solver fault)".into());
    }
    Ok(Allocation {
        min_fill: shares.iter().map(|s| s.fill).fold(1.0, f64::min),
        allocated: used.values().map(|&n| u64::from(n)).sum(),
        asked: totals.iter().sum(),
        stock_left: stock
            .iter()
            .map(|(d, s)| (d.clone(), s - used.get(d).copied().unwrap_or(0).min(*s)))
            .collect(),
        orders: shares,
    })
}

/// The counts (per order, per type in stock) that give every order at least
/// `bounds` devices and maximise the devices handed out, each worth its
/// order's `weights` entry (1 plus a small priority bonus); `Err` when the
/// bounds cannot all be met.
fn solve(
    orders: &[Request],
    stock: &BTreeMap<String, u32>,
    asked: &impl Fn(&Request, &str) -> u32,
    bounds: &[u64],
    weights: &[f64],
) -> Result<Vec<Vec<(String, u32)>>, String> {
    let mut vars = good_lp::variables!();
    let x = decision_variables(&mut vars, orders, stock, asked);
    let objective: Expression = x
        .iter()
        .zip(weights)
        .flat_map(|(xo, &w)| xo.values().map(move |&v| w * v))
        .sum();
    let mut model = vars.maximise(objective).using(default_solver);
    model = add_limits(model, orders, stock, &x);
    for (o, &b) in bounds.iter().enumerate() {
        if b > 0 {
            let sum: Expression = x[o].values().sum();
            model = model.with(constraint!(sum >= b as f64));
        }
    }
    let sol = model.solve().map_err(|e| format!("allocation: {e}"))?;
    Ok(x.iter()
        .map(|xo| {
            xo.iter()
                .map(|(d, v)| (d.clone(), sol.value(*v).round().max(0.0) as u32))
                .collect()
        })
        .collect())
}

/// One variable per order and type in stock that it asks for, between 0
/// and the count asked (integral at every vertex, see above).
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
                    let v = vars.add(variable().min(0).max(asked(o, d)));
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

/// What each order was told it would get, by order id (device type →
/// count): a re-plan keeps it while the stock still holds it.
pub type Announced = BTreeMap<String, BTreeMap<String, u32>>;

/// [`allocate`], keeping first what was `announced` to the orders while
/// the stock holds all of it: those orders get what they were told (never
/// more than they now ask), the others share what is left by the rule.
/// When the stock no longer holds it (a batch failed refurbishing, say),
/// everything is shared out again.
pub fn allocate_keeping(
    orders: &[Request],
    stock: &BTreeMap<String, u32>,
    announced: &Announced,
) -> Result<Allocation, String> {
    let kept_count = |o: &Request, d: &str| -> Option<u32> {
        let told = announced.get(&o.id)?;
        Some(
            told.get(d)
                .copied()
                .unwrap_or(0)
                .min(o.devices.get(d).copied().unwrap_or(0)),
        )
    };
    if orders.iter().all(|o| !announced.contains_key(&o.id)) {
        return allocate(orders, stock);
    }
    let mut rest = stock.clone();
    for o in orders {
        for (d, left) in rest.iter_mut() {
            match kept_count(o, d) {
                Some(n) if n > *left => return allocate(orders, stock),
                Some(n) => *left -= n,
                None => {}
            }
        }
    }
    let others: Vec<Request> = orders
        .iter()
        .filter(|o| !announced.contains_key(&o.id))
        .cloned()
        .collect();
    let shared = allocate(&others, &rest)?;
    let mut shared_orders = shared.orders.into_iter();
    let (mut allocated, mut asked) = (shared.allocated, shared.asked);
    let mut shares = Vec::with_capacity(orders.len());
    for o in orders {
        if !announced.contains_key(&o.id) {
            shares.extend(shared_orders.next());
            continue;
        }
        let mut got = o.devices.clone();
        let (mut sum, mut total) = (0u64, 0u64);
        for d in stock.keys() {
            let n = kept_count(o, d).unwrap_or(0);
            if o.devices.contains_key(d) {
                got.insert(d.clone(), n);
            }
            sum += u64::from(n);
            total += u64::from(o.devices.get(d).copied().unwrap_or(0));
        }
        allocated += sum;
        asked += total;
        shares.push(OrderShare {
            order: o.id.clone(),
            name: o.name.clone(),
            asked: o.devices.clone(),
            allocated: got,
            fill: if total > 0 {
                sum as f64 / total as f64
            } else {
                1.0
            },
        });
    }
    Ok(Allocation {
        min_fill: shares.iter().map(|s| s.fill).fold(1.0, f64::min),
        orders: shares,
        allocated,
        asked,
        stock_left: shared.stock_left,
    })
}

/// A problem ready to route: with a `stock`, its orders cut to what the
/// allocation gives them (and the allocation, to report); else unchanged.
pub fn prepare(problem: Problem) -> Result<(Problem, Option<Allocation>), String> {
    prepare_keeping(problem, &Announced::new())
}

/// [`prepare`], keeping what was `announced` while the stock holds it
/// ([`allocate_keeping`]).
pub fn prepare_keeping(
    problem: Problem,
    announced: &Announced,
) -> Result<(Problem, Option<Allocation>), String> {
    if problem.depots.iter().any(|d| d.stock.is_some()) {
        return prepare_by_workshop(problem, announced);
    }
    let Some(stock) = problem.stock.clone() else {
        return Ok((problem, None));
    };
    let allocation = allocate_keeping(&problem.orders, &stock, announced)?;
    let (allocated, _) = apply(&problem, &allocation);
    Ok((allocated, Some(allocation)))
}

/// The workshop an order draws from: the one it names, else the nearest.
pub fn workshop_of<'a>(problem: &'a Problem, order: &'a Request) -> &'a str {
    if let Some(d) = &order.depot {
        return d;
    }
    problem
        .depots
        .iter()
        .map(|d| {
            (
                crate::routing::haversine_m(d.location, order.location),
                d.id.as_str(),
            )
        })
        .min_by(|a, b| a.0.total_cmp(&b.0))
        .map_or("", |(_, id)| id)
}

/// A network of workshops, each with its stock: each order draws from its
/// workshop ([`workshop_of`]), the stock of each is shared out by the same
/// rule among its orders, and each order is delivered by a van of its
/// workshop (a skill only those vans have).
fn prepare_by_workshop(
    problem: Problem,
    announced: &Announced,
) -> Result<(Problem, Option<Allocation>), String> {
    let workshop: Vec<String> = problem
        .orders
        .iter()
        .map(|o| workshop_of(&problem, o).to_string())
        .collect();
    let mut shares: Vec<Option<OrderShare>> = vec![None; problem.orders.len()];
    let (mut allocated, mut asked, mut stock_left) = (0, 0, BTreeMap::new());
    for depot in &problem.depots {
        let mine: Vec<usize> = (0..problem.orders.len())
            .filter(|&k| workshop[k] == depot.id)
            .collect();
        let orders: Vec<Request> = mine.iter().map(|&k| problem.orders[k].clone()).collect();
        let stock = depot.stock.clone().unwrap_or_default();
        let a = allocate_keeping(&orders, &stock, announced)?;
        allocated += a.allocated;
        asked += a.asked;
        for (d, n) in a.stock_left {
            stock_left.insert(format!("{}/{d}", depot.id), n);
        }
        for (k, share) in mine.into_iter().zip(a.orders) {
            shares[k] = Some(share);
        }
    }
    let orders: Vec<OrderShare> = shares.into_iter().flatten().collect();
    let allocation = Allocation {
        min_fill: orders.iter().map(|s| s.fill).fold(1.0, f64::min),
        orders,
        allocated,
        asked,
        stock_left,
    };
    let (mut p, _) = apply(&problem, &allocation);
    for o in &mut p.orders {
        let w = workshop_of(&problem, o).to_string();
        o.skills.push(format!("workshop:{w}"));
    }
    for v in &mut p.vehicles {
        v.skills.push(format!("workshop:{}", v.depot));
    }
    for d in &mut p.depots {
        d.stock = None;
    }
    Ok((p, Some(allocation)))
}

/// Lists in the plan, as left out with reason `no_stock`, the orders the
/// allocation gives nothing (they were not routed).
pub fn add_unserved(plan: &mut crate::plan::Plan, allocation: &Allocation) {
    for s in &allocation.orders {
        if s.allocated.values().all(|&n| n == 0) {
            plan.unassigned.push(crate::plan::Unassigned {
                job: s.order.clone(),
                kind: crate::plan::StopKind::Delivery,
                name: s.name.clone(),
                reason: "no_stock".into(),
                message:
                    "the stock allocation gives this order nothing: the others had a smaller share"
                        .into(),
            });
            plan.totals.unassigned += 1;
        }
    }
}

/// The allocation as a table for the coordinator.
pub fn text(a: &Allocation, lang: crate::i18n::Lang) -> String {
    use std::fmt::Write;
    let mut o = String::new();
    let pct = |x: f64| crate::i18n::decimal(lang, 100.0 * x, 1);
    let _ = writeln!(
        o,
        "{}",
        crate::i18n::t(
            lang,
            "text.allocation",
            &[
                ("allocated", &a.allocated.to_string()),
                ("asked", &a.asked.to_string()),
                ("fill", &pct(a.min_fill)),
            ]
        )
    );
    for s in &a.orders {
        let parts: Vec<String> = s
            .asked
            .iter()
            .map(|(d, n)| format!("{d} {}/{n}", s.allocated.get(d).copied().unwrap_or(0)))
            .collect();
        let _ = writeln!(
            o,
            "  {:<8} {:<34} {:>5} %  {}",
            s.order,
            crate::text::truncate(&s.name, 34),
            pct(s.fill),
            parts.join(", ")
        );
    }
    let left: Vec<String> = a
        .stock_left
        .iter()
        .map(|(d, n)| format!("{d} {n}"))
        .collect();
    let _ = writeln!(
        o,
        "  {}",
        crate::i18n::t(lang, "text.stock_left", &[("left", &left.join(", "))])
    );
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The largest fraction k / a (over `totals`) with a feasible bound,
    /// found by listing them all, as the allocation did before (1 when no
    /// order asks anything).
    fn listed(totals: &[u64], feasible: impl Fn(f64) -> bool) -> f64 {
        if totals.iter().all(|&a| a == 0) {
            return 1.0;
        }
        let mut best = 0.0_f64;
        for &a in totals.iter().filter(|&&a| a > 0) {
            for k in 0..=a {
                let r = k as f64 / a as f64;
                if feasible(r) {
                    best = best.max(r);
                }
            }
        }
        best
    }

    #[test]
    fn bisection_finds_the_best_listed_fraction() {
        let mut seed = 11u64;
        let mut next = |n: u64| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) % n
        };
        for case in 0..300 {
            let totals: Vec<u64> = (0..1 + next(4)).map(|_| next(40)).collect();
            // Feasible while the bounds sum to at most a capacity: monotone
            // in the ratio, like the stock limits.
            let capacity = next(totals.iter().sum::<u64>() + 2);
            let feasible = |r: f64| lower_bounds(&totals, r).iter().sum::<u64>() <= capacity;
            let want = listed(&totals, feasible);
            let got = best_ratio(&totals, feasible);
            assert!(
                (got - want).abs() < 1e-12,
                "case {case}: {totals:?} cap {capacity}: {got} vs {want}"
            );
        }
    }

    #[test]
    fn huge_counts_cost_no_memory() {
        // A fraction per device would be 2 × 10^5 entries here; the
        // bisection asks about 40 questions whatever the counts.
        let totals = [100_000u64, 99_999];
        let mut asked = 0;
        let r = best_ratio(&totals, |r| {
            asked += 1;
            lower_bounds(&totals, r).iter().sum::<u64>() <= 150_000
        });
        assert!(asked < 80, "{asked} questions");
        assert!(lower_bounds(&totals, r).iter().sum::<u64>() <= 150_000);
        assert!(r > 0.74 && r < 0.76, "{r}");
    }
}
