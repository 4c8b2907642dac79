use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{
    Reply, TestApp, TestDatabase, database_settings, serve_settings, test_auth_settings,
};

struct Invited {
    conference: Value,
    invitation: Value,
    token: String,
}

async fn invite(app: &TestApp, organizer: &str, seats: i32, conference: Value) -> Invited {
    let unit = app
        .post(
            "/api/v1/units",
            Some(organizer),
            json!({"name": format!("Phòng Kinh tế {}", uuid::Uuid::new_v4()), "kind": "agency"}),
        )
        .await;
    let path = format!(
        "/api/v1/conferences/{}/invitations",
        conference["id"].as_str().unwrap()
    );
    let reply = app
        .post(
            &path,
            Some(organizer),
            json!({"unit_id": unit.body["id"], "seats": seats}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
    Invited {
        conference,
        invitation: reply.body["invitation"].clone(),
        token: reply.body["token"].as_str().unwrap().to_owned(),
    }
}

async fn with_token(
    app: &TestApp,
    method: Method,
    path: &str,
    token: &str,
    body: Option<Value>,
) -> Reply {
    let mut request = app
        .request(method, path, None)
        .header("x-invitation-token", token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    Reply::from(request.send().await.unwrap()).await
}

fn delegate(n: usize) -> Value {
    json!({"full_name": format!("Cán bộ {n}"), "position": "Chuyên viên", "category": "agency", "phone": format!("09{:08}", n)})
}

#[actix_web::test]
async fn a_unit_contact_registers_edits_and_sees_its_delegates_with_the_link_token() {
    let app = TestApp::spawn().await;
    let organizer = app.organizer("org").await;
    let conference = app
        .published_conference(&organizer, json!({"registration_mode": "invitation_only"}))
        .await;
    let invited = invite(&app, &organizer, 3, conference).await;

    let view = with_token(
        &app,
        Method::GET,
        "/api/v1/invitation",
        &invited.token,
        None,
    )
    .await;
    assert_eq!(view.status, StatusCode::OK);
    assert_eq!(view.body["invitation"]["seats"], 3);
    let created = with_token(
        &app,
        Method::POST,
        "/api/v1/invitation/registrations",
        &invited.token,
        Some(json!({"delegates": [delegate(1), delegate(2)]})),
    )
    .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    assert_eq!(created.body[0]["registration"]["source"], "invitation");
    assert_eq!(
        created.body[0]["registration"]["unit_id"],
        invited.invitation["unit_id"]
    );
    let id = created.body[0]["registration"]["id"].as_str().unwrap();
    let edited = with_token(
        &app,
        Method::PATCH,
        &format!("/api/v1/invitation/registrations/{id}"),
        &invited.token,
        Some(json!({"position": "Phó trưởng phòng"})),
    )
    .await;
    assert_eq!(edited.body["position"], "Phó trưởng phòng");

    let listed = with_token(
        &app,
        Method::GET,
        "/api/v1/invitation/registrations",
        &invited.token,
        None,
    )
    .await;
    assert_eq!(listed.body.as_array().unwrap().len(), 2);
    let organizer_view = app
        .get(
            &format!(
                "/api/v1/conferences/{}/invitations",
                invited.conference["id"].as_str().unwrap()
            ),
            Some(&organizer),
        )
        .await;
    assert_eq!(organizer_view.body[0]["seats"], 3);
    assert_eq!(organizer_view.body[0]["registered"], 2);
    assert_eq!(organizer_view.body[0]["confirmed"], 2);
}

#[actix_web::test]
async fn over_quota_is_refused_whole() {
    let app = TestApp::spawn().await;
    let organizer = app.organizer("org").await;
    let conference = app.published_conference(&organizer, json!({})).await;
    let invited = invite(&app, &organizer, 2, conference).await;

    let reply = with_token(
        &app,
        Method::POST,
        "/api/v1/invitation/registrations",
        &invited.token,
        Some(json!({"delegates": [delegate(1), delegate(2), delegate(3)]})),
    )
    .await;

    reply.assert_problem(409, "quota_exceeded");
    assert_eq!(app.count("SELECT count(*) FROM registrations").await, 0);
}

#[actix_web::test]
async fn parallel_registrations_through_one_invitation_with_five_seats_admit_exactly_five() {
    let db = TestDatabase::create().await;
    let mut database = database_settings(&db.url);
    database.db_timeout_ms = 30_000;
    let app = TestApp::spawn_on(db, database, serve_settings(test_auth_settings())).await;
    let organizer = app.organizer("org").await;
    let conference = app.published_conference(&organizer, json!({})).await;
    let invited = invite(&app, &organizer, 5, conference).await;

    let replies = futures_util::future::join_all((0..20).map(|n| {
        with_token(
            &app,
            Method::POST,
            "/api/v1/invitation/registrations",
            &invited.token,
            Some(json!({"delegates": [delegate(n)]})),
        )
    }))
    .await;

    assert_eq!(
        replies
            .iter()
            .filter(|r| r.status == StatusCode::CREATED)
            .count(),
        5
    );
    assert!(
        replies
            .iter()
            .filter(|r| r.status != StatusCode::CREATED)
            .all(|r| r.body["code"] == "quota_exceeded")
    );
    assert_eq!(app.count("SELECT count(*) FROM registrations").await, 5);
    assert_eq!(
        app.count("SELECT used_seats::bigint FROM invitations")
            .await,
        5
    );
}

#[actix_web::test]
async fn substitution_keeps_the_seat_and_records_who_replaced_whom() {
    let app = TestApp::spawn().await;
    let organizer = app.organizer("org").await;
    let conference = app.published_conference(&organizer, json!({})).await;
    let invited = invite(&app, &organizer, 1, conference).await;
    let created = with_token(
        &app,
        Method::POST,
        "/api/v1/invitation/registrations",
        &invited.token,
        Some(json!({"delegates": [delegate(1)]})),
    )
    .await;
    let original = &created.body[0]["registration"];
    let id = original["id"].as_str().unwrap();

    let replaced = with_token(
        &app,
        Method::POST,
        &format!("/api/v1/invitation/registrations/{id}/substitute"),
        &invited.token,
        Some(delegate(2)),
    )
    .await;

    assert_eq!(replaced.status, StatusCode::OK, "{}", replaced.text);
    assert_eq!(replaced.body["registration"]["id"], original["id"]);
    assert_eq!(replaced.body["registration"]["number"], original["number"]);
    assert_eq!(replaced.body["registration"]["full_name"], "Cán bộ 2");
    assert_ne!(
        replaced.body["registration"]["qr_payload"],
        original["qr_payload"]
    );
    let old_token = created.body[0]["delegate_token"].as_str().unwrap();
    let old = app
        .request(Method::GET, "/api/v1/delegate/registration", None)
        .header("x-delegate-token", old_token)
        .send()
        .await
        .unwrap();
    assert_eq!(
        old.status(),
        StatusCode::NOT_FOUND,
        "the replaced person's link no longer works"
    );
    let client = app.db.client().await;
    let row = client
        .query_one(
            "SELECT previous_name, new_name, substituted_by FROM registration_substitutions",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(
        (
            row.get::<_, String>(0),
            row.get::<_, String>(1),
            row.get::<_, String>(2)
        ),
        ("Cán bộ 1".into(), "Cán bộ 2".into(), "invitation".into())
    );
    assert_eq!(
        app.count("SELECT used_seats::bigint FROM invitations")
            .await,
        1
    );
}

#[actix_web::test]
async fn cancelling_frees_the_invitation_seat_and_revoked_tokens_are_404() {
    let app = TestApp::spawn().await;
    let organizer = app.organizer("org").await;
    let conference = app.published_conference(&organizer, json!({})).await;
    let invited = invite(&app, &organizer, 1, conference).await;
    let created = with_token(
        &app,
        Method::POST,
        "/api/v1/invitation/registrations",
        &invited.token,
        Some(json!({"delegates": [delegate(1)]})),
    )
    .await;
    let id = created.body[0]["registration"]["id"].as_str().unwrap();

    let cancelled = with_token(
        &app,
        Method::POST,
        &format!("/api/v1/invitation/registrations/{id}/cancel"),
        &invited.token,
        None,
    )
    .await;
    assert_eq!(cancelled.body["status"], "cancelled");
    let again = with_token(
        &app,
        Method::POST,
        "/api/v1/invitation/registrations",
        &invited.token,
        Some(json!({"delegates": [delegate(2)]})),
    )
    .await;
    assert_eq!(again.status, StatusCode::CREATED);

    let revoke = format!(
        "/api/v1/conferences/{}/invitations/{}/revoke",
        invited.conference["id"].as_str().unwrap(),
        invited.invitation["id"].as_str().unwrap()
    );
    assert_eq!(
        app.post(&revoke, Some(&organizer), json!({})).await.status,
        StatusCode::OK
    );
    with_token(
        &app,
        Method::GET,
        "/api/v1/invitation",
        &invited.token,
        None,
    )
    .await
    .assert_problem(404, "not_found");
    with_token(
        &app,
        Method::POST,
        "/api/v1/invitation/registrations",
        &invited.token,
        Some(json!({"delegates": [delegate(3)]})),
    )
    .await
    .assert_problem(404, "not_found");
}

#[actix_web::test]
async fn an_invitation_token_reaches_only_its_own_units_registrations() {
    let app = TestApp::spawn().await;
    let organizer = app.organizer("org").await;
    let conference = app.published_conference(&organizer, json!({})).await;
    let first = invite(&app, &organizer, 2, conference.clone()).await;
    let second = invite(&app, &organizer, 2, conference).await;
    let created = with_token(
        &app,
        Method::POST,
        "/api/v1/invitation/registrations",
        &first.token,
        Some(json!({"delegates": [delegate(1)]})),
    )
    .await;
    let id = created.body[0]["registration"]["id"].as_str().unwrap();
    let self_registered = app
        .post(
            &format!(
                "/api/v1/conferences/{}/self-registrations",
                first.conference["id"].as_str().unwrap()
            ),
            None,
            crate::helpers::with_consent(delegate(9)),
        )
        .await;
    let self_id = self_registered.body["registration"]["id"].as_str().unwrap();

    for target in [id, self_id] {
        with_token(
            &app,
            Method::PATCH,
            &format!("/api/v1/invitation/registrations/{target}"),
            &second.token,
            Some(json!({"position": "x"})),
        )
        .await
        .assert_problem(404, "not_found");
        with_token(
            &app,
            Method::POST,
            &format!("/api/v1/invitation/registrations/{target}/cancel"),
            &second.token,
            None,
        )
        .await
        .assert_problem(404, "not_found");
    }
    let listed = with_token(
        &app,
        Method::GET,
        "/api/v1/invitation/registrations",
        &second.token,
        None,
    )
    .await;
    assert_eq!(listed.body, json!([]));
    let organizer_only = app
        .get(
            &format!(
                "/api/v1/conferences/{}/invitations",
                first.conference["id"].as_str().unwrap()
            ),
            None,
        )
        .await;
    organizer_only.assert_problem(401, "missing_token");
}

#[actix_web::test]
async fn an_invitation_cannot_move_its_delegates_to_another_unit() {
    let app = TestApp::spawn().await;
    let organizer = app.organizer("org").await;
    let conference = app.published_conference(&organizer, json!({})).await;
    let invited = invite(&app, &organizer, 1, conference).await;
    let elsewhere = app
        .post(
            "/api/v1/units",
            Some(&organizer),
            json!({"name": "Đơn vị khác", "kind": "agency"}),
        )
        .await;
    let created = with_token(
        &app,
        Method::POST,
        "/api/v1/invitation/registrations",
        &invited.token,
        Some(json!({"delegates": [delegate(1)]})),
    )
    .await;
    let id = created.body[0]["registration"]["id"].as_str().unwrap();

    let moved = with_token(
        &app,
        Method::PATCH,
        &format!("/api/v1/invitation/registrations/{id}"),
        &invited.token,
        Some(json!({"unit_id": elsewhere.body["id"]})),
    )
    .await;
    let cleared = with_token(
        &app,
        Method::PATCH,
        &format!("/api/v1/invitation/registrations/{id}"),
        &invited.token,
        Some(json!({"unit_id": null})),
    )
    .await;

    moved.assert_problem(422, "validation_failed");
    cleared.assert_problem(422, "validation_failed");
    assert_eq!(
        app.count("SELECT count(*) FROM registrations WHERE unit_id IS NOT NULL")
            .await,
        1
    );
}

#[actix_web::test]
async fn a_retried_invitation_registration_with_the_same_key_registers_once() {
    let app = TestApp::spawn().await;
    let organizer = app.organizer("org").await;
    let conference = app.published_conference(&organizer, json!({})).await;
    let invited = invite(&app, &organizer, 3, conference).await;
    let send = || {
        app.request(Method::POST, "/api/v1/invitation/registrations", None)
            .header("x-invitation-token", &invited.token)
            .header("Idempotency-Key", "batch-1")
            .json(&json!({"delegates": [delegate(1)]}))
            .send()
    };

    let first = Reply::from(send().await.unwrap()).await;
    let again = Reply::from(send().await.unwrap()).await;

    assert_eq!(
        (first.status, again.status),
        (StatusCode::CREATED, StatusCode::CREATED)
    );
    assert_eq!(first.body, again.body);
    assert_eq!(again.header("idempotent-replayed"), Some("true"));
    assert_eq!(
        app.count("SELECT used_seats::bigint FROM invitations")
            .await,
        1
    );
}
