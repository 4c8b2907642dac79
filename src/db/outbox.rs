//! Queries on `outbox`: the notifications written by triggers in the transaction of the change
//! that causes them (migration 180000), claimed by the delivery workers of every replica.

use chrono::{DateTime, Utc};
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Integer, Interval, Nullable, Text, Timestamptz};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::db::schema::{conference_sessions, outbox, session_signups};
use crate::db::sessions::SessionRow;

/// A row a worker has claimed: what to send, never to whom (that is read at delivery time).
#[derive(QueryableByName, Queryable, Debug, Clone)]
#[diesel(table_name = outbox)]
pub struct ClaimedRow {
    pub id: Uuid,
    pub conference_id: Uuid,
    pub channel: String,
    pub event: String,
    pub registration_id: Option<Uuid>,
    pub invitation_id: Option<Uuid>,
    pub endpoint_id: Option<Uuid>,
    pub data: serde_json::Value,
    pub link_token: Option<String>,
    pub created_at: DateTime<Utc>,
    /// Including this one: the claim counts the attempt.
    pub attempts: i32,
}

/// A row as operators see it (no link token).
#[derive(Queryable, Selectable, Debug, Clone)]
#[diesel(table_name = outbox)]
pub struct OutboxRow {
    pub id: Uuid,
    pub conference_id: Uuid,
    pub channel: String,
    pub event: String,
    pub registration_id: Option<Uuid>,
    pub invitation_id: Option<Uuid>,
    pub state: String,
    pub attempts: i32,
    pub next_attempt_at: DateTime<Utc>,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
}

/// Gives the rows this transaction's triggers just wrote for `ids` (registrations or
/// invitations) the link tokens issued with them. `created_at = now()` is the transaction's
/// start time, so only rows written by the current transaction match.
pub async fn attach_link_tokens(
    conn: &mut AsyncPgConnection,
    recipient: Recipient,
    ids: &[Uuid],
    tokens: &[String],
) -> QueryResult<usize> {
    let column = match recipient {
        Recipient::Registration => "registration_id",
        Recipient::Invitation => "invitation_id",
    };
    diesel::sql_query(format!(
        "UPDATE outbox o SET link_token = t.token \
         FROM unnest($1::uuid[], $2::text[]) AS t(id, token) \
         WHERE o.{column} = t.id AND o.channel = 'email' AND o.created_at = now() \
           AND o.link_token IS NULL \
           AND o.state = 'pending'"
    ))
    .bind::<Array<diesel::sql_types::Uuid>, _>(ids)
    .bind::<Array<Text>, _>(tokens)
    .execute(conn)
    .await
}

#[derive(Debug, Clone, Copy)]
pub enum Recipient {
    Registration,
    Invitation,
}

/// Claims up to `limit` due rows of `channels` in one statement: pending rows whose time has
/// come, and `sending` rows whose lease ran out (their worker died). `SKIP LOCKED` lets the
/// workers of every replica claim side by side without waiting for or taking each other's
/// rows; the lease (`next_attempt_at` of a `sending` row) makes a row claimable again if its
/// worker never reports.
pub async fn claim(
    conn: &mut AsyncPgConnection,
    channels: &[&str],
    limit: i64,
    lease_secs: i32,
) -> QueryResult<Vec<ClaimedRow>> {
    diesel::sql_query(
        "UPDATE outbox SET state = 'sending', attempts = attempts + 1, \
             next_attempt_at = now() + make_interval(secs => $3) \
         WHERE id IN (SELECT id FROM outbox \
                      WHERE state IN ('pending', 'sending') AND next_attempt_at <= now() \
                        AND channel = ANY($1) \
                      ORDER BY next_attempt_at LIMIT $2 FOR UPDATE SKIP LOCKED) \
         RETURNING id, conference_id, channel, event, registration_id, invitation_id, \
                   endpoint_id, data, link_token, created_at, attempts",
    )
    .bind::<Array<Text>, _>(channels)
    .bind::<BigInt, _>(limit)
    .bind::<Integer, _>(lease_secs)
    .load(conn)
    .await
}

