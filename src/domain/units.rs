//! The units directory (đơn vị): agencies, districts, communes, enterprises, in a hierarchy.

use crate::domain::retrying_transaction;
use std::collections::HashMap;

use chrono::{DateTime, Utc};
use diesel_async::{AsyncConnection, AsyncPgConnection};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

pub use crate::db::enums::UnitKind;
pub use crate::db::ids::UnitId;
use crate::db::{self, units::UnitRow, units::UnitWrite};
use crate::domain::common::Versioned;
use crate::domain::contact::{check_email, check_phone};
use crate::domain::text::{self, Validator, fold};
use crate::domain::{double_option, non_null, pagination};
use crate::error::{ApiError, ApiResult, ErrorCode, FieldCode, FieldError};

impl UnitKind {
    /// Accepts the English values and common Vietnamese words, accents optional.
    pub fn parse_loose(raw: &str) -> Option<Self> {
        Some(match fold(raw).as_str() {
            "agency" | "co quan" | "so" | "phong" => UnitKind::Agency,
            "district" | "huyen" | "quan" | "thanh pho" | "thi xa" => UnitKind::District,
            "commune" | "xa" | "phuong" | "thi tran" => UnitKind::Commune,
            "enterprise" | "doanh nghiep" | "co so san xuat" => UnitKind::Enterprise,
            "other" | "khac" => UnitKind::Other,
            _ => return None,
        })
    }
}

/// A unit of the directory.
#[derive(Debug, Serialize, ToSchema)]
pub struct Unit {
    #[schema(value_type = Uuid)]
    pub id: UnitId,
    #[schema(example = "Phòng Kinh tế thành phố Vĩnh Yên")]
    pub name: String,
    pub kind: UnitKind,
    pub parent_id: Option<Uuid>,
    /// Administrative code (mã hành chính), unique when present.
    #[schema(example = "243")]
    pub admin_code: Option<String>,
    pub address: Option<String>,
    pub contact_person: Option<String>,
    /// E.164.
    #[schema(example = "+842113862555")]
    pub phone: Option<String>,
    pub email: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

fn to_unit(row: UnitRow) -> ApiResult<Versioned<Unit>> {
    Ok(Versioned {
        version: row.version,
        value: Unit {
            id: row.id,
            name: row.name,
            kind: row.kind,
            parent_id: row.parent_id,
            admin_code: row.admin_code,
            address: row.address,
            contact_person: row.contact_person,
            phone: row.phone,
            email: row.email,
            created_at: row.created_at,
            updated_at: row.updated_at,
        },
    })
}

/// A new unit.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUnit {
    #[schema(example = "Xã Hương Minh", min_length = 1, max_length = 300)]
    pub name: String,
    pub kind: UnitKind,
    /// Required for communes (their district).
    pub parent_id: Option<Uuid>,
    #[schema(max_length = 20)]
    pub admin_code: Option<String>,
    #[schema(max_length = 500)]
    pub address: Option<String>,
    #[schema(max_length = 200)]
    pub contact_person: Option<String>,
    /// Vietnamese formats (`0912 345 678`, `+84912345678`) are stored as E.164.
    #[schema(example = "0211 3862 555", max_length = 32)]
    pub phone: Option<String>,
    #[schema(max_length = 254)]
    pub email: Option<String>,
}

/// Changes to a unit: absent fields stay, `null` clears an optional field.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UnitPatch {
    #[serde(default, deserialize_with = "non_null")]
    #[schema(nullable = false, min_length = 1, max_length = 300)]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "non_null")]
    #[schema(nullable = false)]
    pub kind: Option<UnitKind>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<Uuid>)]
    pub parent_id: Option<Option<Uuid>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, max_length = 20)]
    pub admin_code: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, max_length = 500)]
    pub address: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, max_length = 200)]
    pub contact_person: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, max_length = 32)]
    pub phone: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, max_length = 254)]
    pub email: Option<Option<String>>,
}

