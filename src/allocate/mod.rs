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
//!
//! In a network of workshops, each with its stock (`network`), the same rule
//! runs once over the whole network: an order may draw from every workshop
//! (unless it names one), its own (the nearest) first, so that no commune
//! is short while another workshop keeps the devices it needs.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::model::{Priority, Problem, Request};

mod lp;
mod network;

pub use network::{part_of, workshop_of};

/// What one order gets.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct OrderShare {
    pub order: String,
    pub name: String,
    pub asked: BTreeMap<String, u32>,
    pub allocated: BTreeMap<String, u32>,
    /// Allocated / asked over the types in stock (1 when it asks for none).
    pub fill: f64,
    /// In a network of workshops: workshop → device type → count, what
    /// comes from each (its own first).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub from: BTreeMap<String, BTreeMap<String, u32>>,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Allocation {
    pub orders: Vec<OrderShare>,
    /// The smallest fill ratio, the first criterion.
    pub min_fill: f64,
    /// Devices allocated in all (types in stock), the second.
    pub allocated: u64,
    pub asked: u64,
    /// Device type → devices left (`workshop/type` in a network).
    pub stock_left: BTreeMap<String, u32>,
}

/// What each order was told it would get, by order id (device type →
/// count): a re-plan keeps it while the stock still holds it.
pub type Announced = BTreeMap<String, BTreeMap<String, u32>>;

/// Where the devices can come from: named stocks, and for each order the
/// stocks it may draw from with a cost per device in [0, 1].
struct Sources<'a> {
    names: Vec<String>,
    stock: Vec<BTreeMap<String, u32>>,
    /// Whether each source keeps a stock at all (a workshop that keeps
    /// none is not limited).
    declared: Vec<bool>,
    of_order: &'a dyn Fn(usize) -> Vec<(usize, f64)>,
}

impl Sources<'_> {
    /// Whether an order drawing `from` these sources is limited in type `t`:
    /// some source keeps a stock of it (one that does not list it then has
    /// none), and every source it draws from keeps a stock.
    fn limits(&self, from: &[(usize, f64)], t: &str) -> bool {
        self.stock.iter().any(|s| s.contains_key(t)) && from.iter().all(|&(s, _)| self.declared[s])
    }
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
    allocate_keeping(orders, stock, &Announced::new())
}

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
    let one = |_: usize| vec![(0, 0.0)];
    let sources = Sources {
        names: vec![String::new()],
        stock: vec![stock.clone()],
        declared: vec![true],
        of_order: &one,
    };
    share_out(orders, &sources, announced)
}

/// The allocation of `sources` over `orders`, keeping what was announced
/// while the stocks hold it.
fn share_out(
    orders: &[Request],
    sources: &Sources,
    announced: &Announced,
) -> Result<Allocation, String> {
    let kept = |o: &Request| announced.get(&o.id);
    match share_with(orders, sources, &kept) {
        Err(_) if orders.iter().any(|o| kept(o).is_some()) => {
            share_with(orders, sources, &|_| None)
        }
        other => other,
    }
}

