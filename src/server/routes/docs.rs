//! `GET /api/openapi.json` and `GET /api/docs`: the API described from the
//! same table the server registers its routes from.

use actix_web::{web, HttpResponse};
use serde_json::{json, Value};

use super::OPERATIONS;
use crate::server::{openapi, AppState};

/// The document as this server runs: without API keys (local mode) no
/// operation asks for one.
pub async fn document(state: web::Data<AppState>) -> HttpResponse {
    let mut doc = openapi::build(OPERATIONS);
    if !state.config.keyed() {
        if let Some(paths) = doc["paths"].as_object_mut() {
            for op in paths.values_mut().filter_map(Value::as_object_mut) {
                for o in op.values_mut() {
                    o["security"] = json!([]);
                }
            }
        }
    }
    HttpResponse::Ok().json(doc)
}

/// A readable page of every operation.
pub async fn page() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(openapi::page(OPERATIONS))
}
