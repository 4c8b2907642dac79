//! Creating, reading, editing and listing conferences.

use diesel_async::{AsyncConnection, AsyncPgConnection};
use uuid::Uuid;

use super::fields::ConferenceFields;
use super::{
    Access, Conference, ConferencePatch, ConferenceQuery, ConferenceStatus, Lock, NewConference,
    Versioned, ensure_editable, load,
};
use crate::db::{self, conferences::ConferenceRow};
use crate::domain::actor::Actor;
use crate::domain::text::{self, Validator};
use crate::domain::{check_query_date, pagination, retrying_transaction};
use crate::error::{ApiError, ApiResult, ErrorCode, FieldCode};

pub async fn create(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    input: NewConference,
) -> ApiResult<Versioned<Conference>> {
    let row = retrying_transaction!(conn, async |conn| {
        insert_validated(conn, Some(actor.account_id), &input).await
    })?;
    Versioned::from_row(row)
}

/// Validates and inserts a draft conference; its creator (if any) becomes its first organizer.
/// Call it inside a transaction.
pub async fn insert_validated(
    conn: &mut AsyncPgConnection,
    creator: Option<Uuid>,
    input: &NewConference,
) -> ApiResult<ConferenceRow> {
    let fields = ConferenceFields::validate(input)?;
    let row = db::conferences::insert(conn, Uuid::now_v7(), creator, fields.write()).await?;
    if let Some(account_id) = creator {
        db::conferences::add_organizer(conn, row.id.into(), account_id.into()).await?;
    }
    Ok(row)
}

pub async fn get(
    conn: &mut AsyncPgConnection,
    actor: Option<&Actor>,
    id: Uuid,
) -> ApiResult<Versioned<Conference>> {
    let row = load(conn, id, actor, Access::Read, Lock::None).await?;
    Versioned::from_row(row)
}

/// Applies a patch under a row lock. `if_match` is the version the client last saw.
pub async fn update(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    id: Uuid,
    if_match: Option<i32>,
    patch: ConferencePatch,
) -> ApiResult<Versioned<Conference>> {
    let row = retrying_transaction!(conn, async |conn| {
        let current = load(conn, id, Some(actor), Access::Manage, Lock::Update).await?;
        if if_match.is_some_and(|version| version != current.version) {
            return Err(ApiError::precondition_failed());
        }
        ensure_editable(&current)?;
        let fields =
            ConferenceFields::validate(&NewConference::from_row(&current)?.apply(patch.clone()))?;
        ensure_sessions_fit(conn, id, &fields).await?;
        let seats = db::seats::lock(conn, id).await?;
        if fields
            .capacity
            .is_some_and(|capacity| capacity < seats.confirmed_count)
        {
            return Err(ApiError::validation(vec![crate::error::FieldError::new(
                "capacity",
                FieldCode::BelowConfirmed,
                format!("{} delegates are confirmed already", seats.confirmed_count),
            )]));
        }
        let row = db::conferences::update(conn, id, fields.write()).await?;
        // More seats (or no limit any more): the waitlist moves up at once.
        crate::domain::seats::fill_free_seats(conn, id).await?;
        Ok(row)
    })?;
    Versioned::from_row(row)
}

/// Moving the conference's dates must not strand sessions outside them.
async fn ensure_sessions_fit(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    fields: &ConferenceFields,
) -> ApiResult<()> {
    let (first_start, last_end) = db::sessions::span(conn, id).await?;
    let mut v = Validator::new();
    if first_start.is_some_and(|start| start < fields.starts_at) {
        v.push(
            "starts_at",
            FieldCode::SessionsOutside,
            "a session starts before this time; move it first",
        );
    }
    if last_end.is_some_and(|end| end > fields.ends_at) {
        v.push(
            "ends_at",
            FieldCode::SessionsOutside,
            "a session ends after this time; move it first",
        );
    }
    v.finish()
}

pub async fn list(
    conn: &mut AsyncPgConnection,
    actor: Option<&Actor>,
    query: ConferenceQuery,
) -> ApiResult<(Vec<Conference>, Option<String>)> {
    let limit = pagination::fetch_limit(query.limit)?;
    let after = pagination::decode(query.cursor.as_deref())?;
    let from = check_query_date("from", query.from)?;
    let to = check_query_date("to", query.to)?;
    let pattern = text::search_pattern(query.q.as_deref())?;
    if query
        .code
        .as_ref()
        .is_some_and(|code| code.chars().count() > 64)
    {
        return Err(ApiError::bad_request(
            ErrorCode::InvalidQueryParameter,
            "code must be at most 64 characters",
        ));
    }
    let visible_to = match actor {
        Some(actor) if actor.is_admin() => None,
        Some(actor) => Some(Some(actor.account_id)),
        None => Some(None),
    };
    let rows = db::conferences::list(
        conn,
        db::conferences::ConferenceFilter {
            after,
            status: query.status.map(ConferenceStatus::as_str),
            from,
            to,
            search_pattern: pattern.as_deref(),
            code: query.code.as_deref(),
            visible_to,
            limit,
        },
    )
    .await?;
    let (rows, next) = pagination::finish(rows, limit, |row| (row.created_at, row.id));
    let items = rows
        .into_iter()
        .map(|row| Versioned::from_row(row).map(|v| v.value))
        .collect::<ApiResult<_>>()?;
    Ok((items, next))
}
