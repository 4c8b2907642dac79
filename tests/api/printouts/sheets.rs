//! Sign-in sheets: XLSX and PDF, filters, the not-arrived and session sheets.

use super::*;

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
