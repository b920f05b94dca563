//! A folder of road matrices already fetched, one JSON file per server,
//! profile and list of places. The file name is a hash of that key and the
//! file repeats the key in full, so a hash collision is a miss, never a
//! wrong matrix.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::osrm::Table;
use crate::model::{Location, OsrmSettings};

pub struct Entry {
    key: String,
    path: PathBuf,
}

#[derive(Serialize, Deserialize)]
struct Stored {
    key: String,
    table: Table,
}

impl Entry {
    pub fn new(dir: &Path, settings: &OsrmSettings, places: &[Location]) -> Self {
        let coords: Vec<String> = places
            .iter()
            .map(|p| format!("{:.6},{:.6}", p[0], p[1]))
            .collect();
        let key = format!("{}|{}|{}", settings.url, settings.profile, coords.join(";"));
        let path = dir.join(format!("osrm-{:016x}.json", fnv1a(&key)));
        Entry { key, path }
    }

    /// The stored matrix for this key, if any (an unreadable file is a miss).
    pub fn read(&self) -> Option<Table> {
        let text = std::fs::read_to_string(&self.path).ok()?;
        let stored: Stored = serde_json::from_str(&text).ok()?;
        (stored.key == self.key).then_some(stored.table)
    }

    /// Stores the matrix (through a temporary file, so readers never see
    /// half of it).
    pub fn write(&self, table: &Table) -> Result<(), String> {
        let dir = self.path.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        let stored = Stored {
            key: self.key.clone(),
            table: table.clone(),
        };
        let text = serde_json::to_string(&stored).map_err(|e| e.to_string())?;
        let tmp = self
            .path
            .with_extension(format!("tmp{}", std::process::id()));
        std::fs::write(&tmp, text).map_err(|e| format!("{}: {e}", tmp.display()))?;
        std::fs::rename(&tmp, &self.path).map_err(|e| format!("{}: {e}", self.path.display()))
    }
}

/// 64-bit FNV-1a: a stable hash for file names (not for security).
fn fnv1a(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}
