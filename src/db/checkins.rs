//! Queries on `checkin_devices` and `checkins`.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::dsl::count_star;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::db::schema::{checkin_devices, checkins};

#[derive(Queryable, Selectable, Debug, Clone)]
#[diesel(table_name = checkin_devices)]
pub struct DeviceRow {
    pub id: Uuid,
    pub conference_id: Uuid,
    pub name: String,
    pub gate: Option<String>,
    pub session_ids: Vec<Option<Uuid>>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub last_seen_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

pub async fn insert_device(
    conn: &mut AsyncPgConnection,
    conference_id: Uuid,
    name: &str,
    gate: Option<&str>,
    session_ids: &[Uuid],
    token_hash: &[u8],
    created_by: Uuid,
) -> QueryResult<DeviceRow> {
    diesel::insert_into(checkin_devices::table)
        .values((
            checkin_devices::id.eq(Uuid::now_v7()),
            checkin_devices::conference_id.eq(conference_id),
            checkin_devices::name.eq(name),
            checkin_devices::gate.eq(gate),
            checkin_devices::session_ids.eq(session_ids),
            checkin_devices::token_hash.eq(token_hash),
            checkin_devices::created_by.eq(created_by),
        ))
        .returning(DeviceRow::as_returning())
        .get_result(conn)
        .await
}

/// Authenticates a device token and records that the device was seen, in one statement.
pub async fn touch_by_token(
    conn: &mut AsyncPgConnection,
    token_hash: &[u8],
) -> QueryResult<Option<DeviceRow>> {
    diesel::update(
        checkin_devices::table
            .filter(checkin_devices::token_hash.eq(token_hash))
            .filter(checkin_devices::revoked_at.is_null()),
    )
    .set(checkin_devices::last_seen_at.eq(Some(Utc::now())))
    .returning(DeviceRow::as_returning())
    .get_result(conn)
    .await
    .optional()
}

pub async fn revoke_device(
    conn: &mut AsyncPgConnection,
    conference_id: Uuid,
    id: Uuid,
) -> QueryResult<Option<DeviceRow>> {
    diesel::update(
        checkin_devices::table
            .filter(checkin_devices::id.eq(id))
            .filter(checkin_devices::conference_id.eq(conference_id)),
    )
    .set(checkin_devices::revoked_at.eq(Some(Utc::now())))
    .returning(DeviceRow::as_returning())
    .get_result(conn)
    .await
    .optional()
}

/// Devices of a conference with their number of recorded scans.
pub async fn devices_with_counts(
    conn: &mut AsyncPgConnection,
    conference_id: Uuid,
) -> QueryResult<Vec<(DeviceRow, i64)>> {
    let scans = checkins::table
        .filter(checkins::device_id.eq(checkin_devices::id.nullable()))
        .select(count_star())
        .single_value();
    checkin_devices::table
        .filter(checkin_devices::conference_id.eq(conference_id))
        .order((checkin_devices::created_at.asc(), checkin_devices::id.asc()))
        .select((DeviceRow::as_select(), scans.assume_not_null()))
        .load(conn)
        .await
}

#[derive(Queryable, Selectable, Debug, Clone)]
#[diesel(table_name = checkins)]
pub struct CheckinRow {
    pub id: Uuid,
    pub conference_id: Uuid,
    pub registration_id: Option<Uuid>,
    pub session_id: Option<Uuid>,
    pub device_id: Option<Uuid>,
    pub nonce: Uuid,
    pub direction: String,
    pub outcome: String,
    pub method: String,
    pub conflict: Option<String>,
    pub occurred_at: DateTime<Utc>,
    pub received_at: DateTime<Utc>,
    pub local_day: NaiveDate,
    pub undone_at: Option<DateTime<Utc>>,
    pub undo_reason: Option<String>,
}

#[derive(Insertable, Debug, Clone)]
#[diesel(table_name = checkins)]
pub struct NewCheckin {
    pub id: Uuid,
    pub conference_id: Uuid,
    pub registration_id: Option<Uuid>,
    pub session_id: Option<Uuid>,
    pub device_id: Option<Uuid>,
    pub nonce: Uuid,
    pub direction: String,
    pub outcome: String,
    pub method: String,
    pub conflict: Option<String>,
    pub occurred_at: DateTime<Utc>,
    pub local_day: NaiveDate,
}

pub async fn insert(conn: &mut AsyncPgConnection, new: &NewCheckin) -> QueryResult<CheckinRow> {
    diesel::insert_into(checkins::table)
        .values(new.clone())
        .returning(CheckinRow::as_returning())
        .get_result(conn)
        .await
}

pub async fn find_by_nonce(
    conn: &mut AsyncPgConnection,
    nonce: Uuid,
) -> QueryResult<Option<CheckinRow>> {
    checkins::table
        .filter(checkins::nonce.eq(nonce))
        .select(CheckinRow::as_select())
        .first(conn)
        .await
        .optional()
}

/// The live successful entry a new one collides with, and the name of the device that made it.
pub async fn first_entry(
    conn: &mut AsyncPgConnection,
    registration_id: Uuid,
    session_id: Option<Uuid>,
    local_day: NaiveDate,
) -> QueryResult<Option<(CheckinRow, Option<String>)>> {
    let mut query = checkins::table
        .left_join(checkin_devices::table)
        .filter(checkins::registration_id.eq(registration_id))
        .filter(checkins::outcome.eq("ok"))
        .filter(checkins::direction.eq("in"))
        .filter(checkins::undone_at.is_null())
        .select((CheckinRow::as_select(), checkin_devices::name.nullable()))
        .into_boxed();
    query = match session_id {
        Some(session_id) => query.filter(checkins::session_id.eq(session_id)),
        None => query
            .filter(checkins::session_id.is_null())
            .filter(checkins::local_day.eq(local_day)),
    };
    query.first(conn).await.optional()
}

pub async fn find(
    conn: &mut AsyncPgConnection,
    conference_id: Uuid,
    id: Uuid,
) -> QueryResult<Option<CheckinRow>> {
    checkins::table
        .filter(checkins::id.eq(id))
        .filter(checkins::conference_id.eq(conference_id))
        .select(CheckinRow::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()
}

pub async fn of_registration(
    conn: &mut AsyncPgConnection,
    conference_id: Uuid,
    registration_id: Uuid,
) -> QueryResult<Vec<CheckinRow>> {
    checkins::table
        .filter(checkins::conference_id.eq(conference_id))
        .filter(checkins::registration_id.eq(registration_id))
        .order((checkins::received_at.asc(), checkins::id.asc()))
        .select(CheckinRow::as_select())
        .load(conn)
        .await
}

pub async fn undo(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    by: Uuid,
    reason: &str,
) -> QueryResult<CheckinRow> {
    diesel::update(checkins::table.find(id))
        .set((
            checkins::undone_at.eq(Some(Utc::now())),
            checkins::undone_by.eq(Some(by)),
            checkins::undo_reason.eq(Some(reason)),
        ))
        .returning(CheckinRow::as_returning())
        .get_result(conn)
        .await
}
