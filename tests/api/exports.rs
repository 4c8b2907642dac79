//! Exports of the delegate list and the check-in history, opened with real readers: CSV parsed
//! back, XLSX read with calamine. Also access, headers, refusals and the package workbook.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::TestApp;
use crate::report_fixture::{download, fixture, sheet, sheet_names};

/// The CSV's records, after checking and removing the byte-order mark.
fn parse_csv(bytes: &[u8], delimiter: u8) -> Vec<Vec<String>> {
    assert!(bytes.starts_with("\u{feff}".as_bytes()), "UTF-8 with a BOM");
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .from_reader(&bytes[3..]);
    reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect()
}

fn row_of<'a>(rows: &'a [Vec<String>], name: &str) -> &'a Vec<String> {
    rows.iter()
        .find(|r| r.iter().any(|c| c == name))
        .unwrap_or_else(|| panic!("no row for {name} in {rows:?}"))
}

fn column(rows: &[Vec<String>], heading: &str) -> usize {
    rows[0]
        .iter()
        .position(|h| h == heading)
        .unwrap_or_else(|| panic!("no column {heading} in {:?}", rows[0]))
}

#[actix_web::test]
async fn the_delegate_csv_has_every_column_in_vietnamese_with_unit_paths_and_substitutions() {
    let app = TestApp::spawn().await;
    let f = fixture(&app).await;

    let (status, headers, bytes) = download(
        &app,
        &f.organizer,
        &format!("/api/v1/conferences/{}/exports/registrations.csv", f.cid),
    )
    .await;

    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["content-type"], "text/csv; charset=utf-8");
    assert_eq!(headers["cache-control"], "no-store");
    let disposition = headers["content-disposition"].to_str().unwrap();
    assert!(
        disposition.starts_with("attachment; filename=\"Danh sach dai bieu - sxsh-"),
        "{disposition}"
    );
    assert!(
        disposition.contains("filename*=UTF-8''Danh%20s%C3%A1ch%20%C4%91%E1%BA%A1i%20bi%E1%BB%83u"),
        "{disposition}"
    );
    let rows = parse_csv(&bytes, b',');
    assert_eq!(
        rows[0],
        [
            "Mã đăng ký",
            "Họ và tên",
            "Chức vụ",
            "Trạng thái",
            "Nguồn đăng ký",
            "Thành phần",
            "Đơn vị",
            "Cơ quan, tổ chức",
            "Email",
            "Điện thoại",
            "Đơn vị mời",
            "Thay thế",
            "Điểm danh lần đầu",
            "Ngày đăng ký"
        ]
    );
    assert_eq!(rows.len(), 1 + 7);
    let substitute = row_of(&rows, "Trần Thị Thay");
    assert_eq!(
        substitute[column(&rows, "Đơn vị")],
        "Huyện Tam Đảo › Xã Hợp Châu"
    );
    assert_eq!(substitute[column(&rows, "Đơn vị mời")], "Xã Hợp Châu");
    assert_eq!(
        substitute[column(&rows, "Thay thế")],
        "Trần Văn Xã → Trần Thị Thay"
    );
    assert_eq!(
        substitute[column(&rows, "Điểm danh lần đầu")],
        "2030-07-19 07:45:00"
    );
    assert_eq!(substitute[column(&rows, "Trạng thái")], "Đã xác nhận");
    assert_eq!(substitute[column(&rows, "Nguồn đăng ký")], "Qua giấy mời");
    assert_eq!(
        substitute[column(&rows, "Điện thoại")],
        "0912 000 007",
        "readable, not a formula"
    );
    assert!(substitute[column(&rows, "Mã đăng ký")].starts_with("SXSH-"));
    let undone = row_of(&rows, "Đỗ Thị Hương");
    assert_eq!(
        undone[column(&rows, "Điểm danh lần đầu")],
        "",
        "an undone scan is no arrival"
    );
    let guest = row_of(&rows, "Vũ Khách Mời");
    assert_eq!(
        guest[column(&rows, "Cơ quan, tổ chức")],
        "'=HYPERLINK(\"http://x\")",
        "shown, never run"
    );
    assert_eq!(guest[column(&rows, "Điện thoại")], "'+1 202-555-0100");
    assert_eq!(guest[column(&rows, "Đơn vị")], "");
    assert_eq!(guest[column(&rows, "Thành phần")], "Khách mời");
}

