//! Live attendance: confirmed and checked-in delegates by category, unit kind, district
//! (communes and offices roll up to their district) and per session, with who is inside now.

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable, Text, Uuid as SqlUuid};
use diesel_async::RunQueryDsl;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::Actor;
use crate::db;
use crate::domain::conferences::{Access, Lock, load};
use crate::error::ApiResult;
use crate::state::AppState;

/// Confirmed delegates of a group and how many of them came through the door.
#[derive(Debug, Serialize, ToSchema)]
pub struct Count {
    /// The category, the unit kind (`none` without a unit), or the district's unit id.
    pub key: String,
    /// The district's name (district rows only).
    pub name: Option<String>,
    pub confirmed: i64,
    pub checked_in: i64,
}

/// Attendance of one session.
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionAttendance {
    pub session_id: Uuid,
    pub title: String,
    /// Delegates with a live entry.
    pub checked_in: i64,
    /// Of those, how many did not leave since (their last scan is an entry).
    pub inside_now: i64,
}

/// The attendance summary of a conference.
#[derive(Debug, Serialize, ToSchema)]
pub struct Attendance {
    pub confirmed: i64,
    /// Confirmed delegates with a live entry at the door (any day).
    pub checked_in: i64,
    pub by_category: Vec<Count>,
    pub by_unit_kind: Vec<Count>,
    pub by_district: Vec<Count>,
    pub sessions: Vec<SessionAttendance>,
}

#[derive(QueryableByName)]
struct Row {
    #[diesel(sql_type = Text)]
    dimension: String,
    #[diesel(sql_type = Nullable<Text>)]
    key: Option<String>,
    #[diesel(sql_type = BigInt)]
    confirmed: i64,
    #[diesel(sql_type = BigInt)]
    checked_in: i64,
}

#[derive(QueryableByName)]
struct SessionRow {
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
    #[diesel(sql_type = Text)]
    title: String,
    #[diesel(sql_type = BigInt)]
    checked_in: i64,
    #[diesel(sql_type = BigInt)]
    inside_now: i64,
}

const GROUPS: &str = "
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
),
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
ORDER BY 1, 2";

const SESSIONS: &str = "
SELECT s.id, s.title,
    (SELECT count(DISTINCT c.registration_id) FROM live_checkins c WHERE c.session_id = s.id) AS checked_in,
    (SELECT count(*) FROM (
        SELECT DISTINCT ON (c.registration_id) c.direction FROM checkins c
        WHERE c.session_id = s.id AND c.outcome = 'ok' AND c.undone_at IS NULL
        ORDER BY c.registration_id, c.occurred_at DESC, c.received_at DESC) last
     WHERE last.direction = 'in') AS inside_now
FROM conference_sessions s WHERE s.conference_id = $1 ORDER BY s.starts_at, s.id";

pub async fn summary(
    state: &AppState,
    actor: &Actor,
    conference_id: Uuid,
) -> ApiResult<Attendance> {
    let mut conn = state.pool.get().await?;
    load(
        &mut conn,
        conference_id,
        Some(actor),
        Access::Private,
        Lock::None,
    )
    .await?;
    let rows: Vec<Row> = diesel::sql_query(GROUPS)
        .bind::<SqlUuid, _>(conference_id)
        .load(&mut conn)
        .await?;
    let sessions: Vec<SessionRow> = diesel::sql_query(SESSIONS)
        .bind::<SqlUuid, _>(conference_id)
        .load(&mut conn)
        .await?;
    let district_ids: Vec<Uuid> = rows
        .iter()
        .filter(|r| r.dimension == "district")
        .filter_map(|r| r.key.as_deref()?.parse().ok())
        .collect();
    let names: std::collections::HashMap<Uuid, String> =
        db::registrations::unit_names(&mut conn, &district_ids)
            .await?
            .into_iter()
            .collect();

    let mut attendance = Attendance {
        confirmed: 0,
        checked_in: 0,
        by_category: Vec::new(),
        by_unit_kind: Vec::new(),
        by_district: Vec::new(),
        sessions: sessions
            .into_iter()
            .map(|s| SessionAttendance {
                session_id: s.id,
                title: s.title,
                checked_in: s.checked_in,
                inside_now: s.inside_now,
            })
            .collect(),
    };
    for row in rows {
        let key = row.key.unwrap_or_default();
        let count = |name| Count {
            key: key.clone(),
            name,
            confirmed: row.confirmed,
            checked_in: row.checked_in,
        };
        match row.dimension.as_str() {
            "total" => {
                attendance.confirmed = row.confirmed;
                attendance.checked_in = row.checked_in;
            }
            "category" => attendance.by_category.push(count(None)),
            "unit_kind" => attendance.by_unit_kind.push(count(None)),
            _ => {
                let name = key
                    .parse::<Uuid>()
                    .ok()
                    .and_then(|id| names.get(&id).cloned());
                attendance.by_district.push(count(name));
            }
        }
    }
    Ok(attendance)
}
