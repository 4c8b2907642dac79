//! Invitations (giấy mời): a unit invited with a number of seats. Its contact, holding the
//! secret link token and no account, names, edits, cancels and substitutes its delegates.
//!
//! Lock order, as everywhere: conference row, then invitation row, then registration rows.

use crate::domain::retrying_transaction;
use chrono::{DateTime, FixedOffset, Utc};
use diesel_async::{AsyncConnection, AsyncPgConnection};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::db::conferences::ConferenceRow;
pub use crate::db::ids::InvitationId;
use crate::db::invitations::InvitationRow;
use crate::db::registrations::RegistrationRow;
use crate::db::{self};
use crate::domain::actor::Actor;
use crate::domain::check_timestamp;
use crate::domain::common::{Access, ConferenceStatus, Lock, Versioned, ensure_editable, load};
use crate::domain::idempotency::{self, Idempotency, Outcome};
use crate::domain::registrations::{
    self as regs, Action, PersonInput, PersonPatch, Registration, RegistrationSource,
    RegistrationWithToken,
};
use crate::domain::seats::Approval;
use crate::domain::substitutions::Substituter;
use crate::domain::text::Validator;
use crate::domain::tokens;
use crate::error::{ApiError, ApiResult, ErrorCode, FieldCode, FieldError};

/// An invitation with its seat counts.
#[derive(Debug, Serialize, ToSchema)]
pub struct Invitation {
    #[schema(value_type = Uuid)]
    pub id: InvitationId,
    pub conference_id: Uuid,
    pub unit_id: Uuid,
    pub unit_name: String,
    /// Seats allotted.
    pub seats: i32,
    /// Live registrations (not cancelled or rejected) made through this invitation.
    pub registered: i32,
    /// Of those, how many hold a confirmed seat.
    pub confirmed: i64,
    pub expires_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

fn to_invitation(row: InvitationRow, unit_name: String, confirmed: i64) -> Invitation {
    Invitation {
        id: row.id,
        conference_id: row.conference_id,
        unit_id: row.unit_id,
        unit_name,
        seats: row.seats,
        registered: row.used_seats,
        confirmed,
        expires_at: row.expires_at,
        revoked_at: row.revoked_at,
        created_at: row.created_at,
    }
}

/// A new invitation and its link token (shown only here).
#[derive(Debug, Serialize, ToSchema)]
pub struct InvitationWithToken {
    pub invitation: Invitation,
    /// Send as `X-Invitation-Token` on the `/api/v1/invitation` endpoints.
    pub token: String,
}

/// Invite a unit.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewInvitation {
    pub unit_id: Uuid,
    #[serde(deserialize_with = "crate::domain::whole_number")]
    #[schema(minimum = 1, maximum = 10000, example = 3)]
    pub seats: i32,
    /// After this instant the link no longer registers anyone. Optional.
    pub expires_at: Option<DateTime<FixedOffset>>,
}

/// Delegates to register through an invitation (one request or several, up to the seats).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InvitationRegistrations {
    #[schema(min_items = 1, max_items = 500)]
    pub delegates: Vec<PersonInput>,
}

/// What the invitation's holder sees.
#[derive(Debug, Serialize, ToSchema)]
pub struct InvitationView {
    pub invitation: Invitation,
    pub conference_title: String,
    pub conference_starts_at: DateTime<FixedOffset>,
    pub conference_ends_at: DateTime<FixedOffset>,
    pub venue_name: Option<String>,
}