/// Delivered: the link token goes (it was needed only to render this message). Matches only
/// while the claim is still ours (`attempts`): a worker whose lease expired and whose row
/// another worker took has nothing to record. Returns whether it was recorded.
pub async fn mark_sent(conn: &mut AsyncPgConnection, id: Uuid, attempts: i32) -> QueryResult<bool> {
    let updated = diesel::update(
        outbox::table
            .find(id)
            .filter(outbox::state.eq("sending"))
            .filter(outbox::attempts.eq(attempts)),
    )
    .set((
        outbox::state.eq("sent"),
        outbox::sent_at.eq(sql::<Nullable<Timestamptz>>("now()")),
        outbox::link_token.eq(None::<String>),
        outbox::last_error.eq(None::<String>),
    ))
    .execute(conn)
    .await?;
    Ok(updated == 1)
}

/// Nothing to send any more (the recipient has no address now).
pub async fn mark_skipped(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    attempts: i32,
    reason: &str,
) -> QueryResult<bool> {
    let updated = diesel::update(
        outbox::table
            .find(id)
            .filter(outbox::state.eq("sending"))
            .filter(outbox::attempts.eq(attempts)),
    )
    .set((
        outbox::state.eq("skipped"),
        outbox::link_token.eq(None::<String>),
        outbox::last_error.eq(reason),
    ))
    .execute(conn)
    .await?;
    Ok(updated == 1)
}

/// A failed attempt: back to `pending` after `retry_in_ms`, or `dead` when `retry_in_ms` is
/// `None` (out of attempts, or a permanent refusal).
pub async fn mark_failed(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    attempts: i32,
    error: &str,
    retry_in_ms: Option<i64>,
) -> QueryResult<bool> {
    let error: String = error.chars().take(1000).collect();
    let target = outbox::table
        .find(id)
        .filter(outbox::state.eq("sending"))
        .filter(outbox::attempts.eq(attempts));
    let updated = match retry_in_ms {
        Some(ms) => {
            diesel::update(target)
                .set((
                    outbox::state.eq("pending"),
                    outbox::last_error.eq(&error),
                    outbox::next_attempt_at.eq(sql::<Timestamptz>("now() + ").bind::<Interval, _>(
                        diesel::data_types::PgInterval::from_microseconds(ms.saturating_mul(1000)),
                    )),
                ))
                .execute(conn)
                .await?
        }
        None => {
            diesel::update(target)
                .set((outbox::state.eq("dead"), outbox::last_error.eq(&error)))
                .execute(conn)
                .await?
        }
    };
    Ok(updated == 1)
}

/// Dead rows of a conference (or all) back to `pending`, due now, with their attempts reset.
/// `ids` narrows it to those rows. Returns how many.
pub async fn retry_dead(
    conn: &mut AsyncPgConnection,
    conference_id: Option<Uuid>,
    ids: Option<&[Uuid]>,
) -> QueryResult<usize> {
    let mut query = diesel::update(outbox::table)
        .filter(outbox::state.eq("dead"))
        .into_boxed();
    if let Some(conference_id) = conference_id {
        query = query.filter(outbox::conference_id.eq(conference_id));
    }
    if let Some(ids) = ids {
        query = query.filter(outbox::id.eq_any(ids));
    }
    query
        .set((
            outbox::state.eq("pending"),
            outbox::attempts.eq(0),
            outbox::next_attempt_at.eq(sql::<Timestamptz>("now()")),
        ))
        .execute(conn)
        .await
}

/// Counts by state, the oldest due message and the latest error, for one conference or the
/// whole server.
#[derive(QueryableByName, Debug, Clone)]
pub struct QueueStats {
    #[diesel(sql_type = BigInt)]
    pub pending: i64,
    #[diesel(sql_type = BigInt)]
    pub sending: i64,
    #[diesel(sql_type = BigInt)]
    pub sent: i64,
    #[diesel(sql_type = BigInt)]
    pub dead: i64,
    #[diesel(sql_type = BigInt)]
    pub skipped: i64,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    pub oldest_due_at: Option<DateTime<Utc>>,
    #[diesel(sql_type = Nullable<Text>)]
    pub last_error: Option<String>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    pub last_error_at: Option<DateTime<Utc>>,
}

