//! Sign-in sheets (danh sách đại biểu ký tên): the delegates of a conference, or of one
//! session, grouped by the kind of their unit and then by unit (communes under their district),
//! with an empty signature column, as XLSX or PDF.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use diesel_async::AsyncPgConnection;
use serde::Deserialize;
use tokio::sync::mpsc;
use utoipa::IntoParams;
use uuid::Uuid;

use super::{Labels, PAGE_ROWS, Printout, check_unit, event_dates, parse_flag, send, zone};
use super::{sheet_pdf, sheet_xlsx, with_renderer};
use crate::db::printouts::{SheetFilter, SheetGroupRow, SheetRow};
use crate::db::{self};
use crate::domain::actor::Actor;
use crate::domain::common::{Access, Lang, Lock, RegistrationStatus, load};
use crate::domain::registrations::Category;
use crate::error::{ApiError, ApiResult, FieldError};

/// Filters and options of a sign-in sheet. Values outside the listed ones are a 422 naming the
/// parameter.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SheetQuery {
    /// Language of headings and labels: `vi` (default) or `en`.
    #[param(value_type = Option<Lang>)]
    pub lang: Option<String>,
    /// Registration status listed (default `confirmed`).
    #[param(value_type = Option<RegistrationStatus>)]
    pub status: Option<String>,
    /// Only delegates of this unit.
    pub unit_id: Option<Uuid>,
    /// Only delegates of this district (or any unit) and the units below it.
    pub district_id: Option<Uuid>,
    /// Only delegates of this category.
    #[param(value_type = Option<Category>)]
    pub category: Option<String>,
    /// `true`: only delegates already checked in; `false`: those who have not arrived yet
    /// (at the door, or for a session sheet into the session).
    #[param(value_type = Option<bool>)]
    pub checked_in: Option<String>,
    /// `true` adds a phone column (the sheet is then printed landscape).
    #[param(value_type = Option<bool>)]
    pub phone: Option<String>,
}

/// The file type asked for.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum SheetFormat {
    Xlsx,
    Pdf,
}

/// What is printed above the rows.
pub(crate) struct SheetHeader {
    pub labels: &'static Labels,
    pub conference_title: String,
    /// A session sheet: the session's title and local time.
    pub session: Option<String>,
    /// "who has arrived" / "who has not arrived yet", when filtered so.
    pub subtitle: Option<&'static str>,
    pub dates: String,
    pub venue: Option<String>,
    pub with_phone: bool,
}

