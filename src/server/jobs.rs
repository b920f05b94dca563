//! Planning jobs: admitted into a bounded queue, solved on the blocking pool
//! (never on the async workers), their progress broadcast to whoever watches,
//! their result stored as a plan.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use serde::Serialize;
use tokio::sync::{watch, OwnedSemaphorePermit, Semaphore};

use super::store::{JobRecord, PlanMeta, Store};
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

    fn record(&self, created_by: &str) -> JobRecord {
        JobRecord {
            id: self.id.clone(),
            state: self.state.clone(),
            created_at: self.created_at.clone(),
            created_by: created_by.to_string(),
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
#[derive(Clone, Debug, Default, Serialize, PartialEq)]
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
}

/// The jobs under way, and the two limits: solves running at once, and
/// solves admitted (running + waiting).
pub struct Jobs {
    live: Mutex<HashMap<String, Live>>,
    admission: Arc<Semaphore>,
    running: Arc<Semaphore>,
    threads_per_solve: usize,
    /// Folder of road matrices already fetched.
    matrix_cache: Option<std::path::PathBuf>,
}

/// A place in the queue, held (and released when dropped) from admission
/// to the end of the solve.
pub struct Ticket {
    _permit: OwnedSemaphorePermit,
}

impl Jobs {
    pub fn new(
        concurrent: usize,
        queue: usize,
        threads_per_solve: usize,
        matrix_cache: Option<std::path::PathBuf>,
    ) -> Self {
        Jobs {
            matrix_cache,
            live: Mutex::new(HashMap::new()),
            admission: Arc::new(Semaphore::new(concurrent + queue)),
            running: Arc::new(Semaphore::new(concurrent)),
            threads_per_solve,
        }
    }

    /// A queue place, or `None` when the queue is full.
    pub fn admit(&self) -> Option<Ticket> {
        self.admission
            .clone()
            .try_acquire_owned()
            .ok()
            .map(|p| Ticket { _permit: p })
    }

    /// Solves `problem` once a solver slot is free, on the blocking pool.
    pub async fn solve_now(
        &self,
        _ticket: Ticket,
        problem: model::Problem,
        after: Finish,
    ) -> Result<Plan, String> {
        let _slot = self
            .running
            .clone()
            .acquire_owned()
            .await
            .map_err(|e| e.to_string())?;
        let threads = self.threads_per_solve;
        let travel = routing::travel(&problem, self.matrix_cache.as_deref())
            .await
            .map_err(|e| e.to_string())?;
        let (plan, problem) = tokio::task::spawn_blocking(move || {
            convert::plan(&problem, &travel, threads, None, |_| {}).map(|plan| (plan, problem))
        })
        .await
        .map_err(|e| e.to_string())?
        .map_err(|e| e.to_string())?;
        let plan = with_roads(&problem, plan).await;
        Ok(after.apply(plan))
    }

    /// Registers a queued job and returns its view.
    pub fn create(&self, store: &dyn Store, created_by: &str) -> Result<JobView, String> {
        let view = JobView {
            id: token()[..16].to_string(),
            state: "queued".into(),
            created_at: now(),
            progress: Progress::default(),
            plan_id: None,
            error: None,
        };
        store
            .put_job(&view.record(created_by))
            .map_err(|e| e.to_string())?;
        let (tx, _) = watch::channel(view.clone());
        self.lock().insert(
            view.id.clone(),
            Live {
                view: tx,
                cancel: Arc::new(AtomicBool::new(false)),
            },
        );
        Ok(view)
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
        created_by: String,
        (problem, after): (model::Problem, Finish),
        problem_json: String,
    ) {
        let _ticket = ticket;
        let Some((tx, cancel)) = self
            .lock()
            .get(&id)
            .map(|l| (l.view.clone(), l.cancel.clone()))
        else {
            return;
        };
        let set = |f: &dyn Fn(&mut JobView)| {
            tx.send_modify(|v| f(v));
            let record = tx.borrow().record(&created_by);
            if let Err(e) = store.put_job(&record) {
                tracing::error!(job = %id, "cannot record job state: {e}");
            }
        };
        let Ok(_slot) = self.running.clone().acquire_owned().await else {
            set(&|v| v.state = "failed".into());
            return;
        };
        if cancel.load(Ordering::Relaxed) {
            set(&|v| v.state = "cancelled".into());
            return;
        }
        set(&|v| v.state = "running".into());
        let travel = match routing::travel(&problem, self.matrix_cache.as_deref()).await {
            Ok(t) => t,
            Err(e) => {
                tracing::warn!(job = %id, "no travel figures: {e}");
                set(&|v| {
                    v.state = "failed".into();
                    v.error = Some(e.to_string());
                });
                return;
            }
        };
        tracing::info!(job = %id, travel = %travel.description, "solving");

        let threads = self.threads_per_solve;
        let progress_tx = tx.clone();
        let time_limit = problem.solver.time_limit_s;
        let (stop, stopped) = (cancel.clone(), cancel.clone());
        let (blocking_store, by) = (store.clone(), created_by.clone());
        let outcome = tokio::task::spawn_blocking(move || {
            let plan = convert::plan(&problem, &travel, threads, Some(stopped), |p| {
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
            .map_err(|e| e.to_string())?;
            if stop.load(Ordering::Relaxed) {
                return Err("cancelled".to_string());
            }
            Ok((plan, problem))
        })
        .await;
        let outcome = match outcome {
            Ok(Ok((plan, problem))) => {
                let plan = after.apply(with_roads(&problem, plan).await);
                Ok(store_plan(
                    &*blocking_store,
                    &problem,
                    &problem_json,
                    &plan,
                    &by,
                ))
            }
            Ok(Err(e)) => Ok(Err(e)),
            Err(e) => Err(e),
        };

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

/// What turns the search's plan into the answer: the orders the stock
/// allocation left out, and after a re-plan the tours kept from the earlier
/// plan and what moved.
#[derive(Default)]
pub struct Finish {
    pub allocation: Option<Allocation>,
    pub replan: Option<(Vec<crate::plan::Tour>, Plan)>,
}

impl Finish {
    pub fn apply(&self, mut plan: Plan) -> Plan {
        if let Some(a) = &self.allocation {
            crate::allocate::add_unserved(&mut plan, a);
        }
        if let Some((kept, previous)) = &self.replan {
            plan = crate::replan::merge(plan, kept.clone(), previous);
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

/// Stores a plan with its problem and a share token per tour; returns its id.
pub fn store_plan(
    store: &dyn Store,
    problem: &model::Problem,
    problem_json: &str,
    plan: &Plan,
    created_by: &str,
) -> Result<String, String> {
    let meta = PlanMeta {
        id: token()[..16].to_string(),
        name: problem.name.clone(),
        created_at: now(),
        created_by: created_by.to_string(),
        travel_model: plan.travel_model.clone(),
    };
    let plan_json = serde_json::to_string(plan).map_err(|e| e.to_string())?;
    let tours: Vec<String> = plan.tours.iter().map(|t| t.id.clone()).collect();
    store
        .put_plan(&meta, problem_json, &plan_json, &tours)
        .map_err(|e| e.to_string())?;
    Ok(meta.id)
}
