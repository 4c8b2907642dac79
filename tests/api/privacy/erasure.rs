//! Erasure leaves no trace and keeps the totals; a person's own data export.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::*;
use crate::helpers::TestApp;

#[actix_web::test]
async fn erasure_leaves_no_trace_of_the_person_in_any_column_and_every_report_keeps_its_totals() {
    let app = TestApp::spawn().await;
    let organizer = app.organizer("org").await;
    let (door, registration, delegate_token) = attended(&app, &organizer).await;
    let (second, second_id) = substituted(&app, &organizer).await;
    let (third, third_id) = imported(&app, &organizer).await;
    let failed = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({"email": EMAIL, "password": "not the password"}),
        )
        .await;
    assert_eq!(failed.status, StatusCode::UNAUTHORIZED);
    assert!(
        !columns_holding(&app, &needles()).await.is_empty(),
        "the scan finds the person before erasure"
    );
    let before = [
        reports(&app, &organizer, &door.conference).await,
        reports(&app, &organizer, &second).await,
        reports(&app, &organizer, &third).await,
    ];

    let own = app
        .request(Method::GET, "/api/v1/delegate/registration", None)
        .header("x-delegate-token", &delegate_token)
        .send()
        .await
        .unwrap();
    let etag = own.headers()["etag"].to_str().unwrap().to_owned();
    let erased = with_header(
        &app,
        Method::POST,
        "/api/v1/delegate/registration/erase",
        None,
        &[("x-delegate-token", &delegate_token), ("If-Match", &etag)],
        None,
    )
    .await;
    assert_eq!(erased.status, StatusCode::OK, "{}", erased.text);
    for (conference, id) in [(&second, &second_id), (&third, &third_id)] {
        let reply = erase_as_organizer(&app, &organizer, conference, id).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    }

    let hits = columns_holding(&app, &needles()).await;
    assert!(hits.is_empty(), "personal data left behind: {hits:#?}");
    // The emails their registrations queued (no SMTP server here) are not sent after erasure,
    // and no link token waits in the outbox for an address that is gone.
    assert!(
        app.count("SELECT count(*) FROM outbox o JOIN registrations r ON r.id = o.registration_id WHERE r.erased_at IS NOT NULL AND o.channel = 'email'")
            .await
            > 0,
        "the scenario queued emails"
    );
    assert_eq!(
        app.count("SELECT count(*) FROM outbox o JOIN registrations r ON r.id = o.registration_id WHERE r.erased_at IS NOT NULL AND (o.state IN ('pending', 'sending', 'dead') OR o.link_token IS NOT NULL)")
            .await,
        0
    );
    let replacement_hits = columns_holding(&app, &[REPLACEMENT.to_owned()]).await;
    assert!(
        replacement_hits.is_empty(),
        "the seat's later holder is erased with it: {replacement_hits:#?}"
    );
    let after = [
        reports(&app, &organizer, &door.conference).await,
        reports(&app, &organizer, &second).await,
        reports(&app, &organizer, &third).await,
    ];
    assert_eq!(before, after);
    let anonymous = app
        .get(
            registration_path(&door.conference, registration["id"].as_str().unwrap()),
            Some(&organizer),
        )
        .await;
    assert_eq!(anonymous.status, StatusCode::OK);
    assert_eq!(anonymous.body["full_name"], "Đã xoá");
    assert_eq!(anonymous.body["phone"], Value::Null);
    assert_eq!(anonymous.body["category"], "enterprise");
}