/// One allocation, the orders `kept` gives counts for fixed to them.
fn share_with<'k>(
    orders: &[Request],
    sources: &Sources,
    kept: &dyn Fn(&Request) -> Option<&'k BTreeMap<String, u32>>,
) -> Result<Allocation, String> {
    let top = orders
        .iter()
        .filter_map(|o| match o.priority {
            Priority::Optional(v) => Some(v),
            Priority::Mandatory => None,
        })
        .fold(0.0, f64::max);
    let demands: Vec<lp::Demand> = orders
        .iter()
        .enumerate()
        .map(|(k, o)| {
            let from = (sources.of_order)(k);
            let told = kept(o);
            let counts = o
                .devices
                .iter()
                .filter(|(t, _)| sources.limits(&from, t))
                .map(|(t, &n)| {
                    let n = match told {
                        Some(told) => told.get(t).copied().unwrap_or(0).min(n),
                        None => n,
                    };
                    let fewest = if told.is_some() { n } else { 0 };
                    (t.clone(), (fewest, n))
                })
                .collect();
            lp::Demand {
                counts,
                sources: from,
                priority: weight(o, top),
                shared: told.is_none(),
            }
        })
        .collect();
    let counts = lp::share(&demands, &sources.stock)?;

    let network = sources.names.len() > 1;
    let mut used = vec![BTreeMap::<String, u32>::new(); sources.stock.len()];
    let mut shares = Vec::with_capacity(orders.len());
    let (mut allocated, mut asked) = (0u64, 0u64);
    for ((order, d), got) in orders.iter().zip(&demands).zip(counts) {
        let mut given = order.devices.clone();
        for t in d.counts.keys() {
            given.insert(t.clone(), 0);
        }
        let mut from: BTreeMap<String, BTreeMap<String, u32>> = BTreeMap::new();
        let mut sum = 0u64;
        for ((s, t), n) in got.into_iter().filter(|(_, n)| *n > 0) {
            sum += u64::from(n);
            *given.entry(t.clone()).or_default() += n;
            *used[s].entry(t.clone()).or_default() += n;
            if network {
                *from
                    .entry(sources.names[s].clone())
                    .or_default()
                    .entry(t)
                    .or_default() += n;
            }
        }
        // Every type the order's sources hold counts, fixed or not.
        let total: u64 = order
            .devices
            .iter()
            .filter(|(t, _)| d.counts.contains_key(*t))
            .map(|(_, &n)| u64::from(n))
            .sum();
        allocated += sum;
        asked += total;
        shares.push(OrderShare {
            order: order.id.clone(),
            name: order.name.clone(),
            asked: order.devices.clone(),
            allocated: given,
            fill: if total > 0 {
                sum as f64 / total as f64
            } else {
                1.0
            },
            from,
        });
    }
    let mut stock_left = BTreeMap::new();
    for (s, held) in sources.stock.iter().enumerate() {
        for (t, &n) in held {
            let u = used[s].get(t).copied().unwrap_or(0);
            if u > n {
                return Err("allocation exceeds the stock (a solver fault)".into());
            }
            let key = if network {
                format!("{}/{t}", sources.names[s])
            } else {
                t.clone()
            };
            stock_left.insert(key, n - u);
        }
    }
    Ok(Allocation {
        min_fill: shares.iter().map(|s| s.fill).fold(1.0, f64::min),
        orders: shares,
        allocated,
        asked,
        stock_left,
    })
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
    prepare_keeping(problem, &Announced::new())
}

/// [`prepare`], keeping what was `announced` while the stock holds it
/// ([`allocate_keeping`]).
pub fn prepare_keeping(
    problem: Problem,
    announced: &Announced,
) -> Result<(Problem, Option<Allocation>), String> {
    if problem.depots.iter().any(|d| d.stock.is_some()) {
        let allocation = network::allocate(&problem, announced)?;
        let p = network::apply(&problem, &allocation);
        return Ok((p, Some(allocation)));
    }
    let Some(stock) = problem.stock.clone() else {
        return Ok((problem, None));
    };
    let allocation = allocate_keeping(&problem.orders, &stock, announced)?;
    let (allocated, _) = apply(&problem, &allocation);
    Ok((allocated, Some(allocation)))
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
        // In a network, where the devices come from when not from one
        // workshop alone.
        let from = if s.from.len() > 1 {
            let each: Vec<String> = s
                .from
                .iter()
                .map(|(w, c)| format!("{w} {}", c.values().sum::<u32>()))
                .collect();
            format!("  ← {}", each.join(" + "))
        } else {
            String::new()
        };
        let _ = writeln!(
            o,
            "  {:<8} {:<34} {:>5} %  {}{from}",
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
