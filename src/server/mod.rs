//! `tournee serve`: the HTTP API (actix-web) over a store (SQLite by default).
//!
//! Coordinators' tools and pages call `/api/v1` with an API key; drivers open
//! one tour with its share token. Solving runs on the blocking pool, behind a
//! bounded queue, so the server keeps answering while it plans.

pub mod api;
pub mod error;
pub mod jobs;
pub mod openapi;
pub mod store;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use actix_web::dev::Service;
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::{web, App, HttpResponse, HttpServer};
use tracing::Instrument;

use error::ApiError;
use jobs::Jobs;
use store::{Sqlite, Store};

/// Everything the operator can set, from flags or environment variables.
#[derive(Clone, Debug, clap::Args)]
pub struct Config {
    /// Address to listen on (port 0 picks a free port).
    #[arg(long, env = "TOURNEE_ADDR", default_value = "127.0.0.1:8080")]
    pub addr: String,
    /// SQLite file for plans, jobs and stop statuses (created if missing).
    #[arg(long, env = "TOURNEE_DB", default_value = "tournee.db")]
    pub db: PathBuf,
    /// API keys as `name:key` pairs, comma-separated. None: local
    /// single-user mode, every call allowed.
    #[arg(long, env = "TOURNEE_API_KEYS", value_parser = api_key, value_delimiter = ',')]
    pub api_keys: Vec<(String, String)>,
    /// Largest request body, in bytes.
    #[arg(long, env = "TOURNEE_MAX_BODY_BYTES", default_value_t = 8 << 20)]
    pub max_body_bytes: usize,
    /// Most pickups + orders in one problem.
    #[arg(long, env = "TOURNEE_MAX_REQUESTS", default_value_t = 2000)]
    pub max_requests: usize,
    /// Most vehicle shifts in one problem.
    #[arg(long, env = "TOURNEE_MAX_SHIFTS", default_value_t = 500)]
    pub max_shifts: usize,
    /// Solves running at once.
    #[arg(long, env = "TOURNEE_MAX_SOLVES", default_value_t = 2)]
    pub max_solves: usize,
    /// Solves waiting for a slot; beyond, requests get 503 with Retry-After.
    #[arg(long, env = "TOURNEE_QUEUE", default_value_t = 16)]
    pub queue: usize,
    /// Longest time limit `POST /api/v1/solve` accepts, in seconds.
    #[arg(long, env = "TOURNEE_SYNC_MAX_SECONDS", default_value_t = 30.0)]
    pub sync_max_seconds: f64,
    /// Search threads per solve.
    #[arg(long, env = "TOURNEE_SOLVE_THREADS", default_value_t = 1)]
    pub solve_threads: usize,
    /// Seconds suggested in Retry-After when the queue is full.
    #[arg(long, env = "TOURNEE_RETRY_AFTER", default_value_t = 5)]
    pub retry_after_s: u64,
    /// Folder where road matrices are kept, so that re-planning the same
    /// places does not query the road server again.
    #[arg(long, env = "TOURNEE_MATRIX_CACHE")]
    pub matrix_cache: Option<PathBuf>,
    /// HTTP worker threads.
    #[arg(long, env = "TOURNEE_WORKERS", default_value_t = 2)]
    pub workers: usize,
    /// Folder of the web pages (`public/`, and `node_modules/` as installed
    /// by `npm ci`).
    #[arg(long, env = "TOURNEE_WEB_DIR", default_value = concat!(env!("CARGO_MANIFEST_DIR"), "/web"))]
    pub web_dir: PathBuf,
    /// Base-map tiles for the pages' maps (`{z}/{x}/{y}` template); empty:
    /// no base map, the tours drawn on a blank background.
    #[arg(
        long,
        env = "TOURNEE_TILE_URL",
        default_value = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
    )]
    pub tile_url: String,
}

fn api_key(s: &str) -> Result<(String, String), String> {
    match s.split_once(':') {
        Some((name, key)) if !name.is_empty() && key.len() >= 16 => {
            Ok((name.trim().to_string(), key.trim().to_string()))
        }
        _ => Err("an API key is `name:key` with a key of at least 16 characters".into()),
    }
}

/// What every handler shares.
pub struct AppState {
    pub config: Config,
    pub store: Arc<dyn Store>,
    pub jobs: Arc<Jobs>,
}

