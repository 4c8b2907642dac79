//! The units directory.

use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::auth::Actor;
use crate::domain::units::{self, ImportReport, NewUnit, Unit, UnitId, UnitPatch, UnitQuery};
use crate::error::{ApiResult, Problem};
use crate::http::{created, if_match, versioned};
use crate::state::AppState;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list_units)
        .service(create_unit)
        .service(import_units)
        .service(get_unit)
        .service(update_unit);
}

/// A page of units.
#[derive(Serialize, ToSchema)]
pub struct UnitPage {
    pub items: Vec<Unit>,
    /// Cursor for the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

/// List units
///
/// The directory holds contact details, so it is for admins and organizers only.
#[utoipa::path(tag = "units", params(UnitQuery), responses((status = 200, description = "A page of units", body = UnitPage)))]
#[get("/units")]
async fn list_units(
    state: web::Data<AppState>,
    _actor: Actor,
    query: web::Query<UnitQuery>,
) -> ApiResult<web::Json<UnitPage>> {
    let (items, next_cursor) =
        units::list(&mut *state.pool.get().await?, query.into_inner()).await?;
    Ok(web::Json(UnitPage { items, next_cursor }))
}

/// Add a unit
///
/// A commune's parent must be a district. Names are unique under one parent; administrative
/// codes are unique.
#[utoipa::path(
    tag = "units",
    request_body = NewUnit,
    responses(
        (status = 201, description = "Created", body = Unit, headers(("Location" = String), ("ETag" = String))),
        (status = 409, description = "Name taken under this parent (`unit_name_taken`) or code taken (`admin_code_taken`)",
         body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/units")]
async fn create_unit(
    state: web::Data<AppState>,
    _actor: Actor,
    body: web::Json<NewUnit>,
) -> ApiResult<HttpResponse> {
    let unit = units::create(&mut *state.pool.get().await?, body.into_inner()).await?;
    Ok(created(format!("/api/v1/units/{}", unit.value.id), unit))
}

/// Import options.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportQuery {
    /// Check every row and report, writing nothing. Defaults to false.
    pub dry_run: Option<bool>,
}

/// Import units from CSV
///
/// UTF-8 CSV with a header row. Columns (Vietnamese or English): `Tên đơn vị`/`name`,
/// `Loại`/`kind`, `Đơn vị cấp trên`/`parent` (by name), `Mã hành chính`/`admin_code`,
/// `Địa chỉ`/`address`, `Người liên hệ`/`contact_person`, `Điện thoại`/`phone`, `Email`.
/// All rows are checked and every error reported at once; the import is all-or-nothing.
#[utoipa::path(
    tag = "units",
    params(ImportQuery),
    request_body(
        description = "UTF-8 CSV with a header row, or an XLSX workbook (its first sheet is read)",
        content(
            (String = "text/csv"),
            (String = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        )
    ),
    responses(
        (status = 200, description = "Imported, or the dry-run report (with every error)", body = ImportReport),
        (status = 409, description = "A name or code collides with an existing unit", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/unit-imports")]
async fn import_units(
    state: web::Data<AppState>,
    _actor: Actor,
    req: HttpRequest,
    query: web::Query<ImportQuery>,
    payload: web::Payload,
) -> ApiResult<web::Json<ImportReport>> {
    let media_type = crate::http::require_content_type(&req, &crate::domain::table::MEDIA_TYPES)?;
    let body = crate::http::read_body(payload, crate::http::IMPORT_LIMIT_BYTES).await?;
    Ok(web::Json(
        units::import_csv(
            &mut *state.pool.get().await?,
            &media_type,
            &body,
            query.dry_run.unwrap_or(false),
        )
        .await?,
    ))
}

/// Get a unit
#[utoipa::path(
    tag = "units",
    params(("unit_id" = Uuid, Path, description = "Unit id")),
    responses((status = 200, description = "The unit", body = Unit, headers(("ETag" = String))))
)]
#[get("/units/{unit_id}")]
async fn get_unit(
    state: web::Data<AppState>,
    _actor: Actor,
    path: web::Path<UnitId>,
) -> ApiResult<HttpResponse> {
    Ok(versioned(
        units::get(&mut *state.pool.get().await?, path.into_inner()).await?,
    ))
}

/// Edit a unit
///
/// Partial update with optional `If-Match`. Moving a unit under one of its descendants is refused.
#[utoipa::path(
    tag = "units",
    params(("unit_id" = Uuid, Path, description = "Unit id"), ("If-Match" = Option<String>, Header, description = "ETag from a previous read")),
    request_body = UnitPatch,
    responses(
        (status = 200, description = "Updated", body = Unit, headers(("ETag" = String))),
        (status = 409, description = "Name or code taken", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The unit changed since it was read (`etag_mismatch`)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/units/{unit_id}")]
async fn update_unit(
    state: web::Data<AppState>,
    _actor: Actor,
    req: HttpRequest,
    path: web::Path<UnitId>,
    body: web::Json<UnitPatch>,
) -> ApiResult<HttpResponse> {
    Ok(versioned(
        units::update(
            &mut *state.pool.get().await?,
            path.into_inner(),
            if_match(&req),
            body.into_inner(),
        )
        .await?,
    ))
}
