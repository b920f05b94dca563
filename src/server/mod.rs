//! `tournee serve`: the HTTP API (actix-web) over a store (SQLite by default).
//!
//! Coordinators' tools and pages call `/api/v1` with an API key; drivers open
//! one tour with its share token. Solving runs on the blocking pool, behind a
//! bounded queue, so the server keeps answering while it plans.

pub mod backends;
pub mod cluster;
mod embedded;
pub mod error;
pub mod guard;
pub mod jobs;
pub mod keys;
pub mod openapi;
pub mod request;
pub mod routes;
pub mod status;
pub mod store;
pub mod views;

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
    /// Where plans, jobs and stop statuses are kept: a SQLite file (created
    /// if missing), or a PostgreSQL database as
    /// `postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE` for a deployment a
    /// network shares.
    #[arg(long, env = "TOURNEE_DB", default_value = "tournee.db")]
    pub db: PathBuf,
    /// API keys as `name:key` pairs, comma-separated. None: local
    /// single-user mode, every call allowed.
    #[arg(long, env = "TOURNEE_API_KEYS", value_parser = api_key, value_delimiter = ',')]
    pub api_keys: Vec<(String, String)>,
    /// Keys file for a network of organisations: CSV with the header
    /// `organisation,role,name,key` (role coordinator, manager or network;
    /// the key as is or as `sha256:HEX`), read again when it changes.
    #[arg(long, env = "TOURNEE_KEYS")]
    pub keys: Option<PathBuf>,
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
    /// Longest time limit any solve may ask for, in seconds.
    #[arg(long, env = "TOURNEE_MAX_TIME_LIMIT", default_value_t = 600.0)]
    pub max_time_limit_s: f64,
    /// Solves one API key may have queued or running at once; beyond,
    /// requests get 429 with Retry-After.
    #[arg(long, env = "TOURNEE_MAX_JOBS_PER_KEY", default_value_t = 4)]
    pub max_jobs_per_key: usize,
    /// Seconds a client has to send its whole request body (408 beyond).
    #[arg(long, env = "TOURNEE_BODY_TIMEOUT", default_value_t = 30)]
    pub body_timeout_s: u64,
    /// Open connections per HTTP worker; beyond, new ones wait. Each holds
    /// two file descriptors (the socket, and the handle that notices a
    /// client hanging up).
    #[arg(long, env = "TOURNEE_MAX_CONNECTIONS", default_value_t = 200)]
    pub max_connections: usize,
    /// Days a driver's share link stays valid after its plan is stored.
    #[arg(long, env = "TOURNEE_TOKEN_DAYS", default_value_t = 60)]
    pub token_days: u32,
    /// Road servers problems may name (`routing.osrm.server`), as
    /// `NAME=URL`, comma-separated or repeated.
    #[arg(long = "osrm", env = "TOURNEE_OSRM", value_parser = backends::road_server, value_delimiter = ',')]
    pub road_servers: Vec<(String, String)>,
    /// The geocoder that places addresses given without coordinates:
    /// `addok=URL` (the French national address base's protocol) or
    /// `nominatim=URL`. None: such rows are refused.
    #[arg(long, env = "TOURNEE_GEOCODER", value_parser = crate::geocode::settings)]
    pub geocoder: Option<crate::geocode::Settings>,
    /// Longest wait for one answer of the geocoder, seconds.
    #[arg(long, env = "TOURNEE_GEOCODER_TIMEOUT", default_value_t = 10.0)]
    pub geocoder_timeout_s: f64,
    /// Most requests a second sent to the geocoder (its service's rule).
    /// Default: no limit for addok, 1 for Nominatim (the OpenStreetMap
    /// Foundation's rule for its public service).
    #[arg(long, env = "TOURNEE_GEOCODER_RATE")]
    pub geocoder_rate: Option<f64>,
    /// Longest wait for one answer of a road server, seconds.
    #[arg(long, env = "TOURNEE_OSRM_TIMEOUT", default_value_t = 30.0)]
    pub osrm_timeout_s: f64,
    /// Host names a server without API keys answers to, besides localhost
    /// (comma-separated).
    #[arg(
        long = "allowed-host",
        env = "TOURNEE_ALLOWED_HOSTS",
        value_delimiter = ','
    )]
    pub allowed_hosts: Vec<String>,
    /// Search threads per solve.
    #[arg(long, env = "TOURNEE_SOLVE_THREADS", default_value_t = 1)]
    pub solve_threads: usize,
    /// With a PostgreSQL `--db`, seconds a server holds a job without
    /// renewing it: after a server dies, another takes its jobs over once
    /// this has run out (2 to 600).
    #[arg(long, env = "TOURNEE_JOB_LEASE", default_value_t = 30.0)]
    pub job_lease: f64,
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
    /// Serve the web pages from this folder (a development copy: its
    /// `public/` and `vendor/`) instead of those built into the binary.
    #[arg(long, env = "TOURNEE_WEB_DIR")]
    pub web_dir: Option<PathBuf>,
    /// Base-map tiles for the pages' maps (`{z}/{x}/{y}` template); empty:
    /// no base map, the tours drawn on a blank background.
    #[arg(
        long,
        env = "TOURNEE_TILE_URL",
        default_value = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
    )]
    pub tile_url: String,
}

