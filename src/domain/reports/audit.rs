//! The audit log as a sheet of the post-event package: who wrote what, when and from where, for
//! this conference, newest first. Field names only, as in the log itself.

use chrono::{DateTime, Utc};
use diesel_async::AsyncPgConnection;
use uuid::Uuid;

use super::{Cell, Labels, PAGE_SIZE, Row, SheetHead, time_cell};
use crate::db::audit::{AuditFilter, AuditRow};
use crate::db::{self, conferences::ConferenceRow};
use crate::error::ApiResult;

const HEADERS: &[(&str, &str)] = &[
    ("Thời điểm", "Time"),
    ("Bảng", "Entity"),
    ("Mã bản ghi", "Entity id"),
    ("Thao tác", "Action"),
    ("Trường thay đổi", "Fields"),
    ("Người thực hiện", "Actor"),
    ("Mã người thực hiện", "Actor id"),
    ("Vai trò", "Role"),
    ("Địa chỉ IP", "Client IP"),
    ("Mã yêu cầu", "Request id"),
];

pub fn head(labels: &Labels) -> SheetHead {
    SheetHead {
        name: labels.pick("Nhật ký thao tác", "Audit log").to_owned(),
        headers: labels.headers(HEADERS),
    }
}

/// The pages still to read, newest entry first (the log's own order).
pub struct AuditPages {
    conference_id: Uuid,
    labels: Labels,
    before: Option<(DateTime<Utc>, Uuid)>,
    done: bool,
}

impl AuditPages {
    pub fn new(conference: &ConferenceRow, labels: Labels) -> Self {
        AuditPages {
            conference_id: conference.id,
            labels,
            before: None,
            done: false,
        }
    }

    pub async fn next_page(&mut self, conn: &mut AsyncPgConnection) -> ApiResult<Option<Vec<Row>>> {
        if self.done {
            return Ok(None);
        }
        let filter = AuditFilter {
            conference_id: Some(self.conference_id),
            entity: None,
            entity_id: None,
            actor_id: None,
            from: None,
            to: None,
            before: self.before,
            limit: PAGE_SIZE,
        };
        let rows = db::audit::list(conn, &filter).await?;
        if rows.len() < usize::try_from(PAGE_SIZE).unwrap_or(usize::MAX) {
            self.done = true;
        }
        let Some(last) = rows.last() else {
            return Ok(None);
        };
        self.before = Some((last.at, last.id));
        Ok(Some(rows.into_iter().map(|row| self.row(row)).collect()))
    }

    fn row(&self, entry: AuditRow) -> Row {
        let fields: Vec<String> = entry.fields.into_iter().flatten().collect();
        vec![
            time_cell(&self.labels, Some(entry.at)),
            Cell::Text(entry.entity),
            Cell::opt_text(entry.entity_id.map(|id| id.to_string())),
            Cell::Text(entry.action),
            Cell::Text(fields.join(", ")),
            Cell::Text(entry.actor_kind),
            Cell::opt_text(entry.actor_id.map(|id| id.to_string())),
            Cell::opt_text(entry.actor_role),
            Cell::opt_text(entry.client_ip),
            Cell::opt_text(entry.request_id),
        ]
    }
}
