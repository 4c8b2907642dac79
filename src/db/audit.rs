//! The audit log: who is acting on a connection, and reading the log.
//!
//! Rows are written by the `audit_row_change` trigger (migration 190000) on every audited
//! table, so no write path can forget them. The actor is the session setting `hoithao.actor`,
//! given to every connection at every checkout from the pool (`build_pool`'s hooks call
//! `checkout_actor` and `set_actor`): the request's actor inside `CURRENT_ACTOR.scope(..)`
//! (`src/http/audit.rs` names one for every request), the system for work outside requests
//! (the outbox worker, the retention purge). Because every checkout overwrites it, a
//! connection never carries the previous holder's actor into a write. The one exception is a
//! device's scan (`named_by_statement`): its statement sets a transaction-local actor itself,
//! which overrides whatever the session holds, so the hot path keeps its single round trip.

use std::future::Future;

use chrono::{DateTime, Utc};
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::sql_types::{Bool, Bytea, Nullable, Text, Untyped, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::db::schema::audit_log;

tokio::task_local! {
    /// Who the current request acts as.
    pub static CURRENT_ACTOR: AuditActor;
    /// Present while a request runs statements that name their actor themselves.
    static NAMED_BY_STATEMENT: ();
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

/// `set_config('hoithao.actor', …)` with a fixed text, so that each connection prepares it
/// once and then sends it in one round trip (`sql_query` would prepare it at every call).
struct SetActor<'a> {
    actor: &'a AuditActor,
    local: bool,
}

impl QueryId for SetActor<'_> {
    type QueryId = SetActor<'static>;
    const HAS_STATIC_QUERY_ID: bool = true;
}

impl Query for SetActor<'_> {
    type SqlType = Untyped;
}

impl QueryFragment<Pg> for SetActor<'_> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        let actor = self.actor;
        out.push_sql("SELECT set_config('hoithao.actor', json_build_object('kind', ");
        out.push_bind_param::<Text, str>(actor.kind)?;
        out.push_sql("::text, 'id', coalesce(");
        out.push_bind_param::<Nullable<SqlUuid>, _>(&actor.id)?;
        // The token's hash is bound once per kind it may resolve as; only the matching
        // branch runs.
        out.push_sql("::uuid, CASE ");
        out.push_bind_param::<Text, str>(actor.kind)?;
        out.push_sql(
            "::text WHEN 'delegate' THEN (SELECT id FROM registrations WHERE delegate_token_hash = ",
        );
        out.push_bind_param::<Nullable<Bytea>, _>(&actor.token_hash)?;
        out.push_sql(") WHEN 'invitation' THEN (SELECT id FROM invitations WHERE token_hash = ");
        out.push_bind_param::<Nullable<Bytea>, _>(&actor.token_hash)?;
        out.push_sql(") WHEN 'device' THEN (SELECT id FROM checkin_devices WHERE token_hash = ");
        out.push_bind_param::<Nullable<Bytea>, _>(&actor.token_hash)?;
        out.push_sql(") END), 'role', ");
        out.push_bind_param::<Nullable<Text>, _>(&actor.role)?;
        out.push_sql("::text, 'ip', ");
        out.push_bind_param::<Nullable<Text>, _>(&actor.client_ip)?;
        out.push_sql("::text, 'request_id', ");
        out.push_bind_param::<Nullable<Text>, _>(&actor.request_id)?;
        out.push_sql("::text)::text, ");
        out.push_bind_param::<Bool, _>(&self.local)?;
        out.push_sql(") AS value");
        Ok(())
    }
}

#[derive(QueryableByName)]
struct Setting {
    #[diesel(sql_type = Nullable<Text>)]
    #[allow(dead_code)]
    value: Option<String>,
}

async fn set(conn: &mut AsyncPgConnection, actor: &AuditActor, local: bool) -> QueryResult<()> {
    if actor.token_hash.is_some() {
        SetActor { actor, local }
            .get_result::<Setting>(conn)
            .await?;
    } else {
        // Nothing to resolve in the database: the statement names no table, so a checkout
        // works on a database not migrated yet (`serve` before its migrations, a bare server).
        let value = serde_json::json!({
            "kind": actor.kind,
            "id": actor.id,
            "role": actor.role,
            "ip": actor.client_ip,
            "request_id": actor.request_id,
        })
        .to_string();
        SetPlainActor {
            value: &value,
            local,
        }
        .get_result::<Setting>(conn)
        .await?;
    }
    Ok(())
}

/// `set_config('hoithao.actor', $1, $2)` for an actor given whole: the same JSON shape as
/// `SetActor` builds, one prepared statement per connection.
struct SetPlainActor<'a> {
    value: &'a str,
    local: bool,
}

impl QueryId for SetPlainActor<'_> {
    type QueryId = SetPlainActor<'static>;
    const HAS_STATIC_QUERY_ID: bool = true;
}

impl Query for SetPlainActor<'_> {
    type SqlType = Untyped;
}

impl QueryFragment<Pg> for SetPlainActor<'_> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        out.push_sql("SELECT set_config('hoithao.actor', ");
        out.push_bind_param::<Text, str>(self.value)?;
        out.push_sql(", ");
        out.push_bind_param::<Bool, _>(&self.local)?;
        out.push_sql(") AS value");
        Ok(())
    }
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

/// The actor of the current request, if any.
pub fn current_actor() -> Option<AuditActor> {
    CURRENT_ACTOR.try_with(Clone::clone).ok()
}

/// Runs `work`, whose statements name their actor themselves (a transaction-local
/// `hoithao.actor`): the connections it checks out skip the session setting.
pub async fn named_by_statement<F: Future>(work: F) -> F::Output {
    NAMED_BY_STATEMENT.scope((), work).await
}

/// What a connection being checked out must be told: `None` inside `named_by_statement`,
/// else the request's actor, or the system for work outside any request.
pub fn checkout_actor() -> Option<AuditActor> {
    if NAMED_BY_STATEMENT.try_with(|_| ()).is_ok() {
        return None;
    }
    Some(current_actor().unwrap_or_else(AuditActor::system))
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