/// A random 128-bit token, as 32 hexadecimal digits (share links, ids).
pub fn token() -> String {
    let mut bytes = [0u8; 16];
    // Without an entropy source no token is safe to hand out.
    if let Err(e) = getrandom::fill(&mut bytes) {
        panic!("no system randomness for tokens: {e}");
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A short id for a request, to find its log lines: process id and counter.
fn request_id() -> String {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    format!("{:x}-{n}", std::process::id())
}

/// The current UTC time, RFC 3339.
pub fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// Registers the routes; the OpenAPI document lists the same ones.
pub fn routes(cfg: &mut web::ServiceConfig) {
    use actix_web::web::{delete, get, post, put};
    cfg.route("/healthz", get().to(api::healthz))
        .route("/api/openapi.json", get().to(openapi::document))
        .route("/api/docs", get().to(openapi::page))
        .route("/api/v1/web-config", get().to(api::web_config))
        .route("/api/v1/solve", post().to(api::solve))
        .route("/api/v1/allocate", post().to(api::allocate))
        .route("/api/v1/jobs", post().to(api::create_job))
        .route("/api/v1/jobs/{id}", get().to(api::get_job))
        .route("/api/v1/jobs/{id}", delete().to(api::cancel_job))
        .route("/api/v1/jobs/{id}/events", get().to(api::job_events))
        .route("/api/v1/jobs/{id}/result", get().to(api::job_result))
        .route("/api/v1/plans", get().to(api::list_plans))
        .route("/api/v1/plans", post().to(api::create_plan))
        .route("/api/v1/plans/{id}", get().to(api::get_plan))
        .route("/api/v1/plans/{id}", delete().to(api::delete_plan))
        .route(
            "/api/v1/plans/{id}/problem",
            get().to(api::get_plan_problem),
        )
        .route(
            "/api/v1/plans/{id}/geojson",
            get().to(api::get_plan_geojson),
        )
        .route("/api/v1/plans/{id}/report", get().to(api::get_plan_report))
        .route(
            "/api/v1/plans/{id}/stops.csv",
            get().to(api::get_plan_stops_csv),
        )
        .route("/api/v1/reports", get().to(api::period_report))
        .route(
            "/api/v1/plans/{id}/tours/{index}",
            get().to(api::get_plan_tour),
        )
        .route("/api/v1/tours/{token}", get().to(api::get_shared_tour))
        .route(
            "/api/v1/tours/{token}/gpx",
            get().to(api::get_shared_tour_gpx),
        )
        .route(
            "/api/v1/tours/{token}/stops/{stop}",
            put().to(api::put_stop_status),
        );
}

/// The web pages and the front-end libraries npm installed, as files. The
/// pages only talk to the API, like any other client.
fn pages(cfg: &mut web::ServiceConfig, dir: &std::path::Path) {
    let modules = dir.join("node_modules");
    cfg.service(actix_files::Files::new(
        "/vendor/leaflet",
        modules.join("leaflet/dist"),
    ))
    .service(actix_files::Files::new(
        "/vendor/qrcode",
        modules.join("qrcode-generator"),
    ))
    .service(
        actix_files::Files::new("/", dir.join("public"))
            .index_file("index.html")
            .default_handler(web::to(no_route)),
    );
}

/// Answers unknown routes and malformed paths in the API's error shape.
async fn no_route() -> Result<HttpResponse, ApiError> {
    Err(ApiError::not_found("no such route; see /api/docs"))
}

/// Logs to stderr; `RUST_LOG` sets the level (default `info`).
fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .try_init();
}

/// Opens the store and serves until stopped. Prints `listening on URL` on
/// stdout once the socket is bound.
pub fn serve(config: Config) -> Result<(), String> {
    init_logging();
    let store: Arc<dyn Store> =
        Arc::new(Sqlite::open(&config.db).map_err(|e| format!("{}: {e}", config.db.display()))?);
    if config.api_keys.is_empty() {
        tracing::warn!("no API key configured: local single-user mode, every call is allowed");
    } else {
        tracing::info!(keys = config.api_keys.len(), "API keys required");
    }
    let state = web::Data::new(AppState {
        jobs: Arc::new(Jobs::new(
            config.max_solves.max(1),
            config.queue,
            config.solve_threads.max(1),
            config.matrix_cache.clone(),
        )),
        store,
        config: config.clone(),
    });
    let web_dir = config.web_dir.clone();
    if !web_dir.join("node_modules/leaflet").is_dir() {
        tracing::warn!(dir = %web_dir.display(), "web pages' libraries missing: run `npm ci` in web/ (scripts/setup-web.sh)");
    }
    actix_web::rt::System::new().block_on(async move {
        let server = HttpServer::new(move || {
            App::new()
                .app_data(state.clone())
                .app_data(
                    web::PathConfig::default()
                        .error_handler(|e, _| ApiError::field("path", e.to_string()).into()),
                )
                .wrap_fn(|req, srv| {
                    let id = request_id();
                    let span = tracing::info_span!("request", id = %id);
                    let (method, path) = (req.method().clone(), req.path().to_string());
                    let started = Instant::now();
                    let fut = srv.call(req);
                    async move {
                        let mut res = fut.await?;
                        if let Ok(v) = HeaderValue::from_str(&id) {
                            res.headers_mut()
                                .insert(HeaderName::from_static("x-request-id"), v);
                        }
                        tracing::info!(
                            %method,
                            %path,
                            status = res.status().as_u16(),
                            ms = started.elapsed().as_millis() as u64,
                        );
                        Ok(res)
                    }
                    .instrument(span)
                })
                .configure(routes)
                .configure(|cfg| pages(cfg, &web_dir))
                .default_service(web::to(no_route))
        })
        .workers(config.workers.max(1))
        .bind(&config.addr)
        .map_err(|e| format!("cannot listen on {}: {e}", config.addr))?;
        for addr in server.addrs() {
            println!("listening on http://{addr}");
        }
        use std::io::Write;
        let _ = std::io::stdout().flush();
        server.run().await.map_err(|e| e.to_string())
    })
}
