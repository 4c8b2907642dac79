//! Offline batches: conflicts, duplicates, races and refusals.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use uuid::Uuid;

use super::{by_code, device, door, happening_now, scan};
use crate::helpers::{Reply, TestApp};

#[actix_web::test]
async fn an_offline_batch_records_conflicts_and_duplicates_with_a_result_for_each_scan() {
    let app = TestApp::spawn().await;
    let organizer = app.organizer("org").await;
    // Offline uploads are checked against the server clock: a conference happening now.
    let now = chrono::Utc::now();
    let at = |minutes: i64| (now + chrono::Duration::minutes(minutes)).to_rfc3339();
    let door = door(&app, &organizer, happening_now(now, 60, 480)).await;
    let second_device = device(
        &app,
        &organizer,
        &door.conference,
        json!({"name": "Cửa phụ"}),
    )
    .await;
    let cid = door.conference["id"].as_str().unwrap().to_owned();
    let a = app.registration(&door.conference, 1).await;
    let b = app.registration(&door.conference, 2).await;
    app.post(
        format!(
            "/api/v1/conferences/{cid}/registrations/{}/cancel",
            b["id"].as_str().unwrap()
        ),
        Some(&organizer),
        json!({}),
    )
    .await;
    // The other device admitted A online already.
    scan(&app, &door, &second_device, by_code(&a, &at(-30))).await;
    let first = by_code(&a, &at(-20));
    let batch = json!({"scans": [
        first,
        first,
        by_code(&b, &at(-10)),
        by_code(&a, &at(120)),
        {"direction": "in", "nonce": Uuid::new_v4(), "occurred_at": at(-5)},
    ]});

    let reply = app
        .send(
            Method::POST,
            format!("/api/v1/conferences/{cid}/checkin-batches"),
            Some(&door.device),
            Some(batch),
        )
        .await;

    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    let items = reply.body.as_array().unwrap();
    assert_eq!(items.len(), 5);
    assert_eq!(items[0]["result"]["outcome"], "already_checked_in");
    assert_eq!(items[0]["result"]["conflict"], "already_checked_in");
    assert_eq!(items[1]["result"]["replayed"], true);
    assert_eq!(items[2]["result"]["conflict"], "cancelled");
    assert_eq!(items[3]["result"]["conflict"], "door_time_in_future");
    assert_eq!(items[4]["error"], "validation_failed");
    assert_eq!(
        app.count("SELECT count(*) FROM checkins WHERE method = 'offline'")
            .await,
        3,
        "every door scan recorded once"
    );
    assert_eq!(
        app.count(
            "SELECT count(*) FROM checkins WHERE method = 'offline' AND conflict IS NOT NULL"
        )
        .await,
        3
    );
    assert_eq!(
        app.count("SELECT count(*) FROM checkins WHERE outcome = 'ok' AND undone_at IS NULL")
            .await,
        1
    );
}

/// Two offline devices that admitted the same delegates upload at once, in opposite orders.
#[actix_web::test]
async fn overlapping_offline_batches_uploaded_at_once_admit_each_delegate_once_without_deadlock() {
    let app = TestApp::spawn().await;
    let organizer = app.organizer("org").await;
    let now = chrono::Utc::now();
    let at = |minutes: i64| (now + chrono::Duration::minutes(minutes)).to_rfc3339();
    let door = door(&app, &organizer, happening_now(now, 60, 480)).await;
    let second_device = device(
        &app,
        &organizer,
        &door.conference,
        json!({"name": "Cửa phụ"}),
    )
    .await;
    let cid = door.conference["id"].as_str().unwrap().to_owned();
    let mut delegates = Vec::new();
    for n in 0..30 {
        delegates.push(app.registration(&door.conference, n).await);
    }
    let forward: Vec<Value> = delegates.iter().map(|d| by_code(d, &at(-10))).collect();
    let backward: Vec<Value> = delegates
        .iter()
        .rev()
        .map(|d| by_code(d, &at(-9)))
        .collect();
    let upload = |device: String, scans: Vec<Value>| {
        let app = &app;
        let path = format!("/api/v1/conferences/{cid}/checkin-batches");
        async move {
            app.send(
                Method::POST,
                path,
                Some(&device),
                Some(json!({ "scans": scans })),
            )
            .await
        }
    };

    let (a, b) = tokio::join!(
        upload(door.device.clone(), forward),
        upload(second_device, backward)
    );

    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    assert_eq!(b.status, StatusCode::OK, "{}", b.text);
    let oks = |reply: &Reply| {
        reply
            .body
            .as_array()
            .unwrap()
            .iter()
            .filter(|item| item["result"]["outcome"] == "ok")
            .count()
    };
    // Device A's door times are the earlier ones: each of its scans is the live entry, either
    // first to arrive or superseding B's (which B was told was ok when it arrived first).
    assert_eq!(
        oks(&a),
        30,
        "each delegate's first arrival by door time is admitted"
    );
    assert_eq!(
        app.count("SELECT count(*) FROM checkins WHERE method = 'offline'")
            .await,
        60,
        "every door scan recorded"
    );
    assert_eq!(
        app.count(
            "SELECT count(DISTINCT registration_id) FROM checkins WHERE outcome = 'ok' AND undone_at IS NULL"
        )
        .await,
        30
    );
    assert_eq!(
        app.count(
            "SELECT count(*) FROM checkins WHERE outcome = 'already_checked_in' \
                   AND conflict IN ('already_checked_in', 'superseded_by_earlier_scan') \
                   AND occurred_at = (SELECT max(occurred_at) FROM checkins)"
        )
        .await,
        30,
        "the later admission of each delegate is flagged"
    );
}

#[actix_web::test]
async fn an_empty_batch_and_a_nonce_from_another_conference_are_refused_and_record_nothing() {
    let app = TestApp::spawn().await;
    let organizer = app.organizer("org").await;
    // A second conference with its own device (created first: `door` shadows the helper).
    let other = door(&app, &organizer, json!({"code": "hoi-thao-khac"})).await;
    let door = door(&app, &organizer, json!({})).await;
    let delegate = app.registration(&door.conference, 1).await;
    let first = by_code(&delegate, "2030-07-19T08:00:00+07:00");
    let recorded = scan(&app, &door, &door.device, first.clone()).await;
    let cid = door.conference["id"].as_str().unwrap();

    let empty = app
        .send(
            Method::POST,
            format!("/api/v1/conferences/{cid}/checkin-batches"),
            Some(&door.device),
            Some(json!({"scans": []})),
        )
        .await;
    let reused = scan(&app, &other, &other.device, first).await;

    assert_eq!(recorded.body["outcome"], "ok");
    empty.assert_problem(422, "validation_failed");
    assert!(empty.text.contains("scans"), "{}", empty.text);
    reused.assert_problem(409, "nonce_reused");
    assert_eq!(app.count("SELECT count(*) FROM checkins").await, 1);
}
