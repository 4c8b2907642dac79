//! Queries behind the printed documents: sign-in sheet groups and rows (read in keyset pages,
//! one unit at a time), certificates and their codes, badge rows, and the QR disclosure log.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Integer, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

/// Which registrations a sign-in sheet lists.
pub struct SheetFilter<'a> {
    pub status: &'a str,
    pub category: Option<&'a str>,
    pub unit_id: Option<Uuid>,
    /// A district (or any unit): its registrations and those of every unit below it.
    pub within_unit: Option<Uuid>,
    /// A session's sheet: its check-ins count, not the door's.
    pub session_id: Option<Uuid>,
    /// A session that requires sign-up lists only those signed up.
    pub signed_up_only: bool,
    /// `Some(false)`: only those not checked in yet ("who has not arrived").
    pub checked_in: Option<bool>,
}

/// The conditions of [`SheetFilter`] on `registrations r`, binds `$1` to `$8` in the order
/// [`bind_filter`] pushes them. A check-in is the door's (session `NULL`) or the session's.
const SHEET_WHERE: &str = "
    r.conference_id = $1 AND r.status = $2
    AND ($3::text IS NULL OR r.category = $3)
    AND ($4::uuid IS NULL OR r.unit_id = $4)
    AND ($5::uuid IS NULL OR r.unit_id IN (
        WITH RECURSIVE below(id) AS (SELECT $5::uuid UNION SELECT u.id FROM units u JOIN below ON u.parent_id = below.id)
        SELECT id FROM below))
    AND (NOT $7 OR EXISTS (SELECT 1 FROM session_signups s WHERE s.registration_id = r.id AND s.session_id = $6))
    AND ($8::bool IS NULL OR $8 = EXISTS (
        SELECT 1 FROM live_checkins c WHERE c.registration_id = r.id AND c.session_id IS NOT DISTINCT FROM $6::uuid))";

macro_rules! bind_filter {
    ($query:expr, $conference_id:expr, $filter:expr) => {
        $query
            .bind::<SqlUuid, _>($conference_id)
            .bind::<Text, _>($filter.status)
            .bind::<Nullable<Text>, _>($filter.category)
            .bind::<Nullable<SqlUuid>, _>($filter.unit_id)
            .bind::<Nullable<SqlUuid>, _>($filter.within_unit)
            .bind::<Nullable<SqlUuid>, _>($filter.session_id)
            .bind::<Bool, _>($filter.signed_up_only)
            .bind::<Nullable<Bool>, _>($filter.checked_in)
    };
}

/// One unit's block on a sheet (`unit_id` `NULL`: delegates of no unit), in print order.
#[derive(QueryableByName, Debug, Clone)]
pub struct SheetGroupRow {
    #[diesel(sql_type = Nullable<SqlUuid>)]
    pub unit_id: Option<Uuid>,
    #[diesel(sql_type = Nullable<Text>)]
    pub unit_name: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub unit_kind: Option<String>,
    /// For a commune: the district it belongs to.
    #[diesel(sql_type = Nullable<Text>)]
    pub district_name: Option<String>,
    #[diesel(sql_type = BigInt)]
    pub delegates: i64,
}

/// Sections in print order: agencies; districts, each followed by its communes; enterprises;
/// other units; no unit. Within a section by (district) name.
const SHEET_GROUPS: &str = "
SELECT r.unit_id, u.name AS unit_name, u.kind AS unit_kind, p.name AS district_name, count(*) AS delegates
FROM registrations r
LEFT JOIN units u ON u.id = r.unit_id
LEFT JOIN units p ON p.id = u.parent_id AND p.kind = 'district' AND u.kind = 'commune'
WHERE {WHERE}
GROUP BY r.unit_id, u.name, u.kind, p.name
ORDER BY CASE WHEN r.unit_id IS NULL THEN 5 WHEN u.kind = 'agency' THEN 1
              WHEN u.kind IN ('district', 'commune') THEN 2 WHEN u.kind = 'enterprise' THEN 3 ELSE 4 END,
         coalesce(p.name, u.name), p.name IS NOT NULL, u.name, r.unit_id";