#[actix_web::test]
async fn the_delegate_csv_takes_the_list_filters_english_and_semicolons() {
    let app = TestApp::spawn().await;
    let f = fixture(&app).await;

    let (status, headers, bytes) = download(
        &app,
        &f.organizer,
        &format!(
            "/api/v1/conferences/{}/exports/registrations.csv?district_id={}&status=confirmed&lang=en&delimiter=semicolon",
            f.cid,
            f.tam_dao["id"].as_str().unwrap()
        ),
    )
    .await;

    assert_eq!(status, StatusCode::OK);
    let disposition = headers["content-disposition"].to_str().unwrap();
    assert!(
        disposition.contains("filename=\"Delegates - sxsh-"),
        "{disposition}"
    );
    let rows = parse_csv(&bytes, b';');
    assert_eq!(rows[0][0], "Reference");
    assert_eq!(rows[0][6], "Unit");
    let mut names: Vec<&str> = rows[1..].iter().map(|r| r[1].as_str()).collect();
    names.sort_unstable();
    assert_eq!(
        names,
        ["Lê Văn Phòng", "Trần Thị Thay", "Đỗ Thị Hương"],
        "the district with its commune and office"
    );
    assert_eq!(row_of(&rows, "Lê Văn Phòng")[3], "Confirmed");
}

#[actix_web::test]
async fn unknown_filter_lang_and_delimiter_values_are_one_422_naming_each_field() {
    let app = TestApp::spawn().await;
    let f = fixture(&app).await;

    let reply = app
        .get(
            format!(
                "/api/v1/conferences/{}/exports/registrations.csv?status=present&unit_kind=planet&lang=fr&delimiter=tab",
                f.cid
            ),
            Some(&f.organizer),
        )
        .await;
    let xlsx = app
        .get(
            format!("/api/v1/conferences/{}/reports/package.xlsx?lang=de", f.cid),
            Some(&f.organizer),
        )
        .await;
    let chart = app
        .get(
            format!(
                "/api/v1/conferences/{}/reports/charts/sessions.svg?lang=xx",
                f.cid
            ),
            Some(&f.organizer),
        )
        .await;

    reply.assert_problem(422, "validation_failed");
    let mut fields: Vec<String> = reply.error_fields().into_iter().map(|(f, _)| f).collect();
    fields.sort_unstable();
    assert_eq!(fields, ["delimiter", "lang", "status", "unit_kind"]);
    assert!(
        reply
            .error_fields()
            .iter()
            .all(|(_, code)| code == "unknown_value")
    );
    xlsx.assert_problem(422, "validation_failed");
    assert_eq!(
        xlsx.error_fields(),
        [("lang".to_owned(), "unknown_value".to_owned())]
    );
    chart.assert_problem(422, "validation_failed");
}

#[actix_web::test]
async fn another_organizer_gets_404_from_every_export_and_report() {
    let app = TestApp::spawn().await;
    let f = fixture(&app).await;
    let stranger = app.organizer("stranger").await;

    for path in [
        "exports/registrations.csv",
        "exports/registrations.xlsx",
        "exports/checkins.csv",
        "exports/checkins.xlsx",
        "reports/attendance",
        "reports/attendance.xlsx",
        "reports/charts/districts.svg",
        "reports/charts/unit-kinds.svg",
        "reports/charts/sessions.svg",
        "reports/package.xlsx",
    ] {
        let reply = app
            .get(
                format!("/api/v1/conferences/{}/{path}", f.cid),
                Some(&stranger),
            )
            .await;
        reply.assert_problem(404, "not_found");
        let anonymous = app
            .get(format!("/api/v1/conferences/{}/{path}", f.cid), None)
            .await;
        assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED, "{path}");
    }
}

