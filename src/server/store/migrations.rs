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
];
