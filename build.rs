//! Builds the web pages (`web/public`) and their vendored libraries
//! (`web/vendor`) into the binary, so that an installed or copied `tournee`
//! serves them from anywhere, with no source tree and no npm: a table of
//! (path, bytes) written to `OUT_DIR/web.rs`, each file by `include_bytes!`
//! (an edited file rebuilds), the folders watched for files added or
//! removed.

use std::path::{Path, PathBuf};

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            files(&path, out);
        } else {
            out.push(path);
        }
    }
}

fn main() {
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| ".".into()));
    let mut table = String::from(
        "/// Every embedded file: its path under the site (no leading slash) and its bytes.\n\
         pub static FILES: &[(&str, &[u8])] = &[\n",
    );
    for (dir, prefix) in [("web/public", ""), ("web/vendor", "vendor/")] {
        println!("cargo:rerun-if-changed={dir}");
        let base = root.join(dir);
        let mut found = Vec::new();
        files(&base, &mut found);
        found.sort();
        for file in found {
            let Ok(rel) = file.strip_prefix(&base) else {
                continue;
            };
            let rel = rel.to_string_lossy().replace('\\', "/");
            table.push_str(&format!(
                "    ({:?}, include_bytes!({:?})),\n",
                format!("{prefix}{rel}"),
                file.to_string_lossy()
            ));
        }
    }
    table.push_str("];\n");
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap_or_else(|_| ".".into()));
    if let Err(e) = std::fs::write(out.join("web.rs"), table) {
        panic!("cannot write the embedded pages' table: {e}");
    }
}
