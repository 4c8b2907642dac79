//! An organizer's access to a registration's QR payload (the rendering is `domain::qr`).

use super::*;

/// The QR payload of one registration, for an organizer printing a badge or sending the code
/// again: the only organizer path to a secret. A cancelled or rejected registration's code
/// admits nobody, so it is refused (409 `registration_closed`) rather than printed.
pub async fn organizer_qr_payload(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    conference_id: Uuid,
    id: Uuid,
) -> ApiResult<String> {
    load(
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
    ensure_live(&row)?;
    Ok(qr_payload(&row))
}
