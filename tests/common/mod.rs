//! Helpers shared by the end-to-end tests: a small valid problem and a way to
//! run the real `tournee` binary on it.

#![allow(dead_code)]

pub mod server;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::{json, Value};

/// A small, valid problem: one workshop, two vans for two days, four pickups
/// and one commune order in Rouen.
pub fn small_problem() -> Value {
    let day = |d: &str, a: &str, b: &str| json!({"start": format!("2026-11-{d}T{a}"), "end": format!("2026-11-{d}T{b}")});
    json!({
        "format": "tournee/1",
        "name": "small",
        "horizon": {"start": "2026-11-30T00:00", "end": "2026-12-01T00:00"},
        "solver": {"time_limit_s": 2, "seed": 7, "iteration_limit": 300},
        "devices": {
            "laptop": {"mass_kg": 1.65, "volume_l": 3},
            "desktop_tower": {"mass_kg": 6.875, "volume_l": 30}
        },
        "depots": [{"id": "atelier", "location": [1.0585, 49.4262],
                     "opening_hours": [day("30", "07:00", "19:00")]}],
        "vehicles": [
            {"id": "van-a", "depot": "atelier", "capacity": {"kg": 600, "m3": 3.3},
             "shifts": [day("30", "08:00", "17:00")], "skills": ["tail_lift"]},
            {"id": "van-b", "depot": "atelier", "capacity": {"kg": 400, "m3": 2.0},
             "shifts": [day("30", "08:00", "12:00")]}
        ],
        "pickups": [
            {"id": "P1", "name": "Mairie", "location": [1.0993, 49.4431], "devices": {"laptop": 10},
             "time_windows": [day("30", "09:00", "12:00")]},
            {"id": "P2", "location": [1.0870, 49.4010], "devices": {"desktop_tower": 12, "laptop": 3},
             "time_windows": [day("30", "14:00", "17:00")], "service_minutes": 20},
            {"id": "P3", "location": [1.0300, 49.4500], "devices": {"laptop": 4},
             "time_windows": [day("30", "08:30", "10:00"), day("30", "15:00", "16:00")]},
            {"id": "P4", "location": [1.1200, 49.4300], "devices": {"desktop_tower": 5}}
        ],
        "orders": [
            {"id": "C1", "name": "Commune de Darnétal", "location": [1.1508, 49.4447],
             "devices": {"laptop": 8}, "time_windows": [day("30", "10:00", "16:00")]}
        ]
    })
}

pub fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_tournee"))
}

pub fn write(dir: &Path, name: &str, v: &Value) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, serde_json::to_string_pretty(v).expect("json")).expect("write");
    path
}

pub fn run(args: &[&str]) -> Output {
    bin().args(args).output().expect("run tournee")
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).to_string()
}

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The local addok's URL, started once for this test binary.
pub fn addok() -> &'static str {
    static URL: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    URL.get_or_init(|| {
        let env = repo().join("target/addok/env");
        let up = std::fs::read_to_string(&env)
            .ok()
            .and_then(|e| e.trim().strip_prefix("ADDOK_URL=").map(String::from))
            .filter(|url| {
                reqwest::blocking::get(format!("{url}/search/?q=Rouen"))
                    .is_ok_and(|r| r.status().is_success())
            });
        up.unwrap_or_else(|| {
            let out = std::process::Command::new(repo().join("scripts/addok-test-server.sh"))
                .arg("start")
                .output()
                .expect("start addok");
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            String::from_utf8_lossy(&out.stdout)
                .lines()
                .find_map(|l| l.strip_prefix("ADDOK_URL=").map(String::from))
                .expect("ADDOK_URL")
        })
    })
}
