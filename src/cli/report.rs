//! `tournee report` and `tournee export`: a plan's emissions for managers,
//! and its tours and stops for spreadsheets, maps and navigation apps.

use std::path::PathBuf;

use crate::plan::{self, Plan};
use crate::{export, report};

#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum Format {
    Text,
    Csv,
    Json,
}

#[derive(clap::Args)]
pub struct Options {
    /// A plan written by `tournee solve -o` (format tournee-plan/1).
    pub plan: PathBuf,
    /// What to print: a table for people, CSV (one row per tour) or JSON.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Share of the collected devices that are refurbished and reused.
    #[arg(long, default_value_t = 1.0, value_parser = rate)]
    pub reuse_rate: f64,
    /// Language of the text output.
    #[arg(long, value_enum, default_value_t = crate::i18n::Lang::Fr)]
    pub lang: crate::i18n::Lang,
    /// The vehicle the baseline (one round trip per request) is priced
    /// with, by its energy: the same for every plan, so plans compare.
    #[arg(long, default_value = "diesel", value_parser = report::energy)]
    pub baseline_energy: crate::model::Energy,
}

fn rate(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(x) if (0.0..=1.0).contains(&x) => Ok(x),
        _ => Err(format!("`{s}` is not a share between 0 and 1")),
    }
}

#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum What {
    /// One row per stop (CSV).
    Stops,
    /// One row per tour (CSV).
    Tours,
    /// Tours and stops for a map.
    Geojson,
    /// One tour for a navigation app (needs --tour).
    Gpx,
}

#[derive(clap::Args)]
pub struct ExportOptions {
    /// A plan written by `tournee solve -o` (format tournee-plan/1).
    pub plan: PathBuf,
    #[arg(value_enum)]
    pub what: What,
    /// The tour to export as GPX (its id, e.g. `master/2026-11-30`).
    #[arg(long)]
    pub tour: Option<String>,
}

fn read(path: &PathBuf) -> Result<Plan, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    // The API's stored-plan answer (`{meta, plan, share}`) holds a plan too.
    if let Ok(serde_json::Value::Object(wrapper)) = serde_json::from_str(&text) {
        if let (Some(plan), true) = (wrapper.get("plan"), wrapper.contains_key("meta")) {
            return serde_json::from_value(plan.clone())
                .map_err(|e| format!("{}: plan: {e}", path.display()));
        }
    }
    let de = &mut serde_json::Deserializer::from_str(&text);
    serde_path_to_error::deserialize(de)
        .map_err(|e| format!("{}: {} at {}", path.display(), e.inner(), e.path()))
}

pub fn run(opts: &Options) -> Result<String, String> {
    let plan = read(&opts.plan)?;
    let r = report::report(&[&plan], opts.reuse_rate, opts.baseline_energy, |_| true);
    Ok(match opts.format {
        Format::Text => report::text(&r, opts.lang),
        Format::Csv => report::csv(&r),
        Format::Json => serde_json::to_string_pretty(&r).map_err(|e| e.to_string())? + "\n",
    })
}

pub fn run_export(opts: &ExportOptions) -> Result<String, String> {
    let plan = read(&opts.plan)?;
    Ok(match opts.what {
        What::Stops => export::stops_csv(&plan),
        What::Tours => export::tours_csv(&plan),
        What::Geojson => format!("{:#}\n", plan::to_geojson(&plan)),
        What::Gpx => {
            let ids = || {
                plan.tours
                    .iter()
                    .map(|t| t.id.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            let id = opts
                .tour
                .as_deref()
                .ok_or_else(|| format!("--tour ID is needed for GPX; the plan has {}", ids()))?;
            let tour = plan
                .tours
                .iter()
                .find(|t| t.id == id)
                .ok_or_else(|| format!("no tour `{id}`; the plan has {}", ids()))?;
            export::gpx(tour)
        }
    })
}
