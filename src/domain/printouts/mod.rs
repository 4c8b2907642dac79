//! Printed documents an organizer takes to the event: sign-in sheets (XLSX and PDF), name
//! badges and certificates of attendance (PDF). Rows are read from the database in keyset
//! pages inside one read-only snapshot and handed over a bounded channel to a renderer on a
//! blocking thread, so neither the rows nor the rendering sit on the async workers, and the
//! rows of a 100,000-delegate conference are never all in memory at once.

pub mod badges;
pub mod certificates;
mod labels;
pub mod pdf;
mod sheet_pdf;
mod sheet_xlsx;
pub mod sheets;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use tokio::sync::mpsc;
use uuid::Uuid;

use crate::db;
use crate::error::{ApiError, ApiResult, FieldCode, FieldError};

pub use labels::Labels;

/// Rows read from the database per round trip, and pages in flight to the renderer: at most
/// `PAGE_ROWS * (CHANNEL_PAGES + 2)` rows are held at any time.
pub(crate) const PAGE_ROWS: i64 = 1000;
const CHANNEL_PAGES: usize = 2;

/// A finished document: its bytes and the name it is saved under.
pub struct Printout {
    pub filename: String,
    pub bytes: Vec<u8>,
}

/// A query-string flag: `true` or `false`, anything else a 422 naming the field.
pub(crate) fn parse_flag(field: &str, value: Option<&str>) -> Result<Option<bool>, FieldError> {
    match value {
        None => Ok(None),
        Some("true") => Ok(Some(true)),
        Some("false") => Ok(Some(false)),
        Some(other) => Err(FieldError::new(
            field,
            FieldCode::UnknownValue,
            format!("{field} must be true or false, not {other:?}"),
        )),
    }
}

/// A unit named in a filter must exist: 422 `unknown_unit` on `field` otherwise.
pub(crate) async fn check_unit(
    conn: &mut diesel_async::AsyncPgConnection,
    field: &str,
    unit_id: Option<Uuid>,
) -> ApiResult<()> {
    if let Some(id) = unit_id
        && db::units::find(conn, id.into(), false).await?.is_none()
    {
        return Err(ApiError::validation(vec![FieldError::new(
            field,
            FieldCode::UnknownUnit,
            "no such unit",
        )]));
    }
    Ok(())
}

/// The conference's time zone (its stored name is checked on write; Vietnam's as a fallback).
pub(crate) fn zone(time_zone: &str) -> Tz {
    time_zone.parse().unwrap_or(chrono_tz::Asia::Ho_Chi_Minh)
}

/// `19/12/2026`, or `19–20/12/2026` for an event over two days, in the conference's zone.
pub(crate) fn event_dates(starts_at: DateTime<Utc>, ends_at: DateTime<Utc>, tz: Tz) -> String {
    let (start, end) = (
        starts_at.with_timezone(&tz).date_naive(),
        ends_at.with_timezone(&tz).date_naive(),
    );
    if start == end {
        start.format("%d/%m/%Y").to_string()
    } else {
        format!("{} – {}", start.format("%d/%m/%Y"), end.format("%d/%m/%Y"))
    }
}

/// Runs `render` on a blocking thread, fed through a bounded channel by `produce` (which reads
/// the database on this task). The channel's bound is the memory bound: the producer waits
/// while the renderer is behind. If the renderer fails, the producer's next send fails and the
/// renderer's error is the result.
pub(crate) async fn with_renderer<T, O, R, P>(render: R, produce: P) -> ApiResult<O>
where
    T: Send + 'static,
    O: Send + 'static,
    R: FnOnce(mpsc::Receiver<T>) -> ApiResult<O> + Send + 'static,
    P: AsyncFnOnce(&mpsc::Sender<T>) -> ApiResult<()>,
{
    let (sender, receiver) = mpsc::channel(CHANNEL_PAGES);
    let renderer = tokio::task::spawn_blocking(move || render(receiver));
    let produced = produce(&sender).await;
    // A closed channel means the renderer stopped first: its error is the one to report.
    let renderer_stopped = sender.is_closed();
    drop(sender);
    let rendered = renderer.await.map_err(ApiError::internal)?;
    match (produced, rendered) {
        (Err(e), _) if !renderer_stopped => Err(e),
        (_, Err(e)) | (Err(e), Ok(_)) => Err(e),
        (Ok(()), Ok(output)) => Ok(output),
    }
}

/// Sends one item to the renderer, waiting while it is behind.
pub(crate) async fn send<T>(sender: &mpsc::Sender<T>, item: T) -> ApiResult<()> {
    sender
        .send(item)
        .await
        .map_err(|_| ApiError::internal("the renderer stopped"))
}
