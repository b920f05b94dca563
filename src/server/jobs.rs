//! Planning jobs: admitted into a bounded queue, solved on the blocking pool
//! (never on the async workers), their progress broadcast to whoever watches,
//! their result stored as a plan.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use serde::Serialize;
use tokio::sync::{watch, OwnedSemaphorePermit, Semaphore};

use super::store::{JobInput, JobRecord, Owner, PlanMeta, Store, TourDoc};
use super::{now, token};
use crate::allocate::Allocation;
use crate::{convert, model, plan::Plan, routing};

/// A job as the API shows it.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct JobView {
    pub id: String,
    /// `queued`, `running`, `done`, `failed` or `cancelled`.
    pub state: String,
    pub created_at: String,
    pub progress: Progress,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub plan_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl JobView {
    pub fn is_over(&self) -> bool {
        matches!(self.state.as_str(), "done" | "failed" | "cancelled")
    }

    fn record(&self, owner: &Owner) -> JobRecord {
        JobRecord {
            id: self.id.clone(),
            state: self.state.clone(),
            created_at: self.created_at.clone(),
            created_by: owner.name.clone(),
            organisation: owner.organisation.clone(),
            plan_id: self.plan_id.clone(),
            error: self.error.clone(),
        }
    }

    /// A finished job known only from the store (e.g. after a restart).
    pub fn from_record(r: JobRecord) -> Self {
        JobView {
            id: r.id,
            state: r.state,
            created_at: r.created_at,
            progress: Progress::default(),
            plan_id: r.plan_id,
            error: r.error,
        }
    }
}

/// The search's progress: best objective so far, time spent, share of the
/// time limit used.
#[derive(Clone, Debug, Default, Serialize, serde::Deserialize, PartialEq)]
pub struct Progress {
    pub best_cost: Option<f64>,
    pub unassigned: Option<usize>,
    pub elapsed_s: f64,
    pub percent: f64,
    pub iterations: u64,
}

struct Live {
    view: watch::Sender<JobView>,
    cancel: Arc<AtomicBool>,
    /// Another server took the job over (its lease ran out here): this
    /// one stops it and records nothing more of it.
    lost: Arc<AtomicBool>,
}

/// The jobs under way, and the limits: solves running at once, solves
/// admitted (running + waiting), and solves admitted per API key.
pub struct Jobs {
    live: Mutex<HashMap<String, Live>>,
    admission: Arc<Semaphore>,
    running: Arc<Semaphore>,
    /// Preparations (parsing, allocation, sheets, checks) at once: heavy
    /// work outside the search, bounded like it.
    preparing: Arc<Semaphore>,
    per_key: Arc<Mutex<HashMap<String, usize>>>,
    max_per_key: usize,
    threads_per_solve: usize,
    /// Folder of road matrices already fetched.
    matrix_cache: Option<std::path::PathBuf>,
    /// Days the share links of the plans it stores stay valid.
    token_days: u32,
    /// On a store several servers share: this server's name, under which
    /// it holds its jobs.
    instance: Option<(String, f64)>,
}

/// A place in the queue, held (and released when dropped) from admission
/// to the end of the solve.
pub struct Ticket {
    _permit: OwnedSemaphorePermit,
    key: String,
    per_key: Arc<Mutex<HashMap<String, usize>>>,
}

impl Drop for Ticket {
    fn drop(&mut self) {
        let mut map = self.per_key.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(n) = map.get_mut(&self.key) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                map.remove(&self.key);
            }
        }
    }
}

/// Why a solve was not admitted.
#[derive(Debug, PartialEq)]
pub enum Refusal {
    /// Every solver slot and queue place is taken.
    Busy,
    /// The key already has this many solves admitted, its most.
    Quota(usize),
}

/// Why a solve ended without a plan: a message for the caller (the server
/// log has the details).
#[derive(Debug, PartialEq)]
pub enum SolveError {
    Invalid(Vec<crate::input::FieldError>),
    Cancelled,
    /// The road server failed; the message is fit for the caller.
    Routing(String),
    /// A fault of ours, for the log.
    Failed(String),
}

/// Sets its flag when dropped: a solve whose caller went away (the handler's
/// future is dropped when the client disconnects) stops searching.
pub struct CancelOnDrop(pub Arc<AtomicBool>);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

