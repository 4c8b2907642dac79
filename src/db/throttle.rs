//! Failed-login counters, in the database so that every replica sees the same counts.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::db::schema::login_throttle;

#[derive(Queryable, Selectable, Debug)]
#[diesel(table_name = login_throttle)]
pub struct ThrottleRow {
    pub key: String,
    pub window_started_at: DateTime<Utc>,
    pub failures: i32,
}

pub async fn find_many(
    conn: &mut AsyncPgConnection,
    keys: &[String],
) -> QueryResult<Vec<ThrottleRow>> {
    login_throttle::table
        .filter(login_throttle::key.eq_any(keys))
        .select(ThrottleRow::as_select())
        .load(conn)
        .await
}

/// Counts one failure for `key`, starting a new window when the current one has expired.
pub async fn record_failure(
    conn: &mut AsyncPgConnection,
    key: &str,
    window_secs: i64,
) -> QueryResult<()> {
    diesel::sql_query(
        "INSERT INTO login_throttle (key, window_started_at, failures) VALUES ($1, now(), 1)
         ON CONFLICT (key) DO UPDATE SET
           failures = CASE WHEN login_throttle.window_started_at <= now() - ($2 * interval '1 second')
                           THEN 1 ELSE login_throttle.failures + 1 END,
           window_started_at = CASE WHEN login_throttle.window_started_at <= now() - ($2 * interval '1 second')
                                    THEN now() ELSE login_throttle.window_started_at END",
    )
    .bind::<Text, _>(key)
    .bind::<BigInt, _>(window_secs)
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
