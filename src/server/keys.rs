//! Who may call the API: keys, each belonging to one organisation with one
//! role. A regional network of refurbishers shares one deployment; each
//! organisation sees only its own set-up, plans, tours and reports, and a
//! network key reads the figures of all of them and nothing personal.
//!
//! Keys come from the operator: a CSV file (`--keys FILE`, header
//! `organisation,role,name,key`, the key as given or as `sha256:HEX` so the
//! file need not hold the secret), read again whenever it changes so that a
//! key is rotated without a restart; or the older `--api-keys name:key`
//! pairs, which are coordinators of the organisation `default`.

use std::path::{Path, PathBuf};
use std::sync::RwLock;
use std::time::SystemTime;

use sha2::{Digest, Sha256};

/// The organisation of the single-user mode and of `--api-keys` keys.
pub const DEFAULT_ORGANISATION: &str = "default";

/// What a key may do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// Plans, re-plans, imports and the organisation's set-up: everything.
    Coordinator,
    /// Reads the organisation's plans, tours and reports; changes nothing.
    Manager,
    /// Reads the figures of every organisation (`GET /api/v1/reports`)
    /// and nothing else: no plan, no contact, no photo.
    Network,
}

impl Role {
    fn parse(s: &str) -> Option<Role> {
        match s {
            "coordinator" => Some(Role::Coordinator),
            "manager" => Some(Role::Manager),
            "network" => Some(Role::Network),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Role::Coordinator => "coordinator",
            Role::Manager => "manager",
            Role::Network => "network",
        }
    }

    /// Whether this role may make a request with `method` on the route
    /// `pattern` (actix's matched pattern, such as `/api/v1/plans/{id}`).
    pub fn allows(self, method: &str, pattern: &str) -> bool {
        let reads = matches!(method, "GET" | "HEAD");
        match self {
            Role::Coordinator => true,
            // Reads; stored proofs are a coordinator's (they hold faces
            // and signatures).
            Role::Manager => reads && !pattern.ends_with("/{kind}"),
            Role::Network => reads && pattern == "/api/v1/reports",
        }
    }
}

/// One key, as the operator configured it.
#[derive(Clone, Debug)]
pub struct Key {
    pub organisation: String,
    pub role: Role,
    pub name: String,
    secret: Secret,
}

#[derive(Clone, Debug)]
enum Secret {
    Plain(String),
    Sha256([u8; 32]),
}

impl Key {
    /// A coordinator's key of the default organisation (`--api-keys`).
    pub fn coordinator(name: &str, key: &str) -> Key {
        Key {
            organisation: DEFAULT_ORGANISATION.into(),
            role: Role::Coordinator,
            name: name.into(),
            secret: Secret::Plain(key.into()),
        }
    }

    fn opens(&self, given: &str) -> bool {
        match &self.secret {
            Secret::Plain(k) => constant_time_eq(k.as_bytes(), given.as_bytes()),
            Secret::Sha256(h) => constant_time_eq(h, &Sha256::digest(given.as_bytes())),
        }
    }
}

/// Compares secrets without leaking where they differ through timing.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The configured keys: fixed ones, and those of a file read again when it
/// changes.
pub struct Keys {
    fixed: Vec<Key>,
    file: Option<PathBuf>,
    /// The file's keys, as last read.
    loaded: RwLock<Vec<Key>>,
    /// The file's time (and size) last looked at, read or not: a broken
    /// or vanished file is reported once, not on every request.
    seen: RwLock<Option<(SystemTime, u64)>>,
}

impl Keys {
    /// The keys of `--api-keys` and of `--keys FILE`; a file that cannot be
    /// read or holds a mistake is refused here, at start-up, with the line.
    pub fn new(pairs: &[(String, String)], file: Option<&Path>) -> Result<Keys, String> {
        let fixed = pairs.iter().map(|(n, k)| Key::coordinator(n, k)).collect();
        // Stamped before reading: a change while it is read is read next.
        let seen = file.and_then(stamp);
        let loaded = match file {
            Some(f) => read(f)?,
            None => Vec::new(),
        };
        Ok(Keys {
            fixed,
            file: file.map(Path::to_path_buf),
            loaded: RwLock::new(loaded),
            seen: RwLock::new(seen),
        })
    }

    /// No key at all: the local single-user mode.
    pub fn is_empty(&self) -> bool {
        self.fixed.is_empty() && self.file.is_none()
    }

