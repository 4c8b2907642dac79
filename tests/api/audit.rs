//! The audit log: every write path records who, when, from where, which entity and which
//! fields (never values); the log cannot be changed; organizers read their conference's.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::checkins::{by_code, door, register, scan};
use crate::helpers::{Reply, TestApp};

async fn entries(app: &TestApp, token: &str, path: &str) -> Vec<Value> {
    let reply = app.get(path, Some(token)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    reply.body["items"].as_array().unwrap().clone()
}

/// Self-registers delegate `n`; the registration and its delegate token.
async fn register_with_token(app: &TestApp, conference: &Value, n: usize) -> (Value, String) {
    let reply = app
        .post(
            format!(
                "/api/v1/conferences/{}/self-registrations",
                conference["id"].as_str().unwrap()
            ),
            None,
            crate::helpers::with_consent(json!({"full_name": format!("Trần Văn {n}"), "category": "agency", "phone": format!("09{:08}", n + 500)})),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
    (
        reply.body["registration"].clone(),
        reply.body["delegate_token"].as_str().unwrap().to_owned(),
    )
}

fn find<'a>(items: &'a [Value], entity: &str, action: &str, kind: &str) -> Option<&'a Value> {
    items
        .iter()
        .find(|e| e["entity"] == entity && e["action"] == action && e["actor_kind"] == kind)
}

