//! Queries on `checkin_devices` and `checkins`.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::dsl::count_star;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::db::enums::{Category, Direction, Outcome};
use crate::db::ids::{CheckinId, DeviceId, RegistrationId};
use crate::db::schema::{checkin_devices, checkins};

#[derive(Queryable, Selectable, QueryableByName, Debug, Clone)]
#[diesel(table_name = checkin_devices)]
pub struct DeviceRow {
    pub id: DeviceId,
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
/// 10 seconds, never waiting for the row: SQL `checkin_device_seen`, as for a scan.
pub async fn authenticate(
    conn: &mut AsyncPgConnection,
    token_hash: &[u8],
) -> QueryResult<Option<DeviceRow>> {
    calls::DeviceSeen { token_hash }
        .get_result(conn)
        .await
        .optional()
}

pub async fn revoke_device(
    conn: &mut AsyncPgConnection,
    conference_id: Uuid,
    id: DeviceId,
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
    pub id: CheckinId,
    pub conference_id: Uuid,
    pub registration_id: Option<Uuid>,
    pub session_id: Option<Uuid>,
    pub device_id: Option<Uuid>,
    pub nonce: Uuid,
    pub direction: Direction,
    pub outcome: Outcome,
    pub method: String,
    pub conflict: Option<String>,
    pub occurred_at: DateTime<Utc>,
    pub received_at: DateTime<Utc>,
    pub local_day: NaiveDate,
    pub undone_at: Option<DateTime<Utc>>,
    pub undo_reason: Option<String>,
}

/// One scan as the SQL functions of migration 140000 take it.
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

/// What the scan functions answer (SQL type `checkin_outcome`, its `delegate` card spread out):
/// a refusal in `error`, or the recorded scan.
#[derive(QueryableByName, Debug)]
pub struct OutcomeRow {
    #[diesel(sql_type = Nullable<Text>)]
    pub error: Option<String>,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    pub checkin_id: Option<Uuid>,
    #[diesel(sql_type = Nullable<Text>)]
    pub outcome: Option<Outcome>,
    #[diesel(sql_type = Nullable<Bool>)]
    pub replayed: Option<bool>,
    #[diesel(sql_type = Nullable<Text>)]
    pub conflict: Option<String>,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    pub delegate_registration_id: Option<Uuid>,
    #[diesel(sql_type = Nullable<Text>)]
    pub delegate_full_name: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub delegate_position: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub delegate_unit_name: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub delegate_organization: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub delegate_category: Option<Category>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    pub first_checked_in_at: Option<DateTime<Utc>>,
    #[diesel(sql_type = Nullable<Text>)]
    pub first_device: Option<String>,
}

/// The select list that reads a `checkin_outcome` named `o` into an [`OutcomeRow`].
const OUTCOME_COLUMNS: &str = "SELECT o.error, o.checkin_id, o.outcome, o.replayed, o.conflict, \
    (o.delegate).registration_id AS delegate_registration_id, \
    (o.delegate).full_name AS delegate_full_name, (o.delegate).position AS delegate_position, \
    (o.delegate).unit_name AS delegate_unit_name, \
    (o.delegate).organization AS delegate_organization, \
    (o.delegate).category AS delegate_category, \
    o.first_checked_in_at, o.first_device FROM ";

/// Statements written by hand around a SQL function call, with the arguments passed by name
/// (`p_nonce => $4`) so that Rust and SQL cannot fall out of step by position. Their text is
/// fixed, so each connection prepares each one once, as diesel does for its own queries:
/// `sql_query` would prepare on every call, a second round trip on the hot path.
mod calls {
    use diesel::QueryResult;
    use diesel::pg::Pg;
    use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
    use diesel::sql_types::{
        Array, Bytea, Integer, Nullable, Text, Timestamptz, Untyped, Uuid as SqlUuid,
    };

    use super::{OUTCOME_COLUMNS, ScanArgs};
    use crate::db::named_args::named_arg as arg;
    use chrono::{DateTime, Utc};
    use uuid::Uuid;

