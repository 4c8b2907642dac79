//! Creating registrations and moving them through their statuses, with seats held by the
//! conference row lock.

use super::*;

/// Takes the next registration number and, unless approval is needed, a seat or a place on
/// the waitlist (the seat rule, `seats::decide`). Locks the conference row until the
/// transaction ends.
pub async fn admit(
    conn: &mut AsyncPgConnection,
    conference_id: Uuid,
    approval: Approval,
) -> ApiResult<(i32, RegistrationStatus)> {
    let seats = db::seats::lock(conn, conference_id).await?;
    let decision = seats::decide(SeatCount::from(&seats), approval);
    let status = decision.status()?;
    let number = seats.registration_seq + 1;
    let confirmed = seats.confirmed_count + decision.seats_taken();
    db::seats::set_counters(conn, conference_id, confirmed, number).await?;
    Ok((number, status))
}

/// The `waitlisted_at` a row is written with: the check constraint wants a value for a
/// waitlisted row, and `db::registrations::stamp_waitlisted` replaces it with the database
/// clock in the same transaction, so the application clock never orders the waitlist.
pub fn provisional_waitlisted_at(status: RegistrationStatus) -> Option<DateTime<Utc>> {
    (status == RegistrationStatus::Waitlisted).then(Utc::now)
}

/// Inserts an admitted registration. Returns the row and the delegate's link token.
pub async fn insert(
    conn: &mut AsyncPgConnection,
    conference: &ConferenceRow,
    person: ValidPerson,
    source: RegistrationSource,
    invitation_id: Option<Uuid>,
    approval: Approval,
) -> ApiResult<(RegistrationRow, String)> {
    let (number, status) = admit(conn, conference.id, approval).await?;
    let token = tokens::random_secret();
    let new = NewRegistration {
        id: Uuid::now_v7(),
        conference_id: conference.id,
        number,
        person: person.with_reference(&reference(&conference.code, number)),
        status,
        source,
        invitation_id,
        qr_secret: tokens::random_secret(),
        delegate_token_hash: tokens::hash(&token),
        waitlisted_at: provisional_waitlisted_at(status),
    };
    let row = db::registrations::insert(conn, &new).await?;
    if status == RegistrationStatus::Waitlisted {
        db::registrations::stamp_waitlisted(conn, &[row.id]).await?;
    }
    // The trigger enqueued the delegate's email; it carries the link only this call knows.
    crate::domain::notifications::outbox::attach_delegate_links(
        conn,
        &[row.id],
        std::slice::from_ref(&token),
    )
    .await?;
    Ok((row, token))
}

/// Gives up the seat of a registration leaving `confirmed`, and promotes the longest-waiting
/// registration into it. Call with the conference row locked (`seats` does).
pub(super) async fn release_seat(
    conn: &mut AsyncPgConnection,
    conference_id: Uuid,
) -> ApiResult<()> {
    let seats = db::seats::lock(conn, conference_id).await?;
    let mut confirmed = seats.confirmed_count - 1;
    if let Some(next) = db::registrations::first_waitlisted(conn, conference_id).await? {
        db::registrations::set_status(conn, next.id, RegistrationStatus::Confirmed, None).await?;
        confirmed += 1;
    }
    db::seats::set_counters(conn, conference_id, confirmed, seats.registration_seq).await?;
    Ok(())
}

/// A status change an organizer (or the delegate, for cancel) asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Approve,
    Reject,
    Cancel,
}

/// Applies `action` to a locked registration row, keeping seat counts and the waitlist right.
pub async fn apply(
    conn: &mut AsyncPgConnection,
    row: &RegistrationRow,
    action: Action,
) -> ApiResult<RegistrationRow> {
    use RegistrationStatus::*;
    let from = row.status;
    let illegal = || {
        ApiError::conflict(
            ErrorCode::IllegalStatusTransition,
            format!(
                "a {} registration cannot be {}",
                from.as_str(),
                match action {
                    Action::Approve => "approved",
                    Action::Reject => "rejected",
                    Action::Cancel => "cancelled",
                }
            ),
        )
    };
    match (action, from) {
        (Action::Approve, PendingApproval) => {
            let status = admit_approved(conn, row.conference_id).await?;
            let waitlisted_at = provisional_waitlisted_at(status);
            let updated =
                db::registrations::set_status(conn, row.id, status, waitlisted_at).await?;
            if status == Waitlisted {
                db::registrations::stamp_waitlisted(conn, &[row.id]).await?;
            }
            Ok(updated)
        }
        (Action::Reject, PendingApproval) => {
            Ok(db::registrations::set_status(conn, row.id, Rejected, None).await?)
        }
        (Action::Cancel, PendingApproval | Waitlisted) => {
            db::seats::lock(conn, row.conference_id).await?;
            let cancelled = db::registrations::set_status(conn, row.id, Cancelled, None).await?;
            seats::release_quota(conn, row).await?;
            Ok(cancelled)
        }
        (Action::Cancel, Confirmed) => {
            let cancelled = db::registrations::set_status(conn, row.id, Cancelled, None).await?;
            release_seat(conn, row.conference_id).await?;
            seats::release_quota(conn, row).await?;
            crate::domain::signups::release_all(conn, row.id).await?;
            Ok(cancelled)
        }
        _ => Err(illegal()),
    }
}

