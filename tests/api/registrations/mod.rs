//! Registrations, split by flow; the request bodies and paths these files share live here.

use serde_json::{Value, json};

use crate::helpers::{
    TestApp, TestDatabase, database_settings, serve_settings, test_auth_settings, with_consent,
};

mod bulk;
mod burst;
mod idempotency;
mod management;
mod search;
mod seats;
mod self_service;

/// An app whose pool waits long enough for a 200-request burst on one conference row.
pub(crate) async fn burst_app() -> TestApp {
    let db = TestDatabase::create().await;
    let mut database = database_settings(&db.url);
    database.db_pool_size = 16;
    database.db_timeout_ms = 30_000;
    TestApp::spawn_on(db, database, serve_settings(test_auth_settings())).await
}

/// An organizer's registration body: organizers record the legal basis, not consent.
pub(crate) fn organizer_person(n: usize) -> Value {
    json!({"full_name": format!("Đại biểu {n}"), "category": "enterprise", "phone": format!("09{:08}", n)})
}

/// A self-registration body (with the privacy notice accepted).
pub(crate) fn person(n: usize) -> Value {
    with_consent(
        json!({"full_name": format!("Đại biểu {n}"), "category": "enterprise", "phone": format!("09{:08}", n)}),
    )
}

pub(crate) fn self_path(conference: &Value) -> String {
    format!(
        "/api/v1/conferences/{}/self-registrations",
        conference["id"].as_str().unwrap()
    )
}

pub(crate) fn list_path(conference: &Value) -> String {
    format!(
        "/api/v1/conferences/{}/registrations",
        conference["id"].as_str().unwrap()
    )
}
