//! The device's offline bundle: full, delta and conditional.

use reqwest::{Method, StatusCode};
use serde_json::json;

use super::{Door, door};
use crate::helpers::{Reply, TestApp};

async fn bundle(app: &TestApp, door: &Door, since: Option<&str>) -> Reply {
    let mut path = format!(
        "/api/v1/conferences/{}/device-bundle",
        door.conference["id"].as_str().unwrap()
    );
    if let Some(since) = since {
        path.push_str(&format!("?since={since}"));
    }
    app.get(path, Some(&door.device)).await
}

#[actix_web::test]
async fn the_bundle_holds_hashes_not_secrets_and_answers_304_when_unchanged() {
    let app = TestApp::spawn().await;
    let organizer = app.organizer("org").await;
    let door = door(
        &app,
        &organizer,
        json!({"capacity": null, "waitlist_enabled": false}),
    )
    .await;
    let delegate = app.registration(&door.conference, 1).await;

    let full = bundle(&app, &door, None).await;

    assert_eq!(full.status, StatusCode::OK);
    assert_eq!(full.body["full"], true);
    let entry = &full.body["registrations"][0];
    assert_eq!(entry["name_folded"], "nguyen van 1");
    assert_eq!(
        entry["search_folded"],
        format!(
            "nguyen van 1 {}",
            entry["reference"].as_str().unwrap().to_lowercase()
        )
    );
    let secret = delegate["qr_payload"]
        .as_str()
        .unwrap()
        .rsplit(':')
        .next()
        .unwrap();
    assert!(
        !full.text.contains(secret),
        "the secret never leaves the server in a bundle"
    );
    use sha2::Digest;
    let expected = hex::encode(sha2::Sha256::digest(secret.as_bytes()));
    assert_eq!(entry["qr_secret_sha256"], expected);
    let etag = full.header("etag").unwrap().to_owned();
    let path = format!(
        "/api/v1/conferences/{}/device-bundle",
        door.conference["id"].as_str().unwrap()
    );
    let again = app
        .request(Method::GET, &path, Some(&door.device))
        .header("If-None-Match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    let gzipped = app
        .request(Method::GET, &path, Some(&door.device))
        .header("Accept-Encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(gzipped.headers()["content-encoding"], "gzip");
}

#[actix_web::test]
async fn a_delta_bundle_holds_exactly_the_registrations_changed_cancelled_or_added_since() {
    let app = TestApp::spawn().await;
    let organizer = app.organizer("org").await;
    let door = door(
        &app,
        &organizer,
        json!({"capacity": null, "waitlist_enabled": false}),
    )
    .await;
    let cid = door.conference["id"].as_str().unwrap().to_owned();
    let unchanged = app.registration(&door.conference, 1).await;
    let edited = app.registration(&door.conference, 2).await;
    let cancelled = app.registration(&door.conference, 3).await;
    let watermark = bundle(&app, &door, None).await.body["watermark"]
        .as_str()
        .unwrap()
        .to_owned();

    app.patch(
        format!(
            "/api/v1/conferences/{cid}/registrations/{}",
            edited["id"].as_str().unwrap()
        ),
        Some(&organizer),
        json!({"position": "Giám đốc"}),
    )
    .await;
    app.post(
        format!(
            "/api/v1/conferences/{cid}/registrations/{}/cancel",
            cancelled["id"].as_str().unwrap()
        ),
        Some(&organizer),
        json!({}),
    )
    .await;
    let added = app.registration(&door.conference, 4).await;
    let delta = bundle(&app, &door, Some(&watermark)).await;

    assert_eq!(delta.body["full"], false, "{}", delta.text);
    let mut ids: Vec<&str> = delta.body["registrations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["registration_id"].as_str().unwrap())
        .collect();
    ids.sort();
    let mut expected = vec![
        edited["id"].as_str().unwrap(),
        cancelled["id"].as_str().unwrap(),
        added["id"].as_str().unwrap(),
    ];
    expected.sort();
    assert_eq!(ids, expected);
    assert!(!ids.contains(&unchanged["id"].as_str().unwrap()));
    let gone = delta.body["registrations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["registration_id"] == cancelled["id"])
        .unwrap();
    assert_eq!(gone["status"], "cancelled");
    let next = bundle(&app, &door, Some(delta.body["watermark"].as_str().unwrap())).await;
    assert_eq!(next.body["registrations"], json!([]));
}
