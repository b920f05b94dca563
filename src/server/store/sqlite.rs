//! The embedded store: one SQLite file (WAL mode), its schema migrated when
//! it opens, held by one server at a time through a lock file beside it.

use std::fs::File;
use std::path::Path;
use std::sync::Mutex;

use rusqlite::{params, Connection, OptionalExtension};

use super::migrations::MIGRATIONS;
use super::{
    JobInput, JobRecord, PlanMeta, Proof, SharedTour, StopStatus, Store, StoreError, StoreResult,
    StoredPlan, TourDoc,
};
use crate::server::status::{JobState, Outcome};

/// The embedded default: one SQLite file.
pub struct Sqlite {
    conn: Mutex<Connection>,
    /// Held while the store is open: a second server on the same file would
    /// take over jobs the first one is running.
    _lock: File,
}

impl Sqlite {
    /// Opens (or creates) the file and brings its schema up to date.
    pub fn open(path: &Path) -> StoreResult<Self> {
        let lock = super::lock::take(path)?;
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
        mut missing: impl FnMut(&str, &str, &str) -> Option<Vec<TourDoc>>,
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
            let Some(docs) = missing(&id, &problem, &plan) else {
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
        organisation: r.get(5)?,
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
        let stops = tour.stops as i64;
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
        let tokens: Vec<String> = tours.iter().map(|_| super::super::token()).collect();
        self.with(|c| {
            let tx = c.transaction()?;
            tx.execute(
                "INSERT INTO plans (id, name, created_at, created_by, travel_model, problem, plan, organisation)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![
                    meta.id,
                    meta.name,
                    meta.created_at,
                    meta.created_by,
                    meta.travel_model,
                    problem,
                    plan,
                    meta.organisation
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
                    Some(t) => (super::super::token(), t.to_string()),
                    None => (format!("revoked-{}", super::super::token()), String::new()),
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
        organisation: Option<&str>,
        from: Option<&str>,
        to: Option<&str>,
    ) -> StoreResult<Vec<crate::report::TourFigures>> {
        let rows: Vec<(String, i64, String, String)> = self.with(|c| {
            // Each organisation's day from its newest plan that has tours
            // that day (a re-planned week replaces the earlier plan's days).
            let mut st = c.prepare(
                "WITH days AS (
                   SELECT DISTINCT p.organisation AS org, f.day FROM tour_figures f
                   JOIN plans p ON p.id = f.plan_id
                   WHERE (?1 IS NULL OR f.day >= ?1) AND (?2 IS NULL OR f.day <= ?2)
                     AND (?3 IS NULL OR p.organisation = ?3)),
                 newest AS (
                   SELECT d.day, (SELECT p.id FROM tour_figures g JOIN plans p ON p.id = g.plan_id
                                  WHERE g.day = d.day AND p.organisation = d.org
                                  ORDER BY p.created_at DESC, p.id LIMIT 1) AS plan_id
                   FROM days d)
                 SELECT t.plan_id, t.idx, t.figures, p.organisation FROM tour_figures t JOIN newest n
                   ON t.plan_id = n.plan_id AND t.day = n.day
                 JOIN plans p ON p.id = t.plan_id
                 ORDER BY p.created_at DESC, p.id, t.idx",
            )?;
            let rows = st.query_map(params![from, to, organisation], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })?;
            rows.collect()
        })?;
        super::with_reports(self, &rows)
    }

    fn list_plans(&self, organisation: &str) -> StoreResult<Vec<PlanMeta>> {
        self.with(|c| {
            let mut st = c.prepare(
                "SELECT id, name, created_at, created_by, travel_model, organisation FROM plans
                 WHERE organisation = ?1 ORDER BY created_at DESC, id",
            )?;
            let rows = st.query_map([organisation], meta_row)?;
            rows.collect()
        })
    }

    fn plan_organisation(&self, id: &str) -> StoreResult<Option<String>> {
        self.with(|c| {
            c.query_row("SELECT organisation FROM plans WHERE id = ?1", [id], |r| {
                r.get(0)
            })
            .optional()
        })
    }

    fn get_plan(&self, id: &str) -> StoreResult<Option<StoredPlan>> {
        self.with(|c| {
            let found = c
                .query_row(
                    "SELECT id, name, created_at, created_by, travel_model, organisation, problem, plan
                     FROM plans WHERE id = ?1",
                    [id],
                    |r| Ok((meta_row(r)?, r.get::<_, String>(6)?, r.get::<_, String>(7)?)),
                )
                .optional()?;
            let Some((meta, problem, plan)) = found else {
                return Ok(None);
            };
            // Expired and revoked links are not links any more: empty.
            let mut st = c.prepare(
                "SELECT CASE WHEN expires_at > ?2 THEN token ELSE '' END
                 FROM tours WHERE plan_id = ?1 ORDER BY idx",
            )?;
            let tokens = st
                .query_map(params![id, super::super::now()], |r| r.get(0))?
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

    fn plan_statuses(&self, plan_id: &str) -> StoreResult<Vec<(usize, StopStatus)>> {
        self.with(|c| {
            let mut st = c.prepare(
                "SELECT tour_idx, stop, status, note, at, recorded_at, actual,
                   (SELECT group_concat(kind, ',') FROM
                      (SELECT kind FROM proofs p WHERE p.plan_id = s.plan_id
                        AND p.tour_idx = s.tour_idx AND p.stop = s.stop ORDER BY kind))
                 FROM stop_status s
                 WHERE plan_id = ?1 ORDER BY tour_idx, stop",
            )?;
            let rows = st.query_map(params![plan_id], |r| {
                let actual: Option<String> = r.get(6)?;
                let proofs: Option<String> = r.get(7)?;
                Ok((
                    r.get::<_, i64>(0)? as usize,
                    StopStatus {
                        stop: r.get::<_, i64>(1)? as usize,
                        status: Outcome::stored(&r.get::<_, String>(2)?),
                        note: r.get(3)?,
                        at: r.get(4)?,
                        recorded_at: r.get(5)?,
                        // Written by this server: a row it cannot read is
                        // shown without its actuals rather than failing.
                        actual: actual
                            .and_then(|a| serde_json::from_str(&a).ok())
                            .unwrap_or_default(),
                        proofs: proofs
                            .map(|p| p.split(',').map(String::from).collect())
                            .unwrap_or_default(),
                    },
                ))
            })?;
            rows.collect()
        })
    }

    fn set_stop_status(&self, plan_id: &str, tour: usize, s: &StopStatus) -> StoreResult<()> {
        self.with(|c| {
            c.execute(
                "INSERT INTO stop_status (plan_id, tour_idx, stop, status, note, at, recorded_at, actual)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
                 ON CONFLICT (plan_id, tour_idx, stop) DO UPDATE SET
                   status = excluded.status, note = excluded.note, at = excluded.at,
                   recorded_at = excluded.recorded_at, actual = excluded.actual",
                params![
                    plan_id,
                    tour as i64,
                    s.stop as i64,
                    s.status.as_str(),
                    s.note,
                    s.at,
                    s.recorded_at,
                    serde_json::to_string(&s.actual).ok()
                ],
            )?;
            Ok(())
        })
    }

    fn follow(&self, from: &str, to: &str, kept: &[String], now: &str) -> StoreResult<()> {
        self.with(|c| {
            let tx = c.transaction()?;
            let pairs: Vec<(i64, i64, String, String, String, String, String)> = {
                let mut st = tx.prepare(
                    "SELECT a.idx, b.idx, a.tour_id, a.token, a.expires_at, b.token, b.expires_at
                     FROM tours a JOIN tours b ON a.tour_id = b.tour_id
                     WHERE a.plan_id = ?1 AND b.plan_id = ?2",
                )?;
                let rows = st.query_map(params![from, to], |r| {
                    Ok((
                        r.get(0)?,
                        r.get(1)?,
                        r.get(2)?,
                        r.get(3)?,
                        r.get(4)?,
                        r.get(5)?,
                        r.get(6)?,
                    ))
                })?;
                rows.collect::<rusqlite::Result<_>>()?
            };
            let set =
                "UPDATE tours SET token = ?3, expires_at = ?4 WHERE plan_id = ?1 AND idx = ?2";
            for (old, new, tour_id, old_token, old_until, new_token, new_until) in pairs {
                // A live link moves to the new tour; a revoked one stays dead.
                if old_until.as_str() > now {
                    let parked = format!("moving-{}", super::super::token());
                    tx.execute(set, params![from, old, parked, old_until])?;
                    tx.execute(set, params![to, new, old_token, old_until])?;
                    tx.execute(set, params![from, old, new_token, new_until])?;
                }
                if kept.contains(&tour_id) {
                    tx.execute(
                        "INSERT OR REPLACE INTO stop_status
                           (plan_id, tour_idx, stop, status, note, at, recorded_at, actual)
                         SELECT ?2, ?4, stop, status, note, at, recorded_at, actual
                         FROM stop_status WHERE plan_id = ?1 AND tour_idx = ?3",
                        params![from, to, old, new],
                    )?;
                    tx.execute(
                        "INSERT OR REPLACE INTO proofs
                           (plan_id, tour_idx, stop, kind, media_type, bytes, recorded_at)
                         SELECT ?2, ?4, stop, kind, media_type, bytes, recorded_at
                         FROM proofs WHERE plan_id = ?1 AND tour_idx = ?3",
                        params![from, to, old, new],
                    )?;
                }
            }
            tx.commit()
        })
    }

    fn put_proof(&self, plan_id: &str, tour: usize, stop: usize, p: &Proof) -> StoreResult<()> {
        self.with(|c| {
            c.execute(
                "INSERT INTO proofs (plan_id, tour_idx, stop, kind, media_type, bytes, recorded_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                 ON CONFLICT (plan_id, tour_idx, stop, kind) DO UPDATE SET
                   media_type = excluded.media_type, bytes = excluded.bytes,
                   recorded_at = excluded.recorded_at",
                params![
                    plan_id,
                    tour as i64,
                    stop as i64,
                    p.kind,
                    p.media_type,
                    p.bytes,
                    p.recorded_at
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
        self.with(|c| {
            c.query_row(
                "SELECT media_type, bytes, recorded_at FROM proofs
                 WHERE plan_id = ?1 AND tour_idx = ?2 AND stop = ?3 AND kind = ?4",
                params![plan_id, tour as i64, stop as i64, kind],
                |r| {
                    Ok(Proof {
                        kind: kind.to_string(),
                        media_type: r.get(0)?,
                        bytes: r.get(1)?,
                        recorded_at: r.get(2)?,
                    })
                },
            )
            .optional()
        })
    }

    fn put_job(&self, j: &JobRecord, input: Option<&JobInput>) -> StoreResult<()> {
        // The input is dropped once the job is over: it was only kept to
        // start the job again after a crash.
        let over = j.state.is_over();
        self.with(|c| {
            c.execute(
                "INSERT INTO jobs (id, state, created_at, created_by, plan_id, error, problem, previous, organisation)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?10)
                 ON CONFLICT (id) DO UPDATE SET state = excluded.state,
                   plan_id = excluded.plan_id, error = excluded.error,
                   problem = CASE WHEN ?9 THEN NULL ELSE jobs.problem END",
                params![
                    j.id,
                    j.state.as_str(),
                    j.created_at,
                    j.created_by,
                    j.plan_id,
                    j.error,
                    input.map(|i| i.problem.as_str()),
                    input.and_then(|i| i.previous.as_deref()),
                    over,
                    j.organisation
                ],
            )?;
            Ok(())
        })
    }

    fn interrupted_jobs(&self) -> StoreResult<Vec<(JobRecord, JobInput, u32)>> {
        self.with(|c| {
            let mut st = c.prepare(
                "SELECT id, state, created_at, created_by, plan_id, error, organisation, problem, previous, restarts
                 FROM jobs WHERE state IN ('queued', 'running') ORDER BY created_at, id",
            )?;
            let rows = st.query_map([], |r| {
                Ok((
                    job_row(r)?,
                    JobInput {
                        problem: r.get::<_, Option<String>>(7)?.unwrap_or_default(),
                        previous: r.get(8)?,
                    },
                    r.get::<_, i64>(9)?.max(0) as u32,
                ))
            })?;
            rows.collect()
        })
    }

    fn get_geocode(&self, query: &str) -> StoreResult<Option<String>> {
        self.with(|c| {
            c.query_row(
                "SELECT answer FROM geocodes WHERE query = ?1",
                [query],
                |r| r.get(0),
            )
            .optional()
        })
    }

    fn put_geocode(&self, query: &str, answer: &str, at: &str) -> StoreResult<()> {
        self.with(|c| {
            c.execute(
                "INSERT INTO geocodes (query, answer, at) VALUES (?1, ?2, ?3)
                 ON CONFLICT (query) DO UPDATE SET answer = excluded.answer, at = excluded.at",
                params![query, answer, at],
            )?;
            Ok(())
        })
    }

    fn get_setup(&self, organisation: &str) -> StoreResult<Option<String>> {
        self.with(|c| {
            c.query_row(
                "SELECT doc FROM setups WHERE organisation = ?1",
                [organisation],
                |r| r.get(0),
            )
            .optional()
        })
    }

    fn put_setup(&self, organisation: &str, doc: &str, at: &str) -> StoreResult<()> {
        self.with(|c| {
            c.execute(
                "INSERT INTO setups (organisation, doc, updated_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT (organisation) DO UPDATE SET doc = excluded.doc, updated_at = excluded.updated_at",
                params![organisation, doc, at],
            )?;
            Ok(())
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
                "SELECT id, state, created_at, created_by, plan_id, error, organisation FROM jobs WHERE id = ?1",
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
        state: JobState::stored(&r.get::<_, String>(1)?),
        created_at: r.get(2)?,
        created_by: r.get(3)?,
        plan_id: r.get(4)?,
        error: r.get(5)?,
        organisation: r.get(6)?,
    })
}
