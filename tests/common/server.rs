//! A real `tournee serve` on 127.0.0.1 (port 0) with a real SQLite file, for
//! the end-to-end tests of the HTTP API.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Stdio};
use std::time::Duration;

use reqwest::blocking::Client;
use serde_json::Value;

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
        let mut cmd = super::bin();
        cmd.args(["serve", "--addr", "127.0.0.1:0", "--db"])
            .arg(db)
            .args(args)
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
