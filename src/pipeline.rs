//! The one planning run, for the command line, the demo and the server:
//! prepare (a re-plan's kept tours and promises, the stock shared out) →
//! travel figures → search, keeping promises → road paths → finish (orders
//! the stock left unserved, kept tours merged back, broken promises said).
//! Each caller keeps only its input and output: reading a file or a request,
//! printing, or storing and broadcasting.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use crate::allocate::Allocation;
use crate::input::FieldError;
use crate::model::Problem;
use crate::plan::Plan;
use crate::routing::{self, Travel};
use crate::{convert, replan};

/// What turns the search's plan into the answer: the orders the stock
/// allocation left out, and after a re-plan the tours kept from the earlier
/// plan and what moved.
#[derive(Default)]
pub struct Finish {
    pub allocation: Option<Allocation>,
    /// The kept tours, the earlier plan and the promises broken.
    pub replan: Option<replan::Replanned>,
    /// The earlier plan's id, when it is stored: its drivers' links and
    /// the kept tours' reports follow to the new plan.
    pub previous_id: Option<String>,
}

impl Finish {
    /// The promised requests as asked (none without a re-plan).
    pub fn promised(&self) -> replan::Promised {
        self.replan
            .as_ref()
            .map(|r| r.promised.clone())
            .unwrap_or_default()
    }

    /// The plan with what the preparation set aside: the unserved orders,
    /// the kept tours and what moved, with the promises broken (`released`:
    /// those the search could not keep).
    pub fn apply(&self, mut plan: Plan, released: &replan::Broken) -> Plan {
        if let Some(a) = &self.allocation {
            crate::allocate::add_unserved(&mut plan, a);
        }
        if let Some(r) = &self.replan {
            let mut broken = r.broken.clone();
            broken.extend(released.iter().map(|(k, v)| (k.clone(), v.clone())));
            plan = replan::merge(plan, r.kept.clone(), &r.previous, &broken);
        }
        plan
    }
}

/// Why a run ended without a plan.
#[derive(Debug)]
pub enum Failure {
    /// The caller's mistake, with field paths.
    Invalid(Vec<FieldError>),
    /// Asked to stop.
    Cancelled,
    /// The road server failed: `said` is fit for an API caller (the log
    /// has the server's own answer, `error`, which names its address: the
    /// command line, whose user gave it, shows it).
    Routing { said: String, error: String },
    /// A fault of ours: the allocation or the solver refused a validated
    /// problem.
    Failed(String),
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::Invalid(errors) => {
                let lines: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
                write!(f, "{}", lines.join("; "))
            }
            Failure::Cancelled => write!(f, "cancelled"),
            Failure::Routing { said: m, .. } | Failure::Failed(m) => write!(f, "{m}"),
        }
    }
}

/// The problem to route and what finishes its plan. With `earlier` (the
/// plan a re-plan starts from, and the requests its drivers reported
/// failed, with their reason) the kept tours are set aside and the promises
/// made; with a stock, the orders get what the allocation gives them (on a
/// re-plan, what was announced while the stock holds it).
pub fn prepare(
    problem: Problem,
    earlier: Option<(Plan, BTreeMap<String, String>)>,
) -> Result<(Problem, Finish), Failure> {
    let (problem, replan, announced) = match earlier {
        None => (problem, None, Default::default()),
        Some((previous, failed)) => {
            let r = replan::prepare(&problem, &previous, &failed).map_err(Failure::Invalid)?;
            let replanned = replan::Replanned {
                kept: r.kept,
                previous,
                broken: r.broken,
                promised: r.promised,
            };
            (r.problem, Some(replanned), r.announced)
        }
    };
    let (problem, allocation) =
        crate::allocate::prepare_keeping(problem, &announced).map_err(Failure::Failed)?;
    let mut replan = replan;
    if let Some(r) = replan.as_mut() {
        r.broken
            .extend(replan::stock_broken(&announced, allocation.as_ref()));
    }
    Ok((
        problem,
        Finish {
            allocation,
            replan,
            previous_id: None,
        },
    ))
}

/// How to run the search.
pub struct Run<'a> {
    pub threads: usize,
    /// Folder of road matrices already fetched.
    pub matrix_cache: Option<&'a Path>,
    /// Set to stop: the wait for travel figures, and the search.
    pub cancel: Arc<AtomicBool>,
}

/// A finished run: the plan as answered, the problem it was searched for
/// (the prepared one), and its travel figures.
pub struct Planned {
    pub plan: Plan,
    pub problem: Problem,
    pub travel: Travel,
    /// Why the tours are drawn as straight lines, when the road server
    /// gave no paths (the plan itself stands).
    pub straight_lines: Option<String>,
}

/// Plans a prepared problem: travel figures, then the search on the
/// blocking pool (`held` is kept until it ends: a solver slot, a queue
/// place), then road paths and the finish. `progress` sees the search's
/// progress.
pub async fn plan(
    problem: Problem,
    finish: &Finish,
    run: Run<'_>,
    held: impl Send + 'static,
    mut progress: impl FnMut(&tournee_solver::Progress) + Send + 'static,
) -> Result<Planned, Failure> {
    let travel = tokio::select! {
        t = routing::travel(&problem, run.matrix_cache) => t,
        _ = cancelled(&run.cancel) => return Err(Failure::Cancelled),
    };
    let travel = travel.map_err(|e| Failure::Routing {
        said: routing_message(&problem, &e),
        error: e.to_string(),
    })?;
    let (threads, stop, promised) = (run.threads, run.cancel.clone(), finish.promised());
    let searched = tokio::task::spawn_blocking(move || {
        let _held = held;
        let planned = replan::plan_keeping(problem, &promised, |p| {
            convert::plan(p, &travel, threads, Some(stop.clone()), &mut progress)
        });
        (planned, travel)
    })
    .await
    .map_err(|e| Failure::Failed(format!("the planning task stopped: {e}")))?;
    let (plan, problem, released) = match searched.0 {
        Ok(planned) => planned,
        Err(convert::PlanError::Invalid(errors)) => return Err(Failure::Invalid(errors)),
        Err(e) => {
            tracing::error!("the solver refused a validated problem: {e}");
            return Err(Failure::Failed(e.to_string()));
        }
    };
    if run.cancel.load(Ordering::Relaxed) {
        return Err(Failure::Cancelled);
    }
    let mut plan = plan;
    let straight_lines = routing::road_geometry(&problem, &mut plan)
        .await
        .err()
        .map(|e| e.to_string());
    if let Some(e) = &straight_lines {
        tracing::warn!("tours drawn as straight lines: {e}");
    }
    Ok(Planned {
        plan: finish.apply(plan, &released),
        problem,
        travel: searched.1,
        straight_lines,
    })
}

/// Waits until `flag` is set (polled: the search sets no waker).
pub async fn cancelled(flag: &AtomicBool) {
    while !flag.load(Ordering::Relaxed) {
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// What the caller may read of a routing failure: the road server's own
/// answer (and its address) stay in the log.
pub fn routing_message(problem: &Problem, e: &routing::RoutingError) -> String {
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
