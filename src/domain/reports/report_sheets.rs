//! The attendance report as workbook sheets and as the charts drawn from them.

use super::attendance::{AttendanceReport, Figures};
use super::{Cell, ChartSpec, Labels, Row, SheetHead};

const FIGURE_HEADERS: &[(&str, &str)] = &[
    ("Số chỗ được mời", "Invited seats"),
    ("Đăng ký", "Registered"),
    ("Đã xác nhận", "Confirmed"),
    ("Có mặt", "Attended"),
];

fn figure_cells(f: &Figures) -> [Cell; 4] {
    [
        Cell::Int(f.invited_seats),
        Cell::Int(f.registered),
        Cell::Int(f.confirmed),
        Cell::Int(f.attended),
    ]
}

fn head(
    labels: &Labels,
    name: (&'static str, &'static str),
    first: &[(&'static str, &'static str)],
    figures: bool,
) -> SheetHead {
    let mut headers = labels.headers(first);
    if figures {
        headers.extend(labels.headers(FIGURE_HEADERS));
    }
    SheetHead {
        name: labels.pick(name.0, name.1).to_owned(),
        headers,
    }
}

/// The report as sheets: summary, by unit, by district, by session, no-shows, substitutions
/// (the last one always last: the package moves it behind the long lists).
pub fn sheets(report: &AttendanceReport, labels: &Labels) -> Vec<(SheetHead, Vec<Row>)> {
    let mut summary: Vec<Row> = vec![vec![
        Cell::Text(labels.pick("Hội thảo", "Conference").to_owned()),
        Cell::Text(report.title.clone()),
    ]];
    let pairs: [(&str, &str, i64); 4] = [
        (
            "Số chỗ được mời",
            "Invited seats",
            report.totals.invited_seats,
        ),
        ("Đăng ký", "Registered", report.totals.registered),
        ("Đã xác nhận", "Confirmed", report.totals.confirmed),
        ("Có mặt", "Attended", report.totals.attended),
    ];
    for (vi, en, n) in pairs {
        summary.push(vec![
            Cell::Text(labels.pick(vi, en).to_owned()),
            Cell::Int(n),
        ]);
    }
    let c = &report.coverage;
    summary.push(vec![
        Cell::Text(
            labels
                .pick("Đơn vị được mời có mặt", "Invited units present")
                .to_owned(),
        ),
        Cell::Share(c.invited_units_share),
    ]);
    summary.push(vec![
        Cell::Text(
            labels
                .pick("Huyện được mời có mặt", "Invited districts present")
                .to_owned(),
        ),
        Cell::Share(c.invited_districts_share),
    ]);
    for day in &report.by_day {
        let what = labels.pick("Có mặt ngày", "Attended on");
        summary.push(vec![
            Cell::Text(format!("{what} {}", day.date)),
            Cell::Int(day.attended),
        ]);
    }
    let kinds = report
        .by_unit_kind
        .iter()
        .map(|k| {
            let mut row = vec![Cell::Text(labels.value(&k.kind))];
            row.extend(figure_cells(&k.figures));
            row
        })
        .collect();

    let units = report
        .by_unit
        .iter()
        .map(|u| {
            let mut row = vec![
                Cell::opt_text(u.district_name.clone()),
                Cell::Text(u.name.clone()),
                Cell::Text(labels.value(&u.kind)),
            ];
            row.extend(figure_cells(&u.figures));
            row
        })
        .collect();
    let districts = report
        .by_district
        .iter()
        .map(|d| {
            let mut row = vec![Cell::Text(d.name.clone()), Cell::Int(d.units)];
            row.extend(figure_cells(&d.figures));
            row
        })
        .collect();
    let sessions = report
        .by_session
        .iter()
        .map(|s| vec![Cell::Text(s.title.clone()), Cell::Int(s.attended)])
        .collect();
    let no_shows = report
        .no_shows
        .iter()
        .map(|n| {
            vec![
                Cell::Text(n.reference.clone()),
                Cell::Text(n.full_name.clone()),
                Cell::opt_text(n.position.clone()),
                Cell::opt_text(n.unit_name.clone()),
                Cell::opt_text(n.district_name.clone()),
            ]
        })
        .collect();
    let substitutions = report
        .substitutions
        .iter()
        .map(|s| {
            vec![
                super::time_cell(labels, Some(s.substituted_at)),
                Cell::Text(s.reference.clone()),
                Cell::Text(s.previous_name.clone()),
                Cell::opt_text(s.previous_unit_name.clone()),
                Cell::Text(s.new_name.clone()),
                Cell::Text(labels.value(s.by.as_str())),
                Cell::opt_text(s.device_name.clone()),
            ]
        })
        .collect();
    vec![
        (
            head(
                labels,
                ("Tổng hợp", "Summary"),
                &[("Mục", "Item"), ("Giá trị", "Value")],
                false,
            ),
            summary,
        ),
        (
            head(
                labels,
                ("Theo đơn vị", "By unit"),
                &[
                    ("Huyện", "District"),
                    ("Đơn vị", "Unit"),
                    ("Loại đơn vị", "Unit kind"),
                ],
                true,
            ),
            units,
        ),
        (
            head(
                labels,
                ("Theo loại đơn vị", "By unit kind"),
                &[("Loại đơn vị", "Unit kind")],
                true,
            ),
            kinds,
        ),
        (
            head(
                labels,
                ("Theo huyện", "By district"),
                &[("Huyện", "District"), ("Số đơn vị", "Units")],
                true,
            ),
            districts,
        ),
        (
            head(
                labels,
                ("Theo phiên", "By session"),
                &[("Phiên", "Session"), ("Có mặt", "Attended")],
                false,
            ),
            sessions,
        ),
        (
            head(
                labels,
                ("Vắng mặt", "No-shows"),
                &[
                    ("Mã đăng ký", "Reference"),
                    ("Họ và tên", "Full name"),
                    ("Chức vụ", "Position"),
                    ("Đơn vị", "Unit"),
                    ("Huyện", "District"),
                ],
                false,
            ),
            no_shows,
        ),
        (
            head(
                labels,
                ("Thay thế", "Substitutions"),
                &[
                    ("Thời điểm", "When"),
                    ("Mã đăng ký", "Reference"),
                    ("Người được thay", "Replaced"),
                    ("Đơn vị", "Unit"),
                    ("Người thay", "Replaced by"),
                    ("Thực hiện qua", "By"),
                    ("Thiết bị", "Device"),
                ],
                false,
            ),
            substitutions,
        ),
    ]
}

