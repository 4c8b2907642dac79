//! Online self-registration, built for the burst when registration opens: hundreds of people
//! at once competing for the same seats.
//!
//! Everything that does not depend on the seats (the conference and its status, mode and
//! window, the idempotency key, the person, the consent) is checked first, without locking
//! anything. Then one statement, `self_register_v1` (see `db::seats`), locks the conference's
//! seat row, confirms that the conference values checked have not changed, applies the seat
//! rule, takes the next number and writes the row. Run outside a transaction block, it holds
//! the lock only while it runs, with no round trip to this process in between, and its commit
//! does not wait for the disk; the request waits for the flush afterwards
//! (`db::durability::await_flush`), so nothing is acknowledged before it is durable and the
//! flushes of many registrations are shared.
//!
//! With an `Idempotency-Key` the key, the statement and the stored answer are one transaction,
//! as everywhere else; the lock is then held until that commit.

use super::*;
use crate::db::seats::{REFERENCE_PLACEHOLDER, SelfRegistered, SelfRegistration};
use crate::domain::common::reference_prefix;

/// Whether self-registration takes people now: the conference's status, mode and window.
fn check_intake(conference: &ConferenceRow, now: DateTime<Utc>) -> ApiResult<()> {
    if conference.status != ConferenceStatus::Published {
        return Err(ApiError::conflict(
            ErrorCode::RegistrationClosed,
            "this conference is not taking registrations",
        ));
    }
    if conference.registration_mode == RegistrationMode::InvitationOnly {
        return Err(ApiError::conflict(
            ErrorCode::InvitationOnly,
            "this conference registers delegates through unit invitations only",
        ));
    }
    if conference
        .registration_opens_at
        .is_some_and(|opens| now < opens)
    {
        return Err(ApiError::conflict(
            ErrorCode::RegistrationNotOpen,
            "registration has not opened yet",
        ));
    }
    if now >= closes_at(conference) {
        return Err(ApiError::conflict(
            ErrorCode::RegistrationClosed,
            "registration has closed",
        ));
    }
    Ok(())
}

/// The end of the registration window: its close, or the conference's end.
fn closes_at(conference: &ConferenceRow) -> DateTime<Utc> {
    conference
        .registration_closes_at
        .unwrap_or(conference.ends_at)
}

/// A registration checked and ready to be given a seat.
struct Checked {
    new: NewRegistration,
    token: String,
    notice_version: i32,
    unit_name: Option<String>,
}

/// Every check that needs no lock, in the order the answers have always come: the conference
/// (status, mode, window), then the person, then the consent.
async fn check(
    conn: &mut AsyncPgConnection,
    conference: &ConferenceRow,
    input: &PersonInput,
    consent: Option<&ConsentInput>,
) -> ApiResult<Checked> {
    check_intake(conference, Utc::now())?;
    let mut v = Validator::new();
    let person = validate_person(conn, input, &mut v, "").await?;
    v.finish()?;
    let notice_version = consent::check(conn, conference.id, consent).await?;
    let unit_name = person.unit_name();
    let token = tokens::random_secret();
    let new = NewRegistration {
        id: Uuid::now_v7(),
        conference_id: conference.id,
        // Decided under the seat row's lock.
        number: 0,
        person: person.with_reference(REFERENCE_PLACEHOLDER),
        // Decided under the seat row's lock too (not sent).
        status: RegistrationStatus::Confirmed,
        source: RegistrationSource::SelfService,
        invitation_id: None,
        qr_secret: tokens::random_secret(),
        delegate_token_hash: tokens::hash(&token),
        waitlisted_at: None,
    };
    Ok(Checked {
        new,
        token,
        notice_version,
        unit_name,
    })
}

/// Runs the seat statement: the row written, or `None` when the conference changed since it
/// was checked (check again).
async fn take_seat(
    conn: &mut AsyncPgConnection,
    conference: &ConferenceRow,
    checked: &Checked,
) -> ApiResult<Option<RegistrationRow>> {
    let prefix = reference_prefix(&conference.code);
    let answer = db::seats::self_register(
        conn,
        &SelfRegistration {
            seen_status: conference.status,
            seen_mode: conference.registration_mode,
            seen_opens_at: conference.registration_opens_at,
            seen_closes_at: closes_at(conference),
            new: &checked.new,
            reference_prefix: &prefix,
            notice_version: checked.notice_version,
            delegate_token: &checked.token,
        },
    )
    .await?;
    match answer.o_outcome.as_str() {
        "ok" => Ok(Some(written_row(&checked.new, answer)?)),
        "capacity_reached" => Err(seats::capacity_reached()),
        "conference_changed" => Ok(None),
        other => Err(ApiError::internal(format!(
            "self_register_v1 answered {other}"
        ))),
    }
}

