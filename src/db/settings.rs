//! Key/value settings shared by all replicas.

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::db::schema::app_settings;

/// Stores `value` under `key` unless a value exists, then returns the stored value, so that
/// replicas racing at startup all end up with the first writer's value.
pub async fn get_or_insert(
    conn: &mut AsyncPgConnection,
    key: &str,
    value: &str,
) -> QueryResult<String> {
    diesel::insert_into(app_settings::table)
        .values((app_settings::key.eq(key), app_settings::value.eq(value)))
        .on_conflict_do_nothing()
        .execute(conn)
        .await?;
    app_settings::table
        .find(key)
        .select(app_settings::value)
        .first(conn)
        .await
}
