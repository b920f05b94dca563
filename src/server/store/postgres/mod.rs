//! The shared store: a PostgreSQL database (`--db postgres://…`), for a
//! network of refurbishers on one deployment. Same interface, same
//! documents and the same schema as the SQLite file (`migrations::POSTGRES`).
//!
//! The `postgres` crate is synchronous and drives its own small runtime, so
//! it must not be called from a thread that drives the server's tasks; each
//! call runs on a short-lived thread of its own with a pooled connection,
//! whatever thread asks (the SQLite store blocks its caller the same way).

use std::sync::Mutex;
use std::time::Duration;

use postgres::{Client, Row};

mod leases;
mod pool;

use super::migrations::POSTGRES;
use super::{
    JobInput, JobRecord, PlanMeta, Proof, Renewal, SharedTour, StopStatus, Store, StoreError,
    StoreResult, StoredPlan, TourDoc,
};
use crate::server::status::{JobState, Outcome};

/// The advisory lock servers starting at once take in turn to migrate.
const MIGRATION_LOCK: i64 = 0x0074_6f75_726e_6565; // "tournee"

/// A PostgreSQL database.
pub struct Postgres {
    config: postgres::Config,
    idle: Mutex<Vec<Client>>,
}

/// `true` when `--db` names a PostgreSQL database rather than a file.
pub fn is_url(db: &str) -> bool {
    db.starts_with("postgres://") || db.starts_with("postgresql://")
}

impl Postgres {
    /// Connects and brings the schema up to date. Any number of servers
    /// may open the same database (see `cluster.rs`).
    pub fn open(url: &str) -> StoreResult<Self> {
        let mut config: postgres::Config = url
            .parse()
            .map_err(|e: postgres::Error| StoreError(format!("not a PostgreSQL URL: {e}")))?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(Duration::from_secs(5));
        }
        config.application_name("tournee");
        let store = Postgres {
            config,
            idle: Mutex::new(Vec::new()),
        };
        store.with(|c| {
            // Two servers starting at once migrate one after the other.
            let mut tx = c.transaction()?;
            tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])?;
            tx.batch_execute(
                "CREATE TABLE IF NOT EXISTS schema_version (
                   id INTEGER PRIMARY KEY CHECK (id = 1), steps BIGINT NOT NULL);
                 INSERT INTO schema_version (id, steps) VALUES (1, 0) ON CONFLICT (id) DO NOTHING",
            )?;
            let done: i64 = tx
                .query_one("SELECT steps FROM schema_version", &[])?
                .get(0);
            for (i, sql) in POSTGRES.iter().enumerate().skip(done.max(0) as usize) {
                tx.batch_execute(sql)?;
                tx.execute("UPDATE schema_version SET steps = $1", &[&(i as i64 + 1)])?;
            }
            tx.commit()
        })?;
        Ok(store)
    }
}

fn meta_row(r: &Row) -> PlanMeta {
    PlanMeta {
        id: r.get(0),
        name: r.get(1),
        created_at: r.get(2),
        created_by: r.get(3),
        travel_model: r.get(4),
        organisation: r.get(5),
    }
}

fn job_row(r: &Row) -> JobRecord {
    JobRecord {
        id: r.get(0),
        state: JobState::stored(r.get(1)),
        created_at: r.get(2),
        created_by: r.get(3),
        plan_id: r.get(4),
        error: r.get(5),
        organisation: r.get(6),
    }
}

const PLAN_META: &str = "id, name, created_at, created_by, travel_model, organisation";
const JOB: &str = "id, state, created_at, created_by, plan_id, error, organisation";

