//! Badges with QR codes and their download log; who may download badges and certificates.

use super::*;

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
