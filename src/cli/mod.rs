//! The `tournee` command's subcommands.
pub mod bench;
mod bench_weeks;
pub mod demo;
pub mod import;
pub mod report;
pub mod solve;

/// Writes to standard output. When the reader has gone (`tournee export … |
/// head`), the command has nothing more to do: it exits quietly with
/// status 0, as a well-behaved filter does, instead of panicking like
/// `print!`.
pub fn out(text: &str) {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    let written = stdout
        .write_all(text.as_bytes())
        .and_then(|_| stdout.flush());
    if let Err(e) = written {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        eprintln!("error: cannot write the output: {e}");
        std::process::exit(1);
    }
}

/// `println!` through [`out`].
#[macro_export]
macro_rules! outln {
    ($($arg:tt)*) => {
        $crate::cli::out(&format!("{}\n", format_args!($($arg)*)))
    };
}

/// A positive, finite number of seconds (a command-line value).
pub fn seconds(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(x) if x.is_finite() && x > 0.0 && x <= crate::input::MAX_TIME_LIMIT_S => Ok(x),
        _ => Err(format!(
            "`{s}` is not a positive number of seconds (at most {})",
            crate::input::MAX_TIME_LIMIT_S
        )),
    }
}

/// A number of search threads, 1 to 256.
pub fn threads(s: &str) -> Result<usize, String> {
    match s.parse::<usize>() {
        Ok(n) if (1..=256).contains(&n) => Ok(n),
        _ => Err(format!("`{s}` is not a number of threads from 1 to 256")),
    }
}
