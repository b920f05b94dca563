//! Where plans, planning jobs and drivers' stop updates are kept.
//!
//! [`Store`] is the small interface the API needs; [`Sqlite`] implements it on
//! one file (WAL mode, migrations run when it opens). A PostgreSQL store for
//! shared deployments would implement the same trait.

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
    fn put_plan(
        &self,
        meta: &PlanMeta,
        problem: &str,
        plan: &str,
        tours: &[String],
    ) -> StoreResult<Vec<String>>;
    fn list_plans(&self) -> StoreResult<Vec<PlanMeta>>;
    fn get_plan(&self, id: &str) -> StoreResult<Option<StoredPlan>>;
    fn delete_plan(&self, id: &str) -> StoreResult<bool>;
    /// The plan and tour index a share token opens.
    fn tour_by_token(&self, token: &str) -> StoreResult<Option<(String, usize)>>;
    fn stop_statuses(&self, plan_id: &str, tour: usize) -> StoreResult<Vec<StopStatus>>;
    fn set_stop_status(&self, plan_id: &str, tour: usize, status: &StopStatus) -> StoreResult<()>;
    fn put_job(&self, job: &JobRecord) -> StoreResult<()>;
    fn get_job(&self, id: &str) -> StoreResult<Option<JobRecord>>;
}

/// Schema changes, applied in order; `PRAGMA user_version` counts those done.
const MIGRATIONS: &[&str] = &[r#"
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
"#];

/// The embedded default: one SQLite file.
pub struct Sqlite {
    conn: Mutex<Connection>,
}

impl Sqlite {
    /// Opens (or creates) the file and brings its schema up to date. Jobs
    /// that were queued or running when the server stopped are marked failed.
    pub fn open(path: &Path) -> StoreResult<Self> {
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
        conn.execute(
            "UPDATE jobs SET state = 'failed', error = 'the server stopped before the job finished'
             WHERE state IN ('queued', 'running')",
            [],
        )?;
        Ok(Sqlite {
            conn: Mutex::new(conn),
        })
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

impl Store for Sqlite {
    fn put_plan(
        &self,
        meta: &PlanMeta,
        problem: &str,
        plan: &str,
        tours: &[String],
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
            for (i, (tour, token)) in tours.iter().zip(&tokens).enumerate() {
                tx.execute(
                    "INSERT INTO tours (plan_id, idx, tour_id, token) VALUES (?1, ?2, ?3, ?4)",
                    params![meta.id, i as i64, tour, token],
                )?;
            }
            tx.commit()
        })?;
        Ok(tokens)
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

    fn tour_by_token(&self, token: &str) -> StoreResult<Option<(String, usize)>> {
        self.with(|c| {
            c.query_row(
                "SELECT plan_id, idx FROM tours WHERE token = ?1",
                [token],
                |r| Ok((r.get(0)?, r.get::<_, i64>(1)? as usize)),
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

    fn put_job(&self, j: &JobRecord) -> StoreResult<()> {
        self.with(|c| {
            c.execute(
                "INSERT INTO jobs (id, state, created_at, created_by, plan_id, error)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (id) DO UPDATE SET state = excluded.state,
                   plan_id = excluded.plan_id, error = excluded.error",
                params![
                    j.id,
                    j.state,
                    j.created_at,
                    j.created_by,
                    j.plan_id,
                    j.error
                ],
            )?;
            Ok(())
        })
    }

    fn get_job(&self, id: &str) -> StoreResult<Option<JobRecord>> {
        self.with(|c| {
            c.query_row(
                "SELECT id, state, created_at, created_by, plan_id, error FROM jobs WHERE id = ?1",
                [id],
                |r| {
                    Ok(JobRecord {
                        id: r.get(0)?,
                        state: r.get(1)?,
                        created_at: r.get(2)?,
                        created_by: r.get(3)?,
                        plan_id: r.get(4)?,
                        error: r.get(5)?,
                    })
                },
            )
            .optional()
        })
    }
}