/// Filters of the units directory.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UnitQuery {
    /// Page size (1-500, default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
    /// Opaque cursor from a previous page's `next_cursor`: pass it back unchanged (its form
    /// may change between versions; an altered one is a 400 `invalid_cursor`).
    #[param(max_length = 200)]
    pub cursor: Option<String>,
    pub kind: Option<UnitKind>,
    /// Direct children of this unit.
    pub parent_id: Option<Uuid>,
    /// Accent- and case-insensitive text in the name.
    #[param(max_length = 200)]
    pub q: Option<String>,
}

/// Checks a unit's own fields; `parent_kind` is the kind of its parent, if any.
fn validate(
    input: &NewUnit,
    parent_kind: Option<UnitKind>,
    v: &mut Validator,
    prefix: &str,
) -> UnitWrite {
    let field = |name: &str| format!("{prefix}{name}");
    let name = v.required_line(&field("name"), &input.name, 300);
    let admin_code = v.optional_text(&field("admin_code"), input.admin_code.as_deref(), 20, false);
    let address = v.optional_text(&field("address"), input.address.as_deref(), 500, true);
    let contact_person = v.optional_text(
        &field("contact_person"),
        input.contact_person.as_deref(),
        200,
        false,
    );
    let phone = check_phone(v, field("phone"), input.phone.as_deref());
    let email = check_email(v, field("email"), input.email.as_deref());
    if input.kind == UnitKind::Commune && parent_kind != Some(UnitKind::District) {
        v.push(
            field("parent_id"),
            FieldCode::CommuneNeedsDistrict,
            "a commune's parent must be a district",
        );
    }
    UnitWrite {
        search_name: fold(&name),
        name,
        kind: input.kind.as_str().to_owned(),
        parent_id: input.parent_id,
        admin_code,
        address,
        contact_person,
        phone,
        email,
    }
}

async fn parent_kind(
    conn: &mut AsyncPgConnection,
    parent_id: Option<Uuid>,
    v: &mut Validator,
) -> ApiResult<Option<UnitKind>> {
    let Some(parent_id) = parent_id else {
        return Ok(None);
    };
    match db::units::find(conn, parent_id.into(), false).await? {
        Some(parent) => Ok(Some(parent.kind)),
        None => {
            v.push("parent_id", FieldCode::UnknownUnit, "no such parent unit");
            Ok(None)
        }
    }
}

pub async fn create(conn: &mut AsyncPgConnection, input: NewUnit) -> ApiResult<Versioned<Unit>> {
    let row = retrying_transaction!(conn, async |conn| {
        let mut v = Validator::new();
        let parent = parent_kind(conn, input.parent_id, &mut v).await?;
        let write = validate(&input, parent, &mut v, "");
        v.finish()?;
        db::units::insert(conn, UnitId(Uuid::now_v7()), &write)
            .await
            .map_err(ApiError::from)
    })?;
    to_unit(row)
}

pub async fn get(conn: &mut AsyncPgConnection, id: UnitId) -> ApiResult<Versioned<Unit>> {
    to_unit(
        db::units::find(conn, id, false)
            .await?
            .ok_or_else(|| ApiError::not_found("unit not found"))?,
    )
}

pub async fn update(
    conn: &mut AsyncPgConnection,
    id: UnitId,
    if_match: Option<i32>,
    patch: UnitPatch,
) -> ApiResult<Versioned<Unit>> {
    let row = retrying_transaction!(conn, async |conn| {
        let current = db::units::find(conn, id, true)
            .await?
            .ok_or_else(|| ApiError::not_found("unit not found"))?;
        if if_match.is_some_and(|version| version != current.version) {
            return Err(ApiError::precondition_failed());
        }
        let patch = patch.clone();
        let input = NewUnit {
            name: patch.name.unwrap_or(current.name),
            kind: patch.kind.unwrap_or(current.kind),
            parent_id: patch.parent_id.unwrap_or(current.parent_id),
            admin_code: patch.admin_code.unwrap_or(current.admin_code),
            address: patch.address.unwrap_or(current.address),
            contact_person: patch.contact_person.unwrap_or(current.contact_person),
            phone: patch.phone.unwrap_or(current.phone),
            email: patch.email.unwrap_or(current.email),
        };
        let mut v = Validator::new();
        let parent = parent_kind(conn, input.parent_id, &mut v).await?;
        let write = validate(&input, parent, &mut v, "");
        v.finish()?;
        db::units::update(conn, id, &write)
            .await
            .map_err(ApiError::from)
    })?;
    to_unit(row)
}