#[actix_web::test]
async fn the_delegate_workbook_holds_the_csvs_rows_with_diacritics_and_e164_phones() {
    let app = TestApp::spawn().await;
    let f = fixture(&app).await;

    let (status, headers, bytes) = download(
        &app,
        &f.organizer,
        &format!("/api/v1/conferences/{}/exports/registrations.xlsx", f.cid),
    )
    .await;

    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        headers["content-type"],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    assert_eq!(headers["cache-control"], "no-store");
    assert_eq!(sheet_names(&bytes), ["Đại biểu"]);
    let rows = sheet(&bytes, "Đại biểu");
    assert_eq!(rows.len(), 1 + 7);
    assert_eq!(rows[0][1], "Họ và tên");
    let substitute = row_of(&rows, "Trần Thị Thay");
    assert_eq!(
        substitute[column(&rows, "Đơn vị")],
        "Huyện Tam Đảo › Xã Hợp Châu"
    );
    assert_eq!(substitute[column(&rows, "Điện thoại")], "+84912000007");
    assert_eq!(
        substitute[column(&rows, "Điểm danh lần đầu")],
        "2030-07-19 07:45:00",
        "an Excel date"
    );
    let guest = row_of(&rows, "Vũ Khách Mời");
    assert_eq!(
        guest[column(&rows, "Cơ quan, tổ chức")],
        "=HYPERLINK(\"http://x\")",
        "a string cell, never a formula"
    );
}

#[actix_web::test]
async fn the_checkin_history_lists_every_scan_with_the_undo_its_reason_and_who() {
    let app = TestApp::spawn().await;
    let f = fixture(&app).await;

    let (status, headers, bytes) = download(
        &app,
        &f.organizer,
        &format!("/api/v1/conferences/{}/exports/checkins.csv", f.cid),
    )
    .await;
    let (_, _, workbook) = download(
        &app,
        &f.organizer,
        &format!(
            "/api/v1/conferences/{}/exports/checkins.xlsx?lang=en",
            f.cid
        ),
    )
    .await;

    assert_eq!(status, StatusCode::OK);
    assert!(
        headers["content-disposition"]
            .to_str()
            .unwrap()
            .contains("L%E1%BB%8Bch%20s%E1%BB%AD%20%C4%91i%E1%BB%83m%20danh")
    );
    let rows = parse_csv(&bytes, b',');
    assert_eq!(rows.len(), 1 + 6, "every scan, the undone one included");
    let undone = row_of(&rows, "Đỗ Thị Hương");
    assert_eq!(undone[column(&rows, "Lý do hủy")], "quét nhầm người");
    assert_eq!(undone[column(&rows, "Người hủy")], "Test org@example.vn");
    assert!(!undone[column(&rows, "Hủy lúc")].is_empty());
    assert_eq!(undone[column(&rows, "Giờ tại cửa")], "2030-07-19 07:50:00");
    assert_eq!(undone[column(&rows, "Nơi điểm danh")], "Cửa vào");
    assert_eq!(undone[column(&rows, "Thiết bị")], "Cửa chính 1");
    assert_eq!(undone[column(&rows, "Kết quả")], "Hợp lệ");
    let places: Vec<&str> = rows[1..]
        .iter()
        .map(|r| r[column(&rows, "Nơi điểm danh")].as_str())
        .collect();
    assert_eq!(
        places.iter().filter(|p| **p == "Khai mạc").count(),
        1,
        "the session scan"
    );

    assert_eq!(sheet_names(&workbook), ["Check-ins"]);
    let sheet_rows = sheet(&workbook, "Check-ins");
    assert_eq!(sheet_rows.len(), 1 + 6);
    let undone = row_of(&sheet_rows, "Đỗ Thị Hương");
    assert_eq!(
        undone[column(&sheet_rows, "Undo reason")],
        "quét nhầm người"
    );
    assert_eq!(undone[column(&sheet_rows, "Place")], "Door");
}

