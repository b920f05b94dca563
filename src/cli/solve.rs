//! `tournee solve`: read a problem file, plan it, print and save the plan.

use std::io::IsTerminal;
use std::path::PathBuf;

use crate::check;
use crate::convert;
use crate::input;
use crate::routing;
use crate::text;

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Output {
    Text,
    Json,
}

#[derive(clap::Args)]
pub struct Options {
    /// The problem file (format tournee/1, see docs/format.md).
    pub problem: PathBuf,
    /// Seconds of search (overrides solver.time_limit_s).
    #[arg(long, value_parser = super::seconds)]
    pub time_limit: Option<f64>,
    /// Random seed (overrides solver.seed).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Stop after this many iterations: with a seed, the plan is reproducible.
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..))]
    pub iterations: Option<u64>,
    /// Write the plan as JSON to this file.
    #[arg(short = 'o', long)]
    pub output: Option<PathBuf>,
    /// Write the tours and stops as GeoJSON to this file (for a map).
    #[arg(long)]
    pub geojson: Option<PathBuf>,
    /// What to print on standard output.
    #[arg(long, value_enum, default_value_t = Output::Text)]
    pub format: Output,
    /// Language of the text output.
    #[arg(long, value_enum, default_value_t = crate::i18n::Lang::Fr)]
    pub lang: crate::i18n::Lang,
    /// Re-verify the plan with the independent checker (exit 3 if infeasible).
    #[arg(long)]
    pub check: bool,
    /// Folder where road matrices are kept (engine osrm): planning the same
    /// places again does not query the server.
    #[arg(long, env = "TOURNEE_MATRIX_CACHE")]
    pub matrix_cache: Option<PathBuf>,
    /// The earlier plan, for a problem with a `replan` section: its tours
    /// before `replan.frozen_before` are kept, the rest is planned again.
    #[arg(long)]
    pub previous: Option<PathBuf>,
    /// Also plan the collection rounds and the delivery rounds apart (same
    /// time limit each) and say how many km mixing them saves.
    #[arg(long)]
    pub compare_separate: bool,
    /// Independent searches in parallel; the best plan wins.
    #[arg(long, default_value_t = 1, value_parser = super::threads)]
    pub threads: usize,
}

/// What went wrong, and the exit status it maps to.
pub enum Failure {
    /// The problem file is unreadable or invalid: one line per mistake.
    Input(Vec<String>),
    /// The checker found the plan infeasible.
    Check(Vec<String>),
    Io(String),
}

impl From<crate::pipeline::Failure> for Failure {
    fn from(e: crate::pipeline::Failure) -> Self {
        match e {
            crate::pipeline::Failure::Invalid(errs) => {
                Failure::Input(errs.iter().map(|e| e.to_string()).collect())
            }
            crate::pipeline::Failure::Routing { error, .. } => Failure::Io(error),
            e => Failure::Io(e.to_string()),
        }
    }
}

impl From<convert::PlanError> for Failure {
    fn from(e: convert::PlanError) -> Self {
        match e {
            convert::PlanError::Invalid(errs) => {
                Failure::Input(errs.iter().map(|e| e.to_string()).collect())
            }
            e => Failure::Io(e.to_string()),
        }
    }
}

