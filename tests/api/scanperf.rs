//! The audit actor follows each checkout, not the connection's history: a scan names its device
//! in its own statement, and work outside requests writes as the system, even on a connection
//! an organizer's request used just before. The bundle's cheap ETag still follows its content,
//! a unit's new name included.

use diesel_async::RunQueryDsl;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::checkins::{by_code, door, register};
use crate::helpers::{Reply, TestApp, TestDatabase, database_settings, serve_settings};

/// The API with a pool of one connection: every request and every background checkout takes
/// the very connection the previous one used.
async fn one_connection_app() -> TestApp {
    let db = TestDatabase::create().await;
    let mut database = database_settings(&db.url);
    database.db_pool_size = 1;
    let settings = serve_settings(crate::helpers::test_auth_settings());
    TestApp::spawn_on(db, database, settings).await
}

/// An organizer's edit of registration `rid` (the connection's session then names the organizer).
async fn organizer_edit(app: &TestApp, organizer: &str, cid: &str, rid: &str) {
    let edited = app
        .request(
            Method::PATCH,
            &format!("/api/v1/conferences/{cid}/registrations/{rid}"),
            Some(organizer),
        )
        .header("If-Match", "\"1\"")
        .json(&json!({"position": "Phó Giám đốc sở"}))
        .send()
        .await
        .unwrap();
    assert_eq!(edited.status(), StatusCode::OK);
}

/// `(actor_kind, actor_id, client_ip, request_id)` of the audit rows of `entity` and `action`.
async fn actors(app: &TestApp, entity: &str, action: &str) -> Vec<[Option<String>; 4]> {
    let client = app.db.client().await;
    client
        .query(
            "SELECT actor_kind, actor_id::text, client_ip, request_id FROM audit_log
             WHERE entity = $1 AND action = $2 ORDER BY at",
            &[&entity, &action],
        )
        .await
        .unwrap()
        .iter()
        .map(|row| [row.get(0), row.get(1), row.get(2), row.get(3)])
        .collect()
}

#[actix_web::test]
async fn a_scan_after_an_organizers_write_on_the_same_connection_names_the_device() {
    let app = one_connection_app().await;
    let organizer = app.organizer("org").await;
    let door = door(&app, &organizer, json!({"capacity": 100})).await;
    let cid = door.conference["id"].as_str().unwrap();
    let delegate = register(&app, &door.conference, 1).await;
    organizer_edit(&app, &organizer, cid, delegate["id"].as_str().unwrap()).await;

    let scanned = app
        .request(
            Method::POST,
            &format!("/api/v1/conferences/{cid}/checkins"),
            Some(&door.device),
        )
        .header("X-Request-Id", "scan-after-organizer")
        .json(&by_code(&delegate, "2030-07-19T07:45:00+07:00"))
        .send()
        .await
        .unwrap();
    let scanned = Reply::from(scanned).await;
    assert_eq!(scanned.body["outcome"], "ok", "{}", scanned.text);

    let device_id = app
        .db
        .client()
        .await
        .query_one("SELECT id::text FROM checkin_devices", &[])
        .await
        .unwrap()
        .get::<_, String>(0);
    assert_eq!(
        actors(&app, "checkins", "insert").await,
        [[
            Some("device".to_owned()),
            Some(device_id),
            Some("127.0.0.1".to_owned()),
            Some("scan-after-organizer".to_owned()),
        ]]
    );
    // The organizer's edit before it kept its own actor.
    let edits: Vec<String> = app
        .db
        .client()
        .await
        .query(
            "SELECT actor_kind FROM audit_log WHERE entity = 'registrations' \
             AND action = 'update' AND 'position' = ANY (fields)",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|row| row.get(0))
        .collect();
    assert_eq!(edits, ["account"]);
}

#[actix_web::test]
async fn work_outside_requests_writes_as_the_system_on_a_connection_an_organizer_used() {
    let app = one_connection_app().await;
    let organizer = app.organizer("org").await;
    let door = door(&app, &organizer, json!({"capacity": 100})).await;
    let cid = door.conference["id"].as_str().unwrap();
    let delegate = register(&app, &door.conference, 1).await;
    organizer_edit(&app, &organizer, cid, delegate["id"].as_str().unwrap()).await;

    // The only connection, checked out by no request.
    let mut conn = app.state.pool.get().await.unwrap();
    diesel::sql_query("UPDATE registrations SET position = 'Chuyên viên chính'")
        .execute(&mut *conn)
        .await
        .unwrap();
    drop(conn);

    let updates = actors(&app, "registrations", "update").await;
    let (last, earlier) = updates.split_last().unwrap();
    assert_eq!(last, &[Some("system".to_owned()), None, None, None]);
    assert!(
        earlier.iter().any(|a| a[0].as_deref() == Some("account")),
        "{updates:?}"
    );
}

/// A unit with one delegate, and the door's bundle path.
async fn delegate_of_unit(app: &TestApp, organizer: &str) -> (Value, String, String) {
    let door = door(app, organizer, json!({"capacity": 100})).await;
    let cid = door.conference["id"].as_str().unwrap().to_owned();
    let unit = app
        .post(
            "/api/v1/units",
            Some(organizer),
            json!({"name": "Phòng Kinh tế huyện Tam Dương", "kind": "agency"}),
        )
        .await;
    assert_eq!(unit.status, StatusCode::CREATED, "{}", unit.text);
    let added = app
        .post(
            format!("/api/v1/conferences/{cid}/registrations"),
            Some(organizer),
            json!({"full_name": "Đỗ Thị Hoa", "category": "agency", "unit_id": unit.body["id"], "phone": "0912000001"}),
        )
        .await;
    assert_eq!(added.status, StatusCode::CREATED, "{}", added.text);
    (
        unit.body,
        format!("/api/v1/conferences/{cid}/device-bundle"),
        door.device,
    )
}

#[actix_web::test]
async fn renaming_a_unit_moves_the_bundle_etag_and_puts_its_delegates_in_the_next_delta() {
    let app = TestApp::spawn().await;
    let organizer = app.organizer("org").await;
    let (unit, path, device) = delegate_of_unit(&app, &organizer).await;
    let first = app.get(&path, Some(&device)).await;
    let etag = first.header("etag").unwrap().to_owned();
    let watermark = first.body["watermark"].as_str().unwrap().to_owned();
    let unchanged = app
        .request(Method::GET, &path, Some(&device))
        .header("If-None-Match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(unchanged.status(), StatusCode::NOT_MODIFIED);

    let renamed = app
        .patch(
            format!("/api/v1/units/{}", unit["id"].as_str().unwrap()),
            Some(&organizer),
            json!({"name": "Phòng Kinh tế - Hạ tầng huyện Tam Dương"}),
        )
        .await;
    assert_eq!(renamed.status, StatusCode::OK, "{}", renamed.text);

    let after = app
        .request(Method::GET, &path, Some(&device))
        .header("If-None-Match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(after.status(), StatusCode::OK);
    let after = Reply::from(after).await;
    assert_ne!(after.header("etag"), Some(etag.as_str()));
    assert_eq!(
        after.body["registrations"][0]["unit_name"],
        "Phòng Kinh tế - Hạ tầng huyện Tam Dương"
    );
    let delta = app
        .get(format!("{path}?since={watermark}"), Some(&device))
        .await;
    assert_eq!(delta.body["full"], false);
    let entries = delta.body["registrations"].as_array().unwrap();
    assert_eq!(entries.len(), 1, "{}", delta.text);
    assert_eq!(
        entries[0]["unit_name"],
        "Phòng Kinh tế - Hạ tầng huyện Tam Dương"
    );
}
