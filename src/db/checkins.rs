//! Queries on `checkin_devices` and `checkins`.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::dsl::count_star;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::db::schema::{checkin_devices, checkins};

#[derive(Queryable, Selectable, Debug, Clone)]
#[diesel(table_name = checkin_devices)]
pub struct DeviceRow {
    pub id: Uuid,
    pub conference_id: Uuid,
    pub name: String,
    pub gate: Option<String>,
    pub session_ids: Vec<Option<Uuid>>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub last_seen_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

pub async fn insert_device(
    conn: &mut AsyncPgConnection,
    conference_id: Uuid,
    name: &str,
    gate: Option<&str>,
    session_ids: &[Uuid],
    token_hash: &[u8],
    created_by: Uuid,
) -> QueryResult<DeviceRow> {
    diesel::insert_into(checkin_devices::table)
        .values((
            checkin_devices::id.eq(Uuid::now_v7()),
            checkin_devices::conference_id.eq(conference_id),
            checkin_devices::name.eq(name),
            checkin_devices::gate.eq(gate),
            checkin_devices::session_ids.eq(session_ids),
            checkin_devices::token_hash.eq(token_hash),
            checkin_devices::created_by.eq(created_by),
        ))
        .returning(DeviceRow::as_returning())
        .get_result(conn)
        .await
}

/// The device holding a token (not revoked). Its last-seen time is refreshed at most every
/// 10 seconds, so a busy device does not rewrite its row on every request.
pub async fn authenticate(
    conn: &mut AsyncPgConnection,
    token_hash: &[u8],
) -> QueryResult<Option<DeviceRow>> {
    let Some(device) = checkin_devices::table
        .filter(checkin_devices::token_hash.eq(token_hash))
        .filter(checkin_devices::revoked_at.is_null())
        .select(DeviceRow::as_select())
        .first(conn)
        .await
        .optional()?
    else {
        return Ok(None);
    };
    let stale = Utc::now() - chrono::Duration::seconds(10);
    if device.last_seen_at.is_none_or(|seen| seen < stale) {
        diesel::update(
            checkin_devices::table
                .filter(checkin_devices::id.eq(device.id))
                .filter(
                    checkin_devices::last_seen_at
                        .is_null()
                        .or(checkin_devices::last_seen_at.lt(stale)),
                ),
        )
        .set(checkin_devices::last_seen_at.eq(Some(Utc::now())))
        .execute(conn)
        .await?;
    }
    Ok(Some(device))
}

pub async fn revoke_device(
    conn: &mut AsyncPgConnection,
    conference_id: Uuid,
    id: Uuid,
) -> QueryResult<Option<DeviceRow>> {
    diesel::update(
        checkin_devices::table
            .filter(checkin_devices::id.eq(id))
            .filter(checkin_devices::conference_id.eq(conference_id)),
    )
    .set(checkin_devices::revoked_at.eq(Some(Utc::now())))
    .returning(DeviceRow::as_returning())
    .get_result(conn)
    .await
    .optional()
}

/// Devices of a conference with their number of recorded scans.
pub async fn devices_with_counts(
    conn: &mut AsyncPgConnection,
    conference_id: Uuid,
) -> QueryResult<Vec<(DeviceRow, i64)>> {
    let scans = checkins::table
        .filter(checkins::device_id.eq(checkin_devices::id.nullable()))
        .select(count_star())
        .single_value();
    checkin_devices::table
        .filter(checkin_devices::conference_id.eq(conference_id))
        .order((checkin_devices::created_at.asc(), checkin_devices::id.asc()))
        .select((DeviceRow::as_select(), scans.assume_not_null()))
        .load(conn)
        .await
}

#[derive(Queryable, Selectable, Debug, Clone)]
#[diesel(table_name = checkins)]
pub struct CheckinRow {
    pub id: Uuid,
    pub conference_id: Uuid,
    pub registration_id: Option<Uuid>,
    pub session_id: Option<Uuid>,
    pub device_id: Option<Uuid>,
    pub nonce: Uuid,
    pub direction: String,
    pub outcome: String,
    pub method: String,
    pub conflict: Option<String>,
    pub occurred_at: DateTime<Utc>,
    pub received_at: DateTime<Utc>,
    pub local_day: NaiveDate,
    pub undone_at: Option<DateTime<Utc>>,
    pub undo_reason: Option<String>,
}

/// One scan as the SQL functions of migration 000008 take it.
pub struct ScanArgs {
    pub id: Uuid,
    pub nonce: Uuid,
    /// From the code, or given for a manual check-in; `None` when the code is malformed.
    pub registration_id: Option<Uuid>,
    /// SHA-256 of the code's secret; `None` for a check-in by registration id.
    pub secret_sha256: Option<Vec<u8>>,
    pub session_id: Option<Uuid>,
    pub direction: &'static str,
    /// `scan`, `manual` or `offline`.
    pub method: &'static str,
    pub occurred_at: DateTime<Utc>,
}

// The SQL functions take every field of a scan as an argument.
#[allow(clippy::too_many_arguments)]
mod functions {
    use diesel::sql_types::{Array, Bytea, Integer, Nullable, Text, Timestamptz, Uuid};