impl Config {
    /// Whether calls need a key (else: the local single-user mode).
    pub fn keyed(&self) -> bool {
        !self.api_keys.is_empty() || self.keys.is_some()
    }

    /// The road servers problems may name, with the operator's bounds.
    pub fn road_servers(&self) -> backends::RoadServers<'_> {
        backends::RoadServers {
            servers: &self.road_servers,
            timeout_s: self.osrm_timeout_s,
        }
    }
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
    /// Who may call, and as which organisation and role.
    pub keys: keys::Keys,
    pub store: Arc<dyn Store>,
    pub jobs: Arc<Jobs>,
    /// The operator's geocoder, if one is configured.
    pub geocoder: Option<Arc<crate::geocode::Geocoder>>,
}

/// Geocoders' answers kept in the store: an address is asked once.
struct GeocodeCache(Arc<dyn Store>);

impl crate::geocode::Cache for GeocodeCache {
    fn get(&self, query: &str) -> Option<Vec<crate::geocode::Candidate>> {
        let answer = self.0.get_geocode(query).ok()??;
        serde_json::from_str(&answer).ok()
    }

    fn put(&self, query: &str, candidates: &[crate::geocode::Candidate]) {
        let Ok(answer) = serde_json::to_string(candidates) else {
            return;
        };
        if let Err(e) = self.0.put_geocode(query, &answer, &now()) {
            tracing::warn!("geocoding cache: {e}");
        }
    }
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

/// The web pages and the front-end libraries npm installed, as files. The
/// pages only talk to the API, like any other client.
/// The web pages: built into the binary, or from `dir` (a development
/// copy, read from disk at each request).
fn pages(cfg: &mut web::ServiceConfig, dir: Option<&std::path::Path>) {
    let Some(dir) = dir else {
        cfg.service(web::resource("/{tail:.*}").to(embedded::serve));
        return;
    };
    cfg.service(actix_files::Files::new("/vendor", dir.join("vendor")))
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

/// The field and reason of a query-string mistake (`?reuse_rate=x`).
fn query_error(e: &actix_web::error::QueryPayloadError) -> (String, String) {
    let text = e.to_string();
    // serde_urlencoded names the field in its message, e.g. "unknown field
    // `x`, expected ..." or "invalid digit found in string".
    let field = text
        .split('`')
        .nth(1)
        .filter(|_| text.contains("field"))
        .map_or("query".to_string(), |f| format!("query.{f}"));
    (field, text)
}

/// Starts again, once, the jobs a stop of the server interrupted (kill -9,
/// a crash, a restart); a job interrupted twice is marked failed with the
/// reason. (On a shared store, the jobs whose lease ran out are taken over
/// by `cluster` instead: another live server may be running the others.)
async fn resume_jobs(state: &web::Data<AppState>) {
    if state.store.shared() {
        return;
    }
    let found = match state.store.interrupted_jobs() {
        Ok(found) => found,
        Err(e) => {
            tracing::error!("cannot read the interrupted jobs: {e}");
            return;
        }
    };
    for (record, input, restarts) in found {
        restart(state, record, input, restarts);
    }
}

/// Runs again a job whose server stopped before it finished (`restarts`:
/// how many times it was started again before), unless it was cancelled,
/// already started again once, or is refused now.
pub(crate) fn restart(
    state: &web::Data<AppState>,
    record: store::JobRecord,
    input: store::JobInput,
    restarts: u32,
) {
    let id = record.id.clone();
    let put = |r: &store::JobRecord| {
        if let Err(e) = state.store.put_job(r, None) {
            tracing::error!(job = %id, "cannot record job state: {e}");
        }
    };
    let fail = |why: &str| {
        let mut r = record.clone();
        r.state = status::JobState::Failed;
        r.error = Some(why.into());
        put(&r);
    };
    if record.state == status::JobState::Cancelled {
        put(&record);
        return;
    }
    if restarts >= 1 || input.problem.is_empty() {
        fail("the server stopped twice while planning this job; it was not started again");
        return;
    }
    let owner = store::Owner {
        organisation: record.organisation.clone(),
        name: record.created_by.clone(),
    };
    let Ok(ticket) = state.jobs.admit(&owner.id()) else {
        fail("the server stopped before the job finished, and its queue was full at restart");
        return;
    };
    let prepared = request::prepare(
        &input.problem,
        input.previous.as_deref(),
        state,
        None,
        &record.organisation,
    );
    let (problem, finish) = match prepared {
        Ok(p) => p,
        Err(e) => {
            fail(&format!(
                "the server stopped before the job finished; started again, it was refused: {}",
                e.message
            ));
            return;
        }
    };
    if !state.store.shared() {
        if let Err(e) = state.store.restart_job(&id) {
            tracing::error!(job = %id, "cannot count the restart: {e}");
        }
    }
    state.jobs.revive(record);
    tracing::info!(job = %id, "started again after its server stopped");
    actix_web::rt::spawn(state.jobs.clone().run(
        ticket,
        state.store.clone(),
        id,
        owner,
        (problem, finish),
        input.problem,
    ));
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

/// Opens the SQLite file or the PostgreSQL database `--db` names.
fn open_store(db: &std::path::Path) -> Result<Arc<dyn Store>, String> {
    if let Some(url) = db.to_str().filter(|d| store::is_postgres_url(d)) {
        let pg =
            store::Postgres::open(url).map_err(|e| format!("{}: {e}", store::redacted(url)))?;
        tracing::info!(db = %store::redacted(url), "store: PostgreSQL");
        return Ok(Arc::new(pg));
    }
    let sqlite = Sqlite::open(db).map_err(|e| format!("{}: {e}", db.display()))?;
    let filled = sqlite
        .backfill(|id, problem, plan| {
            let problem: crate::model::Problem = serde_json::from_str(problem).ok()?;
            let plan: crate::plan::Plan = serde_json::from_str(plan).ok()?;
            Some(jobs::tour_docs(id, &problem, &plan))
        })
        .map_err(|e| format!("{}: {e}", db.display()))?;
    if filled > 0 {
        tracing::info!(
            plans = filled,
            "stored the tour views of plans from an earlier version"
        );
    }
    Ok(Arc::new(sqlite))
}

/// Opens the store and serves until stopped. Prints `listening on URL` on
/// stdout once the socket is bound.
pub fn serve(config: Config) -> Result<(), String> {
    init_logging();
    let store = open_store(&config.db)?;

    let keys = keys::Keys::new(&config.api_keys, config.keys.as_deref())?;
    if keys.is_empty() {
        tracing::warn!("no API key configured: local single-user mode, every call is allowed");
    } else {
        tracing::info!("API keys required");
    }
    let geocoder = match &config.geocoder {
        None => None,
        Some(g) => {
            let mut settings = g.clone();
            settings.timeout =
                std::time::Duration::from_secs_f64(config.geocoder_timeout_s.clamp(0.1, 120.0));
            if let Some(rate) = config.geocoder_rate.filter(|r| r.is_finite() && *r > 0.0) {
                settings.min_interval =
                    std::time::Duration::from_secs_f64(1.0 / rate.clamp(0.01, 1000.0));
            }
            let cache: Arc<dyn crate::geocode::Cache> = Arc::new(GeocodeCache(store.clone()));
            let g =
                crate::geocode::Geocoder::new(settings, Some(cache)).map_err(|e| e.to_string())?;
            Some(Arc::new(g))
        }
    };
    let mut jobs = Jobs::new(
        config.max_solves.max(1),
        config.queue,
        config.max_jobs_per_key,
        config.solve_threads.max(1),
        config.matrix_cache.clone(),
        config.token_days,
    );
    if store.shared() {
        let lease = if config.job_lease.is_finite() {
            config.job_lease.clamp(2.0, 600.0)
        } else {
            30.0
        };
        let instance = format!("{}-{}", std::process::id(), &token()[..8]);
        tracing::info!(%instance, lease_s = lease, "jobs shared with the other servers of this database");
        jobs = jobs.shared_as(instance, lease);
    }
    let state = web::Data::new(AppState {
        geocoder,
        keys,
        jobs: Arc::new(jobs),
        store,
        config: config.clone(),
    });
    let web_dir = config.web_dir.clone();
    if let Some(dir) = web_dir
        .as_ref()
        .filter(|d| !d.join("public/index.html").is_file())
    {
        tracing::warn!(dir = %dir.display(), "--web-dir has no public/index.html: the pages will answer 404");
    }
    let secure = guard::headers(&config);
    actix_web::rt::System::new().block_on(async move {
        resume_jobs(&state).await;
        actix_web::rt::spawn(cluster::run(state.clone()));
        let server = HttpServer::new(move || {
            let (cfg, secure) = (state.config.clone(), secure.clone());
            App::new()
                .app_data(state.clone())
                .app_data(
                    web::PathConfig::default()
                        .error_handler(|e, _| ApiError::field("path", e.to_string()).into()),
                )
                .app_data(web::QueryConfig::default().error_handler(|e, _| {
                    let (field, why) = query_error(&e);
                    ApiError::field(&field, why).into()
                }))
                .wrap_fn(move |req, srv| {
                    let id = request_id();
                    let span = tracing::info_span!("request", id = %id);
                    let (method, path) = (req.method().clone(), guard::redacted(req.path()));
                    let started = Instant::now();
                    let refused = guard::check(req.request(), &cfg).err();
                    let fut = match refused {
                        None => futures_util::future::Either::Left(srv.call(req)),
                        Some(e) => {
                            let res = req.error_response(e);
                            futures_util::future::Either::Right(std::future::ready(Ok(res)))
                        }
                    };
                    let secure = secure.clone();
                    async move {
                        let mut res = fut.await?;
                        if let Ok(v) = HeaderValue::from_str(&id) {
                            res.headers_mut()
                                .insert(HeaderName::from_static("x-request-id"), v);
                        }
                        for (name, value) in &secure {
                            res.headers_mut().insert(name.clone(), value.clone());
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
                .configure(routes::configure)
                .configure(|cfg| pages(cfg, web_dir.as_deref()))
                .default_service(web::to(no_route))
        })
        .on_connect(request::keep_peer)
        .workers(config.workers.max(1))
        .max_connections(config.max_connections.max(1))
        .client_request_timeout(std::time::Duration::from_secs(10))
        .client_disconnect_timeout(std::time::Duration::from_secs(2))
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
