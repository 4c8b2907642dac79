//! Status transitions requested through the action endpoints (publish, close, reopen, cancel).

use diesel_async::{AsyncConnection, AsyncPgConnection};
use uuid::Uuid;

use super::{Access, Conference, ConferenceStatus, Lock, Versioned, load};
use crate::db;
use crate::domain::actor::Actor;
use crate::domain::retrying_transaction;
use crate::error::{ApiError, ApiResult, ErrorCode};

/// A status change requested through an action endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transition {
    Publish,
    Close,
    Reopen,
    Cancel,
}

impl Transition {
    /// The status this transition leads to from `from`, if it is legal.
    pub fn target(self, from: ConferenceStatus) -> Option<ConferenceStatus> {
        use ConferenceStatus::*;
        match (self, from) {
            (Transition::Publish, Draft) => Some(Published),
            (Transition::Close, Published) => Some(Closed),
            (Transition::Reopen, Closed) => Some(Published),
            (Transition::Cancel, Draft | Published | Closed) => Some(Cancelled),
            _ => None,
        }
    }
}

pub async fn transition(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    id: Uuid,
    transition: Transition,
) -> ApiResult<Versioned<Conference>> {
    let row = retrying_transaction!(conn, async |conn| {
        let current = load(conn, id, Some(actor), Access::Manage, Lock::Update).await?;
        let from = current.status;
        let to = transition.target(from).ok_or_else(|| {
            ApiError::conflict(
                ErrorCode::IllegalStatusTransition,
                format!("a {} conference cannot be {:?}d", from.as_str(), transition)
                    .to_lowercase(),
            )
        })?;
        Ok(db::conferences::set_status(conn, id, to).await?)
    })?;
    Versioned::from_row(row)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ConferenceStatus::*;

    #[test]
    fn only_legal_status_transitions_have_a_target() {
        assert_eq!(Transition::Publish.target(Draft), Some(Published));
        assert_eq!(Transition::Publish.target(Published), None);
        assert_eq!(Transition::Close.target(Draft), None);
        assert_eq!(Transition::Close.target(Published), Some(Closed));
        assert_eq!(Transition::Reopen.target(Closed), Some(Published));
        assert_eq!(Transition::Cancel.target(Closed), Some(Cancelled));
        assert_eq!(Transition::Cancel.target(Cancelled), None);
        assert_eq!(Transition::Reopen.target(Cancelled), None);
    }
}
