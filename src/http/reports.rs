//! The post-event report: attendance and coverage as JSON or a workbook, its charts as SVG, and
//! the one-call package of everything.

use actix_web::http::header;
use actix_web::{HttpResponse, get, web};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::auth::Actor;
use crate::domain::reports::attendance::{self, AttendanceReport};
use crate::domain::reports::charts::{self, Chart};
use crate::domain::reports::{Export, Labels};
use crate::error::{ApiResult, Problem};
use crate::http::download;
use crate::http::exports::{LangQuery, parse_lang, refuse_invalid, stream_xlsx};
use crate::state::AppState;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(attendance_report)
        .service(attendance_xlsx)
        .service(districts_chart)
        .service(unit_kinds_chart)
        .service(sessions_chart)
        .service(package_xlsx);
}

/// Attendance and coverage report
///
/// Per unit: invited seats, registered (pending, confirmed or waitlisted), confirmed, attended
/// (confirmed with a live entry at the door) and attended per session; the same per unit kind
/// and per district (communes and district offices rolled up into their district); per session
/// and per day; coverage (the share of invited units, and of invited districts, with at least
/// one delegate present); the no-shows; the substitutions. The counts agree with
/// `GET /conferences/{id}/attendance`: attended is its `checked_in`.
#[utoipa::path(
    tag = "reports",
    params(("conference_id" = Uuid, Path, description = "Conference id")),
    responses(
        (status = 200, description = "The report", body = AttendanceReport,
         headers(("Cache-Control" = String, description = "no-store"))),
        (status = 404, description = "Not a conference the caller organizes (`not_found`)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/conferences/{conference_id}/reports/attendance")]
async fn attendance_report(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let report =
        attendance::report(&mut *state.pool.get().await?, &actor, path.into_inner()).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(report))
}

/// Attendance and coverage report (XLSX)
///
/// The report as a workbook: summary, by unit, by unit kind, by district, by session,
/// no-shows, substitutions. The charts are the `reports/charts/*.svg` endpoints.
#[utoipa::path(
    tag = "reports",
    params(("conference_id" = Uuid, Path, description = "Conference id"), LangQuery),
    responses(
        (status = 200, description = "The report workbook", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = String,
         headers(("Content-Disposition" = String, description = "attachment, with the file's UTF-8 name"), ("Cache-Control" = String, description = "no-store"))),
        (status = 404, description = "Not a conference the caller organizes (`not_found`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown `lang` value (`validation_failed`)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/conferences/{conference_id}/reports/attendance.xlsx")]
async fn attendance_xlsx(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<Uuid>,
    lang: web::Query<LangQuery>,
) -> ApiResult<HttpResponse> {
    let mut errors = Vec::new();
    let lang = parse_lang(&lang, &mut errors);
    refuse_invalid(errors)?;
    let mut conn = state.pool.get().await?;
    let export = Export::attendance(&mut conn, &actor, path.into_inner(), lang).await?;
    Ok(stream_xlsx(conn, export))
}

/// Post-event package (XLSX)
///
/// One workbook with everything to report upward: summary, by unit, by unit kind, by district,
/// by session, no-shows, every delegate (as the delegate export), every check-in (as the
/// check-in export), the substitutions and the conference's audit log (field names, never
/// values).
#[utoipa::path(
    tag = "reports",
    params(("conference_id" = Uuid, Path, description = "Conference id"), LangQuery),
    responses(
        (status = 200, description = "The package workbook", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = String,
         headers(("Content-Disposition" = String, description = "attachment, with the file's UTF-8 name"), ("Cache-Control" = String, description = "no-store"))),
        (status = 404, description = "Not a conference the caller organizes (`not_found`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown `lang` value (`validation_failed`)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/conferences/{conference_id}/reports/package.xlsx")]
async fn package_xlsx(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<Uuid>,
    lang: web::Query<LangQuery>,
) -> ApiResult<HttpResponse> {
    let mut errors = Vec::new();
    let lang = parse_lang(&lang, &mut errors);
    refuse_invalid(errors)?;
    let mut conn = state.pool.get().await?;
    let export = Export::package(&mut conn, &actor, path.into_inner(), lang).await?;
    Ok(stream_xlsx(conn, export))
}

async fn chart(
    state: &AppState,
    actor: &Actor,
    conference_id: Uuid,
    lang: &LangQuery,
    chart: Chart,
) -> ApiResult<HttpResponse> {
    let mut errors = Vec::new();
    let lang = parse_lang(lang, &mut errors);
    refuse_invalid(errors)?;
    let report = attendance::report(&mut *state.pool.get().await?, actor, conference_id).await?;
    // A few dozen rectangles: cheap enough to draw on the worker.
    let svg = charts::render(&report, chart, &Labels::new(lang, &report.time_zone))?;
    Ok(HttpResponse::Ok()
        .content_type(download::SVG)
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        // Opened on its own, the image may run nothing and load nothing.
        .insert_header((
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; style-src 'unsafe-inline'",
        ))
        .body(svg))
}

/// Attendance by district (SVG chart)
///
/// One row per district (communes and district offices rolled up): a dark bar for the
/// delegates present, behind it a pale one for those confirmed, with both counts. Labels are
/// SVG text in Vietnamese unless `lang=en`.
#[utoipa::path(
    tag = "reports",
    params(("conference_id" = Uuid, Path, description = "Conference id"), LangQuery),
    responses(
        (status = 200, description = "The chart", content_type = "image/svg+xml", body = String,
         headers(("Cache-Control" = String, description = "no-store"))),
        (status = 404, description = "Not a conference the caller organizes (`not_found`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown `lang` value (`validation_failed`)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/conferences/{conference_id}/reports/charts/districts.svg")]
async fn districts_chart(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<Uuid>,
    lang: web::Query<LangQuery>,
) -> ApiResult<HttpResponse> {
    chart(&state, &actor, path.into_inner(), &lang, Chart::Districts).await
}

/// Attendance by unit kind (SVG chart)
///
/// As the district chart, one row per unit kind (`none`: delegates without a unit).
#[utoipa::path(
    tag = "reports",
    params(("conference_id" = Uuid, Path, description = "Conference id"), LangQuery),
    responses(
        (status = 200, description = "The chart", content_type = "image/svg+xml", body = String,
         headers(("Cache-Control" = String, description = "no-store"))),
        (status = 404, description = "Not a conference the caller organizes (`not_found`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown `lang` value (`validation_failed`)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/conferences/{conference_id}/reports/charts/unit-kinds.svg")]
async fn unit_kinds_chart(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<Uuid>,
    lang: web::Query<LangQuery>,
) -> ApiResult<HttpResponse> {
    chart(&state, &actor, path.into_inner(), &lang, Chart::UnitKinds).await
}

/// Attendance per session (SVG chart)
///
/// One bar per session, in agenda order: delegates with a live entry.
#[utoipa::path(
    tag = "reports",
    params(("conference_id" = Uuid, Path, description = "Conference id"), LangQuery),
    responses(
        (status = 200, description = "The chart", content_type = "image/svg+xml", body = String,
         headers(("Cache-Control" = String, description = "no-store"))),
        (status = 404, description = "Not a conference the caller organizes (`not_found`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown `lang` value (`validation_failed`)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/conferences/{conference_id}/reports/charts/sessions.svg")]
async fn sessions_chart(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<Uuid>,
    lang: web::Query<LangQuery>,
) -> ApiResult<HttpResponse> {
    chart(&state, &actor, path.into_inner(), &lang, Chart::Sessions).await
}
