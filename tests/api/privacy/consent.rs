//! Consent on self-registration, notice versions, and the other legal bases.

use reqwest::{Method, StatusCode};
use serde_json::json;

use super::*;
use crate::helpers::TestApp;

#[actix_web::test]
async fn self_registration_without_accepted_consent_is_refused_naming_consent() {
    let app = TestApp::spawn().await;
    let organizer = app.organizer("org").await;
    let conference = app.published_conference(&organizer, json!({})).await;
    let person = json!({"full_name": NAME, "category": "guest", "phone": PHONE});
    let mut refused = person.clone();
    refused["consent"] = json!({"notice_version": 1, "accepted": false});

    for body in [person, refused] {
        let reply = app.post(self_path(&conference), None, body).await;
        reply.assert_problem(422, "validation_failed");
        assert_eq!(reply.error_fields()[0].0, "consent");
    }
    assert_eq!(app.count("SELECT count(*) FROM registrations").await, 0);
}

#[actix_web::test]
async fn a_new_notice_version_refuses_the_old_one_and_earlier_registrations_keep_theirs() {
    let app = TestApp::spawn().await;
    let organizer = app.organizer("org").await;
    let conference = app.published_conference(&organizer, json!({})).await;
    let cid = conference["id"].as_str().unwrap();
    let (first, first_token) = self_register(&app, &conference, "k").await;

    let published = app
        .post(
            format!("/api/v1/conferences/{cid}/privacy-notices"),
            Some(&organizer),
            json!({"text_vi": "Thông báo mới về dữ liệu cá nhân.", "text_en": "A new notice."}),
        )
        .await;
    assert_eq!(published.status, StatusCode::CREATED, "{}", published.text);
    assert_eq!(published.body["version"], 2);
    let current = app
        .get(format!("/api/v1/conferences/{cid}/privacy-notice"), None)
        .await;
    assert_eq!(current.body["version"], 2);
    assert_eq!(current.body["text_en"], "A new notice.");

    let stale = app
        .post(
            self_path(&conference),
            None,
            with_consent(
                json!({"full_name": "Lê Văn Hai", "category": "guest", "phone": "0912000222"}),
            ),
        )
        .await;
    stale.assert_problem(409, "notice_version_not_current");
    let mut fresh = json!({"full_name": "Lê Văn Hai", "category": "guest", "phone": "0912000222"});
    fresh["consent"] = json!({"notice_version": 2, "accepted": true});
    let accepted = app.post(self_path(&conference), None, fresh).await;
    assert_eq!(accepted.status, StatusCode::CREATED, "{}", accepted.text);

    let client = app.db.client().await;
    let versions: Vec<(String, Option<i32>)> = client
        .query(
            "SELECT legal_basis, consent_notice_version FROM registrations ORDER BY number",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|row| (row.get(0), row.get(1)))
        .collect();
    assert_eq!(
        versions,
        vec![
            ("consent".to_owned(), Some(1)),
            ("consent".to_owned(), Some(2))
        ]
    );
    let export = with_header(
        &app,
        Method::GET,
        "/api/v1/delegate/registration/personal-data",
        None,
        &[("x-delegate-token", &first_token)],
        None,
    )
    .await;
    assert_eq!(export.body["consent"]["notice_version"], 1);
    assert_eq!(export.body["registration"]["id"], first["id"]);
}

#[actix_web::test]
async fn registrations_by_organizers_record_their_legal_basis_instead_of_consent() {
    let app = TestApp::spawn().await;
    let organizer = app.organizer("org").await;
    let conference = app.conference(&organizer, json!({})).await;
    let created = app
        .post(
            format!(
                "/api/v1/conferences/{}/registrations",
                conference["id"].as_str().unwrap()
            ),
            Some(&organizer),
            json!({"full_name": NAME, "category": "guest", "phone": PHONE}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    assert_eq!(
        app.count(
            "SELECT count(*) FROM registrations WHERE legal_basis = 'organizer' \
             AND consent_notice_version IS NULL"
        )
        .await,
        1
    );
}

#[actix_web::test]
async fn a_notice_needs_its_vietnamese_text_and_an_english_text_is_never_blank() {
    let app = TestApp::spawn().await;
    let organizer = app.organizer("org").await;
    let conference = app.conference(&organizer, json!({})).await;
    let path = format!(
        "/api/v1/conferences/{}/privacy-notices",
        conference["id"].as_str().unwrap()
    );

    for (body, field) in [
        (json!({"text_vi": "  "}), "text_vi"),
        (json!({"text_vi": "Thông báo", "text_en": ""}), "text_en"),
    ] {
        let reply = app.post(&path, Some(&organizer), body).await;
        reply.assert_problem(422, "validation_failed");
        assert_eq!(reply.error_fields()[0].0, field);
    }
    assert_eq!(
        app.count("SELECT count(*) FROM privacy_notices WHERE version > 1")
            .await,
        0
    );
}
