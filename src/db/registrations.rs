//! Queries on `registrations` and their substitutions (the seat counters: `db::seats`).

use chrono::{DateTime, Utc};
use diesel::dsl::sql;
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Text, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::db::schema::{registration_substitutions, registrations, units};

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
    pub category: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub status: String,
    pub source: String,
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
    pub category: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub search_text: String,
    /// The folded full name (`search_text` starts with it); ranks exact name matches first.
    pub name_folded: String,
    /// `vi` or `en`: the language of the delegate's emails.
    pub language: String,
}

#[derive(Debug, Clone)]
pub struct NewRegistration {
    pub id: Uuid,
    pub conference_id: Uuid,
    pub number: i32,
    pub person: PersonWrite,
    pub status: String,
    pub source: String,
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
            registrations::category.eq(&new.person.category),
            registrations::email.eq(&new.person.email),
            registrations::phone.eq(&new.person.phone),
            registrations::search_text.eq(&new.person.search_text),
            registrations::name_folded.eq(&new.person.name_folded),
            registrations::language.eq(&new.person.language),
            registrations::status.eq(&new.status),
            registrations::source.eq(&new.source),
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
                registrations::category.eq(&new.person.category),
                registrations::email.eq(&new.person.email),
                registrations::phone.eq(&new.person.phone),
                registrations::search_text.eq(&new.person.search_text),
                registrations::name_folded.eq(&new.person.name_folded),
                registrations::language.eq(&new.person.language),
                registrations::status.eq(&new.status),
                registrations::source.eq(&new.source),
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
        .filter(registrations::status.ne_all(["cancelled", "rejected"]))
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
    status: &str,
    waitlisted_at: Option<DateTime<Utc>>,
) -> QueryResult<RegistrationRow> {
    diesel::update(registrations::table.find(id))
        .set((
            registrations::status.eq(status),
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
        .filter(registrations::status.eq("waitlisted"))
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

/// A folded query (see `domain::search`): the whole text and its words.
#[derive(Clone, Copy)]
pub struct NameSearch<'a> {
    pub folded: &'a str,
    pub words: &'a [String],
}

/// At most this many matches of one ranking tier are read and sorted by name: a tier with more
/// (a lone `nguyen` among 100,000) shows the first page of a sample of that size, so a search
/// never reads thousands of rows. Refining the query brings the wanted person into range.
pub const SEARCH_SAMPLE: i64 = 100;

/// A `tsquery` of the words, each quoted literally, as whole words or as prefixes.
fn tsquery(words: &[String], prefix: bool) -> String {
    words
        .iter()
        .map(|w| {
            let quoted = w.replace('\\', "\\\\").replace('\'', "''");
            format!("'{quoted}'{}", if prefix { ":*" } else { "" })
        })
        .collect::<Vec<_>>()
        .join(" & ")
}

/// The search, ranked in tiers (each excludes those before it): 0 the folded name equals the
/// query; 1 every query word is a whole word of the name; 2 every query word is a prefix of a
/// word of the name; 3 every query word is a prefix of a word of the search text (name, unit,
/// organization, reference, email, phones). Within a tier by folded name.
///
/// One statement, bounded work: a tier is read only when the tiers before it hold fewer rows
/// than the page (`One-Time Filter` on their counts), and then at most `$sample` rows of it. The
/// candidate sets are `MATERIALIZED` so the planner costs them as whole sets (GIN bitmap scans
/// for rare words) while the `LIMIT` above still stops reading early; with the `LIMIT` inside,
/// the planner misjudges rare prefixes and walks the whole table.
pub const SEARCH: &str = "
WITH filtered AS NOT MATERIALIZED (
    SELECT r.* FROM registrations r
    WHERE r.conference_id = $conference
      AND ($status::text IS NULL OR r.status = $status)
      AND ($category::text IS NULL OR r.category = $category)
      AND ($source::text IS NULL OR r.source = $source)
      AND ($unit_id::uuid IS NULL OR r.unit_id = $unit_id)
      AND ($invitation_id::uuid IS NULL OR r.invitation_id = $invitation_id)
      AND ($unit_kind::text IS NULL OR r.unit_id IN (SELECT u.id FROM units u WHERE u.kind = $unit_kind))
      AND ($within_unit::uuid IS NULL OR r.unit_id IN (
          WITH RECURSIVE below(id) AS (SELECT $within_unit::uuid UNION SELECT u.id FROM units u JOIN below ON u.parent_id = below.id)
          SELECT id FROM below))
),
m0 AS MATERIALIZED (SELECT id FROM filtered WHERE name_folded = $folded),
t0 AS (SELECT id, 0 AS tier FROM m0 LIMIT $sample),
m1 AS MATERIALIZED (SELECT id FROM filtered WHERE name_words @@ $whole::tsquery AND name_folded <> $folded),
t1 AS (SELECT id, 1 AS tier FROM m1 WHERE (SELECT count(*) FROM t0) < $page LIMIT $sample),
m2 AS MATERIALIZED (SELECT id FROM filtered WHERE name_words @@ $prefixes::tsquery AND NOT name_words @@ $whole::tsquery),
t2 AS (SELECT id, 2 AS tier FROM m2 WHERE (SELECT count(*) FROM t0) + (SELECT count(*) FROM t1) < $page LIMIT $sample),
m3 AS MATERIALIZED (SELECT id FROM filtered WHERE search_words @@ $prefixes::tsquery AND NOT name_words @@ $prefixes::tsquery),
t3 AS (SELECT id, 3 AS tier FROM m3
       WHERE (SELECT count(*) FROM t0) + (SELECT count(*) FROM t1) + (SELECT count(*) FROM t2) < $page LIMIT $sample)
SELECT r.id, r.conference_id, r.number, r.full_name, r.position, r.unit_id, r.organization, r.category,
       r.email, r.phone, r.status, r.source, r.invitation_id, r.qr_secret, r.waitlisted_at, r.version,
       r.created_at, r.updated_at, r.language
FROM registrations r
JOIN (SELECT * FROM t0 UNION ALL SELECT * FROM t1 UNION ALL SELECT * FROM t2 UNION ALL SELECT * FROM t3) ranked USING (id)
ORDER BY ranked.tier, r.name_folded, r.id
LIMIT $page";

/// [`SEARCH`] with its parameters. A query type of its own, so that each connection prepares
/// it once and PostgreSQL may keep one generic plan (the materialized tiers plan alike for
/// every query): planning cost as much as running it.
#[derive(diesel::query_builder::QueryId)]
struct SearchStatement {
    conference_id: Uuid,
    folded: String,
    whole: String,
    prefixes: String,
    sample: i64,
    page: i64,
    status: Option<String>,
    category: Option<String>,
    source: Option<String>,
    unit_id: Option<Uuid>,
    invitation_id: Option<Uuid>,
    unit_kind: Option<String>,
    within_unit: Option<Uuid>,
}

impl diesel::query_builder::QueryFragment<Pg> for SearchStatement {
    fn walk_ast<'b>(
        &'b self,
        mut out: diesel::query_builder::AstPass<'_, 'b, Pg>,
    ) -> QueryResult<()> {
        use diesel::sql_types::{BigInt, Nullable};
        // `$name` marks a parameter; each occurrence becomes a bind of its own.
        let mut rest = SEARCH;
        while let Some(at) = rest.find('$') {
            out.push_sql(&rest[..at]);
            let name_len = rest[at + 1..]
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(rest.len() - at - 1);
            match &rest[at + 1..at + 1 + name_len] {
                "conference" => out.push_bind_param::<SqlUuid, _>(&self.conference_id)?,
                "folded" => out.push_bind_param::<Text, _>(&self.folded)?,
                "whole" => out.push_bind_param::<Text, _>(&self.whole)?,
                "prefixes" => out.push_bind_param::<Text, _>(&self.prefixes)?,
                "sample" => out.push_bind_param::<BigInt, _>(&self.sample)?,
                "page" => out.push_bind_param::<BigInt, _>(&self.page)?,
                "status" => out.push_bind_param::<Nullable<Text>, _>(&self.status)?,
                "category" => out.push_bind_param::<Nullable<Text>, _>(&self.category)?,
                "source" => out.push_bind_param::<Nullable<Text>, _>(&self.source)?,
                "unit_id" => out.push_bind_param::<Nullable<SqlUuid>, _>(&self.unit_id)?,
                "invitation_id" => {
                    out.push_bind_param::<Nullable<SqlUuid>, _>(&self.invitation_id)?
                }
                "unit_kind" => out.push_bind_param::<Nullable<Text>, _>(&self.unit_kind)?,
                "within_unit" => out.push_bind_param::<Nullable<SqlUuid>, _>(&self.within_unit)?,
                other => {
                    return Err(diesel::result::Error::QueryBuilderError(
                        format!("unknown search parameter ${other}").into(),
                    ));
                }
            }
            rest = &rest[at + 1 + name_len..];
        }
        out.push_sql(rest);
        Ok(())
    }
}

impl diesel::query_builder::Query for SearchStatement {
    type SqlType = diesel::sql_types::Untyped;
}

async fn search(
    conn: &mut AsyncPgConnection,
    conference_id: Uuid,
    filter: &RegistrationFilter<'_>,
    search: NameSearch<'_>,
) -> QueryResult<Vec<RegistrationRow>> {
    SearchStatement {
        conference_id,
        folded: search.folded.to_owned(),
        whole: tsquery(search.words, false),
        prefixes: tsquery(search.words, true),
        sample: SEARCH_SAMPLE.max(filter.limit),
        page: filter.limit,
        status: filter.status.map(str::to_owned),
        category: filter.category.map(str::to_owned),
        source: filter.source.map(str::to_owned),
        unit_id: filter.unit_id,
        invitation_id: filter.invitation_id,
        unit_kind: filter.unit_kind.map(str::to_owned),
        within_unit: filter.within_unit,
    }
    .load(conn)
    .await
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
