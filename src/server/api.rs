//! The HTTP handlers of `/api/v1`. Each reads its input, checks the caller,
//! and answers JSON; the shapes are described in `openapi.rs`.

use std::time::Duration;

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use futures_util::StreamExt;
use serde::Deserialize;
use serde_json::{json, Value};

use super::error::ApiError;
use super::jobs::{store_plan, Finish, JobView};
use super::store::{StopStatus, StoredPlan};
use super::{now, AppState};
use crate::{geometry, input, model, plan::Plan};

/// The caller's name: the API key's, or `local` when no key is configured.
pub fn caller(req: &HttpRequest, state: &AppState) -> Result<String, ApiError> {
    if state.config.api_keys.is_empty() {
        return Ok("local".into());
    }
    let given = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|h| h.to_str().ok())
        .and_then(|h| h.strip_prefix("Bearer "))
        .ok_or_else(ApiError::unauthorized)?;
    state
        .config
        .api_keys
        .iter()
        .find(|(_, key)| constant_time_eq(key.as_bytes(), given.trim().as_bytes()))
        .map(|(name, _)| name.clone())
        .ok_or_else(ApiError::unauthorized)
}

/// Compares secrets without leaking where they differ through timing.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Reads the body up to the configured limit (413 beyond it).
async fn body(mut payload: web::Payload, limit: usize) -> Result<String, ApiError> {
    let mut bytes = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| ApiError::field("", format!("cannot read the body: {e}")))?;
        if bytes.len() + chunk.len() > limit {
            return Err(ApiError::too_large(limit));
        }
        bytes.extend_from_slice(&chunk);
    }
    String::from_utf8(bytes.to_vec()).map_err(|_| ApiError::field("", "the body is not UTF-8"))
}

/// Parses and validates a problem, and applies the server's size limits.
/// The problem to route and what finishes its plan: with a `replan`, the
/// earlier plan (`?previous=PLAN_ID`) gives the tours kept; with a stock,
/// the orders are cut to their allocation.
fn problem(
    text: &str,
    previous: Option<&str>,
    state: &AppState,
) -> Result<(model::Problem, Finish), ApiError> {
    let p = validated(text, state)?;
    let (p, replan) = match (&p.replan, previous) {
        (None, _) => (p, None),
        (Some(_), None) => {
            return Err(ApiError::field(
                "replan",
                "re-planning needs the earlier plan: ?previous=PLAN_ID",
            ))
        }
        (Some(_), Some(id)) => {
            let (_, earlier) = stored(state, id)?;
            let r = crate::replan::prepare(&p, &earlier).map_err(ApiError::invalid)?;
            (r.problem, Some((r.kept, earlier)))
        }
    };
    let (p, allocation) = crate::allocate::prepare(p).map_err(ApiError::internal)?;
    Ok((p, Finish { allocation, replan }))
}

/// Query of the planning routes.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanQuery {
    /// The earlier plan, for a problem with a `replan` section.
    pub previous: Option<String>,
}

/// Parses and validates a problem within the server's size limits.
fn validated(text: &str, state: &AppState) -> Result<model::Problem, ApiError> {
    let p = input::read(text).map_err(ApiError::invalid)?;
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
    Ok(p)
}

/// A JSON body of type `T`, or a 400 naming the field that does not fit.
fn json_body<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, ApiError> {
    let de = &mut serde_json::Deserializer::from_str(text);
    serde_path_to_error::deserialize(de)
        .map_err(|e| ApiError::field(&e.path().to_string(), e.into_inner().to_string()))
}

fn busy(state: &AppState) -> ApiError {
    ApiError::busy(state.config.retry_after_s)
}

pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(json!({ "status": "ok" }))
}

/// `POST /api/v1/solve`: plan a small problem and answer the plan.
pub async fn solve(
    req: HttpRequest,
    query: web::Query<PlanQuery>,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    caller(&req, &state)?;
    let text = body(payload, state.config.max_body_bytes).await?;
    let (p, finish) = problem(&text, query.previous.as_deref(), &state)?;
    let max = state.config.sync_max_seconds;
    if p.solver.time_limit_s > max {
        return Err(ApiError::field(
            "solver.time_limit_s",
            format!(
                "{} s is more than this route allows ({max} s); use /api/v1/jobs",
                p.solver.time_limit_s
            ),
        ));
    }
    let ticket = state.jobs.admit().ok_or_else(|| busy(&state))?;
    let plan = state
        .jobs
        .solve_now(ticket, p, finish)
        .await
        .map_err(ApiError::internal)?;
    Ok(HttpResponse::Ok().json(plan))
}

