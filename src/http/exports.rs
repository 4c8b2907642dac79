//! Exports: the delegate list and the check-in history as CSV or XLSX, streamed while they are
//! read. Also the streaming machinery the report workbooks share.
//!
//! Everything that can be refused (access, filters, `lang`, `delimiter`) is checked before the
//! response starts. A failure after that (the database going away mid-export) is logged with
//! the request id and the response is cut off, so the client sees a failed download rather
//! than a file that looks complete.

use std::io::Write;

use actix_web::http::header;
use actix_web::{HttpResponse, get, web};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::auth::Actor;
use crate::db::DbConn;
use crate::domain::common::Lang;
use crate::domain::registrations::{Category, RegistrationSource, RegistrationStatus};
use crate::domain::reports::csv::{CsvRenderer, Delimiter};
use crate::domain::reports::delegates::DelegateFilters;
use crate::domain::reports::{Export, Part, xlsx};
use crate::domain::units::UnitKind;
use crate::error::{ApiError, ApiResult, FieldError, Problem};
use crate::http::download::{self, attachment};
use crate::state::AppState;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(registrations_csv)
        .service(registrations_xlsx)
        .service(checkins_csv)
        .service(checkins_xlsx);
}

/// The registration list's filters, for its exports. Unknown values are a 422 naming the field.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RegistrationExportQuery {
    #[param(value_type = Option<RegistrationStatus>)]
    pub status: Option<String>,
    #[param(value_type = Option<Category>)]
    pub category: Option<String>,
    #[param(value_type = Option<RegistrationSource>)]
    pub source: Option<String>,
    pub unit_id: Option<Uuid>,
    #[param(value_type = Option<UnitKind>)]
    pub unit_kind: Option<String>,
    /// A district (or any unit): registrations of it and of every unit below it (its communes).
    pub district_id: Option<Uuid>,
}

/// The language of headings, labels and the file name: `vi` (default) or `en`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LangQuery {
    #[param(value_type = Option<Lang>)]
    pub lang: Option<String>,
}

/// The CSV field separator: `comma` (default) or `semicolon`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DelimiterQuery {
    #[param(value_type = Option<Delimiter>)]
    pub delimiter: Option<String>,
}

/// Parses `lang` (and `delimiter`, if given), adding what is wrong to `errors`.
pub fn parse_lang(query: &LangQuery, errors: &mut Vec<FieldError>) -> Lang {
    Lang::from_query(query.lang.as_deref()).unwrap_or_else(|e| {
        errors.push(e);
        Lang::Vi
    })
}

fn parse_delimiter(query: &DelimiterQuery, errors: &mut Vec<FieldError>) -> Delimiter {
    Delimiter::from_query(query.delimiter.as_deref()).unwrap_or_else(|e| {
        errors.push(e);
        Delimiter::Comma
    })
}

/// A 422 listing every field in `errors`, if any.
pub fn refuse_invalid(errors: Vec<FieldError>) -> ApiResult<()> {
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::validation(errors))
    }
}

fn delegate_filters(
    query: &RegistrationExportQuery,
    errors: &mut Vec<FieldError>,
) -> DelegateFilters {
    DelegateFilters::parse(
        query.status.as_deref(),
        query.category.as_deref(),
        query.source.as_deref(),
        query.unit_kind.as_deref(),
        query.unit_id,
        query.district_id,
        errors,
    )
}

/// Logs a failure after the response started (no personal data: the error's code and cause).
fn log_midway(error: &ApiError) {
    tracing::error!(status = %error.problem().status, cause = ?error, "export failed after the first byte");
}

/// The export as CSV, one page of rows per chunk, on the connection it was built with.
pub fn stream_csv(conn: DbConn, export: Export, delimiter: Delimiter) -> HttpResponse {
    let filename = format!("{}.csv", export.title);
    let state = (export, conn, CsvRenderer::new(delimiter));
    let stream =
        futures_util::stream::try_unfold(state, |(mut export, mut conn, mut csv)| async move {
            let bytes = match export.next(&mut conn).await {
                Ok(None) => return Ok(None),
                Ok(Some(Part::Sheet(head))) => csv.head(&head),
                Ok(Some(Part::Rows(rows))) => csv.rows(&rows),
                Ok(Some(Part::Charts { .. })) => Ok(Vec::new()),
                Err(e) => Err(e),
            }
            .inspect_err(log_midway)?;
            Ok::<_, ApiError>(Some((web::Bytes::from(bytes), (export, conn, csv))))
        });
    attachment(&filename, download::CSV).streaming(stream)
}

