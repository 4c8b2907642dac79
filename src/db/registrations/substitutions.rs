//! A seat's substitutions: recording who replaced whom, and the report's list of them.

use chrono::{DateTime, Utc};
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::RegistrationRow;
use crate::db::schema::{registration_substitutions, registrations, units};

/// Who made a substitution: the unit's contact through an invitation link, an organizer's
/// account, or a door device.
#[derive(Debug, Clone, Copy)]
pub struct SubstitutionActor<'a> {
    /// `invitation`, `organizer` or `door`.
    pub kind: &'a str,
    pub invitation_id: Option<Uuid>,
    pub device_id: Option<Uuid>,
}

pub async fn record_substitution(
    conn: &mut AsyncPgConnection,
    previous: &RegistrationRow,
    new_name: &str,
    by: SubstitutionActor<'_>,
) -> QueryResult<()> {
    diesel::insert_into(registration_substitutions::table)
        .values((
            registration_substitutions::id.eq(Uuid::now_v7()),
            registration_substitutions::registration_id.eq(previous.id),
            registration_substitutions::conference_id.eq(previous.conference_id),
            registration_substitutions::previous_name.eq(&previous.full_name),
            registration_substitutions::previous_position.eq(&previous.position),
            registration_substitutions::previous_unit_id.eq(previous.unit_id),
            registration_substitutions::previous_email.eq(&previous.email),
            registration_substitutions::previous_phone.eq(&previous.phone),
            registration_substitutions::new_name.eq(new_name),
            registration_substitutions::substituted_by.eq(by.kind),
            registration_substitutions::invitation_id.eq(by.invitation_id),
            registration_substitutions::device_id.eq(by.device_id),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

/// A substitution with the names the report quotes (the previous unit's, the device's).
#[derive(Queryable, Debug)]
pub struct SubstitutionRow {
    pub id: Uuid,
    pub registration_id: Uuid,
    pub registration_number: i32,
    pub previous_name: String,
    pub previous_position: Option<String>,
    pub previous_unit_id: Option<Uuid>,
    pub previous_unit_name: Option<String>,
    pub previous_email: Option<String>,
    pub previous_phone: Option<String>,
    pub new_name: String,
    pub substituted_by: String,
    pub invitation_id: Option<Uuid>,
    pub device_id: Option<Uuid>,
    pub device_name: Option<String>,
    pub substituted_at: DateTime<Utc>,
}

#[derive(Default)]
pub struct SubstitutionFilter<'a> {
    pub registration_id: Option<Uuid>,
    /// The previous person's unit.
    pub unit_id: Option<Uuid>,
    /// A district (or any unit): substitutions on seats of it and of every unit below it.
    pub within_unit: Option<Uuid>,
    pub kind: Option<&'a str>,
    /// Made at or after.
    pub from: Option<DateTime<Utc>>,
    /// Made before.
    pub until: Option<DateTime<Utc>>,
    pub after: Option<(DateTime<Utc>, Uuid)>,
    pub limit: i64,
}

/// A conference's substitutions, oldest first (keyset on `(substituted_at, id)`).
pub async fn substitutions(
    conn: &mut AsyncPgConnection,
    conference_id: Uuid,
    filter: SubstitutionFilter<'_>,
) -> QueryResult<Vec<SubstitutionRow>> {
    use crate::db::schema::checkin_devices;
    let mut query = registration_substitutions::table
        .inner_join(registrations::table)
        .left_join(
            units::table.on(units::id
                .nullable()
                .eq(registration_substitutions::previous_unit_id)),
        )
        .left_join(
            checkin_devices::table.on(checkin_devices::id
                .nullable()
                .eq(registration_substitutions::device_id)),
        )
        .filter(registration_substitutions::conference_id.eq(conference_id))
        .select((
            registration_substitutions::id,
            registration_substitutions::registration_id,
            registrations::number,
            registration_substitutions::previous_name,
            registration_substitutions::previous_position,
            registration_substitutions::previous_unit_id,
            units::name.nullable(),
            registration_substitutions::previous_email,
            registration_substitutions::previous_phone,
            registration_substitutions::new_name,
            registration_substitutions::substituted_by,
            registration_substitutions::invitation_id,
            registration_substitutions::device_id,
            checkin_devices::name.nullable(),
            registration_substitutions::substituted_at,
        ))
        .into_boxed();
    if let Some(id) = filter.registration_id {
        query = query.filter(registration_substitutions::registration_id.eq(id));
    }
    if let Some(unit_id) = filter.unit_id {
        query = query.filter(registration_substitutions::previous_unit_id.eq(unit_id));
    }
    if let Some(root) = filter.within_unit {
        query = query.filter(
            sql::<Bool>(
                "registration_substitutions.previous_unit_id IN (WITH RECURSIVE below(id) AS (SELECT ",
            )
            .bind::<SqlUuid, _>(root)
            .sql(" UNION SELECT u.id FROM units u JOIN below ON u.parent_id = below.id) SELECT id FROM below)"),
        );
    }
    if let Some(kind) = filter.kind {
        query = query.filter(registration_substitutions::substituted_by.eq(kind.to_owned()));
    }
    if let Some(from) = filter.from {
        query = query.filter(registration_substitutions::substituted_at.ge(from));
    }
    if let Some(until) = filter.until {
        query = query.filter(registration_substitutions::substituted_at.lt(until));
    }
    if let Some((at, id)) = filter.after {
        query = query.filter(
            registration_substitutions::substituted_at.gt(at).or(
                registration_substitutions::substituted_at
                    .eq(at)
                    .and(registration_substitutions::id.gt(id)),
            ),
        );
    }
    query
        .order((
            registration_substitutions::substituted_at.asc(),
            registration_substitutions::id.asc(),
        ))
        .limit(filter.limit)
        .load(conn)
        .await
}
