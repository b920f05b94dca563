//! A `tournee` binary copied anywhere serves every page and its libraries:
//! the pages and the vendored Leaflet and QR-code library are built into it
//! (build.rs), so nothing is read from the source tree. Run from a
//! temporary folder with a copy of the binary, every file of `web/public`
//! and `web/vendor` is served byte for byte with its media type, an ETag
//! answers 304, and the binary stays small.

mod common;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use reqwest::StatusCode;

fn every_file(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("folder").flatten() {
        let path = entry.path();
        if path.is_dir() {
            every_file(&path, out);
        } else {
            out.push(path);
        }
    }
}

#[test]
fn a_copied_binary_serves_every_page_and_library_from_anywhere() {
    let dir = tempfile::tempdir().expect("tempdir");
    let copy = dir.path().join("tournee");
    std::fs::copy(env!("CARGO_BIN_EXE_tournee"), &copy).expect("copy the binary");
    let size = std::fs::metadata(&copy).expect("size").len();
    // Release builds carry no debug info (a debug build is larger).
    if !cfg!(debug_assertions) {
        assert!(size < 30 * 1024 * 1024, "the binary is {size} bytes");
    }
    let mut child = Command::new(&copy)
        .args(["serve", "--addr", "127.0.0.1:0", "--db"])
        .arg(dir.path().join("t.db"))
        .current_dir(dir.path())
        .env_remove("TOURNEE_WEB_DIR")
        .env_remove("TOURNEE_API_KEYS")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the copy");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("the listening line");
    let base = line
        .trim()
        .strip_prefix("listening on ")
        .expect("listening on URL")
        .to_string();
    let http = common::server::client();

    let repo = common::repo();
    let mut files = Vec::new();
    for (folder, prefix) in [("web/public", ""), ("web/vendor", "vendor/")] {
        let root = repo.join(folder);
        let mut found = Vec::new();
        every_file(&root, &mut found);
        for f in found {
            let rel = f
                .strip_prefix(&root)
                .expect("inside")
                .to_string_lossy()
                .replace('\\', "/");
            files.push((format!("{prefix}{rel}"), f));
        }
    }
    assert!(files.len() > 20, "{} files", files.len());
    for (path, file) in &files {
        let r = http.get(format!("{base}/{path}")).send().expect("get");
        assert_eq!(r.status(), StatusCode::OK, "{path}");
        let kind = r.headers()["content-type"]
            .to_str()
            .unwrap_or("")
            .to_string();
        let expected = match path.rsplit('.').next() {
            Some("html") => "text/html",
            Some("js") => "text/javascript",
            Some("css") => "text/css",
            Some("json") => "application/json",
            Some("png") => "image/png",
            Some("csv") => "text/csv",
            _ => "",
        };
        assert!(kind.starts_with(expected), "{path}: {kind}");
        let bytes = r.bytes().expect("body");
        assert_eq!(
            bytes.as_ref(),
            std::fs::read(file).expect("the source file").as_slice(),
            "{path}"
        );
    }
    // The board at `/`, revalidated cheaply, and nothing else.
    let r = http.get(format!("{base}/")).send().expect("board");
    assert_eq!(r.status(), StatusCode::OK);
    let tag = r.headers()["etag"].to_str().expect("etag").to_string();
    assert!(r.text().expect("html").contains("<html lang=\"fr\">"));
    let again = http
        .get(format!("{base}/"))
        .header("if-none-match", &tag)
        .send()
        .expect("again");
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    let missing = http
        .get(format!("{base}/nope.html"))
        .send()
        .expect("missing");
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    assert_eq!(common::server::json_of(missing)["error"], "not_found");
    let post = http
        .post(format!("{base}/index.html"))
        .send()
        .expect("post");
    assert_eq!(post.status(), StatusCode::METHOD_NOT_ALLOWED);
    let _ = child.kill();
    let _ = child.wait();
}