pub async fn create(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    conference_id: Uuid,
    input: NewInvitation,
) -> ApiResult<InvitationWithToken> {
    retrying_transaction!(conn, async |conn| {
        let conference = load(
            conn,
            conference_id,
            Some(actor),
            Access::Private,
            Lock::Update,
        )
        .await?;
        ensure_editable(&conference)?;
        let mut v = Validator::new();
        if !(1..=10_000).contains(&input.seats) {
            v.push(
                "seats",
                FieldCode::OutOfRange,
                "seats must be between 1 and 10000",
            );
        }
        let expires_at = input
            .expires_at
            .as_ref()
            .map(|t| check_timestamp(&mut v, "expires_at", t));
        if expires_at.is_some_and(|t| t <= Utc::now()) {
            v.push(
                "expires_at",
                FieldCode::InThePast,
                "expires_at must be in the future",
            );
        }
        let unit = db::units::find(conn, input.unit_id.into(), false).await?;
        if unit.is_none() {
            v.push("unit_id", FieldCode::UnknownUnit, "no such unit");
        }
        v.finish()?;
        let token = tokens::random_secret();
        let row = db::invitations::insert(
            conn,
            conference_id,
            input.unit_id,
            input.seats,
            expires_at,
            &tokens::hash(&token),
            actor.account_id,
        )
        .await?;
        crate::domain::notifications::outbox::attach_invitation_link(conn, row.id.0, &token)
            .await?;
        let unit_name = unit.map(|u| u.name).unwrap_or_default();
        Ok(InvitationWithToken {
            invitation: to_invitation(row, unit_name, 0),
            token,
        })
    })
}

/// Per unit: seats allotted, registered, confirmed.
pub async fn list(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    conference_id: Uuid,
) -> ApiResult<Vec<Invitation>> {
    load(
        conn,
        conference_id,
        Some(actor),
        Access::Private,
        Lock::None,
    )
    .await?;
    let rows = db::invitations::list_with_counts(conn, conference_id).await?;
    Ok(rows
        .into_iter()
        .map(|(row, unit, confirmed)| to_invitation(row, unit, confirmed))
        .collect())
}

pub async fn revoke(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    conference_id: Uuid,
    id: InvitationId,
) -> ApiResult<Invitation> {
    retrying_transaction!(conn, async |conn| {
        load(
            conn,
            conference_id,
            Some(actor),
            Access::Private,
            Lock::None,
        )
        .await?;
        let row = db::invitations::find(conn, conference_id, id)
            .await?
            .ok_or_else(|| ApiError::not_found("invitation not found"))?;
        let row = if row.revoked_at.is_some() {
            row
        } else {
            db::invitations::revoke(conn, id).await?
        };
        let unit = db::invitations::unit_name(conn, row.unit_id).await?;
        Ok(to_invitation(row, unit, 0))
    })
}

/// Issues the invitation's link again: a new token (shown once, and emailed to the unit's
/// contact by the `invitation.resent` notification); the previous link stops working.
pub async fn resend(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    conference_id: Uuid,
    id: InvitationId,
) -> ApiResult<InvitationWithToken> {
    retrying_transaction!(conn, async |conn| {
        let conference = load(
            conn,
            conference_id,
            Some(actor),
            Access::Private,
            Lock::None,
        )
        .await?;
        ensure_editable(&conference)?;
        let row = db::invitations::find(conn, conference_id, id)
            .await?
            .ok_or_else(|| ApiError::not_found("invitation not found"))?;
        if row.revoked_at.is_some() {
            return Err(ApiError::conflict(
                ErrorCode::RegistrationClosed,
                "a revoked invitation cannot be sent again",
            ));
        }
        let token = tokens::random_secret();
        let row = db::invitations::reissue_token(conn, id, &tokens::hash(&token)).await?;
        crate::domain::notifications::outbox::attach_invitation_link(conn, row.id.0, &token)
            .await?;
        let unit = db::invitations::unit_name(conn, row.unit_id).await?;
        Ok(InvitationWithToken {
            invitation: to_invitation(row, unit, 0),
            token,
        })
    })
}

/// The live invitation behind a token: revoked or unknown tokens are a 404.
async fn resolve(
    conn: &mut AsyncPgConnection,
    token: &str,
    lock: bool,
) -> ApiResult<(InvitationRow, ConferenceRow)> {
    let not_found = || ApiError::not_found("no invitation for this token");
    let invitation = db::invitations::find_by_token_hash(conn, &tokens::hash(token), false)
        .await?
        .ok_or_else(not_found)?;
    if invitation.revoked_at.is_some() {
        return Err(not_found());
    }
    // Conference first, then the invitation, as in every other write.
    let conference_lock = if lock { Lock::Update } else { Lock::None };
    let (conference, _) = db::conferences::find_with_membership(
        conn,
        invitation.conference_id,
        None,
        conference_lock,
    )
    .await?
    .ok_or_else(not_found)?;
    let invitation = if lock {
        db::invitations::find_by_token_hash(conn, &tokens::hash(token), true)
            .await?
            .ok_or_else(not_found)?
    } else {
        invitation
    };
    if invitation.revoked_at.is_some() {
        return Err(not_found());
    }
    Ok((invitation, conference))
}

