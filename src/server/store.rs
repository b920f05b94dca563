//! Where plans, planning jobs and drivers' stop updates are kept.
//!
//! [`Store`] is the small interface the API needs; [`Sqlite`] implements it on
//! one file (WAL mode, migrations run when it opens), held by one server at a
//! time through a lock beside it. A PostgreSQL store for shared deployments
//! would implement the same trait.
//!
//! What drivers and managers read often is stored ready to serve, so that
//! reading it costs the same whatever the size of the plan or of the store:
//! each tour's driver view (one row), and each tour's report figures (one
//! small row, indexed by day).

use std::fs::File;
use std::path::Path;
use std::sync::Mutex;

use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;

/// A stored plan's description, without its (large) documents.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct PlanMeta {
    pub id: String,
    pub name: String,
    pub created_at: String,
    /// The API key's name that created it (`local` in single-user mode).
    pub created_by: String,
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
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct StopStatus {
    pub stop: usize,
    /// `done` or `failed`.
    pub status: String,
    pub note: String,
    /// When the driver says it happened (RFC 3339 or the phone's local time).
    pub at: String,
    /// When the server recorded it.
    pub recorded_at: String,
}

/// A tour to store with its plan: its id, its driver view (a JSON object,
/// see `api::tour_view`) and its report figures.
#[derive(Clone, Debug)]
pub struct TourDoc {
    pub id: String,
    pub view: String,
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
    /// `queued`, `running`, `done`, `failed` or `cancelled`.
    pub state: String,
    pub created_at: String,
    pub created_by: String,
    pub plan_id: Option<String>,
    pub error: Option<String>,
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
    fn list_plans(&self) -> StoreResult<Vec<PlanMeta>>;
    fn get_plan(&self, id: &str) -> StoreResult<Option<StoredPlan>>;
    fn delete_plan(&self, id: &str) -> StoreResult<bool>;
    /// The tour a share token opens, unless it expired (at `now`, RFC 3339)
    /// or was revoked.
    fn tour_by_token(&self, token: &str, now: &str) -> StoreResult<Option<SharedTour>>;
    /// The driver view of tour `index` of a plan.
    fn tour_view(&self, plan_id: &str, index: usize) -> StoreResult<Option<String>>;
    /// Ends the plan's share links; with `renew_until`, each tour gets a new
    /// token valid until then. `false` when there is no such plan.
    fn reshare(&self, plan_id: &str, renew_until: Option<&str>) -> StoreResult<bool>;
    /// Each tour's report figures whose day is in `from..=to`, each day from
    /// the newest plan that has tours that day.
    fn tour_figures(
        &self,
        from: Option<&str>,
        to: Option<&str>,
    ) -> StoreResult<Vec<crate::report::TourFigures>>;
    fn stop_statuses(&self, plan_id: &str, tour: usize) -> StoreResult<Vec<StopStatus>>;
    fn set_stop_status(&self, plan_id: &str, tour: usize, status: &StopStatus) -> StoreResult<()>;
    /// Records a job's state; `input` when it is created.
    fn put_job(&self, job: &JobRecord, input: Option<&JobInput>) -> StoreResult<()>;
    fn get_job(&self, id: &str) -> StoreResult<Option<JobRecord>>;
    /// Jobs a stop of the server interrupted (queued or running), with their
    /// input and how many times they were already started again.
    fn interrupted_jobs(&self) -> StoreResult<Vec<(JobRecord, JobInput, u32)>>;
    /// Counts one more start of an interrupted job.
    fn restart_job(&self, id: &str) -> StoreResult<()>;
}

