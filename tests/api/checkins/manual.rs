//! Check-ins recorded by hand: back-filled paper sheets and walk-ins.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use uuid::Uuid;

use super::{by_code, door, happening_now, scan};
use crate::helpers::{Conf, Reply, TestApp};

#[actix_web::test]
async fn organizers_back_fill_paper_sign_in_sheets_as_manual_check_ins() {
    let app = TestApp::spawn().await;
    let organizer = app.organizer("org").await;
    let door = door(&app, &organizer, json!({})).await;
    let delegate = app.registration(&door.conference, 1).await;
    let cid = door.conference["id"].as_str().unwrap();
    let sheet = json!({"registration_id": delegate["id"], "direction": "in", "nonce": Uuid::new_v4(), "occurred_at": "2030-07-19T08:15:00+07:00"});

    let reply = app
        .post(
            format!("/api/v1/conferences/{cid}/checkin-backfills"),
            Some(&organizer),
            sheet.clone(),
        )
        .await;
    let device_scan = scan(
        &app,
        &door,
        &door.device,
        by_code(&delegate, "2030-07-19T09:00:00+07:00"),
    )
    .await;

    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    assert_eq!(reply.body["outcome"], "ok");
    assert_eq!(device_scan.body["outcome"], "already_checked_in");
    assert_eq!(
        app.count("SELECT count(*) FROM checkins WHERE method = 'manual' AND device_id IS NULL")
            .await,
        1
    );
    let other = app.organizer("other").await;
    app.post(
        format!("/api/v1/conferences/{cid}/checkin-backfills"),
        Some(&other),
        sheet,
    )
    .await
    .assert_problem(404, "not_found");
}

#[actix_web::test]
async fn a_walk_in_takes_the_seat_of_an_invited_delegate_who_did_not_come() {
    let app = TestApp::spawn().await;
    let organizer = app.organizer("org").await;
    // The walk-in check looks at today's door entries: a conference happening now.
    let now = chrono::Utc::now();
    let door = door(&app, &organizer, happening_now(now, 60, 480)).await;
    let cid = door.conference["id"].as_str().unwrap().to_owned();
    let conf = Conf {
        organizer: organizer.clone(),
        conference: door.conference.clone(),
    };
    let invitation = app.invitation(&conf, 2).await;
    let token = invitation["token"].as_str().unwrap();
    let named = app
        .request(Method::POST, "/api/v1/invitation/registrations", None)
        .header("x-invitation-token", token)
        .json(&json!({"delegates": [
            {"full_name": "Người vắng", "category": "agency", "phone": "0912000001"},
            {"full_name": "Người đến", "category": "agency", "phone": "0912000002"}]}))
        .send()
        .await
        .unwrap();
    let named = Reply::from(named).await;
    let absent = named.body[0]["registration"].clone();
    let present = named.body[1]["registration"].clone();
    let entered = scan(
        &app,
        &door,
        &door.device,
        by_code(&present, &now.to_rfc3339()),
    )
    .await;
    assert_eq!(entered.body["outcome"], "ok");
    let walk_in = |replaces: &Value| json!({"replaces_registration_id": replaces["id"], "person": {"full_name": "Người thay", "category": "agency", "phone": "0912000003"}});

    let replaced = app
        .send(
            Method::POST,
            format!("/api/v1/conferences/{cid}/walk-ins"),
            Some(&door.device),
            Some(walk_in(&absent)),
        )
        .await;
    let refused = app
        .send(
            Method::POST,
            format!("/api/v1/conferences/{cid}/walk-ins"),
            Some(&door.device),
            Some(walk_in(&present)),
        )
        .await;

    assert_eq!(replaced.status, StatusCode::OK, "{}", replaced.text);
    assert_eq!(replaced.body["registration"]["id"], absent["id"]);
    assert_eq!(replaced.body["registration"]["full_name"], "Người thay");
    assert_eq!(
        replaced.body["registration"]["unit_id"],
        invitation["invitation"]["unit_id"]
    );
    refused.assert_problem(409, "already_checked_in");
    assert_eq!(
        app.count("SELECT count(*) FROM registration_substitutions WHERE substituted_by = 'door'")
            .await,
        1
    );
    assert_eq!(
        app.count("SELECT used_seats::bigint FROM invitations")
            .await,
        2,
        "the quota is unchanged"
    );
}
