//! The device bundle streamed a page at a time: complete and in order across pages, with an
//! ETag that follows its content.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::checkins::{door, register};
use crate::helpers::TestApp;

/// Adds registrations numbered 2..=last straight in the database (the API would take minutes
/// to register thousands), as an import would store them.
async fn insert_registrations(app: &TestApp, conference_id: &str, last: i64) {
    let inserted = app
        .count(&format!(
            "WITH added AS (
                 INSERT INTO registrations (id, conference_id, number, full_name, category, email,
                                            status, source, qr_secret, delegate_token_hash, search_text, name_folded)
                 SELECT gen_random_uuid(), '{conference_id}', n, 'Trần Thị ' || n, 'agency',
                        'd' || n || '@example.vn', 'confirmed', 'import',
                        md5(random()::text) || md5(random()::text), sha256(gen_random_uuid()::text::bytea), '', 'tran thi ' || n
                 FROM generate_series(2, {last}) AS n
                 RETURNING 1)
             SELECT count(*) FROM added"
        ))
        .await;
    assert_eq!(inserted, last - 1);
}

#[actix_web::test]
async fn a_bundle_of_several_pages_holds_every_registration_once_in_number_order() {
    let app = TestApp::spawn().await;
    let organizer = app.organizer("org").await;
    let door = door(
        &app,
        &organizer,
        json!({"capacity": null, "waitlist_enabled": false}),
    )
    .await;
    register(&app, &door.conference, 1).await;
    let cid = door.conference["id"].as_str().unwrap();
    // Two full pages of 1,000 and an empty third: the edge where the last page is full.
    insert_registrations(&app, cid, 2000).await;

    let reply = app
        .get(
            format!("/api/v1/conferences/{cid}/device-bundle"),
            Some(&door.device),
        )
        .await;

    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    assert_eq!(reply.header("content-type"), Some("application/json"));
    assert_eq!(reply.body["full"], true);
    assert!(
        reply.body["watermark"]
            .as_str()
            .is_some_and(|w| !w.is_empty())
    );
    let entries = reply.body["registrations"].as_array().unwrap();
    assert_eq!(entries.len(), 2000);
    let numbers: Vec<u32> = entries
        .iter()
        .map(|e| {
            e["reference"]
                .as_str()
                .unwrap()
                .rsplit('-')
                .next()
                .unwrap()
                .parse()
                .unwrap()
        })
        .collect();
    assert_eq!(
        numbers,
        (1..=2000).collect::<Vec<u32>>(),
        "every number once, in order"
    );
    assert_eq!(entries[1500]["full_name"], "Trần Thị 1501");
    assert_eq!(entries[1500]["name_folded"], "tran thi 1501");
}

#[actix_web::test]
async fn the_etag_of_a_streamed_bundle_stays_while_nothing_changes_and_moves_with_any_row() {
    let app = TestApp::spawn().await;
    let organizer = app.organizer("org").await;
    let door = door(
        &app,
        &organizer,
        json!({"capacity": null, "waitlist_enabled": false}),
    )
    .await;
    register(&app, &door.conference, 1).await;
    let cid = door.conference["id"].as_str().unwrap();
    insert_registrations(&app, cid, 1500).await;
    let path = format!("/api/v1/conferences/{cid}/device-bundle");

    let first = app.get(&path, Some(&door.device)).await;
    let etag = first.header("etag").unwrap().to_owned();
    // Unrelated transactions move the watermark, not the tag.
    unrelated_transaction(&app).await;
    let again = app.get(&path, Some(&door.device)).await;
    assert_eq!(again.header("etag"), Some(etag.as_str()));
    assert_ne!(again.body["watermark"], first.body["watermark"]);

    let unchanged = app
        .request(Method::GET, &path, Some(&door.device))
        .header("If-None-Match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(unchanged.status(), StatusCode::NOT_MODIFIED);

    // One row of 1,500, past the first page, changes: the tag moves and the body shows it.
    app.count(&format!(
        "WITH changed AS (UPDATE registrations SET position = 'Phó giám đốc'
                          WHERE conference_id = '{cid}' AND number = 1234 RETURNING 1)
         SELECT count(*) FROM changed"
    ))
    .await;
    let changed = app.get(&path, Some(&door.device)).await;
    assert_ne!(changed.header("etag"), Some(etag.as_str()));
    assert_eq!(
        changed.body["registrations"][1233]["position"],
        "Phó giám đốc"
    );
    // The pool still serves requests after all these snapshots were opened and closed.
    let after = app.get(&path, Some(&door.device)).await;
    assert_eq!(after.header("etag"), changed.header("etag"));
}

/// A committed transaction that touches no registration (it only takes a transaction id).
async fn unrelated_transaction(app: &TestApp) {
    app.count("SELECT pg_current_xact_id()::text::bigint").await;
}
