//! Planning jobs: admitted into a bounded queue, solved on the blocking pool
//! (never on the async workers), their progress broadcast to whoever watches,
//! their result stored as a plan.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use serde::Serialize;
use tokio::sync::{watch, OwnedSemaphorePermit, Semaphore};

use super::status::JobState;
use super::store::{JobInput, JobRecord, Owner, PlanMeta, Store, TourDoc};
use super::{now, token};
pub use crate::pipeline::Finish;
use crate::{model, pipeline, plan::Plan};

/// A planning job as the API shows it.
#[derive(Clone, Debug, Serialize, PartialEq, utoipa::ToSchema)]
#[schema(as = Job)]
pub struct JobView {
    pub id: String,
    pub state: JobState,
    /// When it was admitted (RFC 3339, UTC).
    pub created_at: String,
    pub progress: Progress,
    /// The stored plan, once done.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub plan_id: Option<String>,
    /// Why it failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl JobView {
    pub fn is_over(&self) -> bool {
        self.state.is_over()
    }

    fn record(&self, owner: &Owner) -> JobRecord {
        JobRecord {
            id: self.id.clone(),
            state: self.state,
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
#[derive(Clone, Debug, Default, Serialize, serde::Deserialize, PartialEq, utoipa::ToSchema)]
pub struct Progress {
    /// The best plan's objective so far (none before the first).
    pub best_cost: Option<f64>,
    /// Requests the best plan leaves out.
    pub unassigned: Option<usize>,
    /// Seconds spent solving.
    pub elapsed_s: f64,
    /// Share of the time limit used, 0 to 100.
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
            _ = pipeline::cancelled(&cancel) => return Err(SolveError::Cancelled),
        };
        // The slot and the queue place go with the search: a caller who
        // hangs up frees them only once the search has stopped.
        let run = self.run_with(cancel);
        let planned = pipeline::plan(problem, &after, run, (slot, ticket), |_| {}).await;
        planned.map(|p| p.plan).map_err(|e| match e {
            pipeline::Failure::Invalid(errors) => SolveError::Invalid(errors),
            pipeline::Failure::Cancelled => SolveError::Cancelled,
            pipeline::Failure::Routing { said, .. } => SolveError::Routing(said),
            pipeline::Failure::Failed(m) => SolveError::Failed(m),
        })
    }

    fn run_with(&self, cancel: Arc<AtomicBool>) -> pipeline::Run<'_> {
        pipeline::Run {
            threads: self.threads_per_solve,
            matrix_cache: self.matrix_cache.as_deref(),
            cancel,
        }
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
            state: JobState::Queued,
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
        view.state = JobState::Queued;
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
            _ = pipeline::cancelled(&cancel) => {
                set(&|v| v.state = JobState::Cancelled);
                return;
            }
        };
        let Ok(_slot) = slot else {
            set(&|v| v.state = JobState::Failed);
            return;
        };
        if cancel.load(Ordering::Relaxed) {
            set(&|v| v.state = JobState::Cancelled);
            return;
        }
        set(&|v| v.state = JobState::Running);
        let progress_tx = tx.clone();
        let time_limit = problem.solver.time_limit_s;
        let planned = pipeline::plan(
            problem,
            &after,
            self.run_with(cancel.clone()),
            (),
            move |p| {
                progress_tx.send_modify(|v| {
                    v.progress = Progress {
                        best_cost: Some(p.best_cost),
                        unassigned: Some(p.unassigned),
                        elapsed_s: p.elapsed.as_secs_f64(),
                        percent: (100.0 * p.fraction).min(100.0),
                        iterations: p.iteration,
                    }
                })
            },
        )
        .await;
        let stored = match planned {
            // A job cancelled at the last moment stores nothing.
            Ok(_) if cancel.load(Ordering::Relaxed) => Err(pipeline::Failure::Cancelled),
            // Taken over by another server meanwhile: it stores the plan.
            Ok(_) if !self.still_holds(&*store, &id) => {
                self.lose(&id);
                Err(pipeline::Failure::Cancelled)
            }
            Ok(planned) => {
                // The plan takes the job's id: a server that stored it and
                // died before saying the job was done has left it, and the
                // server taking the job over keeps it rather than storing a
                // second plan for one job.
                let there = || matches!(store.get_plan(&id), Ok(Some(_)));
                let (stored, mine) = if there() {
                    (Ok(id.clone()), false)
                } else {
                    match store_plan(
                        &*store,
                        &planned.problem,
                        &problem_json,
                        &planned.plan,
                        &owner,
                        self.token_days,
                        Some(&id),
                    ) {
                        Err(_) if there() => (Ok(id.clone()), false),
                        other => (other, true),
                    }
                };
                // The drivers' links move to the new plan once: by the
                // server that stored it.
                if let (true, Ok(new), Some(old), Some(r)) =
                    (mine, &stored, &after.previous_id, &after.replan)
                {
                    let kept: Vec<String> = r.kept.iter().map(|t| t.id.clone()).collect();
                    if let Err(e) = store.follow(old, new, &kept, &now()) {
                        tracing::error!(job = %id, "the drivers' links stay on plan {old}: {e}");
                    }
                }
                stored.map_err(pipeline::Failure::Failed)
            }
            Err(e) => Err(e),
        };
        if lost.load(Ordering::Relaxed) {
            tracing::warn!(job = %id, "taken over by another server");
            return;
        }
        match stored {
            Ok(plan_id) => {
                tracing::info!(job = %id, plan = %plan_id, limit_s = time_limit, "planned");
                set(&|v| {
                    v.state = JobState::Done;
                    v.plan_id = Some(plan_id.clone());
                    v.progress.percent = 100.0;
                })
            }
            Err(pipeline::Failure::Cancelled) => {
                set(&|v| v.state = JobState::Cancelled);
                tracing::info!(job = %id, "cancelled");
            }
            Err(e) => {
                tracing::error!(job = %id, "planning failed: {e}");
                // The caller's mistake or the road server's failure says
                // what; a fault of ours is in the log.
                let message = match e {
                    pipeline::Failure::Failed(_) => {
                        "the planning failed on the server; its log has the details".to_string()
                    }
                    e => e.to_string(),
                };
                set(&|v| {
                    v.state = JobState::Failed;
                    v.error = Some(message.clone());
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
/// `token_days` days; returns its id: `id` when given (a planning job's
/// plan has the job's id), else a new one.
pub fn store_plan(
    store: &dyn Store,
    problem: &model::Problem,
    problem_json: &str,
    plan: &Plan,
    owner: &Owner,
    token_days: u32,
    id: Option<&str>,
) -> Result<String, String> {
    let meta = PlanMeta {
        id: id.map_or_else(|| token()[..16].to_string(), str::to_string),
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
