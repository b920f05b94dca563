//! The linear programmes behind the allocation (see the module above for
//! the rule and why plain programmes give whole devices).
//!
//! One decision per order, device type and source (a workshop's stock) the
//! order may draw from. Rows: one per source and type (its stock), one per
//! order and type (between the fewest and the most devices of that type it
//! may get), one per order (its fairness bound). The order rows of one order
//! nest (types inside the order), the stock rows partition the decisions:
//! two laminar families, a network matrix, totally unimodular (Edmonds), so
//! every vertex is integral with integer bounds.

use std::collections::BTreeMap;

use good_lp::{constraint, default_solver, variable, Expression, Solution, SolverModel, Variable};

/// One order as the programmes see it.
pub(super) struct Demand {
    /// Device type → fewest and most devices of it (types some source of
    /// the order holds, and the order asks for).
    pub counts: BTreeMap<String, (u32, u32)>,
    /// The sources it may draw from, each with a cost per device in [0, 1]
    /// (its distance over the longest): a tie-break, after the priority.
    pub sources: Vec<(usize, f64)>,
    /// Priority weight in [0, 1] (1: mandatory).
    pub priority: f64,
    /// Whether it takes part in the fairness rule (false: its counts are
    /// fixed, what was announced to it).
    pub shared: bool,
}

impl Demand {
    /// The devices it asks for that the fairness rule counts.
    pub fn total(&self) -> u64 {
        if self.shared {
            self.counts.values().map(|&(_, most)| u64::from(most)).sum()
        } else {
            0
        }
    }
}

/// Devices per order: (source, device type) → count.
pub(super) type Counts = Vec<BTreeMap<(usize, String), u32>>;

/// The allocation by the rule: the best smallest fill ratio over the shared
/// demands, then the most devices, then priority, then the nearest source.
pub(super) fn share(demands: &[Demand], stock: &[BTreeMap<String, u32>]) -> Result<Counts, String> {
    let totals: Vec<u64> = demands.iter().map(Demand::total).collect();
    let asked: u64 = demands
        .iter()
        .flat_map(|d| d.counts.values())
        .map(|&(_, most)| u64::from(most))
        .sum();
    // Weights scaled so that one more device outweighs any priority, and
    // any priority outweighs where devices come from.
    let epsilon = 1.0 / (asked as f64 + 1.0);
    // Ratio 0 asks nothing of the shared orders: infeasible only when the
    // fixed counts are.
    let best = best_ratio(&totals, |r| {
        solve(demands, stock, &lower_bounds(&totals, r), epsilon).is_ok()
    });
    solve(demands, stock, &lower_bounds(&totals, best), epsilon)
}

/// The devices each order must get for a smallest ratio of `ratio`.
pub(super) fn lower_bounds(asked: &[u64], ratio: f64) -> Vec<u64> {
    asked
        .iter()
        .map(|&a| (ratio * a as f64 - 1e-9).ceil().max(0.0) as u64)
        .collect()
}

/// The largest fraction `k / a` (over the orders' totals `a`) for which
/// `feasible` holds, given that it holds at 0. Feasibility only changes at
/// those fractions, so the answer is one of them; two distinct ones differ
/// by at least 1 / (largest total)², which the bisection narrows down to.
pub(super) fn best_ratio(totals: &[u64], mut feasible: impl FnMut(f64) -> bool) -> f64 {
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

/// The counts that give every demand at least its `bounds` and its fewest
/// of each type, and maximise the devices handed out (each worth 1 plus a
/// small priority bonus minus a smaller cost of its source); `Err` when
/// the bounds cannot all be met.
fn solve(
    demands: &[Demand],
    stock: &[BTreeMap<String, u32>],
    bounds: &[u64],
    epsilon: f64,
) -> Result<Counts, String> {
    let mut vars = good_lp::variables!();
    let mut x: Vec<BTreeMap<(usize, String), Variable>> = Vec::with_capacity(demands.len());
    let mut objective = Expression::from(0.0);
    for d in demands {
        let mut xo = BTreeMap::new();
        for (t, &(_, most)) in &d.counts {
            for &(s, cost) in &d.sources {
                let Some(&held) = stock[s].get(t) else {
                    continue;
                };
                let v = vars.add(variable().min(0).max(most.min(held)));
                objective += (1.0 + epsilon * d.priority - epsilon * epsilon * cost) * v;
                xo.insert((s, t.clone()), v);
            }
        }
        x.push(xo);
    }
    let mut model = vars.maximise(objective).using(default_solver);
    for (s, held) in stock.iter().enumerate() {
        for (t, &n) in held {
            let taken: Vec<Variable> = x
                .iter()
                .filter_map(|xo| xo.get(&(s, t.clone())).copied())
                .collect();
            if !taken.is_empty() {
                let sum: Expression = taken.into_iter().sum();
                model = model.with(constraint!(sum <= n));
            }
        }
    }
    for ((d, xo), &bound) in demands.iter().zip(&x).zip(bounds) {
        for (t, &(fewest, most)) in &d.counts {
            let of_type: Vec<Variable> = xo
                .iter()
                .filter(|((_, u), _)| u == t)
                .map(|(_, &v)| v)
                .collect();
            if of_type.is_empty() {
                if fewest > 0 {
                    return Err(format!("no source holds the {t} it needs"));
                }
                continue;
            }
            let sum: Expression = of_type.into_iter().sum();
            if fewest > 0 {
                model = model.with(constraint!(sum.clone() >= f64::from(fewest)));
            }
            if d.sources.len() > 1 {
                model = model.with(constraint!(sum <= f64::from(most)));
            }
        }
        if bound > 0 {
            let sum: Expression = xo.values().copied().sum();
            model = model.with(constraint!(sum >= bound as f64));
        }
    }
    let sol = model.solve().map_err(|e| format!("allocation: {e}"))?;
    Ok(x.iter()
        .map(|xo| {
            xo.iter()
                .map(|(k, v)| (k.clone(), sol.value(*v).round().max(0.0) as u32))
                .collect()
        })
        .collect())
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
