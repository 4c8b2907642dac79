//! Many registrations at once: imports from a file and bulk actions (organizers).

use super::*;

/// Import delegates from CSV
///
/// UTF-8 CSV with a header row. Columns (Vietnamese or English): `Họ và tên`/`full_name`,
/// `Chức vụ`/`position`, `Đơn vị`/`unit` (a directory unit, by name), `Tổ chức`/`organization`
/// (free text), `Thành phần`/`category`, `Điện thoại`/`phone`, `Email`. `?dry_run=true` checks
/// every row and reports every error; otherwise the import is all-or-nothing (422 listing every
/// error). Seats are assigned in file order; the rest are waitlisted when the waitlist is on.
#[utoipa::path(
    tag = "registrations",
    params(("conference_id" = Uuid, Path, description = "Conference id"), crate::http::units::ImportQuery),
    request_body(
        description = "UTF-8 CSV with a header row, or an XLSX workbook (its first sheet is read)",
        content(
            (String = "text/csv"),
            (String = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        )
    ),
    responses(
        (status = 200, description = "Imported, or the dry-run report", body = crate::domain::units::ImportReport),
        (status = 409, description = "A delegate registered meanwhile (`already_registered`) or the conference is cancelled", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/conferences/{conference_id}/registration-imports")]
pub(super) async fn import_registrations(
    state: web::Data<AppState>,
    actor: Actor,
    req: HttpRequest,
    path: web::Path<Uuid>,
    query: web::Query<crate::http::units::ImportQuery>,
    payload: web::Payload,
) -> ApiResult<web::Json<crate::domain::units::ImportReport>> {
    let media_type = crate::http::require_content_type(&req, &crate::domain::table::MEDIA_TYPES)?;
    let body = crate::http::read_body(payload, crate::http::IMPORT_LIMIT_BYTES).await?;
    let report = crate::domain::imports::import_delegates(
        &mut *state.pool.get().await?,
        &actor,
        path.into_inner(),
        &media_type,
        &body,
        query.dry_run.unwrap_or(false),
    )
    .await?;
    Ok(web::Json(report))
}

/// Approve, reject or cancel many registrations
///
/// Each registration succeeds or fails on its own; the results come in request order.
#[utoipa::path(
    tag = "registrations",
    params(("conference_id" = Uuid, Path, description = "Conference id")),
    request_body = crate::domain::registrations::BulkRequest,
    responses((status = 200, description = "One result per registration", body = Vec<crate::domain::registrations::BulkResult>))
)]
#[post("/conferences/{conference_id}/registration-actions")]
pub(super) async fn bulk_registrations(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<Uuid>,
    body: web::Json<crate::domain::registrations::BulkRequest>,
) -> ApiResult<web::Json<Vec<crate::domain::registrations::BulkResult>>> {
    Ok(web::Json(
        registrations::bulk(
            &mut *state.pool.get().await?,
            &actor,
            path.into_inner(),
            body.into_inner(),
        )
        .await?,
    ))
}
