//! One error type for the whole API, rendered once as `application/problem+json` (RFC 9457).

use std::fmt;

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

pub const PROBLEM_CONTENT_TYPE: &str = "application/problem+json";

/// One invalid field of a request.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Eq)]
pub struct FieldError {
    /// Path of the field in the request (`starts_at`, `speakers[2]`, `query.limit`).
    #[schema(example = "ends_at")]
    pub field: String,
    /// Stable machine-readable reason.
    #[schema(example = "must_be_after_start")]
    pub code: String,
    /// Human-readable explanation.
    #[schema(example = "ends_at must be after starts_at")]
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, code: &str, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            code: code.to_owned(),
            message: message.into(),
        }
    }
}

/// RFC 9457 problem details, with a stable `code` and, for validation errors, every invalid field.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "type": "https://hoithao.dev/problems/validation-failed", "title": "Invalid request",
    "status": 422, "code": "validation_failed", "detail": "2 fields are invalid",
    "errors": [{"field": "ends_at", "code": "must_be_after_start", "message": "ends_at must be after starts_at"}]
}))]
pub struct Problem {
    /// URI identifying the problem type.
    #[serde(rename = "type")]
    pub problem_type: String,
    /// Short human-readable summary of the problem type.
    pub title: String,
    /// HTTP status code.
    pub status: u16,
    /// Stable machine-readable code; clients branch on this.
    pub code: String,
    /// Human-readable explanation of this occurrence.
    pub detail: String,
    /// Every invalid field (validation errors); empty otherwise.
    pub errors: Vec<FieldError>,
}

/// Defines `ErrorCode` from `Variant => "code"` pairs, so a code's string is written once.
macro_rules! error_codes {
    ($($variant:ident => $code:literal,)*) => {
        /// Every stable `code` of a problem response. Clients branch on these strings; a variant
        /// may be added, never renamed.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum ErrorCode {
            $($variant,)*
        }

        impl ErrorCode {
            /// Every code, in alphabetical order.
            pub const ALL: &[ErrorCode] = &[$(ErrorCode::$variant,)*];

            pub const fn as_str(self) -> &'static str {
                match self {
                    $(ErrorCode::$variant => $code,)*
                }
            }
        }
    };
}

