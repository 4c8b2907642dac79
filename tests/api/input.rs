//! Input that must be refused: JSON that is not an object, invisible and text-direction
//! characters in human text, phones with letters, and histories of unknown registrations.

use reqwest::Method;
use serde_json::json;

use crate::helpers::{Reply, TestApp};

async fn send_raw(
    app: &TestApp,
    method: Method,
    path: &str,
    token: Option<&str>,
    body: &str,
) -> Reply {
    let reply = app
        .request(method, path, token)
        .header("content-type", "application/json")
        .body(body.to_owned())
        .send()
        .await
        .unwrap();
    Reply::from(reply).await
}

#[actix_web::test]
async fn a_json_array_is_not_read_as_an_object_field_by_field() {
    let app = TestApp::spawn().await;
    let token = app.organizer("org").await;
    let conference = app.conference(&token, json!({})).await;
    let path = format!("/api/v1/conferences/{}", conference["id"].as_str().unwrap());
    let before = app.get(&path, Some(&token)).await;

    let login = send_raw(
        &app,
        Method::POST,
        "/api/v1/auth/login",
        None,
        r#"["org@example.vn", "correct horse battery staple"]"#,
    )
    .await;
    let patch = send_raw(&app, Method::PATCH, &path, Some(&token), " []").await;
    let scalar = send_raw(&app, Method::PATCH, &path, Some(&token), "42").await;
    let after = app.get(&path, Some(&token)).await;

    login.assert_problem(422, "validation_failed");
    assert_eq!(
        login.error_fields(),
        vec![("body".to_owned(), "must_be_object".to_owned())]
    );
    assert!(login.body.get("access_token").is_none());
    patch.assert_problem(422, "validation_failed");
    scalar.assert_problem(422, "validation_failed");
    assert_eq!(before.header("etag"), after.header("etag"));
}

#[actix_web::test]
async fn zero_width_and_direction_characters_are_refused_with_the_field_named() {
    let app = TestApp::spawn().await;
    let token = app.organizer("org").await;
    let conference = app.conference(&token, json!({})).await;
    let registrations = format!(
        "/api/v1/conferences/{}/registrations",
        conference["id"].as_str().unwrap()
    );

    let blank = app
        .post(
            &registrations,
            Some(&token),
            json!({"full_name": "\u{200B}\u{200B}\u{200B}", "category": "enterprise", "phone": "0912 345 678"}),
        )
        .await;
    let spoofed = app
        .post(
            &registrations,
            Some(&token),
            json!({"full_name": "Nguyễn Văn An", "position": "\u{202E}gnòhp gnởưrT", "category": "enterprise", "phone": "0912 345 678"}),
        )
        .await;
    let title = app
        .post(
            "/api/v1/conferences",
            Some(&token),
            json!({"code": "x1", "title": "Hội thảo\u{2066}", "starts_at": "2030-07-19T08:00:00+07:00", "ends_at": "2030-07-19T17:00:00+07:00"}),
        )
        .await;

    blank.assert_problem(422, "validation_failed");
    assert_eq!(
        blank.error_fields(),
        vec![("full_name".to_owned(), "invalid_characters".to_owned())]
    );
    spoofed.assert_problem(422, "validation_failed");
    assert_eq!(
        spoofed.error_fields(),
        vec![("position".to_owned(), "invalid_characters".to_owned())]
    );
    title.assert_problem(422, "validation_failed");
    assert_eq!(
        title.error_fields(),
        vec![("title".to_owned(), "invalid_characters".to_owned())]
    );
    assert_eq!(app.count("SELECT count(*) FROM registrations").await, 0);
}

#[actix_web::test]
async fn a_phone_with_letters_is_refused_rather_than_read_from_the_keypad() {
    let app = TestApp::spawn().await;
    let token = app.organizer("org").await;
    let conference = app.conference(&token, json!({})).await;
    let registrations = format!(
        "/api/v1/conferences/{}/registrations",
        conference["id"].as_str().unwrap()
    );

    for phone in ["0912 ABC 678", "0912 345 67O"] {
        let reply = app
            .post(
                &registrations,
                Some(&token),
                json!({"full_name": "Nguyễn Văn An", "category": "enterprise", "phone": phone}),
            )
            .await;

        reply.assert_problem(422, "validation_failed");
        assert_eq!(
            reply.error_fields(),
            vec![("phone".to_owned(), "invalid_phone".to_owned())],
            "{phone}"
        );
    }
    assert_eq!(app.count("SELECT count(*) FROM registrations").await, 0);
}

#[actix_web::test]
async fn the_check_in_history_of_an_unknown_or_foreign_registration_is_a_404() {
    let app = TestApp::spawn().await;
    let token = app.organizer("org").await;
    let mine = app.conference(&token, json!({})).await;
    let other = app.conference(&token, json!({})).await;
    let foreign = app
        .post(
            &format!(
                "/api/v1/conferences/{}/registrations",
                other["id"].as_str().unwrap()
            ),
            Some(&token),
            json!({"full_name": "Trần Thị Bình", "category": "enterprise", "phone": "0912 345 679"}),
        )
        .await;
    let mine_id = mine["id"].as_str().unwrap();

    let unknown = app
        .get(
            format!(
                "/api/v1/conferences/{mine_id}/registrations/{}/checkins",
                uuid::Uuid::now_v7()
            ),
            Some(&token),
        )
        .await;
    let elsewhere = app
        .get(
            format!(
                "/api/v1/conferences/{mine_id}/registrations/{}/checkins",
                foreign.body["registration"]["id"].as_str().unwrap()
            ),
            Some(&token),
        )
        .await;

    unknown.assert_problem(404, "not_found");
    elsewhere.assert_problem(404, "not_found");
}

#[actix_web::test]
async fn integers_written_with_a_zero_fraction_are_accepted_and_fractions_refused() {
    let app = TestApp::spawn().await;
    let token = app.organizer("org").await;

    let whole = app
        .post(
            "/api/v1/conferences",
            Some(&token),
            json!({"code": "w1", "title": "Hội thảo", "starts_at": "2030-07-19T08:00:00+07:00", "ends_at": "2030-07-19T17:00:00+07:00", "capacity": 150.0}),
        )
        .await;
    let fraction = app
        .post(
            "/api/v1/conferences",
            Some(&token),
            json!({"code": "w2", "title": "Hội thảo", "starts_at": "2030-07-19T08:00:00+07:00", "ends_at": "2030-07-19T17:00:00+07:00", "capacity": 2.5}),
        )
        .await;

    assert_eq!(whole.status, 201, "{}", whole.text);
    assert_eq!(whole.body["capacity"], 150);
    fraction.assert_problem(422, "validation_failed");
    assert_eq!(app.count("SELECT count(*) FROM conferences").await, 1);
}
