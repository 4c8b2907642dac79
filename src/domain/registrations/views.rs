//! Registrations as clients see them: rows presented with their unit and reference, and lists.

use super::*;

pub(super) fn to_registration(
    row: RegistrationRow,
    conference_code: &str,
    unit_name: Option<String>,
) -> ApiResult<Versioned<Registration>> {
    Ok(Versioned {
        version: row.version,
        value: Registration {
            reference: reference(conference_code, row.number),
            qr_payload: qr_payload(&row),
            id: row.id,
            conference_id: row.conference_id,
            number: row.number,
            full_name: row.full_name,
            position: row.position,
            unit_id: row.unit_id,
            unit_name,
            organization: row.organization,
            category: row.category,
            email: row.email,
            phone: row.phone,
            status: row.status,
            source: row.source,
            invitation_id: row.invitation_id,
            created_at: row.created_at,
            updated_at: row.updated_at,
        },
    })
}

pub(super) async fn present(
    conn: &mut AsyncPgConnection,
    rows: Vec<RegistrationRow>,
    code: &str,
) -> ApiResult<Vec<Registration>> {
    let ids: Vec<Uuid> = rows.iter().filter_map(|r| r.unit_id).collect();
    let names: HashMap<Uuid, String> = db::registrations::unit_names(conn, &ids)
        .await?
        .into_iter()
        .collect();
    rows.into_iter()
        .map(|row| {
            let unit = row.unit_id.and_then(|id| names.get(&id).cloned());
            to_registration(row, code, unit).map(|v| v.value)
        })
        .collect()
}

pub async fn present_row(
    conn: &mut AsyncPgConnection,
    row: RegistrationRow,
    code: &str,
) -> ApiResult<Versioned<Registration>> {
    let unit = match row.unit_id {
        Some(id) => db::registrations::unit_names(conn, &[id])
            .await?
            .into_iter()
            .next()
            .map(|(_, name)| name),
        None => None,
    };
    to_registration(row, code, unit)
}

pub async fn list(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    conference_id: Uuid,
    query: RegistrationQuery,
) -> ApiResult<(Vec<OrganizerRegistration>, Option<String>)> {
    let limit = pagination::fetch_limit(query.limit)?;
    let after = pagination::decode(query.cursor.as_deref())?;
    let search = text::query_text(query.q.as_deref())?.and_then(SearchQuery::parse);
    let conference = load(
        conn,
        conference_id,
        Some(actor),
        Access::Private,
        Lock::None,
    )
    .await?;
    let rows = db::registrations::list(
        conn,
        conference_id,
        db::registrations::RegistrationFilter {
            after,
            status: query.status.map(RegistrationStatus::as_str),
            category: query.category.map(Category::as_str),
            source: query.source.map(RegistrationSource::as_str),
            unit_id: query.unit_id,
            unit_kind: query.unit_kind.map(UnitKind::as_str),
            within_unit: query.district_id,
            invitation_id: None,
            search: search.as_ref().map(SearchQuery::terms),
            limit,
        },
    )
    .await?;
    let (rows, next) = if search.is_some() {
        let mut rows = rows;
        rows.truncate(usize::try_from(limit - 1).unwrap_or(0));
        (rows, None)
    } else {
        pagination::finish(rows, limit, |row| (row.created_at, row.id))
    };
    let items = present(conn, rows, &conference.code).await?;
    Ok((items.into_iter().map(Into::into).collect(), next))
}

/// Live and past registrations made through one invitation, oldest first.
pub async fn list_for_invitation(
    conn: &mut AsyncPgConnection,
    conference: &ConferenceRow,
    invitation_id: Uuid,
) -> ApiResult<Vec<Registration>> {
    let rows = db::registrations::list(
        conn,
        conference.id,
        db::registrations::RegistrationFilter {
            invitation_id: Some(invitation_id),
            limit: 10_001,
            ..Default::default()
        },
    )
    .await?;
    present(conn, rows, &conference.code).await
}
