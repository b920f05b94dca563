//! Importing the week's requests from the coordinator's spreadsheet: pickup
//! requests from donors and commune orders, one row each, in the columns a
//! French coordinator would write (`adresse`, `commune`, `créneaux` as
//! `mar 9h-12h, jeu 14h-17h`, `portables`, `écrans`, …) or in the English
//! template's (`kind`, `id`, `windows`, `devices` as `laptop:8; monitor:2`).
//! Every mistake is reported by row and column, in the reader's language,
//! and rows with a mistake give no request: nothing is half-imported.
//! docs/import.md documents the columns.

pub mod catalogue;
mod columns;
mod row;
pub mod table;
pub mod values;

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;

use crate::i18n::{t, Lang};
use crate::model::Request;
pub use catalogue::Catalogue;
use columns::{Field, Header};
use row::RowReader;

/// Addresses sent to the geocoder for one import, at most.
pub const MAX_GEOCODED: usize = 200;

/// One mistake, where the spreadsheet shows it (the header is row 1).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RowError {
    pub row: usize,
    /// The column as the sheet names it (empty for the whole row or file).
    pub column: String,
    pub message: String,
    /// For an address the geocoder was unsure of: the places it may be.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub candidates: Vec<crate::geocode::Candidate>,
    /// For a row the geocoder could not place: its request, right but for
    /// its place. The coordinator picks a candidate (or a point on the
    /// map), sets `location` and adds it to the pickups or orders.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unplaced: Option<Unplaced>,
}

/// A request waiting for its place.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Unplaced {
    /// `pickup` or `order`: the list it joins once placed.
    pub kind: &'static str,
    /// The request, its `location` still [0, 0].
    pub request: Request,
}

/// A row given by its address alone, waiting for a geocoder.
#[derive(Clone, Debug, PartialEq)]
pub struct Pending {
    pub row: usize,
    pub is_order: bool,
    pub request: Request,
    /// The address column's name, for a mistake.
    pub column: String,
}

/// An address the geocoder placed: what it matched, for the coordinator
/// to check.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Geocoded {
    pub row: usize,
    pub request: String,
    pub address: String,
    pub label: String,
    pub score: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub citycode: Option<String>,
}

/// What a sheet gave: the requests of the rows without mistakes, and the
/// mistakes.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Imported {
    pub rows: usize,
    pub pickups: Vec<Request>,
    pub orders: Vec<Request>,
    pub errors: Vec<RowError>,
    /// Rows placed by the geocoder.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub geocoded: Vec<Geocoded>,
    /// Rows with an address and no coordinates, before geocoding.
    #[serde(skip)]
    pub pending: Vec<Pending>,
    #[serde(skip)]
    lang: Lang,
    /// Each request's row, to keep the sheet's order.
    #[serde(skip)]
    order: BTreeMap<String, usize>,
    /// Mistakes beyond the listed ones.
    #[serde(skip)]
    more: usize,
    /// Every mistake, listed or not (once finished).
    #[serde(skip)]
    total_errors: usize,
}

impl Imported {
    /// Mistakes in row order, at most [`crate::limits::MAX_ERRORS`] listed
    /// and then how many more.
    fn finish(&mut self) {
        self.errors.sort_by_key(|e| e.row);
        let max = crate::limits::MAX_ERRORS;
        if self.errors.len() > max {
            self.more += self.errors.len() - max;
            self.errors.truncate(max);
        }
        self.total_errors = self.errors.len() + self.more;
        if self.more > 0 {
            self.errors.push(RowError {
                row: 1,
                column: String::new(),
                message: crate::i18n::count(self.lang, "import.more_errors", self.more),
                candidates: Vec::new(),
                unplaced: None,
            });
            self.more = 0;
        }
    }

    /// Rows still waiting for coordinates become mistakes: there is no
    /// geocoder to place them (the coordinator may still place each pin).
    pub fn without_geocoder(&mut self) {
        for p in std::mem::take(&mut self.pending) {
            self.errors.push(RowError {
                row: p.row,
                column: p.column,
                message: t(self.lang, "import.address_only", &[]),
                candidates: Vec::new(),
                unplaced: Some(Unplaced {
                    kind: if p.is_order { "order" } else { "pickup" },
                    request: p.request,
                }),
            });
        }
        self.finish();
    }

