//! Every word a printed document shows, in Vietnamese (the default) and English.

use crate::domain::common::Lang;

/// The words of one language.
pub struct Labels {
    pub lang: Lang,
    pub sheet_title: &'static str,
    pub sheet_file: &'static str,
    pub arrived: &'static str,
    pub not_arrived: &'static str,
    pub session: &'static str,
    pub date: &'static str,
    pub venue: &'static str,
    pub number: &'static str,
    pub full_name: &'static str,
    pub position: &'static str,
    pub unit: &'static str,
    pub phone: &'static str,
    pub checked_in: &'static str,
    pub signature: &'static str,
    pub agencies: &'static str,
    pub districts: &'static str,
    pub enterprises: &'static str,
    pub other_units: &'static str,
    pub no_unit: &'static str,
    pub total: &'static str,
    pub delegates: &'static str,
    pub page: &'static str,
    pub of: &'static str,
    pub certificate_title: &'static str,
    pub certificate_file: &'static str,
    pub certify: &'static str,
    pub attended: &'static str,
    pub held_on: &'static str,
    pub at: &'static str,
    pub code: &'static str,
    pub verify_at: &'static str,
    pub issued_on: &'static str,
    pub badges_file: &'static str,
}

const VI: Labels = Labels {
    lang: Lang::Vi,
    sheet_title: "DANH SÁCH ĐẠI BIỂU KÝ TÊN",
    sheet_file: "Danh sách ký tên",
    arrived: "Đại biểu đã đến",
    not_arrived: "Đại biểu chưa đến",
    session: "Phiên",
    date: "Thời gian",
    venue: "Địa điểm",
    number: "STT",
    full_name: "Họ và tên",
    position: "Chức vụ",
    unit: "Đơn vị",
    phone: "Điện thoại",
    checked_in: "Giờ đến",
    signature: "Ký tên",
    agencies: "Cơ quan, sở, ngành",
    districts: "Huyện, thành phố và xã, phường",
    enterprises: "Doanh nghiệp",
    other_units: "Đơn vị khác",
    no_unit: "Không thuộc đơn vị",
    total: "Tổng cộng",
    delegates: "đại biểu",
    page: "Trang",
    of: "/",
    certificate_title: "GIẤY CHỨNG NHẬN",
    certificate_file: "Giấy chứng nhận",
    certify: "Chứng nhận Ông/Bà",
    attended: "đã tham dự",
    held_on: "Tổ chức ngày",
    at: "tại",
    code: "Mã xác thực",
    verify_at: "Kiểm tra tại",
    issued_on: "Ngày cấp",
    badges_file: "Thẻ đại biểu",
};

const EN: Labels = Labels {
    lang: Lang::En,
    sheet_title: "SIGN-IN SHEET",
    sheet_file: "Sign-in sheet",
    arrived: "Delegates checked in",
    not_arrived: "Delegates not yet arrived",
    session: "Session",
    date: "Date",
    venue: "Venue",
    number: "No.",
    full_name: "Full name",
    position: "Position",
    unit: "Unit",
    phone: "Phone",
    checked_in: "Checked in",
    signature: "Signature",
    agencies: "Agencies and departments",
    districts: "Districts and communes",
    enterprises: "Enterprises",
    other_units: "Other units",
    no_unit: "No unit",
    total: "Total",
    delegates: "delegates",
    page: "Page",
    of: "of",
    certificate_title: "CERTIFICATE OF ATTENDANCE",
    certificate_file: "Certificate",
    certify: "This certifies that",
    attended: "attended",
    held_on: "Held on",
    at: "at",
    code: "Verification code",
    verify_at: "Verify at",
    issued_on: "Issued on",
    badges_file: "Badges",
};

impl Labels {
    pub fn of(lang: Lang) -> &'static Labels {
        match lang {
            Lang::Vi => &VI,
            Lang::En => &EN,
        }
    }

    /// The heading of a section of units, by the kind of its units (`None`: no unit).
    pub fn section(&self, unit_kind: Option<&str>) -> &'static str {
        match unit_kind {
            None => self.no_unit,
            Some("agency") => self.agencies,
            Some("district" | "commune") => self.districts,
            Some("enterprise") => self.enterprises,
            Some(_) => self.other_units,
        }
    }

    /// `Trang 3/12`, `Page 3 of 12`.
    pub fn page_of(&self, page: usize, pages: usize) -> String {
        match self.lang {
            Lang::Vi => format!("{} {page}{}{pages}", self.page, self.of),
            Lang::En => format!("{} {page} {} {pages}", self.page, self.of),
        }
    }

    /// `Tổng cộng: 12 đại biểu`.
    pub fn total_line(&self, delegates: i64) -> String {
        format!("{}: {delegates} {}", self.total, self.delegates)
    }
}
