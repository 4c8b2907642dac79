//! An organizer reads which sessions a registration is signed up for (the console's
//! registration page shows them beside sign-up and withdraw).

use reqwest::Method;
use serde_json::json;

use crate::helpers::{Reply, TestApp};

#[actix_web::test]
async fn organizers_see_a_registrations_sign_ups_and_nobody_else_does() {
    let app = TestApp::spawn().await;
    let organizer = app.organizer("org").await;
    let conference = app.published_conference(&organizer, json!({})).await;
    let id = conference["id"].as_str().unwrap();
    let workshop = app
        .session(&organizer, id, json!({"title": "Tham quan mô hình", "kind": "visit", "signup_required": true,
                                         "starts_at": "2030-07-19T13:00:00+07:00", "ends_at": "2030-07-19T15:00:00+07:00"}))
        .await;
    let reply = app
        .post(
            format!("/api/v1/conferences/{id}/self-registrations"),
            None,
            crate::helpers::with_consent(
                json!({"full_name": "Nguyễn Văn An", "category": "guest", "phone": "0912000001"}),
            ),
        )
        .await;
    let registration = reply.body["registration"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let delegate_token = reply.body["delegate_token"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/conferences/{id}/registrations/{registration}/sessions");

    let none = app.get(&path, Some(&organizer)).await;
    assert_eq!(none.status, 200);
    assert_eq!(none.body, json!([]));

    let signed = Reply::from(
        app.request(
            Method::PUT,
            &format!(
                "/api/v1/delegate/registration/sessions/{}",
                workshop["id"].as_str().unwrap()
            ),
            None,
        )
        .header("x-delegate-token", &delegate_token)
        .send()
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(signed.status, 204);
    assert_eq!(
        app.get(&path, Some(&organizer)).await.body,
        json!([workshop["id"]])
    );

    let stranger = app.organizer("other").await;
    app.get(&path, Some(&stranger))
        .await
        .assert_problem(404, "not_found");
    app.get(
        format!(
            "/api/v1/conferences/{id}/registrations/{}/sessions",
            uuid::Uuid::now_v7()
        ),
        Some(&organizer),
    )
    .await
    .assert_problem(404, "not_found");
    app.get(&path, None)
        .await
        .assert_problem(401, "missing_token");
}
