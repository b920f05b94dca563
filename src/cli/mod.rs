//! The `tournee` command's subcommands.
pub mod bench;
pub mod demo;
pub mod report;
pub mod solve;

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
