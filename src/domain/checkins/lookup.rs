//! Finding a delegate by name at the door, undoing a check-in, and a registration's history.

use super::*;

/// Name search for manual check-in: accent-free, or by reference.
pub async fn search(
    conn: &mut AsyncPgConnection,
    device: &DeviceRow,
    q: Option<&str>,
) -> ApiResult<Vec<DelegateCard>> {
    let Some(query) = crate::domain::text::query_text(q)?.and_then(SearchQuery::parse) else {
        return Ok(Vec::new());
    };
    let rows = db::registrations::list(
        conn,
        device.conference_id,
        db::registrations::RegistrationFilter {
            search: Some(query.terms()),
            limit: 20,
            ..Default::default()
        },
    )
    .await?;
    let unit_ids: Vec<Uuid> = rows.iter().filter_map(|r| r.unit_id).collect();
    let unit_names: std::collections::HashMap<Uuid, String> =
        db::registrations::unit_names(conn, &unit_ids)
            .await?
            .into_iter()
            .collect();
    Ok(rows
        .into_iter()
        .map(|row| {
            let unit_name = row.unit_id.and_then(|id| unit_names.get(&id).cloned());
            DelegateCard::new(
                row.id,
                row.full_name,
                row.position,
                unit_name,
                row.organization,
                row.category,
            )
        })
        .collect())
}

/// Undoes a check-in: the row stays, marked with who undid it, when and why.
pub async fn undo(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    conference_id: Uuid,
    id: CheckinId,
    input: UndoRequest,
) -> ApiResult<Checkin> {
    let mut v = Validator::new();
    let reason = v.required_line("reason", &input.reason, 500);
    v.finish()?;
    retrying_transaction!(conn, async |conn| {
        load(
            conn,
            conference_id,
            Some(actor),
            Access::Private,
            Lock::None,
        )
        .await?;
        let row = db::checkins::find(conn, conference_id, id)
            .await?
            .ok_or_else(|| ApiError::not_found("check-in not found"))?;
        if row.undone_at.is_some() {
            return Err(ApiError::conflict(
                ErrorCode::AlreadyUndone,
                "this check-in was undone already",
            ));
        }
        to_checkin(db::checkins::undo(conn, id, actor.account_id, &reason).await?)
    })
}

/// Check-ins of one registration, oldest first (organizers).
pub async fn history(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    conference_id: Uuid,
    registration_id: RegistrationId,
) -> ApiResult<Vec<Checkin>> {
    load(
        conn,
        conference_id,
        Some(actor),
        Access::Private,
        Lock::None,
    )
    .await?;
    // An empty history must mean "never scanned", not "no such registration here".
    db::registrations::find(conn, conference_id, registration_id.into(), false)
        .await?
        .ok_or_else(|| ApiError::not_found("registration not found"))?;
    db::checkins::of_registration(conn, conference_id, registration_id)
        .await?
        .into_iter()
        .map(to_checkin)
        .collect()
}
