//! Addresses to coordinates, for requests and places given by address
//! alone. One client, two protocols: addok's (the search engine of the
//! French national address base, whose public service is
//! api-adresse.data.gouv.fr) and Nominatim's (OpenStreetMap). The server's
//! operator chooses the geocoder (`tournee serve --geocoder addok=URL`),
//! never the caller; answers are cached (an address is asked once), and
//! requests are spaced to respect the service's rate limit.
//!
//! An address is taken when its best candidate is clear. addok scores how
//! well each candidate matches the address: the best is taken with a score
//! of at least [`MIN_SCORE`] and ahead of the next by [`MIN_LEAD`].
//! Nominatim gives no such score (its `importance` is how prominent a
//! place is, not how well it matches), so its first answer is taken when
//! every other answer lies within [`SAME_PLACE_M`] of it: the address has
//! one place whichever answer is right. Otherwise the coordinator chooses
//! among the candidates, or places the pin by hand.

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The least score for an address to be taken without asking.
pub const MIN_SCORE: f64 = 0.5;
/// How far ahead of the second candidate the first must be.
pub const MIN_LEAD: f64 = 0.1;
/// Nominatim's answers this close to its first are the same place, metres.
pub const SAME_PLACE_M: f64 = 1000.0;
/// Candidates asked for and shown.
const LIMIT: usize = 5;
/// The longest address sent (addok refuses beyond 200 characters).
const MAX_QUERY: usize = 200;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Protocol {
    Addok,
    Nominatim,
}

/// The operator's geocoder.
#[derive(Clone, Debug, PartialEq)]
pub struct Settings {
    pub protocol: Protocol,
    pub url: String,
    pub timeout: Duration,
    /// Least time between two requests (Nominatim's public service asks for
    /// one a second; a local addok needs none).
    pub min_interval: Duration,
}

/// `addok=URL` or `nominatim=URL` (a command-line value).
pub fn settings(s: &str) -> Result<Settings, String> {
    let (kind, url) = s
        .split_once('=')
        .ok_or("a geocoder is `addok=URL` or `nominatim=URL`")?;
    let protocol = match kind.trim() {
        "addok" => Protocol::Addok,
        "nominatim" => Protocol::Nominatim,
        other => return Err(format!("unknown geocoder `{other}`: addok or nominatim")),
    };
    if !(url.starts_with("http://") || url.starts_with("https://")) {
        return Err("the geocoder's URL starts with http:// or https://".into());
    }
    Ok(Settings {
        protocol,
        url: url.trim_end_matches('/').to_string(),
        timeout: Duration::from_secs(10),
        min_interval: match protocol {
            Protocol::Addok => Duration::ZERO,
            Protocol::Nominatim => Duration::from_secs(1),
        },
    })
}

/// One place an address may be.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Candidate {
    /// The geocoder's own label (`Darnétal`, `12 Rue Jeanne d'Arc 76000 Rouen`).
    pub label: String,
    /// Longitude, latitude.
    pub location: [f64; 2],
    /// 0 to 1.
    pub score: f64,
    /// The commune's INSEE code, when the geocoder gives it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub citycode: Option<String>,
    /// `housenumber`, `street`, `municipality`…
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
}

/// What became of an address.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    Found(Candidate),
    /// Several places, or one too uncertain: the coordinator chooses.
    Ambiguous(Vec<Candidate>),
    NotFound,
}

/// The rule: the best candidate when it is clear.
pub fn decide(mut candidates: Vec<Candidate>) -> Outcome {
    candidates.sort_by(|a, b| b.score.total_cmp(&a.score));
    match candidates.as_slice() {
        [] => Outcome::NotFound,
        [best, rest @ ..]
            if best.score >= MIN_SCORE
                && rest
                    .first()
                    .is_none_or(|next| best.score - next.score >= MIN_LEAD - 1e-9) =>
        {
            Outcome::Found(best.clone())
        }
        _ => Outcome::Ambiguous(candidates),
    }
}

/// Nominatim's rule: its answers in its own order of relevance; the first
/// is taken when the others agree with it on the place.
pub fn decide_by_agreement(candidates: Vec<Candidate>) -> Outcome {
    match candidates.as_slice() {
        [] => Outcome::NotFound,
        [first, rest @ ..]
            if rest.iter().all(|c| {
                crate::routing::haversine_m(first.location, c.location) <= SAME_PLACE_M
            }) =>
        {
            Outcome::Found(first.clone())
        }
        _ => Outcome::Ambiguous(candidates),
    }
}