/// Schema changes, applied in order; `PRAGMA user_version` counts those done.
const MIGRATIONS: &[&str] = &[
    r#"
CREATE TABLE plans (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    travel_model TEXT NOT NULL,
    problem TEXT NOT NULL,
    plan TEXT NOT NULL
);
CREATE TABLE tours (
    plan_id TEXT NOT NULL REFERENCES plans(id) ON DELETE CASCADE,
    idx INTEGER NOT NULL,
    tour_id TEXT NOT NULL,
    token TEXT NOT NULL UNIQUE,
    PRIMARY KEY (plan_id, idx)
);
CREATE TABLE stop_status (
    plan_id TEXT NOT NULL REFERENCES plans(id) ON DELETE CASCADE,
    tour_idx INTEGER NOT NULL,
    stop INTEGER NOT NULL,
    status TEXT NOT NULL,
    note TEXT NOT NULL,
    at TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    PRIMARY KEY (plan_id, tour_idx, stop)
);
CREATE TABLE jobs (
    id TEXT PRIMARY KEY,
    state TEXT NOT NULL,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    plan_id TEXT,
    error TEXT
);
"#,
    r#"
ALTER TABLE tours ADD COLUMN expires_at TEXT NOT NULL DEFAULT '9999-12-31T00:00:00Z';
ALTER TABLE tours ADD COLUMN view TEXT;
ALTER TABLE tours ADD COLUMN stops INTEGER NOT NULL DEFAULT 0;
CREATE TABLE tour_figures (
    plan_id TEXT NOT NULL REFERENCES plans(id) ON DELETE CASCADE,
    idx INTEGER NOT NULL,
    day TEXT NOT NULL,
    figures TEXT NOT NULL,
    PRIMARY KEY (plan_id, idx)
);
CREATE INDEX tour_figures_day ON tour_figures (day);
ALTER TABLE jobs ADD COLUMN problem TEXT;
ALTER TABLE jobs ADD COLUMN previous TEXT;
ALTER TABLE jobs ADD COLUMN restarts INTEGER NOT NULL DEFAULT 0;
"#,
];

/// The embedded default: one SQLite file.
pub struct Sqlite {
    conn: Mutex<Connection>,
    /// Held while the store is open: a second server on the same file would
    /// take over jobs the first one is running.
    _lock: File,
}

/// Takes the lock file beside the database (`FILE.lock`), or says that a
/// live process holds it. The operating system drops the lock when the
/// process ends, even by kill -9.
fn lock(path: &Path) -> StoreResult<File> {
    let mut name = path.as_os_str().to_owned();
    name.push(".lock");
    let file = File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&name)
        .map_err(|e| StoreError(format!("cannot open the lock file: {e}")))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => Err(StoreError(
            "another tournee server is using this database (its lock file is held); stop it, or give this one another --db".into(),
        )),
        Err(std::fs::TryLockError::Error(e)) => {
            Err(StoreError(format!("cannot lock the database: {e}")))
        }
    }
}

impl Sqlite {
    /// Opens (or creates) the file and brings its schema up to date.
    pub fn open(path: &Path) -> StoreResult<Self> {
        let lock = lock(path)?;
        let mut conn = Connection::open(path)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "foreign_keys", true)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        let done: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(done.max(0) as usize) {
            let tx = conn.transaction()?;
            tx.execute_batch(sql)?;
            tx.pragma_update(None, "user_version", i as i64 + 1)?;
            tx.commit()?;
        }
        Ok(Sqlite {
            conn: Mutex::new(conn),
            _lock: lock,
        })
    }

    /// Plans stored before their tours' views and figures were (schema 1):
    /// `missing(plan_id, problem, plan)` gives them, stored in one go.
    pub fn backfill(
        &self,
        mut missing: impl FnMut(&str, &str) -> Option<Vec<TourDoc>>,
    ) -> StoreResult<usize> {
        let old: Vec<(String, String, String)> = self.with(|c| {
            let mut st = c.prepare(
                "SELECT id, problem, plan FROM plans WHERE EXISTS
                   (SELECT 1 FROM tours WHERE tours.plan_id = plans.id AND tours.view IS NULL)",
            )?;
            let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
            rows.collect()
        })?;
        let mut done = 0;
        for (id, problem, plan) in old {
            let Some(docs) = missing(&problem, &plan) else {
                continue;
            };
            self.with(|c| {
                let tx = c.transaction()?;
                write_tours(&tx, &id, &docs, None)?;
                tx.commit()
            })?;
            done += 1;
        }
        Ok(done)
    }

    fn with<T>(&self, f: impl FnOnce(&mut Connection) -> rusqlite::Result<T>) -> StoreResult<T> {
        let mut conn = self
            .conn
            .lock()
            .map_err(|_| StoreError("connection lock poisoned".into()))?;
        Ok(f(&mut conn)?)
    }
}

