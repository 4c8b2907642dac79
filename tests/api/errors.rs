use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{
    TestApp, TestDatabase, database_settings, serve_settings, test_auth_settings,
};

#[actix_web::test]
async fn malformed_json_is_a_400_problem() {
    let app = TestApp::spawn().await;
    let token = app.organizer("org").await;

    let reply = app
        .request(Method::POST, "/api/v1/conferences", Some(&token))
        .header("content-type", "application/json")
        .body("{\"code\": ")
        .send()
        .await
        .unwrap();

    crate::helpers::Reply::from(reply)
        .await
        .assert_problem(400, "malformed_json");
}

#[actix_web::test]
async fn a_wrong_content_type_is_415() {
    let app = TestApp::spawn().await;
    let token = app.organizer("org").await;

    let reply = app
        .request(Method::POST, "/api/v1/conferences", Some(&token))
        .header("content-type", "text/plain")
        .body("{}")
        .send()
        .await
        .unwrap();

    crate::helpers::Reply::from(reply)
        .await
        .assert_problem(415, "unsupported_media_type");
}

#[actix_web::test]
async fn a_body_over_the_limit_is_413() {
    let app = TestApp::spawn().await;
    let token = app.organizer("org").await;
    let huge = json!({"title": "x".repeat(70 * 1024)});

    let reply = app.post("/api/v1/conferences", Some(&token), huge).await;

    reply.assert_problem(413, "payload_too_large");
}

#[actix_web::test]
async fn a_wrongly_typed_field_is_422_naming_the_body() {
    let app = TestApp::spawn().await;
    let token = app.organizer("org").await;
    let mut body = crate::helpers::conference_body();
    body["capacity"] = json!("many");

    app.post("/api/v1/conferences", Some(&token), body)
        .await
        .assert_problem(422, "validation_failed");
}

#[actix_web::test]
async fn a_bad_path_parameter_is_400() {
    let app = TestApp::spawn().await;

    app.get("/api/v1/conferences/not-a-uuid", None)
        .await
        .assert_problem(400, "invalid_path_parameter");
}

#[actix_web::test]
async fn bad_query_parameters_are_400() {
    let app = TestApp::spawn().await;

    app.get("/api/v1/conferences?limit=0", None)
        .await
        .assert_problem(400, "invalid_query_parameter");
    app.get("/api/v1/conferences?limit=501", None)
        .await
        .assert_problem(400, "invalid_query_parameter");
    app.get("/api/v1/conferences?limit=abc", None)
        .await
        .assert_problem(400, "invalid_query_parameter");
    app.get("/api/v1/conferences?status=open", None)
        .await
        .assert_problem(400, "invalid_query_parameter");
    app.get("/api/v1/conferences?from=2030-13-01", None)
        .await
        .assert_problem(400, "invalid_query_parameter");
    app.get("/api/v1/conferences?from=0001-01-01", None)
        .await
        .assert_problem(400, "invalid_query_parameter");
    app.get("/api/v1/conferences?cursor=garbage", None)
        .await
        .assert_problem(400, "invalid_cursor");
    app.get("/api/v1/conferences?q=a%00b", None)
        .await
        .assert_problem(400, "invalid_query_parameter");
}

#[actix_web::test]
async fn an_unknown_route_is_404_and_a_wrong_method_405_with_allow() {
    let app = TestApp::spawn().await;

    app.get("/api/v1/nothing-here", None)
        .await
        .assert_problem(404, "not_found");
    let reply = app
        .send(Method::DELETE, "/api/v1/conferences", None, None)
        .await;
    reply.assert_problem(405, "method_not_allowed");
    assert_eq!(reply.header("allow"), Some("GET, POST"));
}

