//! Drivers' routes, opened by a tour's share token (no API key): the tour,
//! its GPX, and the stop updates. A token opens one tour until it expires or
//! is revoked; answers are never cached (`Cache-Control: no-store`), and
//! tokens never reach the logs (see `guard::redacted`).

use actix_web::http::header;
use actix_web::{web, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::server::error::ApiError;
use crate::server::request::{db, json_body, JsonBody};
use crate::server::status::{Outcome, Reason};
use crate::server::store::{SharedTour, StopStatus};
use crate::server::{now, views, AppState};

pub(super) fn shared(
    store: &dyn crate::server::store::Store,
    token: &str,
) -> Result<SharedTour, ApiError> {
    store
        .tour_by_token(token, &now())?
        .ok_or_else(|| ApiError::not_found("no tour for this link (or the link has expired)"))
}

/// The tour a token opens, when it has stop `stop` (1 = first).
pub(super) fn shared_stop(
    store: &dyn crate::server::store::Store,
    token: &str,
    stop: usize,
) -> Result<SharedTour, ApiError> {
    let t = shared(store, token)?;
    if stop == 0 || stop > t.stops {
        return Err(ApiError::not_found(format!(
            "this tour has stops 1 to {}, not {stop}",
            t.stops
        )));
    }
    Ok(t)
}

fn private() -> actix_web::HttpResponseBuilder {
    let mut b = HttpResponse::Ok();
    b.insert_header((header::CACHE_CONTROL, "no-store"));
    b
}

/// `GET /api/v1/tours/{token}`: a driver's tour, opened by its share token.
/// One row and the tour's statuses, whatever the plan's size.
pub async fn get(
    token: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let token = token.into_inner();
    let body = db(&state, move |store| {
        let t = shared(store, &token)?;
        let statuses = serde_json::to_value(store.stop_statuses(&t.plan_id, t.index)?)
            .map_err(ApiError::internal)?;
        Ok(views::with_statuses(&t.view, &statuses))
    })
    .await?;
    Ok(private().content_type("application/json").body(body))
}

/// `GET /api/v1/tours/{token}/gpx`: the driver's tour for a navigation app.
pub async fn gpx(
    token: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let token = token.into_inner();
    let t = db(&state, move |store| shared(store, &token)).await?;
    let view: serde_json::Value = serde_json::from_str(&t.view).map_err(ApiError::internal)?;
    let tour: crate::plan::Tour =
        serde_json::from_value(view["tour"].clone()).map_err(ApiError::internal)?;
    Ok(private()
        .content_type("application/gpx+xml")
        .body(crate::export::gpx(&tour)))
}

/// What a driver reports about a stop.
// The OpenAPI schema is derived from this type: the bounds written in
// `#[schema]` are the ones `checked` and `actual` enforce.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StopUpdate {
    pub status: Outcome,
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub note: String,
    /// When it happened: RFC 3339 (2026-11-30T09:12:00+01:00) or a local
    /// date-time (2026-11-30T09:12); empty or absent: the server's time.
    #[serde(default)]
    #[schema(max_length = 40)]
    pub at: Option<String>,
    /// Why a failed stop failed (only with `failed`).
    #[serde(default)]
    pub reason: Option<Reason>,
    /// Devices actually collected or delivered, per type (at most 50
    /// types, each at most 100,000).
    #[serde(default)]
    pub devices: Option<std::collections::BTreeMap<String, u32>>,
    /// Who handed over or received the devices.
    #[serde(default)]
    #[schema(max_length = 200)]
    pub recipient: Option<String>,
    #[serde(default)]
    #[schema(max_length = 40)]
    pub arrived_at: Option<String>,
    #[serde(default)]
    #[schema(max_length = 40)]
    pub departed_at: Option<String>,
    /// The phone's longitude and latitude.
    #[serde(default)]
    #[schema(min_items = 2, max_items = 2)]
    pub position: Option<[f64; 2]>,
}

/// Device types a report may count, and the most of one type.
const MAX_DEVICE_TYPES: usize = 50;
const MAX_COUNT: u32 = 100_000;
/// The longest recipient's name, in bytes.
const MAX_NAME_BYTES: usize = 200;

