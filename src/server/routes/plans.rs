//! Stored plans: list, read (whole, problem, GeoJSON, stops CSV, one tour),
//! upload a plan computed elsewhere, delete, and manage the drivers' share
//! links (renew or revoke).

use actix_web::http::header;
use actix_web::{web, HttpResponse};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::pipeline::routing_message;
use crate::plan::Plan;
use crate::server::error::ApiError;
use crate::server::jobs::{store_plan, token_expiry};
use crate::server::request::{self, db, stored, Caller, JsonBody};
use crate::server::store::StoredPlan;
use crate::server::{views, AppState};

/// `GET /api/v1/plans`.
pub async fn list(who: Caller, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let plans = db(
        &state,
        move |store| Ok(store.list_plans(&who.organisation)?),
    )
    .await?;
    Ok(HttpResponse::Ok().json(json!({ "plans": plans })))
}

async fn load(
    state: &web::Data<AppState>,
    id: &str,
    who: &Caller,
) -> Result<(StoredPlan, Plan), ApiError> {
    let (id, organisation) = (id.to_string(), who.organisation.clone());
    db(state, move |store| stored(store, &id, &organisation)).await
}

/// Each tour's share link of a stored plan.
fn links(s: &StoredPlan, plan: &Plan) -> Vec<Value> {
    plan.tours
        .iter()
        .zip(&s.tokens)
        .filter(|(_, token)| !token.is_empty())
        .map(|(t, token)| {
            json!({ "tour": t.id, "token": token, "url": format!("/api/v1/tours/{token}") })
        })
        .collect()
}

/// `GET /api/v1/plans/{id}`: the plan, its metadata and each tour's share link.
pub async fn get(
    who: Caller,
    id: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let (s, plan) = load(&state, &id, &who).await?;
    let share = links(&s, &plan);
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(json!({ "meta": s.meta, "plan": plan, "share": share })))
}

/// `GET /api/v1/plans/{id}/plan`: the plan document alone
/// (`tournee-plan/1`), as `tournee report` and `tournee export` read it.
pub async fn plan_document(
    who: Caller,
    id: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let (s, _) = load(&state, &id, &who).await?;
    Ok(HttpResponse::Ok()
        .content_type("application/json")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"plan-{}.json\"", s.meta.id),
        ))
        .body(s.plan))
}

/// `GET /api/v1/plans/{id}/problem`: the problem the plan answers.
pub async fn problem(
    who: Caller,
    id: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let (s, _) = load(&state, &id, &who).await?;
    Ok(HttpResponse::Ok()
        .content_type("application/json")
        .body(s.problem))
}

/// `GET /api/v1/plans/{id}/geojson`: tours and stops for a map.
pub async fn geojson(
    who: Caller,
    id: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let (_, plan) = load(&state, &id, &who).await?;
    Ok(HttpResponse::Ok()
        .content_type("application/geo+json")
        .body(crate::plan::to_geojson(&plan).to_string()))
}

/// `GET /api/v1/plans/{id}/stops.csv`: one row per stop.
pub async fn stops_csv(
    who: Caller,
    id: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let (_, plan) = load(&state, &id, &who).await?;
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .body(crate::export::stops_csv(&plan)))
}

/// A 404 for plan `id` unless the store `found` it.
fn found_plan(found: bool, id: &str) -> Result<(), ApiError> {
    if found {
        Ok(())
    } else {
        Err(ApiError::not_found(format!("no plan `{id}`")))
    }
}

