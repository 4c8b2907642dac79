//! Queries on `invitations`.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::db::enums::RegistrationStatus;
use crate::db::ids::InvitationId;
use crate::db::schema::{invitations, registrations, units};

#[derive(Queryable, Selectable, Debug, Clone)]
#[diesel(table_name = invitations)]
pub struct InvitationRow {
    pub id: InvitationId,
    pub conference_id: Uuid,
    pub unit_id: Uuid,
    pub seats: i32,
    pub used_seats: i32,
    pub expires_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

pub async fn insert(
    conn: &mut AsyncPgConnection,
    conference_id: Uuid,
    unit_id: Uuid,
    seats: i32,
    expires_at: Option<DateTime<Utc>>,
    token_hash: &[u8],
    created_by: Uuid,
) -> QueryResult<InvitationRow> {
    diesel::insert_into(invitations::table)
        .values((
            invitations::id.eq(Uuid::now_v7()),
            invitations::conference_id.eq(conference_id),
            invitations::unit_id.eq(unit_id),
            invitations::seats.eq(seats),
            invitations::expires_at.eq(expires_at),
            invitations::token_hash.eq(token_hash),
            invitations::created_by.eq(created_by),
        ))
        .returning(InvitationRow::as_returning())
        .get_result(conn)
        .await
}

pub async fn find(
    conn: &mut AsyncPgConnection,
    conference_id: Uuid,
    id: InvitationId,
) -> QueryResult<Option<InvitationRow>> {
    invitations::table
        .filter(invitations::id.eq(id))
        .filter(invitations::conference_id.eq(conference_id))
        .select(InvitationRow::as_select())
        .first(conn)
        .await
        .optional()
}

pub async fn find_by_token_hash(
    conn: &mut AsyncPgConnection,
    hash: &[u8],
    lock: bool,
) -> QueryResult<Option<InvitationRow>> {
    let query = invitations::table
        .filter(invitations::token_hash.eq(hash))
        .select(InvitationRow::as_select());
    if lock {
        query.for_update().first(conn).await.optional()
    } else {
        query.first(conn).await.optional()
    }
}

pub async fn add_used_seats(conn: &mut AsyncPgConnection, id: Uuid, delta: i32) -> QueryResult<()> {
    diesel::update(invitations::table.find(id))
        .set((
            invitations::used_seats.eq(invitations::used_seats + delta),
            invitations::updated_at.eq(diesel::dsl::now),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn revoke(conn: &mut AsyncPgConnection, id: InvitationId) -> QueryResult<InvitationRow> {
    diesel::update(invitations::table.find(id))
        .set((
            invitations::revoked_at.eq(Some(Utc::now())),
            invitations::updated_at.eq(diesel::dsl::now),
        ))
        .returning(InvitationRow::as_returning())
        .get_result(conn)
        .await
}

/// A new link token for the invitation (the old link stops working).
pub async fn reissue_token(
    conn: &mut AsyncPgConnection,
    id: InvitationId,
    token_hash: &[u8],
) -> QueryResult<InvitationRow> {
    diesel::update(invitations::table.find(id))
        .set((
            invitations::token_hash.eq(token_hash),
            invitations::updated_at.eq(diesel::dsl::now),
        ))
        .returning(InvitationRow::as_returning())
        .get_result(conn)
        .await
}

/// Invitations of a conference with their unit's name and confirmed count.
pub async fn list_with_counts(
    conn: &mut AsyncPgConnection,
    conference_id: Uuid,
) -> QueryResult<Vec<(InvitationRow, String, i64)>> {
    let confirmed = registrations::table
        .filter(registrations::invitation_id.eq(invitations::id.nullable()))
        .filter(registrations::status.eq(RegistrationStatus::Confirmed.as_str()))
        .count()
        .single_value();
    invitations::table
        .inner_join(units::table)
        .filter(invitations::conference_id.eq(conference_id))
        .order((invitations::created_at.asc(), invitations::id.asc()))
        .select((
            InvitationRow::as_select(),
            units::name,
            confirmed.assume_not_null(),
        ))
        .load(conn)
        .await
}

pub async fn unit_name(conn: &mut AsyncPgConnection, unit_id: Uuid) -> QueryResult<String> {
    units::table
        .find(unit_id)
        .select(units::name)
        .first(conn)
        .await
}
