//! One server per database: a lock file beside it (`FILE.lock`). A second
//! server on the same file would take over the jobs the first is running.

use std::fs::File;
use std::path::Path;

use super::{StoreError, StoreResult};

/// Takes the lock file beside the database (`FILE.lock`), or says that a
/// live process holds it. The operating system drops the lock when the
/// process ends, even by kill -9.
pub fn take(path: &Path) -> StoreResult<File> {
    let mut name = path.as_os_str().to_owned();
    name.push(".lock");
    let file = File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&name)
        .map_err(|e| StoreError(format!("cannot open the lock file: {e}")))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => Err(StoreError(
            "another tournee server is using this database (its lock file is held); stop it, or give this one another --db".into(),
        )),
        Err(std::fs::TryLockError::Error(e)) => {
            Err(StoreError(format!("cannot lock the database: {e}")))
        }
    }
}
