//! The stock a re-plan keeps: what the earlier plan delivers to each order
//! still to deliver is kept while the stock holds it
//! (`allocate::allocate_keeping`); when it no longer does, the orders whose
//! share changed are said.

use std::collections::{BTreeMap, BTreeSet};

use crate::model::Problem;
use crate::plan::{Plan, Tour};

/// What the earlier plan's tours not kept deliver to each order still asked
/// (its parts from other workshops together).
pub(super) fn announced(p: &Problem, previous: &Plan, kept: &[Tour]) -> crate::allocate::Announced {
    let kept: BTreeSet<&str> = kept.iter().map(|t| t.id.as_str()).collect();
    let mut out = crate::allocate::Announced::new();
    for s in previous
        .tours
        .iter()
        .filter(|t| !kept.contains(t.id.as_str()))
        .flat_map(|t| &t.stops)
        .filter(|s| s.kind == crate::plan::StopKind::Delivery)
    {
        // A part delivered from another workshop counts for its order.
        let order = match crate::allocate::part_of(p, &s.job) {
            Some((o, _)) => o.id.as_str(),
            None if p.orders.iter().any(|o| o.id == s.job) => s.job.as_str(),
            None => continue,
        };
        let told = out.entry(order.to_string()).or_default();
        for (d, n) in &s.devices {
            *told.entry(d.clone()).or_default() += n;
        }
    }
    out
}

/// The orders the allocation no longer gives what was announced (the stock
/// changed), each with what it was told and what it gets now.
pub fn stock_broken(
    announced: &crate::allocate::Announced,
    allocation: Option<&crate::allocate::Allocation>,
) -> super::Broken {
    let said = |d: &BTreeMap<String, u32>| {
        let parts: Vec<String> = d
            .iter()
            .filter(|(_, n)| **n > 0)
            .map(|(k, n)| format!("{n} {k}"))
            .collect();
        if parts.is_empty() {
            "nothing".to_string()
        } else {
            parts.join(", ")
        }
    };
    let mut out = super::Broken::new();
    for share in allocation.into_iter().flat_map(|a| &a.orders) {
        let Some(told) = announced.get(&share.order) else {
            continue;
        };
        let now: BTreeMap<String, u32> = share
            .allocated
            .iter()
            .filter(|(d, _)| told.contains_key(*d) || share.asked.contains_key(*d))
            .map(|(d, n)| (d.clone(), *n))
            .collect();
        let differs = told.iter().any(|(d, n)| {
            now.get(d).copied().unwrap_or(0) != (*n).min(share.asked.get(d).copied().unwrap_or(0))
        });
        if differs {
            out.insert(
                share.order.clone(),
                super::Why::new(
                    "stock_changed",
                    &[("told", &said(told)), ("now", &said(&now))],
                ),
            );
        }
    }
    out
}