pub async fn sheet_groups(
    conn: &mut AsyncPgConnection,
    conference_id: Uuid,
    filter: &SheetFilter<'_>,
) -> QueryResult<Vec<SheetGroupRow>> {
    let sql = SHEET_GROUPS.replace("{WHERE}", SHEET_WHERE);
    bind_filter!(diesel::sql_query(sql), conference_id, filter)
        .load(conn)
        .await
}

/// One delegate on a sheet, with the first live check-in (door or session) if any.
#[derive(QueryableByName, Debug, Clone)]
pub struct SheetRow {
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
    #[diesel(sql_type = Text)]
    pub full_name: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub position: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub organization: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub phone: Option<String>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    pub checked_in_at: Option<DateTime<Utc>>,
    #[diesel(sql_type = Text)]
    pub name_folded: String,
}

/// A page of one unit's delegates by folded name, after the keyset `($9, $10)`. Two fixed
/// texts (a unit, or no unit) so each uses its index.
const SHEET_PAGE: &str = "
SELECT r.id, r.full_name, r.position, r.organization, r.phone, r.name_folded,
       (SELECT min(c.occurred_at) FROM live_checkins c
         WHERE c.registration_id = r.id AND c.session_id IS NOT DISTINCT FROM $6::uuid) AS checked_in_at
FROM registrations r
WHERE {WHERE} AND {UNIT} AND (r.name_folded, r.id) > ($9, $10)
ORDER BY r.name_folded, r.id
LIMIT $12";

pub async fn sheet_page(
    conn: &mut AsyncPgConnection,
    conference_id: Uuid,
    filter: &SheetFilter<'_>,
    unit_id: Option<Uuid>,
    after: (&str, Uuid),
    limit: i64,
) -> QueryResult<Vec<SheetRow>> {
    let unit = if unit_id.is_some() {
        "r.unit_id = $11"
    } else {
        "r.unit_id IS NULL AND $11::uuid IS NULL"
    };
    let sql = SHEET_PAGE
        .replace("{WHERE}", SHEET_WHERE)
        .replace("{UNIT}", unit);
    bind_filter!(diesel::sql_query(sql), conference_id, filter)
        .bind::<Text, _>(after.0)
        .bind::<SqlUuid, _>(after.1)
        .bind::<Nullable<SqlUuid>, _>(unit_id)
        .bind::<BigInt, _>(limit)
        .load(conn)
        .await
}

/// An attendance rule, as the certificate queries test it.
#[derive(Clone, Copy, Debug)]
pub struct Rule<'a> {
    /// `door` or `sessions`.
    pub kind: &'a str,
    /// With `sessions`: at least this many distinct sessions checked into.
    pub min_sessions: Option<i32>,
}

/// Whether registration `r` attended by the rule in `$2` (`door`: a live door entry;
/// `sessions`: live entries into at least `$3` distinct sessions). Confirmed registrations only:
/// a cancelled one gets no certificate.
const ATTENDED: &str = "
    r.status = 'confirmed' AND CASE WHEN $2 = 'door'
        THEN EXISTS (SELECT 1 FROM live_checkins c WHERE c.registration_id = r.id AND c.session_id IS NULL)
        ELSE (SELECT count(DISTINCT c.session_id) FROM live_checkins c
               WHERE c.registration_id = r.id AND c.session_id IS NOT NULL) >= $3 END";

#[derive(QueryableByName)]
struct IdRow {
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
}

/// Registrations that attended by `rule` (of `unit_id`, or one registration, when given) and
/// hold no certificate yet.
pub async fn attended_without_certificate(
    conn: &mut AsyncPgConnection,
    conference_id: Uuid,
    rule: Rule<'_>,
    unit_id: Option<Uuid>,
    registration_id: Option<Uuid>,
) -> QueryResult<Vec<Uuid>> {
    let sql = format!(
        "SELECT r.id FROM registrations r WHERE r.conference_id = $1 AND {ATTENDED}
           AND ($4::uuid IS NULL OR r.unit_id = $4) AND ($5::uuid IS NULL OR r.id = $5)
           AND NOT EXISTS (SELECT 1 FROM certificates k WHERE k.registration_id = r.id)"
    );
    let rows: Vec<IdRow> = diesel::sql_query(sql)
        .bind::<SqlUuid, _>(conference_id)
        .bind::<Text, _>(rule.kind)
        .bind::<Nullable<Integer>, _>(rule.min_sessions)
        .bind::<Nullable<SqlUuid>, _>(unit_id)
        .bind::<Nullable<SqlUuid>, _>(registration_id)
        .load(conn)
        .await?;
    Ok(rows.into_iter().map(|row| row.id).collect())
}

