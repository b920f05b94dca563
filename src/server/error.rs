//! The one error shape of the API: `{ "error": code, "message": …, "field": … }`.
//! Client mistakes are 4xx and name the field; 5xx are server faults only,
//! logged with the request id.

use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;

use crate::input::FieldError;

/// An error: what went wrong and, for a client's mistake, where.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = Error)]
pub struct ApiError {
    #[serde(skip)]
    pub status: StatusCode,
    /// Machine-readable code: invalid_input, unauthorized, forbidden,
    /// not_found, method_not_allowed, body_timeout, conflict,
    /// body_too_large, unsupported_media_type, quota, busy, upstream,
    /// internal (docs/api.md).
    pub error: &'static str,
    pub message: String,
    /// Path of the offending field, e.g. `pickups[3].time_windows[0]`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// Every field error found, when there are several.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// Seconds to wait before retrying (503 when the solve queue is full,
    /// 429 beyond a key's quota).
    #[serde(skip)]
    pub retry_after: Option<u32>,
    /// The methods a path allows (405).
    #[serde(skip)]
    pub allow: Option<Box<str>>,
}

impl ApiError {
    fn new(status: StatusCode, error: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            error,
            message: message.into(),
            field: None,
            errors: Vec::new(),
            retry_after: None,
            allow: None,
        }
    }

    /// A problem (or other body) that breaks the format's rules.
    pub fn invalid(mut errors: Vec<FieldError>) -> Self {
        let first = errors.first().cloned().unwrap_or(FieldError {
            field: String::new(),
            message: "invalid input".into(),
        });
        let mut e = Self::new(StatusCode::BAD_REQUEST, "invalid_input", first.to_string());
        e.field = (!first.field.is_empty()).then_some(first.field);
        if errors.len() > 1 {
            e.message = format!("{} (and {} more)", e.message, errors.len() - 1);
            e.errors = std::mem::take(&mut errors);
        }
        e
    }

    pub fn field(field: &str, message: impl Into<String>) -> Self {
        Self::invalid(vec![FieldError {
            field: field.into(),
            message: message.into(),
        }])
    }

    pub fn not_found(what: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", what)
    }

    pub fn unauthorized() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "a valid API key is required: `Authorization: Bearer KEY`",
        )
    }

    pub fn too_large(limit: usize) -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "body_too_large",
            format!("the request body exceeds {limit} bytes"),
        )
    }

    pub fn busy(retry_after: u64) -> Self {
        let mut e = Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "busy",
            "every solver slot and queue place is taken; retry later",
        );
        e.retry_after = Some(retry_after.min(u64::from(u32::MAX)) as u32);
        e
    }

    /// Beyond one key's share of the server (its jobs at once).
    pub fn quota(message: impl Into<String>, retry_after: u64) -> Self {
        let mut e = Self::new(StatusCode::TOO_MANY_REQUESTS, "quota", message);
        e.retry_after = Some(retry_after.min(u64::from(u32::MAX)) as u32);
        e
    }

    pub fn unsupported_type(expected: &str) -> Self {
        Self::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            format!("the body must be sent with `Content-Type: {expected}`"),
        )
    }

    pub fn body_timeout(seconds: u64) -> Self {
        Self::new(
            StatusCode::REQUEST_TIMEOUT,
            "body_timeout",
            format!("the request body did not arrive within {seconds} s"),
        )
    }

    pub fn method_not_allowed(allow: impl Into<String>) -> Self {
        let allow: String = allow.into();
        let mut e = Self::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
            format!("this path answers {allow}"),
        );
        e.allow = Some(allow.into_boxed_str());
        e
    }

    /// A road server (or another upstream) failed: not the caller's fault,
    /// nor ours; the message names the server, not its address.
    pub fn bad_gateway(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_GATEWAY, "upstream", message)
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", message)
    }

    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, "conflict", message)
    }

    /// A fault of the server: logged (with the request id of the span), and
    /// answered without internal details.
    pub fn internal(what: impl std::fmt::Display) -> Self {
        tracing::error!("internal error: {what}");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "internal server error; see the server log (request id in X-Request-Id)",
        )
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.error, self.message)
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        let mut res = HttpResponse::build(self.status);
        if let Some(s) = self.retry_after {
            res.insert_header((header::RETRY_AFTER, s.to_string()));
        }
        if let Some(allow) = &self.allow {
            res.insert_header((header::ALLOW, &**allow));
        }
        res.json(self)
    }
}

impl From<actix_web::error::BlockingError> for ApiError {
    fn from(e: actix_web::error::BlockingError) -> Self {
        ApiError::internal(e)
    }
}

impl From<super::store::StoreError> for ApiError {
    fn from(e: super::store::StoreError) -> Self {
        ApiError::internal(e)
    }
}
