//! Device tokens: revocation and what they may reach.

use reqwest::Method;
use serde_json::json;

use super::{by_code, door, scan};
use crate::helpers::TestApp;

#[actix_web::test]
async fn a_revoked_device_gets_401_and_device_tokens_reach_nothing_else() {
    let app = TestApp::spawn().await;
    let organizer = app.organizer("org").await;
    let door = door(&app, &organizer, json!({})).await;
    let other = app.published_conference(&organizer, json!({})).await;
    let delegate = app.registration(&door.conference, 1).await;
    let cid = door.conference["id"].as_str().unwrap();

    let elsewhere = app
        .send(
            Method::POST,
            format!(
                "/api/v1/conferences/{}/checkins",
                other["id"].as_str().unwrap()
            ),
            Some(&door.device),
            Some(by_code(&delegate, "2030-07-19T08:00:00+07:00")),
        )
        .await;
    elsewhere.assert_problem(404, "not_found");
    app.get(
        format!("/api/v1/conferences/{cid}/registrations"),
        Some(&door.device),
    )
    .await
    .assert_problem(401, "invalid_token");
    app.get(
        format!("/api/v1/conferences/{cid}/devices"),
        Some(&door.device),
    )
    .await
    .assert_problem(401, "invalid_token");

    let devices = app
        .get(
            format!("/api/v1/conferences/{cid}/devices"),
            Some(&organizer),
        )
        .await;
    assert!(devices.body[0]["last_seen_at"].is_string());
    assert_eq!(devices.body[0]["scan_count"], 0);
    let device_id = devices.body[0]["id"].as_str().unwrap();
    app.post(
        format!("/api/v1/conferences/{cid}/devices/{device_id}/revoke"),
        Some(&organizer),
        json!({}),
    )
    .await;

    scan(
        &app,
        &door,
        &door.device,
        by_code(&delegate, "2030-07-19T08:00:00+07:00"),
    )
    .await
    .assert_problem(401, "invalid_token");
}
