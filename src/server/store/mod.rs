//! Where plans, planning jobs and drivers' stop updates are kept.
//!
//! [`Store`] is the small interface the API needs. [`Sqlite`] implements it on
//! one file (WAL mode, migrations run when it opens), held by one server at a
//! time through a lock beside it: the embedded default. [`Postgres`]
//! implements it on a PostgreSQL database, for a deployment a network of
//! refurbishers shares; the same tests run on both (`tests.rs`).
//!
//! What drivers and managers read often is stored ready to serve, so that
//! reading it costs the same whatever the size of the plan or of the store:
//! each tour's driver view (one row), and each tour's report figures (one
//! small row, indexed by day).

mod lock;
mod migrations;
mod postgres;
mod sqlite;
#[cfg(test)]
mod tests;

use serde::{Deserialize, Serialize};

pub use postgres::{is_url as is_postgres_url, Postgres};
pub use sqlite::Sqlite;

/// A database URL fit for a log line: without its password.
pub fn redacted(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let user = &url[s + 3..at];
            let user = user.split(':').next().unwrap_or("");
            format!("{}{user}{}", &url[..s + 3], &url[at..])
        }
        _ => url.to_string(),
    }
}

/// Whose a stored thing is: an organisation, and the key's name that made
/// it (`local` in single-user mode).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Owner {
    pub organisation: String,
    pub name: String,
}

impl Owner {
    /// The key's name with its organisation, unique on the server (job
    /// quotas and `created_by`).
    pub fn id(&self) -> String {
        if self.organisation == crate::server::keys::DEFAULT_ORGANISATION {
            self.name.clone()
        } else {
            format!("{}/{}", self.organisation, self.name)
        }
    }
}

/// A stored plan's description, without its (large) documents.
#[derive(Clone, Debug, Serialize, PartialEq, utoipa::ToSchema)]
pub struct PlanMeta {
    pub id: String,
    pub name: String,
    pub created_at: String,
    /// The API key's name that created it (`local` in single-user mode).
    pub created_by: String,
    /// The organisation it belongs to (`default` without a keys file).
    pub organisation: String,
    pub travel_model: String,
}

/// A plan as stored: its metadata, the problem it answers and the answer, and
/// one share token per tour (same order as the plan's tours).
#[derive(Clone, Debug)]
pub struct StoredPlan {
    pub meta: PlanMeta,
    pub problem: String,
    pub plan: String,
    pub tokens: Vec<String>,
}

/// What a driver reported about one stop.
#[derive(Clone, Debug, Serialize, PartialEq, utoipa::ToSchema)]
pub struct StopStatus {
    pub stop: usize,
    pub status: super::status::Outcome,
    pub note: String,
    /// When the driver says it happened (RFC 3339 or the phone's local time).
    pub at: String,
    /// When the server recorded it.
    pub recorded_at: String,
    /// What the driver reports beyond done or failed.
    #[serde(flatten)]
    pub actual: Actual,
    /// The proofs taken at the stop (`photo`, `signature`), served to keys
    /// only at `/api/v1/plans/{id}/tours/{index}/stops/{stop}/{kind}`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub proofs: Vec<String>,
}

/// A photo or a signature taken at a stop: proof of collection or delivery.
#[derive(Clone, Debug, PartialEq)]
pub struct Proof {
    /// `photo` or `signature`.
    pub kind: String,
    /// `image/jpeg`, `image/png` or `image/webp`, as its first bytes say.
    pub media_type: String,
    pub bytes: Vec<u8>,
    pub recorded_at: String,
}

impl StopStatus {
    /// The report as the emissions report counts it.
    pub fn reported(&self) -> (usize, crate::report::Reported) {
        (
            self.stop,
            crate::report::Reported {
                done: self.status == super::status::Outcome::Done,
                devices: self.actual.devices.clone(),
                at: Some(
                    self.actual
                        .arrived_at
                        .clone()
                        .or_else(|| self.actual.departed_at.clone())
                        .unwrap_or_else(|| self.at.clone()),
                ),
            },
        )
    }
}

/// What was actually done at a stop, as the driver reports it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Actual {
    /// Why it failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<super::status::Reason>,
    /// Devices actually collected or delivered, per type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub devices: Option<std::collections::BTreeMap<String, u32>>,
    /// Who handed over or received the devices.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recipient: Option<String>,
    /// Arrival and departure as the driver reports them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arrived_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub departed_at: Option<String>,
    /// Where the phone was, longitude and latitude.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position: Option<[f64; 2]>,
}

