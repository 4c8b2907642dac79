//! Undoing a check-in.

use reqwest::StatusCode;
use serde_json::json;

use super::{by_code, door, scan};
use crate::helpers::TestApp;

#[actix_web::test]
async fn undo_keeps_history_and_frees_the_delegate_to_be_scanned_again() {
    let app = TestApp::spawn().await;
    let organizer = app.organizer("org").await;
    let door = door(&app, &organizer, json!({})).await;
    let delegate = app.registration(&door.conference, 1).await;
    let first = scan(
        &app,
        &door,
        &door.device,
        by_code(&delegate, "2030-07-19T08:00:00+07:00"),
    )
    .await;
    let cid = door.conference["id"].as_str().unwrap();

    let undone = app
        .post(
            format!(
                "/api/v1/conferences/{cid}/checkins/{}/undo",
                first.body["checkin_id"].as_str().unwrap()
            ),
            Some(&organizer),
            json!({"reason": "quét nhầm người"}),
        )
        .await;
    let again = scan(
        &app,
        &door,
        &door.device,
        by_code(&delegate, "2030-07-19T08:05:00+07:00"),
    )
    .await;

    assert_eq!(undone.status, StatusCode::OK, "{}", undone.text);
    assert_eq!(undone.body["undo_reason"], "quét nhầm người");
    assert_eq!(again.body["outcome"], "ok");
    let history = app
        .get(
            format!(
                "/api/v1/conferences/{cid}/registrations/{}/checkins",
                delegate["id"].as_str().unwrap()
            ),
            Some(&organizer),
        )
        .await;
    assert_eq!(history.body.as_array().unwrap().len(), 2);
    assert!(history.body[0]["undone_at"].is_string());
    app.post(
        format!(
            "/api/v1/conferences/{cid}/checkins/{}/undo",
            first.body["checkin_id"].as_str().unwrap()
        ),
        Some(&organizer),
        json!({"reason": "x"}),
    )
    .await
    .assert_problem(409, "already_undone");
}
