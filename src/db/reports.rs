//! Queries behind the exports and the post-event report: details of a page of registrations,
//! pages of the check-in history, and attendance per unit, day and session.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Date, Int4, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::db::attendance::with_district_of;

/// What a delegate list shows beside the registration row itself.
#[derive(QueryableByName, Debug)]
pub struct DelegateDetails {
    #[diesel(sql_type = SqlUuid)]
    pub registration_id: Uuid,
    /// The unit's ancestors and the unit, top first, joined by ` › `.
    #[diesel(sql_type = Nullable<Text>)]
    pub unit_path: Option<String>,
    /// The unit of the invitation the registration came through.
    #[diesel(sql_type = Nullable<Text>)]
    pub invited_by: Option<String>,
    /// `previous → new` for each substitution, oldest first, joined by `; `.
    #[diesel(sql_type = Nullable<Text>)]
    pub substitutions: Option<String>,
    /// The first live entry at the door (the real first arrival, by door time).
    #[diesel(sql_type = Nullable<Timestamptz>)]
    pub first_checkin_at: Option<DateTime<Utc>>,
}

/// Unit paths are built once per unit of the page (a page has far fewer units than people).
const DELEGATE_DETAILS: &str = "
WITH RECURSIVE page AS MATERIALIZED (
    SELECT id, unit_id, invitation_id FROM registrations WHERE id = ANY($1)
),
chain(unit_id, name, parent_id, depth) AS (
    SELECT u.id, u.name, u.parent_id, 0 FROM units u WHERE u.id IN (SELECT unit_id FROM page)
    UNION ALL
    SELECT c.unit_id, p.name, p.parent_id, c.depth + 1
    FROM chain c JOIN units p ON p.id = c.parent_id WHERE c.depth < 32
),
paths AS (
    SELECT unit_id, string_agg(name, ' › ' ORDER BY depth DESC) AS unit_path FROM chain GROUP BY unit_id
)
SELECT r.id AS registration_id, paths.unit_path,
    (SELECT u.name FROM invitations i JOIN units u ON u.id = i.unit_id
     WHERE i.id = r.invitation_id) AS invited_by,
    (SELECT string_agg(s.previous_name || ' → ' || s.new_name, '; ' ORDER BY s.substituted_at, s.id)
     FROM registration_substitutions s WHERE s.registration_id = r.id) AS substitutions,
    (SELECT min(c.occurred_at) FROM live_checkins c
     WHERE c.registration_id = r.id AND c.session_id IS NULL) AS first_checkin_at
FROM page r LEFT JOIN paths ON paths.unit_id = r.unit_id";

pub async fn delegate_details(
    conn: &mut AsyncPgConnection,
    registration_ids: &[Uuid],
) -> QueryResult<Vec<DelegateDetails>> {
    diesel::sql_query(DELEGATE_DETAILS)
        .bind::<Array<SqlUuid>, _>(registration_ids)
        .load(conn)
        .await
}

/// One scan of the check-in history, with the names an auditor reads.
#[derive(QueryableByName, Debug)]
pub struct CheckinHistoryRow {
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
    #[diesel(sql_type = Timestamptz)]
    pub received_at: DateTime<Utc>,
    #[diesel(sql_type = Timestamptz)]
    pub occurred_at: DateTime<Utc>,
    #[diesel(sql_type = Nullable<Int4>)]
    pub registration_number: Option<i32>,
    #[diesel(sql_type = Nullable<Text>)]
    pub full_name: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub session_title: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub device_name: Option<String>,
    #[diesel(sql_type = Text)]
    pub direction: String,
    #[diesel(sql_type = Text)]
    pub method: String,
    #[diesel(sql_type = Text)]
    pub outcome: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub conflict: Option<String>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    pub undone_at: Option<DateTime<Utc>>,
    #[diesel(sql_type = Nullable<Text>)]
    pub undone_by: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub undo_reason: Option<String>,
}

/// Keyset over `(received_at, id)`, served by `checkins_history_idx` (migration 160000).
const CHECKIN_PAGE: &str = "
SELECT c.id, c.received_at, c.occurred_at, r.number AS registration_number, r.full_name,
       s.title AS session_title, d.name AS device_name, c.direction, c.method, c.outcome,
       c.conflict, c.undone_at, a.display_name AS undone_by, c.undo_reason
FROM checkins c
LEFT JOIN registrations r ON r.id = c.registration_id
LEFT JOIN conference_sessions s ON s.id = c.session_id
LEFT JOIN checkin_devices d ON d.id = c.device_id
LEFT JOIN accounts a ON a.id = c.undone_by
WHERE c.conference_id = $1
  AND ($2::timestamptz IS NULL OR (c.received_at, c.id) > ($2, $3))
ORDER BY c.received_at, c.id
LIMIT $4";

