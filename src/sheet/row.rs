//! One row of the coordinator's sheet read into a request: each cell
//! checked against its column's rules, each mistake kept with its row and
//! column in the reader's language, so that a row with one gives no request.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::columns::{Field, Header};
use super::{catalogue, values, Catalogue, Options, RowError};
use crate::i18n::{t, Lang};
use crate::model::{Contact, Interval, Priority, Request};

/// One row being read: its cells, and the mistakes found so far.
pub(super) struct RowReader<'a> {
    pub(super) header: &'a Header,
    pub(super) cells: &'a [String],
    pub(super) row: usize,
    pub(super) lang: Lang,
    pub(super) errors: Vec<RowError>,
}

impl RowReader<'_> {
    fn get(&self, f: Field) -> &str {
        self.header
            .index(f)
            .and_then(|i| self.cells.get(i))
            .map_or("", |s| s.as_str())
    }

    fn wrong(&mut self, f: Field, message: String) {
        let column = self.header.name(f).to_string();
        self.errors.push(RowError {
            row: self.row,
            column,
            message,
            candidates: Vec::new(),
            unplaced: None,
        });
    }

    fn msg(&self, key: &str, args: &[(&str, &str)]) -> String {
        t(self.lang, key, args)
    }

    pub(super) fn request(
        &mut self,
        catalogue: &Catalogue,
        options: &Options,
        seen: &mut BTreeMap<String, usize>,
    ) -> Option<(bool, Request, bool)> {
        let is_order = match values::fold(self.get(Field::Kind)).as_str() {
            "" => options.orders,
            "pickup" | "collecte" | "enlevement" | "don" | "ramassage" => false,
            "order" | "livraison" | "commande" | "delivery" => true,
            _ => {
                let m = self.msg("import.kind", &[]);
                self.wrong(Field::Kind, m);
                false
            }
        };
        let id = match self.get(Field::Id) {
            "" => format!("{}{:03}", if is_order { 'C' } else { 'P' }, self.row),
            id => id.to_string(),
        };
        if let Some(first) = seen.get(&id) {
            let m = self.msg(
                "import.id_duplicate",
                &[("id", &id), ("row", &first.to_string())],
            );
            self.wrong(Field::Id, m);
        }
        seen.entry(id.clone()).or_insert(self.row);
        let location = self.location();
        let devices = self.devices(catalogue);
        let time_windows = self.windows(options.week);
        let service_minutes = self.minutes(Field::Service);
        let setup_minutes = self.minutes(Field::Setup);
        let priority = self.priority();
        let address = [
            self.get(Field::Address),
            &[self.get(Field::Postcode), self.get(Field::Commune)]
                .iter()
                .filter(|s| !s.is_empty())
                .copied()
                .collect::<Vec<_>>()
                .join(" "),
        ]
        .iter()
        .filter(|s| !s.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join(", ");
        // No coordinates but an address: placed later by a geocoder.
        let location = location?;
        let located = location.is_some();
        let request = Request {
            id,
            depot: Some(self.get(Field::Depot).to_string()).filter(|d| !d.is_empty()),
            // (Pickups only: an order's devices leave from the workshop.)
            deliver_to: Some(self.get(Field::DeliverTo).to_string())
                .filter(|d| !d.is_empty() && !is_order),
            name: self.get(Field::Name).to_string(),
            address,
            location: location.unwrap_or([0.0, 0.0]),
            contact: Contact {
                name: self.get(Field::ContactName).to_string(),
                phone: self.get(Field::ContactPhone).to_string(),
                email: self.get(Field::ContactEmail).to_string(),
            },
            devices,
            time_windows,
            service_minutes: service_minutes.unwrap_or(10.0),
            setup_minutes: setup_minutes.unwrap_or(0.0),
            skills: self.skills(),
            priority,
            notes: self.get(Field::Notes).to_string(),
            insee: None,
        };
        Some((is_order, request, located))
    }

    /// Longitude and latitude, both or neither: `Some(None)` for an address
    /// alone (a geocoder's work), `None` after a mistake.
    fn location(&mut self) -> Option<Option<[f64; 2]>> {
        let (lon, lat) = (self.get(Field::Longitude), self.get(Field::Latitude));
        match (lon.is_empty(), lat.is_empty()) {
            (true, true) => {
                let has_address =
                    !self.get(Field::Address).is_empty() || !self.get(Field::Commune).is_empty();
                if has_address {
                    return Some(None);
                }
                let m = self.msg("import.no_place", &[]);
                self.wrong(Field::Address, m);
                None
            }
            (false, false) => {
                let x = values::number(lon).filter(|x| (-180.0..=180.0).contains(x));
                let y = values::number(lat).filter(|y| (-90.0..=90.0).contains(y));
                if x.is_none() {
                    let m = self.msg("import.longitude", &[]);
                    self.wrong(Field::Longitude, m);
                }
                if y.is_none() {
                    let m = self.msg("import.latitude", &[]);
                    self.wrong(Field::Latitude, m);
                }
                Some(Some([x?, y?]))
            }
            (true, false) | (false, true) => {
                let f = if lon.is_empty() {
                    Field::Longitude
                } else {
                    Field::Latitude
                };
                let m = self.msg("import.coordinates_pair", &[]);
                self.wrong(f, m);
                None
            }
        }
    }

    /// The `devices` cell (`portables:8; écrans:2`) and the count columns.
    fn devices(&mut self, catalogue: &Catalogue) -> BTreeMap<String, u32> {
        let before = self.errors.len();
        let mut devices: BTreeMap<String, u32> = BTreeMap::new();
        let cell = self.get(Field::Devices).to_string();
        for item in cell
            .split([';', ','])
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            let (name, count) = item.split_once(':').unwrap_or((item, ""));
            match (catalogue.find(name), count.trim().parse::<u32>()) {
                (None, _) => {
                    let m = self.msg(
                        "import.device_unknown",
                        &[
                            ("name", name.trim()),
                            ("known", &catalogue.known(self.lang)),
                        ],
                    );
                    self.wrong(Field::Devices, m);
                }
                (Some(_), Err(_)) => {
                    let m = self.msg("import.device_count", &[("text", item)]);
                    self.wrong(Field::Devices, m);
                }
                (Some(e), Ok(n)) => {
                    let total = devices.entry(e.device.clone()).or_default();
                    *total = total.saturating_add(n);
                }
            }
        }
        for (column, device) in self.header.device_columns() {
            let text = self.cells.get(column).map_or("", |s| s.as_str()).trim();
            if text.is_empty() {
                continue;
            }
            match values::number(text).filter(|x| x.fract() == 0.0 && *x >= 0.0 && *x < 1e9) {
                Some(n) => {
                    let total = devices.entry(device.to_string()).or_default();
                    *total = total.saturating_add(n as u32);
                }
                None => {
                    let m = self.msg("import.device_count", &[("text", text)]);
                    self.errors.push(RowError {
                        row: self.row,
                        column: self.header.column_name(column).to_string(),
                        message: m,
                        candidates: Vec::new(),
                        unplaced: None,
                    });
                }
            }
        }
        devices.retain(|_, n| *n > 0);
        if let Some((d, n)) = devices
            .iter()
            .find(|(_, n)| **n > crate::limits::MAX_DEVICES)
        {
            let m = self.msg("import.device_count", &[("text", &format!("{d}:{n}"))]);
            self.wrong(Field::Devices, m);
        }
        if devices.is_empty() && self.errors.len() == before {
            let m = self.msg("import.devices_none", &[]);
            self.wrong(Field::Devices, m);
        }
        devices
    }

    fn windows(&mut self, week: Option<NaiveDate>) -> Vec<Interval> {
        let cell = self.get(Field::Windows).to_string();
        match values::windows(&cell, week) {
            Ok(w) => w
                .into_iter()
                .map(|(start, end)| Interval { start, end })
                .collect(),
            Err((text, why)) => {
                let key = match why {
                    values::WindowError::Unreadable => "import.window",
                    values::WindowError::Backwards => "import.window_order",
                    values::WindowError::NeedsWeek => "import.window_needs_week",
                    values::WindowError::TooMany => "import.window_too_many",
                };
                let m = self.msg(key, &[("text", &text)]);
                self.wrong(Field::Windows, m);
                Vec::new()
            }
        }
    }

    /// Minutes in `field` (the service time, the place's set-up): `20`,
    /// `12,5`, `20 min`; none when empty.
    fn minutes(&mut self, field: Field) -> Option<f64> {
        let text = self.get(field).to_string();
        if text.is_empty() {
            return None;
        }
        let minutes = values::number(text.trim_end_matches("min").trim())
            .filter(|m| (0.0..=crate::limits::MAX_MINUTES).contains(m));
        if minutes.is_none() {
            let m = self.msg("import.service", &[]);
            self.wrong(field, m);
        }
        minutes
    }

    /// Empty or `obligatoire`: mandatory; `facultatif:VALUE`: optional.
    fn priority(&mut self) -> Priority {
        let text = values::fold(self.get(Field::Priority));
        let text = text.trim();
        if text.is_empty() || text == "obligatoire" || text == "mandatory" {
            return Priority::Mandatory;
        }
        let value = text
            .strip_prefix("facultatif")
            .or_else(|| text.strip_prefix("optional"))
            .map(|rest| rest.trim_start_matches([':', ' ']))
            .and_then(values::number)
            .filter(|v| (0.0..=crate::limits::MAX_COST).contains(v));
        match value {
            Some(v) => Priority::Optional(v),
            None => {
                let m = self.msg("import.priority", &[]);
                self.wrong(Field::Priority, m);
                Priority::Mandatory
            }
        }
    }

    /// Skills, with the French words for the usual ones (`hayon`: a tail
    /// lift; `2 personnes`: two people to carry).
    fn skills(&self) -> Vec<String> {
        self.get(Field::Skills)
            .split([';', ','])
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| match catalogue::key(s).as_str() {
                "hayon" | "hayon elevateur" | "tail lift" => "tail_lift".to_string(),
                "2 personnes" | "deux personnes" | "two people" => "two_people".to_string(),
                _ => s.to_string(),
            })
            .collect()
    }
}