    fn scan_args<'b>(out: &mut AstPass<'_, 'b, Pg>, scan: &'b ScanArgs) -> QueryResult<()> {
        arg::<SqlUuid, _>(out, "p_id", &scan.id)?;
        out.push_sql(", ");
        arg::<SqlUuid, _>(out, "p_nonce", &scan.nonce)?;
        out.push_sql(", ");
        arg::<Nullable<SqlUuid>, _>(out, "p_registration_id", &scan.registration_id)?;
        out.push_sql(", ");
        arg::<Nullable<Bytea>, _>(out, "p_secret_sha256", &scan.secret_sha256)?;
        out.push_sql(", ");
        arg::<Nullable<SqlUuid>, _>(out, "p_session_id", &scan.session_id)?;
        out.push_sql(", ");
        arg::<Text, str>(out, "p_direction", scan.direction)?;
        out.push_sql(", ");
        arg::<Text, str>(out, "p_method", scan.method)?;
        out.push_sql(", ");
        arg::<Timestamptz, _>(out, "p_occurred_at", &scan.occurred_at)
    }

    /// Marks a call as a query loaded by column name, with a fixed text.
    macro_rules! fixed_call {
        ($name:ident) => {
            impl QueryId for $name<'_> {
                type QueryId = $name<'static>;
                const HAS_STATIC_QUERY_ID: bool = true;
            }
            impl Query for $name<'_> {
                type SqlType = Untyped;
            }
        };
    }

    /// `checkin_scan_v3`: one online scan by the device holding the token, which the statement
    /// names as the audit log's actor (with the request's address and id).
    pub struct Scan<'a> {
        pub token_hash: &'a [u8],
        pub conference_id: Uuid,
        pub scan: &'a ScanArgs,
        pub window_margin_secs: i32,
        pub client_ip: Option<&'a str>,
        pub request_id: Option<&'a str>,
    }
    fixed_call!(Scan);

    impl QueryFragment<Pg> for Scan<'_> {
        fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
            out.push_sql(OUTCOME_COLUMNS);
            out.push_sql("checkin_scan_v3(");
            arg::<Bytea, [u8]>(&mut out, "p_token_hash", self.token_hash)?;
            out.push_sql(", ");
            arg::<SqlUuid, _>(&mut out, "p_conference_id", &self.conference_id)?;
            out.push_sql(", ");
            scan_args(&mut out, self.scan)?;
            out.push_sql(", ");
            arg::<Integer, _>(&mut out, "p_window_margin_secs", &self.window_margin_secs)?;
            out.push_sql(", ");
            arg::<Nullable<Text>, _>(&mut out, "p_client_ip", &self.client_ip)?;
            out.push_sql(", ");
            arg::<Nullable<Text>, _>(&mut out, "p_request_id", &self.request_id)?;
            out.push_sql(") o");
            Ok(())
        }
    }

    /// `checkin_record_v2`: one scan by a known device, or (no device) an organizer.
    pub struct Record<'a> {
        pub conference_id: Uuid,
        pub device_id: Option<Uuid>,
        pub device_sessions: &'a [Option<Uuid>],
        pub scan: &'a ScanArgs,
        pub window_margin_secs: i32,
    }
    fixed_call!(Record);

    impl QueryFragment<Pg> for Record<'_> {
        fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
            out.push_sql(OUTCOME_COLUMNS);
            out.push_sql("checkin_record_v2(");
            arg::<SqlUuid, _>(&mut out, "p_conference_id", &self.conference_id)?;
            out.push_sql(", ");
            arg::<Nullable<SqlUuid>, _>(&mut out, "p_device_id", &self.device_id)?;
            out.push_sql(", ");
            arg::<Array<Nullable<SqlUuid>>, [Option<Uuid>]>(
                &mut out,
                "p_device_sessions",
                self.device_sessions,
            )?;
            out.push_sql(", ");
            scan_args(&mut out, self.scan)?;
            out.push_sql(", ");
            arg::<Integer, _>(&mut out, "p_window_margin_secs", &self.window_margin_secs)?;
            out.push_sql(") o");
            Ok(())
        }
    }

    /// `checkin_record_batch_v2`: a device's offline scans, one row each, in upload order.
    pub struct Batch<'a> {
        pub conference_id: Uuid,
        pub device_id: Uuid,
        pub device_sessions: &'a [Option<Uuid>],
        pub ids: Vec<Uuid>,
        pub nonces: Vec<Uuid>,
        pub registration_ids: Vec<Option<Uuid>>,
        pub secret_sha256s: Vec<Option<&'a [u8]>>,
        pub session_ids: Vec<Option<Uuid>>,
        pub directions: Vec<&'a str>,
        pub occurred_ats: Vec<DateTime<Utc>>,
        pub window_margin_secs: i32,
    }
    fixed_call!(Batch);

    impl QueryFragment<Pg> for Batch<'_> {
        fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
            out.push_sql(OUTCOME_COLUMNS);
            out.push_sql("checkin_record_batch_v2(");
            arg::<SqlUuid, _>(&mut out, "p_conference_id", &self.conference_id)?;
            out.push_sql(", ");
            arg::<SqlUuid, _>(&mut out, "p_device_id", &self.device_id)?;
            out.push_sql(", ");
            arg::<Array<Nullable<SqlUuid>>, [Option<Uuid>]>(
                &mut out,
                "p_device_sessions",
                self.device_sessions,
            )?;
            out.push_sql(", ");
            arg::<Array<SqlUuid>, _>(&mut out, "p_ids", &self.ids)?;
            out.push_sql(", ");
            arg::<Array<SqlUuid>, _>(&mut out, "p_nonces", &self.nonces)?;
            out.push_sql(", ");
            arg::<Array<Nullable<SqlUuid>>, _>(
                &mut out,
                "p_registration_ids",
                &self.registration_ids,
            )?;
            out.push_sql(", ");
            arg::<Array<Nullable<Bytea>>, _>(&mut out, "p_secret_sha256s", &self.secret_sha256s)?;
            out.push_sql(", ");
            arg::<Array<Nullable<SqlUuid>>, _>(&mut out, "p_session_ids", &self.session_ids)?;
            out.push_sql(", ");
            arg::<Array<Text>, _>(&mut out, "p_directions", &self.directions)?;
            out.push_sql(", ");
            arg::<Array<Timestamptz>, _>(&mut out, "p_occurred_ats", &self.occurred_ats)?;
            out.push_sql(", ");
            arg::<Integer, _>(&mut out, "p_window_margin_secs", &self.window_margin_secs)?;
            out.push_sql(") WITH ORDINALITY o ORDER BY o.ordinality");
            Ok(())
        }
    }

    /// `checkin_device_seen`: the device behind a token hash, its last-seen time refreshed.
    pub struct DeviceSeen<'a> {
        pub token_hash: &'a [u8],
    }
    fixed_call!(DeviceSeen);

    impl QueryFragment<Pg> for DeviceSeen<'_> {
        fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
            out.push_sql(
                "SELECT d.id, d.conference_id, d.name, d.gate, d.session_ids, d.revoked_at, \
                 d.last_seen_at, d.created_at FROM checkin_device_seen(",
            );
            arg::<Bytea, [u8]>(&mut out, "p_token_hash", self.token_hash)?;
            // A function returning a row type answers a row of NULLs for "no such device".
            out.push_sql(") d WHERE d.id IS NOT NULL");
            Ok(())
        }
    }
}