#[actix_web::test]
async fn the_package_has_every_sheet_with_the_reports_counts_and_every_row() {
    let app = TestApp::spawn().await;
    let f = fixture(&app).await;

    let (status, headers, bytes) = download(
        &app,
        &f.organizer,
        &format!("/api/v1/conferences/{}/reports/package.xlsx", f.cid),
    )
    .await;

    assert_eq!(status, StatusCode::OK);
    assert!(
        headers["content-disposition"]
            .to_str()
            .unwrap()
            .contains("H%E1%BB%93%20s%C6%A1%20sau%20h%E1%BB%99i%20th%E1%BA%A3o")
    );
    assert_eq!(
        sheet_names(&bytes),
        [
            "Tổng hợp",
            "Theo đơn vị",
            "Theo loại đơn vị",
            "Theo huyện",
            "Theo phiên",
            "Vắng mặt",
            "Biểu đồ",
            "Đại biểu",
            "Điểm danh",
            "Thay thế",
            "Nhật ký thao tác"
        ]
    );
    assert_eq!(sheet(&bytes, "Đại biểu").len(), 1 + 7);
    // The audit log: every entry of this conference, field names and never values.
    let audit = sheet(&bytes, "Nhật ký thao tác");
    let logged = app
        .count(&format!(
            "SELECT count(*) FROM audit_log WHERE conference_id = '{}'",
            f.cid
        ))
        .await;
    assert!(logged > 0);
    assert_eq!(audit.len() as i64, 1 + logged);
    assert!(
        audit.iter().skip(1).any(|row| row[1] == "registrations"
            && row[3] == "insert"
            && row[4].contains("full_name")),
        "{audit:?}"
    );
    assert!(
        !audit.iter().flatten().any(|cell| cell.contains("Nguyễn")),
        "the log names fields, not the people in them"
    );
    assert_eq!(sheet(&bytes, "Điểm danh").len(), 1 + 6);
    assert_eq!(sheet(&bytes, "Thay thế").len(), 1 + 1);
    let units = sheet(&bytes, "Theo đơn vị");
    assert!(
        units.contains(&vec![
            "Huyện Tam Đảo".to_owned(),
            "Xã Hợp Châu".into(),
            "Xã".into(),
            "3".into(),
            "2".into(),
            "2".into(),
            "1".into()
        ]),
        "{units:?}"
    );
    let sessions = sheet(&bytes, "Theo phiên");
    assert_eq!(sessions[1], ["Khai mạc", "1"]);
}

#[actix_web::test]
async fn a_delegate_export_longer_than_a_page_has_every_row_once() {
    let app = TestApp::spawn().await;
    let organizer = app.organizer("org").await;
    let conference = app.conference(&organizer, json!({"capacity": null})).await;
    let cid = conference["id"].as_str().unwrap();
    let rows = 2_345;
    let mut csv = String::from("Họ và tên,Thành phần,Điện thoại\n");
    for n in 0..rows {
        csv.push_str(&format!("Nguyễn Văn Số {n},agency,09{n:08}\n"));
    }
    let imported = app
        .request(
            reqwest::Method::POST,
            &format!("/api/v1/conferences/{cid}/registration-imports"),
            Some(&organizer),
        )
        .header("content-type", "text/csv")
        .body(csv)
        .send()
        .await
        .unwrap();
    assert_eq!(
        imported.status(),
        StatusCode::OK,
        "{}",
        imported.text().await.unwrap()
    );

    let (status, _, bytes) = download(
        &app,
        &organizer,
        &format!("/api/v1/conferences/{cid}/exports/registrations.csv"),
    )
    .await;
    let (_, _, workbook) = download(
        &app,
        &organizer,
        &format!("/api/v1/conferences/{cid}/exports/registrations.xlsx"),
    )
    .await;

    assert_eq!(status, StatusCode::OK);
    let parsed = parse_csv(&bytes, b',');
    assert_eq!(parsed.len(), 1 + rows);
    let mut names: Vec<&str> = parsed[1..].iter().map(|r| r[1].as_str()).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), rows, "no row twice, none missing");
    assert_eq!(sheet(&workbook, "Đại biểu").len(), 1 + rows);
}
