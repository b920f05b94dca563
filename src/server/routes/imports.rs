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
    // Reading a workbook is heavy work: admitted, off the async workers.
    let _ticket = request::admit(&state, &who)?;
    let (imported, summary) = web::block(move || {
        let imported = sheet::read(&bytes, &Catalogue::default(), &options);
        let summary = imported.summary(options.lang);
        (imported, summary)
    })
    .await?;
    Ok(HttpResponse::Ok().json(json!({
        "summary": summary,
        "rows": imported.rows,
        "pickups": imported.pickups,
        "orders": imported.orders,
        "errors": imported.errors,
    })))
}
