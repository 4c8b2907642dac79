//! Live attendance: confirmed and checked-in delegates by category, unit kind, district
//! (communes and offices roll up to their district) and per session, with who is inside now.

use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use diesel_async::AsyncPgConnection;

use crate::db;
use crate::domain::actor::Actor;
use crate::domain::common::{Access, Lock, load};
use crate::error::ApiResult;

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
    /// Delegates inside at the door now: their latest admitted door scan today (in the
    /// conference's time zone) is an entry. The check-in app's figure, for the live dashboard.
    pub door_inside_now: i64,
    pub by_category: Vec<Count>,
    pub by_unit_kind: Vec<Count>,
    pub by_district: Vec<Count>,
    pub sessions: Vec<SessionAttendance>,
}

pub async fn summary(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    conference_id: Uuid,
) -> ApiResult<Attendance> {
    let conference = load(
        conn,
        conference_id,
        Some(actor),
        Access::Private,
        Lock::None,
    )
    .await?;
    let today = crate::domain::checkins::local_day(chrono::Utc::now(), &conference.time_zone);
    let door_inside_now = db::device_app::door_inside_now(conn, conference_id, today).await?;
    let rows = db::attendance::groups(conn, conference_id).await?;
    let sessions = db::attendance::sessions(conn, conference_id).await?;
    let district_ids: Vec<Uuid> = rows
        .iter()
        .filter(|r| r.dimension == "district")
        .filter_map(|r| r.key.as_deref()?.parse().ok())
        .collect();
    let names: std::collections::HashMap<Uuid, String> =
        db::registrations::unit_names(conn, &district_ids)
            .await?
            .into_iter()
            .collect();

    let mut attendance = Attendance {
        confirmed: 0,
        checked_in: 0,
        door_inside_now,
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
