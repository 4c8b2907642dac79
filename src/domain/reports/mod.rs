//! Exports and the post-event report. The figures and rows are computed here once and handed to
//! the renderers (`csv`, `xlsx`, `charts`) as plain cells, so a new format never touches them.
//!
//! An [`Export`] is a sequence of sheets: a sheet's head (its name and column headings) and then
//! its rows in pages. Large sheets (delegates, check-ins) are read in keyset pages while the file
//! is written, so memory stays bounded whatever the size of the conference. Everything that can
//! be refused (access, filters, language) is checked when the export is built, before the first
//! byte is sent.

pub mod attendance;
pub mod audit;
pub mod charts;
pub mod checkins;
pub mod csv;
pub mod delegates;
mod labels;
pub mod report_sheets;
pub mod xlsx;

use std::collections::VecDeque;

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel_async::AsyncPgConnection;
use uuid::Uuid;

use crate::db::conferences::ConferenceRow;
use crate::domain::actor::Actor;
use crate::domain::common::{Access, Lang, Lock, load};
use crate::error::{ApiError, ApiResult};

pub use labels::Labels;

/// Rows read per round trip while exporting: large enough that 100,000 delegates take 50 round
/// trips, small enough that a page in flight costs a few megabytes at most.
pub const PAGE_SIZE: i64 = 2_000;

/// One value of a row.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    /// A phone number in E.164, written readably (see `csv::readable_phone`).
    Phone(String),
    Int(i64),
    /// A share between 0 and 1, shown as a percentage.
    Share(f64),
    /// A wall-clock time in the conference's time zone.
    Time(NaiveDateTime),
    Empty,
}

impl Cell {
    pub fn opt_text(value: Option<String>) -> Cell {
        value.map_or(Cell::Empty, Cell::Text)
    }
}

pub type Row = Vec<Cell>;

/// A sheet's name (a worksheet in XLSX; CSV has one sheet) and its column headings.
#[derive(Debug, Clone)]
pub struct SheetHead {
    pub name: String,
    pub headers: Vec<String>,
}

/// A bar chart of columns of a sheet written before it: one bar per data row.
#[derive(Debug, Clone)]
pub struct ChartSpec {
    pub title: String,
    pub sheet: String,
    /// Data rows below the heading.
    pub rows: u32,
    pub label_column: u16,
    /// Each series' name and column.
    pub series: Vec<(String, u16)>,
}

/// What an export yields, in order: a sheet's head, then its rows in one or more pages; in
/// workbooks, a sheet of charts drawn from sheets before it.
#[derive(Debug)]
pub enum Part {
    Sheet(SheetHead),
    Rows(Vec<Row>),
    Charts {
        name: String,
        charts: Vec<ChartSpec>,
    },
}

enum Stage {
    Ready(Part),
    Delegates(delegates::DelegatePages),
    Checkins(checkins::CheckinPages),
    Audit(audit::AuditPages),
}

/// A file being produced: its name and the parts still to come.
pub struct Export {
    /// What the file is, without extension (`Danh sách đại biểu - SXSH - 2026-12-01`).
    pub title: String,
    stages: VecDeque<Stage>,
}

impl Export {
    fn new(title: String) -> Self {
        Export {
            title,
            stages: VecDeque::new(),
        }
    }

    fn sheet(&mut self, head: SheetHead, rows: Vec<Row>) {
        self.stages.push_back(Stage::Ready(Part::Sheet(head)));
        self.stages.push_back(Stage::Ready(Part::Rows(rows)));
    }

    /// The next part, reading the next page from the database when a paged sheet is due.
    pub async fn next(&mut self, conn: &mut AsyncPgConnection) -> ApiResult<Option<Part>> {
        loop {
            let page = match self.stages.front_mut() {
                None => return Ok(None),
                Some(Stage::Ready(_)) => {
                    let Some(Stage::Ready(part)) = self.stages.pop_front() else {
                        return Err(ApiError::internal("export stage vanished"));
                    };
                    return Ok(Some(part));
                }
                Some(Stage::Delegates(pages)) => pages.next_page(conn).await?,
                Some(Stage::Checkins(pages)) => pages.next_page(conn).await?,
                Some(Stage::Audit(pages)) => pages.next_page(conn).await?,
            };
            match page {
                Some(rows) => return Ok(Some(Part::Rows(rows))),
                None => {
                    self.stages.pop_front();
                }
            }
        }
    }