    diesel::define_sql_function! {
        /// One online scan by the device holding the token: JSON text.
        fn checkin_scan(
            token_hash: Bytea, conference_id: Uuid, id: Uuid, nonce: Uuid,
            registration_id: Nullable<Uuid>, secret_sha256: Nullable<Bytea>,
            session_id: Nullable<Uuid>, direction: Text, method: Text,
            occurred_at: Timestamptz, window_margin_secs: Integer,
        ) -> Text;
    }

    diesel::define_sql_function! {
        /// One scan by a known device, or (no device) an organizer: JSON text.
        fn checkin_record(
            conference_id: Uuid, device_id: Nullable<Uuid>, device_sessions: Array<Nullable<Uuid>>,
            id: Uuid, nonce: Uuid, registration_id: Nullable<Uuid>, secret_sha256: Nullable<Bytea>,
            session_id: Nullable<Uuid>, direction: Text, method: Text,
            occurred_at: Timestamptz, window_margin_secs: Integer,
        ) -> Text;
    }

    diesel::define_sql_function! {
        /// A device's offline scans in one transaction: JSON text per scan, in order.
        fn checkin_record_batch(
            conference_id: Uuid, device_id: Uuid, device_sessions: Array<Nullable<Uuid>>,
            ids: Array<Uuid>, nonces: Array<Uuid>, registration_ids: Array<Nullable<Uuid>>,
            secret_sha256s: Array<Nullable<Bytea>>, session_ids: Array<Nullable<Uuid>>,
            directions: Array<Text>, occurred_ats: Array<Timestamptz>, window_margin_secs: Integer,
        ) -> Array<Nullable<Text>>;
    }
}

/// Authenticates the device and records its scan, in one statement: the result as JSON.
pub async fn scan_by_token(
    conn: &mut AsyncPgConnection,
    token_hash: &[u8],
    conference_id: Uuid,
    scan: &ScanArgs,
    window_margin_secs: i32,
) -> QueryResult<String> {
    diesel::select(functions::checkin_scan(
        token_hash,
        conference_id,
        scan.id,
        scan.nonce,
        scan.registration_id,
        scan.secret_sha256.as_deref(),
        scan.session_id,
        scan.direction,
        scan.method,
        scan.occurred_at,
        window_margin_secs,
    ))
    .get_result(conn)
    .await
}

/// Records a scan by a known device, or by an organizer when `device` is `None`: JSON.
pub async fn record(
    conn: &mut AsyncPgConnection,
    conference_id: Uuid,
    device: Option<&DeviceRow>,
    scan: &ScanArgs,
    window_margin_secs: i32,
) -> QueryResult<String> {
    let no_sessions = Vec::new();
    diesel::select(functions::checkin_record(
        conference_id,
        device.map(|d| d.id),
        device.map_or(&no_sessions, |d| &d.session_ids),
        scan.id,
        scan.nonce,
        scan.registration_id,
        scan.secret_sha256.as_deref(),
        scan.session_id,
        scan.direction,
        scan.method,
        scan.occurred_at,
        window_margin_secs,
    ))
    .get_result(conn)
    .await
}

/// Records a device's offline scans in one transaction: a JSON result per scan, in order.
pub async fn record_batch(
    conn: &mut AsyncPgConnection,
    device: &DeviceRow,
    scans: &[ScanArgs],
    window_margin_secs: i32,
) -> QueryResult<Vec<Option<String>>> {
    diesel::select(functions::checkin_record_batch(
        device.conference_id,
        device.id,
        &device.session_ids,
        scans.iter().map(|s| s.id).collect::<Vec<_>>(),
        scans.iter().map(|s| s.nonce).collect::<Vec<_>>(),
        scans.iter().map(|s| s.registration_id).collect::<Vec<_>>(),
        scans
            .iter()
            .map(|s| s.secret_sha256.clone())
            .collect::<Vec<_>>(),
        scans.iter().map(|s| s.session_id).collect::<Vec<_>>(),
        scans.iter().map(|s| s.direction).collect::<Vec<_>>(),
        scans.iter().map(|s| s.occurred_at).collect::<Vec<_>>(),
        window_margin_secs,
    ))
    .get_result(conn)
    .await
}

/// The live successful entry a new one collides with, and the name of the device that made it.
pub async fn first_entry(
    conn: &mut AsyncPgConnection,
    registration_id: Uuid,
    session_id: Option<Uuid>,
    local_day: NaiveDate,
) -> QueryResult<Option<(CheckinRow, Option<String>)>> {
    let mut query = checkins::table
        .left_join(checkin_devices::table)
        .filter(checkins::registration_id.eq(registration_id))
        .filter(checkins::outcome.eq("ok"))
        .filter(checkins::direction.eq("in"))
        .filter(checkins::undone_at.is_null())
        .select((CheckinRow::as_select(), checkin_devices::name.nullable()))
        .into_boxed();
    query = match session_id {
        Some(session_id) => query.filter(checkins::session_id.eq(session_id)),
        None => query
            .filter(checkins::session_id.is_null())
            .filter(checkins::local_day.eq(local_day)),
    };
    query.first(conn).await.optional()
}

pub async fn find(
    conn: &mut AsyncPgConnection,
    conference_id: Uuid,
    id: Uuid,
) -> QueryResult<Option<CheckinRow>> {
    checkins::table
        .filter(checkins::id.eq(id))
        .filter(checkins::conference_id.eq(conference_id))
        .select(CheckinRow::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()
}

pub async fn of_registration(
    conn: &mut AsyncPgConnection,
    conference_id: Uuid,
    registration_id: Uuid,
) -> QueryResult<Vec<CheckinRow>> {
    checkins::table
        .filter(checkins::conference_id.eq(conference_id))
        .filter(checkins::registration_id.eq(registration_id))
        .order((checkins::received_at.asc(), checkins::id.asc()))
        .select(CheckinRow::as_select())
        .load(conn)
        .await
}

pub async fn undo(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    by: Uuid,
    reason: &str,
) -> QueryResult<CheckinRow> {
    diesel::update(checkins::table.find(id))
        .set((
            checkins::undone_at.eq(Some(Utc::now())),
            checkins::undone_by.eq(Some(by)),
            checkins::undo_reason.eq(Some(reason)),
        ))
        .returning(CheckinRow::as_returning())
        .get_result(conn)
        .await
}

#[derive(diesel::QueryableByName)]
struct Text {
    #[diesel(sql_type = diesel::sql_types::Text)]
    text: String,
}

/// The transaction's snapshot (`xmin:xmax:xip,…`); in a repeatable-read transaction, the one
/// every later statement sees.
pub async fn current_snapshot(conn: &mut AsyncPgConnection) -> QueryResult<String> {
    diesel::sql_query("SELECT pg_current_snapshot()::text AS text")
        .get_result::<Text>(conn)
        .await
        .map(|row| row.text)
}

/// Check-ins of a conference whose last change `snapshot` could not see (and the current
/// snapshot can), as live-feed JSON: ids, outcome and times, no personal data.
pub async fn changed_since(
    conn: &mut AsyncPgConnection,
    conference_id: Uuid,
    snapshot: &str,
) -> QueryResult<Vec<String>> {
    diesel::sql_query(
        "SELECT json_build_object(
             'conference_id', conference_id, 'checkin_id', id, 'registration_id', registration_id,
             'session_id', session_id, 'direction', direction, 'outcome', outcome, 'method', method,
             'occurred_at', occurred_at, 'undone', undone_at IS NOT NULL)::text AS text
         FROM checkins
         WHERE conference_id = $1
           AND changed_xid >= pg_snapshot_xmin($2::pg_snapshot)::text::bigint
           AND NOT pg_visible_in_snapshot(changed_xid::text::xid8, $2::pg_snapshot)
         ORDER BY changed_xid, received_at, id",
    )
    .bind::<diesel::sql_types::Uuid, _>(conference_id)
    .bind::<diesel::sql_types::Text, _>(snapshot)
    .load::<Text>(conn)
    .await
    .map(|rows| rows.into_iter().map(|row| row.text).collect())
}
