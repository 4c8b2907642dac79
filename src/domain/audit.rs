//! The audit log, read: organizers see their conference's entries, admins every entry.
//! Entries are written by database triggers (`db::audit`); they name fields, never values.

use chrono::{DateTime, FixedOffset, Utc};
use diesel_async::AsyncPgConnection;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::db;
use crate::db::audit::{AuditFilter, AuditRow};
use crate::domain::actor::Actor;
use crate::domain::common::{Access, Lock, load};
use crate::domain::pagination;
use crate::error::{ApiError, ApiResult, ErrorCode};

/// One write: who, when, from where, which entity and which fields.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEntry {
    pub id: Uuid,
    pub at: DateTime<Utc>,
    pub conference_id: Option<Uuid>,
    /// The table written: `registrations`, `checkins`, `session_signups`, …
    #[schema(example = "registrations")]
    pub entity: String,
    pub entity_id: Option<Uuid>,
    /// `insert`, `update`, `delete` or `erase`.
    #[schema(example = "update")]
    pub action: String,
    /// Names of the fields written; never their values.
    #[schema(example = json!(["phone", "position"]))]
    pub fields: Vec<String>,
    /// `account`, `device`, `delegate` (a delegate link), `invitation` (a unit's link),
    /// `public` (anonymous: self-registration, login) or `system` (retention).
    #[schema(example = "account")]
    pub actor_kind: String,
    /// The account, device, registration (delegate link) or invitation.
    pub actor_id: Option<Uuid>,
    /// The account's role when the actor is an account.
    pub actor_role: Option<String>,
    /// The client's address.
    pub client_ip: Option<String>,
    /// The request's `X-Request-Id`, to find it in the logs.
    pub request_id: Option<String>,
}

impl From<AuditRow> for AuditEntry {
    fn from(row: AuditRow) -> Self {
        Self {
            id: row.id,
            at: row.at,
            conference_id: row.conference_id,
            entity: row.entity,
            entity_id: row.entity_id,
            action: row.action,
            fields: row.fields.into_iter().flatten().collect(),
            actor_kind: row.actor_kind,
            actor_id: row.actor_id,
            actor_role: row.actor_role,
            client_ip: row.client_ip,
            request_id: row.request_id,
        }
    }
}

/// Filters and paging of the audit log; newest first.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// Only this table (`registrations`, `checkins`, …).
    pub entity: Option<String>,
    /// Only this row.
    pub entity_id: Option<Uuid>,
    /// Only this actor (account, device, registration or invitation id).
    pub actor: Option<Uuid>,
    /// Entries at or after this instant.
    pub from: Option<DateTime<FixedOffset>>,
    /// Entries before this instant.
    pub to: Option<DateTime<FixedOffset>>,
    /// Page size, 1-500 (default 50).
    pub limit: Option<u32>,
    /// Opaque cursor from `next_cursor`.
    pub cursor: Option<String>,
}

async fn page(
    conn: &mut AsyncPgConnection,
    conference_id: Option<Uuid>,
    query: AuditQuery,
) -> ApiResult<(Vec<AuditEntry>, Option<String>)> {
    let limit = pagination::fetch_limit(query.limit)?;
    let before = pagination::decode(query.cursor.as_deref())?;
    if query.entity.as_ref().is_some_and(|e| e.len() > 100) {
        return Err(ApiError::bad_request(
            ErrorCode::InvalidQueryParameter,
            "entity is a table name",
        ));
    }
    let filter = AuditFilter {
        conference_id,
        entity: query.entity.as_deref(),
        entity_id: query.entity_id,
        actor_id: query.actor,
        from: query.from.map(|t| t.with_timezone(&Utc)),
        to: query.to.map(|t| t.with_timezone(&Utc)),
        before,
        limit,
    };
    let rows = db::audit::list(conn, &filter).await?;
    let (rows, next) = pagination::finish(rows, limit, |row| (row.at, row.id));
    Ok((rows.into_iter().map(AuditEntry::from).collect(), next))
}

/// A conference's log, for its organizers (and admins).
pub async fn for_conference(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    conference_id: Uuid,
    query: AuditQuery,
) -> ApiResult<(Vec<AuditEntry>, Option<String>)> {
    load(
        conn,
        conference_id,
        Some(actor),
        Access::Private,
        Lock::None,
    )
    .await?;
    page(conn, Some(conference_id), query).await
}

/// Every entry, for admins.
pub async fn all(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    query: AuditQuery,
) -> ApiResult<(Vec<AuditEntry>, Option<String>)> {
    actor.require_admin()?;
    page(conn, None, query).await
}
