//! HTTP layer: thin handlers, request extraction, and the mapping of actix's own errors onto
//! the API's problem responses. The only layer that knows actix-web and `utoipa::path`.

pub mod accounts;
pub mod audit;
pub mod auth;
pub mod checkins;
pub mod conferences;
pub mod device_app;
pub mod download;
pub mod exports;
pub mod invitations;
pub mod metrics;
pub mod middleware;
pub mod ops;
pub mod outbox;
pub mod printouts;
pub mod privacy;
pub mod registrations;
pub mod reports;
pub mod sessions;
pub mod substitutions;
pub mod units;
pub mod web_clients;
pub mod webhooks;

use std::net::IpAddr;

use actix_web::error::{JsonPayloadError, PathError, QueryPayloadError};
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Serialize;
use utoipa_actix_web::scope;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::domain::conferences::Versioned;
use crate::error::{ApiError, ErrorCode, FieldError};

/// Registers every API route; used by the server and by `hoithao openapi` alike, so the
/// spec is built from exactly the routes that are served.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.configure(ops::routes).service(
        scope("/api/v1")
            .configure(auth::routes)
            .configure(accounts::routes)
            .configure(conferences::routes)
            .configure(sessions::routes)
            .configure(units::routes)
            .configure(registrations::routes)
            .configure(substitutions::routes)
            .configure(invitations::routes)
            .configure(checkins::routes)
            .configure(device_app::routes)
            .configure(exports::routes)
            .configure(reports::routes)
            .configure(privacy::routes)
            .configure(audit::routes)
            .configure(printouts::routes)
            .configure(outbox::routes)
            .configure(webhooks::routes),
    );
}

/// `"<version>"`: a strong validator that changes on every write.
pub fn etag(version: i32) -> String {
    format!("\"{version}\"")
}

/// The version named by `If-Match`, if the header is present. A value that is not one of our
/// ETags can never match, so it yields an impossible version (and then a 412).
pub fn if_match(req: &HttpRequest) -> Option<i32> {
    let value = req
        .headers()
        .get(header::IF_MATCH)?
        .to_str()
        .unwrap_or_default()
        .trim();
    if value == "*" {
        return None;
    }
    let value = value.strip_prefix("W/").unwrap_or(value);
    Some(value.trim_matches('"').parse::<i32>().unwrap_or(-1))
}

/// A 200 with the body and its `ETag`.
pub fn versioned<T: Serialize>(v: Versioned<T>) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::ETAG, etag(v.version)))
        .json(v.value)
}

/// A 201 with `Location` and `ETag`.
pub fn created<T: Serialize>(location: String, v: Versioned<T>) -> HttpResponse {
    HttpResponse::Created()
        .insert_header((header::LOCATION, location))
        .insert_header((header::ETAG, etag(v.version)))
        .json(v.value)
}

pub fn json_config(limit: usize) -> web::JsonConfig {
    web::JsonConfig::default()
        .limit(limit)
        .error_handler(|err, _req| json_error(err).into())
}

fn json_error(err: JsonPayloadError) -> ApiError {
    match err {
        JsonPayloadError::ContentType => ApiError::new(
            actix_web::http::StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ErrorCode::UnsupportedMediaType,
            "send the body as application/json",
        ),
        JsonPayloadError::Overflow { limit }
        | JsonPayloadError::OverflowKnownLength { limit, .. } => ApiError::new(
            actix_web::http::StatusCode::PAYLOAD_TOO_LARGE,
            ErrorCode::PayloadTooLarge,
            format!("the body is larger than {limit} bytes"),
        ),
        JsonPayloadError::Deserialize(e) if e.is_data() => {
            // Well-formed JSON of the wrong shape: name the field serde stopped at.
            let message = e.to_string();
            let field = message
                .split('`')
                .nth(1)
                .filter(|_| {
                    message.starts_with("missing field") || message.starts_with("unknown field")
                })
                .unwrap_or("body")
                .to_owned();
            ApiError::validation(vec![FieldError::new(
                field,
                crate::error::FieldCode::InvalidValue,
                message,
            )])
        }
        JsonPayloadError::Payload(e) if middleware::is_body_timeout(&e) => body_timeout(&e),
        JsonPayloadError::Payload(e) if middleware::is_not_an_object(&e) => {
            ApiError::validation(vec![FieldError::new(
                "body",
                crate::error::FieldCode::MustBeObject,
                "the body must be a JSON object",
            )])
        }
        JsonPayloadError::Deserialize(e) => ApiError::bad_request(
            ErrorCode::MalformedJson,
            format!("the body is not valid JSON: {e}"),
        ),
        other => ApiError::bad_request(ErrorCode::MalformedBody, other.to_string()),
    }
}