error_codes! {
    AccountDisabled => "account_disabled",
    AdminCodeTaken => "admin_code_taken",
    AlreadyCheckedIn => "already_checked_in",
    AlreadyExists => "already_exists",
    AlreadyInvited => "already_invited",
    AlreadyRegistered => "already_registered",
    AlreadyUndone => "already_undone",
    BodyTimeout => "body_timeout",
    CannotDisableSelf => "cannot_disable_self",
    CapacityReached => "capacity_reached",
    CodeTaken => "code_taken",
    ConcurrentUpdate => "concurrent_update",
    ConferenceCancelled => "conference_cancelled",
    DatabaseContention => "database_contention",
    DatabaseReadOnly => "database_read_only",
    DatabaseTimeout => "database_timeout",
    DatabaseUnavailable => "database_unavailable",
    EmailTaken => "email_taken",
    Erased => "erased",
    EtagMismatch => "etag_mismatch",
    Forbidden => "forbidden",
    IdempotencyKeyReused => "idempotency_key_reused",
    IllegalStatusTransition => "illegal_status_transition",
    InternalError => "internal_error",
    InvalidCredentials => "invalid_credentials",
    InvalidCsv => "invalid_csv",
    InvalidCursor => "invalid_cursor",
    InvalidPathParameter => "invalid_path_parameter",
    InvalidQueryParameter => "invalid_query_parameter",
    InvalidToken => "invalid_token",
    InvalidXlsx => "invalid_xlsx",
    InvitationExpired => "invitation_expired",
    InvitationOnly => "invitation_only",
    LastAdmin => "last_admin",
    LastOrganizer => "last_organizer",
    MalformedBody => "malformed_body",
    MalformedJson => "malformed_json",
    MethodNotAllowed => "method_not_allowed",
    MissingToken => "missing_token",
    NonceReused => "nonce_reused",
    NotAttended => "not_attended",
    NotFound => "not_found",
    NotInvited => "not_invited",
    NotReady => "not_ready",
    NoticeVersionNotCurrent => "notice_version_not_current",
    OverlappingSession => "overlapping_session",
    PayloadTooLarge => "payload_too_large",
    PreconditionRequired => "precondition_required",
    QuotaExceeded => "quota_exceeded",
    RateLimited => "rate_limited",
    RegistrationClosed => "registration_closed",
    RegistrationNotConfirmed => "registration_not_confirmed",
    RegistrationNotOpen => "registration_not_open",
    SessionFull => "session_full",
    SignupNotRequired => "signup_not_required",
    TokenExpired => "token_expired",
    UnitNameTaken => "unit_name_taken",
    UnsupportedMediaType => "unsupported_media_type",
    ValidationFailed => "validation_failed",
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

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
            code: details.code.as_str().to_owned(),
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

/// What the violation of a named constraint means to a client.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Violation {
    /// 409 with this code and detail.
    Conflict(ErrorCode, &'static str),
    /// 422 `validation_failed`, naming the request field the rule is about.
    Field {
        field: &'static str,
        code: &'static str,
        message: &'static str,
    },
}

/// Every constraint a request can break that has a meaning of its own, wherever in the domain
/// it is broken. Unlisted unique and check constraints get a generic answer that does not name
/// them (the name goes to the log).
const CONSTRAINTS: &[(&str, Violation)] = &[
    (
        "accounts_email_key",
        Violation::Conflict(ErrorCode::EmailTaken, "an account with this email exists"),
    ),
    (
        "conferences_code_key",
        Violation::Conflict(ErrorCode::CodeTaken, "another conference uses this code"),
    ),
    (
        "invitations_one_per_unit",
        Violation::Conflict(
            ErrorCode::AlreadyInvited,
            "this unit is already invited; change or revoke that invitation",
        ),
    ),
    (
        "registrations_email_key",
        Violation::Conflict(ErrorCode::AlreadyRegistered, ALREADY_REGISTERED),
    ),
    (
        "registrations_phone_key",
        Violation::Conflict(ErrorCode::AlreadyRegistered, ALREADY_REGISTERED),
    ),
    (
        "registrations_stay_erased",
        Violation::Conflict(
            ErrorCode::Erased,
            "this registration's personal data was erased; it cannot be edited or substituted",
        ),
    ),
    (
        "units_admin_code_key",
        Violation::Conflict(
            ErrorCode::AdminCodeTaken,
            "another unit has this administrative code",
        ),
    ),
    (
        "units_name_per_parent_key",
        Violation::Conflict(
            ErrorCode::UnitNameTaken,
            "a unit with this name exists under the same parent",
        ),
    ),
    ("units_no_cycles", UNIT_CYCLE),
    ("units_not_own_parent", UNIT_CYCLE),
    (
        "units_parent_id_fkey",
        Violation::Field {
            field: "parent_id",
            code: "unknown_unit",
            message: "no such parent unit",
        },
    ),
];

const ALREADY_REGISTERED: &str =
    "someone with this email or phone is already registered for this conference";

const UNIT_CYCLE: Violation = Violation::Field {
    field: "parent_id",
    code: "cycle",
    message: "a unit cannot be placed under itself or one of its descendants",
};

impl Violation {
    fn of(constraint: &str) -> Option<Self> {
        CONSTRAINTS
            .iter()
            .find(|(name, _)| *name == constraint)
            .map(|&(_, violation)| violation)
    }

    fn into_error(self) -> ApiError {
        match self {
            Violation::Conflict(code, detail) => ApiError::conflict(code, detail),
            Violation::Field {
                field,
                code,
                message,
            } => ApiError::validation(vec![FieldError::new(field, code, message)]),
        }
    }
}

impl From<diesel::result::Error> for ApiError {
    fn from(error: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind, Error};
        if let Some(transient) = Transient::of(&error) {
            return transient.into_error(error);
        }
        if let Error::DatabaseError(_, info) = &error
            && let Some(violation) = info.constraint_name().and_then(Violation::of)
        {
            return violation.into_error();
        }
        // Unlisted constraints: the answer says what kind of rule was broken, the log which.
        match &error {
            Error::NotFound => ApiError::not_found("resource not found"),
            Error::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => ApiError::conflict(
                ErrorCode::AlreadyExists,
                "a resource with the same unique value exists",
            )
            .with_cause(error),
            Error::DatabaseError(DatabaseErrorKind::CheckViolation, _) => {
                ApiError::validation(vec![FieldError::new(
                    "body",
                    "constraint_violated",
                    "a value breaks a rule of the data model",
                )])
                .with_cause(error)
            }
            _ => ApiError::internal(error),
        }
    }
}