/// A tour to store with its plan: its id, its driver view (a JSON object,
/// see `api::tour_view`) and its report figures.
#[derive(Clone, Debug)]
pub struct TourDoc {
    pub id: String,
    pub view: String,
    /// Stops in the tour (a driver's stop numbers go up to it).
    pub stops: usize,
    pub figures: crate::report::TourFigures,
}

/// What a share token opens.
#[derive(Clone, Debug, PartialEq)]
pub struct SharedTour {
    pub plan_id: String,
    pub index: usize,
    /// The tour's driver view, a JSON object.
    pub view: String,
    pub stops: usize,
}

/// The input of a planning job, kept until it ends so that a job a crash
/// interrupted can be run again.
#[derive(Clone, Debug, PartialEq)]
pub struct JobInput {
    pub problem: String,
    pub previous: Option<String>,
}

/// A planning job's lasting record (live progress is kept in memory).
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct JobRecord {
    pub id: String,
    pub state: super::status::JobState,
    pub created_at: String,
    pub created_by: String,
    pub organisation: String,
    pub plan_id: Option<String>,
    pub error: Option<String>,
}

/// What renewing an instance's leases found.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Renewal {
    /// Jobs someone asked to stop (from any instance).
    pub cancelled: Vec<String>,
    /// Jobs another instance took over: this one must not finish them.
    pub lost: Vec<String>,
}

pub type StoreResult<T> = Result<T, StoreError>;

#[derive(Debug)]
pub struct StoreError(pub String);

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "storage: {}", self.0)
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        StoreError(e.to_string())
    }
}

/// Report rows (plan, tour index, figures as stored, organisation) with
/// the drivers' reports joined, plan by plan: what both stores'
/// `tour_figures` answer.
fn with_reports(
    store: &dyn Store,
    rows: &[(String, i64, String, String)],
) -> StoreResult<Vec<crate::report::TourFigures>> {
    let mut reports: std::collections::BTreeMap<String, Vec<(usize, StopStatus)>> =
        Default::default();
    rows.iter()
        .map(|(plan, idx, f, organisation)| {
            let mut figures: crate::report::TourFigures =
                serde_json::from_str(f).map_err(|e| StoreError(e.to_string()))?;
            figures.organisation = organisation.clone();
            if !reports.contains_key(plan) {
                reports.insert(plan.clone(), store.plan_statuses(plan)?);
            }
            crate::report::join_reports(
                &mut figures,
                reports[plan]
                    .iter()
                    .filter(|(t, _)| *t as i64 == *idx)
                    .map(|(_, s)| s.reported()),
            );
            Ok(figures)
        })
        .collect()
}