pub fn run(opts: &Options) -> Result<(), Failure> {
    let path = opts.problem.display();
    let text =
        std::fs::read_to_string(&opts.problem).map_err(|e| Failure::Io(format!("{path}: {e}")))?;
    let mut problem = input::read(&text)
        .map_err(|errs| Failure::Input(errs.iter().map(|e| e.to_string()).collect()))?;
    if problem
        .routing
        .osrm
        .as_ref()
        .is_some_and(|o| o.url.is_empty())
    {
        return Err(Failure::Input(vec![
            "routing.osrm.server: names a road server of `tournee serve`; a file planned by `tournee solve` gives the road server's `url`".into(),
        ]));
    }
    if let Some(t) = opts.time_limit {
        problem.solver.time_limit_s = t;
    }
    if let Some(s) = opts.seed {
        problem.solver.seed = s;
    }
    if opts.iterations.is_some() {
        problem.solver.iteration_limit = opts.iterations;
    }

    // A re-plan keeps the earlier plan's finished tours and plans the rest.
    let original = problem.clone();
    let previous = match (&problem.replan, &opts.previous) {
        (None, _) => None,
        (Some(_), None) => {
            return Err(Failure::Input(vec![
                "replan: re-planning needs the earlier plan (--previous PLAN.json)".into(),
            ]))
        }
        (Some(_), Some(path)) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| Failure::Io(format!("{}: {e}", path.display())))?;
            let plan: crate::plan::Plan = serde_json::from_str(&text)
                .map_err(|e| Failure::Input(vec![format!("{}: {e}", path.display())]))?;
            Some(plan)
        }
    };
    // With a stock, the orders get what the allocation gives them first (on
    // a re-plan, what was announced while the stock holds it); the checker
    // still reads the problem as given.
    let earlier = previous.clone().map(|p| (p, Default::default()));
    let (problem, finish) = crate::pipeline::prepare(problem, earlier).map_err(Failure::from)?;
    if let Some(a) = finish
        .allocation
        .as_ref()
        .filter(|_| opts.format == Output::Text)
    {
        eprint!("{}", crate::allocate::text(a, opts.lang));
    }
    let bar = std::io::stderr().is_terminal();
    let run = crate::pipeline::Run {
        threads: opts.threads,
        matrix_cache: opts.matrix_cache.as_deref(),
        cancel: Default::default(),
    };
    let planned = routing::block_on(crate::pipeline::plan(problem, &finish, run, (), move |p| {
        if bar {
            let width = 30;
            let done = (p.fraction * width as f64).round() as usize;
            eprint!(
                "\r[{}{}] {:>5.1}s  best cost {:.2}  unassigned {}   ",
                "#".repeat(done.min(width)),
                " ".repeat(width - done.min(width)),
                p.elapsed.as_secs_f64(),
                p.best_cost,
                p.unassigned
            );
        }
    }))
    .map_err(Failure::Io)?
    .map_err(Failure::from)?;
    if bar {
        eprintln!();
    }
    let crate::pipeline::Planned {
        plan,
        problem,
        travel,
        straight_lines,
    } = planned;
    if let Some(e) = straight_lines {
        eprintln!("warning: tours drawn as straight lines: {e}");
    }
    for c in &plan.changes {
        let moved = crate::i18n::t(
            opts.lang,
            "cli.moved",
            &[("request", &c.request), ("from", &c.from), ("to", &c.to)],
        );
        match &c.why_code {
            Some(code) => {
                let why = crate::replan::Why {
                    code: code.clone(),
                    args: c.why_args.clone(),
                };
                eprintln!("{moved} ({})", why.said(opts.lang));
            }
            None => eprintln!("{moved}"),
        }
    }
    if opts.compare_separate {
        eprint!("{}", compare_separate(&problem, &plan, opts)?);
    }

    let json = serde_json::to_string_pretty(&plan).map_err(|e| Failure::Io(e.to_string()))?;
    if let Some(out) = &opts.output {
        std::fs::write(out, format!("{json}\n"))
            .map_err(|e| Failure::Io(format!("{}: {e}", out.display())))?;
    }
    if let Some(out) = &opts.geojson {
        let geo = format!("{:#}\n", crate::plan::to_geojson(&plan));
        std::fs::write(out, geo).map_err(|e| Failure::Io(format!("{}: {e}", out.display())))?;
    }
    match opts.format {
        Output::Json if opts.output.is_none() => super::out(&format!("{json}\n")),
        Output::Json => {}
        Output::Text => super::out(&text::render(&plan, opts.lang)),
    }

    if opts.check {
        // Kept tours visit places the re-planned problem no longer has.
        let all = if previous.is_some() {
            routing::block_on(routing::travel(&original, opts.matrix_cache.as_deref()))
                .map_err(Failure::Io)?
                .map_err(|e| Failure::Io(e.to_string()))?
        } else {
            travel
        };
        let errors = check::check_with(&original, &plan, &all);
        if !errors.is_empty() {
            return Err(Failure::Check(errors));
        }
        eprintln!(
            "check: the plan is feasible ({} tours, {} stops)",
            plan.totals.tours, plan.totals.stops
        );
    }
    Ok(())
}

