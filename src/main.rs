use std::process::ExitCode;

use clap::{Parser, Subcommand};

use tournee::cli::{self, bench, demo, solve};

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
    Solve(solve::Options),
    /// Plan the embedded sample week (Métropole Rouen Normandie) and print it.
    Demo {
        #[arg(long, default_value_t = 10.0, value_parser = cli::seconds)]
        time_limit: f64,
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Solve public benchmark instances and print CSV results.
    Bench(bench::Options),
    /// Serve the HTTP API (planning jobs, stored plans, drivers' tours).
    Serve(tournee::server::Config),
    /// Print the API's OpenAPI document.
    Openapi,
}

fn fail(message: impl std::fmt::Display, code: u8) -> ExitCode {
    eprintln!("{message}");
    ExitCode::from(code)
}

fn main() -> ExitCode {
    match Cli::parse().command {
        Command::Solve(opts) => match solve::run(&opts) {
            Ok(()) => ExitCode::SUCCESS,
            Err(solve::Failure::Input(lines)) => fail(lines.join("\n"), 2),
            Err(solve::Failure::Check(lines)) => fail(
                format!("check: the plan is NOT feasible:\n  {}", lines.join("\n  ")),
                3,
            ),
            Err(solve::Failure::Io(e)) => fail(format!("error: {e}"), 1),
        },
        Command::Demo { time_limit, seed } => match demo::run(time_limit, seed) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => fail(format!("error: {e}"), 1),
        },
        Command::Bench(opts) => match bench::run(&opts) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => fail(format!("error: {e}"), 2),
        },
        Command::Serve(config) => match tournee::server::serve(config) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => fail(format!("error: {e}"), 1),
        },
        Command::Openapi => {
            println!("{:#}", tournee::server::openapi::build());
            ExitCode::SUCCESS
        }
    }
}