pub async fn checkin_page(
    conn: &mut AsyncPgConnection,
    conference_id: Uuid,
    after: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> QueryResult<Vec<CheckinHistoryRow>> {
    diesel::sql_query(CHECKIN_PAGE)
        .bind::<SqlUuid, _>(conference_id)
        .bind::<Nullable<Timestamptz>, _>(after.map(|(at, _)| at))
        .bind::<SqlUuid, _>(after.map_or(Uuid::nil(), |(_, id)| id))
        .bind::<BigInt, _>(limit)
        .load(conn)
        .await
}

/// Invited seats and registrations of one unit (`unit_id` null: registrations without a unit).
/// `attended` counts confirmed delegates with a live entry at the door, as the live summary does.
#[derive(QueryableByName, Debug)]
pub struct UnitRow {
    #[diesel(sql_type = Nullable<SqlUuid>)]
    pub unit_id: Option<Uuid>,
    #[diesel(sql_type = Nullable<Text>)]
    pub name: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub kind: Option<String>,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    pub district_id: Option<Uuid>,
    #[diesel(sql_type = Nullable<Text>)]
    pub district_name: Option<String>,
    #[diesel(sql_type = BigInt)]
    pub invited_seats: i64,
    #[diesel(sql_type = BigInt)]
    pub registered: i64,
    #[diesel(sql_type = BigInt)]
    pub confirmed: i64,
    #[diesel(sql_type = BigInt)]
    pub attended: i64,
}

const UNITS: &str = concat!(
    with_district_of!(),
    ",
inv AS (
    SELECT unit_id, sum(seats)::bigint AS seats FROM invitations
    WHERE conference_id = $1 AND revoked_at IS NULL GROUP BY unit_id
),
reg AS (
    SELECT r.unit_id,
        count(*) FILTER (WHERE r.status IN ('pending_approval', 'confirmed', 'waitlisted')) AS registered,
        count(*) FILTER (WHERE r.status = 'confirmed') AS confirmed,
        count(*) FILTER (WHERE r.status = 'confirmed' AND EXISTS (
            SELECT 1 FROM live_checkins c WHERE c.registration_id = r.id AND c.session_id IS NULL)) AS attended
    FROM registrations r WHERE r.conference_id = $1 GROUP BY r.unit_id
),
both_sides AS (
    SELECT coalesce(inv.unit_id, reg.unit_id) AS unit_id, coalesce(inv.seats, 0) AS invited_seats,
           coalesce(reg.registered, 0) AS registered, coalesce(reg.confirmed, 0) AS confirmed,
           coalesce(reg.attended, 0) AS attended
    FROM inv FULL JOIN reg ON reg.unit_id = inv.unit_id
)
SELECT b.unit_id, u.name, u.kind, d.district_id, du.name AS district_name,
       b.invited_seats, b.registered, b.confirmed, b.attended
FROM both_sides b
LEFT JOIN units u ON u.id = b.unit_id
LEFT JOIN district_of d ON d.unit_id = b.unit_id
LEFT JOIN units du ON du.id = d.district_id
ORDER BY du.name NULLS LAST, d.district_id, u.kind <> 'district', u.name NULLS LAST, b.unit_id"
);

pub async fn units(conn: &mut AsyncPgConnection, conference_id: Uuid) -> QueryResult<Vec<UnitRow>> {
    diesel::sql_query(UNITS)
        .bind::<SqlUuid, _>(conference_id)
        .load(conn)
        .await
}

/// Delegates of a unit with a live entry in a session (any status, as the live summary counts).
#[derive(QueryableByName, Debug)]
pub struct UnitSessionRow {
    #[diesel(sql_type = Nullable<SqlUuid>)]
    pub unit_id: Option<Uuid>,
    #[diesel(sql_type = SqlUuid)]
    pub session_id: Uuid,
    #[diesel(sql_type = BigInt)]
    pub attended: i64,
}

const UNIT_SESSIONS: &str = "
SELECT r.unit_id, c.session_id, count(DISTINCT c.registration_id) AS attended
FROM live_checkins c JOIN registrations r ON r.id = c.registration_id
WHERE c.conference_id = $1 AND c.session_id IS NOT NULL
GROUP BY r.unit_id, c.session_id";

pub async fn unit_sessions(
    conn: &mut AsyncPgConnection,
    conference_id: Uuid,
) -> QueryResult<Vec<UnitSessionRow>> {
    diesel::sql_query(UNIT_SESSIONS)
        .bind::<SqlUuid, _>(conference_id)
        .load(conn)
        .await
}

/// Confirmed delegates with a live door entry on a local day of the conference.
#[derive(QueryableByName, Debug)]
pub struct DayRow {
    #[diesel(sql_type = Date)]
    pub day: NaiveDate,
    #[diesel(sql_type = BigInt)]
    pub attended: i64,
}

const DAYS: &str = "
SELECT c.local_day AS day, count(DISTINCT c.registration_id) AS attended
FROM live_checkins c JOIN registrations r ON r.id = c.registration_id AND r.status = 'confirmed'
WHERE c.conference_id = $1 AND c.session_id IS NULL
GROUP BY c.local_day ORDER BY c.local_day";

pub async fn days(conn: &mut AsyncPgConnection, conference_id: Uuid) -> QueryResult<Vec<DayRow>> {
    diesel::sql_query(DAYS)
        .bind::<SqlUuid, _>(conference_id)
        .load(conn)
        .await
}

/// A confirmed delegate who never entered at the door.
#[derive(QueryableByName, Debug)]
pub struct NoShowRow {
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
    #[diesel(sql_type = Int4)]
    pub number: i32,
    #[diesel(sql_type = Text)]
    pub full_name: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub position: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub unit_name: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub district_name: Option<String>,
}

const NO_SHOWS: &str = concat!(
    with_district_of!(),
    "
SELECT r.id, r.number, r.full_name, r.position, u.name AS unit_name, du.name AS district_name
FROM registrations r
LEFT JOIN units u ON u.id = r.unit_id
LEFT JOIN district_of d ON d.unit_id = r.unit_id
LEFT JOIN units du ON du.id = d.district_id
WHERE r.conference_id = $1 AND r.status = 'confirmed'
  AND NOT EXISTS (SELECT 1 FROM live_checkins c WHERE c.registration_id = r.id AND c.session_id IS NULL)
ORDER BY du.name NULLS LAST, u.name NULLS LAST, r.number"
);

pub async fn no_shows(
    conn: &mut AsyncPgConnection,
    conference_id: Uuid,
) -> QueryResult<Vec<NoShowRow>> {
    diesel::sql_query(NO_SHOWS)
        .bind::<SqlUuid, _>(conference_id)
        .load(conn)
        .await
}
