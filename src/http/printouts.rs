//! Printed documents: sign-in sheets (XLSX, PDF), name badges and certificates of attendance
//! (PDF), for a conference's organizers; and the public check of a certificate's code.

use actix_web::{HttpRequest, HttpResponse, get, web};
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::auth::Actor;
use crate::domain::printouts::Printout;
use crate::domain::printouts::badges::{self, BadgeQuery};
use crate::domain::printouts::certificates::{self, CertificateQuery, VerifiedCertificate};
use crate::domain::printouts::sheets::{self, SheetFormat, SheetQuery};
use crate::error::{ApiResult, Problem};
use crate::http::download::{PDF, XLSX, attachment};
use crate::state::AppState;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(conference_sheet_xlsx)
        .service(conference_sheet_pdf)
        .service(session_sheet_xlsx)
        .service(session_sheet_pdf)
        .service(badges_pdf)
        .service(certificates_pdf)
        .service(registration_certificate_pdf)
        .service(verify_certificate);
}

/// The bytes of a file (a schema only: responses send the bytes as they are).
#[derive(ToSchema)]
#[schema(value_type = String, format = Binary)]
#[allow(dead_code)]
pub struct FileBytes(Vec<u8>);

fn file(printout: Printout, content_type: &str) -> HttpResponse {
    attachment(&printout.filename, content_type).body(printout.bytes)
}

