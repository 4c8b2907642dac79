use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::TestApp;

fn sessions_path(conference: &Value) -> String {
    format!(
        "/api/v1/conferences/{}/sessions",
        conference["id"].as_str().unwrap()
    )
}

#[actix_web::test]
async fn a_session_outside_the_conference_is_rejected_with_every_reason() {
    let app = TestApp::spawn().await;
    let token = app.organizer("org").await;
    let conference = app.conference(&token, json!({})).await;

    let reply = app
        .post(
            &sessions_path(&conference),
            Some(&token),
            json!({"title": "", "kind": "film", "starts_at": "2030-07-19T07:00:00+07:00", "ends_at": "2030-07-19T18:00:00+07:00", "speakers": ["a\u{0}b"]}),
        )
        .await;

    reply.assert_problem(422, "validation_failed");
    let fields = reply.error_fields();
    for expected in [
        ("title", "required"),
        ("speakers[0]", "invalid_characters"),
        ("starts_at", "outside_conference"),
        ("ends_at", "outside_conference"),
    ] {
        assert!(
            fields.contains(&(expected.0.to_owned(), expected.1.to_owned())),
            "missing {expected:?} in {fields:?}"
        );
    }
    assert_eq!(
        app.count("SELECT count(*) FROM conference_sessions").await,
        0
    );
}

#[actix_web::test]
async fn an_unknown_session_kind_is_rejected() {
    let app = TestApp::spawn().await;
    let token = app.organizer("org").await;
    let conference = app.conference(&token, json!({})).await;
    let mut body = crate::helpers::session_body();
    body["kind"] = json!("party");

    app.post(&sessions_path(&conference), Some(&token), body)
        .await
        .assert_problem(422, "validation_failed");
}

#[actix_web::test]
async fn the_agenda_of_a_published_conference_is_public_and_ordered_by_start() {
    let app = TestApp::spawn().await;
    let token = app.organizer("org").await;
    let conference = app.conference(&token, json!({})).await;
    let id = conference["id"].as_str().unwrap();
    app.session(&token, id, json!({"title": "Thảo luận", "kind": "discussion", "starts_at": "2030-07-19T10:00:00+07:00", "ends_at": "2030-07-19T11:00:00+07:00"})).await;
    app.session(
        &token,
        id,
        json!({"title": "Khai mạc", "speakers": ["Nguyễn Minh Trung"]}),
    )
    .await;
    app.post(
        &format!("/api/v1/conferences/{id}/publish"),
        Some(&token),
        json!({}),
    )
    .await;

    let agenda = app.get(&sessions_path(&conference), None).await;

    assert_eq!(agenda.status, StatusCode::OK);
    let titles: Vec<&str> = agenda.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles, vec!["Khai mạc", "Thảo luận"]);
    assert_eq!(
        agenda.body["items"][0]["speakers"],
        json!(["Nguyễn Minh Trung"])
    );
    assert_eq!(
        agenda.body["items"][0]["starts_at"],
        "2030-07-19T08:00:00+07:00"
    );
    let films = app
        .get(&format!("{}?kind=film", sessions_path(&conference)), None)
        .await;
    assert_eq!(films.body["items"], json!([]));
}

#[actix_web::test]
async fn the_agenda_of_a_draft_is_hidden_from_the_public() {
    let app = TestApp::spawn().await;
    let token = app.organizer("org").await;
    let conference = app.conference(&token, json!({})).await;
    let session = app
        .session(&token, conference["id"].as_str().unwrap(), json!({}))
        .await;

    app.get(&sessions_path(&conference), None)
        .await
        .assert_problem(404, "not_found");
    app.get(
        &format!(
            "{}/{}",
            sessions_path(&conference),
            session["id"].as_str().unwrap()
        ),
        None,
    )
    .await
    .assert_problem(404, "not_found");
}

#[actix_web::test]
async fn sessions_are_edited_with_if_match_and_deleted() {
    let app = TestApp::spawn().await;
    let token = app.organizer("org").await;
    let conference = app.conference(&token, json!({})).await;
    let session = app
        .session(
            &token,
            conference["id"].as_str().unwrap(),
            json!({"room": "Phòng 1", "capacity": 40}),
        )
        .await;
    let path = format!(
        "{}/{}",
        sessions_path(&conference),
        session["id"].as_str().unwrap()
    );

    let edited = app
        .request(Method::PATCH, &path, Some(&token))
        .header("If-Match", "\"1\"")
        .json(&json!({"room": null, "signup_required": true}))
        .send()
        .await
        .unwrap();
    let edited = crate::helpers::Reply::from(edited).await;
    assert_eq!(edited.status, StatusCode::OK);
    assert_eq!(edited.body["room"], Value::Null);
    assert_eq!(edited.body["capacity"], 40);
    assert_eq!(edited.body["signup_required"], true);
    assert_eq!(edited.header("etag"), Some("\"2\""));

    let stale = app
        .request(Method::PATCH, &path, Some(&token))
        .header("If-Match", "\"1\"")
        .json(&json!({"title": "x"}))
        .send()
        .await
        .unwrap();
    crate::helpers::Reply::from(stale)
        .await
        .assert_problem(412, "etag_mismatch");

    let deleted = app.send(Method::DELETE, &path, Some(&token), None).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    app.get(&path, Some(&token))
        .await
        .assert_problem(404, "not_found");
    assert_eq!(
        app.count("SELECT count(*) FROM conference_sessions").await,
        0
    );
}

#[actix_web::test]
async fn a_session_is_not_reachable_through_another_conference() {
    let app = TestApp::spawn().await;
    let token = app.organizer("org").await;
    let first = app.published_conference(&token, json!({})).await;
    let second = app.published_conference(&token, json!({})).await;
    let session = app
        .session(&token, first["id"].as_str().unwrap(), json!({}))
        .await;
    let wrong_path = format!(
        "{}/{}",
        sessions_path(&second),
        session["id"].as_str().unwrap()
    );

    app.get(&wrong_path, None)
        .await
        .assert_problem(404, "not_found");
    app.patch(&wrong_path, Some(&token), json!({"title": "x"}))
        .await
        .assert_problem(404, "not_found");
    app.send(Method::DELETE, &wrong_path, Some(&token), None)
        .await
        .assert_problem(404, "not_found");
    assert_eq!(
        app.count("SELECT count(*) FROM conference_sessions").await,
        1
    );
}

#[actix_web::test]
async fn another_organizer_cannot_add_sessions() {
    let app = TestApp::spawn().await;
    let owner = app.organizer("owner").await;
    let other = app.organizer("other").await;
    let conference = app.published_conference(&owner, json!({})).await;

    let reply = app
        .post(
            &sessions_path(&conference),
            Some(&other),
            crate::helpers::session_body(),
        )
        .await;

    reply.assert_problem(403, "forbidden");
    assert_eq!(
        app.count("SELECT count(*) FROM conference_sessions").await,
        0
    );
}

#[actix_web::test]
async fn a_cancelled_conference_takes_no_new_sessions() {
    let app = TestApp::spawn().await;
    let token = app.organizer("org").await;
    let conference = app.conference(&token, json!({})).await;
    app.post(
        &format!(
            "/api/v1/conferences/{}/cancel",
            conference["id"].as_str().unwrap()
        ),
        Some(&token),
        json!({}),
    )
    .await;

    let reply = app
        .post(
            &sessions_path(&conference),
            Some(&token),
            crate::helpers::session_body(),
        )
        .await;

    reply.assert_problem(409, "conference_cancelled");
}
