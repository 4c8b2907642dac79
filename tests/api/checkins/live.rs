//! The live feed of check-ins.

use reqwest::{Method, StatusCode};
use serde_json::json;
use uuid::Uuid;

use super::{by_code, door, scan};
use crate::helpers::TestApp;

#[actix_web::test]
async fn the_live_feed_streams_check_ins_of_its_conference_only() {
    let app = TestApp::spawn().await;
    let organizer = app.organizer("org").await;
    let door = door(&app, &organizer, json!({})).await;
    let cid = door.conference["id"].as_str().unwrap().to_owned();
    let delegate = app.registration(&door.conference, 1).await;
    let mut feed = app
        .request(
            Method::GET,
            &format!("/api/v1/conferences/{cid}/checkin-events"),
            Some(&organizer),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(feed.headers()["content-type"], "text/event-stream");
    let first = feed.chunk().await.unwrap().unwrap();
    assert!(String::from_utf8_lossy(&first).contains("connected"));

    let scanned = scan(
        &app,
        &door,
        &door.device,
        by_code(&delegate, "2030-07-19T08:00:00+07:00"),
    )
    .await;

    let mut received = String::new();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !received.contains("event: checkin") && std::time::Instant::now() < deadline {
        if let Ok(Ok(Some(chunk))) =
            tokio::time::timeout(std::time::Duration::from_secs(10), feed.chunk()).await
        {
            received.push_str(&String::from_utf8_lossy(&chunk));
        }
    }
    assert!(received.contains("event: checkin"), "{received}");
    assert!(received.contains(scanned.body["checkin_id"].as_str().unwrap()));
    assert!(!received.contains("Nguyễn"), "no personal data in the feed");
    let other = app
        .get(
            format!("/api/v1/conferences/{cid}/checkin-events"),
            Some(&app.organizer("other").await),
        )
        .await;
    other.assert_problem(404, "not_found");
}

/// Reads the feed until `needle` shows up (10 s at most); returns what was read.
async fn read_feed_until(feed: &mut reqwest::Response, received: &mut String, needle: &str) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !received.contains(needle) && std::time::Instant::now() < deadline {
        if let Ok(Ok(Some(chunk))) =
            tokio::time::timeout(std::time::Duration::from_secs(10), feed.chunk()).await
        {
            received.push_str(&String::from_utf8_lossy(&chunk));
        }
    }
}

#[actix_web::test]
async fn the_live_feed_misses_no_check_in_committed_late_and_reports_undos() {
    let app = TestApp::spawn().await;
    let organizer = app.organizer("org").await;
    let door = door(&app, &organizer, json!({})).await;
    let cid = door.conference["id"].as_str().unwrap().to_owned();
    let delegate = app.registration(&door.conference, 1).await;
    let mut feed = app
        .request(
            Method::GET,
            &format!("/api/v1/conferences/{cid}/checkin-events"),
            Some(&organizer),
        )
        .send()
        .await
        .unwrap();
    let mut received = String::new();
    read_feed_until(&mut feed, &mut received, "connected").await;
    // A check-in whose transaction starts first and commits last.
    let slow = app.db.client().await;
    let late_id = Uuid::now_v7();
    slow.batch_execute(&format!(
        "BEGIN; INSERT INTO checkins (id, conference_id, nonce, direction, outcome, method, occurred_at, local_day)
         VALUES ('{late_id}', '{cid}', gen_random_uuid(), 'in', 'unknown_code', 'scan', now(), current_date)"
    ))
    .await
    .unwrap();

    let scanned = scan(
        &app,
        &door,
        &door.device,
        by_code(&delegate, "2030-07-19T08:00:00+07:00"),
    )
    .await;
    let scanned_id = scanned.body["checkin_id"].as_str().unwrap().to_owned();
    read_feed_until(&mut feed, &mut received, &scanned_id).await;
    slow.batch_execute("COMMIT").await.unwrap();
    read_feed_until(&mut feed, &mut received, &late_id.to_string()).await;
    let undone = app
        .post(
            format!("/api/v1/conferences/{cid}/checkins/{scanned_id}/undo"),
            Some(&organizer),
            json!({"reason": "quét nhầm"}),
        )
        .await;
    read_feed_until(&mut feed, &mut received, "\"undone\" : true").await;

    assert!(received.contains(&scanned_id), "{received}");
    assert!(
        received.contains(&late_id.to_string()),
        "the late commit is delivered: {received}"
    );
    assert_eq!(undone.status, StatusCode::OK, "{}", undone.text);
    assert!(received.contains("\"undone\" : true"), "{received}");
    assert_eq!(
        received.matches(&scanned_id).count(),
        2,
        "the scan, then its undo: {received}"
    );
}
