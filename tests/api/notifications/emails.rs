//! What the emails say: the delegate's (Vietnamese or English, QR, calendar, link) and the unit contact's invitation.

use super::*;

#[actix_web::test]
async fn a_confirmed_registration_emails_the_delegate_in_vietnamese_with_qr_calendar_and_link() {
    let sink = SmtpSink::start();
    let app = TestApp::spawn().await;
    let _worker = start_worker(app.state.pool.clone(), &notify_settings(Some(sink.url())));
    let token = app.organizer("org").await;
    // The conference sends as its own address (normalised to lower case).
    let conference = open_conference(
        &app,
        &token,
        json!({"sender_email": "HoiThao@SCT.VinhPhuc.gov.vn"}),
    )
    .await;

    let created = self_register(
        &app,
        &conference,
        json!({"full_name": "Phạm Thị Yến", "category": "enterprise", "email": "yen@example.vn"}),
    )
    .await;
    let messages = sink.wait_for(1).await;

    assert_eq!(messages.len(), 1);
    let (rcpt, raw) = &messages[0];
    assert_eq!(rcpt, &vec!["yen@example.vn".to_owned()]);
    let message = MessageParser::default().parse(raw).unwrap();
    let subject = message.subject().unwrap();
    assert!(subject.contains("Xác nhận đăng ký"), "{subject}");
    assert!(subject.contains("Hội thảo sản xuất sạch hơn"), "{subject}");
    let from = message.from().unwrap().first().unwrap();
    assert_eq!(from.address().unwrap(), "hoithao@sct.vinhphuc.gov.vn");
    let to = message.to().unwrap().first().unwrap();
    assert_eq!(to.address().unwrap(), "yen@example.vn");
    assert_eq!(to.name().unwrap(), "Phạm Thị Yến");
    let text = message.body_text(0).unwrap();
    assert!(text.contains("Kính gửi Phạm Thị Yến"), "{text}");
    assert!(text.contains("đã được xác nhận"), "{text}");
    assert!(text.contains("Trung tâm Khuyến công"), "{text}");
    let delegate_token = created["delegate_token"].as_str().unwrap();
    let link = format!("https://hoithao.example.vn/delegate#token={delegate_token}");
    assert!(text.contains(&link), "{text}");
    let html = message.body_html(0).unwrap().replace("&#x2f;", "/");
    assert!(html.contains("<img src=\"cid:qr\""), "{html}");
    assert!(html.contains(&format!("<a href=\"{link}\">")), "{html}");
    assert!(html.contains("đã được xác nhận"), "{html}");

    let qr = message
        .attachments()
        .find(|part| {
            part.content_type()
                .is_some_and(|ct| ct.subtype() == Some("png"))
        })
        .expect("an inline QR image");
    assert_eq!(qr.content_id(), Some("qr"));
    assert_eq!(
        decode_qr(qr.contents()),
        created["registration"]["qr_payload"].as_str().unwrap()
    );
    let ics = message
        .attachments()
        .find(|part| {
            part.content_type()
                .is_some_and(|ct| ct.subtype() == Some("calendar"))
        })
        .expect("an .ics attachment");
    let ics = String::from_utf8_lossy(ics.contents()).replace("\r\n ", "");
    assert!(ics.contains("BEGIN:VCALENDAR"), "{ics}");
    assert!(ics.contains(&format!("UID:{conference}@hoithao")), "{ics}");
    assert!(ics.contains("SUMMARY:Hội thảo sản xuất sạch hơn"), "{ics}");
    assert!(ics.contains("DTSTART:20300719T010000Z"), "{ics}");

    let rows = outbox_rows(&app).await;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].1, "registration.confirmed");
    assert_eq!(
        message.message_id(),
        Some(format!("{}@hoithao", rows[0].0).as_str())
    );
    let sent = count_once_settled(
        &app,
        "SELECT count(*) FROM outbox WHERE state = 'sent' AND sent_at IS NOT NULL AND link_token IS NULL",
        1,
    )
    .await;
    assert_eq!(
        sent, 1,
        "delivered, and the link token is gone from the outbox"
    );
}

#[actix_web::test]
async fn a_registration_in_english_gets_its_emails_in_english() {
    let sink = SmtpSink::start();
    let app = TestApp::spawn().await;
    let _worker = start_worker(app.state.pool.clone(), &notify_settings(Some(sink.url())));
    let token = app.organizer("org").await;
    let conference = open_conference(&app, &token, json!({})).await;

    self_register(
        &app,
        &conference,
        json!({"full_name": "Jane Doe", "category": "expert", "email": "jane@example.org", "language": "en"}),
    )
    .await;
    let messages = sink.wait_for(1).await;

    let message = MessageParser::default().parse(&messages[0].1).unwrap();
    assert!(
        message
            .subject()
            .unwrap()
            .starts_with("Registration confirmed"),
        "{:?}",
        message.subject()
    );
    let text = message.body_text(0).unwrap();
    assert!(text.contains("Dear Jane Doe"), "{text}");
    assert!(text.contains("is confirmed"), "{text}");
}

#[actix_web::test]
async fn an_invitation_emails_the_units_contact_its_link_and_seats_and_a_resend_a_new_link() {
    let sink = SmtpSink::start();
    let app = TestApp::spawn().await;
    let _worker = start_worker(app.state.pool.clone(), &notify_settings(Some(sink.url())));
    let token = app.organizer("org").await;
    let conference = app.conference(&token, json!({})).await;
    let conference = conference["id"].as_str().unwrap();
    let unit = app
        .post(
            "/api/v1/units",
            Some(&token),
            json!({"name": "Phòng Kinh tế Vĩnh Yên", "kind": "district",
                   "contact_person": "Ông Đỗ Văn Hùng", "email": "kinhte@example.vn"}),
        )
        .await;
    assert_eq!(unit.status, StatusCode::CREATED, "{}", unit.body);

    let invitation = app
        .post(
            &format!("/api/v1/conferences/{conference}/invitations"),
            Some(&token),
            json!({"unit_id": unit.body["id"], "seats": 3}),
        )
        .await;
    let messages = sink.wait_for(1).await;

    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0].0, vec!["kinhte@example.vn".to_owned()]);
    let message = MessageParser::default().parse(&messages[0].1).unwrap();
    assert!(message.subject().unwrap().starts_with("Thư mời tham dự"));
    let text = message.body_text(0).unwrap();
    assert!(text.contains("cử 3 đại biểu"), "{text}");
    let link = format!(
        "https://hoithao.example.vn/invitation#token={}",
        invitation.body["token"].as_str().unwrap()
    );
    assert!(text.contains(&link), "{text}");

    let resent = app
        .post(
            &format!(
                "/api/v1/conferences/{conference}/invitations/{}/resend",
                invitation.body["invitation"]["id"].as_str().unwrap()
            ),
            Some(&token),
            json!({}),
        )
        .await;
    assert_eq!(resent.status, StatusCode::OK, "{}", resent.body);
    let messages = sink.wait_for(2).await;
    assert_eq!(messages.len(), 2);
    let text = MessageParser::default()
        .parse(&messages[1].1)
        .unwrap()
        .body_text(0)
        .unwrap()
        .into_owned();
    let new_token = resent.body["token"].as_str().unwrap();
    assert!(
        text.contains(&format!("invitation#token={new_token}")),
        "{text}"
    );
    let old = app
        .client
        .get(app.url("/api/v1/invitation"))
        .header(
            "X-Invitation-Token",
            invitation.body["token"].as_str().unwrap(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(
        old.status(),
        StatusCode::NOT_FOUND,
        "the old link stops working"
    );
}