impl Store for Postgres {
    fn put_plan(
        &self,
        meta: &PlanMeta,
        problem: &str,
        plan: &str,
        tours: &[TourDoc],
        expires_at: &str,
    ) -> StoreResult<Vec<String>> {
        let tokens: Vec<String> = tours.iter().map(|_| super::super::token()).collect();
        let figures: Vec<String> = tours
            .iter()
            .map(|t| serde_json::to_string(&t.figures).unwrap_or_default())
            .collect();
        self.with(|c| {
            let mut tx = c.transaction()?;
            tx.execute(
                "INSERT INTO plans (id, name, created_at, created_by, travel_model, problem, plan, organisation)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                &[
                    &meta.id,
                    &meta.name,
                    &meta.created_at,
                    &meta.created_by,
                    &meta.travel_model,
                    &problem,
                    &plan,
                    &meta.organisation,
                ],
            )?;
            for (i, tour) in tours.iter().enumerate() {
                let (idx, stops) = (i as i64, tour.stops as i64);
                tx.execute(
                    "INSERT INTO tours (plan_id, idx, tour_id, token, expires_at, view, stops)
                     VALUES ($1, $2, $3, $4, $5, $6, $7)",
                    &[&meta.id, &idx, &tour.id, &tokens[i], &expires_at, &tour.view, &stops],
                )?;
                tx.execute(
                    "INSERT INTO tour_figures (plan_id, idx, day, figures) VALUES ($1, $2, $3, $4)",
                    &[&meta.id, &idx, &tour.figures.day, &figures[i]],
                )?;
            }
            tx.commit()
        })?;
        Ok(tokens)
    }

    fn list_plans(&self, organisation: &str) -> StoreResult<Vec<PlanMeta>> {
        self.with(|c| {
            let rows = c.query(
                &format!(
                    "SELECT {PLAN_META} FROM plans WHERE organisation = $1
                     ORDER BY created_at DESC, id"
                ),
                &[&organisation],
            )?;
            Ok(rows.iter().map(meta_row).collect())
        })
    }

    fn get_plan(&self, id: &str) -> StoreResult<Option<StoredPlan>> {
        let now = super::super::now();
        self.with(|c| {
            let Some(row) = c.query_opt(
                &format!("SELECT {PLAN_META}, problem, plan FROM plans WHERE id = $1"),
                &[&id],
            )?
            else {
                return Ok(None);
            };
            // Expired and revoked links are not links any more: empty.
            let tokens = c
                .query(
                    "SELECT CASE WHEN expires_at > $2 THEN token ELSE '' END
                     FROM tours WHERE plan_id = $1 ORDER BY idx",
                    &[&id, &now],
                )?
                .iter()
                .map(|r| r.get(0))
                .collect();
            Ok(Some(StoredPlan {
                meta: meta_row(&row),
                problem: row.get(6),
                plan: row.get(7),
                tokens,
            }))
        })
    }

    fn plan_organisation(&self, id: &str) -> StoreResult<Option<String>> {
        self.with(|c| {
            Ok(
                c.query_opt("SELECT organisation FROM plans WHERE id = $1", &[&id])?
                    .map(|r| r.get(0)),
            )
        })
    }

    fn delete_plan(&self, id: &str) -> StoreResult<bool> {
        self.with(|c| Ok(c.execute("DELETE FROM plans WHERE id = $1", &[&id])? > 0))
    }

    fn tour_by_token(&self, token: &str, now: &str) -> StoreResult<Option<SharedTour>> {
        self.with(|c| {
            Ok(c.query_opt(
                "SELECT plan_id, idx, view, stops FROM tours
                 WHERE token = $1 AND expires_at > $2 AND view IS NOT NULL",
                &[&token, &now],
            )?
            .map(|r| SharedTour {
                plan_id: r.get(0),
                index: r.get::<_, i64>(1).max(0) as usize,
                view: r.get(2),
                stops: r.get::<_, i64>(3).max(0) as usize,
            }))
        })
    }

    fn tour_view(&self, plan_id: &str, index: usize) -> StoreResult<Option<String>> {
        let idx = index as i64;
        self.with(|c| {
            Ok(c.query_opt(
                "SELECT view FROM tours WHERE plan_id = $1 AND idx = $2",
                &[&plan_id, &idx],
            )?
            .and_then(|r| r.get::<_, Option<String>>(0)))
        })
    }

    fn reshare(&self, plan_id: &str, renew_until: Option<&str>) -> StoreResult<bool> {
        self.with(|c| {
            let mut tx = c.transaction()?;
            let found = tx
                .query_opt("SELECT 1 FROM plans WHERE id = $1", &[&plan_id])?
                .is_some();
            let n: i64 = tx
                .query_one("SELECT COUNT(*) FROM tours WHERE plan_id = $1", &[&plan_id])?
                .get(0);
            for i in 0..n {
                // A revoked link keeps a token nobody holds, already expired.
                let (token, until) = match renew_until {
                    Some(t) => (super::super::token(), t.to_string()),
                    None => (format!("revoked-{}", super::super::token()), String::new()),
                };
                tx.execute(
                    "UPDATE tours SET token = $3, expires_at = $4 WHERE plan_id = $1 AND idx = $2",
                    &[&plan_id, &i, &token, &until],
                )?;
            }
            tx.commit()?;
            Ok(found)
        })
    }

    fn tour_figures(
        &self,
        organisation: Option<&str>,
        from: Option<&str>,
        to: Option<&str>,
    ) -> StoreResult<Vec<crate::report::TourFigures>> {
        let rows: Vec<(String, i64, String, String)> = self.with(|c| {
            // Each organisation's day from its newest plan that has tours
            // that day (a re-planned week replaces the earlier plan's days).
            let rows = c.query(
                "WITH days AS (
                   SELECT DISTINCT p.organisation AS org, f.day FROM tour_figures f
                   JOIN plans p ON p.id = f.plan_id
                   WHERE ($1::text IS NULL OR f.day >= $1) AND ($2::text IS NULL OR f.day <= $2)
                     AND ($3::text IS NULL OR p.organisation = $3)),
                 newest AS (
                   SELECT d.day, (SELECT p.id FROM tour_figures g JOIN plans p ON p.id = g.plan_id
                                  WHERE g.day = d.day AND p.organisation = d.org
                                  ORDER BY p.created_at DESC, p.id LIMIT 1) AS plan_id
                   FROM days d)
                 SELECT t.plan_id, t.idx, t.figures, p.organisation FROM tour_figures t JOIN newest n
                   ON t.plan_id = n.plan_id AND t.day = n.day
                 JOIN plans p ON p.id = t.plan_id
                 ORDER BY p.created_at DESC, p.id, t.idx",
                &[&from, &to, &organisation],
            )?;
            Ok(rows
                .iter()
                .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3)))
                .collect())
        })?;
        super::with_reports(self, &rows)
    }

    fn plan_statuses(&self, plan_id: &str) -> StoreResult<Vec<(usize, StopStatus)>> {
        self.with(|c| {
            let rows = c.query(
                "SELECT tour_idx, stop, status, note, at, recorded_at, actual,
                   (SELECT string_agg(kind, ',' ORDER BY kind) FROM proofs p
                     WHERE p.plan_id = s.plan_id AND p.tour_idx = s.tour_idx AND p.stop = s.stop)
                 FROM stop_status s WHERE plan_id = $1 ORDER BY tour_idx, stop",
                &[&plan_id],
            )?;
            Ok(rows
                .iter()
                .map(|r| {
                    let actual: Option<String> = r.get(6);
                    let proofs: Option<String> = r.get(7);
                    (
                        r.get::<_, i64>(0).max(0) as usize,
                        StopStatus {
                            stop: r.get::<_, i64>(1).max(0) as usize,
                            status: Outcome::stored(r.get(2)),
                            note: r.get(3),
                            at: r.get(4),
                            recorded_at: r.get(5),
                            // Written by this server: a row it cannot read
                            // is shown without its actuals.
                            actual: actual
                                .and_then(|a| serde_json::from_str(&a).ok())
                                .unwrap_or_default(),
                            proofs: proofs
                                .map(|p| p.split(',').map(String::from).collect())
                                .unwrap_or_default(),
                        },
                    )
                })
                .collect())
        })
    }

    fn set_stop_status(&self, plan_id: &str, tour: usize, s: &StopStatus) -> StoreResult<()> {
        let (tour, stop) = (tour as i64, s.stop as i64);
        let actual = serde_json::to_string(&s.actual).ok();
        self.with(|c| {
            c.execute(
                "INSERT INTO stop_status (plan_id, tour_idx, stop, status, note, at, recorded_at, actual)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
                 ON CONFLICT (plan_id, tour_idx, stop) DO UPDATE SET
                   status = excluded.status, note = excluded.note, at = excluded.at,
                   recorded_at = excluded.recorded_at, actual = excluded.actual",
                &[&plan_id, &tour, &stop, &s.status.as_str(), &s.note, &s.at, &s.recorded_at, &actual],
            )?;
            Ok(())
        })
    }

    fn follow(&self, from: &str, to: &str, kept: &[String], now: &str) -> StoreResult<()> {
        self.with(|c| {
            let mut tx = c.transaction()?;
            let pairs = tx.query(
                "SELECT a.idx, b.idx, a.tour_id, a.token, a.expires_at, b.token, b.expires_at
                 FROM tours a JOIN tours b ON a.tour_id = b.tour_id
                 WHERE a.plan_id = $1 AND b.plan_id = $2",
                &[&from, &to],
            )?;
            let set =
                "UPDATE tours SET token = $3, expires_at = $4 WHERE plan_id = $1 AND idx = $2";
            for r in &pairs {
                let (old, new): (i64, i64) = (r.get(0), r.get(1));
                let tour_id: String = r.get(2);
                let (old_token, old_until): (String, String) = (r.get(3), r.get(4));
                let (new_token, new_until): (String, String) = (r.get(5), r.get(6));
                // A live link moves to the new tour; a revoked one stays dead.
                if old_until.as_str() > now {
                    let parked = format!("moving-{}", super::super::token());
                    tx.execute(set, &[&from, &old, &parked, &old_until])?;
                    tx.execute(set, &[&to, &new, &old_token, &old_until])?;
                    tx.execute(set, &[&from, &old, &new_token, &new_until])?;
                }
                if kept.contains(&tour_id) {
                    tx.execute(
                        "INSERT INTO stop_status
                           (plan_id, tour_idx, stop, status, note, at, recorded_at, actual)
                         SELECT $2, $4, stop, status, note, at, recorded_at, actual
                         FROM stop_status WHERE plan_id = $1 AND tour_idx = $3
                         ON CONFLICT (plan_id, tour_idx, stop) DO UPDATE SET
                           status = excluded.status, note = excluded.note, at = excluded.at,
                           recorded_at = excluded.recorded_at, actual = excluded.actual",
                        &[&from, &to, &old, &new],
                    )?;
                    tx.execute(
                        "INSERT INTO proofs
                           (plan_id, tour_idx, stop, kind, media_type, bytes, recorded_at)
                         SELECT $2, $4, stop, kind, media_type, bytes, recorded_at
                         FROM proofs WHERE plan_id = $1 AND tour_idx = $3
                         ON CONFLICT (plan_id, tour_idx, stop, kind) DO UPDATE SET
                           media_type = excluded.media_type, bytes = excluded.bytes,
                           recorded_at = excluded.recorded_at",
                        &[&from, &to, &old, &new],
                    )?;
                }
            }
            tx.commit()
        })
    }

    fn put_proof(&self, plan_id: &str, tour: usize, stop: usize, p: &Proof) -> StoreResult<()> {
        let (tour, stop) = (tour as i64, stop as i64);
        self.with(|c| {
            c.execute(
                "INSERT INTO proofs (plan_id, tour_idx, stop, kind, media_type, bytes, recorded_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)
                 ON CONFLICT (plan_id, tour_idx, stop, kind) DO UPDATE SET
                   media_type = excluded.media_type, bytes = excluded.bytes,
                   recorded_at = excluded.recorded_at",
                &[
                    &plan_id,
                    &tour,
                    &stop,
                    &p.kind,
                    &p.media_type,
                    &p.bytes,
                    &p.recorded_at,
                ],
            )?;
            Ok(())
        })
    }

    fn proof(
        &self,
        plan_id: &str,
        tour: usize,
        stop: usize,
        kind: &str,
    ) -> StoreResult<Option<Proof>> {
        let (tour, stop) = (tour as i64, stop as i64);
        self.with(|c| {
            Ok(c.query_opt(
                "SELECT media_type, bytes, recorded_at FROM proofs
                 WHERE plan_id = $1 AND tour_idx = $2 AND stop = $3 AND kind = $4",
                &[&plan_id, &tour, &stop, &kind],
            )?
            .map(|r| Proof {
                kind: kind.to_string(),
                media_type: r.get(0),
                bytes: r.get(1),
                recorded_at: r.get(2),
            }))
        })
    }

    fn put_job(&self, j: &JobRecord, input: Option<&JobInput>) -> StoreResult<()> {
        // The input is dropped once the job is over: it was only kept to
        // start the job again after a crash.
        let over = j.state.is_over();
        let problem = input.map(|i| i.problem.as_str());
        let previous = input.and_then(|i| i.previous.as_deref());
        self.with(|c| {
            c.execute(
                "INSERT INTO jobs (id, state, created_at, created_by, plan_id, error, problem, previous, organisation)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $10)
                 ON CONFLICT (id) DO UPDATE SET state = excluded.state,
                   plan_id = excluded.plan_id, error = excluded.error,
                   problem = CASE WHEN $9 THEN NULL ELSE jobs.problem END",
                &[
                    &j.id,
                    &j.state.as_str(),
                    &j.created_at,
                    &j.created_by,
                    &j.plan_id,
                    &j.error,
                    &problem,
                    &previous,
                    &over,
                    &j.organisation,
                ],
            )?;
            Ok(())
        })
    }

    fn get_job(&self, id: &str) -> StoreResult<Option<JobRecord>> {
        self.with(|c| {
            Ok(
                c.query_opt(&format!("SELECT {JOB} FROM jobs WHERE id = $1"), &[&id])?
                    .map(|r| job_row(&r)),
            )
        })
    }

    fn interrupted_jobs(&self) -> StoreResult<Vec<(JobRecord, JobInput, u32)>> {
        self.with(|c| {
            let rows = c.query(
                &format!(
                    "SELECT {JOB}, problem, previous, restarts FROM jobs
                     WHERE state IN ('queued', 'running') ORDER BY created_at, id"
                ),
                &[],
            )?;
            Ok(rows
                .iter()
                .map(|r| {
                    (
                        job_row(r),
                        JobInput {
                            problem: r.get::<_, Option<String>>(7).unwrap_or_default(),
                            previous: r.get(8),
                        },
                        r.get::<_, i64>(9).clamp(0, u32::MAX as i64) as u32,
                    )
                })
                .collect())
        })
    }

    fn restart_job(&self, id: &str) -> StoreResult<()> {
        self.with(|c| {
            c.execute(
                "UPDATE jobs SET restarts = restarts + 1 WHERE id = $1",
                &[&id],
            )?;
            Ok(())
        })
    }

    fn shared(&self) -> bool {
        true
    }

    fn hold_job(&self, id: &str, instance: &str, lease_s: f64) -> StoreResult<()> {
        self.hold(id, instance, lease_s)
    }

    fn renew_jobs(
        &self,
        instance: &str,
        lease_s: f64,
        jobs: &[(String, String)],
    ) -> StoreResult<Renewal> {
        self.renew(instance, lease_s, jobs)
    }

    fn claim_expired(
        &self,
        instance: &str,
        lease_s: f64,
        n: usize,
    ) -> StoreResult<Vec<(JobRecord, JobInput, u32)>> {
        self.claim(instance, lease_s, n)
    }

    fn job_holder(&self, id: &str) -> StoreResult<Option<String>> {
        self.holder(id)
    }

    fn request_cancel(&self, id: &str) -> StoreResult<bool> {
        self.ask_cancel(id)
    }

    fn job_progress(&self, id: &str) -> StoreResult<Option<String>> {
        self.progress(id)
    }

    fn get_setup(&self, organisation: &str) -> StoreResult<Option<String>> {
        self.with(|c| {
            Ok(c.query_opt(
                "SELECT doc FROM setups WHERE organisation = $1",
                &[&organisation],
            )?
            .map(|r| r.get(0)))
        })
    }

    fn put_setup(&self, organisation: &str, doc: &str, at: &str) -> StoreResult<()> {
        self.with(|c| {
            c.execute(
                "INSERT INTO setups (organisation, doc, updated_at) VALUES ($1, $2, $3)
                 ON CONFLICT (organisation) DO UPDATE SET doc = excluded.doc, updated_at = excluded.updated_at",
                &[&organisation, &doc, &at],
            )?;
            Ok(())
        })
    }

    fn get_geocode(&self, query: &str) -> StoreResult<Option<String>> {
        self.with(|c| {
            Ok(
                c.query_opt("SELECT answer FROM geocodes WHERE query = $1", &[&query])?
                    .map(|r| r.get(0)),
            )
        })
    }

    fn put_geocode(&self, query: &str, answer: &str, at: &str) -> StoreResult<()> {
        self.with(|c| {
            c.execute(
                "INSERT INTO geocodes (query, answer, at) VALUES ($1, $2, $3)
                 ON CONFLICT (query) DO UPDATE SET answer = excluded.answer, at = excluded.at",
                &[&query, &answer, &at],
            )?;
            Ok(())
        })
    }
}
