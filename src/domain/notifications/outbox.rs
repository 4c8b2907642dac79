//! The outbox as the rest of the domain and operators see it: handing over link tokens, the
//! queue's state per conference and server-wide, and retrying dead letters.

use chrono::{DateTime, Utc};
use diesel_async::{AsyncConnection, AsyncPgConnection};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::{Event, OutboxState};
use crate::db::outbox::{OutboxRow, QueueStats, Recipient};
use crate::db::{self};
use crate::domain::actor::Actor;
use crate::domain::common::{Access, Lock, load};
use crate::domain::{pagination, retrying_transaction};
use crate::error::{ApiError, ApiResult, FieldCode};

/// Gives the messages a registration's change just enqueued the delegate link token issued
/// with it (only its hash is stored elsewhere). Call in the transaction that issued it.
pub async fn attach_delegate_links(
    conn: &mut AsyncPgConnection,
    registration_ids: &[Uuid],
    tokens: &[String],
) -> ApiResult<()> {
    db::outbox::attach_link_tokens(conn, Recipient::Registration, registration_ids, tokens).await?;
    Ok(())
}

/// The same for an invitation's link, for the email to the unit's contact.
pub async fn attach_invitation_link(
    conn: &mut AsyncPgConnection,
    invitation_id: Uuid,
    token: &str,
) -> ApiResult<()> {
    db::outbox::attach_link_tokens(
        conn,
        Recipient::Invitation,
        &[invitation_id],
        &[token.to_owned()],
    )
    .await?;
    Ok(())
}