/// `POST /api/v1/jobs`: queue a planning job (202, Location of its status).
pub async fn create_job(
    req: HttpRequest,
    query: web::Query<PlanQuery>,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let who = caller(&req, &state)?;
    let text = body(payload, state.config.max_body_bytes).await?;
    let (p, finish) = problem(&text, query.previous.as_deref(), &state)?;
    let ticket = state.jobs.admit().ok_or_else(|| busy(&state))?;
    let view = state
        .jobs
        .create(&*state.store, &who)
        .map_err(ApiError::internal)?;
    let location = format!("/api/v1/jobs/{}", view.id);
    actix_web::rt::spawn(state.jobs.clone().run(
        ticket,
        state.store.clone(),
        view.id.clone(),
        who,
        (p, finish),
        text,
    ));
    Ok(HttpResponse::Accepted()
        .insert_header((header::LOCATION, location))
        .json(view))
}

fn job_view(state: &AppState, id: &str) -> Result<JobView, ApiError> {
    if let Some(v) = state.jobs.view(id) {
        return Ok(v);
    }
    state
        .store
        .get_job(id)?
        .map(JobView::from_record)
        .ok_or_else(|| ApiError::not_found(format!("no job `{id}`")))
}

/// `GET /api/v1/jobs/{id}`.
pub async fn get_job(
    req: HttpRequest,
    id: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    caller(&req, &state)?;
    Ok(HttpResponse::Ok().json(job_view(&state, &id)?))
}

/// `GET /api/v1/web-config`: what the web pages need to know of the
/// server's settings (no key needed: it holds no data).
pub async fn web_config(state: web::Data<AppState>) -> HttpResponse {
    let tiles = &state.config.tile_url;
    HttpResponse::Ok().json(json!({
        "tile_url": tiles,
        "tile_attribution": if tiles.contains("openstreetmap.org") {
            "© OpenStreetMap contributors"
        } else {
            ""
        },
        "api_key_required": !state.config.api_keys.is_empty(),
    }))
}

/// `POST /api/v1/allocate`: the stock allocation of a problem alone.
pub async fn allocate(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    caller(&req, &state)?;
    let text = body(payload, state.config.max_body_bytes).await?;
    let p = validated(&text, &state)?;
    let stock = p
        .stock
        .as_ref()
        .ok_or_else(|| ApiError::field("stock", "the problem has no stock to allocate"))?;
    let a = crate::allocate::allocate(&p.orders, stock).map_err(ApiError::internal)?;
    Ok(HttpResponse::Ok().json(a))
}

/// `GET /api/v1/jobs/{id}/result`: the plan of a finished job.
pub async fn job_result(
    req: HttpRequest,
    id: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    caller(&req, &state)?;
    let view = job_view(&state, &id)?;
    let Some(plan_id) = view.plan_id else {
        return Err(ApiError::conflict(format!(
            "job `{id}` is {}; it has no plan{}",
            view.state,
            view.error.map(|e| format!(" ({e})")).unwrap_or_default()
        )));
    };
    let (_, plan) = stored(&state, &plan_id)?;
    Ok(HttpResponse::Ok().json(plan))
}

/// `DELETE /api/v1/jobs/{id}`: cancel a queued or running job.
pub async fn cancel_job(
    req: HttpRequest,
    id: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    caller(&req, &state)?;
    let view = job_view(&state, &id)?;
    if !state.jobs.cancel(&id) {
        return Err(ApiError::conflict(format!(
            "job `{id}` is already {}",
            view.state
        )));
    }
    Ok(HttpResponse::Accepted().json(job_view(&state, &id)?))
}

