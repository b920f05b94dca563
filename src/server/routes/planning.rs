//! Planning: a synchronous solve for small problems, the stock allocation
//! alone, and planning jobs (queued, followed by server-sent events,
//! cancelled, their plan fetched).

use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Duration;

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};

use crate::server::error::ApiError;
use crate::server::jobs::{CancelOnDrop, JobView, SolveError};
use crate::server::request::{self, db, Caller, JsonBody, PlanQuery};
use crate::server::store::JobInput;
use crate::server::AppState;

/// `POST /api/v1/solve`: plan a small problem and answer the plan. A
/// client that disconnects stops the search.
pub async fn solve(
    req: HttpRequest,
    who: Caller,
    query: web::Query<PlanQuery>,
    JsonBody(text): JsonBody,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let sync_max = Some(state.config.sync_max_seconds);
    let previous = query.into_inner().previous;
    let (ticket, p, finish, _) =
        request::admit_and_prepare(&state, &who, text, previous, sync_max).await?;
    let cancel = Arc::new(AtomicBool::new(false));
    // Set if this future is dropped, or when the client hangs up.
    let _guard = CancelOnDrop(cancel.clone());
    let solved = state.jobs.solve_now(ticket, p, finish, cancel.clone());
    let outcome = tokio::select! {
        outcome = solved => outcome,
        _ = request::hung_up(&req) => {
            tracing::info!("the client hung up: its solve is stopped");
            Err(SolveError::Cancelled)
        }
    };
    match outcome {
        Ok(plan) => Ok(HttpResponse::Ok().json(plan)),
        Err(SolveError::Invalid(errors)) => Err(ApiError::invalid(errors)),
        Err(SolveError::Cancelled) => Err(ApiError::conflict("the solve was cancelled")),
        Err(SolveError::Routing(e)) => Err(ApiError::bad_gateway(e)),
        Err(SolveError::Failed(e)) => Err(ApiError::internal(e)),
    }
}

/// `POST /api/v1/allocate`: the stock allocation of a problem alone.
pub async fn allocate(
    who: Caller,
    JsonBody(text): JsonBody,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    // The allocation is linear programmes: heavy work, admitted like a solve.
    let _ticket = request::admit(&state, &who)?;
    let _preparing = state.jobs.preparing().await;
    let st = state.clone();
    let a = web::block(move || {
        let p = request::validated(&text, &st, None)?;
        let (_, a) = crate::allocate::prepare(p).map_err(ApiError::internal)?;
        a.ok_or_else(|| ApiError::field("stock", "the problem has no stock to allocate"))
    })
    .await??;
    Ok(HttpResponse::Ok().json(a))
}

/// `POST /api/v1/jobs`: queue a planning job (202, Location of its status).
pub async fn create_job(
    who: Caller,
    query: web::Query<PlanQuery>,
    JsonBody(text): JsonBody,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let previous = query.into_inner().previous;
    let (ticket, p, finish, text) =
        request::admit_and_prepare(&state, &who, text, previous.clone(), None).await?;
    let input = JobInput {
        problem: text,
        previous,
    };
    let (jobs, by) = (state.jobs.clone(), who.owner());
    let (view, input) = db(&state, move |store| {
        let view = jobs
            .create(store, &by, &input)
            .map_err(ApiError::internal)?;
        Ok((view, input))
    })
    .await?;
    let location = format!("/api/v1/jobs/{}", view.id);
    actix_web::rt::spawn(state.jobs.clone().run(
        ticket,
        state.store.clone(),
        view.id.clone(),
        who.owner(),
        (p, finish),
        input.problem,
    ));
    Ok(HttpResponse::Accepted()
        .insert_header((header::LOCATION, location))
        .json(view))
}

