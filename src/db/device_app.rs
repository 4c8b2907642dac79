//! Queries behind the check-in app: a pairing token checked against its device without
//! touching the device's last-seen time, who is inside at the door, a device's own undo.

use chrono::{NaiveDate, Utc};
use diesel::dsl::count_star;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Date, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::db::checkins::CheckinRow;
use crate::db::ids::{CheckinId, DeviceId};
use crate::db::schema::{checkin_devices, checkins};

/// Whether `token_hash` is the token of this live (not revoked) device of this conference. A
/// plain read: rendering a pairing code is not the device being seen.
pub async fn token_matches(
    conn: &mut AsyncPgConnection,
    conference_id: Uuid,
    device_id: DeviceId,
    token_hash: &[u8],
) -> QueryResult<bool> {
    let n: i64 = checkin_devices::table
        .filter(checkin_devices::id.eq(device_id))
        .filter(checkin_devices::conference_id.eq(conference_id))
        .filter(checkin_devices::token_hash.eq(token_hash))
        .filter(checkin_devices::revoked_at.is_null())
        .select(count_star())
        .get_result(conn)
        .await?;
    Ok(n > 0)
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// Delegates whose latest admitted door scan of `local_day` (view `admitted_checkins`) is an entry: the
/// session rule of the attendance figures (`db::attendance`), for the door and one day.
pub async fn door_inside_now(
    conn: &mut AsyncPgConnection,
    conference_id: Uuid,
    local_day: NaiveDate,
) -> QueryResult<i64> {
    diesel::sql_query(
        "SELECT count(*) AS n FROM (
             SELECT DISTINCT ON (c.registration_id) c.direction FROM admitted_checkins c
             WHERE c.conference_id = $1 AND c.session_id IS NULL AND c.local_day = $2
               AND c.registration_id IS NOT NULL
             ORDER BY c.registration_id, c.occurred_at DESC, c.received_at DESC) last
         WHERE last.direction = 'in'",
    )
    .bind::<SqlUuid, _>(conference_id)
    .bind::<Date, _>(local_day)
    .get_result::<Count>(conn)
    .await
    .map(|c| c.n)
}

/// A scan this device recorded, locked for the undo.
pub async fn own_checkin(
    conn: &mut AsyncPgConnection,
    device_id: DeviceId,
    id: CheckinId,
) -> QueryResult<Option<CheckinRow>> {
    checkins::table
        .filter(checkins::id.eq(id))
        .filter(checkins::device_id.eq(device_id))
        .select(CheckinRow::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()
}

/// Marks a scan undone by its device: no account did it, so `undone_by` stays empty and the
/// row's `device_id` says who.
pub async fn undo_by_device(
    conn: &mut AsyncPgConnection,
    id: CheckinId,
    reason: &str,
) -> QueryResult<CheckinRow> {
    diesel::update(checkins::table.find(id))
        .set((
            checkins::undone_at.eq(Some(Utc::now())),
            checkins::undo_reason.eq(Some(reason)),
        ))
        .returning(CheckinRow::as_returning())
        .get_result(conn)
        .await
}
