//! How travel is estimated: the great-circle model, or an OSRM server.

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Routing {
    #[serde(default)]
    pub engine: Engine,
    /// Road distance over great-circle distance.
    #[serde(default = "default_detour")]
    pub detour_factor: f64,
    /// Average driving speed in km/h (before each vehicle's speed factor).
    #[serde(default = "default_speed")]
    pub speed_kmh: f64,
    /// The OSRM server, for `engine: osrm`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub osrm: Option<OsrmSettings>,
}

impl Default for Routing {
    fn default() -> Self {
        Routing {
            engine: Engine::Haversine,
            detour_factor: default_detour(),
            speed_kmh: default_speed(),
            osrm: None,
        }
    }
}

/// Where and how to ask an OSRM server (`osrm-routed`) for road times.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct OsrmSettings {
    /// Base URL, e.g. `http://127.0.0.1:5000` (files planned by the CLI).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub url: String,
    /// The name of a road server the operator configured
    /// (`tournee serve --osrm NAME=URL`): what a problem sent to the API gives
    /// instead of a URL, since the server, not the caller, chooses where it
    /// connects.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub server: String,
    /// Profile name in the URL (`driving`; osrm-routed serves the profile
    /// its data was prepared with whatever the name).
    #[serde(default = "default_profile")]
    pub profile: String,
    /// Largest block of sources (and of destinations) per table request: at
    /// most the server's `--max-table-size` (100 by default).
    #[serde(default = "default_table_size")]
    pub max_table_size: usize,
    /// Table requests in flight at once.
    #[serde(default = "default_concurrency")]
    pub concurrency: usize,
    /// Seconds before one request is abandoned (and retried).
    #[serde(default = "default_timeout")]
    pub timeout_s: f64,
    /// Attempts after a transient failure (connection, timeout, 5xx).
    #[serde(default = "default_retries")]
    pub retries: u32,
    /// A place farther than this from the nearest road (metres) is
    /// reported unroutable.
    #[serde(default = "default_snap")]
    pub max_snap_m: f64,
    /// What to do when the server cannot be reached.
    #[serde(default)]
    pub fallback: Fallback,
}

fn default_profile() -> String {
    "driving".into()
}

fn default_table_size() -> usize {
    100
}

fn default_concurrency() -> usize {
    4
}

fn default_timeout() -> f64 {
    30.0
}

fn default_retries() -> u32 {
    2
}

fn default_snap() -> f64 {
    500.0
}

/// When the road server is down.
#[derive(Clone, Copy, Debug, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Fallback {
    /// Stop with an error that says which server could not be reached.
    #[default]
    Fail,
    /// Plan with the haversine model instead; the plan's `travel_model` says so.
    Haversine,
}

fn default_detour() -> f64 {
    1.3
}

fn default_speed() -> f64 {
    30.0
}

#[derive(Clone, Copy, Debug, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Engine {
    /// Great-circle distance × detour factor, time from the average speed.
    #[default]
    Haversine,
    /// Road distances and times from an OSRM server (`routing.osrm`).
    Osrm,
}