/// `GET /api/v1/jobs/{id}/events`: the job's status as server-sent events,
/// one `status` event per change, ending with the final state.
pub async fn job_events(
    req: HttpRequest,
    id: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    caller(&req, &state)?;
    let event = |v: &JobView| {
        let data = serde_json::to_string(v).unwrap_or_default();
        web::Bytes::from(format!("event: status\ndata: {data}\n\n"))
    };
    let Some(rx) = state.jobs.watch(&id) else {
        // Finished before this server started: one event says how.
        let v = job_view(&state, &id)?;
        return Ok(sse().body(event(&v)));
    };
    // The current state first, then each change (at most ten a second),
    // until the final state has been sent.
    let stream = futures_util::stream::unfold(
        (rx, false, false),
        move |(mut rx, started, over)| async move {
            if over {
                return None;
            }
            if started {
                let _ = tokio::time::timeout(Duration::from_secs(15), rx.changed()).await;
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            let v = rx.borrow_and_update().clone();
            let over = v.is_over();
            Some((Ok::<_, actix_web::Error>(event(&v)), (rx, true, over)))
        },
    );
    Ok(sse().streaming(stream))
}

fn sse() -> actix_web::HttpResponseBuilder {
    let mut b = HttpResponse::Ok();
    b.insert_header((header::CONTENT_TYPE, "text/event-stream"))
        .insert_header((header::CACHE_CONTROL, "no-cache"));
    b
}

fn stored(state: &AppState, id: &str) -> Result<(StoredPlan, Plan), ApiError> {
    let s = state
        .store
        .get_plan(id)?
        .ok_or_else(|| ApiError::not_found(format!("no plan `{id}`")))?;
    let plan: Plan = serde_json::from_str(&s.plan).map_err(ApiError::internal)?;
    Ok((s, plan))
}

/// `GET /api/v1/plans`.
pub async fn list_plans(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    caller(&req, &state)?;
    Ok(HttpResponse::Ok().json(json!({ "plans": state.store.list_plans()? })))
}

/// `GET /api/v1/plans/{id}`: the plan, its metadata and each tour's share link.
pub async fn get_plan(
    req: HttpRequest,
    id: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    caller(&req, &state)?;
    let (s, plan) = stored(&state, &id)?;
    let links: Vec<Value> = plan
        .tours
        .iter()
        .zip(&s.tokens)
        .map(|(t, token)| {
            json!({ "tour": t.id, "token": token, "url": format!("/api/v1/tours/{token}") })
        })
        .collect();
    Ok(HttpResponse::Ok().json(json!({ "meta": s.meta, "plan": plan, "share": links })))
}

/// `GET /api/v1/plans/{id}/problem`: the problem the plan answers.
pub async fn get_plan_problem(
    req: HttpRequest,
    id: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    caller(&req, &state)?;
    let (s, _) = stored(&state, &id)?;
    Ok(HttpResponse::Ok()
        .content_type("application/json")
        .body(s.problem))
}

/// `GET /api/v1/plans/{id}/geojson`: tours and stops for a map.
pub async fn get_plan_geojson(
    req: HttpRequest,
    id: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    caller(&req, &state)?;
    let (_, plan) = stored(&state, &id)?;
    Ok(HttpResponse::Ok()
        .content_type("application/geo+json")
        .body(crate::plan::to_geojson(&plan).to_string()))
}

/// Options of the report routes.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportQuery {
    /// Share of collected devices reused (0 to 1, default 1).
    pub reuse_rate: Option<f64>,
    /// First and last day (YYYY-MM-DD) of a period report.
    pub from: Option<String>,
    pub to: Option<String>,
}

fn reuse_rate(q: &ReportQuery) -> Result<f64, ApiError> {
    match q.reuse_rate {
        None => Ok(1.0),
        Some(x) if (0.0..=1.0).contains(&x) => Ok(x),
        Some(x) => Err(ApiError::field(
            "reuse_rate",
            format!("{x} is not between 0 and 1"),
        )),
    }
}

/// `GET /api/v1/plans/{id}/report`: the plan's emissions (docs/emissions.md).
pub async fn get_plan_report(
    req: HttpRequest,
    id: web::Path<String>,
    query: web::Query<ReportQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    caller(&req, &state)?;
    let rate = reuse_rate(&query)?;
    let (_, plan) = stored(&state, &id)?;
    Ok(HttpResponse::Ok().json(crate::report::report(&[&plan], rate, |_| true)))
}

