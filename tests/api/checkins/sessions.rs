//! Scans into sessions: windows, sign-ups, devices limited to some sessions.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::{by_code, device, door, happening_now, scan};
use crate::helpers::TestApp;

#[actix_web::test]
async fn sessions_check_their_window_and_their_sign_ups() {
    let app = TestApp::spawn().await;
    let organizer = app.organizer("org").await;
    let door = door(
        &app,
        &organizer,
        json!({"capacity": null, "waitlist_enabled": false}),
    )
    .await;
    let cid = door.conference["id"].as_str().unwrap();
    let visit = app.session(&organizer, cid, json!({"title": "Tham quan", "kind": "visit", "signup_required": true, "starts_at": "2030-07-19T13:00:00+07:00", "ends_at": "2030-07-19T15:00:00+07:00"})).await;
    let signed = app.registration(&door.conference, 1).await;
    let not_signed = app.registration(&door.conference, 2).await;
    app.send(
        Method::PUT,
        format!(
            "/api/v1/conferences/{cid}/registrations/{}/sessions/{}",
            signed["id"].as_str().unwrap(),
            visit["id"].as_str().unwrap()
        ),
        Some(&organizer),
        None,
    )
    .await;
    let at_session = |r: &Value, at: &str| {
        let mut body = by_code(r, at);
        body["session_id"] = visit["id"].clone();
        body
    };

    let early = scan(
        &app,
        &door,
        &door.device,
        at_session(&signed, "2030-07-19T11:30:00+07:00"),
    )
    .await;
    let ok = scan(
        &app,
        &door,
        &door.device,
        at_session(&signed, "2030-07-19T12:30:00+07:00"),
    )
    .await;
    let refused = scan(
        &app,
        &door,
        &door.device,
        at_session(&not_signed, "2030-07-19T13:30:00+07:00"),
    )
    .await;
    let late = scan(
        &app,
        &door,
        &door.device,
        at_session(&not_signed, "2030-07-19T16:30:00+07:00"),
    )
    .await;

    assert_eq!(early.body["outcome"], "outside_window");
    assert_eq!(ok.body["outcome"], "ok");
    assert_eq!(refused.body["outcome"], "not_signed_up_for_session");
    assert_eq!(late.body["outcome"], "outside_window");
}

#[actix_web::test]
async fn a_device_serving_some_sessions_cannot_record_scans_for_others_online_or_offline() {
    let app = TestApp::spawn().await;
    let organizer = app.organizer("org").await;
    let now = chrono::Utc::now();
    let at = |minutes: i64| (now + chrono::Duration::minutes(minutes)).to_rfc3339();
    let door = door(&app, &organizer, happening_now(now, 60, 480)).await;
    let cid = door.conference["id"].as_str().unwrap().to_owned();
    let hall = app.session(&organizer, &cid, json!({"title": "Hội trường", "kind": "presentation", "starts_at": at(-30), "ends_at": at(120)})).await;
    let visit = app.session(&organizer, &cid, json!({"title": "Tham quan", "kind": "visit", "starts_at": at(-30), "ends_at": at(120)})).await;
    let hall_device = device(
        &app,
        &organizer,
        &door.conference,
        json!({"name": "Cửa hội trường", "session_ids": [hall["id"]]}),
    )
    .await;
    let delegate = app.registration(&door.conference, 1).await;
    let at_session = |session: &Value| {
        let mut body = by_code(&delegate, &at(-5));
        body["session_id"] = session["id"].clone();
        body
    };

    let online = scan(&app, &door, &hall_device, at_session(&visit)).await;
    let offline = app
        .send(
            Method::POST,
            format!("/api/v1/conferences/{cid}/checkin-batches"),
            Some(&hall_device),
            Some(json!({"scans": [at_session(&visit), at_session(&hall)]})),
        )
        .await;

    assert_eq!(online.status, StatusCode::FORBIDDEN, "{}", online.text);
    assert_eq!(online.body["code"], "forbidden");
    assert_eq!(offline.status, StatusCode::OK, "{}", offline.text);
    assert_eq!(offline.body[0]["error"], "forbidden");
    assert!(offline.body[0]["result"].is_null());
    assert_eq!(offline.body[1]["result"]["outcome"], "ok");
    assert_eq!(
        app.count("SELECT count(*) FROM checkins").await,
        1,
        "only the served session's scan is recorded"
    );
}
