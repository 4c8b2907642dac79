//! A live feed of a conference's check-ins for dashboards, driven by PostgreSQL LISTEN/NOTIFY
//! so that it sees scans recorded through any API replica.

use std::time::Duration;

use actix_web::web::Bytes;
use futures_util::future::poll_fn;
use tokio::sync::mpsc;
use tokio_postgres::AsyncMessage;
use uuid::Uuid;

use crate::auth::Actor;
use crate::domain::conferences::{Access, Lock, load};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

pub const CHANNEL: &str = "hoithao_checkins";
const KEEPALIVE: Duration = Duration::from_secs(15);

/// Checks access, then starts a listener whose events (`text/event-stream` frames) arrive on
/// the returned channel until the receiver is dropped (the client went away).
pub async fn subscribe(
    state: &AppState,
    actor: &Actor,
    conference_id: Uuid,
) -> ApiResult<mpsc::Receiver<Bytes>> {
    {
        let mut conn = state.pool.get().await?;
        load(
            &mut conn,
            conference_id,
            Some(actor),
            Access::Private,
            Lock::None,
        )
        .await?;
    }
    let config: tokio_postgres::Config = state.database_url.parse().map_err(ApiError::internal)?;
    let (client, mut connection) = tokio::time::timeout(
        Duration::from_secs(5),
        config.connect(tokio_postgres::NoTls),
    )
    .await
    .map_err(|_| ApiError::unavailable("timed out connecting for LISTEN"))?
    .map_err(ApiError::unavailable)?;
    // One task drives the connection and hands over notifications; the LISTEN below needs it.
    let (notes_in, mut notes) = mpsc::unbounded_channel();
    actix_web::rt::spawn(async move {
        while let Some(message) = poll_fn(|cx| connection.poll_message(cx)).await {
            match message {
                Ok(AsyncMessage::Notification(note)) => {
                    if notes_in.send(note.payload().to_owned()).is_err() {
                        break;
                    }
                }
                Ok(_) => {}
                Err(_) => break,
            }
        }
    });
    client
        .batch_execute(&format!("LISTEN {CHANNEL}"))
        .await
        .map_err(ApiError::unavailable)?;

    let (sender, receiver) = mpsc::channel::<Bytes>(256);
    let wanted = conference_id.to_string();
    actix_web::rt::spawn(async move {
        // Dropping the client at the end closes the connection and ends the task above.
        let _client = client;
        let mut keepalive = tokio::time::interval(KEEPALIVE);
        if sender
            .send(Bytes::from_static(b": connected\n\n"))
            .await
            .is_err()
        {
            return;
        }
        loop {
            tokio::select! {
                note = notes.recv() => {
                    let Some(payload) = note else { break };
                    let ours = serde_json::from_str::<serde_json::Value>(&payload)
                        .is_ok_and(|v| v["conference_id"].as_str() == Some(wanted.as_str()));
                    if ours && sender.send(Bytes::from(format!("event: checkin\ndata: {payload}\n\n"))).await.is_err() {
                        break;
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