fn meta_row(r: &rusqlite::Row) -> rusqlite::Result<PlanMeta> {
    Ok(PlanMeta {
        id: r.get(0)?,
        name: r.get(1)?,
        created_at: r.get(2)?,
        created_by: r.get(3)?,
        travel_model: r.get(4)?,
    })
}

/// Writes each tour's view and figures; with `tokens`, inserts the tours'
/// rows too (a new plan), else updates the rows there (a backfill).
fn write_tours(
    tx: &rusqlite::Transaction,
    plan_id: &str,
    tours: &[TourDoc],
    tokens: Option<(&[String], &str)>,
) -> rusqlite::Result<()> {
    for (i, tour) in tours.iter().enumerate() {
        let stops = serde_json::from_str::<serde_json::Value>(&tour.view)
            .ok()
            .and_then(|v| v["tour"]["stops"].as_array().map(Vec::len))
            .unwrap_or(0) as i64;
        match tokens {
            Some((tokens, expires_at)) => tx.execute(
                "INSERT INTO tours (plan_id, idx, tour_id, token, expires_at, view, stops)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![plan_id, i as i64, tour.id, tokens[i], expires_at, tour.view, stops],
            )?,
            None => tx.execute(
                "UPDATE tours SET view = ?3, stops = ?4 WHERE plan_id = ?1 AND idx = ?2",
                params![plan_id, i as i64, tour.view, stops],
            )?,
        };
        let figures = serde_json::to_string(&tour.figures).unwrap_or_default();
        tx.execute(
            "INSERT OR REPLACE INTO tour_figures (plan_id, idx, day, figures)
             VALUES (?1, ?2, ?3, ?4)",
            params![plan_id, i as i64, tour.figures.day, figures],
        )?;
    }
    Ok(())
}

