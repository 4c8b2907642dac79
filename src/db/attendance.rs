//! Attendance figures of a conference: confirmed and checked-in delegates by group, and per session.

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable, Text, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

/// One group's counts: `dimension` is `total`, `category`, `unit_kind` or `district` (whose
/// key is the district's unit id).
#[derive(QueryableByName)]
pub struct GroupRow {
    #[diesel(sql_type = Text)]
    pub dimension: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub key: Option<String>,
    #[diesel(sql_type = BigInt)]
    pub confirmed: i64,
    #[diesel(sql_type = BigInt)]
    pub checked_in: i64,
}

#[derive(QueryableByName)]
pub struct SessionRow {
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
    #[diesel(sql_type = Text)]
    pub title: String,
    #[diesel(sql_type = BigInt)]
    pub checked_in: i64,
    #[diesel(sql_type = BigInt)]
    pub inside_now: i64,
}

/// `WITH RECURSIVE chain ..., district_of(unit_id, district_id) AS (...)`: each unit's district,
/// the nearest ancestor (or itself) of kind `district`, so communes and district offices roll
/// up to it. The attendance summary and the post-event report share this one rule.
macro_rules! with_district_of {
    () => {
        "
WITH RECURSIVE chain(unit_id, current_id, kind, parent_id, depth) AS (
    SELECT u.id, u.id, u.kind, u.parent_id, 0 FROM units u
    UNION ALL
    SELECT c.unit_id, p.id, p.kind, p.parent_id, c.depth + 1
    FROM chain c JOIN units p ON p.id = c.parent_id
    WHERE c.kind <> 'district' AND c.depth < 32
),
district_of AS (
    SELECT DISTINCT ON (unit_id) unit_id, current_id AS district_id
    FROM chain WHERE kind = 'district' ORDER BY unit_id, depth
)"
    };
}
pub(crate) use with_district_of;

const GROUPS: &str = concat!(
    with_district_of!(),
    ",
reg AS (
    SELECT r.category, coalesce(u.kind, 'none') AS unit_kind, d.district_id,
           EXISTS (SELECT 1 FROM live_checkins c
                   WHERE c.registration_id = r.id AND c.session_id IS NULL) AS present
    FROM registrations r
    LEFT JOIN units u ON u.id = r.unit_id
    LEFT JOIN district_of d ON d.unit_id = r.unit_id
    WHERE r.conference_id = $1 AND r.status = 'confirmed'
)
SELECT 'total' AS dimension, NULL::text AS key, count(*) AS confirmed, count(*) FILTER (WHERE present) AS checked_in FROM reg
UNION ALL
SELECT 'category', category, count(*), count(*) FILTER (WHERE present) FROM reg GROUP BY category
UNION ALL
SELECT 'unit_kind', unit_kind, count(*), count(*) FILTER (WHERE present) FROM reg GROUP BY unit_kind
UNION ALL
SELECT 'district', district_id::text, count(*), count(*) FILTER (WHERE present) FROM reg
WHERE district_id IS NOT NULL GROUP BY district_id
ORDER BY 1, 2"
);

const SESSIONS: &str = "
SELECT s.id, s.title,
    (SELECT count(DISTINCT c.registration_id) FROM live_checkins c WHERE c.session_id = s.id) AS checked_in,
    (SELECT count(*) FROM (
        SELECT DISTINCT ON (c.registration_id) c.direction FROM admitted_checkins c
        WHERE c.session_id = s.id
        ORDER BY c.registration_id, c.occurred_at DESC, c.received_at DESC) last
     WHERE last.direction = 'in') AS inside_now
FROM conference_sessions s WHERE s.conference_id = $1 ORDER BY s.starts_at, s.id";

pub async fn groups(
    conn: &mut AsyncPgConnection,
    conference_id: Uuid,
) -> QueryResult<Vec<GroupRow>> {
    diesel::sql_query(GROUPS)
        .bind::<SqlUuid, _>(conference_id)
        .load(conn)
        .await
}

pub async fn sessions(
    conn: &mut AsyncPgConnection,
    conference_id: Uuid,
) -> QueryResult<Vec<SessionRow>> {
    diesel::sql_query(SESSIONS)
        .bind::<SqlUuid, _>(conference_id)
        .load(conn)
        .await
}