#[actix_web::test]
async fn erasure_needs_if_match_and_an_erased_registration_cannot_be_erased_again() {
    let app = TestApp::spawn().await;
    let organizer = app.organizer("org").await;
    let conference = app.published_conference(&organizer, json!({})).await;
    let (registration, delegate_token) = self_register(&app, &conference, "k").await;
    let id = registration["id"].as_str().unwrap();
    let erase = format!("{}/erase", registration_path(&conference, id));

    with_header(&app, Method::POST, &erase, Some(&organizer), &[], None)
        .await
        .assert_problem(428, "precondition_required");
    with_header(
        &app,
        Method::POST,
        &erase,
        Some(&organizer),
        &[("If-Match", "\"99\"")],
        None,
    )
    .await
    .assert_problem(412, "etag_mismatch");
    assert_eq!(
        app.count("SELECT count(*) FROM registrations WHERE erased_at IS NOT NULL")
            .await,
        0
    );
    let first = erase_as_organizer(&app, &organizer, &conference, id).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.text);
    assert_eq!(first.body["registration_id"], id);
    erase_as_organizer(&app, &organizer, &conference, id)
        .await
        .assert_problem(410, "erased");
    let path = registration_path(&conference, id);
    let etag = app
        .get(&path, Some(&organizer))
        .await
        .header("etag")
        .unwrap()
        .to_owned();
    with_header(
        &app,
        Method::PATCH,
        &path,
        Some(&organizer),
        &[("If-Match", &etag)],
        Some(json!({"phone": "0912000999"})),
    )
    .await
    .assert_problem(409, "erased");
    let link = with_header(
        &app,
        Method::GET,
        "/api/v1/delegate/registration",
        None,
        &[("x-delegate-token", &delegate_token)],
        None,
    )
    .await;
    link.assert_problem(404, "not_found");
    let entry = app
        .count(&format!(
            "SELECT count(*) FROM audit_log WHERE entity = 'registrations' AND action = 'erase' \
             AND entity_id = '{id}' AND actor_kind = 'account'"
        ))
        .await;
    assert_eq!(entry, 1, "the erasure is itself recorded");
}

#[actix_web::test]
async fn another_organizers_registration_is_not_found_for_export_and_erasure() {
    let app = TestApp::spawn().await;
    let organizer = app.organizer("org").await;
    let other = app.organizer("other").await;
    let conference = app.published_conference(&organizer, json!({})).await;
    let (registration, _) = self_register(&app, &conference, "k").await;
    let path = registration_path(&conference, registration["id"].as_str().unwrap());

    app.get(format!("{path}/personal-data"), Some(&other))
        .await
        .assert_problem(404, "not_found");
    with_header(
        &app,
        Method::POST,
        &format!("{path}/erase"),
        Some(&other),
        &[("If-Match", "\"1\"")],
        None,
    )
    .await
    .assert_problem(404, "not_found");
    assert_eq!(
        app.count("SELECT count(*) FROM registrations WHERE erased_at IS NOT NULL")
            .await,
        0
    );
}

#[actix_web::test]
async fn the_delegate_downloads_everything_held_about_them_and_only_that() {
    let app = TestApp::spawn().await;
    let organizer = app.organizer("org").await;
    let (door, registration, token) = attended(&app, &organizer).await;
    let other = crate::checkins::register(&app, &door.conference, 5).await;

    let reply = with_header(
        &app,
        Method::GET,
        "/api/v1/delegate/registration/personal-data",
        None,
        &[("x-delegate-token", &token)],
        None,
    )
    .await;

    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    assert_eq!(reply.header("cache-control"), Some("no-store"));
    assert!(
        reply
            .header("content-disposition")
            .unwrap()
            .starts_with("attachment")
    );
    let data = &reply.body;
    assert_eq!(data["registration"]["id"], registration["id"]);
    assert_eq!(data["registration"]["full_name"], NAME);
    assert_eq!(data["registration"]["email"], EMAIL);
    assert_eq!(data["consent"]["legal_basis"], "consent");
    assert_eq!(data["consent"]["notice_version"], 1);
    assert!(data["consent"]["notice_text_vi"].as_str().unwrap().len() > 20);
    assert_eq!(data["session_signups"].as_array().unwrap().len(), 1);
    assert_eq!(data["checkins"].as_array().unwrap().len(), 2);
    // The confirmation email the registration queued (no SMTP server here, so still pending).
    let notifications = data["notifications"].as_array().unwrap();
    assert!(
        notifications
            .iter()
            .any(|n| n["event"] == "registration.confirmed" && n["state"] == "pending"),
        "{notifications:?}"
    );
    assert!(!reply.text.contains(other["full_name"].as_str().unwrap()));

    let organizer_view = app
        .get(
            format!(
                "{}/personal-data",
                registration_path(&door.conference, registration["id"].as_str().unwrap())
            ),
            Some(&organizer),
        )
        .await;
    assert_eq!(organizer_view.status, StatusCode::OK);
    assert_eq!(organizer_view.body, reply.body);
}
