//! Claimed `Idempotency-Key`s and the responses stored under them.

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::db::schema::idempotency_keys;

/// What the request that claimed a key sent back (status 0 until it is stored).
#[derive(Queryable, Debug)]
pub struct StoredResponse {
    pub request_hash: Vec<u8>,
    pub status: i16,
    pub response: serde_json::Value,
}

/// Forgets keys older than a day, in every scope: stored responses may carry a delegate token.
pub async fn purge_expired(conn: &mut AsyncPgConnection) -> QueryResult<usize> {
    let expired =
        diesel::dsl::sql::<diesel::sql_types::Bool>("created_at < now() - interval '24 hours'");
    diesel::delete(idempotency_keys::table.filter(expired))
        .execute(conn)
        .await
}

/// Claims the key; false when it is claimed already (a concurrent claim waits for the
/// claiming transaction to end first).
pub async fn claim(
    conn: &mut AsyncPgConnection,
    scope: &str,
    key: &str,
    request_hash: &[u8],
) -> QueryResult<bool> {
    let inserted = diesel::insert_into(idempotency_keys::table)
        .values((
            idempotency_keys::scope.eq(scope),
            idempotency_keys::key.eq(key),
            idempotency_keys::request_hash.eq(request_hash),
            idempotency_keys::status.eq(0i16),
            idempotency_keys::response.eq(serde_json::Value::Null),
        ))
        .on_conflict_do_nothing()
        .execute(conn)
        .await?;
    Ok(inserted == 1)
}

pub async fn find(
    conn: &mut AsyncPgConnection,
    scope: &str,
    key: &str,
) -> QueryResult<StoredResponse> {
    idempotency_keys::table
        .find((scope, key))
        .select((
            idempotency_keys::request_hash,
            idempotency_keys::status,
            idempotency_keys::response,
        ))
        .first(conn)
        .await
}

pub async fn store_response(
    conn: &mut AsyncPgConnection,
    scope: &str,
    key: &str,
    status: i16,
    response: serde_json::Value,
) -> QueryResult<()> {
    diesel::update(idempotency_keys::table.find((scope, key)))
        .set((
            idempotency_keys::status.eq(status),
            idempotency_keys::response.eq(response),
        ))
        .execute(conn)
        .await?;
    Ok(())
}