/// Database trouble that is not the request's fault and passes by itself: answered with 503
/// and `Retry-After`, never 500.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transient {
    /// The connection is gone or cannot be made: server restarted, backend terminated
    /// (57P01-57P03), too many connections (53300), the server silent past the round-trip bound.
    Unavailable,
    /// The statement ran past `statement_timeout` (57014).
    Timeout,
    /// The database accepts no writes (25006): a replica, or `default_transaction_read_only`.
    ReadOnly,
    /// A serialization failure (40001) or deadlock (40P01) that retries inside the server did
    /// not resolve.
    Contention,
}

impl Transient {
    /// Classifies a database error. diesel-async does not pass the SQLSTATE on for codes it has
    /// no kind for, so those are recognised by PostgreSQL's (English) message; the server's
    /// `lc_messages` must be English (`C` or `en_*`, the default of the packaged servers) for
    /// statement timeouts, deadlocks and terminated backends to be told apart.
    pub fn of(error: &diesel::result::Error) -> Option<Self> {
        use diesel::result::{DatabaseErrorKind, Error};
        match error {
            Error::DatabaseError(
                DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand,
                _,
            )
            | Error::BrokenTransactionManager => Some(Self::Unavailable),
            Error::DatabaseError(DatabaseErrorKind::ReadOnlyTransaction, _) => Some(Self::ReadOnly),
            Error::DatabaseError(DatabaseErrorKind::SerializationFailure, _) => {
                Some(Self::Contention)
            }
            Error::DatabaseError(_, info) => Self::by_message(info.message()),
            Error::RollbackErrorOnCommit { commit_error, .. } => Self::of(commit_error),
            _ => None,
        }
    }

    fn by_message(message: &str) -> Option<Self> {
        const UNAVAILABLE: [&str; 6] = [
            "terminating connection",                            // 57P01, 57P02
            "the database system is", // 57P03: starting up, shutting down, in recovery
            "sorry, too many clients", // 53300
            "remaining connection slots", // 53300
            "canceling statement due to conflict with recovery", // 40001 on a standby
            "server closed the connection",
        ];
        if message.starts_with("canceling statement due to statement timeout")
            || message.starts_with("canceling statement due to user request")
        {
            Some(Self::Timeout)
        } else if message.starts_with("deadlock detected") {
            Some(Self::Contention)
        } else if message.starts_with("cannot execute") && message.contains("read-only transaction")
        {
            Some(Self::ReadOnly)
        } else if UNAVAILABLE.iter().any(|m| message.starts_with(m)) {
            Some(Self::Unavailable)
        } else {
            None
        }
    }

    pub fn code(self) -> ErrorCode {
        match self {
            Self::Unavailable => ErrorCode::DatabaseUnavailable,
            Self::Timeout => ErrorCode::DatabaseTimeout,
            Self::ReadOnly => ErrorCode::DatabaseReadOnly,
            Self::Contention => ErrorCode::DatabaseContention,
        }
    }

