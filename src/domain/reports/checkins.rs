//! The check-in history export, for audit: every scan, at the door or in a session, with its
//! device, direction, door time and server time, outcome, conflict, and undo.

use chrono::{DateTime, Utc};
use diesel_async::AsyncPgConnection;
use uuid::Uuid;

use super::{Cell, Labels, PAGE_SIZE, Row, SheetHead, time_cell};
use crate::db::conferences::ConferenceRow;
use crate::db::{self, reports::CheckinHistoryRow};
use crate::domain::common::reference;
use crate::error::ApiResult;

const HEADERS: &[(&str, &str)] = &[
    ("Giờ máy chủ nhận", "Server time"),
    ("Giờ tại cửa", "Door time"),
    ("Mã đăng ký", "Reference"),
    ("Họ và tên", "Full name"),
    ("Nơi điểm danh", "Place"),
    ("Thiết bị", "Device"),
    ("Chiều", "Direction"),
    ("Cách điểm danh", "Method"),
    ("Kết quả", "Outcome"),
    ("Xung đột", "Conflict"),
    ("Hủy lúc", "Undone at"),
    ("Người hủy", "Undone by"),
    ("Lý do hủy", "Undo reason"),
];

pub fn head(labels: &Labels) -> SheetHead {
    SheetHead {
        name: labels.pick("Điểm danh", "Check-ins").to_owned(),
        headers: labels.headers(HEADERS),
    }
}

/// The pages still to read, in server-time order.
pub struct CheckinPages {
    conference_id: Uuid,
    code: String,
    labels: Labels,
    after: Option<(DateTime<Utc>, Uuid)>,
    done: bool,
}

impl CheckinPages {
    pub fn new(conference: &ConferenceRow, labels: Labels) -> Self {
        CheckinPages {
            conference_id: conference.id,
            code: conference.code.clone(),
            labels,
            after: None,
            done: false,
        }
    }

    pub async fn next_page(&mut self, conn: &mut AsyncPgConnection) -> ApiResult<Option<Vec<Row>>> {
        if self.done {
            return Ok(None);
        }
        let rows =
            db::reports::checkin_page(conn, self.conference_id, self.after, PAGE_SIZE).await?;
        if rows.len() < usize::try_from(PAGE_SIZE).unwrap_or(usize::MAX) {
            self.done = true;
        }
        let Some(last) = rows.last() else {
            return Ok(None);
        };
        self.after = Some((last.received_at, last.id));
        Ok(Some(rows.into_iter().map(|row| self.row(row)).collect()))
    }

    fn row(&self, c: CheckinHistoryRow) -> Row {
        let labels = &self.labels;
        let place = c.session_title.unwrap_or_else(|| labels.value("door"));
        vec![
            time_cell(labels, Some(c.received_at)),
            time_cell(labels, Some(c.occurred_at)),
            c.registration_number
                .map_or(Cell::Empty, |n| Cell::Text(reference(&self.code, n))),
            Cell::opt_text(c.full_name),
            Cell::Text(place),
            Cell::opt_text(c.device_name),
            Cell::Text(labels.value(&c.direction)),
            Cell::Text(labels.value(&c.method)),
            Cell::Text(labels.value(&c.outcome)),
            Cell::opt_text(c.conflict),
            time_cell(labels, c.undone_at),
            Cell::opt_text(c.undone_by),
            Cell::opt_text(c.undo_reason),
        ]
    }
}
