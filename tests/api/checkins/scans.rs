//! Online scans at the door: outcomes, concurrency, retries and the door day.

use reqwest::StatusCode;
use serde_json::json;
use uuid::Uuid;

use super::{by_code, device, door, scan};
use crate::helpers::{Reply, TestApp};

#[actix_web::test]
async fn a_first_scan_is_ok_with_the_greeting_and_a_second_is_already_checked_in() {
    let app = TestApp::spawn().await;
    let organizer = app.organizer("org").await;
    let door = door(&app, &organizer, json!({})).await;
    let delegate = app.registration(&door.conference, 1).await;

    let first = scan(
        &app,
        &door,
        &door.device,
        by_code(&delegate, "2030-07-19T07:45:00+07:00"),
    )
    .await;
    let second = scan(
        &app,
        &door,
        &door.device,
        by_code(&delegate, "2030-07-19T09:00:00+07:00"),
    )
    .await;

    assert_eq!(first.status, StatusCode::OK, "{}", first.text);
    assert_eq!(first.body["outcome"], "ok");
    assert_eq!(first.body["delegate"]["full_name"], "Nguyễn Văn 1");
    assert_eq!(first.body["delegate"]["position"], "Chuyên viên");
    assert_eq!(second.body["outcome"], "already_checked_in");
    assert_eq!(second.body["first_checked_in_at"], "2030-07-19T00:45:00Z");
    assert_eq!(second.body["first_device"], "Cửa chính");
    assert_eq!(
        app.count("SELECT count(*) FROM checkins").await,
        2,
        "rejected scans are recorded too"
    );
}

#[actix_web::test]
async fn two_devices_scanning_the_same_delegate_at_once_give_exactly_one_ok() {
    let app = TestApp::spawn().await;
    let organizer = app.organizer("org").await;
    let door = door(&app, &organizer, json!({})).await;
    let second_device = device(
        &app,
        &organizer,
        &door.conference,
        json!({"name": "Cửa phụ"}),
    )
    .await;
    let delegate = app.registration(&door.conference, 1).await;

    let (a, b) = tokio::join!(
        scan(
            &app,
            &door,
            &door.device,
            by_code(&delegate, "2030-07-19T08:00:00+07:00")
        ),
        scan(
            &app,
            &door,
            &second_device,
            by_code(&delegate, "2030-07-19T08:00:00+07:00")
        ),
    );

    let mut outcomes = vec![
        a.body["outcome"].as_str().unwrap().to_owned(),
        b.body["outcome"].as_str().unwrap().to_owned(),
    ];
    outcomes.sort();
    assert_eq!(outcomes, vec!["already_checked_in", "ok"]);
    assert_eq!(
        app.count("SELECT count(*) FROM checkins WHERE outcome = 'ok'")
            .await,
        1
    );
}

#[actix_web::test]
async fn the_same_nonce_sent_ten_times_writes_one_row() {
    let app = TestApp::spawn().await;
    let organizer = app.organizer("org").await;
    let door = door(&app, &organizer, json!({})).await;
    let delegate = app.registration(&door.conference, 1).await;
    let body = by_code(&delegate, "2030-07-19T08:00:00+07:00");

    let replies = futures_util::future::join_all(
        (0..10).map(|_| scan(&app, &door, &door.device, body.clone())),
    )
    .await;

    assert!(
        replies
            .iter()
            .all(|r| r.status == StatusCode::OK && r.body["outcome"] == "ok"),
        "{:?}",
        replies.iter().map(|r| &r.text).collect::<Vec<_>>()
    );
    assert_eq!(
        replies
            .iter()
            .filter(|r| r.body["replayed"] == false)
            .count(),
        1
    );
    assert_eq!(app.count("SELECT count(*) FROM checkins").await, 1);
}

