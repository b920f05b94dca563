//! The organisation's set-up: workshops, vans and their usual week, the
//! device catalogue (`tournee-setup/1`, see `setup.rs`), stored once and
//! reused week after week; the presets a new organisation starts from; and
//! the problem of a given week, ready for its requests.

use actix_web::{web, HttpResponse};
use serde::Deserialize;
use serde_json::json;

use crate::i18n::Lang;
use crate::input::FieldError;
use crate::server::error::ApiError;
use crate::server::request::{self, db, json_body, Caller, JsonBody};
use crate::server::{now, AppState};
use crate::setup::{self, Setup};
use crate::sheet::Catalogue;

/// The stored set-up, or 404 when none was saved yet.
pub fn stored(
    store: &dyn crate::server::store::Store,
    organisation: &str,
) -> Result<Setup, ApiError> {
    let doc = store.get_setup(organisation)?.ok_or_else(|| {
        ApiError::not_found("no set-up yet: PUT /api/v1/setup with the workshops and vans")
    })?;
    serde_json::from_str(&doc).map_err(ApiError::internal)
}

/// `GET /api/v1/setup`.
pub async fn get(who: Caller, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let s = db(&state, move |store| stored(store, &who.organisation)).await?;
    Ok(HttpResponse::Ok().json(s))
}

/// `?lang=`: the language of what the geocoder's answers say.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LangQuery {
    pub lang: Option<String>,
}

/// `PUT /api/v1/setup`: replaces the set-up, once every field is right.
pub async fn put(
    who: Caller,
    query: web::Query<LangQuery>,
    JsonBody(text): JsonBody,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let lang = query.lang.as_deref().map_or(Lang::Fr, Lang::parse);
    let mut doc: serde_json::Value = json_body(&text)?;
    place_addresses(&mut doc, &state, &who, lang).await?;
    // Read again as text, for the reader's field paths.
    let s: Setup = json_body(&doc.to_string())?;
    let errors = s.validate();
    if !errors.is_empty() {
        return Err(ApiError::invalid(errors));
    }
    let doc = serde_json::to_string(&s).map_err(ApiError::internal)?;
    let organisation = who.organisation.clone();
    db(&state, move |store| {
        Ok(store.put_setup(&organisation, &doc, &now())?)
    })
    .await?;
    Ok(HttpResponse::Ok().json(s))
}

/// Places given by their address alone (no `location`): workshops,
/// partner sites and donors.
const PLACES: [(&str, Option<&str>); 3] = [
    ("workshops", Some("depot")),
    ("partners", Some("partner")),
    ("donors", None),
];

/// New addresses one `PUT` may ask the geocoder about: a body cannot make
/// the server ask it thousands of times (a registry of donors is placed a
/// few hundred at a time, or given with its locations).
pub const MAX_GEOCODED: usize = 200;

/// Places given by their address alone (no `location`) are placed by the
/// operator's geocoder when its answer is clear; otherwise the field
/// (`workshops[i].depot.address`, `donors[i].address`) says why, with the
/// places it may be.
async fn place_addresses(
    doc: &mut serde_json::Value,
    state: &AppState,
    who: &Caller,
    lang: Lang,
) -> Result<(), ApiError> {
    use crate::geocode::Outcome;
    let mut errors = Vec::new();
    // Counted like the caller's other work, and no more questions once the
    // geocoder failed: a body cannot hold the server.
    let mut ticket = None;
    let mut down = false;
    let mut asked = 0;
    let say = |key: &str, args: &[(&str, &str)]| crate::i18n::t(lang, key, args);
    for (list, inner) in PLACES {
        let Some(items) = doc.get_mut(list).and_then(|w| w.as_array_mut()) else {
            continue;
        };
        for (i, item) in items.iter_mut().enumerate() {
            let (place, at) = match inner {
                Some(key) => (item.get_mut(key), format!("{list}[{i}].{key}")),
                None => (Some(item), format!("{list}[{i}]")),
            };
            let Some(place) = place.and_then(|d| d.as_object_mut()) else {
                continue;
            };
            if place.get("location").is_some_and(|l| !l.is_null()) {
                continue;
            }
            let address = place
                .get("address")
                .and_then(|a| a.as_str())
                .unwrap_or("")
                .to_string();
            let field = format!("{at}.address");
            if address.trim().is_empty() {
                continue; // the format's own error: `location` missing
            }
            asked += 1;
            if asked > MAX_GEOCODED {
                let most = MAX_GEOCODED.to_string();
                errors.push(FieldError::new(
                    field,
                    say("setup.geo.too_many", &[("most", &most)]),
                ));
                continue;
            }
            let Some(g) = &state.geocoder else {
                errors.push(FieldError::new(field, say("setup.geo.no_geocoder", &[])));
                continue;
            };
            if down {
                errors.push(FieldError::new(field, say("setup.geo.down", &[])));
                continue;
            }
            if ticket.is_none() {
                ticket = Some(request::admit(state, who)?);
            }
            match g.geocode(&address).await {
                Ok(Outcome::Found(c)) => {
                    place.insert("location".into(), json!(c.location));
                }
                Ok(Outcome::Ambiguous(c)) => {
                    let places: Vec<&str> = c.iter().map(|c| c.label.as_str()).collect();
                    let places = places.join(", ");
                    errors.push(FieldError::new(
                        field,
                        say(
                            "setup.geo.ambiguous",
                            &[("address", &address), ("places", &places)],
                        ),
                    ))
                }
                Ok(Outcome::NotFound) => errors.push(FieldError::new(
                    field,
                    say("setup.geo.not_found", &[("address", &address)]),
                )),
                Err(e) => {
                    tracing::warn!("geocoding a set-up's address: {e}");
                    down = true;
                    errors.push(FieldError::new(field, say("setup.geo.down", &[])));
                }
            }
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::invalid(errors))
    }
}

