//! The outbox: rows written in the transaction of their change, and who may read the queue.

use super::*;

#[actix_web::test]
async fn a_rolled_back_change_enqueues_nothing() {
    let app = TestApp::spawn().await;
    let token = app.organizer("org").await;
    let conference = app.conference(&token, json!({})).await;
    let conference = conference["id"].as_str().unwrap();
    let unit = app
        .post(
            "/api/v1/units",
            Some(&token),
            json!({"name": "Phòng Kinh tế Vĩnh Yên", "kind": "district", "email": "kinhte@example.vn"}),
        )
        .await;
    assert_eq!(unit.status, StatusCode::CREATED, "{}", unit.body);
    let invitation = app
        .post(
            &format!("/api/v1/conferences/{conference}/invitations"),
            Some(&token),
            json!({"unit_id": unit.body["id"], "seats": 1}),
        )
        .await;
    assert_eq!(
        invitation.status,
        StatusCode::CREATED,
        "{}",
        invitation.body
    );
    let invitation_token = invitation.body["token"].as_str().unwrap();

    // Two delegates for one seat: both are inserted (and their triggers run), then the quota
    // check fails and the whole transaction rolls back.
    let response = app
        .request(Method::POST, "/api/v1/invitation/registrations", None)
        .header("X-Invitation-Token", invitation_token)
        .json(&json!({"delegates": [
            {"full_name": "Nguyễn Văn An", "category": "district", "email": "an@example.vn"},
            {"full_name": "Trần Thị Bình", "category": "district", "email": "binh@example.vn"}]}))
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), StatusCode::CONFLICT);
    let rows = outbox_rows(&app).await;
    let events: Vec<&str> = rows.iter().map(|r| r.1.as_str()).collect();
    assert_eq!(
        events,
        vec!["invitation.created"],
        "only the committed invitation"
    );
    assert_eq!(app.count("SELECT count(*) FROM registrations").await, 0);
}

#[actix_web::test]
async fn every_status_change_enqueues_its_event_in_the_same_transaction() {
    let app = TestApp::spawn().await;
    let token = app.organizer("org").await;
    let conference = open_conference(
        &app,
        &token,
        json!({"capacity": 1, "waitlist_enabled": true}),
    )
    .await;
    let first = self_register(
        &app,
        &conference,
        json!({"full_name": "Nguyễn Văn An", "category": "guest", "email": "an@example.vn"}),
    )
    .await;
    let second = self_register(
        &app,
        &conference,
        json!({"full_name": "Trần Thị Bình", "category": "guest", "email": "binh@example.vn"}),
    )
    .await;
    // No email, no message.
    self_register(
        &app,
        &conference,
        json!({"full_name": "Lê Văn Cường", "category": "guest", "phone": "0912 345 678"}),
    )
    .await;
    let first_id = first["registration"]["id"].as_str().unwrap();
    let cancel = app
        .post(
            &format!("/api/v1/conferences/{conference}/registrations/{first_id}/cancel"),
            Some(&token),
            json!({}),
        )
        .await;
    assert_eq!(cancel.status, StatusCode::OK, "{}", cancel.body);

    let by_registration: HashMap<Uuid, Vec<String>> = outbox_rows(&app).await.into_iter().fold(
        HashMap::new(),
        |mut map, (_, event, state, registration)| {
            assert_eq!(state, "pending", "no worker runs in this test");
            map.entry(registration.unwrap()).or_default().push(event);
            map
        },
    );
    let id = |v: &Value| {
        v["registration"]["id"]
            .as_str()
            .unwrap()
            .parse::<Uuid>()
            .unwrap()
    };
    assert_eq!(
        by_registration[&id(&first)],
        vec!["registration.confirmed", "registration.cancelled"]
    );
    let mut second_events = by_registration[&id(&second)].clone();
    second_events.sort();
    assert_eq!(
        second_events,
        vec!["registration.promoted", "registration.waitlisted"]
    );
    assert_eq!(by_registration.len(), 2);
}

#[actix_web::test]
async fn without_smtp_emails_stay_pending_and_the_queue_says_so() {
    let app = TestApp::spawn().await;
    let _worker = start_worker(app.state.pool.clone(), &notify_settings(None));
    let token = app.organizer("org").await;
    let conference = open_conference(&app, &token, json!({})).await;
    self_register(
        &app,
        &conference,
        json!({"full_name": "Phạm Thị Yến", "category": "enterprise", "email": "yen@example.vn"}),
    )
    .await;
    tokio::time::sleep(Duration::from_millis(300)).await;

    let queue = app
        .get(
            format!("/api/v1/conferences/{conference}/outbox"),
            Some(&token),
        )
        .await;

    assert_eq!(queue.status, StatusCode::OK);
    assert_eq!(queue.body["counts"]["pending"], 1, "{}", queue.body);
    assert_eq!(queue.body["email_configured"], false);
    assert!(queue.body["oldest_due_at"].is_string());
}

#[actix_web::test]
async fn the_queue_belongs_to_the_conferences_organizers_and_the_server_queue_to_admins() {
    let app = TestApp::spawn().await;
    let owner = app.organizer("owner").await;
    let other = app.organizer("other").await;
    let admin = app.admin().await;
    let conference = open_conference(&app, &owner, json!({})).await;

    let foreign = app
        .get(
            format!("/api/v1/conferences/{conference}/outbox"),
            Some(&other),
        )
        .await;
    let bad_state = app
        .get(
            format!("/api/v1/conferences/{conference}/outbox/messages?state=lost"),
            Some(&owner),
        )
        .await;
    let server_by_organizer = app.get("/api/v1/outbox", Some(&owner)).await;
    let server_by_admin = app.get("/api/v1/outbox", Some(&admin)).await;

    foreign.assert_problem(404, "not_found");
    bad_state.assert_problem(422, "validation_failed");
    assert_eq!(bad_state.error_fields()[0].0, "state");
    assert_eq!(server_by_organizer.status, StatusCode::FORBIDDEN);
    assert_eq!(server_by_admin.status, StatusCode::OK);
    assert_eq!(server_by_admin.body["counts"]["pending"], 0);
}