#[actix_web::test]
async fn the_request_id_is_echoed_or_generated() {
    let app = TestApp::spawn().await;

    let echoed = app
        .request(Method::GET, "/healthz", None)
        .header("x-request-id", "door-7-abc")
        .send()
        .await
        .unwrap();
    assert_eq!(echoed.headers()["x-request-id"], "door-7-abc");
    let generated = app
        .request(Method::GET, "/healthz", None)
        .send()
        .await
        .unwrap();
    let id = generated.headers()["x-request-id"].to_str().unwrap();
    assert!(uuid::Uuid::parse_str(id).is_ok());
    let refused = app
        .request(Method::GET, "/healthz", None)
        .header("x-request-id", "x".repeat(500))
        .send()
        .await
        .unwrap();
    assert_ne!(
        refused.headers()["x-request-id"].to_str().unwrap().len(),
        500
    );
}

#[actix_web::test]
async fn nul_bytes_in_text_are_a_422_not_a_server_error() {
    let app = TestApp::spawn().await;
    let token = app.organizer("org").await;
    let mut body = crate::helpers::conference_body();
    body["title"] = json!("Hội\u{0}thảo");
    body["description"] = json!("ok\nmultiline");

    let reply = app.post("/api/v1/conferences", Some(&token), body).await;

    reply.assert_problem(422, "validation_failed");
    assert_eq!(
        reply.error_fields(),
        vec![("title".to_owned(), "invalid_characters".to_owned())]
    );
    let login = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({"email": "a\u{0}@example.vn", "password": "x\u{0}"}),
        )
        .await;
    login.assert_problem(401, "invalid_credentials");
}

#[actix_web::test]
async fn an_unreachable_database_gives_503_with_retry_after_quickly() {
    let db = TestDatabase::create().await;
    let mut database = database_settings("postgres://postgres@127.0.0.1:9/hoithao");
    database.db_timeout_ms = 500;
    let app = TestApp::spawn_on(db, database, serve_settings(test_auth_settings())).await;

    let started = Instant::now();
    let reply = app.get("/readyz", None).await;
    let list = app.get("/api/v1/conferences", None).await;

    reply.assert_problem(503, "database_unavailable");
    list.assert_problem(503, "database_unavailable");
    assert!(reply.header("retry-after").is_some());
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "took {:?}",
        started.elapsed()
    );
    assert!(
        !list.text.contains("9/hoithao")
            && !list.text.to_lowercase().contains("connection refused")
    );
}

#[actix_web::test]
async fn health_and_readiness_report_ok_on_a_migrated_database() {
    let app = TestApp::spawn().await;

    assert_eq!(
        app.get("/healthz", None).await.body,
        json!({"status": "ok"})
    );
    assert_eq!(app.get("/readyz", None).await.status, StatusCode::OK);
}

#[actix_web::test]
async fn readiness_fails_while_migrations_are_pending() {
    let db = TestDatabase::create().await;
    let client = db.client().await;
    client.batch_execute("DELETE FROM __diesel_schema_migrations WHERE version = (SELECT max(version) FROM __diesel_schema_migrations)").await.unwrap();
    let database = database_settings(&db.url);
    let app = TestApp::spawn_on(db, database, serve_settings(test_auth_settings())).await;

    let reply = app.get("/readyz", None).await;

    assert_eq!(reply.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(
        reply.header("content-type"),
        Some("application/problem+json")
    );
}

#[actix_web::test]
async fn a_cursor_outside_the_supported_years_is_400_not_500() {
    use base64::Engine;
    let app = TestApp::spawn().await;
    let cursor = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode("-300000000000000000|00000000-0000-0000-0000-000000000000");

    app.get(&format!("/api/v1/conferences?cursor={cursor}"), None)
        .await
        .assert_problem(400, "invalid_cursor");
}

#[actix_web::test]
async fn readiness_says_not_ready_on_an_unmigrated_database() {
    let holder = TestDatabase::create().await;
    let client = holder.client().await;
    client
        .batch_execute("DROP TABLE __diesel_schema_migrations")
        .await
        .unwrap();
    let database = database_settings(&holder.url);
    let app = TestApp::spawn_on(holder, database, serve_settings(test_auth_settings())).await;

    app.get("/readyz", None)
        .await
        .assert_problem(503, "not_ready");
}
