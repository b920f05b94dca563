//! A thin client of OSRM's HTTP services (`osrm-routed`): `table` for
//! duration and distance matrices, `route` for a tour's road geometry,
//! `nearest` for how far a place is from the road network.
//!
//! Matrices of any size are assembled from blocks of at most
//! `max_table_size` sources by as many destinations (the server's own limit),
//! a few in flight at once; transient failures (no connection, timeout, 5xx)
//! are retried with a doubling pause.

use std::time::Duration;

use futures_util::{stream, StreamExt};
use serde_json::Value;

use crate::model::{Location, OsrmSettings};

/// What went wrong while asking the server.
#[derive(Debug, Clone, PartialEq)]
pub enum OsrmError {
    /// The server could not be reached (after the retries).
    Unreachable(String),
    /// The server answered with an error code (`TooBig`, `InvalidQuery`…).
    Refused { code: String, message: String },
}

impl std::fmt::Display for OsrmError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            OsrmError::Unreachable(why) => write!(f, "OSRM server unreachable: {why}"),
            OsrmError::Refused { code, message } => {
                write!(f, "OSRM server refused the request: {code}: {message}")
            }
        }
    }
}

/// Durations (s) and distances (m) between every pair of places; `None`
/// where the server found no route. `snapped_m`: how far each place is from
/// the road point it was matched to.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Table {
    pub durations: Vec<Vec<Option<f64>>>,
    pub distances: Vec<Vec<Option<f64>>>,
    pub snapped_m: Vec<f64>,
}

/// A route through places in order.
#[derive(Clone, Debug, PartialEq)]
pub struct Route {
    /// Encoded polyline (precision 5) of the road path.
    pub polyline: String,
    pub distance_m: f64,
    pub duration_s: f64,
}

pub struct Osrm {
    client: reqwest::Client,
    base: String,
    settings: OsrmSettings,
}