#[actix_web::test]
async fn every_kind_of_refusal_is_reported_and_recorded() {
    let app = TestApp::spawn().await;
    let organizer = app.organizer("org").await;
    let door = door(&app, &organizer, json!({})).await;
    let confirmed = app.registration(&door.conference, 1).await;
    let waitlisted = app.registration(&door.conference, 2).await;
    let other = app.published_conference(&organizer, json!({})).await;
    let stranger = app.registration(&other, 3).await;
    let mut forged = confirmed.clone();
    forged["qr_payload"] = json!(format!(
        "hoithao:1:{}:{}",
        confirmed["id"].as_str().unwrap(),
        "A".repeat(43)
    ));
    let at = "2030-07-19T08:00:00+07:00";

    let outcome = |r: Reply| r.body["outcome"].as_str().unwrap().to_owned();
    assert_eq!(
        outcome(scan(&app, &door, &door.device, by_code(&waitlisted, at)).await),
        "waitlisted"
    );
    assert_eq!(
        outcome(scan(&app, &door, &door.device, by_code(&forged, at)).await),
        "unknown_code"
    );
    assert_eq!(
        outcome(scan(&app, &door, &door.device, by_code(&stranger, at)).await),
        "other_conference"
    );
    assert_eq!(
        outcome(
            scan(
                &app,
                &door,
                &door.device,
                by_code(&confirmed, "2030-07-19T06:30:00+07:00")
            )
            .await
        ),
        "outside_window"
    );
    let garbage = json!({"code": "not a code", "direction": "in", "nonce": Uuid::new_v4(), "occurred_at": at});
    assert_eq!(
        outcome(scan(&app, &door, &door.device, garbage).await),
        "unknown_code"
    );
    app.post(
        format!(
            "/api/v1/conferences/{}/registrations/{}/cancel",
            door.conference["id"].as_str().unwrap(),
            confirmed["id"].as_str().unwrap()
        ),
        Some(&organizer),
        json!({}),
    )
    .await;
    assert_eq!(
        outcome(scan(&app, &door, &door.device, by_code(&confirmed, at)).await),
        "cancelled"
    );
    assert_eq!(
        app.count("SELECT count(*) FROM checkins WHERE outcome <> 'ok'")
            .await,
        6
    );
    assert_eq!(
        app.count("SELECT count(*) FROM checkins WHERE registration_id IS NULL")
            .await,
        3,
        "no link to other conferences' or unknown registrations"
    );
}

#[actix_web::test]
async fn the_door_counts_once_per_local_day_across_midnight_in_ho_chi_minh() {
    let app = TestApp::spawn().await;
    let organizer = app.organizer("org").await;
    let door = door(&app, &organizer, json!({})).await;
    let delegate = app.registration(&door.conference, 1).await;

    // 23:30 on the 19th and 00:30 on the 20th, Hà Nội time, are 16:30 and 17:30 UTC of the 19th.
    let late = scan(
        &app,
        &door,
        &door.device,
        by_code(&delegate, "2030-07-19T16:30:00Z"),
    )
    .await;
    let after_midnight = scan(
        &app,
        &door,
        &door.device,
        by_code(&delegate, "2030-07-19T17:30:00Z"),
    )
    .await;
    let same_day = scan(
        &app,
        &door,
        &door.device,
        by_code(&delegate, "2030-07-20T08:00:00+07:00"),
    )
    .await;

    assert_eq!(late.body["outcome"], "ok");
    assert_eq!(
        after_midnight.body["outcome"], "ok",
        "a new local day at the door"
    );
    assert_eq!(same_day.body["outcome"], "already_checked_in");
}

#[actix_web::test]
async fn the_window_margin_comes_from_the_configuration() {
    let app = TestApp::spawn_with(|s| s.checkin_window_margin_minutes = 15).await;
    let organizer = app.organizer("org").await;
    let door = door(
        &app,
        &organizer,
        json!({"capacity": null, "waitlist_enabled": false}),
    )
    .await;
    let delegate = app.registration(&door.conference, 1).await;

    // Doors open 15 minutes before 08:00 with this configuration (60 by default).
    let too_early = scan(
        &app,
        &door,
        &door.device,
        by_code(&delegate, "2030-07-19T07:30:00+07:00"),
    )
    .await;
    let in_time = scan(
        &app,
        &door,
        &door.device,
        by_code(&delegate, "2030-07-19T07:50:00+07:00"),
    )
    .await;

    assert_eq!(too_early.body["outcome"], "outside_window");
    assert_eq!(in_time.body["outcome"], "ok");
}
