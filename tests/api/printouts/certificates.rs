//! Certificates of attendance: who gets one, reissue, the public verification, concurrency.

use super::*;

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
