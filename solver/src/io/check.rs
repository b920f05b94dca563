//! An independent checker for benchmark solutions. It recomputes everything
//! from the instance data alone and shares no code with the search, so a bug
//! there cannot hide here.

use super::Instance;

/// Checks routes given as customer node indices (1-based, depot excluded) and
/// returns their total distance, or the first broken rule.
pub fn check(inst: &Instance, routes: &[Vec<usize>]) -> Result<f64, String> {
    let n = inst.coords.len();
    if let Some(fleet) = inst.fleet {
        let used = routes.iter().filter(|r| !r.is_empty()).count();
        if used > fleet {
            return Err(format!("{used} routes for a fleet of {fleet}"));
        }
    }
    let mut seen = vec![false; n];
    let mut total = 0.0;
    for (k, route) in routes.iter().enumerate() {
        let mut load = 0i64;
        let mut time = inst.windows.as_ref().map_or(0.0, |w| w[0].0);
        let mut prev = 0usize;
        let mut length = 0.0;
        for &c in route {
            if c == 0 || c >= n {
                return Err(format!("route {}: node {c} is not a customer", k + 1));
            }
            if std::mem::replace(&mut seen[c], true) {
                return Err(format!("customer {} visited twice", inst.ids[c]));
            }
            let (xa, ya) = inst.coords[prev];
            let (xb, yb) = inst.coords[c];
            let leg = inst.distance(prev, c);
            debug_assert!(leg >= ((xa - xb).powi(2) + (ya - yb).powi(2)).sqrt() - 0.5 - 1e-9);
            length += leg;
            time += leg;
            if let Some(w) = &inst.windows {
                let (ready, due) = w[c];
                if time > due + 1e-6 {
                    return Err(format!(
                        "route {}: customer {} reached at {time:.4}, after its due date {due}",
                        k + 1,
                        inst.ids[c]
                    ));
                }
                time = time.max(ready);
            }
            time += inst.service[c];
            load += inst.demand[c];
            prev = c;
        }
        if load > inst.capacity {
            return Err(format!(
                "route {}: load {load} over capacity {}",
                k + 1,
                inst.capacity
            ));
        }
        let back = inst.distance(prev, 0);
        length += back;
        time += back;
        if let Some(w) = &inst.windows {
            if !route.is_empty() && time > w[0].1 + 1e-6 {
                return Err(format!(
                    "route {}: back at {time:.4}, after the depot closes at {}",
                    k + 1,
                    w[0].1
                ));
            }
        }
        total += length;
    }
    if let Some(missing) = (1..n).find(|&c| !seen[c]) {
        return Err(format!("customer {} is not visited", inst.ids[missing]));
    }
    Ok(total)
}
