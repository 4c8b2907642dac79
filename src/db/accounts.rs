//! Queries on `accounts`.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::db::schema::accounts;

#[derive(Queryable, Selectable, Debug, Clone)]
#[diesel(table_name = accounts)]
pub struct AccountRow {
    pub id: Uuid,
    pub email: String,
    pub display_name: String,
    pub password_hash: String,
    pub role: String,
    pub disabled_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Insertable)]
#[diesel(table_name = accounts)]
pub struct NewAccountRow<'a> {
    pub id: Uuid,
    pub email: &'a str,
    pub display_name: &'a str,
    pub password_hash: &'a str,
    pub role: &'a str,
}

pub async fn insert(
    conn: &mut AsyncPgConnection,
    row: NewAccountRow<'_>,
) -> QueryResult<AccountRow> {
    diesel::insert_into(accounts::table)
        .values(row)
        .returning(AccountRow::as_returning())
        .get_result(conn)
        .await
}

pub async fn find(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<Option<AccountRow>> {
    accounts::table
        .find(id)
        .select(AccountRow::as_select())
        .first(conn)
        .await
        .optional()
}

pub async fn find_by_email(
    conn: &mut AsyncPgConnection,
    email: &str,
) -> QueryResult<Option<AccountRow>> {
    accounts::table
        .filter(accounts::email.eq(email))
        .select(AccountRow::as_select())
        .first(conn)
        .await
        .optional()
}

/// Role and disabled state only: what every authenticated request needs.
pub async fn find_auth_state(
    conn: &mut AsyncPgConnection,
    id: Uuid,
) -> QueryResult<Option<(String, Option<DateTime<Utc>>)>> {
    accounts::table
        .find(id)
        .select((accounts::role, accounts::disabled_at))
        .first(conn)
        .await
        .optional()
}

pub struct AccountFilter<'a> {
    pub after: Option<(DateTime<Utc>, Uuid)>,
    pub role: Option<&'a str>,
    pub disabled: Option<bool>,
    pub email_pattern: Option<&'a str>,
    pub limit: i64,
}

pub async fn list(
    conn: &mut AsyncPgConnection,
    filter: AccountFilter<'_>,
) -> QueryResult<Vec<AccountRow>> {
    let mut query = accounts::table.select(AccountRow::as_select()).into_boxed();
    if let Some((created_at, id)) = filter.after {
        query = query.filter(
            accounts::created_at
                .gt(created_at)
                .or(accounts::created_at.eq(created_at).and(accounts::id.gt(id))),
        );
    }
    if let Some(role) = filter.role {
        query = query.filter(accounts::role.eq(role.to_owned()));
    }
    match filter.disabled {
        Some(true) => query = query.filter(accounts::disabled_at.is_not_null()),
        Some(false) => query = query.filter(accounts::disabled_at.is_null()),
        None => {}
    }
    if let Some(pattern) = filter.email_pattern {
        query = query.filter(
            accounts::email.like(pattern.to_owned()).or(
                diesel::dsl::sql::<diesel::sql_types::Text>("lower(display_name)")
                    .like(pattern.to_owned()),
            ),
        );
    }
    query
        .order((accounts::created_at.asc(), accounts::id.asc()))
        .limit(filter.limit)
        .load(conn)
        .await
}

pub async fn set_disabled(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    disabled: bool,
) -> QueryResult<Option<AccountRow>> {
    let disabled_at = if disabled { Some(Utc::now()) } else { None };
    diesel::update(accounts::table.find(id))
        .set((
            accounts::disabled_at.eq(disabled_at),
            accounts::updated_at.eq(diesel::dsl::now),
        ))
        .returning(AccountRow::as_returning())
        .get_result(conn)
        .await
        .optional()
}

/// Ids of the enabled admins, locked until the transaction ends.
pub async fn lock_enabled_admins(conn: &mut AsyncPgConnection) -> QueryResult<Vec<Uuid>> {
    accounts::table
        .filter(accounts::role.eq("admin"))
        .filter(accounts::disabled_at.is_null())
        .select(accounts::id)
        .for_update()
        .load(conn)
        .await
}

/// The oldest enabled admin, if any.
pub async fn first_admin(conn: &mut AsyncPgConnection) -> QueryResult<Option<Uuid>> {
    accounts::table
        .filter(accounts::role.eq("admin"))
        .filter(accounts::disabled_at.is_null())
        .order((accounts::created_at.asc(), accounts::id.asc()))
        .select(accounts::id)
        .first(conn)
        .await
        .optional()
}