/// `GET /api/v1/setup/presets`: the van presets and the default device
/// catalogue, with their French and English names.
pub async fn presets(_: Caller) -> HttpResponse {
    let devices: Vec<_> = Catalogue::default()
        .entries
        .into_iter()
        .map(|e| {
            json!({
                "device": e.device, "mass_kg": e.mass_kg, "volume_l": e.volume_l,
                "fr": [e.fr.0, e.fr.1], "en": [e.en.0, e.en.1],
            })
        })
        .collect();
    HttpResponse::Ok().json(json!({ "vans": setup::presets(), "devices": devices }))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WeekQuery {
    /// A day of the week (YYYY-MM-DD); its Monday starts it.
    pub week: String,
}

/// The date `?week=` (or `?date=`) gives, or a 400 on `query.week`.
pub fn monday(week: &str) -> Result<chrono::NaiveDate, ApiError> {
    // Years 2000 to 2100, as everywhere dates are read from callers.
    chrono::NaiveDate::parse_from_str(week, "%Y-%m-%d")
        .ok()
        .filter(|d| (2000..=2100).contains(&chrono::Datelike::year(d)))
        .ok_or_else(|| {
            ApiError::field(
                "query.week",
                format!("`{week}` is not a date such as 2026-11-30 (years 2000 to 2100)"),
            )
        })
}

/// `GET /api/v1/setup/week?week=2026-11-30`: that week's problem, without
/// requests: horizon, workshops' hours, vans' shifts (days off left out).
pub async fn week(
    who: Caller,
    query: web::Query<WeekQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let day = monday(&query.week)?;
    let s = db(&state, move |store| stored(store, &who.organisation)).await?;
    Ok(HttpResponse::Ok().json(s.week(day)))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DonorRequestQuery {
    /// The day of the collection (YYYY-MM-DD).
    pub date: String,
    /// Days after it the request may still be served (0–6, same week).
    #[serde(default)]
    pub window_days: u32,
}

/// `GET /api/v1/setup/donors/{id}/request?date=2026-12-01`: a request made
/// from a donor of the registry in one step — its place, contact, usual
/// devices, in its hours that day — ready to join the week's problem.
pub async fn donor_request(
    who: Caller,
    path: web::Path<String>,
    query: web::Query<DonorRequestQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let day = monday(&query.date).map_err(|_| {
        ApiError::field(
            "query.date",
            format!(
                "`{}` is not a date such as 2026-12-01 (years 2000 to 2100)",
                query.date
            ),
        )
    })?;
    if query.window_days > setup::donors::MAX_WINDOW_DAYS {
        return Err(ApiError::field(
            "query.window_days",
            format!("0 to {} days", setup::donors::MAX_WINDOW_DAYS),
        ));
    }
    let id = path.into_inner();
    let s = db(&state, move |store| stored(store, &who.organisation)).await?;
    let donor = s
        .donors
        .iter()
        .find(|d| d.id == id)
        .ok_or_else(|| ApiError::not_found(format!("no donor `{id}` in the set-up")))?;
    if s.public_holidays.is_holiday(day) || !donor.open_on(day) {
        return Err(ApiError::field(
            "query.date",
            format!(
                "{} is closed on {day} (its hours, or a public holiday)",
                donor.name
            ),
        ));
    }
    let sunday = day
        + chrono::Duration::days(
            6 - i64::from(chrono::Datelike::weekday(&day).num_days_from_monday()),
        );
    let r = donor.request(
        day,
        query.window_days,
        sunday,
        s.public_holidays,
        &Default::default(),
    );
    Ok(HttpResponse::Ok().json(r))
}