    fn into_error(self, cause: impl Into<Cause>) -> ApiError {
        let (detail, retry_after) = match self {
            Self::Unavailable => (
                "the database is unreachable or restarting; retry shortly",
                5,
            ),
            Self::Timeout => ("the database took too long to answer; retry shortly", 5),
            Self::ReadOnly => (
                "the database accepts no changes at the moment (read-only); retry later",
                30,
            ),
            Self::Contention => ("concurrent changes got in the way; retry", 1),
        };
        ApiError::new(StatusCode::SERVICE_UNAVAILABLE, self.code(), detail)
            .with_retry_after(retry_after)
            .with_cause(cause)
    }
}

impl From<crate::db::PoolError> for ApiError {
    fn from(error: crate::db::PoolError) -> Self {
        ApiError::unavailable(error)
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

#[cfg(test)]
mod tests {
    use diesel::result::{DatabaseErrorInformation, DatabaseErrorKind, Error};

    use super::*;

    struct Info(&'static str);

    impl DatabaseErrorInformation for Info {
        fn message(&self) -> &str {
            "violates a constraint"
        }
        fn details(&self) -> Option<&str> {
            None
        }
        fn hint(&self) -> Option<&str> {
            None
        }
        fn table_name(&self) -> Option<&str> {
            None
        }
        fn column_name(&self) -> Option<&str> {
            None
        }
        fn constraint_name(&self) -> Option<&str> {
            Some(self.0)
        }
        fn statement_position(&self) -> Option<i32> {
            None
        }
    }

    fn violation(kind: DatabaseErrorKind, constraint: &'static str) -> ApiError {
        Error::DatabaseError(kind, Box::new(Info(constraint))).into()
    }

    fn body(error: &ApiError) -> String {
        serde_json::to_string(&error.problem()).unwrap_or_default()
    }

    #[test]
    fn error_codes_are_distinct_snake_case_and_listed_in_order() {
        let codes: Vec<&str> = ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
        let mut sorted = codes.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(codes, sorted);
        for code in codes {
            assert!(
                code.chars().all(|c| c.is_ascii_lowercase() || c == '_'),
                "{code}"
            );
        }
    }

    #[test]
    fn every_constraint_is_listed_once() {
        let mut names: Vec<&str> = CONSTRAINTS.iter().map(|(name, _)| *name).collect();
        names.sort_unstable();
        let before = names.len();
        names.dedup();
        assert_eq!(names.len(), before);
    }

    #[test]
    fn a_listed_unique_constraint_is_a_conflict_with_its_own_code() {
        let error = violation(
            DatabaseErrorKind::UniqueViolation,
            "registrations_phone_key",
        );
        assert_eq!(error.status_code(), StatusCode::CONFLICT);
        assert_eq!(error.error_code(), ErrorCode::AlreadyRegistered);
    }

    #[test]
    fn a_listed_check_constraint_names_the_request_field() {
        let error = violation(DatabaseErrorKind::CheckViolation, "units_no_cycles");
        assert_eq!(error.status_code(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            error.errors(),
            [FieldError::new(
                "parent_id",
                "cycle",
                "a unit cannot be placed under itself or one of its descendants"
            )]
        );
    }

    #[test]
    fn unlisted_constraints_are_answered_without_their_names() {
        let unique = violation(DatabaseErrorKind::UniqueViolation, "internal_unique_key");
        assert_eq!(unique.status_code(), StatusCode::CONFLICT);
        assert_eq!(unique.error_code(), ErrorCode::AlreadyExists);
        assert!(!body(&unique).contains("internal_unique_key"));

        let check = violation(DatabaseErrorKind::CheckViolation, "internal_rule_check");
        assert_eq!(check.status_code(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(check.error_code(), ErrorCode::ValidationFailed);
        assert!(!body(&check).contains("internal_rule_check"));
        // The name still reaches the log, through the cause.
        assert!(format!("{check:?}").contains("violates a constraint"));
    }
}
