//! Public benchmark instances: readers for the Solomon / Gehring-Homberger
//! text format and the VRPLIB (CVRP) format, a writer for CVRPLIB solution
//! files, and an independent checker for solutions on them.
//!
//! Conventions follow the benchmark sets: node 0 is the depot; Solomon and
//! Gehring-Homberger use double-precision Euclidean distances with travel time
//! equal to distance; the X set uses TSPLIB `EUC_2D` (rounded) distances.

mod check;
mod solomon;
mod vrplib;

pub use check::check;
pub use solomon::read_solomon;
pub use vrplib::read_vrplib;

use crate::problem::{Job, Load, Matrix, Problem, TimeWindow, Vehicle};

/// How arc lengths are computed from coordinates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rounding {
    /// Double-precision Euclidean distance.
    Exact,
    /// Rounded to the nearest integer (TSPLIB `EUC_2D`).
    Nearest,
}

/// A benchmark instance as read from its file. Index 0 is the depot.
#[derive(Clone, Debug)]
pub struct Instance {
    pub name: String,
    pub coords: Vec<(f64, f64)>,
    pub demand: Vec<i64>,
    /// Ready time and due date of each node; `None` for plain CVRP.
    pub windows: Option<Vec<(f64, f64)>>,
    pub service: Vec<f64>,
    pub capacity: i64,
    /// Fleet limit; `None` when the fleet is unlimited.
    pub fleet: Option<usize>,
    /// Number that identifies each node in solution files.
    pub ids: Vec<usize>,
    pub rounding: Rounding,
}

/// A malformed instance file.
#[derive(Debug, Clone, PartialEq)]
pub struct ParseError {
    pub line: usize,
    pub message: String,
}

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

impl std::error::Error for ParseError {}

impl Instance {
    pub fn customers(&self) -> usize {
        self.coords.len() - 1
    }

    /// Arc length between nodes `i` and `j` under the instance's convention.
    pub fn distance(&self, i: usize, j: usize) -> f64 {
        let (a, b) = (self.coords[i], self.coords[j]);
        let e = ((a.0 - b.0).powi(2) + (a.1 - b.1).powi(2)).sqrt();
        match self.rounding {
            Rounding::Exact => e,
            Rounding::Nearest => (e + 0.5).floor(),
        }
    }

    /// The routing problem with a distance-only objective: one job per
    /// customer (job `k` is node `k + 1`) and the instance's fleet. An
    /// unlimited fleet gets enough vehicles for any sensible solution.
    pub fn to_problem(&self) -> Problem {
        let n = self.coords.len();
        let d = Matrix::from_fn(n, |i, j| self.distance(i, j));
        let jobs = (1..n)
            .map(|i| Job {
                pickup: Load([self.demand[i], 0, 0]),
                service: self.service[i],
                windows: self
                    .windows
                    .as_ref()
                    .map(|w| vec![TimeWindow::new(w[i].0, w[i].1)])
                    .unwrap_or_default(),
                ..Job::at(i)
            })
            .collect();
        let total: i64 = self.demand.iter().sum();
        let lower_bound = (total + self.capacity - 1) / self.capacity.max(1);
        let fleet = self
            .fleet
            .unwrap_or((lower_bound as usize * 5).div_ceil(4) + 2)
            .min(n - 1)
            .max(1);
        let shift = match &self.windows {
            Some(w) => TimeWindow::new(w[0].0, w[0].1),
            None => TimeWindow::new(0.0, f64::INFINITY),
        };
        let vehicle = Vehicle {
            shift,
            ..Vehicle::new(0, Load([self.capacity, 0, 0]))
        };
        Problem {
            jobs,
            vehicles: vec![vehicle; fleet],
            distance: d.clone(),
            duration: d,
            setup: Vec::new(),
            drivers: Vec::new(),
        }
    }

    /// A solution in the CVRPLIB format: `Route #k: ids…` lines and the cost.
    /// `routes` hold job indices (node - 1), as the solver returns them.
    pub fn solution_text(&self, routes: &[Vec<usize>], cost: f64) -> String {
        let mut out = String::new();
        for (k, r) in routes.iter().enumerate() {
            let ids: Vec<String> = r.iter().map(|&j| self.ids[j + 1].to_string()).collect();
            out.push_str(&format!("Route #{}: {}\n", k + 1, ids.join(" ")));
        }
        match self.rounding {
            Rounding::Nearest => out.push_str(&format!("Cost {}\n", cost.round() as i64)),
            Rounding::Exact => out.push_str(&format!("Cost {cost:.4}\n")),
        }
        out
    }
}

/// Splits a line into numbers, or says which token is not one.
fn numbers(line: &str, lineno: usize) -> Result<Vec<f64>, ParseError> {
    line.split_whitespace()
        .map(|t| {
            t.parse::<f64>().map_err(|_| ParseError {
                line: lineno,
                message: format!("`{t}` is not a number"),
            })
        })
        .collect()
}