/// Authenticates the device and records its scan, in one statement, which also names the
/// device (with the request's address and id) as the audit log's actor.
pub async fn scan_by_token(
    conn: &mut AsyncPgConnection,
    token_hash: &[u8],
    conference_id: Uuid,
    scan: &ScanArgs,
    window_margin_secs: i32,
) -> QueryResult<OutcomeRow> {
    let origin = crate::db::audit::current_actor().unwrap_or_default();
    calls::Scan {
        token_hash,
        conference_id,
        scan,
        window_margin_secs,
        client_ip: origin.client_ip.as_deref(),
        request_id: origin.request_id.as_deref(),
    }
    .get_result(conn)
    .await
}

/// Records a scan by a known device, or by an organizer when `device` is `None`.
pub async fn record(
    conn: &mut AsyncPgConnection,
    conference_id: Uuid,
    device: Option<&DeviceRow>,
    scan: &ScanArgs,
    window_margin_secs: i32,
) -> QueryResult<OutcomeRow> {
    calls::Record {
        conference_id,
        device_id: device.map(|d| d.id.0),
        device_sessions: device.map_or(&[], |d| &d.session_ids),
        scan,
        window_margin_secs,
    }
    .get_result(conn)
    .await
}

/// Records a device's offline scans in one transaction: a result per scan, in order.
pub async fn record_batch(
    conn: &mut AsyncPgConnection,
    device: &DeviceRow,
    scans: &[ScanArgs],
    window_margin_secs: i32,
) -> QueryResult<Vec<OutcomeRow>> {
    calls::Batch {
        conference_id: device.conference_id,
        device_id: device.id.0,
        device_sessions: &device.session_ids,
        ids: scans.iter().map(|s| s.id).collect(),
        nonces: scans.iter().map(|s| s.nonce).collect(),
        registration_ids: scans.iter().map(|s| s.registration_id).collect(),
        secret_sha256s: scans.iter().map(|s| s.secret_sha256.as_deref()).collect(),
        session_ids: scans.iter().map(|s| s.session_id).collect(),
        directions: scans.iter().map(|s| s.direction).collect(),
        occurred_ats: scans.iter().map(|s| s.occurred_at).collect(),
        window_margin_secs,
    }
    .load(conn)
    .await
}