#[derive(clap::Args)]
pub struct AllocateOptions {
    /// The problem file, with a `stock`.
    pub problem: PathBuf,
    /// Write the problem with the allocated orders (ready to solve) here.
    #[arg(short = 'o', long)]
    pub output: Option<PathBuf>,
    /// What to print on standard output: the allocation as a table, or as JSON.
    #[arg(long, value_enum, default_value_t = Output::Text)]
    pub format: Output,
    /// Language of the text output.
    #[arg(long, value_enum, default_value_t = crate::i18n::Lang::Fr)]
    pub lang: crate::i18n::Lang,
}

/// `tournee allocate`: the stock allocation alone.
pub fn allocate(opts: &AllocateOptions) -> Result<(), Failure> {
    let path = opts.problem.display();
    let text =
        std::fs::read_to_string(&opts.problem).map_err(|e| Failure::Io(format!("{path}: {e}")))?;
    let problem = input::read(&text)
        .map_err(|errs| Failure::Input(errs.iter().map(|e| e.to_string()).collect()))?;
    let (allocated, allocation) = crate::allocate::prepare(problem).map_err(Failure::Io)?;
    let allocation = allocation.ok_or_else(|| {
        Failure::Input(vec!["stock: the problem has no stock to allocate".into()])
    })?;
    let dropped: Vec<String> = allocation
        .orders
        .iter()
        .filter(|s| s.allocated.values().all(|&n| n == 0))
        .map(|s| s.order.clone())
        .collect();
    if let Some(out) = &opts.output {
        let json =
            serde_json::to_string_pretty(&allocated).map_err(|e| Failure::Io(e.to_string()))?;
        std::fs::write(out, json + "\n")
            .map_err(|e| Failure::Io(format!("{}: {e}", out.display())))?;
    }
    let printed = match opts.format {
        Output::Text => {
            let mut t = crate::allocate::text(&allocation, opts.lang);
            if !dropped.is_empty() {
                let dropped = dropped.join(", ");
                let line = crate::i18n::t(
                    opts.lang,
                    "text.nothing_to_deliver",
                    &[("orders", &dropped)],
                );
                t.push_str(&format!("  {line}\n"));
            }
            t
        }
        Output::Json => {
            serde_json::to_string_pretty(&allocation).map_err(|e| Failure::Io(e.to_string()))?
                + "\n"
        }
    };
    crate::cli::out(&printed);
    Ok(())
}

/// Plans pickups alone and orders alone, and compares their kilometres with
/// the mixed plan's.
fn compare_separate(
    problem: &crate::model::Problem,
    mixed: &crate::plan::Plan,
    opts: &Options,
) -> Result<String, Failure> {
    let mut km = Vec::new();
    for keep_pickups in [true, false] {
        let mut part = problem.clone();
        if keep_pickups {
            part.orders.clear();
        } else {
            part.pickups.clear();
        }
        let travel = routing::block_on(routing::travel(&part, opts.matrix_cache.as_deref()))
            .map_err(Failure::Io)?
            .map_err(|e| Failure::Io(e.to_string()))?;
        let plan =
            convert::plan(&part, &travel, opts.threads, None, |_| {}).map_err(Failure::from)?;
        km.push((
            plan.totals.distance_km,
            plan.totals.tours,
            plan.totals.unassigned,
        ));
    }
    let separate = km[0].0 + km[1].0;
    let saved = separate - mixed.totals.distance_km;
    Ok(format!(
        "mixing: {:.1} km in {} tours ({} left out); apart: collection {:.1} km in {} tours ({} left out) + delivery {:.1} km in {} tours ({} left out) = {separate:.1} km; mixing saves {saved:.1} km ({:.1} %)\n",
        mixed.totals.distance_km,
        mixed.totals.tours,
        mixed.totals.unassigned,
        km[0].0,
        km[0].1,
        km[0].2,
        km[1].0,
        km[1].1,
        km[1].2,
        if separate > 0.0 { 100.0 * saved / separate } else { 0.0 }
    ))
}
