//! Queries on `conferences` and `conference_organizers`.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::dsl::exists;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::db::enums::{ConferenceStatus, RegistrationMode};
use crate::db::ids::{AccountId, ConferenceId};
use crate::db::schema::{accounts, conference_organizers, conferences};

#[derive(Queryable, Selectable, Debug, Clone)]
#[diesel(table_name = conferences)]
pub struct ConferenceRow {
    pub id: Uuid,
    pub code: String,
    pub title: String,
    pub description: Option<String>,
    pub venue_name: Option<String>,
    pub venue_address: Option<String>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub time_zone: String,
    pub registration_opens_at: Option<DateTime<Utc>>,
    pub registration_closes_at: Option<DateTime<Utc>>,
    pub capacity: Option<i32>,
    pub waitlist_enabled: bool,
    pub registration_mode: RegistrationMode,
    pub host_organization: Option<String>,
    pub co_host_organizations: Vec<Option<String>>,
    pub status: ConferenceStatus,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub sender_email: Option<String>,
    /// From the conference's seat row (`db::seats`), read in the same statement. A conference
    /// just inserted has no seat row yet when `RETURNING` is evaluated (its trigger runs
    /// after): 0 then.
    #[diesel(
        select_expression = confirmed_count_expression(),
        select_expression_type = diesel::expression::SqlLiteral<diesel::sql_types::Integer>
    )]
    pub confirmed_count: i32,
}

fn confirmed_count_expression() -> diesel::expression::SqlLiteral<diesel::sql_types::Integer> {
    diesel::dsl::sql(
        "coalesce((SELECT s.confirmed_count FROM conference_seats s \
         WHERE s.conference_id = conferences.id), 0)",
    )
}

/// Every editable column; used for both insert and full-row update.
#[derive(Insertable, AsChangeset, Debug)]
#[diesel(table_name = conferences, treat_none_as_null = true)]
pub struct ConferenceWrite<'a> {
    pub code: &'a str,
    pub title: &'a str,
    pub description: Option<&'a str>,
    pub venue_name: Option<&'a str>,
    pub venue_address: Option<&'a str>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub time_zone: &'a str,
    pub registration_opens_at: Option<DateTime<Utc>>,
    pub registration_closes_at: Option<DateTime<Utc>>,
    pub capacity: Option<i32>,
    pub waitlist_enabled: bool,
    pub registration_mode: &'a str,
    pub host_organization: Option<&'a str>,
    pub co_host_organizations: &'a [String],
    pub search_text: &'a str,
    pub sender_email: Option<&'a str>,
}

pub async fn insert(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    created_by: Option<Uuid>,
    row: ConferenceWrite<'_>,
) -> QueryResult<ConferenceRow> {
    diesel::insert_into(conferences::table)
        .values((
            conferences::id.eq(id),
            conferences::created_by.eq(created_by),
            row,
        ))
        .returning(ConferenceRow::as_returning())
        .get_result(conn)
        .await
}

pub async fn update(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    row: ConferenceWrite<'_>,
) -> QueryResult<ConferenceRow> {
    diesel::update(conferences::table.find(id))
        .set((
            row,
            conferences::version.eq(conferences::version + 1),
            conferences::updated_at.eq(diesel::dsl::now),
        ))
        .returning(ConferenceRow::as_returning())
        .get_result(conn)
        .await
}

pub async fn set_status(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    status: ConferenceStatus,
) -> QueryResult<ConferenceRow> {
    diesel::update(conferences::table.find(id))
        .set((
            conferences::status.eq(status.as_str()),
            conferences::version.eq(conferences::version + 1),
            conferences::updated_at.eq(diesel::dsl::now),
        ))
        .returning(ConferenceRow::as_returning())
        .get_result(conn)
        .await
}

/// How a read locks the conference row until the transaction ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lock {
    None,
    /// Others may read and share-lock, but not change it (writing its sessions).
    Share,
    /// Exclusive among writers: changing the conference itself. Taken as `FOR NO KEY UPDATE`,
    /// which rows referencing the conference (their foreign-key checks take `FOR KEY SHARE`) do
    /// not wait for: a self-registration holding the seat row inserts its row while an organizer
    /// holds this lock and waits for the seat row (`FOR UPDATE` here deadlocked the two).
    Update,
}

/// The conference plus whether `account_id` organizes it, in one round trip.
pub async fn find_with_membership(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    account_id: Option<Uuid>,
    lock: Lock,
) -> QueryResult<Option<(ConferenceRow, bool)>> {
    let member = exists(
        conference_organizers::table
            .filter(conference_organizers::conference_id.eq(id))
            .filter(conference_organizers::account_id.nullable().eq(account_id)),
    );
    let query = conferences::table
        .find(id)
        .select((ConferenceRow::as_select(), member));
    match lock {
        Lock::None => query.first(conn).await.optional(),
        Lock::Share => query.for_share().first(conn).await.optional(),
        Lock::Update => query.for_no_key_update().first(conn).await.optional(),
    }
}