/// The live entry (SQL `checkin_first_entry`) a new entry would collide with.
#[derive(QueryableByName, Debug)]
pub struct FirstEntry {
    #[diesel(sql_type = SqlUuid)]
    pub checkin_id: Uuid,
    #[diesel(sql_type = Timestamptz)]
    pub occurred_at: DateTime<Utc>,
    #[diesel(sql_type = Nullable<Text>)]
    pub device_name: Option<String>,
}

/// The live entry of a registration for a session, or for a door day when `session_id` is
/// `None`, and the name of the device that made it.
pub async fn first_entry(
    conn: &mut AsyncPgConnection,
    registration_id: Uuid,
    session_id: Option<Uuid>,
    local_day: NaiveDate,
) -> QueryResult<Option<FirstEntry>> {
    diesel::sql_query(
        "SELECT checkin_id, occurred_at, device_name FROM checkin_first_entry($1, $2, $3)",
    )
    .bind::<SqlUuid, _>(registration_id)
    .bind::<Nullable<SqlUuid>, _>(session_id)
    .bind::<diesel::sql_types::Date, _>(local_day)
    .get_result(conn)
    .await
    .optional()
}

pub async fn find(
    conn: &mut AsyncPgConnection,
    conference_id: Uuid,
    id: CheckinId,
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
    registration_id: RegistrationId,
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
    id: CheckinId,
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
struct TextRow {
    #[diesel(sql_type = diesel::sql_types::Text)]
    text: String,
}

/// The transaction's snapshot (`xmin:xmax:xip,…`); in a repeatable-read transaction, the one
/// every later statement sees.
pub async fn current_snapshot(conn: &mut AsyncPgConnection) -> QueryResult<String> {
    diesel::sql_query("SELECT pg_current_snapshot()::text AS text")
        .get_result::<TextRow>(conn)
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
    .load::<TextRow>(conn)
    .await
    .map(|rows| rows.into_iter().map(|row| row.text).collect())
}