fn date_time(field: &str, at: Option<&String>) -> Result<(), ApiError> {
    if let Some(at) = at.filter(|a| !a.is_empty()) {
        let ok = at.len() <= 40
            && (chrono::DateTime::parse_from_rfc3339(at).is_ok()
                || crate::model::wall_clock::parse(at).is_some());
        if !ok {
            return Err(ApiError::field(
                field,
                "must be a date-time such as 2026-11-30T09:12:00+01:00 or 2026-11-30T09:12",
            ));
        }
    }
    Ok(())
}

fn text(field: &str, s: &str, max: usize) -> Result<(), ApiError> {
    if s.len() > max {
        return Err(ApiError::field(field, format!("at most {max} bytes")));
    }
    if s.chars().any(|c| c.is_control() && c != '\n') {
        return Err(ApiError::field(
            field,
            "must not hold control characters (new lines are fine)",
        ));
    }
    Ok(())
}

/// The report's actuals, once each is within its bounds.
fn actual(update: &StopUpdate) -> Result<crate::server::store::Actual, ApiError> {
    if update.reason.is_some() && update.status != Outcome::Failed {
        return Err(ApiError::field("reason", "is for a failed stop"));
    }
    if let Some(d) = &update.devices {
        if d.len() > MAX_DEVICE_TYPES {
            return Err(ApiError::field(
                "devices",
                format!("at most {MAX_DEVICE_TYPES} device types"),
            ));
        }
        for (k, n) in d {
            let id_ok = !k.is_empty()
                && k.len() <= 64
                && k.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
            if !id_ok {
                return Err(ApiError::field(
                    "devices",
                    "device types are ids such as laptop or desktop_tower",
                ));
            }
            if *n > MAX_COUNT {
                return Err(ApiError::field(
                    &format!("devices.{k}"),
                    format!("at most {MAX_COUNT}"),
                ));
            }
        }
    }
    if let Some(r) = &update.recipient {
        text("recipient", r, MAX_NAME_BYTES)?;
    }
    date_time("arrived_at", update.arrived_at.as_ref())?;
    date_time("departed_at", update.departed_at.as_ref())?;
    if let Some([lon, lat]) = update.position {
        if !(lon.is_finite() && lat.is_finite() && lon.abs() <= 180.0 && lat.abs() <= 90.0) {
            return Err(ApiError::field(
                "position",
                "[longitude, latitude] within -180..180 and -90..90",
            ));
        }
    }
    let some = |s: &Option<String>| s.clone().filter(|s| !s.is_empty());
    Ok(crate::server::store::Actual {
        reason: update.reason,
        devices: update.devices.clone(),
        recipient: some(&update.recipient),
        arrived_at: some(&update.arrived_at),
        departed_at: some(&update.departed_at),
        position: update.position,
    })
}

/// The longest note a driver may write, in bytes.
const MAX_NOTE_BYTES: usize = 2000;

fn checked(update: &StopUpdate) -> Result<(), ApiError> {
    text("note", &update.note, MAX_NOTE_BYTES)?;
    date_time("at", update.at.as_ref())
}

/// `PUT /api/v1/tours/{token}/stops/{stop}`: mark stop `stop` (1 = first)
/// done or failed. Sending the same report again changes nothing.
pub async fn put_stop(
    path: web::Path<(String, usize)>,
    JsonBody(text): JsonBody,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let (token, stop) = path.into_inner();
    let mut update: StopUpdate = json_body(&text)?;
    update.at = update.at.filter(|a| !a.is_empty());
    checked(&update)?;
    let actual = actual(&update)?;
    let status = db(&state, move |store| {
        let t = shared_stop(store, &token, stop)?;
        let existing = store.stop_statuses(&t.plan_id, t.index)?;
        let at = update.at.clone();
        if let Some(same) = existing.into_iter().find(|s| {
            s.stop == stop
                && s.status == update.status
                && s.note == update.note
                && s.actual == actual
                && at.as_ref().is_none_or(|a| *a == s.at)
        }) {
            return Ok(same);
        }
        let recorded_at = now();
        let status = StopStatus {
            stop,
            status: update.status,
            note: update.note,
            at: at.unwrap_or_else(|| recorded_at.clone()),
            recorded_at,
            actual,
            proofs: Vec::new(),
        };
        store.set_stop_status(&t.plan_id, t.index, &status)?;
        // As stored, with the proofs the stop holds.
        Ok(store
            .stop_statuses(&t.plan_id, t.index)?
            .into_iter()
            .find(|s| s.stop == stop)
            .unwrap_or(status))
    })
    .await?;
    Ok(private().json(status))
}