/// The persistence the API relies on.
pub trait Store: Send + Sync {
    /// Stores a plan and its tours, each with a share token valid until
    /// `expires_at` (RFC 3339); returns the tokens in tour order.
    fn put_plan(
        &self,
        meta: &PlanMeta,
        problem: &str,
        plan: &str,
        tours: &[TourDoc],
        expires_at: &str,
    ) -> StoreResult<Vec<String>>;
    /// The organisation's plans, newest first.
    fn list_plans(&self, organisation: &str) -> StoreResult<Vec<PlanMeta>>;
    fn get_plan(&self, id: &str) -> StoreResult<Option<StoredPlan>>;
    /// The organisation plan `id` belongs to, if it exists.
    fn plan_organisation(&self, id: &str) -> StoreResult<Option<String>>;
    fn delete_plan(&self, id: &str) -> StoreResult<bool>;
    /// The tour a share token opens, unless it expired (at `now`, RFC 3339)
    /// or was revoked.
    fn tour_by_token(&self, token: &str, now: &str) -> StoreResult<Option<SharedTour>>;
    /// The driver view of tour `index` of a plan.
    fn tour_view(&self, plan_id: &str, index: usize) -> StoreResult<Option<String>>;
    /// Ends the plan's share links; with `renew_until`, each tour gets a new
    /// token valid until then. `false` when there is no such plan.
    fn reshare(&self, plan_id: &str, renew_until: Option<&str>) -> StoreResult<bool>;
    /// Each tour's report figures whose day is in `from..=to`, each
    /// organisation's day from its newest plan that has tours that day: of
    /// one organisation, or (`None`) of all.
    fn tour_figures(
        &self,
        organisation: Option<&str>,
        from: Option<&str>,
        to: Option<&str>,
    ) -> StoreResult<Vec<crate::report::TourFigures>>;
    fn stop_statuses(&self, plan_id: &str, tour: usize) -> StoreResult<Vec<StopStatus>> {
        Ok(self
            .plan_statuses(plan_id)?
            .into_iter()
            .filter(|(t, _)| *t == tour)
            .map(|(_, s)| s)
            .collect())
    }
    /// Every stop status of a plan, with its tour's index.
    fn plan_statuses(&self, plan_id: &str) -> StoreResult<Vec<(usize, StopStatus)>>;
    fn set_stop_status(&self, plan_id: &str, tour: usize, status: &StopStatus) -> StoreResult<()>;
    /// After plan `to` re-planned plan `from`: each tour of `to` with the id
    /// of a tour of `from` (same van, same day) takes over its share link
    /// while it is live (at `now`; the earlier tour gets the new link), so a
    /// driver's link follows re-plans; the tours `kept` unchanged also take
    /// their stop statuses and proofs.
    fn follow(&self, from: &str, to: &str, kept: &[String], now: &str) -> StoreResult<()>;
    /// Stores (or replaces) a stop's photo or signature.
    fn put_proof(&self, plan_id: &str, tour: usize, stop: usize, proof: &Proof) -> StoreResult<()>;
    fn proof(
        &self,
        plan_id: &str,
        tour: usize,
        stop: usize,
        kind: &str,
    ) -> StoreResult<Option<Proof>>;
    /// Records a job's state; `input` when it is created.
    fn put_job(&self, job: &JobRecord, input: Option<&JobInput>) -> StoreResult<()>;
    fn get_job(&self, id: &str) -> StoreResult<Option<JobRecord>>;
    /// Jobs a stop of the server interrupted (queued or running), with their
    /// input and how many times they were already started again.
    fn interrupted_jobs(&self) -> StoreResult<Vec<(JobRecord, JobInput, u32)>>;
    /// Counts one more start of an interrupted job.
    fn restart_job(&self, id: &str) -> StoreResult<()>;
    /// The organisation's set-up (a `tournee-setup/1` document), if any.
    fn get_setup(&self, organisation: &str) -> StoreResult<Option<String>>;
    fn put_setup(&self, organisation: &str, doc: &str, at: &str) -> StoreResult<()>;
    /// Whether several servers may share this store: their jobs are then
    /// held under a lease and taken over when it runs out (`cluster.rs`).
    fn shared(&self) -> bool {
        false
    }
    /// Holds job `id` for `instance` for `lease_s` seconds.
    fn hold_job(&self, _id: &str, _instance: &str, _lease_s: f64) -> StoreResult<()> {
        Ok(())
    }
    /// Renews the lease of `instance`'s jobs and records each one's
    /// progress (JSON); says which of them were asked to stop and which
    /// are no longer this instance's.
    fn renew_jobs(
        &self,
        _instance: &str,
        _lease_s: f64,
        _jobs: &[(String, String)],
    ) -> StoreResult<Renewal> {
        Ok(Renewal::default())
    }
    /// Takes over up to `n` unfinished jobs whose lease ran out (their
    /// server died), with their input and how many times they were taken.
    fn claim_expired(
        &self,
        _instance: &str,
        _lease_s: f64,
        _n: usize,
    ) -> StoreResult<Vec<(JobRecord, JobInput, u32)>> {
        Ok(Vec::new())
    }
    /// Which instance holds job `id`, if any.
    fn job_holder(&self, _id: &str) -> StoreResult<Option<String>> {
        Ok(None)
    }
    /// Asks whichever instance runs job `id` to stop it; `false` when it
    /// is over or unknown.
    fn request_cancel(&self, _id: &str) -> StoreResult<bool> {
        Ok(false)
    }
    /// The last progress (JSON) its instance recorded for job `id`.
    fn job_progress(&self, _id: &str) -> StoreResult<Option<String>> {
        Ok(None)
    }
    /// A geocoder's answer for an address (a JSON list of candidates).
    fn get_geocode(&self, query: &str) -> StoreResult<Option<String>>;
    fn put_geocode(&self, query: &str, answer: &str, at: &str) -> StoreResult<()>;
}
