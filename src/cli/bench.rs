//! `tournee bench`: solve public benchmark instances and print one CSV row
//! per instance, with the gap to the best-known solution and a verdict from
//! the independent checker.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use tournee_solver::io::{check, read_solomon, read_vrplib, Instance};
use tournee_solver::Params;

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Solomon's VRPTW instances (100 customers).
    Solomon,
    /// Gehring and Homberger's VRPTW instances (200 to 1,000 customers).
    Homberger,
    /// CVRPLIB's VRPLIB files (the X set, CVRP).
    Vrplib,
    /// Weekly problems in the product's own format (tournee/1), as
    /// scripts/bench_weeks.py writes them: the product benchmark.
    Tournee,
}

#[derive(clap::Args)]
pub struct Options {
    /// The instances' file format: Solomon, Gehring-Homberger, or CVRPLIB's VRPLIB.
    #[arg(long, value_enum)]
    pub format: Format,
    /// Best-known solutions (`bks.csv`).
    #[arg(long)]
    pub bks: Option<PathBuf>,
    /// Seconds per instance.
    #[arg(long, default_value_t = 10.0, value_parser = super::seconds)]
    pub time_limit: f64,
    /// Random seed of every search.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Stop each search after this many iterations (with the seed, a
    /// reproducible run whatever the machine's speed).
    #[arg(long)]
    pub iterations: Option<u64>,
    /// Write each solution in the CVRPLIB format to this folder (with
    /// `--format tournee`: every plan as JSON, and VROOM's input and answer).
    #[arg(long)]
    pub solutions: Option<PathBuf>,
    /// Other solvers' results (`instance,solver,…,distance`, e.g. peers-10s.csv),
    /// to compare with the best of them on each instance.
    #[arg(long)]
    pub peers: Option<PathBuf>,
    /// With `--format tournee`: seeds per problem, from `--seed` on (the
    /// spread between them is part of the result).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u64).range(1..=100))]
    pub seeds: u64,
    /// With `--format tournee`: a Python with pyvroom (scripts/peers.sh
    /// installs one), to plan each problem with VROOM beside Tournée.
    #[arg(long)]
    pub vroom: Option<PathBuf>,
    /// Independent searches in parallel (1 for the benchmark rule).
    #[arg(long, default_value_t = 1, value_parser = super::threads)]
    pub threads: usize,
    /// Instance files, or folders of them.
    #[arg(required = true)]
    pub inputs: Vec<PathBuf>,
}

