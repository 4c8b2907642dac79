//! The audit log: who is acting on a connection, and reading the log.
//!
//! Rows are written by the `audit_row_change` trigger (migration 190000) on every audited
//! table, so no write path can forget them. The actor is the session setting `hoithao.actor`:
//! a write request runs inside `CURRENT_ACTOR.scope(..)` (`src/http/audit.rs`), and every
//! connection checked out from the pool within it gets the setting (`build_pool`'s hooks call
//! `set_actor`). Background work sets it for its own transaction with `set_transaction_actor`.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Bool, Bytea, Nullable, Text, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::db::schema::audit_log;

tokio::task_local! {
    /// Who the current request acts as; set for write requests only.
    pub static CURRENT_ACTOR: AuditActor;
}

/// Who writes: an account, a device, a delegate or invitation link, the public (anonymous
/// self-registration, login) or the system (retention). Link and device tokens are given by
/// their hash and resolved to the registration, invitation or device id in the database.
#[derive(Clone, Debug, Default)]
pub struct AuditActor {
    pub kind: &'static str,
    pub id: Option<Uuid>,
    pub role: Option<String>,
    pub token_hash: Option<Vec<u8>>,
    pub client_ip: Option<String>,
    pub request_id: Option<String>,
}

impl AuditActor {
    pub fn system() -> Self {
        Self {
            kind: "system",
            ..Self::default()
        }
    }
}

const SET_ACTOR: &str = "SELECT set_config('hoithao.actor', json_build_object(
    'kind', $1::text,
    'id', coalesce($2::uuid, CASE $1::text
        WHEN 'delegate' THEN (SELECT id FROM registrations WHERE delegate_token_hash = $3)
        WHEN 'invitation' THEN (SELECT id FROM invitations WHERE token_hash = $3)
        WHEN 'device' THEN (SELECT id FROM checkin_devices WHERE token_hash = $3) END),
    'role', $4::text, 'ip', $5::text, 'request_id', $6::text)::text, $7) AS value";

#[derive(QueryableByName)]
struct Setting {
    #[diesel(sql_type = Nullable<Text>)]
    #[allow(dead_code)]
    value: Option<String>,
}

async fn set(conn: &mut AsyncPgConnection, actor: &AuditActor, local: bool) -> QueryResult<()> {
    diesel::sql_query(SET_ACTOR)
        .bind::<Text, _>(actor.kind)
        .bind::<Nullable<SqlUuid>, _>(actor.id)
        .bind::<Nullable<Bytea>, _>(actor.token_hash.as_deref())
        .bind::<Nullable<Text>, _>(actor.role.as_deref())
        .bind::<Nullable<Text>, _>(actor.client_ip.as_deref())
        .bind::<Nullable<Text>, _>(actor.request_id.as_deref())
        .bind::<Bool, _>(local)
        .get_result::<Setting>(conn)
        .await?;
    Ok(())
}

/// Names the actor for everything this connection writes until it is set again.
pub async fn set_actor(conn: &mut AsyncPgConnection, actor: &AuditActor) -> QueryResult<()> {
    set(conn, actor, false).await
}

/// Names the actor for the current transaction only.
pub async fn set_transaction_actor(
    conn: &mut AsyncPgConnection,
    actor: &AuditActor,
) -> QueryResult<()> {
    set(conn, actor, true).await
}

/// The actor of the current request, if it is a write request.
pub fn current_actor() -> Option<AuditActor> {
    CURRENT_ACTOR.try_with(Clone::clone).ok()
}

#[derive(Queryable, Selectable, Debug)]
#[diesel(table_name = audit_log)]
pub struct AuditRow {
    pub id: Uuid,
    pub at: DateTime<Utc>,
    pub conference_id: Option<Uuid>,
    pub entity: String,
    pub entity_id: Option<Uuid>,
    pub action: String,
    pub fields: Vec<Option<String>>,
    pub actor_kind: String,
    pub actor_id: Option<Uuid>,
    pub actor_role: Option<String>,
    pub client_ip: Option<String>,
    pub request_id: Option<String>,
}

/// Filters of an audit page; `conference_id` None means every conference (admins).
pub struct AuditFilter<'a> {
    pub conference_id: Option<Uuid>,
    pub entity: Option<&'a str>,
    pub entity_id: Option<Uuid>,
    pub actor_id: Option<Uuid>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    /// Newest first: entries strictly before this position.
    pub before: Option<(DateTime<Utc>, Uuid)>,
    pub limit: i64,
}

pub async fn list(
    conn: &mut AsyncPgConnection,
    filter: &AuditFilter<'_>,
) -> QueryResult<Vec<AuditRow>> {
    let mut query = audit_log::table
        .select(AuditRow::as_select())
        .order((audit_log::at.desc(), audit_log::id.desc()))
        .limit(filter.limit)
        .into_boxed();
    if let Some(conference_id) = filter.conference_id {
        query = query.filter(audit_log::conference_id.eq(conference_id));
    }
    if let Some(entity) = filter.entity {
        query = query.filter(audit_log::entity.eq(entity));
    }
    if let Some(entity_id) = filter.entity_id {
        query = query.filter(audit_log::entity_id.eq(entity_id));
    }
    if let Some(actor_id) = filter.actor_id {
        query = query.filter(audit_log::actor_id.eq(actor_id));
    }
    if let Some(from) = filter.from {
        query = query.filter(audit_log::at.ge(from));
    }
    if let Some(to) = filter.to {
        query = query.filter(audit_log::at.lt(to));
    }
    if let Some((at, id)) = filter.before {
        query = query.filter(
            audit_log::at
                .lt(at)
                .or(audit_log::at.eq(at).and(audit_log::id.lt(id))),
        );
    }
    query.load(conn).await
}
