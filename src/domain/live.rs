//! A live feed of a conference's check-ins for dashboards. It polls PostgreSQL, so it sees scans
//! recorded through any API replica: each poll reads, in one repeatable-read snapshot, the
//! check-ins whose last change the previous poll's snapshot could not see, so nothing is missed
//! whatever order concurrent transactions commit in. (NOTIFY would serialise every scan's commit.)

use std::time::Duration;

use actix_web::web::Bytes;
use tokio::sync::mpsc;
use uuid::Uuid;

use crate::auth::Actor;
use crate::db;
use crate::domain::conferences::{Access, Lock, load};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// How often a feed asks the database for new check-ins: the delay a dashboard sees.
const POLL_INTERVAL: Duration = Duration::from_millis(500);
const KEEPALIVE: Duration = Duration::from_secs(15);
/// Sent when the server stops: reconnect in a second, from the last check-in you saw.
const SHUTDOWN_FRAME: &[u8] = b"retry: 1000\nevent: shutdown\ndata: {\"reconnect\":true}\n\n";

/// Checks access, then starts a poller whose events (`text/event-stream` frames) arrive on the
/// returned channel until the receiver is dropped (the client went away).
pub async fn subscribe(
    state: &AppState,
    actor: &Actor,
    conference_id: Uuid,
) -> ApiResult<mpsc::Receiver<Bytes>> {
    let mut snapshot = {
        let mut conn = state.pool.get().await?;
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
    let (sender, receiver) = mpsc::channel::<Bytes>(256);
    let pool = state.pool.clone();
    let shutdown = state.shutdown.clone();
    actix_web::rt::spawn(async move {
        if sender
            .send(Bytes::from_static(b": connected\n\n"))
            .await
            .is_err()
        {
            return;
        }
        let mut poll = tokio::time::interval(POLL_INTERVAL);
        let mut keepalive = tokio::time::interval(KEEPALIVE);
        loop {
            tokio::select! {
                _ = sender.closed() => break,
                _ = shutdown.begun() => {
                    // The last frame: EventSource clients reconnect after `retry` ms, which
                    // a load balancer sends to a replica that is not stopping.
                    let _ = sender.send(Bytes::from_static(SHUTDOWN_FRAME)).await;
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
                        let frame = format!("event: checkin\ndata: {event}\n\n");
                        if sender.send(Bytes::from(frame)).await.is_err() {
                            return;
                        }
                    }
                }
                _ = keepalive.tick() => {
                    if sender.send(Bytes::from_static(b": keepalive\n\n")).await.is_err() {
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