/// Issues certificates with the given codes; a registration that already holds one, or a code
/// already taken, is skipped (the caller reads back which were issued).
pub async fn insert_certificates(
    conn: &mut AsyncPgConnection,
    conference_id: Uuid,
    issued: &[(Uuid, String)],
    rule: Rule<'_>,
) -> QueryResult<usize> {
    use crate::db::schema::certificates;
    let rows: Vec<_> = issued
        .iter()
        .map(|(registration_id, code)| {
            (
                certificates::registration_id.eq(*registration_id),
                certificates::conference_id.eq(conference_id),
                certificates::code.eq(code),
                certificates::rule.eq(rule.kind),
                certificates::min_sessions.eq(rule.min_sessions),
            )
        })
        .collect();
    diesel::insert_into(certificates::table)
        .values(rows)
        .on_conflict_do_nothing()
        .execute(conn)
        .await
}

/// A certificate as printed.
#[derive(QueryableByName, Debug, Clone)]
pub struct CertificateRow {
    #[diesel(sql_type = SqlUuid)]
    pub registration_id: Uuid,
    #[diesel(sql_type = Integer)]
    pub number: i32,
    #[diesel(sql_type = Text)]
    pub full_name: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub position: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub unit_name: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub organization: Option<String>,
    #[diesel(sql_type = Text)]
    pub code: String,
    #[diesel(sql_type = Timestamptz)]
    pub issued_at: DateTime<Utc>,
}

/// A page of the certificates of registrations that attended by `rule` (of a unit, or one
/// registration), by registration number after `$6`.
pub async fn certificate_page(
    conn: &mut AsyncPgConnection,
    conference_id: Uuid,
    rule: Rule<'_>,
    unit_id: Option<Uuid>,
    registration_id: Option<Uuid>,
    after_number: i32,
    limit: i64,
) -> QueryResult<Vec<CertificateRow>> {
    let sql = format!(
        "SELECT r.id AS registration_id, r.number, r.full_name, r.position, u.name AS unit_name,
                r.organization, k.code, k.issued_at
         FROM registrations r
         JOIN certificates k ON k.registration_id = r.id
         LEFT JOIN units u ON u.id = r.unit_id
         WHERE r.conference_id = $1 AND {ATTENDED}
           AND ($4::uuid IS NULL OR r.unit_id = $4) AND ($5::uuid IS NULL OR r.id = $5)
           AND r.number > $6
         ORDER BY r.number LIMIT $7"
    );
    diesel::sql_query(sql)
        .bind::<SqlUuid, _>(conference_id)
        .bind::<Text, _>(rule.kind)
        .bind::<Nullable<Integer>, _>(rule.min_sessions)
        .bind::<Nullable<SqlUuid>, _>(unit_id)
        .bind::<Nullable<SqlUuid>, _>(registration_id)
        .bind::<Integer, _>(after_number)
        .bind::<BigInt, _>(limit)
        .load(conn)
        .await
}

/// What the public verification shows: the person's name, the conference and the issue time.
#[derive(QueryableByName, Debug)]
pub struct VerifiedRow {
    #[diesel(sql_type = Text)]
    pub full_name: String,
    #[diesel(sql_type = Text)]
    pub conference_title: String,
    #[diesel(sql_type = Timestamptz)]
    pub starts_at: DateTime<Utc>,
    #[diesel(sql_type = Timestamptz)]
    pub ends_at: DateTime<Utc>,
    #[diesel(sql_type = Text)]
    pub time_zone: String,
    #[diesel(sql_type = Timestamptz)]
    pub issued_at: DateTime<Utc>,
}