/// Sign-in sheet of a conference (XLSX)
///
/// The delegates (confirmed, unless `status` says otherwise) grouped by the kind of their unit
/// and then by unit (communes under their district), with No., name, position, unit, phone
/// (with `phone=true`), the first door check-in time (empty for paper) and an empty signature
/// column; a total at the end. A4, one page wide, column headings on every printed page,
/// page numbers in the footer. Headings in Vietnamese, English with `lang=en`.
/// `checked_in=false` gives the sheet of those who have not arrived yet.
#[utoipa::path(
    tag = "printouts",
    params(("conference_id" = Uuid, Path, description = "Conference id"), SheetQuery),
    responses(
        (status = 200, description = "The sheet", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = FileBytes,
         headers(("Content-Disposition" = String, description = "`attachment` with the UTF-8 file name"), ("Cache-Control" = String, description = "`no-store`"))),
        (status = 400, description = "A malformed id (`invalid_query_parameter`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not a conference the caller organizes (`not_found`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "An unknown `lang`, `status`, `category`, `checked_in` or `phone` value, or an unknown unit (`validation_failed`)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/conferences/{conference_id}/sign-in-sheet.xlsx")]
async fn conference_sheet_xlsx(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<Uuid>,
    query: web::Query<SheetQuery>,
) -> ApiResult<HttpResponse> {
    let printout = sheets::sign_in_sheet(
        &mut *state.pool.get().await?,
        &actor,
        path.into_inner(),
        None,
        query.into_inner(),
        SheetFormat::Xlsx,
    )
    .await?;
    Ok(file(printout, XLSX))
}

/// Sign-in sheet of a conference (PDF)
///
/// As the XLSX sheet, as an A4 PDF (landscape with `phone=true`): the title block (conference,
/// date, venue) and the column headings on every page, rows tall enough to sign, "page x of
/// n" at the foot.
#[utoipa::path(
    tag = "printouts",
    params(("conference_id" = Uuid, Path, description = "Conference id"), SheetQuery),
    responses(
        (status = 200, description = "The sheet", content_type = "application/pdf", body = FileBytes,
         headers(("Content-Disposition" = String, description = "`attachment` with the UTF-8 file name"), ("Cache-Control" = String, description = "`no-store`"))),
        (status = 400, description = "A malformed id (`invalid_query_parameter`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not a conference the caller organizes (`not_found`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "An unknown `lang`, `status`, `category`, `checked_in` or `phone` value, or an unknown unit (`validation_failed`)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/conferences/{conference_id}/sign-in-sheet.pdf")]
async fn conference_sheet_pdf(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<Uuid>,
    query: web::Query<SheetQuery>,
) -> ApiResult<HttpResponse> {
    let printout = sheets::sign_in_sheet(
        &mut *state.pool.get().await?,
        &actor,
        path.into_inner(),
        None,
        query.into_inner(),
        SheetFormat::Pdf,
    )
    .await?;
    Ok(file(printout, PDF))
}

/// Sign-in sheet of a session (XLSX)
///
/// As the conference's sheet, for one session: a session that requires sign-up lists its
/// sign-ups, any other every delegate; the time is the first check-in into the session.
#[utoipa::path(
    tag = "printouts",
    params(("conference_id" = Uuid, Path, description = "Conference id"), ("session_id" = Uuid, Path, description = "Session id"), SheetQuery),
    responses(
        (status = 200, description = "The sheet", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = FileBytes,
         headers(("Content-Disposition" = String, description = "`attachment` with the UTF-8 file name"), ("Cache-Control" = String, description = "`no-store`"))),
        (status = 400, description = "A malformed id (`invalid_query_parameter`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not a conference the caller organizes, or no such session (`not_found`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "An unknown `lang`, `status`, `category`, `checked_in` or `phone` value, or an unknown unit (`validation_failed`)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/conferences/{conference_id}/sessions/{session_id}/sign-in-sheet.xlsx")]
async fn session_sheet_xlsx(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<(Uuid, Uuid)>,
    query: web::Query<SheetQuery>,
) -> ApiResult<HttpResponse> {
    let (conference_id, session_id) = path.into_inner();
    let printout = sheets::sign_in_sheet(
        &mut *state.pool.get().await?,
        &actor,
        conference_id,
        Some(session_id),
        query.into_inner(),
        SheetFormat::Xlsx,
    )
    .await?;
    Ok(file(printout, XLSX))
}

/// Sign-in sheet of a session (PDF)
///
/// As the session's XLSX sheet, as an A4 PDF.
#[utoipa::path(
    tag = "printouts",
    params(("conference_id" = Uuid, Path, description = "Conference id"), ("session_id" = Uuid, Path, description = "Session id"), SheetQuery),
    responses(
        (status = 200, description = "The sheet", content_type = "application/pdf", body = FileBytes,
         headers(("Content-Disposition" = String, description = "`attachment` with the UTF-8 file name"), ("Cache-Control" = String, description = "`no-store`"))),
        (status = 400, description = "A malformed id (`invalid_query_parameter`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not a conference the caller organizes, or no such session (`not_found`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "An unknown `lang`, `status`, `category`, `checked_in` or `phone` value, or an unknown unit (`validation_failed`)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/conferences/{conference_id}/sessions/{session_id}/sign-in-sheet.pdf")]
async fn session_sheet_pdf(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<(Uuid, Uuid)>,
    query: web::Query<SheetQuery>,
) -> ApiResult<HttpResponse> {
    let (conference_id, session_id) = path.into_inner();
    let printout = sheets::sign_in_sheet(
        &mut *state.pool.get().await?,
        &actor,
        conference_id,
        Some(session_id),
        query.into_inner(),
        SheetFormat::Pdf,
    )
    .await?;
    Ok(file(printout, PDF))
}

/// Name badges (PDF)
///
/// A badge per delegate with the conference, name, position, unit, reference and QR code: A4
/// sheets of 8 (`layout=sheet`, default) or one badge-sized page each (`layout=single`). For
/// the whole conference (confirmed delegates), a unit (`unit_id`) or one registration
/// (`registration_id`: any status whose code still admits; a cancelled or rejected one is 409
/// `registration_closed`). The file carries QR secrets, so every download is recorded (who,
/// conference, scope, how many codes; no personal values) in the audit log.
#[utoipa::path(
    tag = "printouts",
    params(("conference_id" = Uuid, Path, description = "Conference id"), BadgeQuery),
    responses(
        (status = 200, description = "The badges", content_type = "application/pdf", body = FileBytes,
         headers(("Content-Disposition" = String, description = "`attachment` with the UTF-8 file name"), ("Cache-Control" = String, description = "`no-store`"))),
        (status = 400, description = "A malformed id (`invalid_query_parameter`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not a conference the caller organizes, or no such registration in it (`not_found`)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The registration is cancelled or rejected (`registration_closed`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "An unknown `lang` or `layout`, an unknown unit, or both `unit_id` and `registration_id` (`validation_failed`)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/conferences/{conference_id}/badges.pdf")]
async fn badges_pdf(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<Uuid>,
    query: web::Query<BadgeQuery>,
) -> ApiResult<HttpResponse> {
    let printout = badges::badges(
        &mut *state.pool.get().await?,
        &actor,
        path.into_inner(),
        query.into_inner(),
    )
    .await?;
    Ok(file(printout, PDF))
}

/// The URL a certificate's code is checked at, as this server is reached.
fn verification_base(req: &HttpRequest) -> String {
    let info = req.connection_info();
    format!("{}://{}/api/v1/certificates/", info.scheme(), info.host())
}

/// Certificates of attendance (PDF)
///
/// One page per delegate who attended by the chosen rule (`rule=door`: entered at the door;
/// `rule=sessions&min_sessions=N`: checked into at least N sessions), of the whole conference
/// or of a unit (`unit_id`). Certificates are issued on first generation, each with a
/// verification code that stays the same on every later generation; the page shows the code
/// and the public URL that confirms it. Confirmed registrations only.
#[utoipa::path(
    tag = "printouts",
    params(("conference_id" = Uuid, Path, description = "Conference id"), CertificateQuery),
    responses(
        (status = 200, description = "The certificates", content_type = "application/pdf", body = FileBytes,
         headers(("Content-Disposition" = String, description = "`attachment` with the UTF-8 file name"), ("Cache-Control" = String, description = "`no-store`"))),
        (status = 400, description = "A malformed id (`invalid_query_parameter`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not a conference the caller organizes (`not_found`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "An unknown `lang` or `rule`, `min_sessions` missing, out of range or given with `rule=door`, or an unknown unit (`validation_failed`)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/conferences/{conference_id}/certificates.pdf")]
async fn certificates_pdf(
    state: web::Data<AppState>,
    req: HttpRequest,
    actor: Actor,
    path: web::Path<Uuid>,
    query: web::Query<CertificateQuery>,
) -> ApiResult<HttpResponse> {
    let printout = certificates::certificates(
        &mut *state.pool.get().await?,
        &actor,
        path.into_inner(),
        None,
        query.into_inner(),
        &verification_base(&req),
    )
    .await?;
    Ok(file(printout, PDF))
}

/// A delegate's certificate of attendance (PDF)
///
/// As `certificates.pdf`, for one registration: 409 `not_attended` when it did not attend by
/// the rule (or is not confirmed).
#[utoipa::path(
    tag = "printouts",
    params(("conference_id" = Uuid, Path, description = "Conference id"), ("registration_id" = Uuid, Path, description = "Registration id"), CertificateQuery),
    responses(
        (status = 200, description = "The certificate", content_type = "application/pdf", body = FileBytes,
         headers(("Content-Disposition" = String, description = "`attachment` with the UTF-8 file name"), ("Cache-Control" = String, description = "`no-store`"))),
        (status = 400, description = "A malformed id (`invalid_query_parameter`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not a conference the caller organizes, or no such registration in it (`not_found`)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Did not attend by the rule, or not confirmed (`not_attended`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "An unknown `lang` or `rule`, `min_sessions` missing, out of range or given with `rule=door`, or `unit_id` given (`validation_failed`)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/conferences/{conference_id}/registrations/{registration_id}/certificate.pdf")]
async fn registration_certificate_pdf(
    state: web::Data<AppState>,
    req: HttpRequest,
    actor: Actor,
    path: web::Path<(Uuid, Uuid)>,
    query: web::Query<CertificateQuery>,
) -> ApiResult<HttpResponse> {
    let (conference_id, registration_id) = path.into_inner();
    let printout = certificates::certificates(
        &mut *state.pool.get().await?,
        &actor,
        conference_id,
        Some(registration_id),
        query.into_inner(),
        &verification_base(&req),
    )
    .await?;
    Ok(file(printout, PDF))
}

/// Verify a certificate
///
/// Public: what the code printed on a certificate stands for (the person's name, the
/// conference and its dates, the issue time) and nothing else. Dashes and case are ignored,
/// and `O`, `I`, `L` read as `0`, `1`, `1`. 404 for a code that was never issued or whose
/// registration was cancelled since.
#[utoipa::path(
    tag = "printouts",
    security(()),
    params(("code" = String, Path, description = "The code on the certificate", max_length = 20)),
    responses(
        (status = 200, description = "The certificate is genuine", body = VerifiedCertificate),
        (status = 404, description = "No such certificate (`not_found`)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/certificates/{code}")]
async fn verify_certificate(
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> ApiResult<web::Json<VerifiedCertificate>> {
    Ok(web::Json(
        certificates::verify(&mut *state.pool.get().await?, &path.into_inner()).await?,
    ))
}
