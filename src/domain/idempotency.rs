//! `Idempotency-Key` on creating POSTs: a replay with the same key and body returns the first
//! response and writes nothing. The key is claimed inside the request's own transaction, so a
//! concurrent duplicate waits for the first to commit and then replays it; a request that fails
//! rolls its claim back and can be retried.

use diesel::prelude::*;
use diesel::sql_types::{Bytea, Jsonb, SmallInt, Text};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::error::{ApiError, ApiResult, ErrorCode, FieldError};

/// A client's key plus what it is used for.
#[derive(Debug, Clone)]
pub struct Idempotency {
    /// Route and caller, so keys of different clients never collide.
    pub scope: String,
    pub key: String,
    pub request_hash: Vec<u8>,
}

impl Idempotency {
    /// Checks the header value (1-200 visible ASCII characters) and fingerprints the body.
    pub fn new(scope: String, key: &str, body: &impl Serialize) -> ApiResult<Self> {
        if key.is_empty() || key.len() > 200 || !key.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(ApiError::validation(vec![FieldError::new(
                "Idempotency-Key",
                "invalid_format",
                "use 1 to 200 visible ASCII characters, e.g. a UUID",
            )]));
        }
        let body = serde_json::to_vec(body).map_err(ApiError::internal)?;
        Ok(Self {
            scope,
            key: key.to_owned(),
            request_hash: Sha256::digest(&body).to_vec(),
        })
    }
}

/// A fresh result, or the response first given for the same key.
#[derive(Debug)]
pub enum Outcome<T> {
    Fresh(T),
    Replayed(Replay),
}

/// A response to send again.
#[derive(Debug)]
pub struct Replay {
    pub status: u16,
    pub body: serde_json::Value,
}

#[derive(QueryableByName)]
struct Stored {
    #[diesel(sql_type = Bytea)]
    request_hash: Vec<u8>,
    #[diesel(sql_type = SmallInt)]
    status: i16,
    #[diesel(sql_type = Jsonb)]
    response: serde_json::Value,
}

/// Claims the key for this transaction, or returns the response stored under it.
pub async fn claim(conn: &mut AsyncPgConnection, idem: &Idempotency) -> ApiResult<Option<Replay>> {
    // Stored responses may carry a delegate token: keep them a day, no longer, in any scope.
    diesel::sql_query(
        "DELETE FROM idempotency_keys WHERE created_at < now() - interval '24 hours'",
    )
    .execute(conn)
    .await?;
    let inserted = diesel::sql_query(
        "INSERT INTO idempotency_keys (scope, key, request_hash, status, response)
         VALUES ($1, $2, $3, 0, 'null') ON CONFLICT DO NOTHING",
    )
    .bind::<Text, _>(&idem.scope)
    .bind::<Text, _>(&idem.key)
    .bind::<Bytea, _>(&idem.request_hash)
    .execute(conn)
    .await?;
    if inserted == 1 {
        return Ok(None);
    }
    let stored: Stored = diesel::sql_query(
        "SELECT request_hash, status, response FROM idempotency_keys WHERE scope = $1 AND key = $2",
    )
    .bind::<Text, _>(&idem.scope)
    .bind::<Text, _>(&idem.key)
    .get_result(conn)
    .await?;
    if stored.request_hash != idem.request_hash {
        return Err(ApiError::conflict(
            ErrorCode::IdempotencyKeyReused,
            "this Idempotency-Key was used with a different request body",
        ));
    }
    Ok(Some(Replay {
        status: u16::try_from(stored.status).unwrap_or(200),
        body: stored.response,
    }))
}

/// Stores the response of the request that claimed the key.
pub async fn store(
    conn: &mut AsyncPgConnection,
    idem: &Idempotency,
    status: u16,
    body: &impl Serialize,
) -> ApiResult<()> {
    let body = serde_json::to_value(body).map_err(ApiError::internal)?;
    diesel::sql_query(
        "UPDATE idempotency_keys SET status = $3, response = $4 WHERE scope = $1 AND key = $2",
    )
    .bind::<Text, _>(&idem.scope)
    .bind::<Text, _>(&idem.key)
    .bind::<SmallInt, _>(i16::try_from(status).unwrap_or(200))
    .bind::<Jsonb, _>(body)
    .execute(conn)
    .await?;
    Ok(())
}