/// `GET /api/v1/reports?from=&to=`: the stored plans' tours whose day is in
/// the period, each day from the newest plan that covers it, with totals
/// per week, month, vehicle and day.
pub async fn period_report(
    req: HttpRequest,
    query: web::Query<ReportQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    caller(&req, &state)?;
    let rate = reuse_rate(&query)?;
    let day = |field: &str, v: &Option<String>| -> Result<Option<String>, ApiError> {
        match v {
            None => Ok(None),
            Some(d) if chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").is_ok() => {
                Ok(Some(d.clone()))
            }
            Some(d) => Err(ApiError::field(
                field,
                format!("`{d}` is not a YYYY-MM-DD date"),
            )),
        }
    };
    let (from, to) = (day("from", &query.from)?, day("to", &query.to)?);
    // Newest first: a day's tours come from the newest plan that has any on
    // that day, so a re-planned week is counted once.
    let mut plans = Vec::new();
    let mut claimed: std::collections::BTreeSet<String> = Default::default();
    for meta in state.store.list_plans()? {
        let mut plan = stored(&state, &meta.id)?.1;
        plan.tours.retain(|t| !claimed.contains(&t.day));
        claimed.extend(plan.tours.iter().map(|t| t.day.clone()));
        plans.push(plan);
    }
    let refs: Vec<&Plan> = plans.iter().collect();
    let keep =
        |d: &str| from.as_deref().is_none_or(|f| d >= f) && to.as_deref().is_none_or(|t| d <= t);
    Ok(HttpResponse::Ok().json(crate::report::report(&refs, rate, keep)))
}

/// `GET /api/v1/plans/{id}/stops.csv`: one row per stop.
pub async fn get_plan_stops_csv(
    req: HttpRequest,
    id: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    caller(&req, &state)?;
    let (_, plan) = stored(&state, &id)?;
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .body(crate::export::stops_csv(&plan)))
}

/// `GET /api/v1/tours/{token}/gpx`: the driver's tour for a navigation app.
pub async fn get_shared_tour_gpx(
    token: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let (plan_id, index) = by_token(&state, &token)?;
    let (_, plan) = stored(&state, &plan_id)?;
    let tour = plan
        .tours
        .get(index)
        .ok_or_else(|| ApiError::not_found("no tour for this link"))?;
    Ok(HttpResponse::Ok()
        .content_type("application/gpx+xml")
        .body(crate::export::gpx(tour)))
}

/// `DELETE /api/v1/plans/{id}`.
pub async fn delete_plan(
    req: HttpRequest,
    id: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    caller(&req, &state)?;
    if state.store.delete_plan(&id)? {
        Ok(HttpResponse::NoContent().finish())
    } else {
        Err(ApiError::not_found(format!("no plan `{id}`")))
    }
}

/// One tour as a driver needs it: stops, statuses and geometry.
fn tour_view(state: &AppState, plan_id: &str, index: usize) -> Result<Value, ApiError> {
    let (s, plan) = stored(state, plan_id)?;
    let tour = plan
        .tours
        .get(index)
        .ok_or_else(|| ApiError::not_found(format!("plan `{plan_id}` has no tour {index}")))?;
    let statuses = state.store.stop_statuses(plan_id, index)?;
    // Each stop's opening hours that day, from the problem, for the driver
    // arriving early or late (empty: open all day; none for reloads).
    let problem: Option<crate::model::Problem> = serde_json::from_str(&s.problem).ok();
    let windows: Vec<Vec<&crate::model::Interval>> = tour
        .stops
        .iter()
        .map(|stop| {
            problem
                .iter()
                .flat_map(|p| p.pickups.iter().chain(&p.orders))
                .filter(|r| r.id == stop.job && stop.kind != crate::plan::StopKind::Reload)
                .flat_map(|r| &r.time_windows)
                .filter(|w| w.start.date().to_string() == tour.day)
                .collect()
        })
        .collect();
    Ok(json!({
        "plan": { "id": s.meta.id, "name": s.meta.name },
        "tour": tour,
        "windows": windows,
        "statuses": statuses,
        "geometry": {
            "source": tour.geometry.source,
            "polyline": tour.geometry.polyline,
            "geojson": geometry::line_string(&geometry::decode_polyline(&tour.geometry.polyline)),
        },
    }))
}