fn ensure_usable(invitation: &InvitationRow, conference: &ConferenceRow) -> ApiResult<()> {
    if invitation.expires_at.is_some_and(|t| t <= Utc::now()) {
        return Err(ApiError::conflict(
            ErrorCode::InvitationExpired,
            "this invitation has expired",
        ));
    }
    if !matches!(
        conference.status,
        ConferenceStatus::Draft | ConferenceStatus::Published
    ) {
        return Err(ApiError::conflict(
            ErrorCode::RegistrationClosed,
            "this conference is not taking registrations",
        ));
    }
    Ok(())
}

pub async fn view(conn: &mut AsyncPgConnection, token: &str) -> ApiResult<InvitationView> {
    let (invitation, conference) = resolve(conn, token, false).await?;
    let unit = db::invitations::unit_name(conn, invitation.unit_id).await?;
    let registrations = invitation_registrations(conn, &invitation, &conference).await?;
    let confirmed = registrations
        .iter()
        .filter(|r| r.status == regs::RegistrationStatus::Confirmed)
        .count();
    let tz = conference.time_zone.as_str();
    Ok(InvitationView {
        invitation: to_invitation(invitation, unit, i64::try_from(confirmed).unwrap_or(0)),
        conference_title: conference.title.clone(),
        conference_starts_at: crate::domain::in_zone(conference.starts_at, tz),
        conference_ends_at: crate::domain::in_zone(conference.ends_at, tz),
        venue_name: conference.venue_name.clone(),
    })
}

async fn invitation_registrations(
    conn: &mut AsyncPgConnection,
    invitation: &InvitationRow,
    conference: &ConferenceRow,
) -> ApiResult<Vec<Registration>> {
    regs::list_for_invitation(conn, conference, invitation.id.0).await
}

pub async fn registrations(
    conn: &mut AsyncPgConnection,
    token: &str,
) -> ApiResult<Vec<Registration>> {
    let (invitation, conference) = resolve(conn, token, false).await?;
    invitation_registrations(conn, &invitation, &conference).await
}

/// Registers delegates into the invitation's seats: all of them or none (409 `quota_exceeded`
/// when they do not fit).
pub async fn register(
    conn: &mut AsyncPgConnection,
    token: &str,
    input: InvitationRegistrations,
    idem: Option<Idempotency>,
) -> ApiResult<Outcome<Vec<RegistrationWithToken>>> {
    if input.delegates.is_empty() || input.delegates.len() > 500 {
        return Err(ApiError::validation(vec![FieldError::new(
            "delegates",
            FieldCode::InvalidLength,
            "send 1 to 500 delegates",
        )]));
    }
    retrying_transaction!(conn, async |conn| {
        let (invitation, conference) = resolve(conn, token, true).await?;
        if let Some(idem) = &idem
            && let Some(replay) = idempotency::claim(conn, idem).await?
        {
            return Ok(Outcome::Replayed(replay));
        }
        ensure_usable(&invitation, &conference)?;
        let count = i32::try_from(input.delegates.len()).unwrap_or(i32::MAX);
        if invitation.used_seats + count > invitation.seats {
            return Err(ApiError::conflict(
                ErrorCode::QuotaExceeded,
                format!(
                    "{} of {} seats are taken; {count} more do not fit",
                    invitation.used_seats, invitation.seats
                ),
            ));
        }
        let mut v = Validator::new();
        let mut people = Vec::new();
        for (index, person) in input.delegates.iter().enumerate() {
            let prefix = format!("delegates[{index}].");
            let person = of_invited_unit(person, &invitation, &mut v, &prefix);
            people.push(regs::validate_person(conn, &person, &mut v, &prefix).await?);
        }
        v.finish()?;
        let mut created = Vec::new();
        for person in people {
            let (row, delegate_token) = regs::insert(
                conn,
                &conference,
                person,
                RegistrationSource::Invitation,
                Some(invitation.id.0),
                Approval::Granted,
            )
            .await?;
            let registration = regs::present_row(conn, row, &conference.code).await?.value;
            created.push(RegistrationWithToken {
                registration,
                delegate_token,
            });
        }
        db::invitations::add_used_seats(conn, invitation.id.0, count).await?;
        if let Some(idem) = &idem {
            idempotency::store(conn, idem, 201, &created).await?;
        }
        Ok(Outcome::Fresh(created))
    })
}