impl Osrm {
    pub fn new(settings: &OsrmSettings) -> Result<Self, OsrmError> {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs_f64(settings.timeout_s))
            .build()
            .map_err(|e| OsrmError::Unreachable(e.to_string()))?;
        Ok(Osrm {
            client,
            base: settings.url.trim_end_matches('/').to_string(),
            settings: settings.clone(),
        })
    }

    /// GETs `path` and returns the JSON answer when its `code` is `Ok`.
    async fn get(&self, path: &str, query: &[(&str, String)]) -> Result<Value, OsrmError> {
        let url = format!("{}/{path}", self.base);
        let mut pause = Duration::from_millis(100);
        let mut attempt = 0;
        loop {
            let outcome = self.client.get(&url).query(query).send().await;
            let transient = match outcome {
                Ok(res) if res.status().is_server_error() => format!("HTTP {}", res.status()),
                Ok(res) => {
                    let status = res.status();
                    let body: Value = res.json().await.map_err(|e| OsrmError::Refused {
                        code: format!("HTTP {status}"),
                        message: format!("not a JSON answer: {e}"),
                    })?;
                    let code = body["code"].as_str().unwrap_or("").to_string();
                    if code == "Ok" {
                        return Ok(body);
                    }
                    return Err(OsrmError::Refused {
                        code,
                        message: body["message"].as_str().unwrap_or("").to_string(),
                    });
                }
                Err(e) => e.to_string(),
            };
            if attempt >= self.settings.retries {
                return Err(OsrmError::Unreachable(format!("{url}: {transient}")));
            }
            attempt += 1;
            tokio::time::sleep(pause).await;
            pause *= 2;
        }
    }

    fn coordinates(&self, service: &str, places: &[Location]) -> String {
        let coords: Vec<String> = places
            .iter()
            .map(|p| format!("{:.6},{:.6}", p[0], p[1]))
            .collect();
        format!(
            "{service}/v1/{}/{}",
            self.settings.profile,
            coords.join(";")
        )
    }

    /// The full matrix over `places`, block by block.
    pub async fn table(&self, places: &[Location]) -> Result<Table, OsrmError> {
        let n = places.len();
        let size = self.settings.max_table_size.max(1);
        let starts: Vec<usize> = (0..n).step_by(size).collect();
        let blocks: Vec<(usize, usize)> = starts
            .iter()
            .flat_map(|&s| starts.iter().map(move |&d| (s, d)))
            .collect();
        let mut table = Table {
            durations: vec![vec![None; n]; n],
            distances: vec![vec![None; n]; n],
            snapped_m: vec![0.0; n],
        };
        let mut answers = stream::iter(blocks)
            .map(|(s, d)| async move {
                let src = s..(s + size).min(n);
                let dst = d..(d + size).min(n);
                self.block(places, src.clone(), dst.clone())
                    .await
                    .map(|a| (src, dst, a))
            })
            .buffer_unordered(self.settings.concurrency.max(1));
        while let Some(answer) = answers.next().await {
            let (src, dst, (durations, distances, snapped)) = answer?;
            for (i, row) in src.clone().zip(durations) {
                table.durations[i][dst.clone()].copy_from_slice(&row);
            }
            for (i, row) in src.clone().zip(distances) {
                table.distances[i][dst.clone()].copy_from_slice(&row);
            }
            for (i, m) in src.zip(snapped) {
                table.snapped_m[i] = m;
            }
        }
        Ok(table)
    }

    /// One block: sources `src` × destinations `dst`, sent as the union of
    /// their coordinates.
    #[allow(clippy::type_complexity)]
    async fn block(
        &self,
        places: &[Location],
        src: std::ops::Range<usize>,
        dst: std::ops::Range<usize>,
    ) -> Result<(Vec<Vec<Option<f64>>>, Vec<Vec<Option<f64>>>, Vec<f64>), OsrmError> {
        let same = src == dst;
        let mut coords: Vec<Location> = places[src.clone()].to_vec();
        if !same {
            coords.extend_from_slice(&places[dst.clone()]);
        }
        let offset = if same { 0 } else { src.len() };
        let list =
            |r: std::ops::Range<usize>| r.map(|i| i.to_string()).collect::<Vec<_>>().join(";");
        let body = self
            .get(
                &self.coordinates("table", &coords),
                &[
                    ("sources", list(0..src.len())),
                    ("destinations", list(offset..offset + dst.len())),
                    ("annotations", "duration,distance".into()),
                ],
            )
            .await?;
        let rows = |key: &str| -> Result<Vec<Vec<Option<f64>>>, OsrmError> {
            let malformed = || OsrmError::Refused {
                code: "Malformed".into(),
                message: format!("no `{key}` matrix in the answer"),
            };
            let m = body[key].as_array().ok_or_else(malformed)?;
            if m.len() != src.len() {
                return Err(malformed());
            }
            Ok(m.iter()
                .map(|row| {
                    let row = row.as_array().cloned().unwrap_or_default();
                    (0..dst.len())
                        .map(|j| row.get(j).and_then(Value::as_f64))
                        .collect()
                })
                .collect())
        };
        let snapped = (0..src.len())
            .map(|i| body["sources"][i]["distance"].as_f64().unwrap_or(0.0))
            .collect();
        Ok((rows("durations")?, rows("distances")?, snapped))
    }

    /// The road path through `places` in order.
    pub async fn route(&self, places: &[Location]) -> Result<Route, OsrmError> {
        let body = self
            .get(
                &self.coordinates("route", places),
                &[
                    ("overview", "full".into()),
                    ("geometries", "polyline".into()),
                    ("steps", "false".into()),
                    // Legs as independent as the table's: a U-turn at a stop
                    // is allowed, so the path matches the planned distances.
                    ("continue_straight", "false".into()),
                ],
            )
            .await?;
        let route = &body["routes"][0];
        Ok(Route {
            polyline: route["geometry"].as_str().unwrap_or("").to_string(),
            distance_m: route["distance"].as_f64().unwrap_or(0.0),
            duration_s: route["duration"].as_f64().unwrap_or(0.0),
        })
    }

    /// Distance in metres from `place` to the nearest road point.
    pub async fn nearest(&self, place: Location) -> Result<f64, OsrmError> {
        let body = self
            .get(&self.coordinates("nearest", &[place]), &[])
            .await?;
        Ok(body["waypoints"][0]["distance"].as_f64().unwrap_or(0.0))
    }
}