/// Runs the benchmark and prints CSV to stdout.
pub fn run(opts: &Options) -> Result<(), String> {
    let files = instance_files(opts)?;
    if files.is_empty() {
        return Err("no instance file found".into());
    }
    if let Some(dir) = &opts.solutions {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    let read: fn(&str) -> Result<Instance, _> = match opts.format {
        Format::Solomon | Format::Homberger => read_solomon,
        Format::Vrplib => read_vrplib,
        Format::Tournee => return super::bench_weeks::run(opts, &files),
    };
    let bks = match &opts.bks {
        Some(p) => read_bks(p)?,
        None => BTreeMap::new(),
    };
    let peers = match &opts.peers {
        Some(p) => read_peers(p)?,
        None => BTreeMap::new(),
    };
    crate::outln!(
        "instance,customers,vehicles,distance,bks_distance,gap_pct,best_peer,peer_distance,ratio_to_peer,wall_s,iterations,feasible"
    );
    let (mut gaps, mut ratios, mut feasible) = (Vec::new(), Vec::new(), 0usize);
    for file in &files {
        let text = std::fs::read_to_string(file).map_err(|e| format!("{}: {e}", file.display()))?;
        let inst = read(&text).map_err(|e| format!("{}: {e}", file.display()))?;
        let problem = inst.to_problem();
        let params = Params {
            seed: opts.seed,
            time_limit: Some(Duration::from_secs_f64(opts.time_limit)),
            iteration_limit: opts.iterations,
            threads: opts.threads,
            // Distance-only instances end the annealing warmer than the
            // product's default: measured on all 56 Solomon instances
            // (0.70 % → 0.66 % mean gap), while the sample week, with its
            // fixed and hourly costs, is 5 % dearer that way.
            temperature: (3.0, 0.01),
            ..Params::default()
        };
        let started = Instant::now();
        let solution =
            tournee_solver::solve(&problem, &params, |_| {}).map_err(|e| e.to_string())?;
        let wall = started.elapsed().as_secs_f64();
        // Jobs are customers shifted by one (node 0 is the depot).
        let routes: Vec<Vec<usize>> = solution
            .routes
            .iter()
            .map(|r| r.jobs.iter().map(|&j| j + 1).collect())
            .collect();
        let verdict = check(&inst, &routes);
        let name = instance_name(&inst, file);
        let best = bks.get(&name).copied();
        let (distance, ok) = match &verdict {
            Ok(d) => (*d, true),
            Err(e) => {
                eprintln!("{name}: infeasible: {e}");
                (solution.distance, false)
            }
        };
        let gap = best.map(|b| 100.0 * (distance - b) / b);
        if ok {
            feasible += 1;
        }
        if let Some(g) = gap {
            gaps.push(g);
        }
        let peer = peers.get(&name);
        let ratio = peer.map(|(_, d)| distance / d);
        if let Some(r) = ratio {
            ratios.push(r);
        }
        if let Some(dir) = &opts.solutions {
            let jobs: Vec<Vec<usize>> = solution.routes.iter().map(|r| r.jobs.clone()).collect();
            let path = dir.join(format!("{name}.sol"));
            std::fs::write(&path, inst.solution_text(&jobs, distance))
                .map_err(|e| format!("{}: {e}", path.display()))?;
        }
        crate::outln!(
            "{name},{},{},{distance:.4},{},{},{},{},{},{wall:.2},{},{ok}",
            inst.customers(),
            routes.len(),
            best.map_or(String::new(), |b| format!("{b}")),
            gap.map_or(String::new(), |g| format!("{g:.3}")),
            peer.map_or(String::new(), |(s, _)| s.clone()),
            peer.map_or(String::new(), |(_, d)| format!("{d:.4}")),
            ratio.map_or(String::new(), |r| format!("{r:.4}")),
            solution.iterations,
        );
    }
    let mean = |xs: &[f64], digits: usize| {
        if xs.is_empty() {
            String::new()
        } else {
            format!("{:.*}", digits, xs.iter().sum::<f64>() / xs.len() as f64)
        }
    };
    crate::outln!(
        "MEAN,,,,,{},,,{},,,{feasible}/{}",
        mean(&gaps, 3),
        mean(&ratios, 4),
        files.len()
    );
    Ok(())
}

/// Best result of the other solvers per instance, from a CSV with columns
/// `instance`, `solver` and `distance` (as `peers-10s.csv`).
fn read_peers(path: &Path) -> Result<BTreeMap<String, (String, f64)>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut lines = text.lines();
    let header: Vec<&str> = lines
        .next()
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .collect();
    let col = |name: &str| {
        header
            .iter()
            .position(|h| *h == name)
            .ok_or_else(|| format!("{}: no `{name}` column", path.display()))
    };
    let (ci, cs, cd) = (col("instance")?, col("solver")?, col("distance")?);
    let mut best: BTreeMap<String, (String, f64)> = BTreeMap::new();
    for (i, line) in lines.enumerate() {
        let cols: Vec<&str> = line.split(',').map(str::trim).collect();
        let (Some(inst), Some(solver), Some(d)) = (cols.get(ci), cols.get(cs), cols.get(cd)) else {
            continue;
        };
        let d: f64 = d.parse().map_err(|_| {
            format!(
                "{}:{}: distance `{d}` is not a number",
                path.display(),
                i + 2
            )
        })?;
        let entry = best
            .entry(inst.to_string())
            .or_insert((solver.to_string(), d));
        if d < entry.1 {
            *entry = (solver.to_string(), d);
        }
    }
    Ok(best)
}

fn instance_name(inst: &Instance, file: &Path) -> String {
    let stem = file.file_stem().map(|s| s.to_string_lossy().to_string());
    stem.filter(|s| !s.is_empty())
        .unwrap_or_else(|| inst.name.clone())
}

fn instance_files(opts: &Options) -> Result<Vec<PathBuf>, String> {
    let ext = match opts.format {
        Format::Vrplib => "vrp",
        Format::Tournee => "json",
        _ => "txt",
    };
    let mut files = Vec::new();
    for input in &opts.inputs {
        if input.is_dir() {
            let entries =
                std::fs::read_dir(input).map_err(|e| format!("{}: {e}", input.display()))?;
            let mut found: Vec<PathBuf> = entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == ext))
                .collect();
            found.sort();
            files.extend(found);
        } else {
            files.push(input.clone());
        }
    }
    Ok(files)
}

/// Reads a `bks.csv` (`instance,vehicles,distance[,objective_kind,…]`). When
/// an instance has rows of several kinds, the `distance` row (DIMACS rule:
/// arcs truncated to one decimal) is used. For Solomon and Gehring-Homberger
/// it is a relaxation of the double-precision convention benchmarked here, so
/// the gap printed is never smaller than the true gap (see the benchmarks'
/// README); the `hierarchical` row (fewest vehicles first) is only an upper
/// bound and would flatter the solver.
fn read_bks(path: &Path) -> Result<BTreeMap<String, f64>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut out = BTreeMap::new();
    let mut kinds: BTreeMap<String, String> = BTreeMap::new();
    for (i, line) in text.lines().enumerate().skip(1) {
        let cols: Vec<&str> = line.split(',').collect();
        if cols.len() < 3 {
            continue;
        }
        let value: f64 = cols[2].trim().parse().map_err(|_| {
            format!(
                "{}:{}: distance `{}` is not a number",
                path.display(),
                i + 1,
                cols[2]
            )
        })?;
        let kind = cols
            .get(3)
            .map(|s| s.trim().to_string())
            .unwrap_or_default();
        let name = cols[0].trim().to_string();
        let better = match kinds.get(&name) {
            None => true,
            Some(old) => old != "distance" && kind == "distance",
        };
        if better {
            out.insert(name.clone(), value);
            kinds.insert(name, kind);
        }
    }
    Ok(out)
}