pub async fn stats(
    conn: &mut AsyncPgConnection,
    conference_id: Option<Uuid>,
) -> QueryResult<QueueStats> {
    diesel::sql_query(
        "SELECT count(*) FILTER (WHERE state = 'pending') AS pending, \
                count(*) FILTER (WHERE state = 'sending') AS sending, \
                count(*) FILTER (WHERE state = 'sent') AS sent, \
                count(*) FILTER (WHERE state = 'dead') AS dead, \
                count(*) FILTER (WHERE state = 'skipped') AS skipped, \
                min(next_attempt_at) FILTER (WHERE state = 'pending') AS oldest_due_at, \
                (array_agg(last_error ORDER BY next_attempt_at DESC) \
                    FILTER (WHERE last_error IS NOT NULL AND state IN ('pending', 'dead')))[1] \
                    AS last_error, \
                max(next_attempt_at) FILTER (WHERE last_error IS NOT NULL \
                    AND state IN ('pending', 'dead')) AS last_error_at \
         FROM outbox WHERE $1::uuid IS NULL OR conference_id = $1",
    )
    .bind::<Nullable<diesel::sql_types::Uuid>, _>(conference_id)
    .get_result(conn)
    .await
}

/// Rows newest first, optionally of one conference and one state, after a keyset position
/// `(created_at, id)`.
pub async fn list(
    conn: &mut AsyncPgConnection,
    conference_id: Option<Uuid>,
    state: Option<&str>,
    after: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> QueryResult<Vec<OutboxRow>> {
    let mut query = outbox::table.select(OutboxRow::as_select()).into_boxed();
    if let Some(conference_id) = conference_id {
        query = query.filter(outbox::conference_id.eq(conference_id));
    }
    if let Some(state) = state {
        query = query.filter(outbox::state.eq(state.to_owned()));
    }
    if let Some((at, id)) = after {
        query = query.filter(
            outbox::created_at
                .lt(at)
                .or(outbox::created_at.eq(at).and(outbox::id.lt(id))),
        );
    }
    query
        .order((outbox::created_at.desc(), outbox::id.desc()))
        .limit(limit)
        .load(conn)
        .await
}

/// Writes a reminder for every confirmed registration (with an email) of a published
/// conference starting within `lead`; the unique index `outbox_one_reminder` makes it once per
/// registration however many workers run this at the same time. Returns how many were written.
pub async fn schedule_reminders(
    conn: &mut AsyncPgConnection,
    lead_minutes: i32,
) -> QueryResult<usize> {
    diesel::sql_query(
        "INSERT INTO outbox (conference_id, channel, event, registration_id) \
         SELECT r.conference_id, 'email', 'registration.reminder', r.id \
         FROM conferences c JOIN registrations r ON r.conference_id = c.id \
         WHERE c.status = 'published' AND c.starts_at > now() \
           AND c.starts_at <= now() + make_interval(mins => $1) \
           AND r.status = 'confirmed' AND r.email IS NOT NULL \
         ON CONFLICT (registration_id) WHERE event = 'registration.reminder' DO NOTHING",
    )
    .bind::<Integer, _>(lead_minutes)
    .execute(conn)
    .await
}

/// The sessions a registration is signed up for, by start time.
pub async fn signed_up_sessions(
    conn: &mut AsyncPgConnection,
    registration_id: Uuid,
) -> QueryResult<Vec<SessionRow>> {
    session_signups::table
        .inner_join(conference_sessions::table)
        .filter(session_signups::registration_id.eq(registration_id))
        .order(conference_sessions::starts_at.asc())
        .select(SessionRow::as_select())
        .load(conn)
        .await
}

/// Messages not yet delivered (`pending`, `sending`) or out of attempts (`dead`), by channel
/// and state, across conferences: the operations backlog. `sent` and `skipped` only grow and
/// are left out, so the count stays cheap as history accumulates.
#[derive(QueryableByName, Debug, Clone)]
pub struct BacklogRow {
    #[diesel(sql_type = Text)]
    pub channel: String,
    #[diesel(sql_type = Text)]
    pub state: String,
    #[diesel(sql_type = BigInt)]
    pub messages: i64,
}

pub async fn backlog(conn: &mut AsyncPgConnection) -> QueryResult<Vec<BacklogRow>> {
    diesel::sql_query(
        "SELECT channel, state, count(*) AS messages FROM outbox \
         WHERE state IN ('pending', 'sending', 'dead') GROUP BY channel, state",
    )
    .load(conn)
    .await
}
