//! What every route needs of a request before its own work: who calls (the
//! [`Caller`] extractor, so that no handler can forget the key check), its
//! body (bounded in size and in time, of the declared type), and, for the
//! planning routes, the problem parsed, held to the server's limits and
//! prepared (re-plan, stock allocation) on the blocking pool once the solve
//! has a place in the queue.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use actix_web::http::header;
use actix_web::{web, FromRequest, HttpRequest};
use futures_util::StreamExt;
use serde::Deserialize;

use super::error::ApiError;
use super::jobs::{Finish, Refusal, Ticket};
use super::keys::{Role, DEFAULT_ORGANISATION};
use super::status::{Outcome, Reason};
use super::store::{Owner, StoredPlan};
use super::AppState;
use crate::{input, model, plan::Plan};

/// Who calls: the key's name, its organisation and its role (`local`, a
/// coordinator of the default organisation, when no key is configured).
/// As an extractor, a handler that takes it cannot run without a valid key
/// whose role allows the request: the one access check of the API.
#[derive(Clone, Debug)]
pub struct Caller {
    pub name: String,
    pub organisation: String,
    pub role: Role,
}

impl Caller {
    /// Whose the things this caller stores are.
    pub fn owner(&self) -> Owner {
        Owner {
            organisation: self.organisation.clone(),
            name: self.name.clone(),
        }
    }
}

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Caller, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        std::future::ready(caller(req))
    }
}

fn caller(req: &HttpRequest) -> Result<Caller, ApiError> {
    let state = req
        .app_data::<web::Data<AppState>>()
        .ok_or_else(|| ApiError::internal("no application state"))?;
    if state.keys.is_empty() {
        return Ok(Caller {
            name: "local".into(),
            organisation: DEFAULT_ORGANISATION.into(),
            role: Role::Coordinator,
        });
    }
    let given = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|h| h.to_str().ok())
        .and_then(|h| h.strip_prefix("Bearer "))
        .ok_or_else(ApiError::unauthorized)?;
    let key = state
        .keys
        .find(given.trim())
        .ok_or_else(ApiError::unauthorized)?;
    let pattern = req.match_pattern().unwrap_or_default();
    if !key.role.allows(req.method().as_str(), &pattern) {
        return Err(ApiError::forbidden(format!(
            "a {} key may not {} {pattern}",
            key.role.name(),
            req.method()
        )));
    }
    Ok(Caller {
        name: key.name,
        organisation: key.organisation,
        role: key.role,
    })
}

/// A JSON body: checked to be declared as JSON, read within the size limit
/// (413) and the body deadline (408), and UTF-8.
pub struct JsonBody(pub String);

impl FromRequest for JsonBody {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<JsonBody, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut actix_web::dev::Payload) -> Self::Future {
        let bytes = bounded_body(req, payload, &["application/json"]);
        Box::pin(async move {
            let bytes = bytes.await?;
            String::from_utf8(bytes)
                .map(JsonBody)
                .map_err(|_| ApiError::field("", "the body is not UTF-8"))
        })
    }
}

/// The media types of a sheet: CSV, and Excel's workbook.
pub const SHEET_TYPES: &[&str] = &[
    "text/csv",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.ms-excel",
];

/// A spreadsheet's bytes (CSV or XLSX), bounded like a JSON body.
pub struct SheetBody(pub Vec<u8>);

impl FromRequest for SheetBody {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<SheetBody, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut actix_web::dev::Payload) -> Self::Future {
        let bytes = bounded_body(req, payload, SHEET_TYPES);
        Box::pin(async move { bytes.await.map(SheetBody) })
    }
}

/// The media types of a stop's photo or signature.
pub const IMAGE_TYPES: &[&str] = &["image/jpeg", "image/png", "image/webp"];

/// The largest photo or signature, in bytes: a phone's photo scaled down by
/// the driver's page is about 200–400 kB.
pub const MAX_PROOF_BYTES: usize = 1024 * 1024;

/// An image's bytes (a stop's photo or signature), bounded like a JSON body,
/// with the media type it was declared with.
pub struct ImageBody(pub String, pub Vec<u8>);

impl FromRequest for ImageBody {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<ImageBody, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut actix_web::dev::Payload) -> Self::Future {
        let declared = content_type(req);
        let bytes = bounded_body(req, payload, IMAGE_TYPES);
        Box::pin(async move {
            let essence = declared.split(';').next().unwrap_or("").trim().to_string();
            bytes.await.map(|b| ImageBody(essence, b))
        })
    }
}

