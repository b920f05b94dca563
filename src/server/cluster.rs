//! Several `tournee serve` on one PostgreSQL database, for a network that
//! wants its planning to survive the loss of a server.
//!
//! Each server runs the jobs it was given, as on its own, and holds each of
//! them under a lease in the database, renewed every third of the lease
//! (`--job-lease`). The renewal also records each job's progress, for the
//! other servers to show, and brings back the cancels asked from any of
//! them. A server that dies stops renewing: once a lease has run out,
//! whichever live server looks first takes the job over (`FOR UPDATE SKIP
//! LOCKED`, so two never take the same one) and runs it again from its
//! stored input. A server checks it still holds a job before storing its
//! plan, so that a job is not planned twice.

use std::time::Duration;

use actix_web::web;

use super::AppState;

/// Renews this server's leases and takes over the jobs whose server died,
/// every third of the lease, for as long as the server runs.
pub async fn run(state: web::Data<AppState>) {
    let Some((_, lease)) = state.jobs.instance() else {
        return;
    };
    let mut every = tokio::time::interval(Duration::from_secs_f64(lease / 3.0));
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        every.tick().await;
        tick(&state).await;
    }
}

async fn tick(state: &web::Data<AppState>) {
    let Some((me, lease)) = state.jobs.instance() else {
        return;
    };
    let (me, held, store) = (me.to_string(), state.jobs.held(), state.store.clone());
    let free = state.jobs.free_places();
    let found = web::block(move || {
        let renewal = store.renew_jobs(&me, lease, &held)?;
        let claimed = if free > 0 {
            store.claim_expired(&me, lease, free)?
        } else {
            Vec::new()
        };
        Ok::<_, super::store::StoreError>((renewal, claimed))
    })
    .await;
    let (renewal, claimed) = match found {
        Ok(Ok(found)) => found,
        Ok(Err(e)) => {
            tracing::error!("cannot renew the jobs' leases: {e}");
            return;
        }
        Err(e) => {
            tracing::error!("cannot renew the jobs' leases: {e}");
            return;
        }
    };
    for id in &renewal.cancelled {
        state.jobs.cancel(id);
    }
    for id in &renewal.lost {
        tracing::warn!(job = %id, "its lease ran out: another server took it over");
        state.jobs.lose(id);
    }
    for (record, input, restarts) in claimed {
        tracing::info!(job = %record.id, "taken over: its server stopped renewing its lease");
        super::restart(state, record, input, restarts);
    }
}
