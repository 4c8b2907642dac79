//! Queries on `conference_sessions` (the agenda).

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::db::enums::SessionKind;
use crate::db::ids::SessionId;
use crate::db::schema::conference_sessions;

#[derive(Queryable, Selectable, Debug, Clone)]
#[diesel(table_name = conference_sessions)]
pub struct SessionRow {
    pub id: SessionId,
    pub conference_id: Uuid,
    pub title: String,
    pub description: Option<String>,
    pub kind: SessionKind,
    pub room: Option<String>,
    pub speakers: Vec<Option<String>>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub capacity: Option<i32>,
    pub signup_required: bool,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub signup_count: i32,
}

/// Every editable column; used for both insert and full-row update.
#[derive(Insertable, AsChangeset, Debug)]
#[diesel(table_name = conference_sessions, treat_none_as_null = true)]
pub struct SessionWrite<'a> {
    pub title: &'a str,
    pub description: Option<&'a str>,
    pub kind: &'a str,
    pub room: Option<&'a str>,
    pub speakers: &'a [String],
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub capacity: Option<i32>,
    pub signup_required: bool,
}

pub async fn insert(
    conn: &mut AsyncPgConnection,
    id: SessionId,
    conference_id: Uuid,
    row: SessionWrite<'_>,
) -> QueryResult<SessionRow> {
    diesel::insert_into(conference_sessions::table)
        .values((
            conference_sessions::id.eq(id),
            conference_sessions::conference_id.eq(conference_id),
            row,
        ))
        .returning(SessionRow::as_returning())
        .get_result(conn)
        .await
}

pub async fn update(
    conn: &mut AsyncPgConnection,
    id: SessionId,
    row: SessionWrite<'_>,
) -> QueryResult<SessionRow> {
    diesel::update(conference_sessions::table.find(id))
        .set((
            row,
            conference_sessions::version.eq(conference_sessions::version + 1),
            conference_sessions::updated_at.eq(diesel::dsl::now),
        ))
        .returning(SessionRow::as_returning())
        .get_result(conn)
        .await
}

pub async fn find(
    conn: &mut AsyncPgConnection,
    conference_id: Uuid,
    id: SessionId,
    lock: bool,
) -> QueryResult<Option<SessionRow>> {
    let query = conference_sessions::table
        .filter(conference_sessions::id.eq(id))
        .filter(conference_sessions::conference_id.eq(conference_id))
        .select(SessionRow::as_select());
    if lock {
        query.for_update().first(conn).await.optional()
    } else {
        query.first(conn).await.optional()
    }
}

pub async fn delete(
    conn: &mut AsyncPgConnection,
    conference_id: Uuid,
    id: SessionId,
) -> QueryResult<usize> {
    diesel::delete(
        conference_sessions::table
            .filter(conference_sessions::id.eq(id))
            .filter(conference_sessions::conference_id.eq(conference_id)),
    )
    .execute(conn)
    .await
}

pub struct SessionFilter<'a> {
    pub after: Option<(DateTime<Utc>, Uuid)>,
    pub kind: Option<&'a str>,
    pub limit: i64,
}

/// Agenda order: by start time, then id.
pub async fn list(
    conn: &mut AsyncPgConnection,
    conference_id: Uuid,
    filter: SessionFilter<'_>,
) -> QueryResult<Vec<SessionRow>> {
    let mut query = conference_sessions::table
        .filter(conference_sessions::conference_id.eq(conference_id))
        .select(SessionRow::as_select())
        .into_boxed();
    if let Some((starts_at, id)) = filter.after {
        query = query.filter(
            conference_sessions::starts_at
                .gt(starts_at)
                .or(conference_sessions::starts_at
                    .eq(starts_at)
                    .and(conference_sessions::id.gt(id))),
        );
    }
    if let Some(kind) = filter.kind {
        query = query.filter(conference_sessions::kind.eq(kind.to_owned()));
    }
    query
        .order((
            conference_sessions::starts_at.asc(),
            conference_sessions::id.asc(),
        ))
        .limit(filter.limit)
        .load(conn)
        .await
}

/// The earliest start and latest end of a conference's sessions, if it has any.
pub async fn span(
    conn: &mut AsyncPgConnection,
    conference_id: Uuid,
) -> QueryResult<(Option<DateTime<Utc>>, Option<DateTime<Utc>>)> {
    use diesel::dsl::{max, min};
    conference_sessions::table
        .filter(conference_sessions::conference_id.eq(conference_id))
        .select((
            min(conference_sessions::starts_at),
            max(conference_sessions::ends_at),
        ))
        .first(conn)
        .await
}
