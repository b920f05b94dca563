//! `tournee import SHEET`: the coordinator's spreadsheet of pickup requests
//! or commune orders (CSV or XLSX, French or English columns) read into a
//! problem file, with every mistake listed by row and column.

use std::path::PathBuf;

use crate::i18n::Lang;
use crate::sheet::{self, Catalogue};

#[derive(clap::Args)]
pub struct Options {
    /// The sheet: CSV (`,` or `;`, UTF-8 or Windows-1252) or XLSX; columns
    /// as in docs/import.md.
    pub sheet: PathBuf,
    /// The set-up the requests join: a problem file (tournee/1) with its
    /// workshops, vans and device catalogue. Its pickups (or orders) are
    /// replaced by the sheet's. Without it, only the requests are written.
    #[arg(long)]
    pub setup: Option<PathBuf>,
    /// The Monday of the week (2026-11-30 or 30/11/2026): weekdays in the
    /// windows (`mar 9h-12h`) fall in it. Default: the set-up's first day.
    #[arg(long)]
    pub week: Option<String>,
    /// Rows without a `type` column are commune orders, not pickups.
    #[arg(long)]
    pub orders: bool,
    /// Leave out the rows with mistakes instead of refusing the sheet.
    #[arg(long)]
    pub skip_errors: bool,
    /// Write the problem to this file instead of standard output.
    #[arg(short = 'o', long)]
    pub output: Option<PathBuf>,
    /// Language of the messages.
    #[arg(long, value_enum, default_value_t = Lang::Fr)]
    pub lang: Lang,
    /// The geocoder that places rows given by their address alone:
    /// `addok=URL` (the French national address base's protocol, e.g.
    /// `addok=https://api-adresse.data.gouv.fr`) or `nominatim=URL`.
    #[arg(long, value_parser = crate::geocode::settings)]
    pub geocoder: Option<crate::geocode::Settings>,
}

/// Reads the sheet; `Err` holds the lines to print (exit status 2).
pub fn run(opts: &Options) -> Result<(), Vec<String>> {
    let io = |path: &PathBuf, e: std::io::Error| vec![format!("{}: {e}", path.display())];
    let bytes = std::fs::read(&opts.sheet).map_err(|e| io(&opts.sheet, e))?;
    let setup = match &opts.setup {
        None => None,
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|e| io(path, e))?;
            let p =
                crate::input::parse(&text).map_err(|e| vec![format!("{}: {e}", path.display())])?;
            Some(p)
        }
    };
    let week = match (&opts.week, &setup) {
        (Some(w), _) => Some(
            sheet::values::date(w, None)
                .ok_or_else(|| vec![format!("--week: `{w}` is not a date such as 2026-11-30")])?,
        ),
        (None, Some(p)) => Some(p.horizon.start.date()),
        (None, None) => None,
    };
    let catalogue = setup
        .as_ref()
        .map_or_else(Catalogue::default, |p| Catalogue::of(&p.devices));
    let options = sheet::Options {
        week,
        orders: opts.orders,
        lang: opts.lang,
        max_rows: 100_000,
    };
    let mut imported = sheet::read(&bytes, &catalogue, &options);
    match &opts.geocoder {
        Some(settings) => {
            let g = crate::geocode::Geocoder::new(settings.clone(), None)
                .map_err(|e| vec![e.to_string()])?;
            crate::routing::block_on(imported.geocode(&g)).map_err(|e| vec![e])?;
        }
        None => imported.without_geocoder(),
    }
    // What the geocoder matched, for the coordinator to check.
    for g in &imported.geocoded {
        eprintln!(
            "{} {} : « {} » → {} ({:.2})",
            if opts.lang == Lang::Fr {
                "ligne"
            } else {
                "row"
            },
            g.row,
            g.address,
            g.label,
            g.score
        );
    }
    eprintln!("{}", imported.summary(opts.lang));
    if !imported.errors.is_empty() {
        // French sets a space before the colon.
        let (row, colon) = match opts.lang {
            Lang::Fr => ("ligne", " :"),
            Lang::En => ("row", ":"),
        };
        let lines: Vec<String> = imported
            .errors
            .iter()
            .map(|e| {
                let line = match e.column.as_str() {
                    "" => format!("{row} {}{colon} {}", e.row, e.message),
                    c => format!("{row} {}, {c}{colon} {}", e.row, e.message),
                };
                // The places it may be, to write into the sheet.
                let candidates: Vec<String> = e
                    .candidates
                    .iter()
                    .map(|c| {
                        format!(
                            "{} [{:.5}, {:.5}] ({:.2})",
                            c.label, c.location[0], c.location[1], c.score
                        )
                    })
                    .collect();
                match candidates.is_empty() {
                    true => line,
                    false => format!(
                        "{line}\n    {}{colon} {}",
                        crate::i18n::t(opts.lang, "import.candidates", &[]),
                        candidates.join(" ; ")
                    ),
                }
            })
            .collect();
        if !opts.skip_errors {
            return Err(lines);
        }
        for l in &lines {
            eprintln!("{l}");
        }
    }
    let out = match setup {
        None => serde_json::json!({ "pickups": imported.pickups, "orders": imported.orders }),
        Some(mut p) => {
            if !imported.pickups.is_empty() {
                p.pickups = imported.pickups;
            }
            if !imported.orders.is_empty() {
                p.orders = imported.orders;
            }
            let errors = crate::input::validate(&p);
            if !errors.is_empty() {
                return Err(errors.iter().map(|e| e.to_string()).collect());
            }
            serde_json::to_value(&p).map_err(|e| vec![e.to_string()])?
        }
    };
    let text = format!("{out:#}\n");
    match &opts.output {
        Some(path) => std::fs::write(path, text).map_err(|e| io(path, e))?,
        None => super::out(&text),
    }
    Ok(())
}
