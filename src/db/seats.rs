//! The conference's seat row (`conference_seats`): the confirmed count and the registration
//! number counter, which every registration of a conference shares, and copies of the
//! conference columns a self-registration re-checks under its lock (kept by a trigger on
//! `conferences`; see the migration `conference_seats`).
//!
//! Lock order: a writer that locks the conference row locks it before this one. A
//! self-registration locks only this row, inside one statement (`self_register`).

use chrono::{DateTime, Utc};
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::sql_types::{Bytea, Integer, Nullable, Text, Timestamptz, Untyped, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::db::enums::{ConferenceStatus, RegistrationMode};
use crate::db::named_args::named_arg;
use crate::db::registrations::NewRegistration;
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
    pub status: ConferenceStatus,
    pub registration_mode: RegistrationMode,
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

/// What `self_register_v1` is given: the registration to write and the conference values the
/// application checked before the call (see the function in the `conference_seats` migration).
pub struct SelfRegistration<'a> {
    pub seen_status: ConferenceStatus,
    pub seen_mode: RegistrationMode,
    pub seen_opens_at: Option<DateTime<Utc>>,
    pub seen_closes_at: DateTime<Utc>,
    /// `number`, `status`, `source` and `waitlisted_at` are decided by the function; the search
    /// text holds `REFERENCE_PLACEHOLDER` where the reference goes.
    pub new: &'a NewRegistration,
    pub reference_prefix: &'a str,
    pub notice_version: i32,
    /// The delegate's link token, for the confirmation email the insert queues.
    pub delegate_token: &'a str,
}

/// Where the function puts the registration's folded reference in the search text.
pub const REFERENCE_PLACEHOLDER: &str = "\u{1}";

/// The function's answer: `ok` with the row's decided columns, `capacity_reached`, or
/// `conference_changed`.
#[derive(QueryableByName, Debug)]
pub struct SelfRegistered {
    #[diesel(sql_type = Text)]
    pub o_outcome: String,
    #[diesel(sql_type = Nullable<Integer>)]
    pub o_number: Option<i32>,
    #[diesel(sql_type = Nullable<Text>)]
    pub o_status: Option<String>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    pub o_waitlisted_at: Option<DateTime<Utc>>,
    #[diesel(sql_type = Nullable<Integer>)]
    pub o_version: Option<i32>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    pub o_created_at: Option<DateTime<Utc>>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    pub o_updated_at: Option<DateTime<Utc>>,
}

/// Runs `self_register_v1`: outside a transaction block it locks the seat row only while it
/// runs, and commits without waiting for the flush (`db::durability::await_flush` next).
pub async fn self_register(
    conn: &mut AsyncPgConnection,
    registration: &SelfRegistration<'_>,
) -> QueryResult<SelfRegistered> {
    registration.get_result(conn).await
}

impl QueryId for SelfRegistration<'_> {
    type QueryId = SelfRegistration<'static>;
    const HAS_STATIC_QUERY_ID: bool = true;
}

impl Query for SelfRegistration<'_> {
    type SqlType = Untyped;
}

/// The statement's text is fixed: each connection prepares it once.
impl QueryFragment<Pg> for SelfRegistration<'_> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        let new = self.new;
        let person = &new.person;
        out.push_sql("SELECT * FROM self_register_v1(");
        named_arg::<SqlUuid, _>(&mut out, "p_conference_id", &new.conference_id)?;
        out.push_sql(", ");
        named_arg::<Text, str>(&mut out, "p_seen_status", self.seen_status.as_str())?;
        out.push_sql(", ");
        named_arg::<Text, str>(&mut out, "p_seen_mode", self.seen_mode.as_str())?;
        out.push_sql(", ");
        named_arg::<Nullable<Timestamptz>, _>(&mut out, "p_seen_opens_at", &self.seen_opens_at)?;
        out.push_sql(", ");
        named_arg::<Timestamptz, _>(&mut out, "p_seen_closes_at", &self.seen_closes_at)?;
        out.push_sql(", ");
        named_arg::<SqlUuid, _>(&mut out, "p_id", &new.id)?;
        out.push_sql(", ");
        named_arg::<Text, _>(&mut out, "p_full_name", &person.full_name)?;
        out.push_sql(", ");
        named_arg::<Nullable<Text>, _>(&mut out, "p_position", &person.position)?;
        out.push_sql(", ");
        named_arg::<Nullable<SqlUuid>, _>(&mut out, "p_unit_id", &person.unit_id)?;
        out.push_sql(", ");
        named_arg::<Nullable<Text>, _>(&mut out, "p_organization", &person.organization)?;
        out.push_sql(", ");
        named_arg::<Text, str>(&mut out, "p_category", person.category.as_str())?;
        out.push_sql(", ");
        named_arg::<Nullable<Text>, _>(&mut out, "p_email", &person.email)?;
        out.push_sql(", ");
        named_arg::<Nullable<Text>, _>(&mut out, "p_phone", &person.phone)?;
        out.push_sql(", ");
        named_arg::<Text, _>(&mut out, "p_search_text", &person.search_text)?;
        out.push_sql(", ");
        named_arg::<Text, _>(&mut out, "p_name_folded", &person.name_folded)?;
        out.push_sql(", ");
        named_arg::<Text, _>(&mut out, "p_language", &person.language)?;
        out.push_sql(", ");
        named_arg::<Text, str>(&mut out, "p_reference_prefix", self.reference_prefix)?;
        out.push_sql(", ");
        named_arg::<Text, _>(&mut out, "p_qr_secret", &new.qr_secret)?;
        out.push_sql(", ");
        named_arg::<Bytea, _>(&mut out, "p_delegate_token_hash", &new.delegate_token_hash)?;
        out.push_sql(", ");
        named_arg::<Integer, _>(&mut out, "p_notice_version", &self.notice_version)?;
        out.push_sql(", ");
        named_arg::<Text, str>(&mut out, "p_delegate_token", self.delegate_token)?;
        out.push_sql(")");
        Ok(())
    }
}
