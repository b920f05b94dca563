//! Jobs held under a lease by one of several servers sharing the database
//! (see `server/cluster.rs`): held, renewed with their progress, taken over
//! once the lease has run out, and cancelled from any server.

use super::{job_row, Postgres, JOB};
use crate::server::status::JobState;
use crate::server::store::{JobInput, JobRecord, Renewal, StoreResult};

/// The database's clock, in milliseconds since 1970: leases are measured
/// by it, whatever the servers' clocks say.
const NOW_MS: &str = "(extract(epoch FROM clock_timestamp()) * 1000)::BIGINT";

fn lease_ms(lease_s: f64) -> i64 {
    (lease_s.clamp(1.0, 3600.0) * 1000.0) as i64
}

impl Postgres {
    pub(super) fn hold(&self, id: &str, instance: &str, lease_s: f64) -> StoreResult<()> {
        let lease = lease_ms(lease_s);
        self.with(|c| {
            c.execute(
                &format!(
                    "UPDATE jobs SET instance = $2, lease_until_ms = {NOW_MS} + $3 WHERE id = $1"
                ),
                &[&id, &instance, &lease],
            )?;
            Ok(())
        })
    }

    pub(super) fn renew(
        &self,
        instance: &str,
        lease_s: f64,
        jobs: &[(String, String)],
    ) -> StoreResult<Renewal> {
        let lease = lease_ms(lease_s);
        self.with(|c| {
            let mut tx = c.transaction()?;
            let mut found = Renewal::default();
            for (id, progress) in jobs {
                let row = tx.query_opt(
                    &format!(
                        "UPDATE jobs SET lease_until_ms = {NOW_MS} + $3, progress = $4
                         WHERE id = $1 AND instance = $2 RETURNING cancel_requested"
                    ),
                    &[id, &instance, &lease, progress],
                )?;
                match row {
                    None => found.lost.push(id.clone()),
                    Some(r) if r.get::<_, i64>(0) != 0 => found.cancelled.push(id.clone()),
                    Some(_) => {}
                }
            }
            tx.commit()?;
            Ok(found)
        })
    }

    pub(super) fn claim(
        &self,
        instance: &str,
        lease_s: f64,
        n: usize,
    ) -> StoreResult<Vec<(JobRecord, JobInput, u32)>> {
        let (lease, n) = (lease_ms(lease_s), n.min(1000) as i64);
        self.with(|c| {
            // Each expired job goes to one instance: the rows another one
            // is claiming at the same moment are skipped, not waited for.
            let rows = c.query(
                &format!(
                    "UPDATE jobs SET instance = $1, lease_until_ms = {NOW_MS} + $2,
                       restarts = restarts + 1, progress = NULL
                     WHERE id IN (SELECT id FROM jobs
                       WHERE state IN ('queued', 'running') AND lease_until_ms < {NOW_MS}
                       ORDER BY created_at, id LIMIT $3 FOR UPDATE SKIP LOCKED)
                     RETURNING {JOB}, problem, previous, restarts - 1, cancel_requested"
                ),
                &[&instance, &lease, &n],
            )?;
            let mut claimed: Vec<(JobRecord, JobInput, u32)> = rows
                .iter()
                .map(|r| {
                    let mut record = job_row(r);
                    if r.get::<_, i64>(10) != 0 {
                        record.state = JobState::Cancelled;
                    }
                    (
                        record,
                        JobInput {
                            problem: r.get::<_, Option<String>>(7).unwrap_or_default(),
                            previous: r.get(8),
                        },
                        r.get::<_, i64>(9).clamp(0, u32::MAX as i64) as u32,
                    )
                })
                .collect();
            claimed.sort_by(|a, b| (&a.0.created_at, &a.0.id).cmp(&(&b.0.created_at, &b.0.id)));
            Ok(claimed)
        })
    }

    pub(super) fn holder(&self, id: &str) -> StoreResult<Option<String>> {
        self.with(|c| {
            Ok(
                c.query_opt("SELECT instance FROM jobs WHERE id = $1", &[&id])?
                    .and_then(|r| r.get(0)),
            )
        })
    }

    pub(super) fn ask_cancel(&self, id: &str) -> StoreResult<bool> {
        self.with(|c| {
            Ok(c.execute(
                "UPDATE jobs SET cancel_requested = 1
                 WHERE id = $1 AND state IN ('queued', 'running')",
                &[&id],
            )? > 0)
        })
    }

    pub(super) fn progress(&self, id: &str) -> StoreResult<Option<String>> {
        self.with(|c| {
            Ok(
                c.query_opt("SELECT progress FROM jobs WHERE id = $1", &[&id])?
                    .and_then(|r| r.get(0)),
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::server::status::JobState;
    use crate::server::store::tests::fresh_postgres;
    use crate::server::store::{JobInput, JobRecord, Postgres, Renewal, Store};

    #[test]
    fn a_job_is_held_under_a_lease_and_taken_over_once_it_runs_out() {
        let Some(url) = fresh_postgres() else { return };
        let (a, b) = (
            Postgres::open(&url).expect("a"),
            Postgres::open(&url).expect("b"),
        );
        let job = JobRecord {
            id: "j1".into(),
            state: JobState::Running,
            created_at: "2026-11-30T08:00:00Z".into(),
            created_by: "camille".into(),
            organisation: "refurbA".into(),
            plan_id: None,
            error: None,
        };
        let input = JobInput {
            problem: "{\"week\":1}".into(),
            previous: None,
        };
        a.put_job(&job, Some(&input)).expect("job");
        // A new job is not anyone's to take for a minute, then its server holds it.
        assert!(b.claim_expired("B", 1.0, 10).expect("claim").is_empty());
        a.hold_job("j1", "A", 1.0).expect("hold");
        assert_eq!(b.job_holder("j1").expect("holder").as_deref(), Some("A"));
        let held = [("j1".to_string(), "{\"iterations\":7}".to_string())];
        assert_eq!(
            a.renew_jobs("A", 1.0, &held).expect("renew"),
            Renewal::default()
        );
        assert_eq!(
            b.job_progress("j1").expect("progress").as_deref(),
            Some("{\"iterations\":7}")
        );
        assert!(
            b.claim_expired("B", 1.0, 10).expect("claim").is_empty(),
            "A's lease runs"
        );
        std::thread::sleep(std::time::Duration::from_millis(1200));
        let taken = b.claim_expired("B", 1.0, 10).expect("claim");
        assert_eq!(taken.len(), 1, "taken over once A stopped renewing");
        assert_eq!(
            (taken[0].0.id.as_str(), &taken[0].1, taken[0].2),
            ("j1", &input, 0)
        );
        assert!(
            a.claim_expired("A", 1.0, 10).expect("claim").is_empty(),
            "B holds it now"
        );
        assert_eq!(a.renew_jobs("A", 1.0, &held).expect("renew").lost, ["j1"]);
        // A cancel asked through A reaches B, which holds it.
        assert!(a.request_cancel("j1").expect("cancel"));
        assert_eq!(
            b.renew_jobs("B", 1.0, &held).expect("renew").cancelled,
            ["j1"]
        );
        let mut over = job.clone();
        over.state = JobState::Cancelled;
        b.put_job(&over, None).expect("job");
        assert!(
            !a.request_cancel("j1").expect("cancel"),
            "an ended job cannot be cancelled"
        );
        std::thread::sleep(std::time::Duration::from_millis(1200));
        assert!(
            a.claim_expired("A", 1.0, 10).expect("claim").is_empty(),
            "an ended job is nobody's"
        );
    }
}
