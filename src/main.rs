use std::process::ExitCode;

use clap::{Parser, Subcommand};

use tournee::cli::{self, bench, demo, import, report, solve};

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
    /// Plan the embedded sample week (Métropole Rouen Normandie), print it and serve it with the web pages.
    Demo {
        /// Seconds of search for the sample week.
        #[arg(long, default_value_t = 10.0, value_parser = cli::seconds)]
        time_limit: f64,
        /// Random seed of the search.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Print the plan and stop, without serving it.
        #[arg(long)]
        no_serve: bool,
        /// Language of what is printed for people.
        #[arg(long, value_enum, default_value_t = tournee::i18n::Lang::Fr)]
        lang: tournee::i18n::Lang,
        #[command(flatten)]
        server: tournee::server::Config,
    },
    /// Solve public benchmark instances and print CSV results.
    Bench(bench::Options),
    /// Read a spreadsheet of pickup requests or commune orders (CSV or XLSX) into a problem file.
    Import(import::Options),
    /// Share out a limited stock among the communes' orders (max-min fair).
    Allocate(solve::AllocateOptions),
    /// A plan's emissions: transport CO2e, avoided manufacture, baseline.
    Report(report::Options),
    /// A plan's tours and stops as CSV, GeoJSON or GPX (on standard output).
    Export(report::ExportOptions),
    /// Serve the HTTP API (planning jobs, stored plans, drivers' tours).
    ///
    /// Installed from the Debian package (scripts/package-deb.sh), it runs as
    /// the `tournee` service (systemctl status tournee), as user `tournee`:
    /// settings in /etc/tournee/tournee.env (one TOURNEE_… variable per option
    /// below), the database in /var/lib/tournee/tournee.db, logs in the journal
    /// (journalctl -u tournee).
    Serve(tournee::server::Config),
    /// Print the API's OpenAPI document.
    Openapi,
}

fn fail(message: impl std::fmt::Display, code: u8) -> ExitCode {
    eprintln!("{message}");
    ExitCode::from(code)
}

/// Prints a command's output, or its error with exit status 2.
fn print(out: Result<String, String>) -> ExitCode {
    match out {
        Ok(text) => {
            tournee::cli::out(&text);
            ExitCode::SUCCESS
        }
        Err(e) => fail(format!("error: {e}"), 2),
    }
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
        Command::Demo {
            time_limit,
            seed,
            no_serve,
            lang,
            server,
        } => match demo::run(time_limit, seed, lang, (!no_serve).then_some(server)) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => fail(format!("error: {e}"), 1),
        },
        Command::Bench(opts) => match bench::run(&opts) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => fail(format!("error: {e}"), 2),
        },
        Command::Allocate(opts) => match solve::allocate(&opts) {
            Ok(()) => ExitCode::SUCCESS,
            Err(solve::Failure::Input(lines)) => fail(lines.join("\n"), 2),
            Err(solve::Failure::Check(lines)) => fail(lines.join("\n"), 1),
            Err(solve::Failure::Io(e)) => fail(format!("error: {e}"), 1),
        },
        Command::Import(opts) => match import::run(&opts) {
            Ok(()) => ExitCode::SUCCESS,
            Err(lines) => fail(lines.join("\n"), 2),
        },
        Command::Report(opts) => print(report::run(&opts)),
        Command::Export(opts) => print(report::run_export(&opts)),
        Command::Serve(config) => match tournee::server::serve(config) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => fail(format!("error: {e}"), 1),
        },
        Command::Openapi => {
            tournee::outln!(
                "{:#}",
                tournee::server::openapi::build(tournee::server::routes::OPERATIONS)
            );
            ExitCode::SUCCESS
        }
    }
}
