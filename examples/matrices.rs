//! Times matrix building, for the README's figures.
//!
//! ```sh
//! cargo run --release --example matrices -- osrm http://127.0.0.1:5000 1000 100
//! /usr/bin/time -v cargo run --release --example matrices -- haversine 10000
//! ```

use std::time::Instant;

use tournee::model::{Location, OsrmSettings, Routing};
use tournee::routing::{block_on, osrm::Osrm, Travel};

/// `n` points on a grid over Monaco's built-up area.
fn monaco(n: usize) -> Vec<Location> {
    let side = (n as f64).sqrt().ceil() as usize;
    (0..n)
        .map(|k| {
            let (i, j) = (k % side, k / side);
            [
                7.412 + 0.016 * i as f64 / side as f64,
                43.728 + 0.016 * j as f64 / side as f64,
            ]
        })
        .collect()
}

fn main() -> Result<(), String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let number =
        |i: usize, default: usize| args.get(i).and_then(|s| s.parse().ok()).unwrap_or(default);
    match args.first().map(String::as_str) {
        Some("osrm") => {
            let url = args.get(1).ok_or("usage: osrm URL N BLOCK")?;
            let (n, block) = (number(2, 1000), number(3, 100));
            let settings: OsrmSettings = serde_json::from_value(serde_json::json!({
                "url": url, "max_table_size": block
            }))
            .map_err(|e| e.to_string())?;
            let client = Osrm::new(&settings).map_err(|e| e.to_string())?;
            let points = monaco(n);
            let started = Instant::now();
            let table = block_on(client.table(&points))?.map_err(|e| e.to_string())?;
            let secs = started.elapsed().as_secs_f64();
            let missing = table
                .durations
                .iter()
                .flatten()
                .filter(|d| d.is_none())
                .count();
            println!(
                "osrm {n}x{n} blocks of {block}: {secs:.2} s ({missing} pairs without a route)"
            );
        }
        Some("haversine") => {
            let n = number(1, 10_000);
            let points: Vec<Location> = (0..n)
                .map(|k| {
                    [
                        0.9 + 0.4 * (k % 100) as f64 / 100.0,
                        49.3 + 0.3 * (k / 100) as f64 / 100.0,
                    ]
                })
                .collect();
            let started = Instant::now();
            let travel = Travel::haversine(&Routing::default(), points);
            let secs = started.elapsed().as_secs_f64();
            println!(
                "haversine {n}x{n}: {secs:.2} s, two matrices of {} MB",
                n * n * 8 / 1_000_000
            );
            std::hint::black_box(travel.distance.get(n - 1, 0));
        }
        _ => return Err("usage: matrices osrm URL N BLOCK | matrices haversine N".into()),
    }
    Ok(())
}