/// A seat (or waitlist place) for an approved registration, without a new number.
pub(super) async fn admit_approved(
    conn: &mut AsyncPgConnection,
    conference_id: Uuid,
) -> ApiResult<RegistrationStatus> {
    let seats = db::seats::lock(conn, conference_id).await?;
    let decision = seats::decide(SeatCount::from(&seats), Approval::Granted);
    let status = decision.status()?;
    if decision.seats_taken() > 0 {
        db::seats::set_counters(
            conn,
            conference_id,
            seats.confirmed_count + decision.seats_taken(),
            seats.registration_seq,
        )
        .await?;
    }
    Ok(status)
}

/// An organizer registers someone: no approval step.
pub async fn create_by_organizer(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    conference_id: Uuid,
    input: PersonInput,
    idem: Option<Idempotency>,
) -> ApiResult<Outcome<(Versioned<OrganizerRegistration>, String)>> {
    retrying_transaction!(conn, async |conn| {
        let conference = load(
            conn,
            conference_id,
            Some(actor),
            Access::Private,
            Lock::Update,
        )
        .await?;
        if let Some(replay) = claim_if_keyed(conn, idem.as_ref()).await? {
            return Ok(Outcome::Replayed(replay));
        }
        ensure_editable(&conference)?;
        let mut v = Validator::new();
        let person = validate_person(conn, &input, &mut v, "").await?;
        v.finish()?;
        let (row, token) = insert(
            conn,
            &conference,
            person,
            RegistrationSource::Organizer,
            None,
            Approval::Granted,
        )
        .await?;
        let created = (
            present_row(conn, row, &conference.code).await?.into(),
            token,
        );
        store_if_keyed(conn, idem.as_ref(), &created).await?;
        Ok(Outcome::Fresh(created))
    })
}

pub(super) async fn claim_if_keyed(
    conn: &mut AsyncPgConnection,
    idem: Option<&Idempotency>,
) -> ApiResult<Option<Replay>> {
    match idem {
        Some(idem) => idempotency::claim(conn, idem).await,
        None => Ok(None),
    }
}

pub(super) async fn store_if_keyed<T: Serialize>(
    conn: &mut AsyncPgConnection,
    idem: Option<&Idempotency>,
    created: &(Versioned<T>, String),
) -> ApiResult<()> {
    if let Some(idem) = idem {
        let body =
            serde_json::json!({"registration": &created.0.value, "delegate_token": &created.1});
        idempotency::store(conn, idem, 201, &body).await?;
    }
    Ok(())
}

/// One registration with its substitution history (organizers).
pub async fn get(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    conference_id: Uuid,
    id: Uuid,
) -> ApiResult<Versioned<RegistrationDetail>> {
    let conference = load(
        conn,
        conference_id,
        Some(actor),
        Access::Private,
        Lock::None,
    )
    .await?;
    let row = db::registrations::find(conn, conference_id, id, false)
        .await?
        .ok_or_else(|| ApiError::not_found("registration not found"))?;
    let registration = present_row(conn, row, &conference.code).await?;
    let substitutions =
        substitutions::of_registration(conn, conference_id, &conference.code, id).await?;
    Ok(Versioned {
        version: registration.version,
        value: RegistrationDetail {
            registration: registration.value.into(),
            substitutions,
        },
    })
}

/// Edits the person on a live registration (not cancelled or rejected).
pub async fn edit_locked(
    conn: &mut AsyncPgConnection,
    conference: &ConferenceRow,
    current: &RegistrationRow,
    if_match: Option<i32>,
    patch: PersonPatch,
) -> ApiResult<RegistrationRow> {
    if if_match.is_some_and(|version| version != current.version) {
        return Err(ApiError::precondition_failed());
    }
    ensure_live(current)?;
    let mut v = Validator::new();
    let person = patched_person(conn, current, patch, &mut v).await?;
    v.finish()?;
    let write = person.with_reference(&reference(&conference.code, current.number));
    db::registrations::update_person(conn, current.id, &write)
        .await
        .map_err(ApiError::from)
}

pub fn ensure_live(row: &RegistrationRow) -> ApiResult<()> {
    if matches!(
        row.status,
        RegistrationStatus::Cancelled | RegistrationStatus::Rejected
    ) {
        return Err(ApiError::conflict(
            ErrorCode::RegistrationClosed,
            "a cancelled or rejected registration cannot be changed",
        ));
    }
    Ok(())
}

pub async fn update(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    conference_id: Uuid,
    id: Uuid,
    if_match: Option<i32>,
    patch: PersonPatch,
) -> ApiResult<Versioned<OrganizerRegistration>> {
    retrying_transaction!(conn, async |conn| {
        let conference = load(
            conn,
            conference_id,
            Some(actor),
            Access::Private,
            Lock::None,
        )
        .await?;
        let current = db::registrations::find(conn, conference_id, id, true)
            .await?
            .ok_or_else(|| ApiError::not_found("registration not found"))?;
        let row = edit_locked(conn, &conference, &current, if_match, patch.clone()).await?;
        Ok(present_row(conn, row, &conference.code).await?.into())
    })
}

pub async fn act(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    conference_id: Uuid,
    id: Uuid,
    action: Action,
) -> ApiResult<Versioned<OrganizerRegistration>> {
    retrying_transaction!(conn, async |conn| {
        // Lock order everywhere: conference row, then registration rows.
        let conference = load(
            conn,
            conference_id,
            Some(actor),
            Access::Private,
            Lock::Update,
        )
        .await?;
        let current = db::registrations::find(conn, conference_id, id, true)
            .await?
            .ok_or_else(|| ApiError::not_found("registration not found"))?;
        let row = apply(conn, &current, action).await?;
        Ok(present_row(conn, row, &conference.code).await?.into())
    })
}
