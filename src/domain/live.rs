//! A live feed of a conference's check-ins for dashboards. It polls PostgreSQL, so it sees scans
//! recorded through any API replica: each poll reads, in one repeatable-read snapshot, the
//! check-ins whose last change the previous poll's snapshot could not see, so nothing is missed
//! whatever order concurrent transactions commit in. (NOTIFY would serialise every scan's commit.)

use std::time::Duration;

use tokio::sync::mpsc;
use uuid::Uuid;

use crate::db;
use crate::db::DbPool;
use crate::domain::actor::Actor;
use crate::domain::common::{Access, Lock, load};
use crate::error::{ApiError, ApiResult};
use crate::shutdown::Shutdown;

/// How often a feed asks the database for new check-ins: the delay a dashboard sees.
const POLL_INTERVAL: Duration = Duration::from_millis(500);
const KEEPALIVE: Duration = Duration::from_secs(15);
/// What a feed delivers; the HTTP layer frames it (as `text/event-stream`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LiveEvent {
    /// The feed is open.
    Connected,
    /// A check-in recorded or changed (undone, superseded): JSON, ids and outcomes only.
    Checkin(String),
    /// Nothing happened for a while; keeps proxies from closing the connection.
    Keepalive,
    /// The server is stopping: reconnect (to another replica) from the last check-in seen.
    Shutdown,
}

/// Checks access, then starts a poller whose events arrive on the returned channel until the
/// receiver is dropped (the client went away) or the server stops.
pub async fn subscribe(
    pool: &DbPool,
    shutdown: &Shutdown,
    actor: &Actor,
    conference_id: Uuid,
) -> ApiResult<mpsc::Receiver<LiveEvent>> {
    let mut snapshot = {
        let mut conn = pool.get().await?;
        load(
            &mut conn,
            conference_id,
            Some(actor),
            Access::Private,
            Lock::None,
        )
        .await?;
        db::checkins::current_snapshot(&mut conn).await?
    };
    let (sender, receiver) = mpsc::channel::<LiveEvent>(256);
    let pool = pool.clone();
    let shutdown = shutdown.clone();
    tokio::spawn(async move {
        if sender.send(LiveEvent::Connected).await.is_err() {
            return;
        }
        let mut poll = tokio::time::interval(POLL_INTERVAL);
        let mut keepalive = tokio::time::interval(KEEPALIVE);
        loop {
            tokio::select! {
                _ = sender.closed() => break,
                _ = shutdown.begun() => {
                    let _ = sender.send(LiveEvent::Shutdown).await;
                    break;
                }
                _ = poll.tick() => {
                    // A failed poll (database briefly away) is retried at the next tick from
                    // the same snapshot, so it loses nothing.
                    let (next, events) = match changes(&pool, conference_id, &snapshot).await {
                        Ok(polled) => polled,
                        Err(error) => {
                            tracing::warn!(%conference_id, error = %error.code(), "live feed poll failed; retrying");
                            continue;
                        }
                    };
                    snapshot = next;
                    for event in events {
                        if sender.send(LiveEvent::Checkin(event)).await.is_err() {
                            return;
                        }
                    }
                }
                _ = keepalive.tick() => {
                    if sender.send(LiveEvent::Keepalive).await.is_err() {
                        break;
                    }
                }
            }
        }
    });
    Ok(receiver)
}

/// The new snapshot and, as JSON, the check-ins changed since `snapshot`.
async fn changes(
    pool: &db::DbPool,
    conference_id: Uuid,
    snapshot: &str,
) -> ApiResult<(String, Vec<String>)> {
    let mut conn = pool.get().await?;
    conn.build_transaction()
        .repeatable_read()
        .read_only()
        .run::<_, ApiError, _>(async |conn| {
            let next = db::checkins::current_snapshot(conn).await?;
            let events = db::checkins::changed_since(conn, conference_id, snapshot).await?;
            Ok((next, events))
        })
        .await
}