    /// The key `given` opens, the file being read again first if it
    /// changed. A file changed into a mistake keeps the keys it had (and
    /// the mistake is logged), so a typo does not lock everyone out.
    pub fn find(&self, given: &str) -> Option<Key> {
        self.refresh();
        if let Some(k) = self.fixed.iter().find(|k| k.opens(given)) {
            return Some(k.clone());
        }
        let loaded = self.loaded.read().ok()?;
        loaded.iter().find(|k| k.opens(given)).cloned()
    }

    fn refresh(&self) {
        let Some(file) = &self.file else { return };
        let now = stamp(file);
        let before = self.seen.read().ok().and_then(|s| *s);
        if now == before {
            return;
        }
        if let Ok(mut s) = self.seen.write() {
            *s = now;
        }
        if now.is_none() {
            // Keeping the keys beats locking everyone out; the log says it.
            tracing::error!(file = %file.display(), "keys file missing; the earlier keys stay until it is back");
            return;
        }
        match read(file) {
            Ok(fresh) => {
                if let Ok(mut l) = self.loaded.write() {
                    tracing::info!(keys = fresh.len(), file = %file.display(), "keys read again");
                    *l = fresh;
                }
            }
            Err(e) => {
                tracing::error!(error = %e, "keys file not read again; the earlier keys stay")
            }
        }
    }
}

/// A file's modification time and size: a rewrite within the same time
/// tick usually changes the size.
fn stamp(file: &Path) -> Option<(SystemTime, u64)> {
    let m = std::fs::metadata(file).ok()?;
    Some((m.modified().ok()?, m.len()))
}

/// Reads a keys file: `organisation,role,name,key` rows.
fn read(file: &Path) -> Result<Vec<Key>, String> {
    let text = std::fs::read_to_string(file).map_err(|e| format!("{}: {e}", file.display()))?;
    parse(&text).map_err(|e| format!("{}: {e}", file.display()))
}

/// The keys of a keys file's text.
pub fn parse(text: &str) -> Result<Vec<Key>, String> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .comment(Some(b'#'))
        .from_reader(text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| e.to_string())?
        .iter()
        .map(str::to_string)
        .collect();
    if header != ["organisation", "role", "name", "key"] {
        return Err("the first line must be `organisation,role,name,key`".into());
    }
    let mut keys: Vec<Key> = Vec::new();
    for row in reader.records() {
        let row = row.map_err(|e| e.to_string())?;
        let line = row.position().map_or(0, |p| p.line());
        let field = |k: usize| row.get(k).unwrap_or_default();
        let (organisation, role, name, key) = (field(0), field(1), field(2), field(3));
        if organisation.is_empty() || organisation.len() > 100 || organisation.contains('/') {
            return Err(format!(
                "line {line}: `organisation` is 1 to 100 characters, without `/`"
            ));
        }
        let role = Role::parse(role).ok_or_else(|| {
            format!("line {line}: role `{role}` is not one of coordinator, manager, network")
        })?;
        if name.is_empty() || name.len() > 100 || name.contains('/') {
            return Err(format!(
                "line {line}: `name` is 1 to 100 characters, without `/`"
            ));
        }
        let secret = match key.strip_prefix("sha256:") {
            Some(hex) => Secret::Sha256(
                unhex(hex)
                    .ok_or_else(|| format!("line {line}: `sha256:` takes 64 hexadecimal digits"))?,
            ),
            None if key.len() >= 16 => Secret::Plain(key.to_string()),
            None => return Err(format!("line {line}: a key has at least 16 characters")),
        };
        if keys.iter().any(|k| match (&k.secret, &secret) {
            (Secret::Plain(a), Secret::Plain(b)) => a == b,
            (Secret::Sha256(a), Secret::Sha256(b)) => a == b,
            (Secret::Plain(a), Secret::Sha256(h)) | (Secret::Sha256(h), Secret::Plain(a)) => {
                Sha256::digest(a.as_bytes()).as_slice() == h
            }
        }) {
            return Err(format!(
                "line {line}: this key is already on an earlier line"
            ));
        }
        if keys
            .iter()
            .any(|k| k.organisation == organisation && k.name == name)
        {
            return Err(format!(
                "line {line}: `{organisation}` already has a key named `{name}`"
            ));
        }
        keys.push(Key {
            organisation: organisation.to_string(),
            role,
            name: name.to_string(),
            secret,
        });
    }
    Ok(keys)
}