/// One unit's block, with the heading of its section when it opens one.
pub(crate) struct SheetGroup {
    /// `Some((section heading, delegates in the section))` on the first unit of a section.
    pub section: Option<(&'static str, i64)>,
    /// The unit's heading; `None` for the delegates of no unit (their section says it).
    pub heading: Option<String>,
    pub delegates: i64,
}

/// One printed row.
pub(crate) struct SheetLine {
    pub number: i64,
    pub full_name: String,
    pub position: String,
    pub unit: String,
    pub phone: String,
    pub checked_in: String,
}

/// What flows to the renderer: the groups (once, first), then for each group its marker and
/// its rows in pages.
pub(crate) enum SheetItem {
    Groups(Vec<SheetGroup>),
    Group(usize),
    Rows(Vec<SheetLine>),
}

/// A renderer of sheets: told each group as it starts, then its rows.
pub(crate) trait SheetWriter {
    fn group(&mut self, index: usize) -> ApiResult<()>;
    fn row(&mut self, line: SheetLine) -> ApiResult<()>;
    fn finish(self: Box<Self>) -> ApiResult<Vec<u8>>;
}

struct Parsed {
    lang: Lang,
    status: RegistrationStatus,
    category: Option<Category>,
    checked_in: Option<bool>,
    with_phone: bool,
}

/// The value, or `None` with its error noted (so that every bad parameter is named at once).
pub(crate) fn keep<T>(errors: &mut Vec<FieldError>, result: Result<T, FieldError>) -> Option<T> {
    result.map_err(|e| errors.push(e)).ok()
}

fn parse(query: &SheetQuery) -> ApiResult<Parsed> {
    let mut errors = Vec::new();
    let lang = keep(&mut errors, Lang::from_query(query.lang.as_deref()));
    let status = keep(
        &mut errors,
        query
            .status
            .as_deref()
            .map_or(Ok(RegistrationStatus::Confirmed), |v| {
                RegistrationStatus::parse_field("status", v)
            }),
    );
    let category = keep(
        &mut errors,
        query
            .category
            .as_deref()
            .map(|v| Category::parse_field("category", v))
            .transpose(),
    );
    let checked_in = keep(
        &mut errors,
        parse_flag("checked_in", query.checked_in.as_deref()),
    );
    let phone = keep(&mut errors, parse_flag("phone", query.phone.as_deref()));
    match (lang, status, category, checked_in, phone) {
        (Some(lang), Some(status), Some(category), Some(checked_in), Some(phone)) => Ok(Parsed {
            lang,
            status,
            category,
            checked_in,
            with_phone: phone.unwrap_or(false),
        }),
        _ => Err(ApiError::validation(errors)),
    }
}

/// The sign-in sheet of a conference (door check-ins) or of one of its sessions (the session's
/// check-ins; a session that requires sign-up lists its sign-ups). Organizers only (404 to
/// others).
pub async fn sign_in_sheet(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    conference_id: Uuid,
    session_id: Option<Uuid>,
    query: SheetQuery,
    format: SheetFormat,
) -> ApiResult<Printout> {
    let parsed = parse(&query)?;
    let conference = load(
        conn,
        conference_id,
        Some(actor),
        Access::Private,
        Lock::None,
    )
    .await?;
    let session = match session_id {
        Some(id) => Some(
            db::sessions::find(conn, conference_id, id.into(), false)
                .await?
                .ok_or_else(|| ApiError::not_found("session not found"))?,
        ),
        None => None,
    };
    check_unit(conn, "unit_id", query.unit_id).await?;
    check_unit(conn, "district_id", query.district_id).await?;

    let labels = Labels::of(parsed.lang);
    let tz = zone(&conference.time_zone);
    let one_day = conference.starts_at.with_timezone(&tz).date_naive()
        == conference.ends_at.with_timezone(&tz).date_naive();
    let header = SheetHeader {
        labels,
        conference_title: conference.title.clone(),
        session: session.as_ref().map(|s| {
            format!(
                "{}: {} ({}–{})",
                labels.session,
                s.title,
                s.starts_at.with_timezone(&tz).format("%H:%M %d/%m/%Y"),
                s.ends_at.with_timezone(&tz).format("%H:%M")
            )
        }),
        subtitle: parsed.checked_in.map(|arrived| {
            if arrived {
                labels.arrived
            } else {
                labels.not_arrived
            }
        }),
        dates: event_dates(conference.starts_at, conference.ends_at, tz),
        venue: conference.venue_name.clone(),
        with_phone: parsed.with_phone,
    };
    let filter = SheetFilter {
        status: parsed.status.as_str(),
        category: parsed.category.map(Category::as_str),
        unit_id: query.unit_id,
        within_unit: query.district_id,
        session_id,
        signed_up_only: session.as_ref().is_some_and(|s| s.signup_required),
        checked_in: parsed.checked_in,
    };
    let extension = match format {
        SheetFormat::Xlsx => "xlsx",
        SheetFormat::Pdf => "pdf",
    };
    let filename = match &session {
        Some(s) => format!(
            "{} - {} - {}.{extension}",
            labels.sheet_file, conference.code, s.title
        ),
        None => format!("{} - {}.{extension}", labels.sheet_file, conference.code),
    };
    let bytes = with_renderer(
        move |receiver| render(format, header, receiver),
        async |sender| {
            conn.build_transaction()
                .read_only()
                .repeatable_read()
                .run(async |conn| {
                    produce(conn, conference_id, &filter, labels, tz, one_day, sender).await
                })
                .await
        },
    )
    .await?;
    Ok(Printout { filename, bytes })
}

/// Reads the groups, then each group's rows in keyset pages, and sends them on.
async fn produce(
    conn: &mut AsyncPgConnection,
    conference_id: Uuid,
    filter: &SheetFilter<'_>,
    labels: &'static Labels,
    tz: Tz,
    one_day: bool,
    sender: &mpsc::Sender<SheetItem>,
) -> ApiResult<()> {
    let rows = db::printouts::sheet_groups(conn, conference_id, filter).await?;
    let groups = group_blocks(&rows, labels);
    send(sender, SheetItem::Groups(groups)).await?;
    let mut number = 0;
    for (index, group) in rows.iter().enumerate() {
        send(sender, SheetItem::Group(index)).await?;
        let unit = group.unit_name.clone().unwrap_or_default();
        let mut after = (String::new(), Uuid::nil());
        loop {
            let page = db::printouts::sheet_page(
                conn,
                conference_id,
                filter,
                group.unit_id,
                (&after.0, after.1),
                PAGE_ROWS,
            )
            .await?;
            let Some(last) = page.last() else { break };
            after = (last.name_folded.clone(), last.id);
            let full = page.len() as i64 == PAGE_ROWS;
            let lines = page
                .into_iter()
                .map(|row| {
                    number += 1;
                    line(number, row, &unit, tz, one_day)
                })
                .collect();
            send(sender, SheetItem::Rows(lines)).await?;
            if !full {
                break;
            }
        }
    }
    Ok(())
}

fn line(number: i64, row: SheetRow, unit: &str, tz: Tz, one_day: bool) -> SheetLine {
    SheetLine {
        number,
        full_name: row.full_name,
        position: row.position.unwrap_or_default(),
        unit: if unit.is_empty() {
            row.organization.unwrap_or_default()
        } else {
            unit.to_owned()
        },
        phone: row.phone.unwrap_or_default(),
        checked_in: row
            .checked_in_at
            .map(|at| local_time(at, tz, one_day))
            .unwrap_or_default(),
    }
}

/// `07:42`, or `19/12 07:42` when the event spans days.
fn local_time(at: DateTime<Utc>, tz: Tz, one_day: bool) -> String {
    let local = at.with_timezone(&tz);
    if one_day {
        local.format("%H:%M").to_string()
    } else {
        local.format("%d/%m %H:%M").to_string()
    }
}

/// Headings and counts per unit, and per section on its first unit.
fn group_blocks(rows: &[SheetGroupRow], labels: &'static Labels) -> Vec<SheetGroup> {
    let mut blocks = Vec::with_capacity(rows.len());
    let mut previous: Option<&'static str> = None;
    for (index, row) in rows.iter().enumerate() {
        let section = labels.section(row.unit_kind.as_deref());
        let opens = previous != Some(section);
        previous = Some(section);
        let section_total = rows[index..]
            .iter()
            .take_while(|r| labels.section(r.unit_kind.as_deref()) == section)
            .map(|r| r.delegates)
            .sum();
        let heading = match (&row.unit_name, &row.district_name) {
            (Some(unit), Some(district)) => Some(format!("{unit} ({district})")),
            (Some(unit), None) => Some(unit.clone()),
            (None, _) => None,
        };
        blocks.push(SheetGroup {
            section: opens.then_some((section, section_total)),
            heading,
            delegates: row.delegates,
        });
    }
    blocks
}

/// The renderer's side: builds the writer once the groups arrive, then writes what comes.
fn render(
    format: SheetFormat,
    header: SheetHeader,
    mut receiver: mpsc::Receiver<SheetItem>,
) -> ApiResult<Vec<u8>> {
    let Some(SheetItem::Groups(groups)) = receiver.blocking_recv() else {
        return Err(ApiError::internal("sign-in sheet without its groups"));
    };
    let mut writer: Box<dyn SheetWriter> = match format {
        SheetFormat::Xlsx => Box::new(sheet_xlsx::XlsxSheet::new(header, groups)?),
        SheetFormat::Pdf => Box::new(sheet_pdf::PdfSheet::new(header, groups)?),
    };
    while let Some(item) = receiver.blocking_recv() {
        match item {
            SheetItem::Group(index) => writer.group(index)?,
            SheetItem::Rows(lines) => {
                for line in lines {
                    writer.row(line)?;
                }
            }
            SheetItem::Groups(_) => return Err(ApiError::internal("groups sent twice")),
        }
    }
    writer.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn group(kind: Option<&str>, name: &str, district: Option<&str>, n: i64) -> SheetGroupRow {
        SheetGroupRow {
            unit_id: None,
            unit_name: kind.map(|_| name.to_owned()),
            unit_kind: kind.map(str::to_owned),
            district_name: district.map(str::to_owned),
            delegates: n,
        }
    }

    #[test]
    fn sections_open_once_with_their_totals_and_communes_name_their_district() {
        let rows = [
            group(Some("agency"), "Sở Công Thương", None, 3),
            group(Some("district"), "Huyện Tam Dương", None, 2),
            group(Some("commune"), "Xã Kim Long", Some("Huyện Tam Dương"), 4),
            group(None, "", None, 1),
        ];
        let blocks = group_blocks(&rows, Labels::of(Lang::Vi));
        assert_eq!(blocks[0].section, Some(("Cơ quan, sở, ngành", 3)));
        assert_eq!(
            blocks[1].section,
            Some(("Huyện, thành phố và xã, phường", 6))
        );
        assert!(blocks[2].section.is_none());
        assert_eq!(
            blocks[2].heading.as_deref(),
            Some("Xã Kim Long (Huyện Tam Dương)")
        );
        assert_eq!(blocks[3].section, Some(("Không thuộc đơn vị", 1)));
        assert_eq!(blocks[3].heading, None);
    }

    #[test]
    fn defaults_are_vietnamese_and_confirmed_and_unknown_values_are_refused() {
        let parsed = parse(&SheetQuery::default()).unwrap();
        assert_eq!(
            (parsed.lang, parsed.status),
            (Lang::Vi, RegistrationStatus::Confirmed)
        );
        assert!(!parsed.with_phone && parsed.checked_in.is_none());
        let query = SheetQuery {
            checked_in: Some("yes".into()),
            ..SheetQuery::default()
        };
        assert!(parse(&query).is_err());
    }
}
