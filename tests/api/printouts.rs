//! Printed documents, opened with real readers: XLSX with calamine, PDF with poppler's
//! `pdftotext` and `pdfinfo`.

use std::io::Cursor;
use std::process::Command;

use calamine::{Data, Reader, Xlsx};
use reqwest::StatusCode;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::{Reply, TestApp};

/// A published conference with three units (an agency, a district and one of its communes)
/// and seven confirmed delegates: two of the agency, one of the district, three of the
/// commune and one of no unit; an eighth, cancelled. Two came in at the door.
struct Fixture {
    organizer: String,
    cid: String,
    agency: String,
    district: String,
    /// Full name → registration id.
    people: Vec<(String, String)>,
}

impl Fixture {
    fn id(&self, name: &str) -> &str {
        &self.people.iter().find(|(n, _)| n == name).unwrap().1
    }
}

async fn unit(app: &TestApp, organizer: &str, body: Value) -> String {
    let reply = app.post("/api/v1/units", Some(organizer), body).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
    reply.body["id"].as_str().unwrap().to_owned()
}

async fn fixture(app: &TestApp) -> Fixture {
    let organizer = app.organizer("org").await;
    let conference = app
        .published_conference(
            &organizer,
            json!({"code": "sxsh-2030", "venue_name": "Trung tâm Khuyến công Vĩnh Phúc",
                   "host_organization": "Sở Công Thương Vĩnh Phúc"}),
        )
        .await;
    let cid = conference["id"].as_str().unwrap().to_owned();
    let agency = unit(
        app,
        &organizer,
        json!({"name": "Sở Công Thương", "kind": "agency"}),
    )
    .await;
    let district = unit(
        app,
        &organizer,
        json!({"name": "Huyện Tam Dương", "kind": "district"}),
    )
    .await;
    let commune = unit(
        app,
        &organizer,
        json!({"name": "Xã Kim Long", "kind": "commune", "parent_id": district}),
    )
    .await;
    let people = [
        ("Trần Thị Hường", Some(&agency), "Phó Giám đốc"),
        ("Đỗ Văn Bình", Some(&agency), "Chuyên viên"),
        ("Nguyễn Văn An", Some(&district), "Trưởng phòng Kinh tế"),
        ("Lê Thị Đào", Some(&commune), "Chủ tịch UBND xã"),
        ("Phạm Văn Đức", Some(&commune), "Công chức"),
        ("Đỗ Thị Em", Some(&commune), "Công chức"),
        ("Hoàng Văn Giang", None, "Phóng viên"),
        ("Vũ Văn Hủy", Some(&agency), "Chuyên viên"),
    ];
    let mut ids = Vec::new();
    for (n, (name, unit_id, position)) in people.into_iter().enumerate() {
        let reply = app
            .post(
                format!("/api/v1/conferences/{cid}/registrations"),
                Some(&organizer),
                json!({"full_name": name, "position": position, "unit_id": unit_id,
                       "organization": if unit_id.is_none() { Some("Báo Vĩnh Phúc") } else { None },
                       "category": "agency", "phone": format!("09{:08}", n + 1)}),
            )
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
        assert_eq!(reply.body["registration"]["status"], "confirmed");
        ids.push((
            name.to_owned(),
            reply.body["registration"]["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        ));
    }
    let fixture = Fixture {
        organizer,
        cid,
        agency,
        district,
        people: ids,
    };
    let cancelled = app
        .post(
            format!(
                "/api/v1/conferences/{}/registrations/{}/cancel",
                fixture.cid,
                fixture.id("Vũ Văn Hủy")
            ),
            Some(&fixture.organizer),
            json!({}),
        )
        .await;
    assert_eq!(cancelled.status, StatusCode::OK, "{}", cancelled.text);
    for name in ["Nguyễn Văn An", "Trần Thị Hường"] {
        check_in(app, &fixture, name, None).await;
    }
    fixture
}

/// Records an entry from a paper sheet at 08:05 local time (the door, or a session).
async fn check_in(app: &TestApp, fixture: &Fixture, name: &str, session: Option<&str>) {
    let reply = app
        .post(
            format!("/api/v1/conferences/{}/checkin-backfills", fixture.cid),
            Some(&fixture.organizer),
            json!({"registration_id": fixture.id(name), "session_id": session, "direction": "in",
                   "nonce": Uuid::new_v4(), "occurred_at": "2030-07-19T08:05:00+07:00"}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    assert_eq!(reply.body["outcome"], "ok", "{}", reply.text);
}

async fn download(app: &TestApp, token: &str, path: &str) -> (reqwest::header::HeaderMap, Vec<u8>) {
    let response = app
        .request(reqwest::Method::GET, path, Some(token))
        .send()
        .await
        .unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.bytes().await.unwrap().to_vec();
    assert_eq!(
        status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&bytes)
    );
    (headers, bytes)
}

/// The first column of every row of the first sheet, and the rows themselves.
fn xlsx_rows(bytes: Vec<u8>) -> Vec<Vec<String>> {
    let mut workbook: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).unwrap();
    let range = workbook.worksheet_range_at(0).unwrap().unwrap();
    range
        .rows()
        .map(|row| {
            row.iter()
                .map(|cell| match cell {
                    Data::Float(f) => format!("{f}"),
                    Data::Empty => String::new(),
                    other => other.to_string(),
                })
                .collect()
        })
        .collect()
}

fn pdf_file(bytes: &[u8]) -> std::path::PathBuf {
    assert!(bytes.starts_with(b"%PDF-"));
    let path = std::env::temp_dir().join(format!("hoithao-printout-{}.pdf", Uuid::new_v4()));
    std::fs::write(&path, bytes).unwrap();
    path
}

/// The text of a PDF as poppler extracts it.
fn pdf_text(bytes: &[u8]) -> String {
    let path = pdf_file(bytes);
    let out = Command::new("pdftotext")
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) is installed");
    std::fs::remove_file(&path).ok();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// The page count poppler reads.
fn pdf_pages(bytes: &[u8]) -> usize {
    let path = pdf_file(bytes);
    let out = Command::new("pdfinfo").arg(&path).output().unwrap();
    std::fs::remove_file(&path).ok();
    let info = String::from_utf8(out.stdout).unwrap();
    info.lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .unwrap()
        .trim()
        .parse()
        .unwrap()
}

#[actix_web::test]
async fn the_xlsx_sheet_groups_by_unit_kind_with_communes_under_their_district_and_totals() {
    let app = TestApp::spawn().await;
    let f = fixture(&app).await;

    let (headers, bytes) = download(
        &app,
        &f.organizer,
        &format!("/api/v1/conferences/{}/sign-in-sheet.xlsx", f.cid),
    )
    .await;

    assert_eq!(
        headers["content-type"],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    assert_eq!(headers["cache-control"], "no-store");
    let disposition = headers["content-disposition"].to_str().unwrap();
    assert!(
        disposition.contains(
            "filename*=UTF-8''Danh%20s%C3%A1ch%20k%C3%BD%20t%C3%AAn%20%2D%20sxsh%2D2030.xlsx"
        ),
        "{disposition}"
    );
    let rows = xlsx_rows(bytes);
    assert_eq!(rows[0][0], "DANH SÁCH ĐẠI BIỂU KÝ TÊN");
    assert_eq!(rows[1][0], "Hội thảo sản xuất sạch hơn");
    assert!(
        rows[2][0].contains("Trung tâm Khuyến công Vĩnh Phúc"),
        "{:?}",
        rows[2]
    );
    assert_eq!(
        rows[5],
        ["STT", "Họ và tên", "Chức vụ", "Đơn vị", "Giờ đến", "Ký tên"]
    );
    let body: Vec<(String, String, String)> = rows[6..]
        .iter()
        .map(|r| (r[0].clone(), r[1].clone(), r[4].clone()))
        .collect();
    let expected = [
        ("Cơ quan, sở, ngành (2)", "", ""),
        ("Sở Công Thương (2)", "", ""),
        ("1", "Đỗ Văn Bình", ""),
        ("2", "Trần Thị Hường", "08:05"),
        ("Huyện, thành phố và xã, phường (4)", "", ""),
        ("Huyện Tam Dương (1)", "", ""),
        ("3", "Nguyễn Văn An", "08:05"),
        ("Xã Kim Long (Huyện Tam Dương) (3)", "", ""),
        ("4", "Đỗ Thị Em", ""),
        ("5", "Lê Thị Đào", ""),
        ("6", "Phạm Văn Đức", ""),
        ("Không thuộc đơn vị (1)", "", ""),
        ("7", "Hoàng Văn Giang", ""),
        ("Tổng cộng: 7 đại biểu", "", ""),
    ];
    let expected: Vec<(String, String, String)> = expected
        .iter()
        .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
        .collect();
    assert_eq!(body, expected);
    assert_eq!(rows[8][3], "Sở Công Thương");
    assert_eq!(rows[18][3], "Báo Vĩnh Phúc");
}

#[actix_web::test]
async fn the_pdf_sheet_prints_vietnamese_names_intact_with_page_numbers_in_either_language() {
    let app = TestApp::spawn().await;
    let f = fixture(&app).await;

    let (headers, vi) = download(
        &app,
        &f.organizer,
        &format!("/api/v1/conferences/{}/sign-in-sheet.pdf?phone=true", f.cid),
    )
    .await;
    let (_, en) = download(
        &app,
        &f.organizer,
        &format!("/api/v1/conferences/{}/sign-in-sheet.pdf?lang=en", f.cid),
    )
    .await;

    assert_eq!(headers["content-type"], "application/pdf");
    assert_eq!(headers["cache-control"], "no-store");
    let text = pdf_text(&vi);
    for expected in [
        "DANH SÁCH ĐẠI BIỂU KÝ TÊN",
        "Nguyễn Văn An",
        "Trần Thị Hường",
        "Đỗ Văn Bình",
        "Đỗ Thị Em",
        "Xã Kim Long (Huyện Tam Dương) (3)",
        "Điện thoại",
        "+84900000003",
        "Tổng cộng: 7 đại biểu",
        "Trang 1/1",
    ] {
        assert!(
            text.contains(expected),
            "{expected:?} missing from:\n{text}"
        );
    }
    assert!(
        !text.contains("Vũ Văn Hủy"),
        "a cancelled delegate is listed"
    );
    let text = pdf_text(&en);
    for expected in [
        "SIGN-IN SHEET",
        "Full name",
        "Signature",
        "Agencies and departments (2)",
        "Nguyễn Văn An",
        "Total: 7 delegates",
        "Page 1 of 1",
    ] {
        assert!(
            text.contains(expected),
            "{expected:?} missing from:\n{text}"
        );
    }
    assert!(!text.contains("Điện thoại"));
}

#[actix_web::test]
async fn a_long_position_and_organization_wrap_onto_a_second_line_of_the_pdf_sheet_rather_than_being_cut()
 {
    let app = TestApp::spawn().await;
    let organizer = app.organizer("org").await;
    let conference = app.published_conference(&organizer, json!({})).await;
    let cid = conference["id"].as_str().unwrap();
    // Of no unit in the directory, so the organization is printed only in the row's cell.
    let organization = "Trung tâm Khuyến công và Tư vấn phát triển công nghiệp Vĩnh Phúc";
    let position = "Phó Trưởng phòng Quản lý Công nghiệp";
    let reply = app
        .post(
            format!("/api/v1/conferences/{cid}/registrations"),
            Some(&organizer),
            json!({"full_name": "Nguyễn Thị Phương Thảo", "position": position,
                   "organization": organization, "category": "enterprise",
                   "phone": "0912345678"}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);

    let (_, pdf) = download(
        &app,
        &organizer,
        &format!("/api/v1/conferences/{cid}/sign-in-sheet.pdf"),
    )
    .await;

    let text = pdf_text(&pdf);
    assert!(!text.contains('…'), "something was cut:\n{text}");
    let words: Vec<&str> = text.split_whitespace().collect();
    for word in organization.split(' ').chain(position.split(' ')) {
        assert!(words.contains(&word), "{word:?} missing from:\n{text}");
    }
}

#[actix_web::test]
async fn a_long_pdf_sheet_repeats_its_headings_and_numbers_every_page() {
    let app = TestApp::spawn().await;
    let f = fixture(&app).await;
    let client = app.db.client().await;
    client
        .batch_execute(&format!(
            "INSERT INTO registrations (id, conference_id, number, full_name, phone, category, status, source, qr_secret,
                                        delegate_token_hash, search_text, name_folded, unit_id)
             SELECT gen_random_uuid(), '{cid}', 100 + n, 'Nguyễn Thị ' || n, '+8491' || lpad(n::text, 7, '0'), 'agency', 'confirmed', 'organizer',
                    md5(n::text), sha256(n::text::bytea), 'nguyen thi ' || n, 'nguyen thi ' || lpad(n::text, 3, '0'), '{agency}'
             FROM generate_series(1, 120) n",
            cid = f.cid,
            agency = f.agency
        ))
        .await
        .unwrap();

    let (_, pdf) = download(
        &app,
        &f.organizer,
        &format!("/api/v1/conferences/{}/sign-in-sheet.pdf", f.cid),
    )
    .await;

    let pages = pdf_pages(&pdf);
    assert!(pages >= 4, "{pages} pages");
    let text = pdf_text(&pdf);
    assert_eq!(text.matches("Họ và tên").count(), pages);
    assert_eq!(text.matches("DANH SÁCH ĐẠI BIỂU KÝ TÊN").count(), pages);
    for page in 1..=pages {
        assert!(
            text.contains(&format!("Trang {page}/{pages}")),
            "page {page}"
        );
    }
    assert!(text.contains("Tổng cộng: 127 đại biểu"));
}

#[actix_web::test]
async fn the_not_arrived_sheet_lists_only_those_without_a_door_entry() {
    let app = TestApp::spawn().await;
    let f = fixture(&app).await;

    let (_, bytes) = download(
        &app,
        &f.organizer,
        &format!(
            "/api/v1/conferences/{}/sign-in-sheet.xlsx?checked_in=false",
            f.cid
        ),
    )
    .await;

    let rows = xlsx_rows(bytes);
    let names: Vec<&str> = rows[6..]
        .iter()
        .map(|r| r[1].as_str())
        .filter(|n| !n.is_empty())
        .collect();
    assert_eq!(
        names,
        [
            "Đỗ Văn Bình",
            "Đỗ Thị Em",
            "Lê Thị Đào",
            "Phạm Văn Đức",
            "Hoàng Văn Giang"
        ]
    );
    assert!(rows[3][0].contains("Đại biểu chưa đến"));
    assert_eq!(rows.last().unwrap()[0], "Tổng cộng: 5 đại biểu");
}

#[actix_web::test]
async fn filters_by_district_and_unit_keep_the_groups_below_them() {
    let app = TestApp::spawn().await;
    let f = fixture(&app).await;

    let (_, district) = download(
        &app,
        &f.organizer,
        &format!(
            "/api/v1/conferences/{}/sign-in-sheet.xlsx?district_id={}",
            f.cid, f.district
        ),
    )
    .await;
    let (_, agency) = download(
        &app,
        &f.organizer,
        &format!(
            "/api/v1/conferences/{}/sign-in-sheet.xlsx?unit_id={}&lang=en",
            f.cid, f.agency
        ),
    )
    .await;

    assert_eq!(
        xlsx_rows(district).last().unwrap()[0],
        "Tổng cộng: 4 đại biểu"
    );
    let agency = xlsx_rows(agency);
    assert_eq!(agency[5][1], "Full name");
    assert_eq!(agency.last().unwrap()[0], "Total: 2 delegates");
}

#[actix_web::test]
async fn a_session_sheet_shows_the_session_check_in_time_not_the_door() {
    let app = TestApp::spawn().await;
    let f = fixture(&app).await;
    let session = app
        .session(
            &f.organizer,
            &f.cid,
            json!({"title": "Phương pháp luận SXSH", "ends_at": "2030-07-19T09:00:00+07:00"}),
        )
        .await;
    let sid = session["id"].as_str().unwrap();
    check_in(&app, &f, "Lê Thị Đào", Some(sid)).await;

    let (headers, bytes) = download(
        &app,
        &f.organizer,
        &format!(
            "/api/v1/conferences/{}/sessions/{sid}/sign-in-sheet.xlsx",
            f.cid
        ),
    )
    .await;
    let (_, pdf) = download(
        &app,
        &f.organizer,
        &format!(
            "/api/v1/conferences/{}/sessions/{sid}/sign-in-sheet.pdf?checked_in=true",
            f.cid
        ),
    )
    .await;

    assert!(
        headers["content-disposition"]
            .to_str()
            .unwrap()
            .contains("Ph%C6%B0%C6%A1ng%20ph%C3%A1p")
    );
    let rows = xlsx_rows(bytes);
    assert!(
        rows[3][0].starts_with("Phiên: Phương pháp luận SXSH"),
        "{:?}",
        rows[3]
    );
    let times: Vec<(&str, &str)> = rows[6..]
        .iter()
        .filter(|r| !r[4].is_empty())
        .map(|r| (r[1].as_str(), r[4].as_str()))
        .collect();
    assert_eq!(times, [("Lê Thị Đào", "08:05")]);
    let text = pdf_text(&pdf);
    assert!(
        text.contains("Lê Thị Đào") && text.contains("Tổng cộng: 1 đại biểu"),
        "{text}"
    );
    assert!(!text.contains("Nguyễn Văn An"));
}

#[actix_web::test]
async fn unknown_filter_values_are_422_naming_each_field_and_other_organizers_get_404() {
    let app = TestApp::spawn().await;
    let f = fixture(&app).await;
    let stranger = app.organizer("stranger").await;
    let base = format!("/api/v1/conferences/{}/sign-in-sheet.pdf", f.cid);

    let bad = app
        .get(
            format!("{base}?lang=fr&status=gone&category=x&checked_in=yes&phone=1"),
            Some(&f.organizer),
        )
        .await;
    let unknown_unit = app
        .get(
            format!("{base}?district_id={}", Uuid::new_v4()),
            Some(&f.organizer),
        )
        .await;
    let other = app.get(&base, Some(&stranger)).await;
    let session = app
        .get(
            format!(
                "/api/v1/conferences/{}/sessions/{}/sign-in-sheet.xlsx",
                f.cid,
                Uuid::new_v4()
            ),
            Some(&f.organizer),
        )
        .await;
    let anonymous = app.get(&base, None).await;

    bad.assert_problem(422, "validation_failed");
    let mut fields: Vec<String> = bad.error_fields().into_iter().map(|(f, _)| f).collect();
    fields.sort();
    assert_eq!(
        fields,
        ["category", "checked_in", "lang", "phone", "status"]
    );
    unknown_unit.assert_problem(422, "validation_failed");
    assert_eq!(
        unknown_unit.error_fields(),
        [("district_id".to_owned(), "unknown_unit".to_owned())]
    );
    other.assert_problem(404, "not_found");
    session.assert_problem(404, "not_found");
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
}

#[actix_web::test]
async fn badges_carry_names_and_qr_codes_and_every_download_is_recorded() {
    let app = TestApp::spawn().await;
    let f = fixture(&app).await;

    let (headers, sheet) = download(
        &app,
        &f.organizer,
        &format!("/api/v1/conferences/{}/badges.pdf", f.cid),
    )
    .await;
    let (_, single) = download(
        &app,
        &f.organizer,
        &format!(
            "/api/v1/conferences/{}/badges.pdf?layout=single&registration_id={}",
            f.cid,
            f.id("Đỗ Thị Em")
        ),
    )
    .await;
    let (_, unit) = download(
        &app,
        &f.organizer,
        &format!(
            "/api/v1/conferences/{}/badges.pdf?unit_id={}",
            f.cid, f.agency
        ),
    )
    .await;
    let cancelled = app
        .get(
            format!(
                "/api/v1/conferences/{}/badges.pdf?registration_id={}",
                f.cid,
                f.id("Vũ Văn Hủy")
            ),
            Some(&f.organizer),
        )
        .await;
    let bad = app
        .get(
            format!("/api/v1/conferences/{}/badges.pdf?layout=poster", f.cid),
            Some(&f.organizer),
        )
        .await;

    assert_eq!(headers["cache-control"], "no-store");
    assert!(
        headers["content-disposition"]
            .to_str()
            .unwrap()
            .contains("Th%E1%BA%BB%20%C4%91%E1%BA%A1i%20bi%E1%BB%83u")
    );
    assert_eq!(pdf_pages(&sheet), 1);
    let text = pdf_text(&sheet);
    for name in [
        "Nguyễn Văn An",
        "Trần Thị Hường",
        "Đỗ Văn Bình",
        "Hoàng Văn Giang",
        "Sở Công Thương",
        "SXSH-0001",
    ] {
        assert!(text.contains(name), "{name:?} missing from:\n{text}");
    }
    assert!(!text.contains("Vũ Văn Hủy"));
    assert_eq!(pdf_pages(&single), 1);
    assert!(pdf_text(&single).contains("Đỗ Thị Em"));
    assert!(pdf_text(&unit).contains("Đỗ Văn Bình"));
    cancelled.assert_problem(409, "registration_closed");
    bad.assert_problem(422, "validation_failed");
    let client = app.db.client().await;
    let log: Vec<(String, i32)> = client
        .query(
            "SELECT scope, codes FROM qr_disclosures ORDER BY disclosed_at",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    assert_eq!(
        log,
        [
            ("conference".to_owned(), 7),
            ("registration".to_owned(), 1),
            ("unit".to_owned(), 2)
        ]
    );
    assert_eq!(
        app.count("SELECT count(*) FROM qr_disclosures WHERE account_id IS NULL")
            .await,
        0
    );
}

async fn codes(app: &TestApp) -> Vec<String> {
    app.db
        .client()
        .await
        .query("SELECT code FROM certificates ORDER BY code", &[])
        .await
        .unwrap()
        .iter()
        .map(|r| r.get::<_, String>(0))
        .collect()
}

fn verify_path(code: &str) -> String {
    format!("/api/v1/certificates/{code}")
}

#[actix_web::test]
async fn certificates_go_to_attendees_only_and_keep_their_codes_on_reissue() {
    let app = TestApp::spawn().await;
    let f = fixture(&app).await;
    let path = format!("/api/v1/conferences/{}/certificates.pdf", f.cid);

    let (headers, first) = download(&app, &f.organizer, &path).await;
    let issued = codes(&app).await;
    let (_, again) = download(&app, &f.organizer, &path).await;

    assert_eq!(headers["cache-control"], "no-store");
    assert_eq!(pdf_pages(&first), 2);
    assert_eq!(issued.len(), 2);
    assert_eq!(codes(&app).await, issued);
    let text = pdf_text(&again);
    for expected in [
        "GIẤY CHỨNG NHẬN",
        "Nguyễn Văn An",
        "Trần Thị Hường",
        "Hội thảo sản xuất sạch hơn",
        "Mã xác thực",
    ] {
        assert!(
            text.contains(expected),
            "{expected:?} missing from:\n{text}"
        );
    }
    let printed = format!("{}-{}", &issued[0][..5], &issued[0][5..]);
    assert!(text.contains(&printed), "{printed} not printed");
    assert!(text.contains(&format!("/api/v1/certificates/{}", issued[0])));
}

#[actix_web::test]
async fn the_public_verification_confirms_name_conference_and_dates_only() {
    let app = TestApp::spawn().await;
    let f = fixture(&app).await;
    let (_, pdf) = download(
        &app,
        &f.organizer,
        &format!(
            "/api/v1/conferences/{}/registrations/{}/certificate.pdf?lang=en",
            f.cid,
            f.id("Nguyễn Văn An")
        ),
    )
    .await;
    let code: String = app
        .db
        .client()
        .await
        .query_one("SELECT code FROM certificates", &[])
        .await
        .unwrap()
        .get(0);

    let typed = format!("{}-{}", &code[..5], &code[5..]).to_lowercase();
    let verified = app.get(verify_path(&typed), None).await;
    let unknown = app.get(verify_path("00000-00000"), None).await;
    let nonsense = app.get(verify_path("not-a-code"), None).await;

    assert!(pdf_text(&pdf).contains("CERTIFICATE OF ATTENDANCE"));
    assert_eq!(verified.status, StatusCode::OK, "{}", verified.text);
    let mut keys: Vec<&str> = verified
        .body
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "code",
            "conference_title",
            "ends_on",
            "full_name",
            "issued_at",
            "starts_on"
        ]
    );
    assert_eq!(verified.body["full_name"], "Nguyễn Văn An");
    assert_eq!(
        verified.body["conference_title"],
        "Hội thảo sản xuất sạch hơn"
    );
    assert_eq!(verified.body["starts_on"], "2030-07-19");
    unknown.assert_problem(404, "not_found");
    nonsense.assert_problem(404, "not_found");

    app.post(
        format!(
            "/api/v1/conferences/{}/registrations/{}/cancel",
            f.cid,
            f.id("Nguyễn Văn An")
        ),
        Some(&f.organizer),
        json!({}),
    )
    .await;
    app.get(verify_path(&code), None)
        .await
        .assert_problem(404, "not_found");
}

#[actix_web::test]
async fn a_delegate_who_did_not_attend_by_the_rule_gets_no_certificate() {
    let app = TestApp::spawn().await;
    let f = fixture(&app).await;
    let session = app.session(&f.organizer, &f.cid, json!({})).await;
    check_in(
        &app,
        &f,
        "Lê Thị Đào",
        Some(session["id"].as_str().unwrap()),
    )
    .await;
    let one = |name: &str, query: &str| {
        format!(
            "/api/v1/conferences/{}/registrations/{}/certificate.pdf{query}",
            f.cid,
            f.id(name)
        )
    };

    let absent = app.get(one("Đỗ Thị Em", ""), Some(&f.organizer)).await;
    let door_only = app
        .get(
            one("Nguyễn Văn An", "?rule=sessions&min_sessions=1"),
            Some(&f.organizer),
        )
        .await;
    let (_, by_sessions) = download(
        &app,
        &f.organizer,
        &format!(
            "/api/v1/conferences/{}/certificates.pdf?rule=sessions&min_sessions=1",
            f.cid
        ),
    )
    .await;
    let missing_count = app
        .get(
            format!(
                "/api/v1/conferences/{}/certificates.pdf?rule=sessions",
                f.cid
            ),
            Some(&f.organizer),
        )
        .await;
    let bad_rule: Reply = app
        .get(
            format!(
                "/api/v1/conferences/{}/certificates.pdf?rule=weekly&lang=de",
                f.cid
            ),
            Some(&f.organizer),
        )
        .await;

    absent.assert_problem(409, "not_attended");
    door_only.assert_problem(409, "not_attended");
    assert_eq!(pdf_pages(&by_sessions), 1);
    assert!(pdf_text(&by_sessions).contains("Lê Thị Đào"));
    missing_count.assert_problem(422, "validation_failed");
    assert_eq!(
        missing_count.error_fields(),
        [("min_sessions".to_owned(), "required".to_owned())]
    );
    bad_rule.assert_problem(422, "validation_failed");
    assert_eq!(app.count("SELECT count(*) FROM certificates").await, 1);
}

#[actix_web::test]
async fn concurrent_generations_issue_one_certificate_per_attendee() {
    let app = TestApp::spawn().await;
    let f = fixture(&app).await;
    let path = format!("/api/v1/conferences/{}/certificates.pdf", f.cid);

    let (a, b) = tokio::join!(
        download(&app, &f.organizer, &path),
        download(&app, &f.organizer, &path)
    );

    assert_eq!(pdf_pages(&a.1), 2);
    assert_eq!(pdf_pages(&b.1), 2);
    assert_eq!(app.count("SELECT count(*) FROM certificates").await, 2);
    let codes = codes(&app).await;
    let (text_a, text_b) = (pdf_text(&a.1), pdf_text(&b.1));
    for code in &codes {
        let printed = format!("{}-{}", &code[..5], &code[5..]);
        assert!(
            text_a.contains(&printed) && text_b.contains(&printed),
            "{printed}"
        );
    }
}

#[actix_web::test]
async fn badges_and_certificates_are_404_to_other_organizers_and_log_nothing() {
    let app = TestApp::spawn().await;
    let f = fixture(&app).await;
    let stranger = app.organizer("stranger").await;

    for path in [
        format!("/api/v1/conferences/{}/badges.pdf", f.cid),
        format!("/api/v1/conferences/{}/certificates.pdf", f.cid),
        format!(
            "/api/v1/conferences/{}/registrations/{}/certificate.pdf",
            f.cid,
            f.id("Nguyễn Văn An")
        ),
    ] {
        app.get(&path, Some(&stranger))
            .await
            .assert_problem(404, "not_found");
    }
    assert_eq!(app.count("SELECT count(*) FROM qr_disclosures").await, 0);
    assert_eq!(app.count("SELECT count(*) FROM certificates").await, 0);
}