fn unhex(hex: &str) -> Option<[u8; 32]> {
    if hex.len() != 64 || !hex.is_ascii() {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, b) in out.iter_mut().enumerate() {
        *b = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).ok()?;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_keys_file_gives_organisations_roles_and_hashed_keys() {
        let hash = format!("{:x}", Sha256::digest(b"secret-of-the-manager"));
        let text = format!(
            "organisation,role,name,key\n# a comment\nrefurbA, coordinator, alice, 0123456789abcdef-A\nrefurbA,manager,bob,sha256:{hash}\nregion,network,pilot,0123456789abcdef-N\n"
        );
        let keys = parse(&text).expect("valid");
        assert_eq!(keys.len(), 3);
        assert!(keys[0].opens("0123456789abcdef-A"));
        assert!(!keys[0].opens("0123456789abcdef-B"));
        assert!(keys[1].opens("secret-of-the-manager"));
        assert!(!keys[1].opens(&hash));
        assert_eq!(keys[1].role, Role::Manager);
        assert_eq!(keys[2].organisation, "region");
    }

    #[test]
    fn mistakes_in_a_keys_file_name_their_line() {
        for (text, says) in [
            ("org,role,name,key\n", "first line"),
            ("organisation,role,name,key\na,boss,n,0123456789abcdef\n", "line 2: role `boss`"),
            ("organisation,role,name,key\na,manager,n,short\n", "line 2: a key has at least 16"),
            ("organisation,role,name,key\na,manager,n,sha256:abc\n", "64 hexadecimal"),
            (
                "organisation,role,name,key\na,manager,n,0123456789abcdef\na,coordinator,n,0123456789abcdeg\n",
                "line 3: `a` already has a key named `n`",
            ),
            ("organisation,role,name,key\n,manager,n,0123456789abcdef\n", "`organisation`"),
            (
                "organisation,role,name,key\n# a comment\na,manager,n,0123456789abcdef\nb,manager,m,0123456789abcdef\n",
                "line 4: this key is already",
            ),
            ("organisation,role,name,key\na,manager,x/y,0123456789abcdef\n", "without `/`"),
        ] {
            let e = parse(text).err().unwrap_or_default();
            assert!(e.contains(says), "{text:?}: {e}");
        }
    }

    #[test]
    fn each_role_reaches_what_it_should() {
        use Role::*;
        assert!(Coordinator.allows("POST", "/api/v1/jobs"));
        assert!(Manager.allows("GET", "/api/v1/plans/{id}"));
        assert!(!Manager.allows("POST", "/api/v1/jobs"));
        assert!(!Manager.allows("PUT", "/api/v1/setup"));
        assert!(!Manager.allows("DELETE", "/api/v1/plans/{id}"));
        assert!(!Manager.allows(
            "GET",
            "/api/v1/plans/{id}/tours/{index}/stops/{stop}/{kind}"
        ));
        assert!(Network.allows("GET", "/api/v1/reports"));
        assert!(!Network.allows("GET", "/api/v1/plans"));
        assert!(!Network.allows("GET", "/api/v1/setup"));
    }

    #[test]
    fn a_changed_file_is_read_again_and_a_broken_one_keeps_the_keys() {
        let dir = tempfile::tempdir().expect("tempdir");
        let f = dir.path().join("keys.csv");
        std::fs::write(
            &f,
            "organisation,role,name,key\na,coordinator,n,0123456789abcdef-1\n",
        )
        .expect("write");
        let keys = Keys::new(&[], Some(&f)).expect("keys");
        assert!(keys.find("0123456789abcdef-1").is_some());
        // A different modification time (some file systems count seconds).
        let later = SystemTime::now() + std::time::Duration::from_secs(5);
        std::fs::write(
            &f,
            "organisation,role,name,key\na,coordinator,n,0123456789abcdef-2\n",
        )
        .expect("write");
        std::fs::File::options()
            .write(true)
            .open(&f)
            .and_then(|h| h.set_modified(later))
            .expect("touch");
        assert!(keys.find("0123456789abcdef-1").is_none());
        assert!(keys.find("0123456789abcdef-2").is_some());
        std::fs::write(&f, "broken").expect("write");
        std::fs::File::options()
            .write(true)
            .open(&f)
            .and_then(|h| h.set_modified(later + std::time::Duration::from_secs(5)))
            .expect("touch");
        assert!(keys.find("0123456789abcdef-2").is_some());
    }
}
