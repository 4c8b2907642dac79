//! Queries on `session_signups` and the sign-up counters of sessions.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::db::schema::{conference_sessions, session_signups};

/// Takes a seat in a session: one statement that only succeeds below capacity.
pub async fn take_session_seat(
    conn: &mut AsyncPgConnection,
    session_id: Uuid,
) -> QueryResult<bool> {
    let updated = diesel::update(conference_sessions::table.find(session_id).filter(
        conference_sessions::capacity.is_null().or(
            conference_sessions::signup_count.lt(conference_sessions::capacity.assume_not_null()),
        ),
    ))
    .set(conference_sessions::signup_count.eq(conference_sessions::signup_count + 1))
    .execute(conn)
    .await?;
    Ok(updated == 1)
}

pub async fn insert(
    conn: &mut AsyncPgConnection,
    registration_id: Uuid,
    session_id: Uuid,
) -> QueryResult<bool> {
    let inserted = diesel::insert_into(session_signups::table)
        .values((
            session_signups::registration_id.eq(registration_id),
            session_signups::session_id.eq(session_id),
        ))
        .on_conflict_do_nothing()
        .execute(conn)
        .await?;
    Ok(inserted == 1)
}

/// Removes one sign-up and gives its seat back; false when there was none.
pub async fn remove(
    conn: &mut AsyncPgConnection,
    registration_id: Uuid,
    session_id: Uuid,
) -> QueryResult<bool> {
    let deleted = diesel::delete(session_signups::table.find((registration_id, session_id)))
        .execute(conn)
        .await?;
    if deleted == 1 {
        diesel::update(conference_sessions::table.find(session_id))
            .set(conference_sessions::signup_count.eq(conference_sessions::signup_count - 1))
            .execute(conn)
            .await?;
    }
    Ok(deleted == 1)
}

/// Sessions a registration is signed up for, by start time: `(id, starts_at, ends_at)`.
pub async fn of_registration(
    conn: &mut AsyncPgConnection,
    registration_id: Uuid,
) -> QueryResult<Vec<(Uuid, DateTime<Utc>, DateTime<Utc>)>> {
    session_signups::table
        .inner_join(conference_sessions::table)
        .filter(session_signups::registration_id.eq(registration_id))
        .order(conference_sessions::starts_at.asc())
        .select((
            conference_sessions::id,
            conference_sessions::starts_at,
            conference_sessions::ends_at,
        ))
        .load(conn)
        .await
}

pub async fn session_ids(
    conn: &mut AsyncPgConnection,
    registration_id: Uuid,
) -> QueryResult<Vec<Uuid>> {
    Ok(of_registration(conn, registration_id)
        .await?
        .into_iter()
        .map(|(id, _, _)| id)
        .collect())
}
