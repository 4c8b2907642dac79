//! `Idempotency-Key` on creating POSTs: a replay with the same key and body returns the first
//! response and writes nothing. The key is claimed inside the request's own transaction, so a
//! concurrent duplicate waits for the first to commit and then replays it; a request that fails
//! rolls its claim back and can be retried.

use diesel_async::AsyncPgConnection;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::db;
use crate::error::{ApiError, ApiResult, ErrorCode, FieldCode, FieldError};

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
                FieldCode::InvalidFormat,
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

/// Claims the key for this transaction, or returns the response stored under it.
pub async fn claim(conn: &mut AsyncPgConnection, idem: &Idempotency) -> ApiResult<Option<Replay>> {
    db::idempotency::purge_expired(conn).await?;
    if db::idempotency::claim(conn, &idem.scope, &idem.key, &idem.request_hash).await? {
        return Ok(None);
    }
    let stored = db::idempotency::find(conn, &idem.scope, &idem.key).await?;
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
    let status = i16::try_from(status).unwrap_or(200);
    db::idempotency::store_response(conn, &idem.scope, &idem.key, status, body).await?;
    Ok(())
}
