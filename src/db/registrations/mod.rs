//! Queries on `registrations` (the seat counters: `db::seats`): the row structs, inserts,
//! lookups, lifecycle writes and filtered lists (here); substitutions (`substitutions.rs`); the
//! ranked name search (`search.rs`).

use chrono::{DateTime, Utc};
use diesel::dsl::sql;
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::db::enums::{Category, RegistrationSource, RegistrationStatus};
use crate::db::schema::{registrations, units};

mod search;
mod substitutions;

pub use search::*;
pub use substitutions::*;

#[derive(Queryable, QueryableByName, Selectable, Debug, Clone)]
#[diesel(table_name = registrations)]
pub struct RegistrationRow {
    pub id: Uuid,
    pub conference_id: Uuid,
    pub number: i32,
    pub full_name: String,
    pub position: Option<String>,
    pub unit_id: Option<Uuid>,
    pub organization: Option<String>,
    pub category: Category,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub status: RegistrationStatus,
    pub source: RegistrationSource,
    pub invitation_id: Option<Uuid>,
    pub qr_secret: String,
    pub waitlisted_at: Option<DateTime<Utc>>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// `vi` or `en`: the language of the delegate's emails.
    pub language: String,
}

/// The person on a registration: what organizers, units and delegates may edit.
#[derive(AsChangeset, Debug, Clone)]
#[diesel(table_name = registrations, treat_none_as_null = true)]
pub struct PersonWrite {
    pub full_name: String,
    pub position: Option<String>,
    pub unit_id: Option<Uuid>,
    pub organization: Option<String>,
    #[diesel(serialize_as = String)]
    pub category: Category,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub search_text: String,
    /// The folded full name (`search_text` starts with it); ranks exact name matches first.
    pub name_folded: String,
    /// `vi` or `en`: the language of the delegate's emails.
    pub language: String,
}

/// `PersonWrite` writes its category as text (`serialize_as`).
impl From<Category> for String {
    fn from(category: Category) -> String {
        category.as_str().to_owned()
    }
}

#[derive(Debug, Clone)]
pub struct NewRegistration {
    pub id: Uuid,
    pub conference_id: Uuid,
    pub number: i32,
    pub person: PersonWrite,
    pub status: RegistrationStatus,
    pub source: RegistrationSource,
    pub invitation_id: Option<Uuid>,
    pub qr_secret: String,
    pub delegate_token_hash: Vec<u8>,
    pub waitlisted_at: Option<DateTime<Utc>>,
}

pub async fn insert(
    conn: &mut AsyncPgConnection,
    new: &NewRegistration,
) -> QueryResult<RegistrationRow> {
    diesel::insert_into(registrations::table)
        .values((
            registrations::id.eq(new.id),
            registrations::conference_id.eq(new.conference_id),
            registrations::number.eq(new.number),
            registrations::full_name.eq(&new.person.full_name),
            registrations::position.eq(&new.person.position),
            registrations::unit_id.eq(new.person.unit_id),
            registrations::organization.eq(&new.person.organization),
            registrations::category.eq(new.person.category.as_str()),
            registrations::email.eq(&new.person.email),
            registrations::phone.eq(&new.person.phone),
            registrations::search_text.eq(&new.person.search_text),
            registrations::name_folded.eq(&new.person.name_folded),
            registrations::language.eq(&new.person.language),
            registrations::status.eq(new.status.as_str()),
            registrations::source.eq(new.source.as_str()),
            registrations::invitation_id.eq(new.invitation_id),
            registrations::qr_secret.eq(&new.qr_secret),
            registrations::delegate_token_hash.eq(&new.delegate_token_hash),
            registrations::waitlisted_at.eq(new.waitlisted_at),
        ))
        .returning(RegistrationRow::as_returning())
        .get_result(conn)
        .await
}

/// Inserts many admitted registrations in one statement (imports).
pub async fn insert_many(
    conn: &mut AsyncPgConnection,
    rows: &[NewRegistration],
) -> QueryResult<usize> {
    let values: Vec<_> = rows
        .iter()
        .map(|new| {
            (
                registrations::id.eq(new.id),
                registrations::conference_id.eq(new.conference_id),
                registrations::number.eq(new.number),
                registrations::full_name.eq(&new.person.full_name),
                registrations::position.eq(&new.person.position),
                registrations::unit_id.eq(new.person.unit_id),
                registrations::organization.eq(&new.person.organization),
                registrations::category.eq(new.person.category.as_str()),
                registrations::email.eq(&new.person.email),
                registrations::phone.eq(&new.person.phone),
                registrations::search_text.eq(&new.person.search_text),
                registrations::name_folded.eq(&new.person.name_folded),
                registrations::language.eq(&new.person.language),
                registrations::status.eq(new.status.as_str()),
                registrations::source.eq(new.source.as_str()),
                registrations::invitation_id.eq(new.invitation_id),
                registrations::qr_secret.eq(&new.qr_secret),
                registrations::delegate_token_hash.eq(&new.delegate_token_hash),
                registrations::waitlisted_at.eq(new.waitlisted_at),
            )
        })
        .collect();
    diesel::insert_into(registrations::table)
        .values(values)
        .execute(conn)
        .await
}