/// The body, if declared as one of `kinds`, read within the size limit
/// (413) and the body deadline (408).
fn bounded_body(
    req: &HttpRequest,
    payload: &mut actix_web::dev::Payload,
    kinds: &'static [&'static str],
) -> impl Future<Output = Result<Vec<u8>, ApiError>> {
    let payload = web::Payload::from_request(req, payload).into_inner();
    let state = req.app_data::<web::Data<AppState>>().cloned();
    let declared = content_type(req);
    // Drivers' updates are small, their photos bounded; everything else
    // may be a problem.
    let proof = kinds == IMAGE_TYPES;
    let small = req.path().starts_with("/api/v1/tours/");
    async move {
        let state = state.ok_or_else(|| ApiError::internal("no application state"))?;
        let essence = declared.split(';').next().unwrap_or("").trim().to_string();
        if !kinds.contains(&essence.as_str()) {
            return Err(ApiError::unsupported_type(&kinds.join(" or ")));
        }
        let payload = payload.map_err(|e| ApiError::field("", e.to_string()))?;
        let limit = if proof {
            MAX_PROOF_BYTES
        } else if small {
            64 * 1024
        } else {
            state.config.max_body_bytes
        };
        let seconds = state.config.body_timeout_s;
        match tokio::time::timeout(Duration::from_secs(seconds), read_body(payload, limit)).await {
            Ok(bytes) => bytes,
            Err(_) => Err(ApiError::body_timeout(seconds)),
        }
    }
}

fn content_type(req: &HttpRequest) -> String {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase()
}

async fn read_body(mut payload: web::Payload, limit: usize) -> Result<Vec<u8>, ApiError> {
    let mut bytes = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| ApiError::field("", format!("cannot read the body: {e}")))?;
        if bytes.len() + chunk.len() > limit {
            return Err(ApiError::too_large(limit));
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes.to_vec())
}

/// A JSON body of type `T` and nothing after it, or a 400 naming the field
/// that does not fit.
pub fn json_body<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, ApiError> {
    input::json(text).map_err(|e| ApiError::invalid(vec![e]))
}

/// A second handle on the client's socket, kept with the connection: actix
/// keeps running a handler whose client has gone, so a long synchronous
/// solve looks at the socket itself to notice (see [`hung_up`]).
pub struct PeerSocket(pub std::net::TcpStream);

/// Registered with `HttpServer::on_connect`: keeps a [`PeerSocket`].
pub fn keep_peer(conn: &dyn std::any::Any, data: &mut actix_web::dev::Extensions) {
    use std::os::fd::AsFd;
    if let Some(tcp) = conn.downcast_ref::<actix_web::rt::net::TcpStream>() {
        if let Ok(fd) = tcp.as_fd().try_clone_to_owned() {
            data.insert(PeerSocket(std::net::TcpStream::from(fd)));
        }
    }
}

/// Resolves once the client has closed its connection (end of stream on
/// its socket); never when the server cannot tell.
pub async fn hung_up(req: &HttpRequest) {
    let Some(peer) = req.conn_data::<PeerSocket>() else {
        return std::future::pending().await;
    };
    let mut byte = [0u8; 1];
    loop {
        match peer.0.peek(&mut byte) {
            Ok(0) => return,
            Err(e) if e.kind() != std::io::ErrorKind::WouldBlock => return,
            // Data waiting (a pipelined request) or nothing yet: still there.
            _ => tokio::time::sleep(Duration::from_millis(200)).await,
        }
    }
}

/// Query of the planning routes.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanQuery {
    /// The earlier plan, for a problem with a `replan` section.
    pub previous: Option<String>,
}

/// Runs `f` with the store on the blocking pool: SQLite calls never hold an
/// async worker.
pub async fn db<T: Send + 'static>(
    state: &web::Data<AppState>,
    f: impl FnOnce(&dyn super::store::Store) -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    let store = state.store.clone();
    web::block(move || f(&*store)).await?
}

/// A stored plan of the caller's organisation and its parsed plan document;
/// another organisation's plan is a 404 like a plan that does not exist, so
/// that ids leak nothing.
pub fn stored(
    store: &dyn super::store::Store,
    id: &str,
    organisation: &str,
) -> Result<(StoredPlan, Plan), ApiError> {
    let s = store
        .get_plan(id)?
        .filter(|s| s.meta.organisation == organisation)
        .ok_or_else(|| ApiError::not_found(format!("no plan `{id}`")))?;
    let plan: Plan = serde_json::from_str(&s.plan).map_err(ApiError::internal)?;
    Ok((s, plan))
}

/// A 404 unless plan `id` exists and is `organisation`'s.
pub fn owns(store: &dyn super::store::Store, id: &str, organisation: &str) -> Result<(), ApiError> {
    match store.plan_organisation(id)? {
        Some(o) if o == organisation => Ok(()),
        _ => Err(ApiError::not_found(format!("no plan `{id}`"))),
    }
}

/// A queue place for the caller's solve: 503 when the server is full, 429
/// when the caller already has its share.
pub fn admit(state: &AppState, who: &Caller) -> Result<Ticket, ApiError> {
    let c = &state.config;
    state.jobs.admit(&who.owner().id()).map_err(|r| match r {
        Refusal::Busy => ApiError::busy(c.retry_after_s),
        Refusal::Quota(n) => ApiError::quota(
            format!(
                "this key already has {n} solves queued or running, its most on this server; wait for one to end"
            ),
            c.retry_after_s,
        ),
    })
}