/// Bar charts of the by-district, by-unit-kind and by-session sheets (their names and columns
/// as [`sheets`] writes them), the same three as the SVG charts.
pub fn charts(report: &AttendanceReport, labels: &Labels) -> Vec<ChartSpec> {
    let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
    let confirmed = labels.pick("Đã xác nhận", "Confirmed").to_owned();
    let attended = labels.pick("Có mặt", "Attended").to_owned();
    vec![
        ChartSpec {
            title: labels
                .pick("Tham dự theo huyện", "Attendance by district")
                .to_owned(),
            sheet: labels.pick("Theo huyện", "By district").to_owned(),
            rows: count(report.by_district.len()),
            label_column: 0,
            series: vec![(confirmed.clone(), 4), (attended.clone(), 5)],
        },
        ChartSpec {
            title: labels
                .pick("Tham dự theo loại đơn vị", "Attendance by unit kind")
                .to_owned(),
            sheet: labels.pick("Theo loại đơn vị", "By unit kind").to_owned(),
            rows: count(report.by_unit_kind.len()),
            label_column: 0,
            series: vec![(confirmed, 3), (attended.clone(), 4)],
        },
        ChartSpec {
            title: labels
                .pick("Tham dự theo phiên", "Attendance by session")
                .to_owned(),
            sheet: labels.pick("Theo phiên", "By session").to_owned(),
            rows: count(report.by_session.len()),
            label_column: 0,
            series: vec![(attended, 1)],
        },
    ]
}