    /// The delegate list with the list endpoint's filters.
    pub async fn delegates(
        conn: &mut AsyncPgConnection,
        actor: &Actor,
        conference_id: Uuid,
        filters: delegates::DelegateFilters,
        lang: Lang,
    ) -> ApiResult<Export> {
        let conference = organizer_view(conn, actor, conference_id).await?;
        let labels = Labels::new(lang, &conference.time_zone);
        let mut export = Export::new(title(&labels, labels.delegates_file(), &conference));
        export.paged_delegates(&labels, &conference, filters);
        Ok(export)
    }

    /// Every scan of the conference, oldest first by server time.
    pub async fn checkins(
        conn: &mut AsyncPgConnection,
        actor: &Actor,
        conference_id: Uuid,
        lang: Lang,
    ) -> ApiResult<Export> {
        let conference = organizer_view(conn, actor, conference_id).await?;
        let labels = Labels::new(lang, &conference.time_zone);
        let mut export = Export::new(title(&labels, labels.checkins_file(), &conference));
        export.paged_checkins(&labels, &conference);
        Ok(export)
    }

    /// The attendance and coverage report as sheets.
    pub async fn attendance(
        conn: &mut AsyncPgConnection,
        actor: &Actor,
        conference_id: Uuid,
        lang: Lang,
    ) -> ApiResult<Export> {
        let report = attendance::report(conn, actor, conference_id).await?;
        let conference = organizer_view(conn, actor, conference_id).await?;
        let labels = Labels::new(lang, &report.time_zone);
        let mut export = Export::new(title(&labels, labels.report_file(), &conference));
        for (head, rows) in report_sheets::sheets(&report, &labels) {
            export.sheet(head, rows);
        }
        export.charts(&report, &labels);
        Ok(export)
    }

    /// The post-event package: the report's sheets, then every delegate, every scan, the
    /// substitutions and the audit log, in one workbook.
    pub async fn package(
        conn: &mut AsyncPgConnection,
        actor: &Actor,
        conference_id: Uuid,
        lang: Lang,
    ) -> ApiResult<Export> {
        let report = attendance::report(conn, actor, conference_id).await?;
        let conference = organizer_view(conn, actor, conference_id).await?;
        let labels = Labels::new(lang, &conference.time_zone);
        let mut export = Export::new(title(&labels, labels.package_file(), &conference));
        let mut sheets = report_sheets::sheets(&report, &labels);
        // The report's substitutions sheet goes last, after the two long lists.
        let substitutions = sheets.pop();
        for (head, rows) in sheets {
            export.sheet(head, rows);
        }
        export.charts(&report, &labels);
        export.paged_delegates(&labels, &conference, delegates::DelegateFilters::default());
        export.paged_checkins(&labels, &conference);
        if let Some((head, rows)) = substitutions {
            export.sheet(head, rows);
        }
        export
            .stages
            .push_back(Stage::Ready(Part::Sheet(audit::head(&labels))));
        export
            .stages
            .push_back(Stage::Audit(audit::AuditPages::new(&conference, labels)));
        Ok(export)
    }

    /// The report's charts as native Excel charts on a sheet of their own.
    fn charts(&mut self, report: &attendance::AttendanceReport, labels: &Labels) {
        self.stages.push_back(Stage::Ready(Part::Charts {
            name: labels.pick("Biểu đồ", "Charts").to_owned(),
            charts: report_sheets::charts(report, labels),
        }));
    }

    fn paged_delegates(
        &mut self,
        labels: &Labels,
        conference: &ConferenceRow,
        filters: delegates::DelegateFilters,
    ) {
        self.stages
            .push_back(Stage::Ready(Part::Sheet(delegates::head(labels))));
        self.stages
            .push_back(Stage::Delegates(delegates::DelegatePages::new(
                conference,
                filters,
                labels.clone(),
            )));
    }

    fn paged_checkins(&mut self, labels: &Labels, conference: &ConferenceRow) {
        self.stages
            .push_back(Stage::Ready(Part::Sheet(checkins::head(labels))));
        self.stages
            .push_back(Stage::Checkins(checkins::CheckinPages::new(
                conference,
                labels.clone(),
            )));
    }
}

/// The conference, if the caller organizes it (or is an admin); a 404 otherwise.
async fn organizer_view(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    conference_id: Uuid,
) -> ApiResult<ConferenceRow> {
    load(
        conn,
        conference_id,
        Some(actor),
        Access::Private,
        Lock::None,
    )
    .await
}

/// `<what> - <conference code> - <today in the conference's zone>`.
fn title(labels: &Labels, what: &str, conference: &ConferenceRow) -> String {
    let today = labels.local(Utc::now()).date();
    format!("{what} - {} - {today}", conference.code)
}

/// A local wall time for a stored instant, or an empty cell.
fn time_cell(labels: &Labels, at: Option<DateTime<Utc>>) -> Cell {
    at.map_or(Cell::Empty, |at| Cell::Time(labels.local(at)))
}