/// `GET /api/v1/plans/{id}/tours/{index}` (coordinators, with a key).
pub async fn get_plan_tour(
    req: HttpRequest,
    path: web::Path<(String, usize)>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    caller(&req, &state)?;
    let (id, index) = path.into_inner();
    Ok(HttpResponse::Ok().json(tour_view(&state, &id, index)?))
}

fn by_token(state: &AppState, token: &str) -> Result<(String, usize), ApiError> {
    state
        .store
        .tour_by_token(token)?
        .ok_or_else(|| ApiError::not_found("no tour for this link"))
}

/// `GET /api/v1/tours/{token}`: a driver's tour, opened by its share token.
pub async fn get_shared_tour(
    token: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let (plan_id, index) = by_token(&state, &token)?;
    Ok(HttpResponse::Ok().json(tour_view(&state, &plan_id, index)?))
}

/// What a driver reports about a stop.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StopUpdate {
    /// `done` or `failed`.
    pub status: String,
    #[serde(default)]
    pub note: String,
    /// When it happened, as the phone saw it; the server's time if absent.
    #[serde(default)]
    pub at: Option<String>,
}

/// `PUT /api/v1/tours/{token}/stops/{stop}`: mark stop `stop` (1 = first)
/// done or failed. Sending the same report again changes nothing.
pub async fn put_stop_status(
    path: web::Path<(String, usize)>,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let (token, stop) = path.into_inner();
    let (plan_id, index) = by_token(&state, &token)?;
    let text = body(payload, 64 * 1024).await?;
    let update: StopUpdate = json_body(&text)?;
    if update.status != "done" && update.status != "failed" {
        return Err(ApiError::field("status", "must be `done` or `failed`"));
    }
    if update.note.len() > 2000 {
        return Err(ApiError::field("note", "at most 2000 bytes"));
    }
    let (_, plan) = stored(&state, &plan_id)?;
    let stops = plan.tours.get(index).map_or(0, |t| t.stops.len());
    if stop == 0 || stop > stops {
        return Err(ApiError::not_found(format!(
            "this tour has stops 1 to {stops}, not {stop}"
        )));
    }
    let existing = state.store.stop_statuses(&plan_id, index)?;
    let at = update.at.clone();
    if let Some(same) = existing.iter().find(|s| {
        s.stop == stop
            && s.status == update.status
            && s.note == update.note
            && at.as_ref().is_none_or(|a| *a == s.at)
    }) {
        return Ok(HttpResponse::Ok().json(same));
    }
    let recorded_at = now();
    let status = StopStatus {
        stop,
        status: update.status,
        note: update.note,
        at: at.unwrap_or_else(|| recorded_at.clone()),
        recorded_at,
    };
    state.store.set_stop_status(&plan_id, index, &status)?;
    Ok(HttpResponse::Ok().json(status))
}

/// `POST /api/v1/plans`: store a plan computed elsewhere (e.g. by
/// `tournee solve`) with its problem, to share its tours.
pub async fn create_plan(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let who = caller(&req, &state)?;
    let text = body(payload, state.config.max_body_bytes).await?;
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Upload {
        problem: Value,
        plan: Plan,
    }
    let up: Upload = json_body(&text)?;
    let problem_json = up.problem.to_string();
    // The plan is checked against the problem as given (with its stock).
    let p = validated(&problem_json, &state).map_err(|mut e| {
        e.field = Some(format!("problem.{}", e.field.unwrap_or_default()));
        e
    })?;
    let travel = crate::routing::travel(&p, state.config.matrix_cache.as_deref())
        .await
        .map_err(|e| ApiError::field("problem.routing", e.to_string()))?;
    let errors = crate::check::check_with(&p, &up.plan, &travel);
    if !errors.is_empty() {
        return Err(ApiError::field(
            "plan",
            format!(
                "not a feasible plan for this problem: {}",
                errors.join("; ")
            ),
        ));
    }
    let id =
        store_plan(&*state.store, &p, &problem_json, &up.plan, &who).map_err(ApiError::internal)?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/plans/{id}")))
        .json(json!({ "id": id })))
}
