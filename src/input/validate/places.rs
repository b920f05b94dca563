//! Where requests' devices come from and go to: the workshop an order draws
//! from, the partner sites, and the place a pickup's devices are taken to.

use std::collections::BTreeSet;

use super::{list, Validator};
use crate::limits::{MAX_DEPOTS, MAX_WINDOWS};
use crate::model::Problem;

impl Validator {
    pub(super) fn places(&mut self, p: &Problem) {
        let depot_ids: Vec<&str> = p.depots.iter().map(|x| x.id.as_str()).collect();
        // Parts of orders are named `ORDER@WORKSHOP` in a network.
        if p.depots.iter().any(|d| d.stock.is_some()) {
            for (i, d) in p.depots.iter().enumerate() {
                if d.id.contains('@') {
                    self.err(
                        format!("depots[{i}].id"),
                        "no `@` in a workshop's id in a network with stock per workshop: it separates an order's id from its workshop's",
                    );
                }
            }
        }
        for (k, o) in p.pickups.iter().enumerate() {
            if o.depot.is_some() {
                self.err(
                    format!("pickups[{k}].depot"),
                    "only orders draw from a workshop; collected devices go back with the van",
                );
            }
        }
        for (k, o) in p.orders.iter().enumerate() {
            if let Some(d) = &o.depot {
                if !depot_ids.contains(&d.as_str()) {
                    self.err(
                        format!("orders[{k}].depot"),
                        format!("no depot `{d}`; the depots are: {}", list(&depot_ids)),
                    );
                }
            }
            if o.deliver_to.is_some() {
                self.err(
                    format!("orders[{k}].deliver_to"),
                    "only pickups are taken elsewhere; an order's devices leave from the workshop",
                );
            }
        }

        if p.partners.len() > MAX_DEPOTS {
            // Each is a row and a column of the matrices.
            self.err("partners", format!("at most {MAX_DEPOTS} partner sites"));
            return;
        }
        let mut ids = BTreeSet::new();
        for (i, s) in p.partners.iter().enumerate() {
            let at = format!("partners[{i}]");
            self.id(&at, &s.id, &mut ids);
            if depot_ids.contains(&s.id.as_str()) {
                self.err(
                    format!("{at}.id"),
                    format!("`{}` is a depot's id too", s.id),
                );
            }
            self.location(&at, s.location);
            for (field, text) in [
                ("name", &s.name),
                ("kind", &s.kind),
                ("address", &s.address),
                ("contact.name", &s.contact.name),
                ("contact.phone", &s.contact.phone),
                ("contact.email", &s.contact.email),
            ] {
                self.text(&format!("{at}.{field}"), text);
            }
            self.range(
                &format!("{at}.service_minutes"),
                s.service_minutes,
                (0.0, crate::limits::MAX_MINUTES),
            );
            if s.opening_hours.len() > MAX_WINDOWS {
                self.err(
                    format!("{at}.opening_hours"),
                    format!("at most {MAX_WINDOWS} periods"),
                );
                continue;
            }
            for (k, w) in s.opening_hours.iter().enumerate() {
                self.interval(&format!("{at}.opening_hours[{k}]"), w, false);
            }
        }
        for (k, o) in p.pickups.iter().enumerate() {
            let Some(to) = &o.deliver_to else { continue };
            if !ids.contains(to) && !depot_ids.contains(&to.as_str()) {
                let mut places: Vec<&str> = p.partners.iter().map(|s| s.id.as_str()).collect();
                places.extend(&depot_ids);
                self.err(
                    format!("pickups[{k}].deliver_to"),
                    format!(
                        "no partner site or depot `{to}`; there are: {}",
                        list(&places)
                    ),
                );
            }
        }
    }
}