#[actix_web::test]
async fn organizer_device_delegate_invitation_and_public_writes_are_logged_with_their_actor() {
    let app = TestApp::spawn().await;
    let (organizer_id, organizer) = app.account("org@example.vn", "organizer").await;
    let door = door(&app, &organizer, json!({"capacity": 100})).await;
    let cid = door.conference["id"].as_str().unwrap();
    // Public: self-registration (the delegate link's owner is created by the public).
    let delegate = register(&app, &door.conference, 1).await;
    let rid = delegate["id"].as_str().unwrap();
    // Organizer: an edit of the person.
    let path = format!("/api/v1/conferences/{cid}/registrations/{rid}");
    let edited = app
        .request(Method::PATCH, &path, Some(&organizer))
        .header("If-Match", "\"1\"")
        .header("X-Request-Id", "audit-test-request")
        .json(&json!({"position": "Phó Giám đốc sở"}))
        .send()
        .await
        .unwrap();
    assert_eq!(edited.status(), StatusCode::OK);
    // Device: a scan at the door.
    let scanned = scan(
        &app,
        &door,
        &door.device,
        by_code(&delegate, "2030-07-19T07:45:00+07:00"),
    )
    .await;
    assert_eq!(scanned.body["outcome"], "ok", "{}", scanned.text);
    // Invitation link: a unit's contact names a delegate.
    let unit = app
        .post(
            "/api/v1/units",
            Some(&organizer),
            json!({"name": "Sở Công Thương", "kind": "agency"}),
        )
        .await;
    let invitation = app
        .post(
            format!("/api/v1/conferences/{cid}/invitations"),
            Some(&organizer),
            json!({"unit_id": unit.body["id"], "seats": 1}),
        )
        .await;
    let named = app
        .request(Method::POST, "/api/v1/invitation/registrations", None)
        .header("x-invitation-token", invitation.body["token"].as_str().unwrap())
        .json(&json!({"delegates": [{"full_name": "Lê Thị Sở", "category": "agency", "phone": "0912000002"}]}))
        .send()
        .await
        .unwrap();
    assert_eq!(named.status(), StatusCode::CREATED);

    let items = entries(
        &app,
        &organizer,
        &format!("/api/v1/conferences/{cid}/audit?limit=500"),
    )
    .await;

    let edit = find(&items, "registrations", "update", "account").expect("organizer edit");
    assert_eq!(edit["actor_id"], organizer_id.to_string());
    assert_eq!(edit["actor_role"], "organizer");
    assert_eq!(edit["entity_id"], rid);
    assert_eq!(edit["fields"], json!(["position"]));
    assert_eq!(edit["request_id"], "audit-test-request");
    assert_eq!(edit["client_ip"], "127.0.0.1");
    let checkin = find(&items, "checkins", "insert", "device").expect("device scan");
    assert!(checkin["actor_id"].is_string());
    let public = find(&items, "registrations", "insert", "public").expect("self-registration");
    assert!(
        public["fields"]
            .as_array()
            .unwrap()
            .contains(&json!("full_name"))
    );
    let by_link = find(&items, "registrations", "insert", "invitation").expect("invitation link");
    let client = app.db.client().await;
    let invitation_id: String = client
        .query_one("SELECT id::text FROM invitations", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(by_link["actor_id"], invitation_id.as_str());
    let text = serde_json::to_string(&items).unwrap();
    for value in [
        "Phó Giám đốc sở",
        "Lê Thị Sở",
        "Nguyễn Văn 1",
        "+84912000002",
    ] {
        assert!(!text.contains(value), "the log holds the value {value:?}");
    }
}

#[actix_web::test]
async fn a_delegate_links_write_names_the_registration_as_its_actor() {
    let app = TestApp::spawn().await;
    let organizer = app.organizer("org").await;
    let door = door(&app, &organizer, json!({"capacity": 100})).await;
    let cid = door.conference["id"].as_str().unwrap();
    let (delegate, token) = register_with_token(&app, &door.conference, 1).await;

    let cancelled = app
        .request(Method::POST, "/api/v1/delegate/registration/cancel", None)
        .header("x-delegate-token", token)
        .send()
        .await
        .unwrap();
    assert_eq!(cancelled.status(), StatusCode::OK);

    let items = entries(
        &app,
        &organizer,
        &format!(
            "/api/v1/conferences/{cid}/audit?entity=registrations&entity_id={}",
            delegate["id"].as_str().unwrap()
        ),
    )
    .await;
    let cancel = find(&items, "registrations", "update", "delegate").expect("delegate cancel");
    assert_eq!(cancel["actor_id"], delegate["id"]);
    assert!(
        cancel["fields"]
            .as_array()
            .unwrap()
            .contains(&json!("status"))
    );
    assert!(items.iter().all(|e| e["entity_id"] == delegate["id"]));
}

#[actix_web::test]
async fn the_audit_log_refuses_updates_deletes_and_truncation() {
    let app = TestApp::spawn().await;
    app.organizer("org").await;
    let client = app.db.client().await;
    assert!(app.count("SELECT count(*) FROM audit_log").await > 0);

    for sql in [
        "UPDATE audit_log SET actor_kind = 'system'",
        "DELETE FROM audit_log",
        "TRUNCATE audit_log",
    ] {
        let error = client.execute(sql, &[]).await.unwrap_err();
        assert!(
            format!("{error:?}").contains("append-only"),
            "{sql}: {error:?}"
        );
    }
}

#[actix_web::test]
async fn organizers_read_only_their_conferences_log_and_admins_read_all_in_pages() {
    let app = TestApp::spawn().await;
    let organizer = app.organizer("org").await;
    let other = app.organizer("other").await;
    let admin = app.admin().await;
    let conference = app.conference(&organizer, json!({})).await;
    let cid = conference["id"].as_str().unwrap();
    for n in 0..3 {
        app.session(
            &organizer,
            cid,
            json!({"title": format!("Phiên {n}"), "starts_at": format!("2030-07-19T{}:00:00+07:00", n + 10), "ends_at": format!("2030-07-19T{}:30:00+07:00", n + 10)}),
        )
        .await;
    }

    app.get(format!("/api/v1/conferences/{cid}/audit"), Some(&other))
        .await
        .assert_problem(404, "not_found");
    app.get("/api/v1/audit", Some(&organizer))
        .await
        .assert_problem(403, "forbidden");
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/v1/conferences/{cid}/audit?limit=2&cursor={c}"),
            None => format!("/api/v1/conferences/{cid}/audit?limit=2"),
        };
        let reply: Reply = app.get(&path, Some(&organizer)).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
        seen.extend(reply.body["items"].as_array().unwrap().iter().cloned());
        match reply.body["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    let sessions = seen
        .iter()
        .filter(|e| e["entity"] == "conference_sessions")
        .count();
    assert_eq!(sessions, 3);
    let ids: std::collections::HashSet<_> = seen.iter().map(|e| e["id"].clone()).collect();
    assert_eq!(ids.len(), seen.len(), "no entry twice across pages");
    assert!(seen.iter().all(|e| e["conference_id"] == cid));
    let all = entries(&app, &admin, "/api/v1/audit?entity=accounts").await;
    assert!(all.len() >= 3, "accounts of every conference: {all:?}");
    app.get("/api/v1/audit?cursor=nonsense", Some(&admin))
        .await
        .assert_problem(400, "invalid_cursor");
}
