//! "Where does this late request fit?": a stored plan and one new request,
//! answered with the cheapest few places (`insert.rs`); with `?apply=K` the
//! plan with suggestion K is stored as a new plan (its drivers' links new),
//! every other tour as it was.

use actix_web::{web, HttpResponse};
use serde::Deserialize;
use serde_json::json;

use crate::input::FieldError;
use crate::model::Request;
use crate::server::error::ApiError;
use crate::server::jobs::store_plan;
use crate::server::request::{self, json_body, stored, Caller, JsonBody};
use crate::server::AppState;

/// The late request.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Insertion {
    /// `pickup` (default) or `order`.
    #[serde(default)]
    pub kind: Option<String>,
    pub request: Request,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InsertionQuery {
    /// Store the plan with this suggestion (0 = the first).
    pub apply: Option<usize>,
}

/// `POST /api/v1/plans/{id}/insertions`.
pub async fn create(
    who: Caller,
    id: web::Path<String>,
    query: web::Query<InsertionQuery>,
    JsonBody(text): JsonBody,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let body: Insertion = json_body(&text)?;
    let order = match body.kind.as_deref() {
        None | Some("pickup") => false,
        Some("order") => true,
        Some(_) => return Err(ApiError::field("kind", "`pickup` or `order`")),
    };
    let _ticket = request::admit(&state, &who)?;
    let store = state.store.clone();
    let organisation = who.organisation.clone();
    let (stored_plan, plan) = web::block(move || stored(&*store, &id, &organisation)).await??;
    let problem = crate::input::read(&stored_plan.problem).map_err(ApiError::invalid)?;
    let new_id = body.request.id.clone();
    let p = crate::insert::with_request(&problem, body.request, order);
    // The request's mistakes, on its own paths.
    let list = if order { "orders" } else { "pickups" };
    let at = format!(
        "{list}[{}]",
        if order {
            p.orders.len()
        } else {
            p.pickups.len()
        } - 1
    );
    let errors: Vec<FieldError> = crate::input::validate(&p)
        .into_iter()
        .filter(|e| e.field.starts_with(&at))
        .map(|e| FieldError::new(e.field.replacen(&at, "request", 1), e.message))
        .collect();
    if !errors.is_empty() {
        return Err(ApiError::invalid(errors));
    }
    // As the plan was made: the stock shared out the same way.
    let (p, _) = crate::allocate::prepare(p).map_err(|e| ApiError::field("request", e))?;
    let travel = crate::routing::travel(&p, state.config.matrix_cache.as_deref())
        .await
        .map_err(|e| ApiError::bad_gateway(format!("the road server could not be asked: {e}")))?;
    let (suggestions, p) =
        web::block(move || (crate::insert::suggest(&p, &plan, &new_id, &travel), p))
            .await
            .map_err(ApiError::internal)?;
    let Some(k) = query.apply else {
        return Ok(HttpResponse::Ok().json(json!({ "suggestions": suggestions })));
    };
    let Some(chosen) = suggestions.get(k).cloned() else {
        return Err(ApiError::field(
            "query.apply",
            format!("there are {} suggestions", suggestions.len()),
        ));
    };
    let problem_json = serde_json::to_string(&p).map_err(ApiError::internal)?;
    let (store, days, by) = (state.store.clone(), state.config.token_days, who.owner());
    let plan_id =
        web::block(move || store_plan(&*store, &p, &problem_json, &chosen.plan, &by, days, None))
            .await
            .map_err(ApiError::internal)?
            .map_err(ApiError::internal)?;
    Ok(HttpResponse::Created().json(json!({ "plan_id": plan_id, "suggestion": suggestions[k] })))
}
