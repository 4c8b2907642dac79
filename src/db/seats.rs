//! The conference's seat row (`conference_seats`): the confirmed count and the registration
//! number counter, which every registration of a conference shares, and copies of the
//! conference columns a self-registration re-checks under its lock (kept by a trigger on
//! `conferences`; see the migration `conference_seats`).
//!
//! Lock order: a writer that locks the conference row locks it before this one. A
//! self-registration locks only this row, and as late as it can: `lock`, then
//! `insert_registration`, then the commit.

use chrono::{DateTime, Utc};
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::sql_types::{Bytea, Integer, Nullable, Text, Untyped, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::db::registrations::{NewRegistration, RegistrationRow};
use crate::db::schema::conference_seats;

/// The seat row, read under its lock.
#[derive(Queryable, Selectable, Debug, Clone)]
#[diesel(table_name = conference_seats)]
pub struct Seats {
    pub confirmed_count: i32,
    pub registration_seq: i32,
    pub capacity: Option<i32>,
    pub waitlist_enabled: bool,
    /// The conference's status, as of the last committed change of the conference.
    pub status: String,
    pub registration_mode: String,
    pub registration_opens_at: Option<DateTime<Utc>>,
    /// `registration_closes_at`, or the conference's end when it has none.
    pub registration_closes_at: DateTime<Utc>,
}

/// Locks the seat row until the transaction ends and reads it.
pub async fn lock(conn: &mut AsyncPgConnection, conference_id: Uuid) -> QueryResult<Seats> {
    conference_seats::table
        .find(conference_id)
        .select(Seats::as_select())
        .for_update()
        .first(conn)
        .await
}

/// Writes both counters; the caller holds the lock (`lock`).
pub async fn set_counters(
    conn: &mut AsyncPgConnection,
    conference_id: Uuid,
    confirmed_count: i32,
    registration_seq: i32,
) -> QueryResult<()> {
    diesel::update(conference_seats::table.find(conference_id))
        .set((
            conference_seats::confirmed_count.eq(confirmed_count),
            conference_seats::registration_seq.eq(registration_seq),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

/// The consent a self-registration records with its row.
#[derive(Debug, Clone, Copy)]
pub struct Consent {
    pub notice_version: i32,
}

/// Inserts one registration and writes the counters it moved, in one statement (the caller
/// holds the seat row's lock: one round trip less under it). A waitlisted row is stamped with
/// the database clock read now, under the lock, so the waitlist is in admission order whatever
/// the replicas' clocks; `new.waitlisted_at` is not used.
pub async fn insert_registration(
    conn: &mut AsyncPgConnection,
    new: &NewRegistration,
    confirmed_count: i32,
    consent: Option<Consent>,
) -> QueryResult<RegistrationRow> {
    InsertRegistration {
        new,
        confirmed_count,
        consent_notice_version: consent.map(|c| c.notice_version),
    }
    .get_result(conn)
    .await
}

/// The statement of `insert_registration`, with a fixed text so that each connection prepares
/// it once (`sql_query` would prepare it at every call: a second round trip under the lock).
struct InsertRegistration<'a> {
    new: &'a NewRegistration,
    confirmed_count: i32,
    consent_notice_version: Option<i32>,
}

impl QueryId for InsertRegistration<'_> {
    type QueryId = InsertRegistration<'static>;
    const HAS_STATIC_QUERY_ID: bool = true;
}

impl Query for InsertRegistration<'_> {
    type SqlType = Untyped;
}

impl QueryFragment<Pg> for InsertRegistration<'_> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        let new = self.new;
        let person = &new.person;
        out.push_sql("WITH seats AS (UPDATE conference_seats SET confirmed_count = ");
        out.push_bind_param::<Integer, _>(&self.confirmed_count)?;
        out.push_sql(", registration_seq = ");
        out.push_bind_param::<Integer, _>(&new.number)?;
        out.push_sql(" WHERE conference_id = ");
        out.push_bind_param::<SqlUuid, _>(&new.conference_id)?;
        out.push_sql(
            ") INSERT INTO registrations (id, conference_id, number, full_name, position, \
             unit_id, organization, category, email, phone, search_text, name_folded, language, \
             status, source, invitation_id, qr_secret, delegate_token_hash, waitlisted_at, \
             legal_basis, consent_notice_version, consent_at) VALUES (",
        );
        out.push_bind_param::<SqlUuid, _>(&new.id)?;
        out.push_sql(", ");
        out.push_bind_param::<SqlUuid, _>(&new.conference_id)?;
        out.push_sql(", ");
        out.push_bind_param::<Integer, _>(&new.number)?;
        for text in [&person.full_name] {
            out.push_sql(", ");
            out.push_bind_param::<Text, _>(text)?;
        }
        out.push_sql(", ");
        out.push_bind_param::<Nullable<Text>, _>(&person.position)?;
        out.push_sql(", ");
        out.push_bind_param::<Nullable<SqlUuid>, _>(&person.unit_id)?;
        out.push_sql(", ");
        out.push_bind_param::<Nullable<Text>, _>(&person.organization)?;
        out.push_sql(", ");
        out.push_bind_param::<Text, _>(&person.category)?;
        out.push_sql(", ");
        out.push_bind_param::<Nullable<Text>, _>(&person.email)?;
        out.push_sql(", ");
        out.push_bind_param::<Nullable<Text>, _>(&person.phone)?;
        for text in [
            &person.search_text,
            &person.name_folded,
            &person.language,
            &new.status,
            &new.source,
        ] {
            out.push_sql(", ");
            out.push_bind_param::<Text, _>(text)?;
        }
        out.push_sql(", ");
        out.push_bind_param::<Nullable<SqlUuid>, _>(&new.invitation_id)?;
        out.push_sql(", ");
        out.push_bind_param::<Text, _>(&new.qr_secret)?;
        out.push_sql(", ");
        out.push_bind_param::<Bytea, _>(&new.delegate_token_hash)?;
        out.push_sql(", CASE WHEN ");
        out.push_bind_param::<Text, _>(&new.status)?;
        out.push_sql(" = 'waitlisted' THEN clock_timestamp() END, CASE WHEN ");
        out.push_bind_param::<Nullable<Integer>, _>(&self.consent_notice_version)?;
        out.push_sql("::integer IS NOT NULL THEN 'consent' END, ");
        out.push_bind_param::<Nullable<Integer>, _>(&self.consent_notice_version)?;
        out.push_sql(", CASE WHEN ");
        out.push_bind_param::<Nullable<Integer>, _>(&self.consent_notice_version)?;
        out.push_sql(
            "::integer IS NOT NULL THEN now() END) RETURNING id, conference_id, number, \
             full_name, position, unit_id, organization, category, email, phone, status, \
             source, invitation_id, qr_secret, waitlisted_at, version, created_at, updated_at, \
             language",
        );
        Ok(())
    }
}
