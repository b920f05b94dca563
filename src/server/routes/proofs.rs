//! Proofs of collection or delivery: the photo a driver takes of what was
//! handed over and the signature of who handed it over. A driver sends them
//! with the tour's share token; only API keys read them back (they may show
//! people and their names), and they are never cached.

use actix_web::http::header;
use actix_web::{web, HttpResponse};

use crate::server::error::ApiError;
use crate::server::request::{db, Caller, ImageBody};
use crate::server::store::Proof;
use crate::server::{now, AppState};

/// What a stop may hold proof of.
pub const KINDS: [&str; 2] = ["photo", "signature"];

fn kind(k: &str) -> Result<(), ApiError> {
    if KINDS.contains(&k) {
        Ok(())
    } else {
        Err(ApiError::not_found(format!(
            "a stop holds a `photo` or a `signature`, not `{k}`"
        )))
    }
}

/// The media type an image's first bytes say it is.
fn sniffed(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some("image/webp")
    } else {
        None
    }
}

/// `PUT /api/v1/tours/{token}/stops/{stop}/{kind}`: the stop's photo or
/// signature (JPEG, PNG or WebP, at most [`MAX_PROOF_BYTES`]); sending it
/// again replaces it.
///
/// [`MAX_PROOF_BYTES`]: crate::server::request::MAX_PROOF_BYTES
pub async fn put(
    path: web::Path<(String, usize, String)>,
    ImageBody(declared, bytes): ImageBody,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let (token, stop, k) = path.into_inner();
    kind(&k)?;
    let media_type = sniffed(&bytes)
        .ok_or_else(|| ApiError::field("", "the body is not a JPEG, PNG or WebP image"))?;
    if media_type != declared {
        return Err(ApiError::field(
            "",
            format!("the body is {media_type}, not {declared} as declared"),
        ));
    }
    let size = bytes.len();
    let answer = db(&state, move |store| {
        let t = super::tours::shared_stop(store, &token, stop)?;
        let proof = Proof {
            kind: k.clone(),
            media_type: media_type.into(),
            bytes,
            recorded_at: now(),
        };
        store.put_proof(&t.plan_id, t.index, stop, &proof)?;
        Ok(serde_json::json!({
            "stop": stop,
            "kind": k,
            "media_type": media_type,
            "bytes": size,
            "recorded_at": proof.recorded_at,
        }))
    })
    .await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(answer))
}

/// `GET /api/v1/plans/{id}/tours/{index}/stops/{stop}/{kind}`: a stop's
/// photo or signature, for API keys only.
pub async fn get(
    who: Caller,
    path: web::Path<(String, usize, usize, String)>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let (id, index, stop, k) = path.into_inner();
    kind(&k)?;
    let proof = db(&state, move |store| {
        crate::server::request::owns(store, &id, &who.organisation)?;
        store.proof(&id, index, stop, &k)?.ok_or_else(|| {
            ApiError::not_found(format!(
                "no {k} for stop {stop} of tour {index} of plan `{id}`"
            ))
        })
    })
    .await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .content_type(proof.media_type)
        .body(proof.bytes))
}
