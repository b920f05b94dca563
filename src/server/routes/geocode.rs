//! Looking up one address with the operator's geocoder: the board places a
//! workshop typed by its address, or searches again for a row the import
//! could not place. The caller sends an address, never a geocoder: the
//! server's `--geocoder` answers (and its cache, so an address is asked
//! once).

use actix_web::{web, HttpResponse};
use serde::Deserialize;
use serde_json::json;

use crate::geocode::Outcome;
use crate::server::error::ApiError;
use crate::server::request::{self, Caller};
use crate::server::AppState;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GeocodeQuery {
    /// The address, as a person writes it (at most 200 characters).
    pub q: String,
}

/// Longest address looked up.
const MAX_ADDRESS: usize = 200;

/// `GET /api/v1/geocode?q=…`: the places the address may be, best first,
/// and whether the best is clear enough to be taken without asking.
pub async fn lookup(
    who: Caller,
    query: web::Query<GeocodeQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner().q;
    if q.trim().is_empty() || q.chars().count() > MAX_ADDRESS {
        return Err(ApiError::field(
            "query.q",
            format!("an address of 1 to {MAX_ADDRESS} characters"),
        ));
    }
    // No geocoder is a fact of this server, like a route it lacks: 404.
    let Some(geocoder) = state.geocoder.clone() else {
        return Err(ApiError::not_found(
            "no geocoder on this server: its operator starts it with --geocoder addok=URL (or nominatim=URL)",
        ));
    };
    // Counted like other work of the caller's: a script cannot flood the
    // geocoder through us.
    let _ticket = request::admit(&state, &who)?;
    let candidates = geocoder.candidates(&q).await.map_err(|e| {
        tracing::warn!("geocoding a lookup: {e}");
        ApiError::bad_gateway("the geocoder could not be asked; try again later")
    })?;
    let outcome = match geocoder.decide(candidates.clone()) {
        Outcome::Found(_) => "found",
        Outcome::Ambiguous(_) => "ambiguous",
        Outcome::NotFound => "not_found",
    };
    Ok(HttpResponse::Ok().json(json!({ "outcome": outcome, "candidates": candidates })))
}
