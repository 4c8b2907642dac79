//! The offline bundle's reads: one repeatable-read snapshot that a streamed download keeps
//! open on its own connection, a digest of the bundle's content for the ETag, and the rows in
//! keyset pages read from that same snapshot.

use diesel::sql_types::{BigInt, Integer, Nullable, Text, Uuid as SqlUuid};
use diesel_async::{AnsiTransactionManager, AsyncPgConnection, RunQueryDsl, TransactionManager};
use uuid::Uuid;

use crate::db::enums::{Category, RegistrationStatus};

/// Opens the read-only repeatable-read transaction every later read of the download sees.
/// Through diesel's transaction manager, so that a connection dropped before `end_snapshot`
/// (a client that hung up) counts as broken and the pool closes it instead of reusing it.
pub async fn begin_snapshot(conn: &mut AsyncPgConnection) -> diesel::QueryResult<()> {
    AnsiTransactionManager::begin_transaction_sql(
        conn,
        "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
    )
    .await
}

/// Ends the snapshot opened by `begin_snapshot` (nothing was written: commit only releases it).
pub async fn end_snapshot(conn: &mut AsyncPgConnection) -> diesel::QueryResult<()> {
    AnsiTransactionManager::commit_transaction(conn).await
}

/// Selects the registrations a bundle holds: those of conference `$1`, or with `$2` (a
/// snapshot as `checkins::current_snapshot` returns it) only those whose last change that
/// snapshot could not see.
const IN_BUNDLE: &str = "
r.conference_id = $1
  AND ($2::text IS NULL OR (
      -- Everything before the watermark's xmin was visible to it: the index skips it.
      r.changed_xid >= pg_snapshot_xmin($2::text::pg_snapshot)::text::bigint
      AND NOT pg_visible_in_snapshot(r.changed_xid::text::xid8, $2::text::pg_snapshot)))";

#[derive(diesel::QueryableByName)]
struct SnapshotRow {
    #[diesel(sql_type = Text)]
    watermark: String,
    #[diesel(sql_type = Text)]
    digest: String,
}

/// The snapshot the bundle is read in (its watermark, as `checkins::current_snapshot` gives
/// it) and a digest of what decides the bundle's content, in one statement and so from one
/// snapshot, before any row is read. The digest is the number of registrations the bundle
/// holds and two 64-bit hashes of their last changes, summed. Every change of a registration
/// (its sign-ups and its unit's name included) stamps `changed_xid` with the id of a
/// transaction that no earlier snapshot saw, and transaction ids are never reused, so the
/// multiset of `changed_xid` differs between two snapshots exactly when the rows do. It is
/// read from the `(conference_id, changed_xid)` index alone: no row, join or sort, so a `304`
/// or a small delta does not cost a pass over the whole conference.
pub async fn snapshot_and_digest(
    conn: &mut AsyncPgConnection,
    conference_id: Uuid,
    since: Option<&str>,
) -> diesel::QueryResult<(String, String)> {
    diesel::sql_query(format!(
        "SELECT pg_current_snapshot()::text AS watermark,
                count(*)::text || ':' || coalesce(sum(hashint8extended(r.changed_xid, 1)), 0)::text
                || ':' || coalesce(sum(hashint8extended(r.changed_xid, 2)), 0)::text AS digest
         FROM registrations r
         WHERE {IN_BUNDLE}"
    ))
    .bind::<SqlUuid, _>(conference_id)
    .bind::<Nullable<Text>, _>(since)
    .get_result::<SnapshotRow>(conn)
    .await
    .map(|row| (row.watermark, row.digest))
}

/// A registration as the offline bundle carries it.
#[derive(diesel::QueryableByName)]
pub struct BundleRow {
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
    #[diesel(sql_type = Text)]
    pub category: Category,
    #[diesel(sql_type = Text)]
    pub status: RegistrationStatus,
    #[diesel(sql_type = Text)]
    pub qr_secret: String,
    #[diesel(sql_type = diesel::sql_types::Array<SqlUuid>)]
    pub session_ids: Vec<Uuid>,
}

/// The next page of a bundle's registrations by number, after number `after` (0 for the
/// first page). Pages follow the unique (conference, number) index, so every page costs the
/// same and, read in one snapshot, together hold every row exactly once.
pub async fn bundle_page(
    conn: &mut AsyncPgConnection,
    conference_id: Uuid,
    since: Option<&str>,
    after: i32,
    limit: i64,
) -> diesel::QueryResult<Vec<BundleRow>> {
    diesel::sql_query(format!(
        "SELECT r.id, r.number, r.full_name, r.position, u.name AS unit_name, r.category, r.status,
                r.qr_secret,
                ARRAY(SELECT s.session_id FROM session_signups s
                      WHERE s.registration_id = r.id ORDER BY s.session_id) AS session_ids
         FROM registrations r
         LEFT JOIN units u ON u.id = r.unit_id
         WHERE {IN_BUNDLE} AND r.number > $3
         ORDER BY r.number
         LIMIT $4"
    ))
    .bind::<SqlUuid, _>(conference_id)
    .bind::<Nullable<Text>, _>(since)
    .bind::<Integer, _>(after)
    .bind::<BigInt, _>(limit)
    .load(conn)
    .await
}
