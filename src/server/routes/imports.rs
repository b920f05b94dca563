//! Spreadsheet imports: the coordinator's sheet of pickup requests or
//! commune orders (CSV with `,` or `;`, UTF-8 or Windows-1252, or XLSX) read
//! on the server, answered as requests plus per-row, per-column mistakes in
//! the caller's language. Nothing is stored: the coordinator confirms by
//! planning the requests (or fixes the sheet, or skips the rows).

use actix_web::{web, HttpResponse};
use serde::Deserialize;
use serde_json::json;

use crate::i18n::Lang;
use crate::server::error::ApiError;
use crate::server::request::{self, Caller, SheetBody};
use crate::server::AppState;
use crate::sheet::{self, Catalogue};

/// Options of an import.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImportQuery {
    /// The Monday of the week (YYYY-MM-DD): weekdays in windows fall in it.
    pub week: Option<String>,
    /// Rows without a `type` column are commune orders, not pickups.
    #[serde(default)]
    pub orders: bool,
    /// Language of the messages: `fr` (default) or `en`.
    pub lang: Option<String>,
    /// Also answer the week's problem: the stored set-up's week (`week`
    /// needed) with the sheet's requests, and its mistakes if any.
    #[serde(default)]
    pub problem: bool,
}

/// `POST /api/v1/imports`: the sheet's requests and mistakes.
pub async fn create(
    who: Caller,
    query: web::Query<ImportQuery>,
    SheetBody(bytes): SheetBody,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    let week = match q.week.as_deref() {
        None => None,
        Some(w) => Some(sheet::values::date(w, None).ok_or_else(|| {
            ApiError::field(
                "query.week",
                format!("`{w}` is not a date such as 2026-11-30"),
            )
        })?),
    };
    let options = sheet::Options {
        week,
        orders: q.orders,
        lang: q.lang.as_deref().map_or(Lang::Fr, Lang::parse),
        max_rows: state.config.max_requests,
    };
    if q.problem && week.is_none() {
        return Err(ApiError::field(
            "query.week",
            "the week's problem needs the week: ?week=YYYY-MM-DD",
        ));
    }
    // Reading a workbook is heavy work: admitted, off the async workers.
    let _ticket = request::admit(&state, &who)?;
    let preparing = state.jobs.preparing().await;
    let (store, organisation) = (state.store.clone(), who.organisation.clone());
    let (options_lang, problem) = (options.lang, q.problem);
    let (mut imported, setup) = web::block(move || {
        // The organisation's catalogue once it has a set-up.
        let setup = match (store.get_setup(&organisation)?, q.problem) {
            // Without one, a week's problem is a 404 that says what to do.
            (Some(_), _) | (None, true) => Some(super::setup::stored(&*store, &organisation)?),
            (None, false) => None,
        };
        let catalogue = setup
            .as_ref()
            .map_or_else(Catalogue::default, |s| Catalogue::of(&s.devices));
        Ok::<_, ApiError>((sheet::read(&bytes, &catalogue, &options), setup))
    })
    .await??;
    // Geocoding waits on the network, not the processor: the preparation
    // place is given back for it.
    drop(preparing);
    // Rows given by their address alone: placed by the operator's geocoder.
    match &state.geocoder {
        Some(g) => imported.geocode(g).await,
        None => imported.without_geocoder(),
    }
    // A file with no readable header (or no row) is not a sheet of
    // requests: the whole body is refused, each mistake with its place.
    if imported.pickups.is_empty()
        && imported.orders.is_empty()
        && !imported.errors.is_empty()
        && imported.errors.iter().all(|e| e.row == 1)
    {
        return Err(ApiError::invalid(
            imported
                .errors
                .iter()
                .map(|e| {
                    let field = match e.column.as_str() {
                        "" => "body".to_string(),
                        c => format!("body.{c}"),
                    };
                    crate::input::FieldError::new(field, e.message.clone())
                })
                .collect(),
        ));
    }
    let mut answer = json!({
        "summary": imported.summary(options_lang),
        "rows": imported.rows,
        "pickups": imported.pickups,
        "orders": imported.orders,
        "errors": imported.errors,
        "geocoded": imported.geocoded,
    });
    if let (true, Some(s), Some(day)) = (problem, setup, week) {
        // The donors' recurring requests of that week, then the sheet's.
        let mut p = s.week(day);
        p.pickups.extend(imported.pickups);
        p.orders = imported.orders;
        answer["problem_errors"] =
            serde_json::to_value(crate::input::validate(&p)).map_err(ApiError::internal)?;
        answer["problem"] = serde_json::to_value(p).map_err(ApiError::internal)?;
    }
    Ok(HttpResponse::Ok().json(answer))
}