pub async fn list(
    conn: &mut AsyncPgConnection,
    query: UnitQuery,
) -> ApiResult<(Vec<Unit>, Option<String>)> {
    let limit = pagination::fetch_limit(query.limit)?;
    let after = pagination::decode(query.cursor.as_deref())?;
    let pattern = text::search_pattern(query.q.as_deref())?;
    let rows = db::units::list(
        conn,
        db::units::UnitFilter {
            after,
            kind: query.kind.map(UnitKind::as_str),
            parent_id: query.parent_id,
            search_pattern: pattern.as_deref(),
            limit,
        },
    )
    .await?;
    let (rows, next) = pagination::finish(rows, limit, |row| (row.created_at, row.id.0));
    let items = rows
        .into_iter()
        .map(|row| to_unit(row).map(|v| v.value))
        .collect::<ApiResult<_>>()?;
    Ok((items, next))
}

/// What an import found and, unless it was a dry run with errors, did.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportReport {
    /// True when nothing was written because a dry run was asked for.
    pub dry_run: bool,
    /// Data rows read.
    #[schema(value_type = i64, minimum = 0)]
    pub rows: usize,
    /// Rows written (0 on a dry run).
    #[schema(value_type = i64, minimum = 0)]
    pub created: usize,
    /// Every problem found, with `field` as `rows[N].column` (N counts data rows from 1).
    pub errors: Vec<FieldError>,
}

/// Column names accepted in unit CSVs, Vietnamese or English.
const UNIT_COLUMNS: [(&str, &[&str]); 8] = [
    ("name", &["ten don vi", "name", "ten"]),
    ("kind", &["loai", "kind", "loai don vi"]),
    ("parent", &["don vi cap tren", "parent", "cap tren"]),
    ("admin_code", &["ma hanh chinh", "admin_code", "ma"]),
    ("address", &["dia chi", "address"]),
    ("contact_person", &["nguoi lien he", "contact_person"]),
    ("phone", &["dien thoai", "so dien thoai", "phone"]),
    ("email", &["email", "thu dien tu"]),
];