/// Waits until `flag` is set (polled: the search sets no waker).
async fn cancelled(flag: &AtomicBool) {
    while !flag.load(Ordering::Relaxed) {
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// What the caller may read of a routing failure: the road server's own
/// answer (and its address) stay in the server log.
pub fn routing_message(problem: &model::Problem, e: &routing::RoutingError) -> String {
    tracing::warn!("no travel figures: {e}");
    match e {
        routing::RoutingError::DepotUnroutable { .. } => e.to_string(),
        routing::RoutingError::Osrm(o) => {
            let name = problem
                .routing
                .osrm
                .as_ref()
                .map_or("", |s| s.server.as_str());
            let what = match o {
                routing::osrm::OsrmError::Unreachable(_) => "could not be reached",
                routing::osrm::OsrmError::Refused { .. } => "refused the request",
            };
            format!("the road server `{name}` {what}; the server log has the details")
        }
    }
}

/// Travel figures, unless `cancel` is set first (then `None`).
async fn travel_unless(
    problem: &model::Problem,
    cache: Option<&std::path::Path>,
    cancel: &AtomicBool,
) -> Option<Result<routing::Travel, routing::RoutingError>> {
    tokio::select! {
        t = routing::travel(problem, cache) => Some(t),
        _ = cancelled(cancel) => None,
    }
}

impl Jobs {
    pub fn new(
        concurrent: usize,
        queue: usize,
        max_per_key: usize,
        threads_per_solve: usize,
        matrix_cache: Option<std::path::PathBuf>,
        token_days: u32,
    ) -> Self {
        Jobs {
            token_days,
            matrix_cache,
            live: Mutex::new(HashMap::new()),
            admission: Arc::new(Semaphore::new(concurrent + queue)),
            running: Arc::new(Semaphore::new(concurrent)),
            preparing: Arc::new(Semaphore::new(concurrent)),
            per_key: Arc::new(Mutex::new(HashMap::new())),
            max_per_key: max_per_key.max(1),
            threads_per_solve,
            instance: None,
        }
    }

    /// Jobs held as `instance` under leases of `lease_s` seconds, on a
    /// store several servers share.
    pub fn shared_as(mut self, instance: String, lease_s: f64) -> Self {
        self.instance = Some((instance, lease_s));
        self
    }

    /// This server's name and lease on a shared store.
    pub fn instance(&self) -> Option<(&str, f64)> {
        self.instance.as_ref().map(|(i, l)| (i.as_str(), *l))
    }

    /// The unfinished jobs this server runs, each with its progress (JSON).
    pub fn held(&self) -> Vec<(String, String)> {
        self.lock()
            .iter()
            .filter(|(_, l)| !l.view.borrow().is_over() && !l.lost.load(Ordering::Relaxed))
            .map(|(id, l)| {
                let progress = serde_json::to_string(&l.view.borrow().progress);
                (id.clone(), progress.unwrap_or_default())
            })
            .collect()
    }

    /// Queue places free now.
    pub fn free_places(&self) -> usize {
        self.admission.available_permits()
    }

    /// Stops a job another server took over, without recording it.
    pub fn lose(&self, id: &str) {
        if let Some(live) = self.lock().get(id) {
            live.lost.store(true, Ordering::Relaxed);
            live.cancel.store(true, Ordering::Relaxed);
        }
    }

    /// A queue place for `key`'s solve, or why not.
    pub fn admit(&self, key: &str) -> Result<Ticket, Refusal> {
        let mut map = self.per_key.lock().unwrap_or_else(|e| e.into_inner());
        let mine = map.get(key).copied().unwrap_or(0);
        if mine >= self.max_per_key {
            return Err(Refusal::Quota(mine));
        }
        let permit = self
            .admission
            .clone()
            .try_acquire_owned()
            .map_err(|_| Refusal::Busy)?;
        map.insert(key.to_string(), mine + 1);
        Ok(Ticket {
            _permit: permit,
            key: key.to_string(),
            per_key: self.per_key.clone(),
        })
    }

    /// A place to prepare a solve (or read a sheet, check a plan), held
    /// while the work runs: as many at once as solves.
    pub async fn preparing(&self) -> Option<OwnedSemaphorePermit> {
        self.preparing.clone().acquire_owned().await.ok()
    }

    /// Solves `problem` once a solver slot is free, on the blocking pool;
    /// stops early when `cancel` is set (the caller left).
    pub async fn solve_now(
        &self,
        ticket: Ticket,
        problem: model::Problem,
        after: Finish,
        cancel: Arc<AtomicBool>,
    ) -> Result<Plan, SolveError> {
        let slot = tokio::select! {
            slot = self.running.clone().acquire_owned() => {
                slot.map_err(|e| SolveError::Failed(e.to_string()))?
            }
            _ = cancelled(&cancel) => return Err(SolveError::Cancelled),
        };
        let threads = self.threads_per_solve;
        let travel = travel_unless(&problem, self.matrix_cache.as_deref(), &cancel)
            .await
            .ok_or(SolveError::Cancelled)?
            .map_err(|e| SolveError::Routing(routing_message(&problem, &e)))?;
        let stop = cancel.clone();
        let promised = after.promised();
        // The slot and the queue place go with the search: a caller who
        // hangs up frees them only once the search has stopped.
        let (plan, problem, released) = tokio::task::spawn_blocking(move || {
            let _held = (slot, ticket);
            crate::replan::plan_keeping(problem, &promised, |p| {
                convert::plan(p, &travel, threads, Some(stop.clone()), |_| {})
            })
        })
        .await
        .map_err(|e| SolveError::Failed(e.to_string()))?
        .map_err(|e| match e {
            convert::PlanError::Invalid(errors) => SolveError::Invalid(errors),
            e => SolveError::Failed(e.to_string()),
        })?;
        // (The solve's slot is free again: drawing road paths needs none.)
        if cancel.load(Ordering::Relaxed) {
            return Err(SolveError::Cancelled);
        }
        let plan = with_roads(&problem, plan).await;
        Ok(after.apply(plan, &released))
    }

    /// Registers a queued job and returns its view.
    pub fn create(
        &self,
        store: &dyn Store,
        owner: &Owner,
        input: &JobInput,
    ) -> Result<JobView, String> {
        let view = JobView {
            id: token()[..16].to_string(),
            state: "queued".into(),
            created_at: now(),
            progress: Progress::default(),
            plan_id: None,
            error: None,
        };
        store
            .put_job(&view.record(owner), Some(input))
            .map_err(|e| e.to_string())?;
        if let Some((instance, lease)) = self.instance() {
            store
                .hold_job(&view.id, instance, lease)
                .map_err(|e| e.to_string())?;
        }
        self.register(&view);
        Ok(view)
    }

    /// Makes a job live again (one a crash interrupted), as queued.
    pub fn revive(&self, record: JobRecord) -> JobView {
        let mut view = JobView::from_record(record);
        view.state = "queued".into();
        view.error = None;
        self.register(&view);
        view
    }

    fn register(&self, view: &JobView) {
        let (tx, _) = watch::channel(view.clone());
        self.lock().insert(
            view.id.clone(),
            Live {
                view: tx,
                cancel: Arc::new(AtomicBool::new(false)),
                lost: Arc::new(AtomicBool::new(false)),
            },
        );
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Live>> {
        // A panic while holding this lock leaves the map usable.
        self.live.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The live view of a job under way (or finished since the start).
    pub fn view(&self, id: &str) -> Option<JobView> {
        self.lock().get(id).map(|l| l.view.borrow().clone())
    }

    /// A receiver that sees every change of a live job.
    pub fn watch(&self, id: &str) -> Option<watch::Receiver<JobView>> {
        self.lock().get(id).map(|l| l.view.subscribe())
    }

    /// Asks a job to stop; `false` when it is not live or already over.
    pub fn cancel(&self, id: &str) -> bool {
        let map = self.lock();
        let Some(live) = map.get(id) else {
            return false;
        };
        if live.view.borrow().is_over() {
            return false;
        }
        live.cancel.store(true, Ordering::Relaxed);
        true
    }

    /// Runs a created job to its end: waits for a solver slot, solves, stores
    /// the plan. Every state change is stored and broadcast.
    pub async fn run(
        self: Arc<Self>,
        ticket: Ticket,
        store: Arc<dyn Store>,
        id: String,
        owner: Owner,
        (problem, after): (model::Problem, Finish),
        problem_json: String,
    ) {
        let _ticket = ticket;
        let Some((tx, cancel, lost)) = self
            .lock()
            .get(&id)
            .map(|l| (l.view.clone(), l.cancel.clone(), l.lost.clone()))
        else {
            return;
        };
        let set = |f: &dyn Fn(&mut JobView)| {
            tx.send_modify(|v| f(v));
            if lost.load(Ordering::Relaxed) {
                return;
            }
            let record = tx.borrow().record(&owner);
            if let Err(e) = store.put_job(&record, None) {
                tracing::error!(job = %id, "cannot record job state: {e}");
            }
        };
        // Waiting for a slot ends when the job is cancelled, too.
        let slot = tokio::select! {
            slot = self.running.clone().acquire_owned() => slot,
            _ = cancelled(&cancel) => {
                set(&|v| v.state = "cancelled".into());
                return;
            }
        };
        let Ok(_slot) = slot else {
            set(&|v| v.state = "failed".into());
            return;
        };
        if cancel.load(Ordering::Relaxed) {
            set(&|v| v.state = "cancelled".into());
            return;
        }
        set(&|v| v.state = "running".into());
        let travel = match travel_unless(&problem, self.matrix_cache.as_deref(), &cancel).await {
            None => {
                set(&|v| v.state = "cancelled".into());
                tracing::info!(job = %id, "cancelled while the travel figures were fetched");
                return;
            }
            Some(Ok(t)) => t,
            Some(Err(e)) => {
                let message = routing_message(&problem, &e);
                set(&|v| {
                    v.state = "failed".into();
                    v.error = Some(message.clone());
                });
                return;
            }
        };
        tracing::info!(job = %id, travel = %travel.description, "solving");

        let threads = self.threads_per_solve;
        let progress_tx = tx.clone();
        let time_limit = problem.solver.time_limit_s;
        let (stop, stopped) = (cancel.clone(), cancel.clone());
        let (blocking_store, by) = (store.clone(), owner.clone());
        let promised = after.promised();
        let outcome = tokio::task::spawn_blocking(move || {
            let planned = crate::replan::plan_keeping(problem, &promised, |problem| {
                convert::plan(problem, &travel, threads, Some(stopped.clone()), |p| {
                    progress_tx.send_modify(|v| {
                        v.progress = Progress {
                            best_cost: Some(p.best_cost),
                            unassigned: Some(p.unassigned),
                            elapsed_s: p.elapsed.as_secs_f64(),
                            percent: (100.0 * p.fraction).min(100.0),
                            iterations: p.iteration,
                        }
                    })
                })
            })
            .map_err(|e| match e {
                // The caller's mistake, with its field path.
                convert::PlanError::Invalid(_) => e.to_string(),
                e => {
                    tracing::error!("the solver refused a validated problem: {e}");
                    "the planning failed on the server; its log has the details".to_string()
                }
            })?;
            if stop.load(Ordering::Relaxed) {
                return Err("cancelled".to_string());
            }
            Ok(planned)
        })
        .await;
        let outcome = match outcome {
            // A job cancelled at the last moment stores nothing.
            Ok(Ok(_)) if cancel.load(Ordering::Relaxed) => Ok(Err("cancelled".to_string())),
            // Taken over by another server meanwhile: it stores the plan.
            Ok(Ok(_)) if !self.still_holds(&*blocking_store, &id) => {
                self.lose(&id);
                Ok(Err("cancelled".to_string()))
            }
            Ok(Ok((plan, problem, released))) => {
                let plan = after.apply(with_roads(&problem, plan).await, &released);
                let stored = store_plan(
                    &*blocking_store,
                    &problem,
                    &problem_json,
                    &plan,
                    &by,
                    self.token_days,
                );
                if let (Ok(new), Some(old), Some(r)) = (&stored, &after.previous_id, &after.replan)
                {
                    let kept: Vec<String> = r.kept.iter().map(|t| t.id.clone()).collect();
                    if let Err(e) = blocking_store.follow(old, new, &kept, &now()) {
                        tracing::error!(job = %id, "the drivers' links stay on plan {old}: {e}");
                    }
                }
                Ok(stored)
            }
            Ok(Err(e)) => Ok(Err(e)),
            Err(e) => Err(e),
        };

        if lost.load(Ordering::Relaxed) {
            tracing::warn!(job = %id, "taken over by another server");
            return;
        }
        if cancel.load(Ordering::Relaxed) {
            set(&|v| v.state = "cancelled".into());
            tracing::info!(job = %id, "cancelled");
            return;
        }
        match outcome {
            Ok(Ok(plan_id)) => {
                tracing::info!(job = %id, plan = %plan_id, limit_s = time_limit, "planned");
                set(&|v| {
                    v.state = "done".into();
                    v.plan_id = Some(plan_id.clone());
                    v.progress.percent = 100.0;
                })
            }
            Ok(Err(e)) => {
                tracing::error!(job = %id, "planning failed: {e}");
                set(&|v| {
                    v.state = "failed".into();
                    v.error = Some(e.clone());
                })
            }
            Err(e) => {
                tracing::error!(job = %id, "planning task failed: {e}");
                set(&|v| {
                    v.state = "failed".into();
                    v.error = Some("the planning task stopped unexpectedly".into());
                })
            }
        }
    }
}

impl Jobs {
    /// Whether this server still holds job `id` (always, on a store of its
    /// own); checked before its plan is stored, so that a job another
    /// server took over is not stored twice.
    fn still_holds(&self, store: &dyn Store, id: &str) -> bool {
        match self.instance() {
            None => true,
            Some((me, _)) => store.job_holder(id).is_ok_and(|h| h.as_deref() == Some(me)),
        }
    }
}

/// What turns the search's plan into the answer: the orders the stock
/// allocation left out, and after a re-plan the tours kept from the earlier
/// plan and what moved.
#[derive(Default)]
pub struct Finish {
    pub allocation: Option<Allocation>,
    /// The kept tours, the earlier plan and the promises broken.
    pub replan: Option<crate::replan::Replanned>,
    /// The earlier plan's id, when it is stored: its drivers' links and
    /// the kept tours' reports follow to the new plan.
    pub previous_id: Option<String>,
}

impl Finish {
    /// The promised requests as asked (none without a re-plan).
    pub fn promised(&self) -> crate::replan::Promised {
        self.replan
            .as_ref()
            .map(|r| r.promised.clone())
            .unwrap_or_default()
    }

    /// The plan with what the preparation set aside: the unserved orders,
    /// the kept tours and what moved, with the promises broken (`released`:
    /// those the search could not keep).
    pub fn apply(&self, mut plan: Plan, released: &crate::replan::Broken) -> Plan {
        if let Some(a) = &self.allocation {
            crate::allocate::add_unserved(&mut plan, a);
        }
        if let Some(r) = &self.replan {
            let mut broken = r.broken.clone();
            broken.extend(released.iter().map(|(k, v)| (k.clone(), v.clone())));
            plan = crate::replan::merge(plan, r.kept.clone(), &r.previous, &broken);
        }
        plan
    }
}

/// The plan with its tours' road paths when the problem uses a road server
/// (straight lines kept, and the reason logged, when the server fails).
async fn with_roads(problem: &model::Problem, mut plan: Plan) -> Plan {
    if let Err(e) = routing::road_geometry(problem, &mut plan).await {
        tracing::warn!("tours drawn as straight lines: {e}");
    }
    plan
}

/// When share links made now expire, valid `days` days (the server's
/// `--token-days`).
pub fn token_expiry(days: u32) -> String {
    (chrono::Utc::now() + chrono::Duration::days(i64::from(days.max(1))))
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// Each tour's driver view and report figures, as stored with the plan.
pub fn tour_docs(id: &str, problem: &model::Problem, plan: &Plan) -> Vec<TourDoc> {
    let figures = crate::report::figures(plan);
    plan.tours
        .iter()
        .zip(figures)
        .enumerate()
        .map(|(i, (t, figures))| TourDoc {
            id: t.id.clone(),
            view: super::views::tour_view(id, problem, plan, i).to_string(),
            stops: t.stops.len(),
            figures,
        })
        .collect()
}

/// Stores a plan with its problem and a share token per tour, valid
/// `token_days` days; returns its id.
pub fn store_plan(
    store: &dyn Store,
    problem: &model::Problem,
    problem_json: &str,
    plan: &Plan,
    owner: &Owner,
    token_days: u32,
) -> Result<String, String> {
    let meta = PlanMeta {
        id: token()[..16].to_string(),
        name: problem.name.clone(),
        created_at: now(),
        created_by: owner.name.clone(),
        organisation: owner.organisation.clone(),
        travel_model: plan.travel_model.clone(),
    };
    let plan_json = serde_json::to_string(plan).map_err(|e| e.to_string())?;
    let tours = tour_docs(&meta.id, problem, plan);
    store
        .put_plan(
            &meta,
            problem_json,
            &plan_json,
            &tours,
            &token_expiry(token_days),
        )
        .map_err(|e| e.to_string())?;
    Ok(meta.id)
}
