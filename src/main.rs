use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use tournee::cli::{bench, demo, solve};

#[derive(Parser)]
#[command(
    name = "tournee",
    version,
    about = "Route optimiser for computer-reuse networks"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Plan a problem file (format tournee/1) and print the plan.
    Solve {
        problem: PathBuf,
        /// Seconds of search (overrides solver.time_limit_s).
        #[arg(long, value_parser = seconds)]
        time_limit: Option<f64>,
        /// Random seed (overrides solver.seed).
        #[arg(long)]
        seed: Option<u64>,
        /// Stop after this many iterations: with a seed, the plan is reproducible.
        #[arg(long)]
        iterations: Option<u64>,
        /// Write the plan as JSON to this file.
        #[arg(short = 'o', long)]
        output: Option<PathBuf>,
        /// What to print on standard output.
        #[arg(long, value_enum, default_value_t = solve::Output::Text)]
        format: solve::Output,
        /// Re-verify the plan with the independent checker (exit 3 if infeasible).
        #[arg(long)]
        check: bool,
        /// Independent searches in parallel; the best plan wins.
        #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..=256))]
        threads: u16,
    },
    /// Plan the embedded sample week (Métropole Rouen Normandie) and print it.
    Demo {
        #[arg(long, default_value_t = 10.0, value_parser = seconds)]
        time_limit: f64,
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Solve public benchmark instances and print CSV results.
    Bench {
        #[arg(long, value_enum)]
        format: bench::Format,
        /// Best-known solutions (`bks.csv`).
        #[arg(long)]
        bks: Option<PathBuf>,
        /// Seconds per instance.
        #[arg(long, default_value_t = 10.0, value_parser = seconds)]
        time_limit: f64,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Write each solution in the CVRPLIB format to this folder.
        #[arg(long)]
        solutions: Option<PathBuf>,
        /// Other solvers' results (e.g. peers-10s.csv) to compare with.
        #[arg(long)]
        peers: Option<PathBuf>,
        /// Independent searches in parallel (1 for the benchmark rule).
        #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..=256))]
        threads: u16,
        #[arg(required = true)]
        inputs: Vec<PathBuf>,
    },
}

/// A positive, finite number of seconds.
fn seconds(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(x) if x.is_finite() && x > 0.0 && x < 1e9 => Ok(x),
        _ => Err(format!("`{s}` is not a positive number of seconds")),
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Solve {
            problem,
            time_limit,
            seed,
            iterations,
            output,
            format,
            check,
            threads,
        } => {
            let opts = solve::Options {
                threads: threads as usize,
                problem,
                time_limit,
                seed,
                iterations,
                output,
                format,
                check,
            };
            match solve::run(&opts) {
                Ok(()) => ExitCode::SUCCESS,
                Err(solve::Failure::Input(lines)) => {
                    for l in lines {
                        eprintln!("{l}");
                    }
                    ExitCode::from(2)
                }
                Err(solve::Failure::Check(lines)) => {
                    eprintln!("check: the plan is NOT feasible:");
                    for l in lines {
                        eprintln!("  {l}");
                    }
                    ExitCode::from(3)
                }
                Err(solve::Failure::Io(e)) => {
                    eprintln!("error: {e}");
                    ExitCode::from(1)
                }
            }
        }
        Command::Demo { time_limit, seed } => match demo::run(time_limit, seed) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::from(1)
            }
        },
        Command::Bench {
            format,
            bks,
            time_limit,
            seed,
            solutions,
            peers,
            threads,
            inputs,
        } => {
            let opts = bench::Options {
                format,
                bks,
                time_limit,
                seed,
                solutions,
                peers,
                threads: threads as usize,
                inputs,
            };
            match bench::run(&opts) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("error: {e}");
                    ExitCode::from(2)
                }
            }
        }
    }
}
