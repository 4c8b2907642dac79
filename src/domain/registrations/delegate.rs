//! What a delegate does with their link token, and substitutions through a unit's link.

use super::*;

/// Replaces the person on a locked, live registration and records who replaced whom.
pub async fn substitute_locked(
    conn: &mut AsyncPgConnection,
    conference: &ConferenceRow,
    current: &RegistrationRow,
    person: &PersonInput,
    by: Substituter,
) -> ApiResult<(RegistrationRow, String)> {
    let mut v = Validator::new();
    let person = validate_person(conn, person, &mut v, "").await?;
    v.finish()?;
    let write = person.with_reference(&reference(&conference.code, current.number));
    db::registrations::record_substitution(conn, current, &write.full_name, by.as_actor()).await?;
    let token = tokens::random_secret();
    let row = db::registrations::substitute(
        conn,
        current.id,
        &write,
        &tokens::random_secret(),
        &tokens::hash(&token),
    )
    .await?;
    crate::domain::notifications::outbox::attach_delegate_links(
        conn,
        &[row.id],
        std::slice::from_ref(&token),
    )
    .await?;
    Ok((row, token))
}

/// The registration a delegate token belongs to, with its conference.
pub(super) async fn by_token(
    conn: &mut AsyncPgConnection,
    token: &str,
) -> ApiResult<(RegistrationRow, ConferenceRow)> {
    let not_found = || ApiError::not_found("no registration for this token");
    let row = db::registrations::find_by_token_hash(conn, &tokens::hash(token))
        .await?
        .ok_or_else(not_found)?;
    let conference =
        db::conferences::find_with_membership(conn, row.conference_id, None, Lock::None)
            .await?
            .ok_or_else(not_found)?
            .0;
    Ok((row, conference))
}

pub async fn delegate_view(
    conn: &mut AsyncPgConnection,
    token: &str,
) -> ApiResult<Versioned<Registration>> {
    let (row, conference) = by_token(conn, token).await?;
    present_row(conn, row, &conference.code).await
}

pub async fn delegate_cancel(
    conn: &mut AsyncPgConnection,
    token: &str,
) -> ApiResult<Versioned<Registration>> {
    retrying_transaction!(conn, async |conn| {
        let (_, conference) = by_token(conn, token).await?;
        db::seats::lock(conn, conference.id).await?;
        let current = db::registrations::find_by_token_hash_locked(conn, &tokens::hash(token))
            .await?
            .ok_or_else(|| ApiError::not_found("no registration for this token"))?;
        let row = apply(conn, &current, Action::Cancel).await?;
        present_row(conn, row, &conference.code).await
    })
}

/// The delegate's QR code as an SVG document.
pub async fn delegate_qr_svg(conn: &mut AsyncPgConnection, token: &str) -> ApiResult<String> {
    qr_svg(&delegate_view(conn, token).await?.value.qr_payload)
}

/// The delegate's QR code as a PNG image.
pub async fn delegate_qr_png(conn: &mut AsyncPgConnection, token: &str) -> ApiResult<Vec<u8>> {
    qr_png(&delegate_view(conn, token).await?.value.qr_payload)
}
