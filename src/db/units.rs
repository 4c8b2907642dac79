//! Queries on `units`.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::db::enums::UnitKind;
use crate::db::ids::UnitId;
use crate::db::schema::units;

#[derive(Queryable, Selectable, Debug, Clone)]
#[diesel(table_name = units)]
pub struct UnitRow {
    pub id: UnitId,
    pub name: String,
    pub kind: UnitKind,
    pub parent_id: Option<Uuid>,
    pub admin_code: Option<String>,
    pub address: Option<String>,
    pub contact_person: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Every editable column; used for both insert and full-row update.
#[derive(Insertable, AsChangeset, Debug, Clone)]
#[diesel(table_name = units, treat_none_as_null = true)]
pub struct UnitWrite {
    pub name: String,
    pub kind: String,
    pub parent_id: Option<Uuid>,
    pub admin_code: Option<String>,
    pub address: Option<String>,
    pub contact_person: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub search_name: String,
}

pub async fn insert(
    conn: &mut AsyncPgConnection,
    id: UnitId,
    row: &UnitWrite,
) -> QueryResult<UnitRow> {
    diesel::insert_into(units::table)
        .values((units::id.eq(id), row.clone()))
        .returning(UnitRow::as_returning())
        .get_result(conn)
        .await
}

/// Inserts many units in one statement (imports).
pub async fn insert_many(
    conn: &mut AsyncPgConnection,
    rows: &[(Uuid, UnitWrite)],
) -> QueryResult<usize> {
    let values: Vec<_> = rows
        .iter()
        .map(|(id, row)| (units::id.eq(*id), row.clone()))
        .collect();
    diesel::insert_into(units::table)
        .values(values)
        .execute(conn)
        .await
}

pub async fn update(
    conn: &mut AsyncPgConnection,
    id: UnitId,
    row: &UnitWrite,
) -> QueryResult<UnitRow> {
    diesel::update(units::table.find(id))
        .set((
            row.clone(),
            units::version.eq(units::version + 1),
            units::updated_at.eq(diesel::dsl::now),
        ))
        .returning(UnitRow::as_returning())
        .get_result(conn)
        .await
}

pub async fn find(
    conn: &mut AsyncPgConnection,
    id: UnitId,
    lock: bool,
) -> QueryResult<Option<UnitRow>> {
    let query = units::table.find(id).select(UnitRow::as_select());
    if lock {
        query.for_no_key_update().first(conn).await.optional()
    } else {
        query.first(conn).await.optional()
    }
}

/// `(id, kind, parent_id, folded name)` of every unit: the lookup table imports match names against.
pub async fn directory(
    conn: &mut AsyncPgConnection,
) -> QueryResult<Vec<(Uuid, UnitKind, Option<Uuid>, String)>> {
    units::table
        .select((units::id, units::kind, units::parent_id, units::search_name))
        .load(conn)
        .await
}

pub async fn admin_codes(conn: &mut AsyncPgConnection) -> QueryResult<Vec<String>> {
    units::table
        .filter(units::admin_code.is_not_null())
        .select(units::admin_code.assume_not_null())
        .load(conn)
        .await
}

pub struct UnitFilter<'a> {
    pub after: Option<(DateTime<Utc>, Uuid)>,
    pub kind: Option<&'a str>,
    pub parent_id: Option<Uuid>,
    pub search_pattern: Option<&'a str>,
    pub limit: i64,
}

pub async fn list(
    conn: &mut AsyncPgConnection,
    filter: UnitFilter<'_>,
) -> QueryResult<Vec<UnitRow>> {
    let mut query = units::table.select(UnitRow::as_select()).into_boxed();
    if let Some((created_at, id)) = filter.after {
        query = query.filter(
            units::created_at
                .gt(created_at)
                .or(units::created_at.eq(created_at).and(units::id.gt(id))),
        );
    }
    if let Some(kind) = filter.kind {
        query = query.filter(units::kind.eq(kind.to_owned()));
    }
    if let Some(parent_id) = filter.parent_id {
        query = query.filter(units::parent_id.eq(parent_id));
    }
    if let Some(pattern) = filter.search_pattern {
        query = query.filter(units::search_name.like(pattern.to_owned()));
    }
    query
        .order((units::created_at.asc(), units::id.asc()))
        .limit(filter.limit)
        .load(conn)
        .await
}
