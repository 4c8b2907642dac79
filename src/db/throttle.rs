//! Failed-login counters, in the database so that every replica sees the same counts.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Text, Timestamptz};
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::db::schema::login_throttle;

#[derive(QueryableByName, Debug)]
struct Attempts {
    #[diesel(sql_type = Integer)]
    failures: i32,
    #[diesel(sql_type = Timestamptz)]
    window_started_at: DateTime<Utc>,
}

/// Counts one attempt for `key` (starting a new window when the current one has expired) and
/// returns the count in the window and when the window started. One atomic statement, so
/// concurrent attempts are all counted.
pub async fn record_attempt(
    conn: &mut AsyncPgConnection,
    key: &str,
    window_secs: i64,
) -> QueryResult<(i32, DateTime<Utc>)> {
    let row: Attempts = diesel::sql_query(
        "INSERT INTO login_throttle (key, window_started_at, failures) VALUES ($1, now(), 1)
         ON CONFLICT (key) DO UPDATE SET
           failures = CASE WHEN login_throttle.window_started_at <= now() - ($2 * interval '1 second')
                           THEN 1 ELSE login_throttle.failures + 1 END,
           window_started_at = CASE WHEN login_throttle.window_started_at <= now() - ($2 * interval '1 second')
                                    THEN now() ELSE login_throttle.window_started_at END
         RETURNING failures, window_started_at",
    )
    .bind::<Text, _>(key)
    .bind::<BigInt, _>(window_secs)
    .get_result(conn)
    .await?;
    Ok((row.failures, row.window_started_at))
}

/// Takes back one counted attempt (a login that succeeded is not a failure of that IP).
pub async fn forgive_one(conn: &mut AsyncPgConnection, key: &str) -> QueryResult<()> {
    diesel::update(login_throttle::table.find(key))
        .filter(login_throttle::failures.gt(0))
        .set(login_throttle::failures.eq(login_throttle::failures - 1))
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn clear(conn: &mut AsyncPgConnection, key: &str) -> QueryResult<()> {
    diesel::delete(login_throttle::table.find(key))
        .execute(conn)
        .await?;
    Ok(())
}
