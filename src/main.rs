use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use tournee::cli::bench;

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
    /// Solve public benchmark instances and print CSV results.
    Bench {
        #[arg(long, value_enum)]
        format: bench::Format,
        /// Best-known solutions (`bks.csv`).
        #[arg(long)]
        bks: Option<PathBuf>,
        /// Seconds per instance.
        #[arg(long, default_value_t = 10.0)]
        time_limit: f64,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Write each solution in the CVRPLIB format to this folder.
        #[arg(long)]
        solutions: Option<PathBuf>,
        #[arg(required = true)]
        inputs: Vec<PathBuf>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Bench {
            format,
            bks,
            time_limit,
            seed,
            solutions,
            inputs,
        } => bench::run(&bench::Options {
            format,
            bks,
            time_limit,
            seed,
            solutions,
            inputs,
        }),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}
