//! One error type for the whole API, rendered once as `application/problem+json` (RFC 9457).

use std::fmt;

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};

mod codes;
mod constraints;
mod problem;
mod transient;

pub use codes::{ErrorCode, FieldCode};
pub use problem::{FieldError, PROBLEM_CONTENT_TYPE, Problem};
pub use transient::Transient;

type Cause = Box<dyn std::error::Error + Send + Sync + 'static>;

/// An error that becomes an HTTP problem response. Internal causes are logged, never sent.
/// Boxed so that `Result<T, ApiError>` stays small on the happy path.
pub struct ApiError(Box<Details>);

struct Details {
    status: StatusCode,
    code: ErrorCode,
    detail: String,
    errors: Vec<FieldError>,
    retry_after_secs: Option<u64>,
    allow: Option<String>,
    cause: Option<Cause>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: ErrorCode, detail: impl Into<String>) -> Self {
        Self(Box::new(Details {
            status,
            code,
            detail: detail.into(),
            errors: Vec::new(),
            retry_after_secs: None,
            allow: None,
            cause: None,
        }))
    }

    fn with_retry_after(mut self, secs: u64) -> Self {
        self.0.retry_after_secs = Some(secs.max(1));
        self
    }

    fn with_cause(mut self, cause: impl Into<Cause>) -> Self {
        self.0.cause = Some(cause.into());
        self
    }

    pub fn validation(errors: Vec<FieldError>) -> Self {
        let detail = match errors.len() {
            1 => "1 field is invalid".to_owned(),
            n => format!("{n} fields are invalid"),
        };
        let mut error = Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            ErrorCode::ValidationFailed,
            detail,
        );
        error.0.errors = errors;
        error
    }

    pub fn bad_request(code: ErrorCode, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, detail)
    }

    pub fn unauthorized(code: ErrorCode, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, code, detail)
    }

    pub fn forbidden(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, ErrorCode::Forbidden, detail)
    }

    pub fn not_found(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, ErrorCode::NotFound, detail)
    }

    pub fn conflict(code: ErrorCode, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, code, detail)
    }

    pub fn payload_too_large(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            ErrorCode::PayloadTooLarge,
            detail,
        )
    }

    pub fn precondition_failed() -> Self {
        Self::new(
            StatusCode::PRECONDITION_FAILED,
            ErrorCode::EtagMismatch,
            "the resource changed since it was read; fetch it again and retry with the new ETag",
        )
    }

    /// 410: the personal data asked for was erased.
    pub fn erased() -> Self {
        Self::new(
            StatusCode::GONE,
            ErrorCode::Erased,
            "this registration's personal data has been erased",
        )
    }

    /// 428: an irreversible change needs `If-Match` with the ETag last read.
    pub fn precondition_required() -> Self {
        Self::new(
            StatusCode::PRECONDITION_REQUIRED,
            ErrorCode::PreconditionRequired,
            "send If-Match with the ETag you last read; this change cannot be undone",
        )
    }

    pub fn too_many_requests(retry_after_secs: u64) -> Self {
        Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            ErrorCode::RateLimited,
            "too many attempts; retry later",
        )
        .with_retry_after(retry_after_secs)
    }

    pub fn method_not_allowed(allow: String) -> Self {
        let mut error = Self::new(
            StatusCode::METHOD_NOT_ALLOWED,
            ErrorCode::MethodNotAllowed,
            "this method is not allowed on this resource",
        );
        error.0.allow = Some(allow);
        error
    }

    pub fn unavailable(cause: impl Into<Cause>) -> Self {
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            ErrorCode::DatabaseUnavailable,
            "the database is unreachable or overloaded; retry shortly",
        )
        .with_retry_after(5)
        .with_cause(cause)
    }

    pub fn not_ready(detail: &str) -> Self {
        Self::new(StatusCode::SERVICE_UNAVAILABLE, ErrorCode::NotReady, detail).with_retry_after(5)
    }

    /// A 503 `database_contention` (retried by `retrying_transaction!`): concurrent changes
    /// kept invalidating what a request had checked.
    pub fn contention(cause: impl Into<Cause>) -> Self {
        Transient::Contention.into_error(cause)
    }

    pub fn internal(cause: impl Into<Cause>) -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            ErrorCode::InternalError,
            "an unexpected error occurred",
        )
        .with_cause(cause)
    }

    /// A serialization failure or deadlock: the transaction may be run again as it is.
    pub fn is_contention(&self) -> bool {
        self.0.code == Transient::Contention.code()
    }

    pub fn is_client_error(&self) -> bool {
        self.0.status.is_client_error()
    }

    /// The stable `code` string (`error_code` for the variant).
    pub fn code(&self) -> &'static str {
        self.0.code.as_str()
    }

    pub fn error_code(&self) -> ErrorCode {
        self.0.code
    }

    pub fn errors(&self) -> &[FieldError] {
        &self.0.errors
    }

    fn title(&self) -> &'static str {
        match self.0.status.as_u16() {
            400 => "Bad request",
            401 => "Authentication required",
            403 => "Forbidden",
            404 => "Not found",
            405 => "Method not allowed",
            408 => "Request timeout",
            409 => "Conflict",
            410 => "Gone",
            412 => "Precondition failed",
            413 => "Payload too large",
            415 => "Unsupported media type",
            422 => "Invalid request",
            428 => "Precondition required",
            429 => "Too many requests",
            503 => "Service unavailable",
            _ => "Internal server error",
        }
    }

    pub fn problem(&self) -> Problem {
        let details = &self.0;
        Problem {
            problem_type: format!(
                "https://hoithao.dev/problems/{}",
                details.code.as_str().replace('_', "-")
            ),
            title: self.title().to_owned(),
            status: details.status.as_u16(),
            code: details.code,
            detail: details.detail.clone(),
            errors: details.errors.clone(),
        }
    }
}

impl fmt::Debug for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiError")
            .field("status", &self.0.status)
            .field("code", &self.0.code)
            .field("cause", &self.0.cause)
            .finish()
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {}: {}",
            self.0.status.as_u16(),
            self.0.code,
            self.0.detail
        )
    }
}

impl std::error::Error for ApiError {}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.0.status
    }

    fn error_response(&self) -> HttpResponse {
        let details = &self.0;
        // Runs inside the request span, so the cause is logged with the request id.
        if let Some(cause) = &details.cause {
            if details.status == StatusCode::INTERNAL_SERVER_ERROR {
                tracing::error!(code = details.code.as_str(), cause = %cause, "request failed");
            } else {
                tracing::warn!(code = details.code.as_str(), cause = %cause, "request failed");
            }
        }
        let mut response = HttpResponse::build(details.status);
        response.insert_header((
            header::CONTENT_TYPE,
            HeaderValue::from_static(PROBLEM_CONTENT_TYPE),
        ));
        if let Some(secs) = details.retry_after_secs {
            response.insert_header((header::RETRY_AFTER, secs.to_string()));
        }
        if let Some(allow) = &details.allow {
            response.insert_header((header::ALLOW, allow.clone()));
        }
        if details.status == StatusCode::REQUEST_TIMEOUT {
            // The rest of the body may still be on its way; this connection is done.
            response.force_close();
        }
        if details.status == StatusCode::UNAUTHORIZED {
            response.insert_header((header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer")));
        }
        let body = serde_json::to_vec(&self.problem()).unwrap_or_default();
        response.body(body)
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
