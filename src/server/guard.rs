//! What every answer carries and every request is checked for, before any
//! route runs: the browser's protections (no sniffing, no framing, no
//! referrer, a content security policy that allows only this server's own
//! scripts and the operator's map tiles), the `Host` a local, key-less
//! server answers to (so that a web page elsewhere cannot reach it through
//! DNS rebinding), and the `Origin` of a request that changes something (so
//! that another site's page cannot post to it). Logs never hold a driver's
//! share token.

use actix_web::http::header::{self, HeaderValue};
use actix_web::http::Method;
use actix_web::HttpRequest;

use super::error::ApiError;
use super::Config;

/// The path as logged: a share token is replaced by `…`.
pub fn redacted(path: &str) -> String {
    match path.strip_prefix("/api/v1/tours/") {
        Some(rest) => match rest.split_once('/') {
            Some((_, tail)) => format!("/api/v1/tours/…/{tail}"),
            None => "/api/v1/tours/…".into(),
        },
        None => path.to_string(),
    }
}

/// The host part of a `Host` header or an origin's authority, lower case,
/// without the port.
fn host_name(authority: &str) -> String {
    let a = authority.trim().to_ascii_lowercase();
    if let Some(rest) = a.strip_prefix('[') {
        // [::1]:8080
        return rest.split(']').next().unwrap_or("").to_string();
    }
    a.rsplit_once(':')
        .filter(|(_, port)| port.chars().all(|c| c.is_ascii_digit()))
        .map_or(a.clone(), |(h, _)| h.to_string())
}

/// A host name the operator allowed (`--allowed-host`, with or without a
/// port).
fn allowed(config: &Config, name: &str) -> bool {
    config
        .allowed_hosts
        .iter()
        .any(|h| host_name(h).eq_ignore_ascii_case(name))
}

/// `Err` when the request must not reach any route.
pub fn check(req: &HttpRequest, config: &Config) -> Result<(), ApiError> {
    let host = req
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("");
    if !config.keyed() {
        let name = host_name(host);
        let loopback = matches!(name.as_str(), "localhost" | "127.0.0.1" | "::1");
        let allowed = allowed(config, &name);
        if !(loopback || allowed) {
            return Err(ApiError::forbidden(format!(
                "this server runs without API keys and answers only to localhost; `{name}` is not among its allowed hosts (--allowed-host)"
            )));
        }
    }
    let changes = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if let Some(origin) = req.headers().get(header::ORIGIN) {
        let origin = origin.to_str().unwrap_or("");
        let authority = origin.split_once("://").map_or("", |(_, a)| a);
        // Same origin, or a host the operator named (a proxy may rewrite
        // the Host the server sees).
        let same = authority.eq_ignore_ascii_case(host) || allowed(config, &host_name(authority));
        if changes && !same {
            return Err(ApiError::forbidden(format!(
                "a request from the page of another site (`{origin}`) may not change anything here"
            )));
        }
    }
    Ok(())
}

/// The scheme and host of the tile server, for the policy's `img-src`.
fn tile_origin(tile_url: &str) -> String {
    let Some((scheme, rest)) = tile_url.split_once("://") else {
        return String::new();
    };
    // `{s}.tile.openstreetmap.org`: any of the subdomains.
    let rest = rest.replace("{s}", "*");
    let host: String = rest
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '*'))
        .collect();
    format!(" {scheme}://{host}")
}

/// The headers every answer carries.
pub fn headers(config: &Config) -> Vec<(header::HeaderName, HeaderValue)> {
    let policy = format!(
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:{}; connect-src 'self' blob:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
        tile_origin(&config.tile_url)
    );
    let mut out = vec![
        (
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ),
        (header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")),
        (
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ),
    ];
    if let Ok(v) = HeaderValue::from_str(&policy) {
        out.push((header::CONTENT_SECURITY_POLICY, v));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_never_reach_the_log() {
        let t = "0123456789abcdef0123456789abcdef";
        assert_eq!(redacted(&format!("/api/v1/tours/{t}")), "/api/v1/tours/…");
        assert_eq!(
            redacted(&format!("/api/v1/tours/{t}/stops/3")),
            "/api/v1/tours/…/stops/3"
        );
        assert_eq!(redacted("/api/v1/plans/ab"), "/api/v1/plans/ab");
    }

    #[test]
    fn host_names_lose_their_port() {
        assert_eq!(host_name("127.0.0.1:8080"), "127.0.0.1");
        assert_eq!(host_name("[::1]:8080"), "::1");
        assert_eq!(host_name("LocalHost"), "localhost");
        assert_eq!(host_name("evil.example:80"), "evil.example");
    }

    #[test]
    fn the_policy_allows_the_tile_server() {
        assert_eq!(
            tile_origin("https://tile.openstreetmap.org/{z}/{x}/{y}.png"),
            " https://tile.openstreetmap.org"
        );
        assert_eq!(tile_origin(""), "");
        assert_eq!(
            tile_origin("https://{s}.tile.example.org/{z}/{x}/{y}.png"),
            " https://*.tile.example.org"
        );
    }
}