/// The export as an XLSX workbook. Rows are read on this worker and handed, a page at a time
/// through a bounded channel, to a blocking thread that writes them in constant-memory mode;
/// the finished workbook is zipped straight into the response. The first byte leaves once
/// every row is written (a zip's parts are known only then).
pub fn stream_xlsx(conn: DbConn, export: Export) -> HttpResponse {
    let filename = format!("{}.xlsx", export.title);
    let (parts_tx, mut parts_rx) = tokio::sync::mpsc::channel::<ApiResult<Part>>(2);
    let (bytes_tx, bytes_rx) = tokio::sync::mpsc::channel::<Result<web::Bytes, ApiError>>(16);
    actix_web::rt::spawn(produce(export, conn, parts_tx));
    // The request's span, so that a failure is logged with its request id.
    let span = tracing::Span::current();
    actix_web::rt::task::spawn_blocking(move || {
        let _request = span.enter();
        let parts = std::iter::from_fn(|| parts_rx.blocking_recv());
        let mut out = ChannelWriter {
            sender: bytes_tx,
            buffer: Vec::with_capacity(CHUNK),
        };
        let written = xlsx::write(parts, &mut out).and_then(|()| {
            out.send()
                .map_err(|_| ApiError::internal("the client went away"))
        });
        match written {
            Ok(()) => {}
            // The client went away: nothing to report.
            Err(_) if out.sender.is_closed() => {}
            Err(e) => {
                log_midway(&e);
                let _ = out.sender.blocking_send(Err(e));
            }
        }
    });
    let stream = futures_util::stream::unfold(bytes_rx, |mut rx| async move {
        rx.recv().await.map(|item| (item, rx))
    });
    attachment(&filename, download::XLSX)
        // Already a zip: compressing it again costs CPU for nothing.
        .insert_header((header::CONTENT_ENCODING, "identity"))
        .streaming(stream)
}

/// Reads the export's parts and sends them to the writer, until the end, an error (sent on,
/// so the writer stops) or the writer going away (the client left).
async fn produce(
    mut export: Export,
    mut conn: DbConn,
    parts: tokio::sync::mpsc::Sender<ApiResult<Part>>,
) {
    loop {
        let (item, last) = match export.next(&mut conn).await {
            Ok(Some(part)) => (Ok(part), false),
            Ok(None) => return,
            Err(e) => (Err(e), true),
        };
        if parts.send(item).await.is_err() || last {
            return;
        }
    }
}

const CHUNK: usize = 64 * 1024;

/// `Write` into the response: 64 KiB chunks through a bounded channel, so a slow client slows
/// the writer down instead of filling memory.
struct ChannelWriter {
    sender: tokio::sync::mpsc::Sender<Result<web::Bytes, ApiError>>,
    buffer: Vec<u8>,
}

impl ChannelWriter {
    fn send(&mut self) -> std::io::Result<()> {
        if self.buffer.is_empty() {
            return Ok(());
        }
        let chunk = web::Bytes::from(std::mem::replace(
            &mut self.buffer,
            Vec::with_capacity(CHUNK),
        ));
        self.sender
            .blocking_send(Ok(chunk))
            .map_err(|_| std::io::Error::other("the client went away"))
    }
}

impl Write for ChannelWriter {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.buffer.extend_from_slice(data);
        if self.buffer.len() >= CHUNK {
            self.send()?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.send()
    }
}

/// Delegate list (CSV)
///
/// Every registration matching the list's filters (no `q`, no paging: all of them), oldest
/// first: reference, name, position, status, source, category, unit path (district › commune),
/// organization, email, phone, inviting unit, substitutions (`previous → new`), first check-in
/// at the door and registration time, in the conference's time zone. UTF-8 with a byte-order
/// mark; headings in Vietnamese unless `lang=en`. Text that a spreadsheet would run as a formula
/// gets a leading `'`; Vietnamese phones are written `0912 345 678`. Streamed as it is read.
#[utoipa::path(
    tag = "reports",
    params(("conference_id" = Uuid, Path, description = "Conference id"), RegistrationExportQuery, LangQuery, DelimiterQuery),
    responses(
        (status = 200, description = "The delegate list", content_type = "text/csv", body = String,
         headers(("Content-Disposition" = String, description = "attachment, with the file's UTF-8 name"), ("Cache-Control" = String, description = "no-store"))),
        (status = 400, description = "Malformed id (`invalid_query_parameter`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not a conference the caller organizes (`not_found`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown filter, `lang` or `delimiter` value (`validation_failed`)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/conferences/{conference_id}/exports/registrations.csv")]