    /// Places the waiting rows with `geocoder`: a clear match is taken (and
    /// listed in `geocoded`), an unsure one is a mistake with its
    /// candidates, an unknown one a mistake; when the geocoder cannot be
    /// asked, every waiting row says so.
    pub async fn geocode(&mut self, geocoder: &crate::geocode::Geocoder) {
        use crate::geocode::Outcome;
        let lang = self.lang;
        // At most this many addresses asked per import, and none after the
        // geocoder failed once: a sheet cannot hold the server for hours.
        let mut asked: std::collections::BTreeSet<String> = Default::default();
        let mut down = false;
        for mut p in std::mem::take(&mut self.pending) {
            let address = p.request.address.clone();
            let unplaced = Unplaced {
                kind: if p.is_order { "order" } else { "pickup" },
                request: p.request.clone(),
            };
            let mistake = |key: &str, candidates| RowError {
                row: p.row,
                column: p.column.clone(),
                message: t(lang, key, &[("address", &address)]),
                candidates,
                unplaced: Some(unplaced.clone()),
            };
            let q = crate::geocode::query(&address);
            if !asked.contains(&q) && asked.len() >= MAX_GEOCODED {
                self.errors
                    .push(mistake("import.geocode_limit", Vec::new()));
                continue;
            }
            if down {
                self.errors
                    .push(mistake("import.geocoder_down", Vec::new()));
                continue;
            }
            asked.insert(q);
            match geocoder.geocode(&address).await {
                Ok(Outcome::Found(c)) => {
                    p.request.location = c.location;
                    // The commune the funders' figures count it in.
                    p.request.insee = c.citycode.clone().filter(|c| crate::communes::is_code(c));
                    self.geocoded.push(Geocoded {
                        row: p.row,
                        request: p.request.id.clone(),
                        address: address.clone(),
                        label: c.label,
                        score: c.score,
                        citycode: c.citycode,
                    });
                    if p.is_order {
                        self.orders.push(p.request);
                    } else {
                        self.pickups.push(p.request);
                    }
                }
                Ok(Outcome::Ambiguous(candidates)) => self
                    .errors
                    .push(mistake("import.address_ambiguous", candidates)),
                Ok(Outcome::NotFound) => self
                    .errors
                    .push(mistake("import.address_not_found", Vec::new())),
                Err(e) => {
                    tracing::warn!("geocoding row {}: {e}", p.row);
                    down = true;
                    self.errors
                        .push(mistake("import.geocoder_down", Vec::new()))
                }
            }
        }
        // Rows in the sheet's order again.
        let row = |id: &str, geocoded: &[Geocoded]| {
            geocoded
                .iter()
                .find(|g| g.request == id)
                .map_or(0, |g| g.row)
        };
        let placed = std::mem::take(&mut self.geocoded);
        let order = &self.order;
        let key = |r: &Request| {
            order
                .get(&r.id)
                .copied()
                .unwrap_or_else(|| row(&r.id, &placed))
        };
        self.pickups.sort_by_key(|r| key(r));
        self.orders.sort_by_key(|r| key(r));
        self.geocoded = placed;
        self.finish();
    }

    /// `137 lignes : 121 collectes et 16 livraisons lues, 0 erreur`.
    pub fn summary(&self, lang: Lang) -> String {
        let n = |key: &str, n: usize| crate::i18n::count(lang, key, n);
        t(
            lang,
            "import.summary",
            &[
                ("rows", &n("count.row", self.rows)),
                ("pickups", &n("count.pickup", self.pickups.len())),
                ("orders", &n("count.order", self.orders.len())),
                (
                    "errors",
                    &n("count.error", self.total_errors.max(self.errors.len())),
                ),
            ],
        )
    }
}

/// How to read a sheet.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// The Monday of the week the sheet is for: weekdays (`mar 9h-12h`)
    /// and dates without a year (`1/12`) fall in it.
    pub week: Option<NaiveDate>,
    /// What a row is when the sheet has no `type` column.
    pub orders: bool,
    pub lang: Lang,
    /// Most data rows read (beyond, the file is refused).
    pub max_rows: usize,
}

/// Reads a sheet (CSV or XLSX bytes) against a device catalogue.
pub fn read(bytes: &[u8], catalogue: &Catalogue, options: &Options) -> Imported {
    let lang = options.lang;
    let file_error = |message: String| Imported {
        errors: vec![RowError {
            row: 1,
            column: String::new(),
            message,
            candidates: Vec::new(),
            unplaced: None,
        }],
        lang,
        ..Imported::default()
    };
    let table = match table::read(bytes) {
        Ok(t) => t,
        Err(why) => return file_error(t(lang, "import.unreadable", &[("why", &why)])),
    };
    let Some(((_, head), data)) = table.rows.split_first() else {
        return file_error(t(lang, "import.empty", &[]));
    };
    if head.len() > table::MAX_COLUMNS {
        return file_error(t(
            lang,
            "import.too_many_columns",
            &[("max", &table::MAX_COLUMNS.to_string())],
        ));
    }
    // Weekdays fall in the week of the given day, from its Monday.
    let week = options.week.map(|d| {
        use chrono::Datelike;
        d - chrono::Duration::days(i64::from(d.weekday().num_days_from_monday()))
    });
    let options = &Options {
        week,
        ..options.clone()
    };
    let max = if options.max_rows == 0 {
        usize::MAX
    } else {
        options.max_rows
    };
    if data.len() > max {
        return file_error(t(
            lang,
            "import.too_many_rows",
            &[("rows", &data.len().to_string()), ("max", &max.to_string())],
        ));
    }
    let header = match Header::new(head, catalogue, lang) {
        Ok(h) => h,
        Err(errors) => {
            return Imported {
                rows: data.len(),
                errors,
                lang,
                ..Imported::default()
            }
        }
    };
    let mut out = Imported {
        rows: data.len(),
        lang,
        ..Imported::default()
    };
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let mut more = 0;
    for (row, cells) in data {
        let mut r = RowReader {
            header: &header,
            cells,
            row: *row,
            lang,
            errors: Vec::new(),
        };
        let request = r.request(catalogue, options, &mut seen);
        if r.errors.is_empty() {
            if let Some((is_order, request, located)) = request {
                out.order.insert(request.id.clone(), *row);
                match (located, is_order) {
                    (false, _) => out.pending.push(Pending {
                        row: *row,
                        is_order,
                        request,
                        // The column the address came from, as the sheet names it.
                        column: [Field::Address, Field::Commune, Field::Postcode]
                            .into_iter()
                            .find(|&f| header.index(f).is_some())
                            .map_or("adresse", |f| header.name(f))
                            .to_string(),
                    }),
                    (true, true) => out.orders.push(request),
                    (true, false) => out.pickups.push(request),
                }
            }
        } else {
            let room = crate::limits::MAX_ERRORS.saturating_sub(out.errors.len());
            more += r.errors.len().saturating_sub(room);
            out.errors.extend(r.errors.into_iter().take(room));
        }
    }
    out.more = more;
    out
}

#[cfg(test)]
mod tests;
