//! Session sign-ups: confirmed delegates sign up for sessions that require it, within the
//! session's capacity (a counter the database checks) and never for two sessions at once.
//!
//! Lock order: registration row, then session rows (after the conference row where a caller
//! holds it, as cancellation does).

use crate::domain::retrying_transaction;
use diesel_async::{AsyncConnection, AsyncPgConnection};
use uuid::Uuid;

use crate::db::registrations::RegistrationRow;
use crate::db::{self};
use crate::domain::actor::Actor;
use crate::domain::common::{Access, Lock, RegistrationStatus, load};
use crate::domain::tokens;
use crate::error::{ApiError, ApiResult, ErrorCode};

/// Signs a locked registration up for a session. Signing up twice changes nothing.
pub async fn sign_up(
    conn: &mut AsyncPgConnection,
    registration: &RegistrationRow,
    session_id: Uuid,
) -> ApiResult<()> {
    if registration.status != RegistrationStatus::Confirmed {
        return Err(ApiError::conflict(
            ErrorCode::RegistrationNotConfirmed,
            "only confirmed registrations sign up for sessions",
        ));
    }
    let session = db::sessions::find(conn, registration.conference_id, session_id.into(), false)
        .await?
        .ok_or_else(|| ApiError::not_found("session not found"))?;
    if !session.signup_required {
        return Err(ApiError::conflict(
            ErrorCode::SignupNotRequired,
            "this session is open to every delegate; no sign-up needed",
        ));
    }
    let signed_up = db::signups::of_registration(conn, registration.id).await?;
    if signed_up.iter().any(|(id, _, _)| *id == session_id) {
        return Ok(());
    }
    if signed_up
        .iter()
        .any(|(_, starts, ends)| *starts < session.ends_at && session.starts_at < *ends)
    {
        return Err(ApiError::conflict(
            ErrorCode::OverlappingSession,
            "the delegate is signed up for a session at the same time",
        ));
    }
    if !db::signups::take_session_seat(conn, session_id).await? {
        return Err(ApiError::conflict(
            ErrorCode::SessionFull,
            "this session is full",
        ));
    }
    db::signups::insert(conn, registration.id, session_id).await?;
    db::registrations::touch(conn, registration.id).await?;
    Ok(())
}

pub async fn withdraw(
    conn: &mut AsyncPgConnection,
    registration: &RegistrationRow,
    session_id: Uuid,
) -> ApiResult<()> {
    if db::signups::remove(conn, registration.id, session_id).await? {
        db::registrations::touch(conn, registration.id).await?;
        Ok(())
    } else {
        Err(ApiError::not_found("not signed up for this session"))
    }
}

/// Gives back every session seat of a registration that is no longer confirmed.
pub async fn release_all(conn: &mut AsyncPgConnection, registration_id: Uuid) -> ApiResult<()> {
    for session_id in db::signups::session_ids(conn, registration_id).await? {
        db::signups::remove(conn, registration_id, session_id).await?;
    }
    Ok(())
}

async fn organizer_registration(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    conference_id: Uuid,
    registration_id: Uuid,
) -> ApiResult<RegistrationRow> {
    load(
        conn,
        conference_id,
        Some(actor),
        Access::Private,
        Lock::None,
    )
    .await?;
    db::registrations::find(conn, conference_id, registration_id, true)
        .await?
        .ok_or_else(|| ApiError::not_found("registration not found"))
}

/// `sign_up` (true) or `withdraw` (false), by an organizer.
pub async fn by_organizer(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    conference_id: Uuid,
    registration_id: Uuid,
    session_id: Uuid,
    join: bool,
) -> ApiResult<()> {
    retrying_transaction!(conn, async |conn| {
        let registration =
            organizer_registration(conn, actor, conference_id, registration_id).await?;
        if join {
            sign_up(conn, &registration, session_id).await
        } else {
            withdraw(conn, &registration, session_id).await
        }
    })
}

async fn delegate_registration(
    conn: &mut AsyncPgConnection,
    token: &str,
) -> ApiResult<RegistrationRow> {
    let not_found = || ApiError::not_found("no registration for this token");
    db::registrations::find_by_token_hash_locked(conn, &tokens::hash(token))
        .await?
        .ok_or_else(not_found)
}

/// `sign_up` (true) or `withdraw` (false), by the delegate.
pub async fn by_delegate(
    conn: &mut AsyncPgConnection,
    token: &str,
    session_id: Uuid,
    join: bool,
) -> ApiResult<()> {
    retrying_transaction!(conn, async |conn| {
        let registration = delegate_registration(conn, token).await?;
        if join {
            sign_up(conn, &registration, session_id).await
        } else {
            withdraw(conn, &registration, session_id).await
        }
    })
}

/// The sessions a registration is signed up for (by start time), for the conference's organizers.
pub async fn of_registration(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    conference_id: Uuid,
    registration_id: Uuid,
) -> ApiResult<Vec<Uuid>> {
    load(
        conn,
        conference_id,
        Some(actor),
        Access::Private,
        Lock::None,
    )
    .await?;
    db::registrations::find(conn, conference_id, registration_id, false)
        .await?
        .ok_or_else(|| ApiError::not_found("registration not found"))?;
    Ok(db::signups::session_ids(conn, registration_id).await?)
}

/// The sessions the delegate is signed up for.
pub async fn of_delegate(conn: &mut AsyncPgConnection, token: &str) -> ApiResult<Vec<Uuid>> {
    let not_found = || ApiError::not_found("no registration for this token");
    let row = db::registrations::find_by_token_hash(conn, &tokens::hash(token))
        .await?
        .ok_or_else(not_found)?;
    Ok(db::signups::session_ids(conn, row.id).await?)
}