/// `DELETE /api/v1/plans/{id}`.
pub async fn delete(
    who: Caller,
    id: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    db(&state, move |store| {
        request::owns(store, &id, &who.organisation)?;
        found_plan(store.delete_plan(&id)?, &id)
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// `GET /api/v1/plans/{id}/tours/{index}` (coordinators): one tour as its
/// driver sees it.
pub async fn tour(
    who: Caller,
    path: web::Path<(String, usize)>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let (id, index) = path.into_inner();
    let body = db(&state, move |store| {
        request::owns(store, &id, &who.organisation)?;
        let view = store.tour_view(&id, index)?.ok_or_else(|| {
            ApiError::not_found(format!("no plan `{id}`, or it has no tour {index}"))
        })?;
        let statuses =
            serde_json::to_value(store.stop_statuses(&id, index)?).map_err(ApiError::internal)?;
        Ok(views::with_statuses(&view, &statuses))
    })
    .await?;
    Ok(HttpResponse::Ok()
        .content_type("application/json")
        .body(body))
}

/// Every stop status of plan `id`, with its tour's index and request.
pub fn reported(
    store: &dyn crate::server::store::Store,
    id: &str,
    organisation: &str,
) -> Result<Vec<(usize, String, crate::server::store::StopStatus)>, ApiError> {
    let (_, plan) = stored(store, id, organisation)?;
    Ok(store
        .plan_statuses(id)?
        .into_iter()
        .filter_map(|(tour, s)| {
            let job = plan
                .tours
                .get(tour)?
                .stops
                .get(s.stop.checked_sub(1)?)?
                .job
                .clone();
            Some((tour, job, s))
        })
        .collect())
}

/// `GET /api/v1/plans/{id}/statuses`: what the drivers reported so far.
pub async fn statuses(
    who: Caller,
    id: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let list = db(&state, move |store| reported(store, &id, &who.organisation)).await?;
    let statuses: Vec<serde_json::Value> = list
        .into_iter()
        .map(|(tour, request, s)| {
            let mut v = serde_json::to_value(&s).unwrap_or_default();
            v["tour"] = tour.into();
            v["request"] = request.into();
            v
        })
        .collect();
    Ok(HttpResponse::Ok()
        .insert_header((actix_web::http::header::CACHE_CONTROL, "no-store"))
        .json(serde_json::json!({ "statuses": statuses })))
}

/// `POST /api/v1/plans/{id}/share`: new share links for every tour (the old
/// ones stop working); `DELETE`: revoke them all.
pub async fn renew_share(
    who: Caller,
    id: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let (id, days) = (id.into_inner(), state.config.token_days);
    let (s, plan) = db(&state, move |store| {
        request::owns(store, &id, &who.organisation)?;
        let found = store.reshare(&id, Some(&token_expiry(days)))?;
        found_plan(found, &id)?;
        stored(store, &id, &who.organisation)
    })
    .await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(json!({ "share": links(&s, &plan) })))
}

/// `DELETE /api/v1/plans/{id}/share`.
pub async fn revoke_share(
    who: Caller,
    id: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    db(&state, move |store| {
        request::owns(store, &id, &who.organisation)?;
        found_plan(store.reshare(&id, None)?, &id)
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// `POST /api/v1/plans`: store a plan computed elsewhere (e.g. by
/// `tournee solve`) with its problem, to share its tours.
pub async fn create(
    who: Caller,
    JsonBody(text): JsonBody,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Upload {
        problem: Value,
        plan: Plan,
    }
    // Checking a plan needs its travel figures: heavy work, admitted.
    let _ticket = request::admit(&state, &who)?;
    let _preparing = state.jobs.preparing().await;
    let st = state.clone();
    let (p, problem_json, plan) = web::block(move || {
        let up: Upload = request::json_body(&text)?;
        let problem_json = up.problem.to_string();
        let p = request::validated(&problem_json, &st, None).map_err(|mut e| {
            e.field = Some(format!("problem.{}", e.field.unwrap_or_default()));
            e
        })?;
        Ok::<_, ApiError>((p, problem_json, up.plan))
    })
    .await??;
    let travel = crate::routing::travel(&p, state.config.matrix_cache.as_deref())
        .await
        .map_err(|e| ApiError::field("problem.routing", routing_message(&p, &e)))?;
    let (store, days) = (state.store.clone(), state.config.token_days);
    let id = web::block(move || {
        // The plan is checked against the problem as given (with its stock).
        let errors = crate::check::check_with(&p, &plan, &travel);
        if !errors.is_empty() {
            return Err(ApiError::field(
                "plan",
                format!(
                    "not a feasible plan for this problem: {}",
                    errors.join("; ")
                ),
            ));
        }
        store_plan(&*store, &p, &problem_json, &plan, &who.owner(), days, None)
            .map_err(ApiError::internal)
    })
    .await??;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/plans/{id}")))
        .json(json!({ "id": id })))
}