/// Parses and validates a problem within the server's limits: sizes, the
/// longest search (`max_time_limit`, or `sync_max` for the synchronous
/// route), and a road server named among the operator's, never a URL.
pub fn validated(
    text: &str,
    state: &AppState,
    sync_max: Option<f64>,
) -> Result<model::Problem, ApiError> {
    let mut p = input::read(text).map_err(ApiError::invalid)?;
    let c = &state.config;
    let requests = p.pickups.len() + p.orders.len();
    if requests > c.max_requests {
        return Err(ApiError::field(
            if p.pickups.len() > c.max_requests {
                "pickups"
            } else {
                "orders"
            },
            format!(
                "{requests} pickups and orders; this server plans at most {}",
                c.max_requests
            ),
        ));
    }
    let shifts: usize = p.vehicles.iter().map(|v| v.shifts.len()).sum();
    if shifts > c.max_shifts {
        return Err(ApiError::field(
            "vehicles",
            format!(
                "{shifts} vehicle shifts; this server plans at most {}",
                c.max_shifts
            ),
        ));
    }
    let limit = p.solver.time_limit_s;
    match sync_max {
        Some(max) if limit > max => {
            return Err(ApiError::field(
                "solver.time_limit_s",
                format!("{limit} s is more than this route allows ({max} s); use /api/v1/jobs"),
            ))
        }
        _ if limit > c.max_time_limit_s => {
            return Err(ApiError::field(
                "solver.time_limit_s",
                format!(
                    "{limit} s is more than this server allows ({} s)",
                    c.max_time_limit_s
                ),
            ))
        }
        _ => {}
    }
    if let Some(osrm) = p.routing.osrm.as_mut() {
        state.config.road_servers().resolve(osrm)?;
    }
    Ok(p)
}

/// The problem to route and what finishes its plan: with a `replan`, the
/// earlier plan (`?previous=PLAN_ID`) gives the tours kept; with a stock,
/// the orders are cut to their allocation. Runs on the blocking pool.
pub fn prepare(
    text: &str,
    previous: Option<&str>,
    state: &AppState,
    sync_max: Option<f64>,
    organisation: &str,
) -> Result<(model::Problem, Finish), ApiError> {
    let p = validated(text, state, sync_max)?;
    let earlier = match (&p.replan, previous) {
        (None, _) => None,
        (Some(_), None) => {
            return Err(ApiError::field(
                "replan",
                "re-planning needs the earlier plan: ?previous=PLAN_ID",
            ))
        }
        (Some(_), Some(id)) => {
            let (_, earlier) = stored(&*state.store, id, organisation)?;
            // What its drivers reported failed goes back into the pool: a
            // request's stop, not a drop at a partner (the devices are on
            // the van, the donor need not be visited again) nor a reload.
            let request_stop = |tour: usize, stop: usize| {
                earlier
                    .tours
                    .get(tour)
                    .and_then(|t| t.stops.get(stop.checked_sub(1)?))
                    .is_some_and(|s| {
                        use crate::plan::StopKind;
                        matches!(s.kind, StopKind::Pickup | StopKind::Delivery)
                    })
            };
            let failed = crate::server::routes::plans::reported(&*state.store, id, organisation)?
                .into_iter()
                .filter(|(tour, _, s)| s.status == Outcome::Failed && request_stop(*tour, s.stop))
                .map(|(_, job, s)| {
                    let why = s.actual.reason.unwrap_or(Reason::Other);
                    (job, why.as_str().to_string())
                })
                .collect();
            Some((earlier, failed))
        }
    };
    let replanning = earlier.is_some();
    let (p, mut finish) = crate::pipeline::prepare(p, earlier).map_err(|e| match e {
        crate::pipeline::Failure::Invalid(errors) => ApiError::invalid(errors),
        e => ApiError::internal(e),
    })?;
    finish.previous_id = previous.filter(|_| replanning).map(String::from);
    Ok((p, finish))
}

/// Admission, then preparation off the async workers: the ticket, the
/// problem and its finish, or the error for the caller.
pub async fn admit_and_prepare(
    state: &web::Data<AppState>,
    who: &Caller,
    text: String,
    previous: Option<String>,
    sync_max: Option<f64>,
) -> Result<(Ticket, model::Problem, Finish, String), ApiError> {
    let ticket = admit(state, who)?;
    let _preparing = state.jobs.preparing().await;
    let (st, organisation) = (state.clone(), who.organisation.clone());
    let (p, finish, text) = web::block(move || {
        prepare(&text, previous.as_deref(), &st, sync_max, &organisation).map(|(p, f)| (p, f, text))
    })
    .await??;
    Ok((ticket, p, finish, text))
}
