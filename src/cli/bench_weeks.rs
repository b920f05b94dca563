//! `tournee bench --format tournee`: the product benchmark. Weekly problems
//! in the product's own format (scripts/bench_weeks.py generates a set like
//! the sample week) are planned as a user would plan them — stock allocated
//! first, then the search — and, with `--vroom`, by VROOM on the same
//! converted problem (one vehicle per shift, the same matrices). Every plan,
//! ours and VROOM's, goes through the same conversion into a plan, the
//! independent checker and one re-costing from the plan's own figures, so
//! the two columns are priced alike whatever each solver thinks it costs.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use crate::allocate::{self, Allocation};
use crate::model::{wall_clock, Problem};
use crate::plan::Plan;
use crate::routing::{self, Travel};
use crate::{check, convert, input, vroom};

use super::bench::Options;

/// Runs VROOM from pyvroom on an input file and writes its answer.
const VROOM_SCRIPT: &str = r#"
import json, sys, time
from datetime import timedelta
import vroom
problem = vroom.Input.from_json(sys.argv[1])
started = time.monotonic()
solution = problem.solve(exploration_level=5, nb_threads=1, timeout=timedelta(seconds=float(sys.argv[3])))
answer = solution.to_dict()
answer["wall_s"] = time.monotonic() - started
with open(sys.argv[2], "w") as f:
    json.dump(answer, f)
"#;

/// One solver's plan of one problem, as the checker and the re-costing see it.
struct Row {
    cost: f64,
    km: f64,
    tours: usize,
    unassigned: usize,
    wall: f64,
    feasible: bool,
}

/// Plans every problem with each seed (and VROOM once: with its timeout its
/// answer depends on the machine, not on a seed),
/// prints one CSV row per plan and a summary table on standard error.
pub fn run(opts: &Options, files: &[PathBuf]) -> Result<(), String> {
    crate::outln!("problem,solver,seed,cost,distance_km,tours,unassigned,wall_s,feasible");
    let mut summary = Vec::new();
    for file in files {
        let name = file
            .file_stem()
            .map_or_else(String::new, |s| s.to_string_lossy().to_string());
        let text = std::fs::read_to_string(file).map_err(|e| format!("{}: {e}", file.display()))?;
        let original = input::read(&text).map_err(|errs| {
            let lines: Vec<String> = errs.iter().map(|e| e.to_string()).collect();
            format!("{}: {}", file.display(), lines.join("; "))
        })?;
        let (mut problem, allocation) =
            allocate::prepare(original.clone()).map_err(|e| format!("{name}: {e}"))?;
        problem.solver.time_limit_s = opts.time_limit;
        problem.solver.iteration_limit = opts.iterations;
        let travel = routing::block_on(routing::travel(&problem, None))?
            .map_err(|e| format!("{name}: {e}"))?;

        let mut ours = Vec::new();
        for seed in (0..opts.seeds).map(|k| opts.seed.wrapping_add(k)) {
            problem.solver.seed = seed;
            let started = Instant::now();
            let plan = convert::plan(&problem, &travel, 1, None, |_| {})
                .map_err(|e| format!("{name}: {e}"))?;
            let wall = started.elapsed().as_secs_f64();
            let (row, plan) = judge(&original, allocation.as_ref(), plan, &travel, wall);
            keep(opts, &format!("{name}.tournee-{seed}.plan.json"), &plan)?;
            print_row(&name, "tournee", &seed.to_string(), &row);
            ours.push(row);
        }
        let peer = match &opts.vroom {
            Some(python) => {
                let row = run_vroom(
                    python,
                    &name,
                    &problem,
                    allocation.as_ref(),
                    &original,
                    &travel,
                    opts,
                )?;
                print_row(&name, "vroom", "", &row);
                Some(row)
            }
            None => None,
        };
        summary.push((name, ours, peer));
    }
    eprint!("{}", table(&summary));
    Ok(())
}

/// VROOM on the converted problem, its answer turned into a plan by the
/// same conversion as ours.
fn run_vroom(
    python: &Path,
    name: &str,
    problem: &Problem,
    allocation: Option<&Allocation>,
    original: &Problem,
    travel: &Travel,
    opts: &Options,
) -> Result<Row, String> {
    let conversion = convert::to_solver(problem, travel);
    let input = vroom::input(&conversion.problem);
    let stem = std::env::temp_dir().join(format!("tournee-vroom-{}-{name}", std::process::id()));
    let (inp, out) = (
        stem.with_extension("in.json"),
        stem.with_extension("out.json"),
    );
    std::fs::write(&inp, input.json.to_string()).map_err(|e| format!("{}: {e}", inp.display()))?;
    let started = Instant::now();
    let status = Command::new(python)
        .arg("-c")
        .arg(VROOM_SCRIPT)
        .arg(&inp)
        .arg(&out)
        .arg(format!("{}", opts.time_limit))
        .status()
        .map_err(|e| format!("{}: {e}", python.display()))?;
    let text = std::fs::read_to_string(&out);
    for f in [&inp, &out] {
        let _ = std::fs::remove_file(f);
    }
    if !status.success() {
        return Err(format!("{name}: VROOM failed ({status})"));
    }
    let text = text.map_err(|e| format!("{name}: {e}"))?;
    let answer: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| format!("{name}: VROOM's answer: {e}"))?;
    let wall = answer["wall_s"]
        .as_f64()
        .unwrap_or_else(|| started.elapsed().as_secs_f64());
    keep(opts, &format!("{name}.vroom-input.json"), &input.json)?;
    keep(opts, &format!("{name}.vroom-output.json"), &answer)?;
    let solution = vroom::solution(&conversion.problem, &input, &answer)?;
    let plan = conversion.to_plan(problem, &solution);
    let (row, plan) = judge(original, allocation, plan, travel, wall);
    keep(opts, &format!("{name}.vroom.plan.json"), &plan)?;
    Ok(row)
}

