use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{Reply, TestApp};

struct Setup {
    conference: Value,
    workshop: Value,
    overlapping: Value,
}

async fn setup(app: &TestApp, token: &str) -> Setup {
    let conference = app.published_conference(token, json!({})).await;
    let id = conference["id"].as_str().unwrap();
    let workshop = app
        .session(token, id, json!({"title": "Tham quan mô hình", "kind": "visit", "signup_required": true, "capacity": 2,
                                    "starts_at": "2030-07-19T13:00:00+07:00", "ends_at": "2030-07-19T15:00:00+07:00"}))
        .await;
    let overlapping = app
        .session(token, id, json!({"title": "Tọa đàm", "kind": "discussion", "signup_required": true,
                                    "starts_at": "2030-07-19T14:00:00+07:00", "ends_at": "2030-07-19T16:00:00+07:00"}))
        .await;
    Setup {
        conference,
        workshop,
        overlapping,
    }
}

async fn register(app: &TestApp, conference: &Value, n: usize) -> (String, String) {
    let reply = app
        .post(format!("/api/v1/conferences/{}/self-registrations", conference["id"].as_str().unwrap()), None,
              crate::helpers::with_consent(json!({"full_name": format!("Người {n}"), "category": "guest", "phone": format!("09{:08}", n)})))
        .await;
    (
        reply.body["registration"]["id"]
            .as_str()
            .unwrap()
            .to_owned(),
        reply.body["delegate_token"].as_str().unwrap().to_owned(),
    )
}

async fn delegate(app: &TestApp, method: Method, token: &str, session: &Value) -> Reply {
    let path = format!(
        "/api/v1/delegate/registration/sessions/{}",
        session["id"].as_str().unwrap()
    );
    Reply::from(
        app.request(method, &path, None)
            .header("x-delegate-token", token)
            .send()
            .await
            .unwrap(),
    )
    .await
}

#[actix_web::test]
async fn delegates_sign_up_within_capacity_and_never_for_overlapping_sessions() {
    let app = TestApp::spawn().await;
    let organizer = app.organizer("org").await;
    let s = setup(&app, &organizer).await;
    let (_, first) = register(&app, &s.conference, 1).await;
    let (_, second) = register(&app, &s.conference, 2).await;
    let (_, third) = register(&app, &s.conference, 3).await;

    assert_eq!(
        delegate(&app, Method::PUT, &first, &s.workshop)
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        delegate(&app, Method::PUT, &first, &s.workshop)
            .await
            .status,
        StatusCode::NO_CONTENT,
        "twice is harmless"
    );
    delegate(&app, Method::PUT, &first, &s.overlapping)
        .await
        .assert_problem(409, "overlapping_session");
    assert_eq!(
        delegate(&app, Method::PUT, &second, &s.workshop)
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    delegate(&app, Method::PUT, &third, &s.workshop)
        .await
        .assert_problem(409, "session_full");

    assert_eq!(
        app.count("SELECT signup_count::bigint FROM conference_sessions WHERE capacity = 2")
            .await,
        2
    );
    assert_eq!(
        delegate(&app, Method::DELETE, &second, &s.workshop)
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        delegate(&app, Method::PUT, &third, &s.workshop)
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    let mine = app
        .request(Method::GET, "/api/v1/delegate/registration/sessions", None)
        .header("x-delegate-token", &third)
        .send()
        .await
        .unwrap();
    assert_eq!(Reply::from(mine).await.body, json!([s.workshop["id"]]));
}

#[actix_web::test]
async fn parallel_sign_ups_never_exceed_the_session_capacity() {
    let app = TestApp::spawn().await;
    let organizer = app.organizer("org").await;
    let s = setup(&app, &organizer).await;
    let mut tokens = Vec::new();
    for n in 0..10 {
        tokens.push(register(&app, &s.conference, n).await.1);
    }

    let replies = futures_util::future::join_all(
        tokens
            .iter()
            .map(|t| delegate(&app, Method::PUT, t, &s.workshop)),
    )
    .await;

    assert_eq!(
        replies
            .iter()
            .filter(|r| r.status == StatusCode::NO_CONTENT)
            .count(),
        2
    );
    assert_eq!(app.count("SELECT count(*) FROM session_signups").await, 2);
}

#[actix_web::test]
async fn cancelling_a_registration_frees_its_session_seats() {
    let app = TestApp::spawn().await;
    let organizer = app.organizer("org").await;
    let s = setup(&app, &organizer).await;
    let (id, token) = register(&app, &s.conference, 1).await;
    delegate(&app, Method::PUT, &token, &s.workshop).await;

    app.post(
        format!(
            "/api/v1/conferences/{}/registrations/{id}/cancel",
            s.conference["id"].as_str().unwrap()
        ),
        Some(&organizer),
        json!({}),
    )
    .await;

    assert_eq!(app.count("SELECT count(*) FROM session_signups").await, 0);
    assert_eq!(
        app.count("SELECT sum(signup_count)::bigint FROM conference_sessions")
            .await,
        0
    );
}

#[actix_web::test]
async fn sessions_open_to_everyone_and_unconfirmed_registrations_take_no_sign_ups() {
    let app = TestApp::spawn().await;
    let organizer = app.organizer("org").await;
    let conference = app
        .published_conference(
            &organizer,
            json!({"registration_mode": "approval_required"}),
        )
        .await;
    let open = app
        .session(&organizer, conference["id"].as_str().unwrap(), json!({}))
        .await;
    let limited = app.session(&organizer, conference["id"].as_str().unwrap(), json!({"signup_required": true, "starts_at": "2030-07-19T09:00:00+07:00", "ends_at": "2030-07-19T10:00:00+07:00"})).await;
    let (_, pending) = register(&app, &conference, 1).await;

    delegate(&app, Method::PUT, &pending, &limited)
        .await
        .assert_problem(409, "registration_not_confirmed");
    let organizer_path = |id: &str, session: &Value| {
        format!(
            "/api/v1/conferences/{}/registrations/{id}/sessions/{}",
            conference["id"].as_str().unwrap(),
            session["id"].as_str().unwrap()
        )
    };
    let created = app
        .post(
            format!(
                "/api/v1/conferences/{}/registrations",
                conference["id"].as_str().unwrap()
            ),
            Some(&organizer),
            json!({"full_name": "X", "category": "staff", "email": "x@example.vn"}),
        )
        .await;
    let confirmed_id = created.body["registration"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.send(
        Method::PUT,
        organizer_path(&confirmed_id, &open),
        Some(&organizer),
        None,
    )
    .await
    .assert_problem(409, "signup_not_required");
    assert_eq!(
        app.send(
            Method::PUT,
            organizer_path(&confirmed_id, &limited),
            Some(&organizer),
            None
        )
        .await
        .status,
        StatusCode::NO_CONTENT
    );
    let shrink = app
        .patch(
            format!(
                "/api/v1/conferences/{}/sessions/{}",
                conference["id"].as_str().unwrap(),
                limited["id"].as_str().unwrap()
            ),
            Some(&organizer),
            json!({"capacity": 1}),
        )
        .await;
    assert_eq!(shrink.status, StatusCode::OK);
    assert_eq!(shrink.body["signup_count"], 1);
}
