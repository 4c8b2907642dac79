use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::TestApp;

#[actix_web::test]
async fn admin_creates_lists_and_disables_organizer_accounts() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;

    let created = app
        .post("/api/v1/accounts", Some(&admin), json!({"email": "Org@Example.VN", "display_name": "Phòng Kinh tế", "password": "a long passphrase"}))
        .await;
    assert_eq!(created.status, StatusCode::CREATED);
    let id = created.body["id"].as_str().unwrap().to_owned();
    assert_eq!(
        created.header("location"),
        Some(format!("/api/v1/accounts/{id}").as_str())
    );
    assert_eq!(created.body["email"], "org@example.vn");
    assert_eq!(created.body["role"], "organizer");
    assert_eq!(created.body["disabled"], false);

    let listed = app
        .get("/api/v1/accounts?role=organizer", Some(&admin))
        .await;
    assert_eq!(listed.status, StatusCode::OK);
    assert_eq!(listed.body["items"].as_array().unwrap().len(), 1);
    assert_eq!(listed.body["next_cursor"], serde_json::Value::Null);

    let disabled = app
        .post(
            &format!("/api/v1/accounts/{id}/disable"),
            Some(&admin),
            json!({}),
        )
        .await;
    assert_eq!(disabled.body["disabled"], true);
    assert_eq!(
        app.count("SELECT count(*) FROM accounts WHERE disabled_at IS NOT NULL")
            .await,
        1
    );

    let enabled = app
        .post(
            &format!("/api/v1/accounts/{id}/enable"),
            Some(&admin),
            json!({}),
        )
        .await;
    assert_eq!(enabled.body["disabled"], false);
}

#[actix_web::test]
async fn organizers_cannot_manage_accounts() {
    let app = TestApp::spawn().await;
    let organizer = app.organizer("org").await;

    app.get("/api/v1/accounts", Some(&organizer))
        .await
        .assert_problem(403, "forbidden");
    let reply = app
        .post(
            "/api/v1/accounts",
            Some(&organizer),
            json!({"email": "x@example.vn", "display_name": "X", "password": "a long passphrase"}),
        )
        .await;
    reply.assert_problem(403, "forbidden");
    assert_eq!(app.count("SELECT count(*) FROM accounts").await, 1);
}

#[actix_web::test]
async fn a_taken_email_is_a_conflict() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let body = json!({"email": "admin@example.vn", "display_name": "Again", "password": "a long passphrase"});

    app.post("/api/v1/accounts", Some(&admin), body)
        .await
        .assert_problem(409, "email_taken");
}

#[actix_web::test]
async fn account_validation_reports_every_invalid_field() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;

    let reply = app
        .post(
            "/api/v1/accounts",
            Some(&admin),
            json!({"email": "not-an-email", "display_name": " ", "password": "short"}),
        )
        .await;

    reply.assert_problem(422, "validation_failed");
    let fields: Vec<String> = reply.error_fields().into_iter().map(|(f, _)| f).collect();
    assert_eq!(fields, vec!["email", "display_name", "password"]);
}

#[actix_web::test]
async fn an_admin_cannot_disable_their_own_account() {
    let app = TestApp::spawn().await;
    let (id, admin) = app.account("admin@example.vn", "admin").await;

    let reply = app
        .post(
            &format!("/api/v1/accounts/{id}/disable"),
            Some(&admin),
            json!({}),
        )
        .await;

    reply.assert_problem(409, "cannot_disable_self");
    assert_eq!(
        app.count("SELECT count(*) FROM accounts WHERE disabled_at IS NULL")
            .await,
        1
    );
}

#[actix_web::test]
async fn account_list_pages_with_a_cursor() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    for n in 0..3 {
        app.account(&format!("o{n}@example.vn"), "organizer").await;
    }

    let first = app.get("/api/v1/accounts?limit=2", Some(&admin)).await;
    let cursor = first.body["next_cursor"].as_str().unwrap().to_owned();
    let second = app
        .get(
            &format!("/api/v1/accounts?limit=2&cursor={cursor}"),
            Some(&admin),
        )
        .await;

    let emails = |r: &crate::helpers::Reply| -> Vec<String> {
        r.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["email"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(emails(&first), vec!["admin@example.vn", "o0@example.vn"]);
    assert_eq!(emails(&second), vec!["o1@example.vn", "o2@example.vn"]);
    assert_eq!(second.body["next_cursor"], serde_json::Value::Null);
}

#[actix_web::test]
async fn two_admins_disabling_each_other_at_once_leave_one_enabled() {
    let app = TestApp::spawn().await;
    let (first_id, first) = app.account("first@example.vn", "admin").await;
    let (second_id, second) = app.account("second@example.vn", "admin").await;

    let disable_second = format!("/api/v1/accounts/{second_id}/disable");
    let disable_first = format!("/api/v1/accounts/{first_id}/disable");
    let (a, b) = tokio::join!(
        app.post(&disable_second, Some(&first), json!({})),
        app.post(&disable_first, Some(&second), json!({})),
    );

    let mut statuses = vec![a.status.as_u16(), b.status.as_u16()];
    statuses.sort();
    assert!(
        statuses == vec![200, 401] || statuses == vec![200, 409],
        "{statuses:?}"
    );
    assert_eq!(
        app.count("SELECT count(*) FROM accounts WHERE role = 'admin' AND disabled_at IS NULL")
            .await,
        1
    );
}

#[actix_web::test]
async fn account_search_matches_accented_display_names() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    app.post(
        "/api/v1/accounts",
        Some(&admin),
        json!({"email": "trung@example.vn", "display_name": "Nguyễn Minh Trung", "password": "a long passphrase"}),
    )
    .await;

    let found = app
        .get("/api/v1/accounts?q=Nguy%E1%BB%85n", Some(&admin))
        .await;

    assert_eq!(found.body["items"].as_array().unwrap().len(), 1);
}