/// The caller's organisation's job `id` (its record is stored when it is
/// created): live when it runs here, else as stored, with the progress its
/// server recorded when another server of a shared store runs it. Another
/// organisation's job is a 404, like one that does not exist.
async fn job_view(
    state: &web::Data<AppState>,
    id: &str,
    who: &Caller,
) -> Result<JobView, ApiError> {
    let (key, organisation) = (id.to_string(), who.organisation.clone());
    let (record, progress) = db(state, move |store| {
        let record = store
            .get_job(&key)?
            .filter(|r| r.organisation == organisation)
            .ok_or_else(|| ApiError::not_found(format!("no job `{key}`")))?;
        let progress = match store.shared() {
            true => store.job_progress(&key)?,
            false => None,
        };
        Ok((record, progress))
    })
    .await?;
    Ok(state.jobs.view(id).unwrap_or_else(|| {
        let mut view = JobView::from_record(record);
        if let Some(p) = progress.and_then(|p| serde_json::from_str(&p).ok()) {
            view.progress = p;
        }
        view
    }))
}

/// `GET /api/v1/jobs/{id}`.
pub async fn get_job(
    who: Caller,
    id: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(job_view(&state, &id, &who).await?))
}

/// `GET /api/v1/jobs/{id}/result`: the plan of a finished job.
pub async fn job_result(
    who: Caller,
    id: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let view = job_view(&state, &id, &who).await?;
    let Some(plan_id) = view.plan_id else {
        return Err(ApiError::conflict(format!(
            "job `{id}` is {}; it has no plan{}",
            view.state,
            view.error.map(|e| format!(" ({e})")).unwrap_or_default()
        )));
    };
    let plan = db(&state, move |store| {
        store
            .get_plan(&plan_id)?
            .map(|s| s.plan)
            .ok_or_else(|| ApiError::not_found(format!("no plan `{plan_id}`")))
    })
    .await?;
    Ok(HttpResponse::Ok()
        .content_type("application/json")
        .body(plan))
}

/// `DELETE /api/v1/jobs/{id}`: cancel a queued or running job.
pub async fn cancel_job(
    who: Caller,
    id: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let view = job_view(&state, &id, &who).await?;
    // Run here, or (on a shared store) by another server, which reads the
    // request when it next renews its lease.
    let key = id.to_string();
    if !state.jobs.cancel(&id) && !db(&state, move |store| Ok(store.request_cancel(&key)?)).await? {
        return Err(ApiError::conflict(format!(
            "job `{id}` is already {}",
            view.state
        )));
    }
    Ok(HttpResponse::Accepted().json(job_view(&state, &id, &who).await?))
}

/// `GET /api/v1/jobs/{id}/events`: the job's status as server-sent events,
/// one `status` event per change; the stream always ends with the final
/// state (`done`, `failed` or `cancelled`).
pub async fn job_events(
    who: Caller,
    id: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let event = |v: &JobView| {
        let data = serde_json::to_string(v).unwrap_or_default();
        web::Bytes::from(format!("event: status\ndata: {data}\n\n"))
    };
    let first = job_view(&state, &id, &who).await?;
    let Some(rx) = state.jobs.watch(&id) else {
        if first.is_over() || !state.store.shared() {
            // Finished before this server started: one event says how.
            return Ok(sse().body(event(&first)));
        }
        // Run by another server of the shared store: its state as it
        // records it, read every second, until the end.
        let stream = futures_util::stream::unfold(
            (Some(first), state.clone(), id.to_string(), who),
            move |(last, state, id, who)| async move {
                let last = last?;
                let over = last.is_over();
                let next = if over {
                    None
                } else {
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    job_view(&state, &id, &who).await.ok()
                };
                Some((
                    Ok::<_, actix_web::Error>(event(&last)),
                    (next, state, id, who),
                ))
            },
        );
        return Ok(sse().streaming(stream));
    };
    // The current state first, then each change (at most ten a second),
    // until the final state has been sent. A comment line every 15 s keeps
    // proxies from closing a quiet stream.
    let stream = futures_util::stream::unfold(
        (rx, false, false),
        move |(mut rx, started, over)| async move {
            if over {
                return None;
            }
            if started {
                let changed = tokio::time::timeout(Duration::from_secs(15), rx.changed()).await;
                if matches!(changed, Ok(Err(_))) {
                    // The job's sender is gone without a final state: say so.
                    let mut v = rx.borrow().clone();
                    if !v.is_over() {
                        v.state = crate::server::status::JobState::Failed;
                        v.error = Some("the job ended without a result".into());
                    }
                    return Some((Ok::<_, actix_web::Error>(event(&v)), (rx, true, true)));
                }
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
