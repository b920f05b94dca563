//! The road servers a deployment may use are the operator's choice
//! (`tournee serve --osrm NAME=URL`, several allowed), never the caller's: a
//! problem sent to the API names one (`routing.osrm.server`), or uses the
//! embedded haversine model. A URL in a problem would let any caller make
//! the server connect to any host and port of its network.

use super::error::ApiError;
use crate::model::OsrmSettings;

/// One `NAME=URL` flag.
pub fn road_server(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((name, url))
            if !name.trim().is_empty()
                && (url.starts_with("http://") || url.starts_with("https://")) =>
        {
            Ok((name.trim().to_string(), url.trim().to_string()))
        }
        _ => Err("a road server is `NAME=http://HOST:PORT`".into()),
    }
}

/// The operator's road servers and the bounds on their clients' settings.
pub struct RoadServers<'a> {
    pub servers: &'a [(String, String)],
    /// Longest wait for one answer, seconds.
    pub timeout_s: f64,
}

/// Attempts after a transient failure, and requests in flight, at most.
const MAX_RETRIES: u32 = 3;
const MAX_CONCURRENCY: usize = 8;

impl RoadServers<'_> {
    fn names(&self) -> String {
        if self.servers.is_empty() {
            return "this server has none configured; use the haversine engine".into();
        }
        let names: Vec<&str> = self.servers.iter().map(|(n, _)| n.as_str()).collect();
        format!("this server has: {}", names.join(", "))
    }

    /// Puts the named server's URL in `osrm` and bounds what the problem
    /// asked of the client; a URL or an unknown name is the caller's
    /// mistake.
    pub fn resolve(&self, osrm: &mut OsrmSettings) -> Result<(), ApiError> {
        if !osrm.url.is_empty() {
            return Err(ApiError::field(
                "routing.osrm.url",
                format!(
                    "this server chooses the road servers it connects to: name one in `routing.osrm.server` ({})",
                    self.names()
                ),
            ));
        }
        let Some((_, url)) = self.servers.iter().find(|(n, _)| *n == osrm.server) else {
            return Err(ApiError::field(
                "routing.osrm.server",
                format!("no road server `{}`; {}", osrm.server, self.names()),
            ));
        };
        osrm.url = url.clone();
        osrm.timeout_s = osrm.timeout_s.min(self.timeout_s);
        osrm.retries = osrm.retries.min(MAX_RETRIES);
        osrm.concurrency = osrm.concurrency.min(MAX_CONCURRENCY);
        Ok(())
    }
}
