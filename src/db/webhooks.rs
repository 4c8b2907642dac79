//! Queries on `webhook_endpoints` and `webhook_attempts` (the delivery log).

use chrono::{DateTime, Utc};
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::{Nullable, Timestamptz};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::config::Secret;
use crate::db::schema::{outbox, webhook_attempts, webhook_endpoints};

/// An endpoint without its secrets.
#[derive(Queryable, Selectable, Debug, Clone)]
#[diesel(table_name = webhook_endpoints)]
pub struct EndpointRow {
    pub id: Uuid,
    pub conference_id: Uuid,
    pub url: String,
    pub events: Vec<Option<String>>,
    pub enabled: bool,
    pub failing_since: Option<DateTime<Utc>>,
    pub disabled_reason: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// What a delivery needs: where, and the keys to sign with (wrapped, so `Debug` and logs never
/// show them).
#[derive(Debug, Clone)]
pub struct EndpointKeys {
    pub url: String,
    pub enabled: bool,
    pub secret: Secret,
    /// The secret before the last rotation, while it still signs.
    pub previous_secret: Option<Secret>,
}

pub async fn insert(
    conn: &mut AsyncPgConnection,
    conference_id: Uuid,
    url: &str,
    events: &[String],
    secret: &str,
    created_by: Uuid,
) -> QueryResult<EndpointRow> {
    diesel::insert_into(webhook_endpoints::table)
        .values((
            webhook_endpoints::id.eq(Uuid::now_v7()),
            webhook_endpoints::conference_id.eq(conference_id),
            webhook_endpoints::url.eq(url),
            webhook_endpoints::events.eq(events),
            webhook_endpoints::secret.eq(secret),
            webhook_endpoints::created_by.eq(created_by),
        ))
        .returning(EndpointRow::as_returning())
        .get_result(conn)
        .await
}

pub async fn list(
    conn: &mut AsyncPgConnection,
    conference_id: Uuid,
) -> QueryResult<Vec<EndpointRow>> {
    webhook_endpoints::table
        .filter(webhook_endpoints::conference_id.eq(conference_id))
        .order(webhook_endpoints::created_at.asc())
        .select(EndpointRow::as_select())
        .load(conn)
        .await
}

pub async fn find(
    conn: &mut AsyncPgConnection,
    conference_id: Uuid,
    id: Uuid,
) -> QueryResult<Option<EndpointRow>> {
    webhook_endpoints::table
        .find(id)
        .filter(webhook_endpoints::conference_id.eq(conference_id))
        .select(EndpointRow::as_select())
        .first(conn)
        .await
        .optional()
}

pub async fn delete(
    conn: &mut AsyncPgConnection,
    conference_id: Uuid,
    id: Uuid,
) -> QueryResult<bool> {
    let deleted = diesel::delete(
        webhook_endpoints::table
            .find(id)
            .filter(webhook_endpoints::conference_id.eq(conference_id)),
    )
    .execute(conn)
    .await?;
    Ok(deleted == 1)
}

/// A new secret; the current one keeps signing (as a second signature) until `grace_until`.
pub async fn rotate_secret(
    conn: &mut AsyncPgConnection,
    conference_id: Uuid,
    id: Uuid,
    secret: &str,
    grace_until: DateTime<Utc>,
) -> QueryResult<Option<EndpointRow>> {
    diesel::update(
        webhook_endpoints::table
            .find(id)
            .filter(webhook_endpoints::conference_id.eq(conference_id)),
    )
    .set((
        webhook_endpoints::previous_secret.eq(webhook_endpoints::secret.nullable()),
        webhook_endpoints::previous_secret_until.eq(grace_until),
        webhook_endpoints::secret.eq(secret),
        webhook_endpoints::updated_at.eq(sql::<Timestamptz>("now()")),
    ))
    .returning(EndpointRow::as_returning())
    .get_result(conn)
    .await
    .optional()
}

/// Enabled again (after it was disabled for failing), with a clean slate.
pub async fn enable(
    conn: &mut AsyncPgConnection,
    conference_id: Uuid,
    id: Uuid,
) -> QueryResult<Option<EndpointRow>> {
    diesel::update(
        webhook_endpoints::table
            .find(id)
            .filter(webhook_endpoints::conference_id.eq(conference_id)),
    )
    .set((
        webhook_endpoints::enabled.eq(true),
        webhook_endpoints::failing_since.eq(None::<DateTime<Utc>>),
        webhook_endpoints::disabled_reason.eq(None::<String>),
        webhook_endpoints::updated_at.eq(sql::<Timestamptz>("now()")),
    ))
    .returning(EndpointRow::as_returning())
    .get_result(conn)
    .await
    .optional()
}

pub async fn keys(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<Option<EndpointKeys>> {
    webhook_endpoints::table
        .find(id)
        .select((
            webhook_endpoints::url,
            webhook_endpoints::enabled,
            webhook_endpoints::secret,
            sql::<Nullable<diesel::sql_types::Text>>(
                "CASE WHEN previous_secret_until > now() THEN previous_secret END",
            ),
        ))
        .first::<(String, bool, String, Option<String>)>(conn)
        .await
        .optional()
        .map(|found| {
            found.map(|(url, enabled, secret, previous)| EndpointKeys {
                url,
                enabled,
                secret: Secret::new(secret),
                previous_secret: previous.map(Secret::new),
            })
        })
}

/// Logs one attempt, and keeps `failing_since` (when the endpoint started failing without a
/// success since).
pub async fn record_attempt(
    conn: &mut AsyncPgConnection,
    endpoint_id: Uuid,
    outbox_id: Uuid,
    status_code: Option<i32>,
    error: Option<&str>,
    duration_ms: i32,
) -> QueryResult<()> {
    let error = error.map(|e| e.chars().take(1000).collect::<String>());
    diesel::insert_into(webhook_attempts::table)
        .values((
            webhook_attempts::endpoint_id.eq(endpoint_id),
            webhook_attempts::outbox_id.eq(outbox_id),
            webhook_attempts::status_code.eq(status_code),
            webhook_attempts::error.eq(&error),
            webhook_attempts::duration_ms.eq(duration_ms),
        ))
        .execute(conn)
        .await?;
    let failing_since = if error.is_none() {
        sql::<Nullable<Timestamptz>>("NULL")
    } else {
        sql::<Nullable<Timestamptz>>("coalesce(failing_since, now())")
    };
    diesel::update(webhook_endpoints::table.find(endpoint_id))
        .set(webhook_endpoints::failing_since.eq(failing_since))
        .execute(conn)
        .await?;
    Ok(())
}

/// Disables an endpoint that has failed for longer than `hours`, and sends its queued
/// deliveries to the dead letters. Returns whether it did.
pub async fn disable_if_failing_for(
    conn: &mut AsyncPgConnection,
    endpoint_id: Uuid,
    hours: i32,
) -> QueryResult<bool> {
    let disabled = diesel::sql_query(
        "UPDATE webhook_endpoints SET enabled = false, updated_at = now(), \
             disabled_reason = 'disabled automatically: every delivery failed since ' \
                 || to_char(failing_since AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') \
         WHERE id = $1 AND enabled AND failing_since < now() - make_interval(hours => $2)",
    )
    .bind::<diesel::sql_types::Uuid, _>(endpoint_id)
    .bind::<diesel::sql_types::Integer, _>(hours)
    .execute(conn)
    .await?;
    if disabled == 1 {
        diesel::update(
            outbox::table
                .filter(outbox::endpoint_id.eq(endpoint_id))
                .filter(outbox::state.eq("pending")),
        )
        .set((
            outbox::state.eq("dead"),
            outbox::last_error.eq("the endpoint was disabled"),
        ))
        .execute(conn)
        .await?;
    }
    Ok(disabled == 1)
}

/// One logged attempt with its event.
#[derive(Queryable, Debug, Clone)]
pub struct AttemptRow {
    pub outbox_id: Uuid,
    pub event: String,
    pub attempted_at: DateTime<Utc>,
    pub status_code: Option<i32>,
    pub error: Option<String>,
    pub duration_ms: i32,
}

/// An endpoint's attempts, newest first.
pub async fn attempts(
    conn: &mut AsyncPgConnection,
    endpoint_id: Uuid,
    limit: i64,
) -> QueryResult<Vec<AttemptRow>> {
    webhook_attempts::table
        .inner_join(outbox::table)
        .filter(webhook_attempts::endpoint_id.eq(endpoint_id))
        .order(webhook_attempts::attempted_at.desc())
        .limit(limit)
        .select((
            webhook_attempts::outbox_id,
            outbox::event,
            webhook_attempts::attempted_at,
            webhook_attempts::status_code,
            webhook_attempts::error,
            webhook_attempts::duration_ms,
        ))
        .load(conn)
        .await
}

/// Queues a delivery of this endpoint again, due now (unless a worker holds it right now).
pub async fn redeliver(
    conn: &mut AsyncPgConnection,
    endpoint_id: Uuid,
    outbox_id: Uuid,
) -> QueryResult<bool> {
    let updated = diesel::update(
        outbox::table
            .find(outbox_id)
            .filter(outbox::endpoint_id.eq(endpoint_id))
            .filter(outbox::state.ne("sending")),
    )
    .set((
        outbox::state.eq("pending"),
        outbox::attempts.eq(0),
        outbox::sent_at.eq(None::<DateTime<Utc>>),
        outbox::next_attempt_at.eq(sql::<Timestamptz>("now()")),
    ))
    .execute(conn)
    .await?;
    Ok(updated == 1)
}