/// Maps header cells to canonical column names; unknown columns are ignored.
pub fn map_headers(
    headers: &[String],
    columns: &[(&'static str, &[&str])],
) -> HashMap<&'static str, usize> {
    let mut map = HashMap::new();
    for (index, header) in headers.iter().enumerate() {
        let folded = fold(header);
        if let Some((name, _)) = columns
            .iter()
            .find(|(_, aliases)| aliases.contains(&folded.as_str()))
        {
            map.entry(*name).or_insert(index);
        }
    }
    map
}

/// Imports units from a UTF-8 CSV or an XLSX workbook (first sheet). Parents are matched by name (accents and case ignored)
/// among existing units and earlier rows. All rows are checked and every error reported;
/// nothing is written unless every row is valid and `dry_run` is false.
pub async fn import_csv(
    conn: &mut AsyncPgConnection,
    media_type: &str,
    body: &[u8],
    dry_run: bool,
) -> ApiResult<ImportReport> {
    import_csv_with(conn, media_type, body, dry_run).await
}

/// [`import_csv`] on a given connection (used by `seed-demo`).
pub async fn import_csv_with(
    conn: &mut AsyncPgConnection,
    media_type: &str,
    body: &[u8],
    dry_run: bool,
) -> ApiResult<ImportReport> {
    let table = crate::domain::table::read(media_type, body)?;
    let columns = map_headers(&table.headers, &UNIT_COLUMNS);
    for required in ["name", "kind"] {
        if !columns.contains_key(required) {
            return Err(ApiError::bad_request(
                ErrorCode::InvalidCsv,
                format!("the header has no `{required}` column"),
            ));
        }
    }

    conn.transaction::<_, ApiError, _>(async |conn| {
        // Known units by folded name: existing ones, then this file's rows as they are read.
        let mut known: HashMap<String, Vec<(Uuid, UnitKind)>> = HashMap::new();
        // Names under one parent and administrative codes must stay unique.
        let mut taken_names: std::collections::HashSet<(Option<Uuid>, String)> =
            std::collections::HashSet::new();
        for (id, kind, parent_id, name) in db::units::directory(conn).await? {
            taken_names.insert((parent_id, name.clone()));
            known.entry(name).or_default().push((id, kind));
        }
        let mut taken_codes: std::collections::HashSet<String> =
            db::units::admin_codes(conn).await?.into_iter().collect();
        let mut v = Validator::new();
        let mut rows = Vec::new();
        let mut count = 0;
        for (index, record) in table.rows.into_iter().enumerate() {
            count += 1;
            let prefix = format!("rows[{}].", index + 1);
            let record = match record {
                Ok(record) => record,
                Err(e) => {
                    v.push(
                        format!("rows[{}]", index + 1),
                        FieldCode::InvalidCsv,
                        e.to_string(),
                    );
                    continue;
                }
            };
            let cell = |name: &str| {
                columns
                    .get(name)
                    .and_then(|&i| record.get(i))
                    .map(|s| s.trim())
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
            };
            let kind_text = cell("kind").unwrap_or_default();
            let kind = UnitKind::parse_loose(&kind_text);
            if kind.is_none() {
                v.push(
                    format!("{prefix}kind"),
                    FieldCode::UnknownKind,
                    format!("unknown unit kind {kind_text:?}"),
                );
            }
            let mut parent_known = true;
            let (parent_id, parent_kind) = match cell("parent") {
                None => (None, None),
                Some(parent) => match known.get(&fold(&parent)).map(Vec::as_slice) {
                    Some([(id, kind)]) => (Some(*id), Some(*kind)),
                    Some([_, _, ..]) => {
                        v.push(
                            format!("{prefix}parent"),
                            FieldCode::AmbiguousUnit,
                            format!("several units are named {parent:?}"),
                        );
                        parent_known = false;
                        (None, None)
                    }
                    _ => {
                        v.push(
                            format!("{prefix}parent"),
                            FieldCode::UnknownUnit,
                            format!("no unit named {parent:?}"),
                        );
                        parent_known = false;
                        (None, None)
                    }
                },
            };
            let input = NewUnit {
                name: cell("name").unwrap_or_default(),
                kind: kind.unwrap_or(UnitKind::Other),
                parent_id,
                admin_code: cell("admin_code"),
                address: cell("address"),
                contact_person: cell("contact_person"),
                phone: cell("phone"),
                email: cell("email"),
            };
            // Without a known kind or parent, the parent rule cannot be judged fairly.
            let judged_kind = if kind.is_some() && parent_known {
                parent_kind
            } else {
                Some(UnitKind::District)
            };
            let write = validate(&input, judged_kind, &mut v, &prefix);
            if !write.search_name.is_empty()
                && !taken_names.insert((parent_id, write.search_name.clone()))
            {
                v.push(
                    format!("{prefix}name"),
                    FieldCode::UnitNameTaken,
                    "a unit with this name exists under the same parent",
                );
            }
            if let Some(code) = &write.admin_code
                && !taken_codes.insert(code.clone())
            {
                v.push(
                    format!("{prefix}admin_code"),
                    FieldCode::AdminCodeTaken,
                    "another unit has this administrative code",
                );
            }
            let id = Uuid::now_v7();
            known
                .entry(write.search_name.clone())
                .or_default()
                .push((id, input.kind));
            rows.push((id, write));
        }
        let errors = v.into_errors();
        if dry_run {
            return Ok(ImportReport {
                dry_run,
                rows: count,
                created: 0,
                errors,
            });
        }
        if !errors.is_empty() {
            return Err(ApiError::validation(errors));
        }
        for chunk in rows.chunks(1000) {
            db::units::insert_many(conn, chunk).await?;
        }
        Ok(ImportReport {
            dry_run,
            rows: count,
            created: rows.len(),
            errors,
        })
    })
    .await
}