fn body_timeout(error: &actix_web::error::PayloadError) -> ApiError {
    ApiError::new(
        actix_web::http::StatusCode::REQUEST_TIMEOUT,
        ErrorCode::BodyTimeout,
        error.to_string(),
    )
}

pub fn path_config() -> web::PathConfig {
    web::PathConfig::default().error_handler(|err: PathError, _req| {
        ApiError::bad_request(
            ErrorCode::InvalidPathParameter,
            format!("invalid path parameter: {err}"),
        )
        .into()
    })
}

pub fn query_config() -> web::QueryConfig {
    web::QueryConfig::default().error_handler(|err: QueryPayloadError, _req| {
        ApiError::bad_request(
            ErrorCode::InvalidQueryParameter,
            format!("invalid query parameter: {err}"),
        )
        .into()
    })
}

/// Client IP for throttling: the peer address, or the proxy-reported one when trusted.
/// Behind a trusted proxy, the address that proxy appended (the last `X-Forwarded-For`
/// entry); earlier entries are whatever the client sent. Only well-formed IPs are used, so the
/// value is short and cannot be chosen freely.
pub fn client_ip(req: &HttpRequest, trust_forwarded_for: bool) -> String {
    let forwarded = trust_forwarded_for
        .then(|| {
            req.headers()
                .get("x-forwarded-for")?
                .to_str()
                .ok()?
                .rsplit(',')
                .next()?
                .trim()
                .parse::<IpAddr>()
                .ok()
        })
        .flatten();
    forwarded
        .or_else(|| req.peer_addr().map(|addr| addr.ip()))
        .map(|ip| ip.to_string())
        .unwrap_or_else(|| "unknown".to_owned())
}

/// The request's media type if it is one of `accepted`, else 415.
pub fn require_content_type(req: &HttpRequest, accepted: &[&str]) -> Result<String, ApiError> {
    let media_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase())
        .unwrap_or_default();
    if accepted.contains(&media_type.as_str()) {
        Ok(media_type)
    } else {
        Err(ApiError::new(
            actix_web::http::StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ErrorCode::UnsupportedMediaType,
            format!("send the body as {}", accepted.join(" or ")),
        ))
    }
}

/// Largest accepted import file.
pub const IMPORT_LIMIT_BYTES: usize = 32 * 1024 * 1024;

/// Reads a whole request body up to `limit` bytes (413 beyond).
pub async fn read_body(mut payload: web::Payload, limit: usize) -> Result<web::BytesMut, ApiError> {
    use futures_util::StreamExt;
    let mut body = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| {
            if middleware::is_body_timeout(&e) {
                body_timeout(&e)
            } else {
                ApiError::bad_request(ErrorCode::MalformedBody, e.to_string())
            }
        })?;
        if body.len() + chunk.len() > limit {
            return Err(ApiError::new(
                actix_web::http::StatusCode::PAYLOAD_TOO_LARGE,
                ErrorCode::PayloadTooLarge,
                format!("the body is larger than {limit} bytes"),
            ));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}