/// Checks `plan` against the problem as given and prices it from its own
/// figures: each tour's fixed cost, its kilometres and its hours from
/// departure to return, at its vehicle's rates.
fn judge(
    original: &Problem,
    allocation: Option<&Allocation>,
    mut plan: Plan,
    travel: &Travel,
    wall: f64,
) -> (Row, Plan) {
    if let Some(a) = allocation {
        allocate::add_unserved(&mut plan, a);
    }
    let errors = check::check_with(original, &plan, travel);
    for e in errors.iter().take(3) {
        eprintln!("{}: {e}", plan.name);
    }
    let row = Row {
        cost: recost(original, &plan),
        km: plan.tours.iter().map(|t| t.distance_km).sum(),
        tours: plan.tours.len(),
        unassigned: plan.unassigned.len(),
        wall,
        feasible: errors.is_empty(),
    };
    (row, plan)
}

/// Writes `value` as JSON to the `--solutions` folder, when there is one:
/// every plan, and VROOM's input and answer, for anyone to re-check.
fn keep(opts: &Options, file: &str, value: &impl serde::Serialize) -> Result<(), String> {
    let Some(dir) = &opts.solutions else {
        return Ok(());
    };
    let path = dir.join(file);
    let text = serde_json::to_string(value).map_err(|e| e.to_string())?;
    std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))
}

/// What the plan costs at the problem's rates (NaN for a tour on an unknown
/// vehicle or with unreadable times, which the checker reports too).
pub fn recost(problem: &Problem, plan: &Plan) -> f64 {
    plan.tours
        .iter()
        .map(|t| {
            let Some(v) = problem.vehicles.iter().find(|v| v.id == t.vehicle) else {
                return f64::NAN;
            };
            let (Some(a), Some(b)) = (
                wall_clock::parse(&t.departure),
                wall_clock::parse(&t.return_),
            ) else {
                return f64::NAN;
            };
            let hours = (b - a).num_seconds() as f64 / 3600.0;
            v.costs.fixed + v.costs.per_km * t.distance_km + v.costs.per_hour * hours
        })
        .sum()
}

fn print_row(name: &str, solver: &str, seed: &str, r: &Row) {
    crate::outln!(
        "{name},{solver},{seed},{:.2},{:.1},{},{},{:.2},{}",
        r.cost,
        r.km,
        r.tours,
        r.unassigned,
        r.wall,
        r.feasible
    );
}

/// The README's table: our mean cost and its spread over the seeds, VROOM's
/// cost, and the ratio (below 1: cheaper than VROOM).
fn table(rows: &[(String, Vec<Row>, Option<Row>)]) -> String {
    let mut out = String::from(
        "| problem | Tournée mean | spread | left out | VROOM | left out | ratio |\n|---|---:|---:|---:|---:|---:|---:|\n",
    );
    let mut ratios = Vec::new();
    for (name, ours, peer) in rows {
        let n = ours.len().max(1) as f64;
        let mean = ours.iter().map(|r| r.cost).sum::<f64>() / n;
        let (lo, hi) = ours
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), r| {
                (lo.min(r.cost), hi.max(r.cost))
            });
        let left: Vec<String> = ours.iter().map(|r| r.unassigned.to_string()).collect();
        let feasible = ours.iter().all(|r| r.feasible);
        let mark = |ok: bool| if ok { "" } else { " (infeasible)" };
        let (vroom, vleft, ratio) = match peer {
            Some(p) => {
                let ratio = mean / p.cost;
                ratios.push(ratio);
                (
                    format!("{:.2}{}", p.cost, mark(p.feasible)),
                    p.unassigned.to_string(),
                    format!("{ratio:.3}"),
                )
            }
            None => Default::default(),
        };
        out.push_str(&format!(
            "| {name} | {mean:.2}{} | {:.1} % | {} | {vroom} | {vleft} | {ratio} |\n",
            mark(feasible),
            100.0 * (hi - lo) / mean,
            left.join("/"),
        ));
    }
    if !ratios.is_empty() {
        out.push_str(&format!(
            "| mean | | | | | | {:.3} |\n",
            ratios.iter().sum::<f64>() / ratios.len() as f64
        ));
    }
    out
}
