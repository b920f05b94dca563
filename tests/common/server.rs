//! A real `tournee serve` on 127.0.0.1 (port 0) with a real SQLite file, for
//! the end-to-end tests of the HTTP API; or, with `TOURNEE_TEST_STORE=postgres`,
//! a database of its own on the real PostgreSQL server of
//! `scripts/postgres-test-server.sh` (one per file path the test names, so a
//! server started again on the same path finds its data).

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Stdio};
use std::time::Duration;

use reqwest::blocking::Client;
use reqwest::StatusCode;
use serde_json::Value;

/// What `--db` gets for the database file `db`: the file, or under
/// `TOURNEE_TEST_STORE=postgres` the URL of the PostgreSQL database that
/// stands for it (created the first time).
pub fn db_arg(db: &Path) -> std::ffi::OsString {
    use std::collections::HashMap;
    use std::sync::{Mutex, OnceLock};
    if std::env::var("TOURNEE_TEST_STORE").as_deref() != Ok("postgres") {
        return db.as_os_str().to_owned();
    }
    static DATABASES: OnceLock<Mutex<HashMap<std::path::PathBuf, String>>> = OnceLock::new();
    let mut known = DATABASES
        .get_or_init(Default::default)
        .lock()
        .expect("databases");
    let n = known.len();
    let url = known
        .entry(db.to_path_buf())
        .or_insert_with(|| new_database(&format!("http_{}_{n}", std::process::id())));
    url.clone().into()
}

/// Creates database `name` on the test PostgreSQL server; its URL.
pub fn new_database(name: &str) -> String {
    let base = std::env::var("TOURNEE_TEST_POSTGRES")
        .ok()
        .or_else(|| {
            let env = std::fs::read_to_string(super::repo().join("target/postgres/env")).ok()?;
            env.trim()
                .strip_prefix("TOURNEE_TEST_POSTGRES=")
                .map(String::from)
        })
        .expect("TOURNEE_TEST_STORE=postgres: run scripts/postgres-test-server.sh start");
    let admin = format!("{base}/postgres");
    let mut admin = postgres::Client::connect(&admin, postgres::NoTls).expect("test PostgreSQL");
    admin
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .expect("create database");
    format!("{base}/{name}")
}

/// A running server, stopped when dropped.
pub struct Server {
    pub child: Child,
    pub url: String,
}

impl Server {
    pub fn start(db: &Path, env: &[(&str, &str)], args: &[&str]) -> Server {
        Self::start_logged(db, env, args, None)
    }

    /// Starts a server whose log (stderr) goes to `log` when given.
    pub fn start_logged(
        db: &Path,
        env: &[(&str, &str)],
        args: &[&str],
        log: Option<&Path>,
    ) -> Server {
        Self::start_on(&db_arg(db), env, args, log)
    }

    /// Starts a server on `db` as `--db` takes it (a file or a URL), with
    /// a short job lease (a restarted server on PostgreSQL takes its jobs
    /// back once their lease has run out).
    pub fn start_on(
        db: &std::ffi::OsStr,
        env: &[(&str, &str)],
        args: &[&str],
        log: Option<&Path>,
    ) -> Server {
        let mut cmd = super::bin();
        cmd.args(["serve", "--addr", "127.0.0.1:0", "--db"])
            .arg(db)
            .args(args)
            .env("TOURNEE_JOB_LEASE", "3")
            .env_remove("TOURNEE_API_KEYS")
            .stdout(Stdio::piped());
        match log {
            Some(path) => cmd.stderr(std::fs::File::create(path).expect("log file")),
            None => cmd.stderr(Stdio::null()),
        };
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().expect("start tournee serve");
        let stdout = child.stdout.take().expect("stdout");
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("read the listening line");
        let url = line
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("unexpected first line `{line}`"))
            .to_string();
        Server { child, url }
    }

    pub fn at(&self, path: &str) -> String {
        format!("{}{path}", self.url)
    }

    /// The `host:port` the server listens on.
    pub fn authority(&self) -> String {
        self.url.trim_start_matches("http://").to_string()
    }

    pub fn stop(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn client() -> Client {
    Client::builder()
        .timeout(Duration::from_secs(60))
        .build()
        .expect("client")
}

pub fn json_of(r: reqwest::blocking::Response) -> Value {
    r.json().expect("a JSON body")
}

/// Polls job `id` until it has a plan (panics if it fails or takes more
/// than `seconds`); the plan's id.
pub fn plan_of_job(http: &Client, server: &Server, id: &str, seconds: u64) -> String {
    let until = std::time::Instant::now() + Duration::from_secs(seconds);
    loop {
        let v = json_of(
            http.get(server.at(&format!("/api/v1/jobs/{id}")))
                .send()
                .expect("job status"),
        );
        if let Some(p) = v["plan_id"].as_str() {
            return p.to_string();
        }
        assert!(
            v["state"] != "failed" && std::time::Instant::now() < until,
            "job: {v}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The share tokens of a stored plan, in tour order.
pub fn share_tokens(http: &Client, server: &Server, plan_id: &str) -> Vec<String> {
    let stored = json_of(
        http.get(server.at(&format!("/api/v1/plans/{plan_id}")))
            .send()
            .expect("plan"),
    );
    stored["share"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|s| s["token"].as_str().map(String::from))
        .collect()
}

/// The server is alive and still plans: `/healthz`, then a good solve.
pub fn still_serves(server: &Server) {
    let http = client();
    let health = http.get(server.at("/healthz")).send().expect("healthz");
    assert_eq!(health.status(), StatusCode::OK);
    let r = http
        .post(server.at("/api/v1/solve"))
        .json(&super::small_problem())
        .send()
        .expect("a good solve");
    assert_eq!(r.status(), StatusCode::OK, "{:?}", r.text());
}

/// Posts `body` as JSON to `path`; the status and the JSON answer.
pub fn post(http: &Client, server: &Server, path: &str, body: &Value) -> (StatusCode, Value) {
    let r = http.post(server.at(path)).json(body).send().expect("post");
    let status = r.status();
    (status, r.json().unwrap_or(Value::Null))
}

/// Every field path the error names (its `field` and its `errors`).
pub fn fields(e: &Value) -> Vec<String> {
    let mut out: Vec<String> = e["field"].as_str().map(String::from).into_iter().collect();
    for x in e["errors"].as_array().into_iter().flatten() {
        out.extend(x["field"].as_str().map(String::from));
    }
    out
}

/// A server on a new SQLite file in `dir`.
pub fn server(dir: &tempfile::TempDir, args: &[&str]) -> Server {
    Server::start(&dir.path().join("t.db"), &[], args)
}

/// A stored plan's id and share tokens, from a quick job.
pub fn plan_with_tokens(http: &Client, server: &Server) -> (String, Vec<String>) {
    let (status, job) = post(http, server, "/api/v1/jobs", &super::small_problem());
    assert_eq!(status, StatusCode::ACCEPTED, "{job}");
    let plan_id = plan_of_job(http, server, job["id"].as_str().expect("id"), 30);
    let tokens = share_tokens(http, server, &plan_id);
    (plan_id, tokens)
}