/// The queue at a glance.
#[derive(Debug, Serialize, ToSchema)]
pub struct QueueSummary {
    /// Messages by state.
    pub counts: StateCounts,
    /// When the longest-waiting pending message was (or is) due; `null` when none waits.
    pub oldest_due_at: Option<DateTime<Utc>>,
    /// The latest delivery error of a message not yet sent.
    pub last_error: Option<String>,
    /// `false` when `HOITHAO_SMTP_URL` is unset on this server: emails stay `pending`.
    pub email_configured: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StateCounts {
    pub pending: i64,
    pub sending: i64,
    pub sent: i64,
    pub dead: i64,
    pub skipped: i64,
}

fn summary(stats: QueueStats, email_configured: bool) -> QueueSummary {
    QueueSummary {
        counts: StateCounts {
            pending: stats.pending,
            sending: stats.sending,
            sent: stats.sent,
            dead: stats.dead,
            skipped: stats.skipped,
        },
        oldest_due_at: stats.oldest_due_at,
        last_error: stats.last_error,
        email_configured,
    }
}

/// One message as operators see it: what and to whom (by id), never the text or address.
#[derive(Debug, Serialize, ToSchema)]
pub struct OutboxMessage {
    pub id: Uuid,
    pub conference_id: Uuid,
    /// `email`.
    pub channel: String,
    pub event: Event,
    /// The delegate it is for, or
    pub registration_id: Option<Uuid>,
    /// the invitation whose unit contact it is for.
    pub invitation_id: Option<Uuid>,
    pub state: OutboxState,
    /// Attempts made so far.
    pub attempts: i32,
    /// When it is due (`pending`), or when its worker's lease ends (`sending`).
    pub next_attempt_at: DateTime<Utc>,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
}

fn to_message(row: OutboxRow) -> ApiResult<OutboxMessage> {
    Ok(OutboxMessage {
        id: row.id,
        conference_id: row.conference_id,
        channel: row.channel,
        event: row.event.parse()?,
        registration_id: row.registration_id,
        invitation_id: row.invitation_id,
        state: row.state.parse()?,
        attempts: row.attempts,
        next_attempt_at: row.next_attempt_at,
        last_error: row.last_error,
        created_at: row.created_at,
        sent_at: row.sent_at,
    })
}

/// Filters of the message list.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MessageQuery {
    /// Only messages in this state: `pending`, `sending`, `sent`, `dead` or `skipped`.
    pub state: Option<String>,
    /// Page size, 1-500 (default 50).
    pub limit: Option<u32>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// Which dead messages to retry: the ones named, or all of the conference's.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RetryRequest {
    /// Outbox ids; absent means every dead message of the conference.
    pub ids: Option<Vec<Uuid>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RetryResult {
    /// How many dead messages are pending again.
    pub retried: usize,
}

/// A conference's queue (its organizers and admins).
pub async fn conference_summary(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    conference_id: Uuid,
    email_configured: bool,
) -> ApiResult<QueueSummary> {
    load(
        conn,
        conference_id,
        Some(actor),
        Access::Private,
        Lock::None,
    )
    .await?;
    Ok(summary(
        db::outbox::stats(conn, Some(conference_id)).await?,
        email_configured,
    ))
}

/// The whole server's queue (admins).
pub async fn server_summary(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    email_configured: bool,
) -> ApiResult<QueueSummary> {
    actor.require_admin()?;
    Ok(summary(
        db::outbox::stats(conn, None).await?,
        email_configured,
    ))
}

/// A conference's messages, newest first.
pub async fn messages(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    conference_id: Uuid,
    query: MessageQuery,
) -> ApiResult<(Vec<OutboxMessage>, Option<String>)> {
    let state = query
        .state
        .as_deref()
        .map(|value| OutboxState::parse_field("state", value))
        .transpose()
        .map_err(|e| ApiError::validation(vec![e]))?;
    let limit = pagination::fetch_limit(query.limit)?;
    let after = pagination::decode(query.cursor.as_deref())?;
    load(
        conn,
        conference_id,
        Some(actor),
        Access::Private,
        Lock::None,
    )
    .await?;
    let rows = db::outbox::list(
        conn,
        Some(conference_id),
        state.map(OutboxState::as_str),
        after,
        limit,
    )
    .await?;
    let (rows, next) = pagination::finish(rows, limit, |row| (row.created_at, row.id));
    let items = rows.into_iter().map(to_message).collect::<ApiResult<_>>()?;
    Ok((items, next))
}

/// Puts a conference's dead messages (all, or the ones named) back in the queue, due now.
pub async fn retry(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    conference_id: Uuid,
    request: RetryRequest,
) -> ApiResult<RetryResult> {
    if request.ids.as_ref().is_some_and(|ids| ids.len() > 1000) {
        return Err(ApiError::validation(vec![crate::error::FieldError::new(
            "ids",
            FieldCode::TooMany,
            "retry at most 1000 messages at a time",
        )]));
    }
    retrying_transaction!(conn, async |conn| {
        load(
            conn,
            conference_id,
            Some(actor),
            Access::Private,
            Lock::None,
        )
        .await?;
        let retried =
            db::outbox::retry_dead(conn, Some(conference_id), request.ids.as_deref()).await?;
        Ok(RetryResult { retried })
    })
}

/// For the `hoithao outbox` command: rows of any conference, newest first.
pub async fn list_for_operator(
    conn: &mut AsyncPgConnection,
    conference_id: Option<Uuid>,
    state: Option<OutboxState>,
    limit: i64,
) -> ApiResult<Vec<OutboxMessage>> {
    let rows = db::outbox::list(
        conn,
        conference_id,
        state.map(OutboxState::as_str),
        None,
        limit,
    )
    .await?;
    rows.into_iter().map(to_message).collect()
}

/// For the `hoithao outbox retry` command.
pub async fn retry_for_operator(
    conn: &mut AsyncPgConnection,
    conference_id: Option<Uuid>,
    ids: Option<&[Uuid]>,
) -> ApiResult<usize> {
    Ok(db::outbox::retry_dead(conn, conference_id, ids).await?)
}

/// For `hoithao outbox stats`.
pub async fn stats_for_operator(
    conn: &mut AsyncPgConnection,
    conference_id: Option<Uuid>,
) -> ApiResult<QueueSummary> {
    let stats = db::outbox::stats(conn, conference_id).await?;
    // The command does not know whether the servers have SMTP configured.
    Ok(summary(stats, true))
}
