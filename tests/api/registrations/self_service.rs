//! Self-registration and what a delegate does with their link token.

use reqwest::{Method, StatusCode};
use serde_json::json;

use super::{list_path, person, self_path};
use crate::helpers::{Conf, Reply, TestApp, with_consent};

#[actix_web::test]
async fn self_registration_confirms_and_returns_a_delegate_token_that_shows_only_that_registration()
{
    let app = TestApp::spawn().await;
    let Conf { conference, .. } = app.open_conference(json!({"code": "sxsh-2030"})).await;

    let reply = app
        .post(&self_path(&conference), None, with_consent(json!({"full_name": "Nguyễn Văn An", "category": "commune", "phone": "0912 345 678", "email": "An@Example.vn"})))
        .await;

    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
    let registration = &reply.body["registration"];
    assert_eq!(registration["status"], "confirmed");
    assert_eq!(registration["source"], "self");
    assert_eq!(registration["reference"], "SXSH-0001");
    assert_eq!(registration["phone"], "+84912345678");
    assert_eq!(registration["email"], "an@example.vn");
    let payload = registration["qr_payload"].as_str().unwrap();
    let secret = payload.rsplit(':').next().unwrap();
    assert!(payload.starts_with(&format!(
        "hoithao:1:{}:",
        registration["id"].as_str().unwrap()
    )));
    assert!(secret.len() >= 22, "at least 128 bits");

    let delegate_token = reply.body["delegate_token"].as_str().unwrap();
    let mine = app
        .request(Method::GET, "/api/v1/delegate/registration", None)
        .header("x-delegate-token", delegate_token)
        .send()
        .await
        .unwrap();
    let mine = Reply::from(mine).await;
    assert_eq!(mine.body["id"], registration["id"]);
    let qr = app
        .request(Method::GET, "/api/v1/delegate/registration/qr.svg", None)
        .header("x-delegate-token", delegate_token)
        .send()
        .await
        .unwrap();
    assert_eq!(qr.headers()["content-type"], "image/svg+xml");
    assert!(qr.text().await.unwrap().contains("<svg"));
    let png = app
        .request(Method::GET, "/api/v1/delegate/registration/qr.png", None)
        .header("x-delegate-token", delegate_token)
        .send()
        .await
        .unwrap();
    assert_eq!(png.headers()["content-type"], "image/png");
    assert!(png.bytes().await.unwrap().starts_with(b"\x89PNG"));
    let stored: i64 = app
        .count("SELECT count(*) FROM registrations WHERE octet_length(delegate_token_hash) = 32")
        .await;
    assert_eq!(stored, 1, "only a hash of the token is stored");
}

#[actix_web::test]
async fn a_second_registration_with_the_same_phone_or_email_is_refused() {
    let app = TestApp::spawn().await;
    let Conf { conference, .. } = app.open_conference(json!({})).await;
    app.post(
        &self_path(&conference),
        None,
        with_consent(json!({"full_name": "A", "category": "guest", "phone": "0912345678"})),
    )
    .await;

    let same_phone = app
        .post(
            &self_path(&conference),
            None,
            with_consent(
                json!({"full_name": "B", "category": "guest", "phone": "+84 912 345 678"}),
            ),
        )
        .await;

    same_phone.assert_problem(409, "already_registered");
    assert_eq!(app.count("SELECT count(*) FROM registrations").await, 1);
    assert_eq!(
        app.count("SELECT registration_seq::bigint FROM conference_seats")
            .await,
        1,
        "the refused attempt took no number"
    );
}

#[actix_web::test]
async fn self_registration_validation_lists_every_invalid_field() {
    let app = TestApp::spawn().await;
    let Conf { conference, .. } = app.open_conference(json!({})).await;

    let reply = app
        .post(&self_path(&conference), None, with_consent(json!({"full_name": "", "category": "enterprise", "phone": "12345", "unit_id": uuid::Uuid::new_v4()})))
        .await;

    reply.assert_problem(422, "validation_failed");
    let fields: Vec<String> = reply.error_fields().into_iter().map(|(f, _)| f).collect();
    assert_eq!(fields, vec!["full_name", "phone", "unit_id"]);
    let none = app
        .post(
            &self_path(&conference),
            None,
            with_consent(json!({"full_name": "X", "category": "guest"})),
        )
        .await;
    assert_eq!(
        none.error_fields(),
        vec![("email".to_owned(), "contact_required".to_owned())]
    );
}

#[actix_web::test]
async fn self_registration_respects_mode_status_and_window() {
    let app = TestApp::spawn().await;
    let token = app.organizer("org").await;
    let draft = app.conference(&token, json!({})).await;
    let invited_only = app
        .published_conference(&token, json!({"registration_mode": "invitation_only"}))
        .await;
    let closed_window = app
        .published_conference(&token, json!({"registration_opens_at": "2020-01-01T00:00:00Z", "registration_closes_at": "2020-02-01T00:00:00Z"}))
        .await;
    let not_yet = app
        .published_conference(
            &token,
            json!({"registration_opens_at": "2030-07-01T00:00:00Z"}),
        )
        .await;

    app.post(&self_path(&draft), None, person(1))
        .await
        .assert_problem(404, "not_found");
    app.post(&self_path(&invited_only), None, person(1))
        .await
        .assert_problem(409, "invitation_only");
    app.post(&self_path(&closed_window), None, person(1))
        .await
        .assert_problem(409, "registration_closed");
    app.post(&self_path(&not_yet), None, person(1))
        .await
        .assert_problem(409, "registration_not_open");
    assert_eq!(app.count("SELECT count(*) FROM registrations").await, 0);
}

#[actix_web::test]
async fn a_delegate_cancels_with_their_token_and_the_next_in_line_gets_the_seat() {
    let app = TestApp::spawn().await;
    let Conf {
        organizer: token,
        conference,
    } = app
        .open_conference(json!({"capacity": 1, "waitlist_enabled": true}))
        .await;
    let first = app.post(&self_path(&conference), None, person(1)).await;
    let second = app.post(&self_path(&conference), None, person(2)).await;
    assert_eq!(second.body["registration"]["status"], "waitlisted");

    let cancelled = app
        .request(Method::POST, "/api/v1/delegate/registration/cancel", None)
        .header(
            "x-delegate-token",
            first.body["delegate_token"].as_str().unwrap(),
        )
        .send()
        .await
        .unwrap();

    assert_eq!(cancelled.status(), StatusCode::OK);
    let promoted = app
        .get(
            &format!(
                "{}/{}",
                list_path(&conference),
                second.body["registration"]["id"].as_str().unwrap()
            ),
            Some(&token),
        )
        .await;
    assert_eq!(promoted.body["status"], "confirmed");
    let again = app
        .request(Method::POST, "/api/v1/delegate/registration/cancel", None)
        .header(
            "x-delegate-token",
            first.body["delegate_token"].as_str().unwrap(),
        )
        .send()
        .await
        .unwrap();
    Reply::from(again)
        .await
        .assert_problem(409, "illegal_status_transition");
}