/// Delegates named through an invitation belong to the invited unit.
fn of_invited_unit(
    person: &PersonInput,
    invitation: &InvitationRow,
    v: &mut Validator,
    prefix: &str,
) -> PersonInput {
    if person
        .unit_id
        .is_some_and(|unit| unit != invitation.unit_id)
    {
        v.push(
            format!("{prefix}unit_id"),
            FieldCode::OtherUnit,
            "delegates of an invitation belong to the invited unit",
        );
    }
    PersonInput {
        unit_id: Some(invitation.unit_id),
        ..person.clone()
    }
}

async fn own_registration(
    conn: &mut AsyncPgConnection,
    invitation: &InvitationRow,
    registration_id: Uuid,
) -> ApiResult<RegistrationRow> {
    let row = db::registrations::find(conn, invitation.conference_id, registration_id, true)
        .await?
        .filter(|row| row.invitation_id == Some(invitation.id.0))
        .ok_or_else(|| ApiError::not_found("registration not found"))?;
    Ok(row)
}

pub async fn edit(
    conn: &mut AsyncPgConnection,
    token: &str,
    registration_id: Uuid,
    if_match: Option<i32>,
    patch: PersonPatch,
) -> ApiResult<Versioned<Registration>> {
    retrying_transaction!(conn, async |conn| {
        let (invitation, conference) = resolve(conn, token, true).await?;
        ensure_usable(&invitation, &conference)?;
        let current = own_registration(conn, &invitation, registration_id).await?;
        if patch
            .unit_id
            .is_some_and(|unit| unit != Some(invitation.unit_id))
        {
            return Err(ApiError::validation(vec![FieldError::new(
                "unit_id",
                FieldCode::OtherUnit,
                "delegates of an invitation belong to the invited unit",
            )]));
        }
        let row = regs::edit_locked(conn, &conference, &current, if_match, patch.clone()).await?;
        regs::present_row(conn, row, &conference.code).await
    })
}

pub async fn cancel(
    conn: &mut AsyncPgConnection,
    token: &str,
    registration_id: Uuid,
) -> ApiResult<Versioned<Registration>> {
    retrying_transaction!(conn, async |conn| {
        let (invitation, conference) = resolve(conn, token, true).await?;
        let current = own_registration(conn, &invitation, registration_id).await?;
        let row = regs::apply(conn, &current, Action::Cancel).await?;
        regs::present_row(conn, row, &conference.code).await
    })
}

/// Puts another person on a registration's seat: same seat, number and status; new QR code
/// and delegate link; the change is recorded.
pub async fn substitute(
    conn: &mut AsyncPgConnection,
    token: &str,
    registration_id: Uuid,
    person: PersonInput,
) -> ApiResult<RegistrationWithToken> {
    retrying_transaction!(conn, async |conn| {
        let (invitation, conference) = resolve(conn, token, true).await?;
        ensure_usable(&invitation, &conference)?;
        let current = own_registration(conn, &invitation, registration_id).await?;
        regs::ensure_live(&current)?;
        let mut v = Validator::new();
        let person = of_invited_unit(&person, &invitation, &mut v, "");
        v.finish()?;
        let (row, delegate_token) = regs::substitute_locked(
            conn,
            &conference,
            &current,
            &person,
            Substituter::Invitation(invitation.id.0),
        )
        .await?;
        let registration = regs::present_row(conn, row, &conference.code).await?.value;
        Ok(RegistrationWithToken {
            registration,
            delegate_token,
        })
    })
}
