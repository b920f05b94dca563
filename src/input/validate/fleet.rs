//! The fleet's rules: each vehicle's shifts, limits and costs, its depots'
//! opening hours, and the road server's settings.

use std::collections::BTreeSet;

use super::*;

impl Validator {
    pub(super) fn vehicle(
        &mut self,
        at: &str,
        veh: &model::Vehicle,
        depots: &BTreeSet<String>,
        ids: &mut BTreeSet<String>,
    ) {
        self.id(at, &veh.id, ids);
        let known: Vec<&str> = depots.iter().map(String::as_str).collect();
        if !depots.contains(&veh.depot) {
            self.err(
                format!("{at}.depot"),
                format!(
                    "no depot has id `{}`; the depots are: {}",
                    veh.depot,
                    list(&known)
                ),
            );
        }
        if veh.open_tour && veh.end_depot.is_some() {
            self.err(
                format!("{at}.open_tour"),
                "an open tour ends at its last stop: give `end_depot` or `open_tour`, not both",
            );
        }
        if let Some(end) = &veh.end_depot {
            if !depots.contains(end) {
                self.err(
                    format!("{at}.end_depot"),
                    format!("no depot has id `{end}`; the depots are: {}", list(&known)),
                );
            }
        }
        self.text(&format!("{at}.name"), &veh.name);
        self.positive_max(
            &format!("{at}.capacity.kg"),
            veh.capacity.kg,
            MAX_CAPACITY_KG,
        );
        self.positive_max(
            &format!("{at}.capacity.m3"),
            veh.capacity.m3,
            MAX_CAPACITY_M3,
        );
        match veh.capacity.units {
            Some(0) => self.err(format!("{at}.capacity.units"), "must be positive"),
            Some(n) if n > MAX_CAPACITY_UNITS => self.err(
                format!("{at}.capacity.units"),
                format!("at most {MAX_CAPACITY_UNITS}, got {n}"),
            ),
            _ => {}
        }
        if veh.shifts.is_empty() {
            self.err(format!("{at}.shifts"), "at least one shift is needed");
        }
        if veh.shifts.len() > MAX_WINDOWS {
            self.err(
                format!("{at}.shifts"),
                format!("at most {MAX_WINDOWS} shifts"),
            );
        }
        for (k, s) in veh.shifts.iter().enumerate() {
            self.interval(&format!("{at}.shifts[{k}]"), s, true);
        }
        if let Some(h) = veh.max_tour_hours {
            self.positive_max(&format!("{at}.max_tour_hours"), h, MAX_TOUR_HOURS);
        }
        if let Some(h) = veh.max_driver_hours {
            self.positive_max(&format!("{at}.max_driver_hours"), h, MAX_DRIVER_HOURS);
        }
        if let Some(km) = veh.max_tour_km {
            self.positive_max(&format!("{at}.max_tour_km"), km, MAX_TOUR_KM);
        }
        if let Some(n) = veh.max_stops {
            if !(1..=MAX_TOUR_STOPS).contains(&n) {
                self.err(
                    format!("{at}.max_stops"),
                    format!("must be from 1 to {MAX_TOUR_STOPS}, got {n}"),
                );
            }
        }
        self.range(
            &format!("{at}.costs.fixed"),
            veh.costs.fixed,
            (0.0, MAX_COST),
        );
        self.range(
            &format!("{at}.costs.per_km"),
            veh.costs.per_km,
            (0.0, MAX_COST),
        );
        self.range(
            &format!("{at}.costs.per_hour"),
            veh.costs.per_hour,
            (0.0, MAX_COST),
        );
        if let Some(f) = veh.co2e_kg_per_km {
            self.range(&format!("{at}.co2e_kg_per_km"), f, (0.0, MAX_CO2E_PER_KM));
        }
        self.range(
            &format!("{at}.speed_factor"),
            veh.speed_factor,
            SPEED_FACTOR,
        );
        if veh.trips == 0 {
            self.err(format!("{at}.trips"), "at least one trip per shift");
        } else if veh.trips > MAX_TRIPS {
            self.err(
                format!("{at}.trips"),
                format!("at most {MAX_TRIPS} trips per shift"),
            );
        }
        self.range(
            &format!("{at}.reload_minutes"),
            veh.reload_minutes,
            (0.0, MAX_MINUTES),
        );
        self.skills(&format!("{at}.skills"), &veh.skills);
    }

    pub(super) fn osrm(&mut self, o: &model::OsrmSettings) {
        match (o.url.is_empty(), o.server.is_empty()) {
            (true, true) => self.err(
                "routing.osrm",
                "give the road server's `url`, or the `server` name the API's operator gave it",
            ),
            (false, false) => self.err("routing.osrm", "give `url` or `server`, not both"),
            (false, true) if !(o.url.starts_with("http://") || o.url.starts_with("https://")) => {
                self.err("routing.osrm.url", "must start with http:// or https://")
            }
            _ => {}
        }
        if o.url.len() > MAX_TEXT_CHARS {
            self.err(
                "routing.osrm.url",
                format!("at most {MAX_TEXT_CHARS} characters"),
            );
        }
        self.bounded_id("routing.osrm.server", &o.server);
        self.bounded_id("routing.osrm.profile", &o.profile);
        if !(2..=MAX_OSRM_TABLE).contains(&o.max_table_size) {
            self.err(
                "routing.osrm.max_table_size",
                format!("must be from 2 to {MAX_OSRM_TABLE}"),
            );
        }
        if !(1..=MAX_OSRM_CONCURRENCY).contains(&o.concurrency) {
            self.err(
                "routing.osrm.concurrency",
                format!("must be from 1 to {MAX_OSRM_CONCURRENCY}"),
            );
        }
        if o.retries > MAX_OSRM_RETRIES {
            self.err(
                "routing.osrm.retries",
                format!("at most {MAX_OSRM_RETRIES}"),
            );
        }
        self.positive_max("routing.osrm.timeout_s", o.timeout_s, MAX_OSRM_TIMEOUT_S);
        self.positive_max("routing.osrm.max_snap_m", o.max_snap_m, MAX_SNAP_M);
    }

    /// Each shift must overlap its depots' opening hours.
    pub(super) fn depot_open(&mut self, at: &str, veh: &model::Vehicle, p: &Problem) {
        let find = |id: &str| p.depots.iter().find(|d| d.id == id);
        let Some(start) = find(&veh.depot) else {
            return;
        };
        // An open tour has no end depot whose hours would matter.
        let end_hours = match veh.end_id() {
            Some(id) => match find(id) {
                Some(end) => &end.opening_hours[..],
                None => return,
            },
            None => &[][..],
        };
        for (k, shift) in veh.shifts.iter().enumerate() {
            let open = model::usable_shift(shift, &start.opening_hours, end_hours);
            if shift.start < shift.end && open.start >= open.end {
                self.err(
                    format!("{at}.shifts[{k}]"),
                    format!("depot `{}` is closed during this shift", start.id),
                );
            }
        }
    }
}
