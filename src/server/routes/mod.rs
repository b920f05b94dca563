//! The routes of `tournee serve`, one file per resource. Each path is one
//! resource: a method it does not serve answers 405 with `Allow`, and every
//! extractor's mistake (path, query) answers the API's JSON error.

pub mod geocode;
pub mod imports;
pub mod insertions;
pub mod planning;
pub mod plans;
pub mod proofs;
pub mod reports;
pub mod setup;
pub mod tours;

use actix_web::web::{self, delete, get, post, put};
use actix_web::Resource;

use super::error::ApiError;
use super::{openapi, AppState};

/// A resource whose other methods answer 405 with `allow` listed.
fn resource(path: &str, allow: &'static str) -> Resource {
    web::resource(path).default_service(web::to(move || async move {
        Err::<actix_web::HttpResponse, _>(ApiError::method_not_allowed(allow))
    }))
}

/// Registers the routes; the OpenAPI document lists the same ones.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("/healthz", "GET").route(get().to(healthz)))
        .service(resource("/api/openapi.json", "GET").route(get().to(openapi::document)))
        .service(resource("/api/docs", "GET").route(get().to(openapi::page)))
        .service(resource("/api/v1/web-config", "GET").route(get().to(web_config)))
        .service(resource("/api/v1/solve", "POST").route(post().to(planning::solve)))
        .service(resource("/api/v1/allocate", "POST").route(post().to(planning::allocate)))
        .service(resource("/api/v1/jobs", "POST").route(post().to(planning::create_job)))
        .service(resource("/api/v1/imports", "POST").route(post().to(imports::create)))
        .service(resource("/api/v1/geocode", "GET").route(get().to(geocode::lookup)))
        .service(
            resource("/api/v1/jobs/{id}", "GET, DELETE")
                .route(get().to(planning::get_job))
                .route(delete().to(planning::cancel_job)),
        )
        .service(resource("/api/v1/jobs/{id}/events", "GET").route(get().to(planning::job_events)))
        .service(resource("/api/v1/jobs/{id}/result", "GET").route(get().to(planning::job_result)))
        .service(
            resource("/api/v1/plans", "GET, POST")
                .route(get().to(plans::list))
                .route(post().to(plans::create)),
        )
        .service(
            resource("/api/v1/plans/{id}", "GET, DELETE")
                .route(get().to(plans::get))
                .route(delete().to(plans::delete)),
        )
        .service(resource("/api/v1/plans/{id}/problem", "GET").route(get().to(plans::problem)))
        .service(resource("/api/v1/plans/{id}/plan", "GET").route(get().to(plans::plan_document)))
        .service(resource("/api/v1/plans/{id}/geojson", "GET").route(get().to(plans::geojson)))
        .service(resource("/api/v1/plans/{id}/report", "GET").route(get().to(reports::plan_report)))
        .service(resource("/api/v1/plans/{id}/stops.csv", "GET").route(get().to(plans::stops_csv)))
        .service(resource("/api/v1/plans/{id}/tours/{index}", "GET").route(get().to(plans::tour)))
        .service(resource("/api/v1/plans/{id}/statuses", "GET").route(get().to(plans::statuses)))
        .service(
            resource("/api/v1/plans/{id}/insertions", "POST").route(post().to(insertions::create)),
        )
        .service(
            resource("/api/v1/plans/{id}/share", "POST, DELETE")
                .route(post().to(plans::renew_share))
                .route(delete().to(plans::revoke_share)),
        )
        .service(resource("/api/v1/reports", "GET").route(get().to(reports::period_report)))
        .service(
            resource("/api/v1/setup", "GET, PUT")
                .route(get().to(setup::get))
                .route(put().to(setup::put)),
        )
        .service(resource("/api/v1/setup/presets", "GET").route(get().to(setup::presets)))
        .service(resource("/api/v1/setup/week", "GET").route(get().to(setup::week)))
        .service(resource("/api/v1/tours/{token}", "GET").route(get().to(tours::get)))
        .service(resource("/api/v1/tours/{token}/gpx", "GET").route(get().to(tours::gpx)))
        .service(
            resource("/api/v1/tours/{token}/stops/{stop}", "PUT").route(put().to(tours::put_stop)),
        )
        .service(
            resource("/api/v1/tours/{token}/stops/{stop}/{kind}", "PUT")
                .route(put().to(proofs::put)),
        )
        .service(
            resource(
                "/api/v1/plans/{id}/tours/{index}/stops/{stop}/{kind}",
                "GET",
            )
            .route(get().to(proofs::get)),
        );
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
