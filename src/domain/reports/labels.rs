//! Words a person reads in exports and charts, Vietnamese by default or English, and the
//! conference's time zone for the times they show.

use chrono::{DateTime, NaiveDateTime, Utc};
use chrono_tz::Tz;

use crate::domain::common::Lang;

#[derive(Debug, Clone)]
pub struct Labels {
    pub lang: Lang,
    zone: Tz,
}

impl Labels {
    pub fn new(lang: Lang, time_zone: &str) -> Self {
        Labels {
            lang,
            zone: time_zone.parse().unwrap_or(chrono_tz::Asia::Ho_Chi_Minh),
        }
    }

    /// The Vietnamese or the English text.
    pub fn pick(&self, vi: &'static str, en: &'static str) -> &'static str {
        match self.lang {
            Lang::Vi => vi,
            Lang::En => en,
        }
    }

    /// Headings in the language asked for.
    pub fn headers(&self, pairs: &[(&'static str, &'static str)]) -> Vec<String> {
        pairs
            .iter()
            .map(|(vi, en)| self.pick(vi, en).to_owned())
            .collect()
    }

    /// The wall-clock time in the conference's time zone.
    pub fn local(&self, at: DateTime<Utc>) -> NaiveDateTime {
        at.with_timezone(&self.zone).naive_local()
    }

    pub fn delegates_file(&self) -> &'static str {
        self.pick("Danh sách đại biểu", "Delegates")
    }

    pub fn checkins_file(&self) -> &'static str {
        self.pick("Lịch sử điểm danh", "Check-in history")
    }

    pub fn report_file(&self) -> &'static str {
        self.pick("Báo cáo tham dự", "Attendance report")
    }

    pub fn package_file(&self) -> &'static str {
        self.pick("Hồ sơ sau hội thảo", "Post-event package")
    }

    /// A stored enum value as a person reads it; unknown values are shown as stored.
    pub fn value(&self, stored: &str) -> String {
        let (vi, en) = match stored {
            // registration status
            "pending_approval" => ("Chờ duyệt", "Pending approval"),
            "confirmed" => ("Đã xác nhận", "Confirmed"),
            "waitlisted" => ("Danh sách chờ", "Waitlisted"),
            "cancelled" => ("Đã hủy", "Cancelled"),
            "rejected" => ("Bị từ chối", "Rejected"),
            // source
            "self" => ("Tự đăng ký", "Self-registered"),
            "invitation" => ("Qua giấy mời", "Invitation"),
            "organizer" => ("Ban tổ chức", "Organizer"),
            "import" => ("Nhập từ tệp", "Import"),
            // category
            "guest" => ("Khách mời", "Guest"),
            "agency" => ("Cơ quan", "Agency"),
            "district" => ("Huyện", "District"),
            "commune" => ("Xã", "Commune"),
            "enterprise" => ("Doanh nghiệp", "Enterprise"),
            "expert" => ("Chuyên gia", "Expert"),
            "speaker" => ("Báo cáo viên", "Speaker"),
            "press" => ("Báo chí", "Press"),
            "staff" => ("Ban tổ chức (nhân viên)", "Staff"),
            "other" => ("Khác", "Other"),
            "none" => ("Không thuộc đơn vị", "No unit"),
            // check-in direction, method, outcome
            "in" => ("Vào", "In"),
            "out" => ("Ra", "Out"),
            "scan" => ("Quét mã", "Scan"),
            "manual" => ("Tìm theo tên", "Manual"),
            "offline" => ("Ngoại tuyến", "Offline"),
            "ok" => ("Hợp lệ", "OK"),
            "already_checked_in" => ("Đã điểm danh trước đó", "Already checked in"),
            "unknown_code" => ("Mã không hợp lệ", "Unknown code"),
            "other_conference" => ("Mã của hội thảo khác", "Other conference"),
            "not_signed_up_for_session" => ("Chưa đăng ký phiên", "Not signed up for session"),
            "outside_window" => ("Ngoài giờ điểm danh", "Outside window"),
            "door" => ("Cửa vào", "Door"),
            other => return other.to_owned(),
        };
        self.pick(vi, en).to_owned()
    }
}