pub async fn find_by_code(
    conn: &mut AsyncPgConnection,
    code: &str,
) -> QueryResult<Option<ConferenceRow>> {
    conferences::table
        .filter(conferences::code.eq(code))
        .select(ConferenceRow::as_select())
        .first(conn)
        .await
        .optional()
}

pub struct ConferenceFilter<'a> {
    pub after: Option<(DateTime<Utc>, Uuid)>,
    pub status: Option<&'a str>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub search_pattern: Option<&'a str>,
    /// Exactly this code.
    pub code: Option<&'a str>,
    /// `None`: every conference (admin). `Some(None)`: only non-drafts (anonymous).
    /// `Some(Some(id))`: non-drafts plus drafts that account organizes.
    pub visible_to: Option<Option<Uuid>>,
    pub limit: i64,
}

diesel::define_sql_function! {
    /// Local start date of a conference in its own time zone (SQL function from the migrations).
    fn local_start_date(starts_at: diesel::sql_types::Timestamptz, time_zone: diesel::sql_types::Text) -> diesel::sql_types::Date;
}

pub async fn list(
    conn: &mut AsyncPgConnection,
    filter: ConferenceFilter<'_>,
) -> QueryResult<Vec<ConferenceRow>> {
    let mut query = conferences::table
        .select(ConferenceRow::as_select())
        .into_boxed();
    if let Some((created_at, id)) = filter.after {
        query = query.filter(
            conferences::created_at
                .gt(created_at)
                .or(conferences::created_at
                    .eq(created_at)
                    .and(conferences::id.gt(id))),
        );
    }
    if let Some(status) = filter.status {
        query = query.filter(conferences::status.eq(status.to_owned()));
    }
    if let Some(from) = filter.from {
        query =
            query.filter(local_start_date(conferences::starts_at, conferences::time_zone).ge(from));
    }
    if let Some(to) = filter.to {
        query =
            query.filter(local_start_date(conferences::starts_at, conferences::time_zone).le(to));
    }
    if let Some(pattern) = filter.search_pattern {
        query = query.filter(conferences::search_text.like(pattern.to_owned()));
    }
    if let Some(code) = filter.code {
        query = query.filter(conferences::code.eq(code.to_owned()));
    }
    match filter.visible_to {
        None => {}
        Some(None) => {
            query = query.filter(conferences::status.ne(ConferenceStatus::Draft.as_str()))
        }
        Some(Some(account_id)) => {
            let organizes = exists(
                conference_organizers::table
                    .filter(conference_organizers::conference_id.eq(conferences::id))
                    .filter(conference_organizers::account_id.eq(account_id)),
            );
            query = query.filter(
                conferences::status
                    .ne(ConferenceStatus::Draft.as_str())
                    .or(organizes),
            );
        }
    }
    query
        .order((conferences::created_at.asc(), conferences::id.asc()))
        .limit(filter.limit)
        .load(conn)
        .await
}

#[derive(Queryable, Debug)]
pub struct OrganizerRow {
    pub account_id: AccountId,
    pub email: String,
    pub display_name: String,
    pub added_at: DateTime<Utc>,
}

pub async fn add_organizer(
    conn: &mut AsyncPgConnection,
    conference_id: ConferenceId,
    account_id: AccountId,
) -> QueryResult<()> {
    diesel::insert_into(conference_organizers::table)
        .values((
            conference_organizers::conference_id.eq(conference_id),
            conference_organizers::account_id.eq(account_id),
        ))
        .on_conflict_do_nothing()
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn remove_organizer(
    conn: &mut AsyncPgConnection,
    conference_id: ConferenceId,
    account_id: AccountId,
) -> QueryResult<usize> {
    diesel::delete(conference_organizers::table.find((conference_id, account_id)))
        .execute(conn)
        .await
}

pub async fn list_organizers(
    conn: &mut AsyncPgConnection,
    conference_id: ConferenceId,
) -> QueryResult<Vec<OrganizerRow>> {
    conference_organizers::table
        .inner_join(accounts::table)
        .filter(conference_organizers::conference_id.eq(conference_id))
        .order((conference_organizers::added_at.asc(), accounts::id.asc()))
        .select((
            accounts::id,
            accounts::email,
            accounts::display_name,
            conference_organizers::added_at,
        ))
        .load(conn)
        .await
}

pub async fn count_organizers(
    conn: &mut AsyncPgConnection,
    conference_id: Uuid,
) -> QueryResult<i64> {
    conference_organizers::table
        .filter(conference_organizers::conference_id.eq(conference_id))
        .count()
        .get_result(conn)
        .await
}