/// Why no answer could be had.
#[derive(Debug, Clone, PartialEq)]
pub struct GeocodeError(pub String);

impl std::fmt::Display for GeocodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "the geocoder could not be asked: {}", self.0)
    }
}

/// Where answers are kept (the server's store).
pub trait Cache: Send + Sync {
    fn get(&self, query: &str) -> Option<Vec<Candidate>>;
    fn put(&self, query: &str, candidates: &[Candidate]);
}

pub struct Geocoder {
    settings: Settings,
    client: reqwest::Client,
    cache: Option<Arc<dyn Cache>>,
    last: tokio::sync::Mutex<Option<Instant>>,
}

/// The form an address is asked and cached in: trimmed, spaces folded,
/// at most [`MAX_QUERY`] characters.
pub fn query(address: &str) -> String {
    let folded = address.split_whitespace().collect::<Vec<_>>().join(" ");
    folded.chars().take(MAX_QUERY).collect()
}

impl Geocoder {
    pub fn new(settings: Settings, cache: Option<Arc<dyn Cache>>) -> Result<Self, GeocodeError> {
        let client = reqwest::Client::builder()
            .timeout(settings.timeout)
            .user_agent(concat!("tournee/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| GeocodeError(e.to_string()))?;
        Ok(Geocoder {
            settings,
            client,
            cache,
            last: tokio::sync::Mutex::new(None),
        })
    }

    /// What became of `address`: from the cache, else from the geocoder.
    pub async fn geocode(&self, address: &str) -> Result<Outcome, GeocodeError> {
        Ok(self.decide(self.candidates(address).await?))
    }

    /// This geocoder's rule for taking an answer (see the module's doc).
    pub fn decide(&self, candidates: Vec<Candidate>) -> Outcome {
        match self.settings.protocol {
            Protocol::Addok => decide(candidates),
            Protocol::Nominatim => decide_by_agreement(candidates),
        }
    }

    /// The candidates for `address`, best first.
    pub async fn candidates(&self, address: &str) -> Result<Vec<Candidate>, GeocodeError> {
        let q = query(address);
        if q.is_empty() {
            return Ok(Vec::new());
        }
        // Answers are kept per geocoder: another one may answer otherwise.
        let key = format!("{:?} {}|{q}", self.settings.protocol, self.settings.url);
        if let Some(hit) = self.cache.as_ref().and_then(|c| c.get(&key)) {
            return Ok(hit);
        }
        self.pace().await;
        let found = match self.settings.protocol {
            Protocol::Addok => self.addok(&q).await?,
            Protocol::Nominatim => self.nominatim(&q).await?,
        };
        if let Some(c) = &self.cache {
            c.put(&key, &found);
        }
        Ok(found)
    }

    /// Waits until the service's interval since the last request is over.
    async fn pace(&self) {
        let mut last = self.last.lock().await;
        if let Some(at) = *last {
            let wait = self.settings.min_interval.saturating_sub(at.elapsed());
            tokio::time::sleep(wait).await;
        }
        *last = Some(Instant::now());
    }

    async fn get(&self, path: &str, query: &[(&str, &str)]) -> Result<Value, GeocodeError> {
        let res = self
            .client
            .get(format!("{}/{path}", self.settings.url))
            .query(query)
            .send()
            .await
            .map_err(|e| GeocodeError(e.to_string()))?;
        if !res.status().is_success() {
            return Err(GeocodeError(format!("HTTP {}", res.status())));
        }
        res.json().await.map_err(|e| GeocodeError(e.to_string()))
    }

    /// addok's `/search/`: a GeoJSON FeatureCollection with `score`,
    /// `label`, `citycode`, `type` in each feature's properties.
    async fn addok(&self, q: &str) -> Result<Vec<Candidate>, GeocodeError> {
        let limit = LIMIT.to_string();
        let v = self.get("search/", &[("q", q), ("limit", &limit)]).await?;
        let features = v["features"]
            .as_array()
            .ok_or_else(|| GeocodeError("not an addok answer".into()))?;
        Ok(features
            .iter()
            .filter_map(|f| {
                let c = f["geometry"]["coordinates"].as_array()?;
                let p = &f["properties"];
                Some(Candidate {
                    label: p["label"].as_str()?.to_string(),
                    location: [c.first()?.as_f64()?, c.get(1)?.as_f64()?],
                    score: p["score"].as_f64()?,
                    citycode: p["citycode"].as_str().map(String::from),
                    kind: p["type"].as_str().map(String::from),
                })
            })
            .collect())
    }

    /// Nominatim's `/search?format=jsonv2`: places with `lat`, `lon` (as
    /// strings), `display_name` and `importance` (taken as the score).
    async fn nominatim(&self, q: &str) -> Result<Vec<Candidate>, GeocodeError> {
        let limit = LIMIT.to_string();
        let v = self
            .get(
                "search",
                &[
                    ("q", q),
                    ("format", "jsonv2"),
                    ("limit", &limit),
                    ("addressdetails", "1"),
                ],
            )
            .await?;
        let places = v
            .as_array()
            .ok_or_else(|| GeocodeError("not a Nominatim answer".into()))?;
        Ok(places
            .iter()
            .filter_map(|p| {
                let num = |k: &str| p[k].as_str().and_then(|s| s.parse::<f64>().ok());
                Some(Candidate {
                    label: p["display_name"].as_str()?.to_string(),
                    location: [num("lon")?, num("lat")?],
                    score: p["importance"].as_f64().unwrap_or(0.0).clamp(0.0, 1.0),
                    citycode: None,
                    kind: p["addresstype"].as_str().map(String::from),
                })
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(label: &str, score: f64) -> Candidate {
        Candidate {
            label: label.into(),
            location: [1.0, 49.0],
            score,
            citycode: None,
            kind: None,
        }
    }

    #[test]
    fn a_clear_best_is_taken_and_a_close_second_asks() {
        assert_eq!(decide(vec![]), Outcome::NotFound);
        assert_eq!(
            decide(vec![c("Boos", 0.97)]),
            Outcome::Found(c("Boos", 0.97))
        );
        assert_eq!(
            decide(vec![c("Saint-Jacques", 0.37), c("Darnétal", 0.6)]),
            Outcome::Found(c("Darnétal", 0.6))
        );
        assert!(matches!(
            decide(vec![c("Le Grand-Quevilly", 0.715), c("Le Petit-Quevilly", 0.714)]),
            Outcome::Ambiguous(v) if v.len() == 2
        ));
        assert!(matches!(
            decide(vec![c("Rouen", 0.3)]),
            Outcome::Ambiguous(_)
        ));
    }

    #[test]
    fn nominatims_first_answer_is_taken_when_the_others_agree() {
        let at = |label: &str, lon: f64| Candidate {
            location: [lon, 49.44],
            ..c(label, 0.2)
        };
        assert_eq!(decide_by_agreement(vec![]), Outcome::NotFound);
        // Importance does not matter: a low one alone is the place.
        assert_eq!(
            decide_by_agreement(vec![at("Rue Jeanne d'Arc", 1.09)]),
            Outcome::Found(at("Rue Jeanne d'Arc", 1.09))
        );
        // The street and its building, 300 m apart: one place.
        assert!(matches!(
            decide_by_agreement(vec![at("Mairie", 1.0900), at("Rue", 1.0941)]),
            Outcome::Found(c) if c.label == "Mairie"
        ));
        // Two communes 7 km apart: the coordinator chooses.
        assert!(matches!(
            decide_by_agreement(vec![at("Grand-Quevilly", 1.03), at("Petit-Quevilly", 1.13)]),
            Outcome::Ambiguous(v) if v.len() == 2
        ));
    }

    #[test]
    fn flags_and_queries() {
        let s = settings("addok=http://127.0.0.1:7878/").expect("addok");
        assert_eq!(
            (s.protocol, s.url.as_str()),
            (Protocol::Addok, "http://127.0.0.1:7878")
        );
        assert_eq!(
            settings("nominatim=https://n.example")
                .expect("n")
                .min_interval,
            Duration::from_secs(1)
        );
        assert!(settings("google=https://x").is_err());
        assert!(settings("addok=ftp://x").is_err());
        assert_eq!(
            query("  1  rue de la  Paix \n Rouen "),
            "1 rue de la Paix Rouen"
        );
        assert_eq!(query(&"x".repeat(500)).len(), 200);
    }
}
