//! Online self-registration, built for the burst when registration opens: hundreds of people
//! at once competing for the same seats.
//!
//! Everything that does not depend on the seats (the conference, the idempotency key, the
//! person, the consent) happens before the one shared row is locked: the conference's seat row
//! (`db::seats`), never the conference row itself. Under that lock there are two statements and
//! the commit: read the counters, write the registration and the counters together. The
//! commit does not wait for the WAL flush while holding the lock; the request waits for it
//! afterwards (`db::durability`), so nothing is acknowledged before it is on disk, and the
//! flushes of many registrations are shared.

use super::*;
use crate::db::seats::{Consent, Seats};

/// Whether self-registration takes people now: the conference's status, mode and window. The
/// same rule answers early from the conference row, and finally from the seat row's copies of
/// those columns, read under its lock (an organizer's change that committed meanwhile is seen).
struct Intake<'a> {
    status: &'a str,
    mode: RegistrationMode,
    opens_at: Option<DateTime<Utc>>,
    closes_at: DateTime<Utc>,
}

impl<'a> Intake<'a> {
    fn of_conference(conference: &'a ConferenceRow) -> ApiResult<Self> {
        Ok(Intake {
            status: &conference.status,
            mode: conference.registration_mode.parse()?,
            opens_at: conference.registration_opens_at,
            closes_at: conference
                .registration_closes_at
                .unwrap_or(conference.ends_at),
        })
    }

    fn of_seats(seats: &'a Seats) -> ApiResult<Self> {
        Ok(Intake {
            status: &seats.status,
            mode: seats.registration_mode.parse()?,
            opens_at: seats.registration_opens_at,
            closes_at: seats.registration_closes_at,
        })
    }

    /// The approval a registration needs now, or why none is taken.
    fn check(&self, now: DateTime<Utc>) -> ApiResult<Approval> {
        if self.status != ConferenceStatus::Published.as_str() {
            return Err(ApiError::conflict(
                ErrorCode::RegistrationClosed,
                "this conference is not taking registrations",
            ));
        }
        if self.mode == RegistrationMode::InvitationOnly {
            return Err(ApiError::conflict(
                ErrorCode::InvitationOnly,
                "this conference registers delegates through unit invitations only",
            ));
        }
        if self.opens_at.is_some_and(|opens| now < opens) {
            return Err(ApiError::conflict(
                ErrorCode::RegistrationNotOpen,
                "registration has not opened yet",
            ));
        }
        if now >= self.closes_at {
            return Err(ApiError::conflict(
                ErrorCode::RegistrationClosed,
                "registration has closed",
            ));
        }
        Ok(if self.mode == RegistrationMode::ApprovalRequired {
            Approval::Required
        } else {
            Approval::Granted
        })
    }
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
    let outcome = retrying_transaction!(conn, async |conn| {
        db::durability::commit_without_waiting_for_flush(conn).await?;
        let conference = load(conn, conference_id, None, Access::Read, Lock::None).await?;
        if let Some(replay) = claim_if_keyed(conn, idem.as_ref()).await? {
            return Ok(Outcome::Replayed(replay));
        }
        Intake::of_conference(&conference)?.check(Utc::now())?;
        let mut v = Validator::new();
        let person = validate_person(conn, &input, &mut v, "").await?;
        v.finish()?;
        let notice_version = consent::check(conn, conference.id, consent.as_ref()).await?;
        let unit_name = person.unit_name();

        // The seat row is locked from here to the commit.
        let seats = db::seats::lock(conn, conference.id).await?;
        let approval = Intake::of_seats(&seats)?.check(Utc::now())?;
        let decision = seats::decide(SeatCount::from(&seats), approval);
        let status = decision.status()?;
        let number = seats.registration_seq + 1;
        let token = tokens::random_secret();
        let new = NewRegistration {
            id: Uuid::now_v7(),
            conference_id: conference.id,
            number,
            person: person.with_reference(&reference(&conference.code, number)),
            status: status.as_str().to_owned(),
            source: RegistrationSource::SelfService.as_str().to_owned(),
            invitation_id: None,
            qr_secret: tokens::random_secret(),
            delegate_token_hash: tokens::hash(&token),
            waitlisted_at: None,
        };
        let row = db::seats::insert_registration(
            conn,
            &new,
            seats.confirmed_count + decision.seats_taken(),
            Some(Consent { notice_version }),
        )
        .await?;
        if row.email.is_some() {
            // The trigger enqueued the delegate's email; it carries the link only this call
            // knows. Without an email there is no such message.
            crate::domain::notifications::outbox::attach_delegate_links(
                conn,
                &[row.id],
                std::slice::from_ref(&token),
            )
            .await?;
        }
        let created = (to_registration(row, &conference.code, unit_name)?, token);
        store_if_keyed(conn, idem.as_ref(), &created).await?;
        Ok(Outcome::Fresh(created))
    })?;
    if matches!(outcome, Outcome::Fresh(_)) {
        db::durability::await_flush(conn).await?;
    }
    Ok(outcome)
}
