//! The connections: a few kept open between calls, each call run on a
//! short-lived thread of its own (see the parent module's doc).

use postgres::{Client, NoTls};

use super::Postgres;
use crate::server::store::{StoreError, StoreResult};

/// Connections kept open between calls.
const IDLE: usize = 8;

impl From<postgres::Error> for StoreError {
    fn from(e: postgres::Error) -> Self {
        match e.as_db_error() {
            Some(db) => StoreError(format!("postgres: {}", db.message())),
            None => StoreError(format!("postgres: {e}")),
        }
    }
}

impl Postgres {
    /// Runs `f` with a connection, on a thread of its own (see the module's
    /// doc), and puts the connection back for the next call.
    pub(super) fn with<T: Send>(
        &self,
        f: impl FnOnce(&mut Client) -> Result<T, postgres::Error> + Send,
    ) -> StoreResult<T> {
        let pooled = self.idle.lock().map_err(|_| poisoned())?.pop();
        let (config, idle) = (&self.config, &self.idle);
        let result = std::thread::scope(|s| {
            s.spawn(move || {
                let mut client = match pooled.filter(|c| !c.is_closed()) {
                    Some(c) => c,
                    None => config.connect(NoTls)?,
                };
                let result = f(&mut client);
                // Kept for the next call, or closed here: a connection
                // must not be dropped on a thread that drives tasks.
                if let Ok(mut idle) = idle.lock() {
                    if !client.is_closed() && idle.len() < IDLE {
                        idle.push(client);
                    }
                }
                result
            })
            .join()
        })
        .map_err(|_| StoreError("a storage call panicked".into()))?;
        Ok(result?)
    }
}

impl Drop for Postgres {
    /// Closes the connections on a thread of their own (see the module's
    /// doc): the store may be dropped where the server's tasks run.
    fn drop(&mut self) {
        let idle = self.idle.get_mut().map(std::mem::take).unwrap_or_default();
        let _ = std::thread::spawn(move || drop(idle)).join();
    }
}

fn poisoned() -> StoreError {
    StoreError("connection pool lock poisoned".into())
}