/// Emails and phones of a conference's live registrations (duplicate checks of imports).
pub async fn live_contacts(
    conn: &mut AsyncPgConnection,
    conference_id: Uuid,
) -> QueryResult<Vec<(Option<String>, Option<String>)>> {
    registrations::table
        .filter(registrations::conference_id.eq(conference_id))
        .filter(registrations::status.ne_all([
            RegistrationStatus::Cancelled.as_str(),
            RegistrationStatus::Rejected.as_str(),
        ]))
        .select((registrations::email, registrations::phone))
        .load(conn)
        .await
}

pub async fn find(
    conn: &mut AsyncPgConnection,
    conference_id: Uuid,
    id: Uuid,
    lock: bool,
) -> QueryResult<Option<RegistrationRow>> {
    let query = registrations::table
        .filter(registrations::id.eq(id))
        .filter(registrations::conference_id.eq(conference_id))
        .select(RegistrationRow::as_select());
    if lock {
        query.for_update().first(conn).await.optional()
    } else {
        query.first(conn).await.optional()
    }
}

/// Marks a registration changed (its sign-ups changed), for offline bundles' deltas.
pub async fn touch(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<()> {
    diesel::update(registrations::table.find(id))
        .set(registrations::updated_at.eq(diesel::dsl::now))
        .execute(conn)
        .await?;
    Ok(())
}

/// A registration by id, whatever its conference.
pub async fn find_any(
    conn: &mut AsyncPgConnection,
    id: Uuid,
) -> QueryResult<Option<RegistrationRow>> {
    registrations::table
        .find(id)
        .select(RegistrationRow::as_select())
        .first(conn)
        .await
        .optional()
}

/// Locks the registration that still holds this token (a substitution may have replaced it
/// while the caller waited for the lock).
pub async fn find_by_token_hash_locked(
    conn: &mut AsyncPgConnection,
    hash: &[u8],
) -> QueryResult<Option<RegistrationRow>> {
    registrations::table
        .filter(registrations::delegate_token_hash.eq(hash))
        .select(RegistrationRow::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()
}

pub async fn find_by_token_hash(
    conn: &mut AsyncPgConnection,
    hash: &[u8],
) -> QueryResult<Option<RegistrationRow>> {
    registrations::table
        .filter(registrations::delegate_token_hash.eq(hash))
        .select(RegistrationRow::as_select())
        .first(conn)
        .await
        .optional()
}

pub async fn update_person(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    person: &PersonWrite,
) -> QueryResult<RegistrationRow> {
    diesel::update(registrations::table.find(id))
        .set((
            person.clone(),
            registrations::version.eq(registrations::version + 1),
            registrations::updated_at.eq(diesel::dsl::now),
        ))
        .returning(RegistrationRow::as_returning())
        .get_result(conn)
        .await
}

/// Replaces the person on a seat: new details, a new QR secret and delegate token.
pub async fn substitute(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    person: &PersonWrite,
    qr_secret: &str,
    delegate_token_hash: &[u8],
) -> QueryResult<RegistrationRow> {
    diesel::update(registrations::table.find(id))
        .set((
            person.clone(),
            registrations::qr_secret.eq(qr_secret),
            registrations::delegate_token_hash.eq(delegate_token_hash),
            registrations::version.eq(registrations::version + 1),
            registrations::updated_at.eq(diesel::dsl::now),
        ))
        .returning(RegistrationRow::as_returning())
        .get_result(conn)
        .await
}

pub async fn set_status(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    status: RegistrationStatus,
    waitlisted_at: Option<DateTime<Utc>>,
) -> QueryResult<RegistrationRow> {
    diesel::update(registrations::table.find(id))
        .set((
            registrations::status.eq(status.as_str()),
            registrations::waitlisted_at.eq(waitlisted_at),
            registrations::version.eq(registrations::version + 1),
            registrations::updated_at.eq(diesel::dsl::now),
        ))
        .returning(RegistrationRow::as_returning())
        .get_result(conn)
        .await
}

/// Stamps waitlisted registrations with the database clock, read after the conference row
/// lock was taken, so waitlist order is the order of admission whatever the replicas' clocks.
/// The clock is read once per statement: rows stamped together (an import) share the instant
/// and keep their registration-number order.
pub async fn stamp_waitlisted(conn: &mut AsyncPgConnection, ids: &[Uuid]) -> QueryResult<()> {
    if ids.is_empty() {
        return Ok(());
    }
    diesel::update(registrations::table.filter(registrations::id.eq_any(ids)))
        .set(registrations::waitlisted_at.eq(diesel::dsl::sql::<
            diesel::sql_types::Nullable<diesel::sql_types::Timestamptz>,
        >("(SELECT clock_timestamp())")))
        .execute(conn)
        .await?;
    Ok(())
}

/// Locks registrations in id order (bulk actions), so concurrent writers cannot deadlock on them.
pub async fn lock_many(
    conn: &mut AsyncPgConnection,
    conference_id: Uuid,
    ids: &[Uuid],
) -> QueryResult<()> {
    registrations::table
        .filter(registrations::conference_id.eq(conference_id))
        .filter(registrations::id.eq_any(ids))
        .order(registrations::id.asc())
        .select(registrations::id)
        .for_update()
        .load::<Uuid>(conn)
        .await?;
    Ok(())
}

/// The longest-waiting registration of a conference, locked.
pub async fn first_waitlisted(
    conn: &mut AsyncPgConnection,
    conference_id: Uuid,
) -> QueryResult<Option<RegistrationRow>> {
    registrations::table
        .filter(registrations::conference_id.eq(conference_id))
        .filter(registrations::status.eq(RegistrationStatus::Waitlisted.as_str()))
        .order((
            registrations::waitlisted_at.asc(),
            registrations::number.asc(),
        ))
        .select(RegistrationRow::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()
}

pub async fn unit_names(
    conn: &mut AsyncPgConnection,
    ids: &[Uuid],
) -> QueryResult<Vec<(Uuid, String)>> {
    units::table
        .filter(units::id.eq_any(ids))
        .select((units::id, units::name))
        .load(conn)
        .await
}

#[derive(Default)]
pub struct RegistrationFilter<'a> {
    pub after: Option<(DateTime<Utc>, Uuid)>,
    pub status: Option<&'a str>,
    pub category: Option<&'a str>,
    pub source: Option<&'a str>,
    pub unit_id: Option<Uuid>,
    pub unit_kind: Option<&'a str>,
    /// A district (or any unit): its registrations and those of every unit below it.
    pub within_unit: Option<Uuid>,
    pub invitation_id: Option<Uuid>,
    /// A word search, ranked (see [`SEARCH`]; no cursor: one page).
    pub search: Option<NameSearch<'a>>,
    pub limit: i64,
}

fn filtered<'a>(
    conference_id: Uuid,
    filter: &RegistrationFilter<'a>,
) -> registrations::BoxedQuery<'a, Pg> {
    let mut query = registrations::table
        .filter(registrations::conference_id.eq(conference_id))
        .into_boxed();
    if let Some(status) = filter.status {
        query = query.filter(registrations::status.eq(status));
    }
    if let Some(category) = filter.category {
        query = query.filter(registrations::category.eq(category));
    }
    if let Some(source) = filter.source {
        query = query.filter(registrations::source.eq(source));
    }
    if let Some(unit_id) = filter.unit_id {
        query = query.filter(registrations::unit_id.eq(unit_id));
    }
    if let Some(invitation_id) = filter.invitation_id {
        query = query.filter(registrations::invitation_id.eq(invitation_id));
    }
    if let Some(kind) = filter.unit_kind {
        let of_kind = units::table
            .filter(units::kind.eq(kind))
            .select(units::id.nullable());
        query = query.filter(registrations::unit_id.eq_any(of_kind));
    }
    if let Some(root) = filter.within_unit {
        query = query.filter(
            sql::<Bool>("registrations.unit_id IN (WITH RECURSIVE below(id) AS (SELECT ")
                .bind::<SqlUuid, _>(root)
                .sql(" UNION SELECT u.id FROM units u JOIN below ON u.parent_id = below.id) SELECT id FROM below)"),
        );
    }
    query
}

pub async fn list(
    conn: &mut AsyncPgConnection,
    conference_id: Uuid,
    filter: RegistrationFilter<'_>,
) -> QueryResult<Vec<RegistrationRow>> {
    if let Some(terms) = filter.search {
        return search(conn, conference_id, &filter, terms).await;
    }
    let mut query = filtered(conference_id, &filter).select(RegistrationRow::as_select());
    if let Some((created_at, id)) = filter.after {
        query = query.filter(
            registrations::created_at
                .gt(created_at)
                .or(registrations::created_at
                    .eq(created_at)
                    .and(registrations::id.gt(id))),
        );
    }
    query
        .order((registrations::created_at.asc(), registrations::id.asc()))
        .limit(filter.limit)
        .load(conn)
        .await
}
