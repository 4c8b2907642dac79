//! Database trouble that a retry may fix: 503 with `Retry-After` and a code saying which.

use actix_web::http::StatusCode;

use super::codes::ErrorCode;
use super::{ApiError, Cause};

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

    pub(super) fn into_error(self, cause: impl Into<Cause>) -> ApiError {
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
