//! The web pages as built into the binary (`build.rs`): served from memory
//! with their media type and an ETag, so browsers revalidate cheaply and
//! get a new page after an upgrade. `--web-dir` serves a development copy
//! from disk instead.

use std::sync::OnceLock;

use actix_web::http::{header, Method};
use actix_web::{HttpRequest, HttpResponse};

use super::error::ApiError;

mod table {
    include!(concat!(env!("OUT_DIR"), "/web.rs"));
}

/// A file's media type, by its extension.
fn media_type(path: &str) -> &'static str {
    match path.rsplit('.').next().unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "json" => "application/json",
        "csv" => "text/csv; charset=utf-8",
        "png" => "image/png",
        "svg" => "image/svg+xml",
        "md" | "txt" | "" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// Each file's ETag (FNV-1a of its bytes), in table order.
fn etags() -> &'static [String] {
    static TAGS: OnceLock<Vec<String>> = OnceLock::new();
    TAGS.get_or_init(|| {
        table::FILES
            .iter()
            .map(|(_, bytes)| {
                let hash = bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
                    (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
                });
                format!("\"{hash:016x}-{}\"", bytes.len())
            })
            .collect()
    })
}

/// `GET` any page, script, style, catalogue or library of the site.
pub async fn serve(req: HttpRequest) -> Result<HttpResponse, ApiError> {
    if req.method() != Method::GET && req.method() != Method::HEAD {
        return Err(ApiError::method_not_allowed("GET, HEAD"));
    }
    let mut path = req.path().trim_start_matches('/').to_string();
    if path.is_empty() || path.ends_with('/') {
        path.push_str("index.html");
    }
    let Some(k) = table::FILES.iter().position(|(p, _)| *p == path) else {
        return Err(ApiError::not_found("no such route; see /api/docs"));
    };
    let tag = &etags()[k];
    let fresh = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == tag));
    let mut answer = if fresh {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    answer
        .insert_header((header::ETAG, tag.as_str()))
        .insert_header((header::CACHE_CONTROL, "no-cache"));
    if fresh {
        return Ok(answer.finish());
    }
    Ok(answer
        .content_type(media_type(&path))
        .body(table::FILES[k].1))
}
