//! The routes of `tournee serve`, one file per resource. Each path is one
//! resource: a method it does not serve answers 405 with `Allow`, and every
//! extractor's mistake (path, query) answers the API's JSON error.

mod docs;
pub mod geocode;
pub mod imports;
pub mod insertions;
pub mod planning;
pub mod plans;
pub mod proofs;
pub mod reports;
pub mod setup;
mod table;
pub mod tours;

use actix_web::http::Method;
use actix_web::web;

use super::error::ApiError;
use super::AppState;
pub use table::OPERATIONS;

/// Registers every route of [`OPERATIONS`], one resource per path: a
/// method the table does not list for a path answers 405 with `Allow`.
pub fn configure(cfg: &mut web::ServiceConfig) {
    let mut paths: Vec<&'static str> = Vec::new();
    for op in OPERATIONS {
        if !paths.contains(&op.path) {
            paths.push(op.path);
        }
    }
    for path in paths {
        let ops: Vec<_> = OPERATIONS.iter().filter(|op| op.path == path).collect();
        let allow: Vec<String> = ops.iter().map(|op| op.method.to_uppercase()).collect();
        let allow = allow.join(", ");
        let mut resource = web::resource(path).default_service(web::to(move || {
            let allow = allow.clone();
            async move { Err::<actix_web::HttpResponse, _>(ApiError::method_not_allowed(allow)) }
        }));
        for op in ops {
            let method = Method::from_bytes(op.method.to_uppercase().as_bytes());
            if let Ok(method) = method {
                resource = resource.route((op.handler)().method(method));
            }
        }
        cfg.service(resource);
    }
}

async fn healthz() -> actix_web::HttpResponse {
    actix_web::HttpResponse::Ok().json(serde_json::json!({ "status": "ok" }))
}

/// `GET /api/v1/web-config`: what the web pages need to know of the
/// server's settings (no key needed: it holds no data), and whether the
/// caller's organisation saved its set-up (the board opens on it
/// otherwise; false for a call without a coordinator's or manager's key).
async fn web_config(
    who: Option<super::request::Caller>,
    state: web::Data<AppState>,
) -> Result<actix_web::HttpResponse, ApiError> {
    let setup = match who {
        Some(who) => {
            super::request::db(&state, move |store| {
                Ok(store.get_setup(&who.organisation)?.is_some())
            })
            .await?
        }
        None => false,
    };
    let tiles = &state.config.tile_url;
    Ok(actix_web::HttpResponse::Ok().json(serde_json::json!({
        "tile_url": tiles,
        "tile_attribution": if tiles.contains("openstreetmap.org") {
            "© OpenStreetMap contributors"
        } else {
            ""
        },
        "api_key_required": state.config.keyed(),
        "geocoder": state.geocoder.is_some(),
        "setup": setup,
    })))
}
