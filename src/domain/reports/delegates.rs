//! The delegate list export: the registration list's filters, read in keyset pages, each page
//! completed with its unit path, inviting unit, substitutions and first arrival.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use diesel_async::AsyncPgConnection;
use uuid::Uuid;

use super::{Cell, Labels, PAGE_SIZE, Row, SheetHead, time_cell};
use crate::db::conferences::ConferenceRow;
use crate::db::registrations::{RegistrationFilter, RegistrationRow};
use crate::db::{self};
use crate::domain::common::{RegistrationStatus, reference};
use crate::domain::registrations::{Category, RegistrationSource};
use crate::domain::units::UnitKind;
use crate::error::{ApiResult, FieldError};

/// The registration list's filters, as a client sent them: unknown values are a 422 naming
/// the field, checked before the first byte.
#[derive(Debug, Default)]
pub struct DelegateFilters {
    pub status: Option<RegistrationStatus>,
    pub category: Option<Category>,
    pub source: Option<RegistrationSource>,
    pub unit_id: Option<Uuid>,
    pub unit_kind: Option<UnitKind>,
    pub district_id: Option<Uuid>,
}

impl DelegateFilters {
    /// Parses the text filters, adding every invalid one to `errors` (so a 422 names them all,
    /// with whatever else the request got wrong).
    pub fn parse(
        status: Option<&str>,
        category: Option<&str>,
        source: Option<&str>,
        unit_kind: Option<&str>,
        unit_id: Option<Uuid>,
        district_id: Option<Uuid>,
        errors: &mut Vec<FieldError>,
    ) -> Self {
        DelegateFilters {
            status: status.and_then(|v| keep(RegistrationStatus::parse_field("status", v), errors)),
            category: category.and_then(|v| keep(Category::parse_field("category", v), errors)),
            source: source.and_then(|v| keep(RegistrationSource::parse_field("source", v), errors)),
            unit_kind: unit_kind.and_then(|v| keep(UnitKind::parse_field("unit_kind", v), errors)),
            unit_id,
            district_id,
        }
    }
}

fn keep<T>(parsed: Result<T, FieldError>, errors: &mut Vec<FieldError>) -> Option<T> {
    parsed.map_err(|e| errors.push(e)).ok()
}

const HEADERS: &[(&str, &str)] = &[
    ("Mã đăng ký", "Reference"),
    ("Họ và tên", "Full name"),
    ("Chức vụ", "Position"),
    ("Trạng thái", "Status"),
    ("Nguồn đăng ký", "Source"),
    ("Thành phần", "Category"),
    ("Đơn vị", "Unit"),
    ("Cơ quan, tổ chức", "Organization"),
    ("Email", "Email"),
    ("Điện thoại", "Phone"),
    ("Đơn vị mời", "Invited by"),
    ("Thay thế", "Substitutions"),
    ("Điểm danh lần đầu", "First check-in"),
    ("Ngày đăng ký", "Registered at"),
];

pub fn head(labels: &Labels) -> SheetHead {
    SheetHead {
        name: labels.pick("Đại biểu", "Delegates").to_owned(),
        headers: labels.headers(HEADERS),
    }
}

/// The pages still to read.
pub struct DelegatePages {
    conference_id: Uuid,
    code: String,
    filters: DelegateFilters,
    labels: Labels,
    after: Option<(DateTime<Utc>, Uuid)>,
    done: bool,
}

impl DelegatePages {
    pub fn new(conference: &ConferenceRow, filters: DelegateFilters, labels: Labels) -> Self {
        DelegatePages {
            conference_id: conference.id,
            code: conference.code.clone(),
            filters,
            labels,
            after: None,
            done: false,
        }
    }

    /// The next page of rows, oldest registration first; `None` after the last.
    pub async fn next_page(&mut self, conn: &mut AsyncPgConnection) -> ApiResult<Option<Vec<Row>>> {
        if self.done {
            return Ok(None);
        }
        let filters = &self.filters;
        let rows = db::registrations::list(
            conn,
            self.conference_id,
            RegistrationFilter {
                after: self.after,
                status: filters.status.map(RegistrationStatus::as_str),
                category: filters.category.map(Category::as_str),
                source: filters.source.map(RegistrationSource::as_str),
                unit_id: filters.unit_id,
                unit_kind: filters.unit_kind.map(UnitKind::as_str),
                within_unit: filters.district_id,
                invitation_id: None,
                search: None,
                limit: PAGE_SIZE,
            },
        )
        .await?;
        if rows.len() < usize::try_from(PAGE_SIZE).unwrap_or(usize::MAX) {
            self.done = true;
        }
        let Some(last) = rows.last() else {
            return Ok(None);
        };
        self.after = Some((last.created_at, last.id));
        let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
        let mut details: HashMap<Uuid, db::reports::DelegateDetails> =
            db::reports::delegate_details(conn, &ids)
                .await?
                .into_iter()
                .map(|d| (d.registration_id, d))
                .collect();
        Ok(Some(
            rows.into_iter()
                .map(|row| {
                    let details = details.remove(&row.id);
                    self.row(row, details)
                })
                .collect(),
        ))
    }

    fn row(&self, r: RegistrationRow, d: Option<db::reports::DelegateDetails>) -> Row {
        let labels = &self.labels;
        let (unit_path, invited_by, substitutions, first_checkin_at) = d.map_or_else(
            || (None, None, None, None),
            |d| {
                (
                    d.unit_path,
                    d.invited_by,
                    d.substitutions,
                    d.first_checkin_at,
                )
            },
        );
        vec![
            Cell::Text(reference(&self.code, r.number)),
            Cell::Text(r.full_name),
            Cell::opt_text(r.position),
            Cell::Text(labels.value(r.status.as_str())),
            Cell::Text(labels.value(r.source.as_str())),
            Cell::Text(labels.value(r.category.as_str())),
            Cell::opt_text(unit_path),
            Cell::opt_text(r.organization),
            Cell::opt_text(r.email),
            r.phone.map_or(Cell::Empty, Cell::Phone),
            Cell::opt_text(invited_by),
            Cell::opt_text(substitutions),
            time_cell(labels, first_checkin_at),
            time_cell(labels, Some(r.created_at)),
        ]
    }
}