/// The written row: what the application sent, and what the statement decided.
fn written_row(new: &NewRegistration, answer: SelfRegistered) -> ApiResult<RegistrationRow> {
    let missing = || ApiError::internal("self_register_v1 answered ok without the row");
    let person = &new.person;
    Ok(RegistrationRow {
        id: new.id,
        conference_id: new.conference_id,
        number: answer.o_number.ok_or_else(missing)?,
        full_name: person.full_name.clone(),
        position: person.position.clone(),
        unit_id: person.unit_id,
        organization: person.organization.clone(),
        category: person.category,
        email: person.email.clone(),
        phone: person.phone.clone(),
        status: answer.o_status.ok_or_else(missing)?.parse()?,
        source: new.source,
        invitation_id: None,
        qr_secret: new.qr_secret.clone(),
        waitlisted_at: answer.o_waitlisted_at,
        version: answer.o_version.ok_or_else(missing)?,
        created_at: answer.o_created_at.ok_or_else(missing)?,
        updated_at: answer.o_updated_at.ok_or_else(missing)?,
        language: person.language.clone(),
    })
}

fn changed_too_often() -> ApiError {
    ApiError::contention("the conference kept changing during the registration")
}

/// Online self-registration: published `open` or `approval_required` conferences, inside the
/// registration window.
pub async fn self_register(
    conn: &mut AsyncPgConnection,
    conference_id: Uuid,
    input: PersonInput,
    consent: Option<ConsentInput>,
    idem: Option<Idempotency>,
) -> ApiResult<Outcome<(Versioned<Registration>, String)>> {
    let outcome = match idem {
        Some(idem) => keyed(conn, conference_id, &input, consent.as_ref(), &idem).await?,
        None => Outcome::Fresh(unkeyed(conn, conference_id, &input, consent.as_ref()).await?),
    };
    if matches!(outcome, Outcome::Fresh(_)) {
        db::durability::await_flush(conn).await?;
    }
    Ok(outcome)
}

/// Without a key: each statement commits on its own; the seat statement writes everything or
/// nothing.
async fn unkeyed(
    conn: &mut AsyncPgConnection,
    conference_id: Uuid,
    input: &PersonInput,
    consent: Option<&ConsentInput>,
) -> ApiResult<(Versioned<Registration>, String)> {
    let mut attempt = 1;
    loop {
        let conference = load(conn, conference_id, None, Access::Read, Lock::None).await?;
        let checked = check(conn, &conference, input, consent).await?;
        match take_seat(conn, &conference, &checked).await {
            Ok(Some(row)) => {
                let registration = to_registration(row, &conference.code, checked.unit_name)?;
                return Ok((registration, checked.token));
            }
            Ok(None) if attempt >= crate::domain::TRANSACTION_ATTEMPTS => {
                return Err(changed_too_often());
            }
            Ok(None) => {}
            Err(e) if e.is_contention() && attempt < crate::domain::TRANSACTION_ATTEMPTS => {
                crate::domain::contention_pause(attempt).await;
            }
            Err(e) => return Err(e),
        }
        attempt += 1;
    }
}

/// With a key: the key, the registration and the stored answer commit together.
async fn keyed(
    conn: &mut AsyncPgConnection,
    conference_id: Uuid,
    input: &PersonInput,
    consent: Option<&ConsentInput>,
    idem: &Idempotency,
) -> ApiResult<Outcome<(Versioned<Registration>, String)>> {
    retrying_transaction!(conn, async |conn| {
        db::durability::commit_without_waiting_for_flush(conn).await?;
        let conference = load(conn, conference_id, None, Access::Read, Lock::None).await?;
        if let Some(replay) = idempotency::claim(conn, idem).await? {
            return Ok(Outcome::Replayed(replay));
        }
        let checked = check(conn, &conference, input, consent).await?;
        // A change of the conference since it was read: run the whole transaction again.
        let row = take_seat(conn, &conference, &checked)
            .await?
            .ok_or_else(changed_too_often)?;
        let created = (
            to_registration(row, &conference.code, checked.unit_name)?,
            checked.token,
        );
        store_if_keyed(conn, Some(idem), &created).await?;
        Ok(Outcome::Fresh(created))
    })
}