async fn registrations_csv(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<Uuid>,
    query: web::Query<RegistrationExportQuery>,
    lang: web::Query<LangQuery>,
    delimiter: web::Query<DelimiterQuery>,
) -> ApiResult<HttpResponse> {
    let mut errors = Vec::new();
    let filters = delegate_filters(&query, &mut errors);
    let lang = parse_lang(&lang, &mut errors);
    let delimiter = parse_delimiter(&delimiter, &mut errors);
    refuse_invalid(errors)?;
    let mut conn = state.pool.get().await?;
    let export = Export::delegates(&mut conn, &actor, path.into_inner(), filters, lang).await?;
    Ok(stream_csv(conn, export, delimiter))
}

/// Delegate list (XLSX)
///
/// The CSV's rows as a workbook with one sheet, times as Excel dates, phones in E.164.
#[utoipa::path(
    tag = "reports",
    params(("conference_id" = Uuid, Path, description = "Conference id"), RegistrationExportQuery, LangQuery),
    responses(
        (status = 200, description = "The delegate list", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = String,
         headers(("Content-Disposition" = String, description = "attachment, with the file's UTF-8 name"), ("Cache-Control" = String, description = "no-store"))),
        (status = 400, description = "Malformed id (`invalid_query_parameter`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not a conference the caller organizes (`not_found`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown filter or `lang` value (`validation_failed`)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/conferences/{conference_id}/exports/registrations.xlsx")]
async fn registrations_xlsx(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<Uuid>,
    query: web::Query<RegistrationExportQuery>,
    lang: web::Query<LangQuery>,
) -> ApiResult<HttpResponse> {
    let mut errors = Vec::new();
    let filters = delegate_filters(&query, &mut errors);
    let lang = parse_lang(&lang, &mut errors);
    refuse_invalid(errors)?;
    let mut conn = state.pool.get().await?;
    let export = Export::delegates(&mut conn, &actor, path.into_inner(), filters, lang).await?;
    Ok(stream_xlsx(conn, export))
}

/// Check-in history (CSV)
///
/// Every scan, for audit, in the order the server received them: server time, door time,
/// reference and name, place (the door or the session), device, direction, method, outcome,
/// conflict (offline scans), and for undone scans when, by whom and why.
#[utoipa::path(
    tag = "reports",
    params(("conference_id" = Uuid, Path, description = "Conference id"), LangQuery, DelimiterQuery),
    responses(
        (status = 200, description = "The check-in history", content_type = "text/csv", body = String,
         headers(("Content-Disposition" = String, description = "attachment, with the file's UTF-8 name"), ("Cache-Control" = String, description = "no-store"))),
        (status = 404, description = "Not a conference the caller organizes (`not_found`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown `lang` or `delimiter` value (`validation_failed`)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/conferences/{conference_id}/exports/checkins.csv")]
async fn checkins_csv(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<Uuid>,
    lang: web::Query<LangQuery>,
    delimiter: web::Query<DelimiterQuery>,
) -> ApiResult<HttpResponse> {
    let mut errors = Vec::new();
    let lang = parse_lang(&lang, &mut errors);
    let delimiter = parse_delimiter(&delimiter, &mut errors);
    refuse_invalid(errors)?;
    let mut conn = state.pool.get().await?;
    let export = Export::checkins(&mut conn, &actor, path.into_inner(), lang).await?;
    Ok(stream_csv(conn, export, delimiter))
}

/// Check-in history (XLSX)
///
/// The CSV's rows as a workbook with one sheet, times as Excel dates.
#[utoipa::path(
    tag = "reports",
    params(("conference_id" = Uuid, Path, description = "Conference id"), LangQuery),
    responses(
        (status = 200, description = "The check-in history", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = String,
         headers(("Content-Disposition" = String, description = "attachment, with the file's UTF-8 name"), ("Cache-Control" = String, description = "no-store"))),
        (status = 404, description = "Not a conference the caller organizes (`not_found`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown `lang` value (`validation_failed`)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/conferences/{conference_id}/exports/checkins.xlsx")]
async fn checkins_xlsx(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<Uuid>,
    lang: web::Query<LangQuery>,
) -> ApiResult<HttpResponse> {
    let mut errors = Vec::new();
    let lang = parse_lang(&lang, &mut errors);
    refuse_invalid(errors)?;
    let mut conn = state.pool.get().await?;
    let export = Export::checkins(&mut conn, &actor, path.into_inner(), lang).await?;
    Ok(stream_xlsx(conn, export))
}
