//! The store's schema, one step per change, applied in order when a
//! database opens (`PRAGMA user_version` counts the steps done). A step is
//! never edited once released: a change is a new step.

/// Schema changes, applied in order; `PRAGMA user_version` counts those done.
pub const MIGRATIONS: &[&str] = &[
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
    r#"
CREATE TABLE setup (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    doc TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
"#,
    r#"
CREATE TABLE geocodes (
    query TEXT PRIMARY KEY,
    answer TEXT NOT NULL,
    at TEXT NOT NULL
);
"#,
    r#"
ALTER TABLE stop_status ADD COLUMN actual TEXT;
"#,
    r#"
CREATE TABLE proofs (
    plan_id TEXT NOT NULL REFERENCES plans(id) ON DELETE CASCADE,
    tour_idx INTEGER NOT NULL,
    stop INTEGER NOT NULL,
    kind TEXT NOT NULL,
    media_type TEXT NOT NULL,
    bytes BLOB NOT NULL,
    recorded_at TEXT NOT NULL,
    PRIMARY KEY (plan_id, tour_idx, stop, kind)
);
"#,
    // Organisations: every plan and job is one organisation's (its tours,
    // statuses, proofs and figures follow its plan), and each has its own
    // set-up. What was stored before belongs to `default`.
    r#"
ALTER TABLE plans ADD COLUMN organisation TEXT NOT NULL DEFAULT 'default';
ALTER TABLE jobs ADD COLUMN organisation TEXT NOT NULL DEFAULT 'default';
CREATE INDEX plans_organisation ON plans (organisation, created_at);
CREATE TABLE setups (
    organisation TEXT PRIMARY KEY,
    doc TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
INSERT INTO setups (organisation, doc, updated_at) SELECT 'default', doc, updated_at FROM setup;
DROP TABLE setup;
"#,
    // Jobs held under a lease by one of several servers sharing a
    // PostgreSQL database; unused on a SQLite file (one server), kept so
    // that both stores have the same columns.
    r#"
ALTER TABLE jobs ADD COLUMN instance TEXT;
ALTER TABLE jobs ADD COLUMN lease_until_ms INTEGER;
ALTER TABLE jobs ADD COLUMN progress TEXT;
ALTER TABLE jobs ADD COLUMN cancel_requested INTEGER NOT NULL DEFAULT 0;
"#,
];

/// The same schema on PostgreSQL, one step per change as above; the table
/// `schema_version` counts the steps done. Its first step is the SQLite
/// schema as it stands after the steps above (no PostgreSQL store existed
/// before); a later change is a new step in both lists, and
/// `store::tests::both_stores_have_the_same_columns` holds them together.
pub const POSTGRES: &[&str] = &[
    r#"
CREATE TABLE plans (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    travel_model TEXT NOT NULL,
    problem TEXT NOT NULL,
    plan TEXT NOT NULL,
    organisation TEXT NOT NULL DEFAULT 'default'
);
CREATE INDEX plans_organisation ON plans (organisation, created_at);
CREATE TABLE tours (
    plan_id TEXT NOT NULL REFERENCES plans(id) ON DELETE CASCADE,
    idx BIGINT NOT NULL,
    tour_id TEXT NOT NULL,
    token TEXT NOT NULL UNIQUE,
    expires_at TEXT NOT NULL DEFAULT '9999-12-31T00:00:00Z',
    view TEXT,
    stops BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (plan_id, idx)
);
CREATE TABLE tour_figures (
    plan_id TEXT NOT NULL REFERENCES plans(id) ON DELETE CASCADE,
    idx BIGINT NOT NULL,
    day TEXT NOT NULL,
    figures TEXT NOT NULL,
    PRIMARY KEY (plan_id, idx)
);
CREATE INDEX tour_figures_day ON tour_figures (day);
CREATE TABLE stop_status (
    plan_id TEXT NOT NULL REFERENCES plans(id) ON DELETE CASCADE,
    tour_idx BIGINT NOT NULL,
    stop BIGINT NOT NULL,
    status TEXT NOT NULL,
    note TEXT NOT NULL,
    at TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    actual TEXT,
    PRIMARY KEY (plan_id, tour_idx, stop)
);
CREATE TABLE proofs (
    plan_id TEXT NOT NULL REFERENCES plans(id) ON DELETE CASCADE,
    tour_idx BIGINT NOT NULL,
    stop BIGINT NOT NULL,
    kind TEXT NOT NULL,
    media_type TEXT NOT NULL,
    bytes BYTEA NOT NULL,
    recorded_at TEXT NOT NULL,
    PRIMARY KEY (plan_id, tour_idx, stop, kind)
);
CREATE TABLE jobs (
    id TEXT PRIMARY KEY,
    state TEXT NOT NULL,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    plan_id TEXT,
    error TEXT,
    problem TEXT,
    previous TEXT,
    restarts BIGINT NOT NULL DEFAULT 0,
    organisation TEXT NOT NULL DEFAULT 'default'
);
CREATE TABLE setups (
    organisation TEXT PRIMARY KEY,
    doc TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE geocodes (
    query TEXT PRIMARY KEY,
    answer TEXT NOT NULL,
    at TEXT NOT NULL
);
"#,
    // Several servers on one database: each job is held by one instance
    // under a lease (milliseconds since 1970 by the database's clock, so
    // that the servers' clocks do not matter), renewed while it runs; its
    // progress is kept for the other instances, and a cancel from any of
    // them is a flag its holder reads. A new job's lease runs one minute
    // until its instance holds it.
    r#"
ALTER TABLE jobs ADD COLUMN instance TEXT;
ALTER TABLE jobs ADD COLUMN lease_until_ms BIGINT
    DEFAULT (extract(epoch FROM clock_timestamp()) * 1000)::BIGINT + 60000;
ALTER TABLE jobs ADD COLUMN progress TEXT;
ALTER TABLE jobs ADD COLUMN cancel_requested BIGINT NOT NULL DEFAULT 0;
CREATE INDEX jobs_unfinished ON jobs (lease_until_ms) WHERE state IN ('queued', 'running');
"#,
];

#[cfg(test)]
mod tests {
    use super::MIGRATIONS;
    use crate::server::store::{Sqlite, Store};

    #[test]
    fn what_was_stored_before_organisations_belongs_to_default() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("old.db");
        {
            // A file of the version before organisations, with a plan, a
            // job and the set-up.
            let conn = rusqlite::Connection::open(&path).expect("open");
            for sql in &MIGRATIONS[..6] {
                conn.execute_batch(sql).expect("old schema");
            }
            conn.pragma_update(None, "user_version", 6)
                .expect("version");
            conn.execute_batch(
                "INSERT INTO plans (id, name, created_at, created_by, travel_model, problem, plan)
                   VALUES ('p1', 'week', '2026-11-30T08:00:00Z', 'camille', 'haversine', '{}', '{}');
                 INSERT INTO jobs (id, state, created_at, created_by) VALUES ('j1', 'done', '2026-11-30T08:00:00Z', 'camille');
                 INSERT INTO setup (id, doc, updated_at) VALUES (1, '{\"name\": \"Rouen\"}', '2026-11-30T08:00:00Z');",
            )
            .expect("old rows");
        }
        let store = Sqlite::open(&path).expect("migrated");
        let plans = store.list_plans("default").expect("plans");
        assert_eq!(plans.len(), 1);
        assert_eq!(plans[0].organisation, "default");
        assert!(store.list_plans("refurbA").expect("plans").is_empty());
        assert_eq!(
            store.plan_organisation("p1").expect("owner").as_deref(),
            Some("default")
        );
        let job = store.get_job("j1").expect("job").expect("kept");
        assert_eq!(job.organisation, "default");
        assert!(store
            .get_setup("default")
            .expect("setup")
            .is_some_and(|d| d.contains("Rouen")));
        assert!(store.get_setup("refurbA").expect("setup").is_none());
    }
}
