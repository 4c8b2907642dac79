//! Pieces every conference-scoped module shares: enums stored as text, versioned values, and
//! the access check that loads a conference (and locks it) for the caller.

use diesel_async::AsyncPgConnection;
use uuid::Uuid;

pub use crate::db::conferences::Lock;
pub use crate::db::enums::{ConferenceStatus, RegistrationMode, RegistrationStatus};
use crate::db::{self, conferences::ConferenceRow};
use crate::domain::actor::Actor;
use crate::error::{ApiError, ApiResult, ErrorCode};

pub(crate) use crate::text_enum::text_enum;

text_enum! {
    /// The language of what a person reads: Vietnamese unless English is asked for.
    Lang {
        Vi => "vi",
        En => "en",
    }
}

impl Lang {
    /// `?lang=` as sent: absent is Vietnamese, anything unknown a 422 naming `lang`.
    pub fn from_query(
        value: Option<&str>,
    ) -> ::std::result::Result<Self, crate::error::FieldError> {
        value.map_or(Ok(Lang::Vi), |v| Lang::parse_field("lang", v))
    }
}

/// A registration's reference: `sxsh-vinh-phuc-2018` and 42 → `SXSH-0042`.
pub fn reference(conference_code: &str, number: i32) -> String {
    format!("{}-{number:04}", reference_prefix(conference_code))
}

/// The part of a reference before the number: the conference code's first word, upper case.
/// (`registration_reference` in SQL appends the number the same way, for self-registration.)
pub fn reference_prefix(conference_code: &str) -> String {
    let prefix: String = conference_code
        .split('-')
        .next()
        .unwrap_or("REG")
        .chars()
        .take(10)
        .collect();
    prefix.to_uppercase()
}

/// A stored value plus its version, for the `ETag` header.
pub struct Versioned<T> {
    pub value: T,
    pub version: i32,
}

/// What the caller wants to do with a conference.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// See it: published, closed and cancelled conferences are public, drafts are not.
    Read,
    /// Change it: its organizers and admins (others get 403 on a public conference).
    Manage,
    /// Its private data (registrations, invitations, check-ins): its organizers and admins;
    /// to anyone else it does not exist (404).
    Private,
}

/// Loads a conference the caller may access. Invisible conferences are a 404, visible ones the
/// caller may not manage a 403. The row stays locked as asked until the transaction ends.
pub async fn load(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    actor: Option<&Actor>,
    access: Access,
    lock: Lock,
) -> ApiResult<ConferenceRow> {
    let found =
        db::conferences::find_with_membership(conn, id, actor.map(|a| a.account_id), lock).await?;
    let Some((row, is_organizer)) = found else {
        return Err(ApiError::not_found("conference not found"));
    };
    let may_manage = is_organizer || actor.is_some_and(Actor::is_admin);
    if row.status == ConferenceStatus::Draft && !may_manage {
        return Err(ApiError::not_found("conference not found"));
    }
    if access == Access::Private && !may_manage {
        return Err(ApiError::not_found("conference not found"));
    }
    if access == Access::Manage && !may_manage {
        return Err(ApiError::forbidden(
            "only this conference's organizers may change it",
        ));
    }
    Ok(row)
}

pub fn ensure_editable(row: &ConferenceRow) -> ApiResult<()> {
    if row.status == ConferenceStatus::Cancelled {
        return Err(ApiError::conflict(
            ErrorCode::ConferenceCancelled,
            "a cancelled conference cannot be changed",
        ));
    }
    Ok(())
}