/// The certificate with this code, while its registration stays confirmed.
pub async fn verify(conn: &mut AsyncPgConnection, code: &str) -> QueryResult<Option<VerifiedRow>> {
    diesel::sql_query(
        "SELECT r.full_name, c.title AS conference_title, c.starts_at, c.ends_at, c.time_zone, k.issued_at
         FROM certificates k
         JOIN registrations r ON r.id = k.registration_id AND r.status = 'confirmed'
         JOIN conferences c ON c.id = k.conference_id
         WHERE k.code = $1",
    )
    .bind::<Text, _>(code)
    .get_result(conn)
    .await
    .optional()
}

/// One badge: the person and the QR secret.
#[derive(QueryableByName, Debug, Clone)]
pub struct BadgeRow {
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
    #[diesel(sql_type = Integer)]
    pub number: i32,
    #[diesel(sql_type = Text)]
    pub full_name: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub position: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub unit_name: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub organization: Option<String>,
    #[diesel(sql_type = Text)]
    pub category: String,
    #[diesel(sql_type = Text)]
    pub qr_secret: String,
}

/// Badges are printed for confirmed registrations (of a unit when given); one registration's
/// badge for any status whose code still admits (the caller has checked it).
const BADGE_WHERE: &str = "
    r.conference_id = $1
    AND ($2::uuid IS NULL OR r.unit_id = $2)
    AND (CASE WHEN $3::uuid IS NULL THEN r.status = 'confirmed' ELSE r.id = $3 END)";

pub async fn badge_count(
    conn: &mut AsyncPgConnection,
    conference_id: Uuid,
    unit_id: Option<Uuid>,
    registration_id: Option<Uuid>,
) -> QueryResult<i64> {
    #[derive(QueryableByName)]
    struct Count {
        #[diesel(sql_type = BigInt)]
        n: i64,
    }
    let count: Count = diesel::sql_query(format!(
        "SELECT count(*) AS n FROM registrations r WHERE {BADGE_WHERE}"
    ))
    .bind::<SqlUuid, _>(conference_id)
    .bind::<Nullable<SqlUuid>, _>(unit_id)
    .bind::<Nullable<SqlUuid>, _>(registration_id)
    .get_result(conn)
    .await?;
    Ok(count.n)
}

/// A page of badges by registration number after `$4`.
pub async fn badge_page(
    conn: &mut AsyncPgConnection,
    conference_id: Uuid,
    unit_id: Option<Uuid>,
    registration_id: Option<Uuid>,
    after_number: i32,
    limit: i64,
) -> QueryResult<Vec<BadgeRow>> {
    diesel::sql_query(format!(
        "SELECT r.id, r.number, r.full_name, r.position, u.name AS unit_name, r.organization,
                r.category, r.qr_secret
         FROM registrations r LEFT JOIN units u ON u.id = r.unit_id
         WHERE {BADGE_WHERE} AND r.number > $4
         ORDER BY r.number LIMIT $5"
    ))
    .bind::<SqlUuid, _>(conference_id)
    .bind::<Nullable<SqlUuid>, _>(unit_id)
    .bind::<Nullable<SqlUuid>, _>(registration_id)
    .bind::<Integer, _>(after_number)
    .bind::<BigInt, _>(limit)
    .load(conn)
    .await
}

/// One bulk disclosure of QR secrets to an organizer.
pub struct Disclosure<'a> {
    pub conference_id: Uuid,
    pub account_id: Uuid,
    pub scope: &'a str,
    pub unit_id: Option<Uuid>,
    pub registration_id: Option<Uuid>,
    pub codes: i32,
}

pub async fn record_disclosure(
    conn: &mut AsyncPgConnection,
    disclosure: &Disclosure<'_>,
) -> QueryResult<()> {
    use crate::db::schema::qr_disclosures as q;
    diesel::insert_into(q::table)
        .values((
            q::id.eq(Uuid::now_v7()),
            q::conference_id.eq(disclosure.conference_id),
            q::account_id.eq(disclosure.account_id),
            q::scope.eq(disclosure.scope),
            q::unit_id.eq(disclosure.unit_id),
            q::registration_id.eq(disclosure.registration_id),
            q::codes.eq(disclosure.codes),
        ))
        .execute(conn)
        .await?;
    Ok(())
}