impl Store for Sqlite {
    fn put_plan(
        &self,
        meta: &PlanMeta,
        problem: &str,
        plan: &str,
        tours: &[TourDoc],
        expires_at: &str,
    ) -> StoreResult<Vec<String>> {
        let tokens: Vec<String> = tours.iter().map(|_| super::token()).collect();
        self.with(|c| {
            let tx = c.transaction()?;
            tx.execute(
                "INSERT INTO plans (id, name, created_at, created_by, travel_model, problem, plan)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    meta.id,
                    meta.name,
                    meta.created_at,
                    meta.created_by,
                    meta.travel_model,
                    problem,
                    plan
                ],
            )?;
            write_tours(&tx, &meta.id, tours, Some((&tokens, expires_at)))?;
            tx.commit()
        })?;
        Ok(tokens)
    }

    fn tour_view(&self, plan_id: &str, index: usize) -> StoreResult<Option<String>> {
        self.with(|c| {
            c.query_row(
                "SELECT view FROM tours WHERE plan_id = ?1 AND idx = ?2",
                params![plan_id, index as i64],
                |r| r.get::<_, Option<String>>(0),
            )
            .optional()
            .map(Option::flatten)
        })
    }

    fn reshare(&self, plan_id: &str, renew_until: Option<&str>) -> StoreResult<bool> {
        self.with(|c| {
            let tx = c.transaction()?;
            let n: i64 = tx.query_row(
                "SELECT COUNT(*) FROM tours WHERE plan_id = ?1",
                [plan_id],
                |r| r.get(0),
            )?;
            let found: bool = tx
                .query_row("SELECT 1 FROM plans WHERE id = ?1", [plan_id], |_| Ok(()))
                .optional()?
                .is_some();
            for i in 0..n {
                // A revoked link keeps a token nobody holds, already expired.
                let (token, until) = match renew_until {
                    Some(t) => (super::token(), t.to_string()),
                    None => (format!("revoked-{}", super::token()), String::new()),
                };
                tx.execute(
                    "UPDATE tours SET token = ?3, expires_at = ?4 WHERE plan_id = ?1 AND idx = ?2",
                    params![plan_id, i, token, until],
                )?;
            }
            tx.commit()?;
            Ok(found)
        })
    }

    fn tour_figures(
        &self,
        from: Option<&str>,
        to: Option<&str>,
    ) -> StoreResult<Vec<crate::report::TourFigures>> {
        let rows: Vec<String> = self.with(|c| {
            // Each day from the newest plan that has tours that day (a
            // re-planned week replaces the earlier plan's days).
            let mut st = c.prepare(
                "WITH newest AS (
                   SELECT f.day, (SELECT p.id FROM tour_figures g JOIN plans p ON p.id = g.plan_id
                                  WHERE g.day = f.day ORDER BY p.created_at DESC, p.id LIMIT 1) AS plan_id
                   FROM (SELECT DISTINCT day FROM tour_figures
                         WHERE (?1 IS NULL OR day >= ?1) AND (?2 IS NULL OR day <= ?2)) f)
                 SELECT t.figures FROM tour_figures t JOIN newest n
                   ON t.plan_id = n.plan_id AND t.day = n.day
                 JOIN plans p ON p.id = t.plan_id
                 ORDER BY p.created_at DESC, p.id, t.idx",
            )?;
            let rows = st.query_map(params![from, to], |r| r.get(0))?;
            rows.collect()
        })?;
        rows.iter()
            .map(|f| serde_json::from_str(f).map_err(|e| StoreError(e.to_string())))
            .collect()
    }

    fn list_plans(&self) -> StoreResult<Vec<PlanMeta>> {
        self.with(|c| {
            let mut st = c.prepare(
                "SELECT id, name, created_at, created_by, travel_model FROM plans
                 ORDER BY created_at DESC, id",
            )?;
            let rows = st.query_map([], meta_row)?;
            rows.collect()
        })
    }

    fn get_plan(&self, id: &str) -> StoreResult<Option<StoredPlan>> {
        self.with(|c| {
            let found = c
                .query_row(
                    "SELECT id, name, created_at, created_by, travel_model, problem, plan
                     FROM plans WHERE id = ?1",
                    [id],
                    |r| Ok((meta_row(r)?, r.get::<_, String>(5)?, r.get::<_, String>(6)?)),
                )
                .optional()?;
            let Some((meta, problem, plan)) = found else {
                return Ok(None);
            };
            let mut st = c.prepare("SELECT token FROM tours WHERE plan_id = ?1 ORDER BY idx")?;
            let tokens = st
                .query_map([id], |r| r.get(0))?
                .collect::<rusqlite::Result<Vec<String>>>()?;
            Ok(Some(StoredPlan {
                meta,
                problem,
                plan,
                tokens,
            }))
        })
    }

    fn delete_plan(&self, id: &str) -> StoreResult<bool> {
        self.with(|c| Ok(c.execute("DELETE FROM plans WHERE id = ?1", [id])? > 0))
    }

    fn tour_by_token(&self, token: &str, now: &str) -> StoreResult<Option<SharedTour>> {
        self.with(|c| {
            c.query_row(
                "SELECT plan_id, idx, view, stops FROM tours
                 WHERE token = ?1 AND expires_at > ?2 AND view IS NOT NULL",
                [token, now],
                |r| {
                    Ok(SharedTour {
                        plan_id: r.get(0)?,
                        index: r.get::<_, i64>(1)? as usize,
                        view: r.get(2)?,
                        stops: r.get::<_, i64>(3)? as usize,
                    })
                },
            )
            .optional()
        })
    }

    fn stop_statuses(&self, plan_id: &str, tour: usize) -> StoreResult<Vec<StopStatus>> {
        self.with(|c| {
            let mut st = c.prepare(
                "SELECT stop, status, note, at, recorded_at FROM stop_status
                 WHERE plan_id = ?1 AND tour_idx = ?2 ORDER BY stop",
            )?;
            let rows = st.query_map(params![plan_id, tour as i64], |r| {
                Ok(StopStatus {
                    stop: r.get::<_, i64>(0)? as usize,
                    status: r.get(1)?,
                    note: r.get(2)?,
                    at: r.get(3)?,
                    recorded_at: r.get(4)?,
                })
            })?;
            rows.collect()
        })
    }

    fn set_stop_status(&self, plan_id: &str, tour: usize, s: &StopStatus) -> StoreResult<()> {
        self.with(|c| {
            c.execute(
                "INSERT INTO stop_status (plan_id, tour_idx, stop, status, note, at, recorded_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                 ON CONFLICT (plan_id, tour_idx, stop) DO UPDATE SET
                   status = excluded.status, note = excluded.note, at = excluded.at,
                   recorded_at = excluded.recorded_at",
                params![
                    plan_id,
                    tour as i64,
                    s.stop as i64,
                    s.status,
                    s.note,
                    s.at,
                    s.recorded_at
                ],
            )?;
            Ok(())
        })
    }

    fn put_job(&self, j: &JobRecord, input: Option<&JobInput>) -> StoreResult<()> {
        // The input is dropped once the job is over: it was only kept to
        // start the job again after a crash.
        let over = matches!(j.state.as_str(), "done" | "failed" | "cancelled");
        self.with(|c| {
            c.execute(
                "INSERT INTO jobs (id, state, created_at, created_by, plan_id, error, problem, previous)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
                 ON CONFLICT (id) DO UPDATE SET state = excluded.state,
                   plan_id = excluded.plan_id, error = excluded.error,
                   problem = CASE WHEN ?9 THEN NULL ELSE jobs.problem END",
                params![
                    j.id,
                    j.state,
                    j.created_at,
                    j.created_by,
                    j.plan_id,
                    j.error,
                    input.map(|i| i.problem.as_str()),
                    input.and_then(|i| i.previous.as_deref()),
                    over
                ],
            )?;
            Ok(())
        })
    }

    fn interrupted_jobs(&self) -> StoreResult<Vec<(JobRecord, JobInput, u32)>> {
        self.with(|c| {
            let mut st = c.prepare(
                "SELECT id, state, created_at, created_by, plan_id, error, problem, previous, restarts
                 FROM jobs WHERE state IN ('queued', 'running') ORDER BY created_at, id",
            )?;
            let rows = st.query_map([], |r| {
                Ok((
                    job_row(r)?,
                    JobInput {
                        problem: r.get::<_, Option<String>>(6)?.unwrap_or_default(),
                        previous: r.get(7)?,
                    },
                    r.get::<_, i64>(8)?.max(0) as u32,
                ))
            })?;
            rows.collect()
        })
    }

    fn restart_job(&self, id: &str) -> StoreResult<()> {
        self.with(|c| {
            c.execute(
                "UPDATE jobs SET restarts = restarts + 1 WHERE id = ?1",
                [id],
            )?;
            Ok(())
        })
    }

    fn get_job(&self, id: &str) -> StoreResult<Option<JobRecord>> {
        self.with(|c| {
            c.query_row(
                "SELECT id, state, created_at, created_by, plan_id, error FROM jobs WHERE id = ?1",
                [id],
                job_row,
            )
            .optional()
        })
    }
}

fn job_row(r: &rusqlite::Row) -> rusqlite::Result<JobRecord> {
    Ok(JobRecord {
        id: r.get(0)?,
        state: r.get(1)?,
        created_at: r.get(2)?,
        created_by: r.get(3)?,
        plan_id: r.get(4)?,
        error: r.get(5)?,
    })
}
