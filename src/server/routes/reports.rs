//! Managers' reports: one plan's emissions, and a period's, from the report
//! figures stored per tour (one small row each, indexed by day), never by
//! reading whole plans.

use actix_web::{web, HttpResponse};
use serde::Deserialize;

use crate::server::error::ApiError;
use crate::server::keys::Role;
use crate::server::request::{db, stored, Caller};
use crate::server::AppState;

/// Options of the report routes.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportQuery {
    /// Share of collected devices reused (0 to 1, default 1).
    pub reuse_rate: Option<f64>,
    /// First and last day (YYYY-MM-DD) of a period report.
    pub from: Option<String>,
    pub to: Option<String>,
    /// The energy of the vehicle the baseline is priced with (`diesel`).
    pub baseline_energy: Option<String>,
}

/// The baseline's reference vehicle, or a 400 on `query.baseline_energy`.
fn reference(q: Option<&str>) -> Result<crate::model::Energy, ApiError> {
    q.map_or(Ok(crate::report::REFERENCE), |s| {
        crate::report::energy(s).map_err(|e| ApiError::field("query.baseline_energy", e))
    })
}

fn reuse_rate(q: &ReportQuery) -> Result<f64, ApiError> {
    match q.reuse_rate {
        None => Ok(1.0),
        Some(x) if (0.0..=1.0).contains(&x) => Ok(x),
        Some(x) => Err(ApiError::field(
            "reuse_rate",
            format!("{x} is not between 0 and 1"),
        )),
    }
}

fn day(field: &str, v: &Option<String>) -> Result<Option<String>, ApiError> {
    match v {
        None => Ok(None),
        Some(d) if chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").is_ok() && d.len() == 10 => {
            Ok(Some(d.clone()))
        }
        Some(d) => Err(ApiError::field(
            field,
            format!("`{d}` is not a YYYY-MM-DD date"),
        )),
    }
}

/// Options of one plan's report: the period is the plan's.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanReportQuery {
    pub reuse_rate: Option<f64>,
    pub baseline_energy: Option<String>,
}

/// `GET /api/v1/plans/{id}/report`: the plan's emissions (docs/emissions.md).
pub async fn plan_report(
    who: Caller,
    id: web::Path<String>,
    query: web::Query<PlanReportQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let rate = reuse_rate(&ReportQuery {
        reuse_rate: query.reuse_rate,
        from: None,
        to: None,
        baseline_energy: None,
    })?;
    let reference = reference(query.baseline_energy.as_deref())?;
    let id = id.into_inner();
    let report = db(&state, move |store| {
        let (_, plan) = stored(store, &id, &who.organisation)?;
        // With what the drivers reported so far.
        let statuses = store.plan_statuses(&id)?;
        let mut tours = crate::report::figures(&plan);
        for (i, t) in tours.iter_mut().enumerate() {
            crate::report::join_reports(
                t,
                statuses
                    .iter()
                    .filter(|(k, _)| *k == i)
                    .map(|(_, s)| s.reported()),
            );
        }
        let mut r = crate::report::of_tours(tours, rate, reference);
        r.plans = vec![plan.name.clone()];
        Ok(r)
    })
    .await?;
    Ok(HttpResponse::Ok().json(report))
}

/// `GET /api/v1/reports?from=&to=`: the stored plans' tours whose day is in
/// the period, each day from the newest plan that covers it, with totals
/// per week, month, vehicle and day.
pub async fn period_report(
    who: Caller,
    query: web::Query<ReportQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let rate = reuse_rate(&query)?;
    let (from, to) = (day("from", &query.from)?, day("to", &query.to)?);
    let reference = reference(query.baseline_energy.as_deref())?;
    let report = db(&state, move |store| {
        // A network key reads every organisation's figures, without the
        // donors' names (an organisation's own relations).
        let network = who.role == Role::Network;
        let organisation = (!network).then_some(who.organisation.as_str());
        let mut tours = store.tour_figures(organisation, from.as_deref(), to.as_deref())?;
        if network {
            // Vans of two refurbishers may share an id; plans are theirs.
            for t in &mut tours {
                t.vehicle = format!("{}/{}", t.organisation, t.vehicle);
                t.tour = format!("{}/{}", t.organisation, t.tour);
                t.plan.clone_from(&t.organisation);
            }
        }
        let mut report = crate::report::of_tours(tours, rate, reference);
        if network {
            report.by_donor.clear();
        }
        Ok(report)
    })
    .await?;
    Ok(HttpResponse::Ok().json(report))
}
