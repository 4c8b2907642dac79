//! Database trouble that passes (a terminated backend, a statement timeout, a read-only
//! database, a silent server, serialization failures and deadlocks) is a 503 the client can
//! retry, never a 500, and leaves nothing half-written.

use std::time::Duration;

use hoithao::config::DatabaseSettings;
use serde_json::json;

use crate::helpers::{
    Reply, TestApp, TestDatabase, database_settings, serve_settings, test_auth_settings,
};

async fn app_with(tweak: impl FnOnce(&mut DatabaseSettings)) -> TestApp {
    let db = TestDatabase::create().await;
    let mut database = database_settings(&db.url);
    tweak(&mut database);
    TestApp::spawn_on(db, database, serve_settings(test_auth_settings())).await
}

/// An organizer and a draft conference; returns the token and the conference id.
async fn organizer_with_conference(app: &TestApp) -> (String, String) {
    let token = app.organizer("org").await;
    let conference = app.conference(&token, json!({})).await;
    (token, conference["id"].as_str().unwrap().to_owned())
}

async fn venue_address(app: &TestApp, conference_id: &str) -> Option<String> {
    let client = app.db.client().await;
    client
        .query_one(
            &format!("SELECT venue_address FROM conferences WHERE id = '{conference_id}'"),
            &[],
        )
        .await
        .unwrap()
        .get(0)
}

/// Starts a PATCH of the conference's venue address in the background.
fn patch_venue(app: &TestApp, token: &str, conference_id: &str) -> tokio::task::JoinHandle<Reply> {
    let request = app
        .request(
            reqwest::Method::PATCH,
            &format!("/api/v1/conferences/{conference_id}"),
            Some(token),
        )
        .json(&json!({"venue_address": "Vĩnh Yên"}));
    tokio::spawn(async move { Reply::from(request.send().await.unwrap()).await })
}

/// Holds the conference row locked in a transaction of the test's own until dropped.
async fn lock_conference(app: &TestApp, conference_id: &str) -> tokio_postgres::Client {
    let locker = app.db.client().await;
    locker
        .batch_execute(&format!(
            "BEGIN; SELECT 1 FROM conferences WHERE id = '{conference_id}' FOR UPDATE"
        ))
        .await
        .unwrap();
    locker
}

/// The pid of the API's backend that waits for a lock, once it does.
async fn backend_waiting_for_lock(app: &TestApp) -> i32 {
    let client = app.db.client().await;
    for _ in 0..200 {
        let row = client
            .query_opt(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() \
                 AND application_name = 'hoithao' AND wait_event_type = 'Lock'",
                &[],
            )
            .await
            .unwrap();
        if let Some(row) = row {
            return row.get(0);
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("the API never waited for the lock");
}

async fn api_backends(app: &TestApp) -> Vec<i32> {
    let client = app.db.client().await;
    client
        .query(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() \
             AND application_name = 'hoithao'",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|row| row.get(0))
        .collect()
}

/// Waits at most a minute, so a regression fails the test instead of hanging the suite.
async fn within_a_minute<T>(future: impl Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(60), future)
        .await
        .expect("the request hung")
}

#[actix_web::test]
async fn a_backend_terminated_mid_request_gives_503_and_the_pool_replaces_it() {
    let app = app_with(|_| {}).await;
    let (token, conference_id) = organizer_with_conference(&app).await;
    let locker = lock_conference(&app, &conference_id).await;
    let request = patch_venue(&app, &token, &conference_id);
    let pid = backend_waiting_for_lock(&app).await;

    let admin = app.db.client().await;
    admin
        .execute("SELECT pg_terminate_backend($1)", &[&pid])
        .await
        .unwrap();
    let reply = within_a_minute(request).await.unwrap();
    locker.batch_execute("ROLLBACK").await.unwrap();

    reply.assert_problem(503, "database_unavailable");
    assert!(reply.header("retry-after").is_some());
    assert_eq!(venue_address(&app, &conference_id).await, None);
    for _ in 0..10 {
        let reply = app
            .get(format!("/api/v1/conferences/{conference_id}"), Some(&token))
            .await;
        assert_eq!(reply.status, 200, "{}", reply.body);
    }
}

#[actix_web::test]
async fn a_statement_timeout_gives_503_database_timeout_and_writes_nothing() {
    let app = app_with(|db| db.db_statement_timeout_ms = 300).await;
    let (token, conference_id) = organizer_with_conference(&app).await;
    let locker = lock_conference(&app, &conference_id).await;

    let reply = within_a_minute(patch_venue(&app, &token, &conference_id))
        .await
        .unwrap();
    locker.batch_execute("ROLLBACK").await.unwrap();

    reply.assert_problem(503, "database_timeout");
    assert!(reply.header("retry-after").is_some());
    assert_eq!(venue_address(&app, &conference_id).await, None);
}

#[actix_web::test]
async fn a_read_only_database_refuses_writes_with_503_and_still_serves_reads() {
    let app = app_with(|_| {}).await;
    let (token, conference_id) = organizer_with_conference(&app).await;
    let admin = app.db.client().await;
    admin
        .batch_execute(&format!(
            "ALTER DATABASE {} SET default_transaction_read_only = on",
            app.db.name
        ))
        .await
        .unwrap();
    // Connections made before the change keep their settings; start afresh.
    app.state.pool.retain(|_, _| false);

    let write = app
        .patch(
            format!("/api/v1/conferences/{conference_id}"),
            Some(&token),
            json!({"venue_address": "Vĩnh Yên"}),
        )
        .await;
    let read = app
        .get(format!("/api/v1/conferences/{conference_id}"), Some(&token))
        .await;

    write.assert_problem(503, "database_read_only");
    assert!(write.header("retry-after").is_some());
    assert_eq!(read.status, 200, "{}", read.body);
    assert_eq!(venue_address(&app, &conference_id).await, None);
}

/// Resumes a stopped backend even when the test fails.
struct Stopped(i32);

impl Stopped {
    fn signal(pid: i32, signal: &str) -> bool {
        std::process::Command::new("kill")
            .args([signal, &pid.to_string()])
            .status()
            .is_ok_and(|s| s.success())
    }
}

impl Drop for Stopped {
    fn drop(&mut self) {
        Self::signal(self.0, "-CONT");
    }
}

#[actix_web::test]
async fn a_pooled_connection_that_stops_answering_is_replaced_at_checkout_within_the_bound() {
    // Statement timeout 300 ms plus the 500 ms connection timeout: a bound of 0.8 s.
    let app = app_with(|db| {
        db.db_pool_size = 1;
        db.db_statement_timeout_ms = 300;
        db.db_timeout_ms = 500;
    })
    .await;
    let (token, conference_id) = organizer_with_conference(&app).await;
    let backends = api_backends(&app).await;
    assert_eq!(backends.len(), 1, "one pooled connection");
    assert!(
        Stopped::signal(backends[0], "-STOP"),
        "the test must be able to signal PostgreSQL's processes (run as root or postgres)"
    );
    let stopped = Stopped(backends[0]);

    // Every checkout names the audit actor on the connection (one statement): on the silent
    // connection it gets no answer within the bound, so the pool drops that connection and
    // opens another, and the request is served although the old backend is still stopped.
    let frozen =
        within_a_minute(app.get(format!("/api/v1/conferences/{conference_id}"), Some(&token)))
            .await;
    let after =
        within_a_minute(app.get(format!("/api/v1/conferences/{conference_id}"), Some(&token)))
            .await;
    drop(stopped);

    assert_eq!(frozen.status, 200, "{}", frozen.body);
    // A pool of one connection: had the stopped one been used, the request would have failed.
    assert_eq!(after.status, 200, "{}", after.body);
}

/// Makes every update of `conferences` fail with `sqlstate` for its first `failures` attempts
/// (every attempt when `failures` is 0). Attempts are counted by a sequence, which a rollback
/// does not undo.
async fn fail_conference_updates(app: &TestApp, sqlstate: &str, message: &str, failures: i64) {
    let client = app.db.client().await;
    let condition = if failures == 0 {
        "true".to_owned()
    } else {
        format!("nextval('test_attempts') <= {failures}")
    };
    let always = if failures == 0 {
        "PERFORM nextval('test_attempts');"
    } else {
        ""
    };
    client
        .batch_execute(&format!(
            "CREATE SEQUENCE test_attempts;
             CREATE FUNCTION test_fail() RETURNS trigger LANGUAGE plpgsql AS $$
             BEGIN
               {always}
               IF {condition} THEN
                 RAISE EXCEPTION '{message}' USING ERRCODE = '{sqlstate}';
               END IF;
               RETURN NEW;
             END $$;
             CREATE TRIGGER test_fail BEFORE UPDATE ON conferences
               FOR EACH ROW EXECUTE FUNCTION test_fail();"
        ))
        .await
        .unwrap();
}

async fn attempts(app: &TestApp) -> i64 {
    app.count("SELECT last_value FROM test_attempts").await
}

#[actix_web::test]
async fn a_serialization_failure_is_retried_inside_the_server() {
    let app = app_with(|_| {}).await;
    let (token, conference_id) = organizer_with_conference(&app).await;
    fail_conference_updates(&app, "40001", "could not serialize access", 2).await;

    let reply = within_a_minute(patch_venue(&app, &token, &conference_id))
        .await
        .unwrap();

    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(
        venue_address(&app, &conference_id).await.as_deref(),
        Some("Vĩnh Yên")
    );
    assert_eq!(attempts(&app).await, 3);
}

#[actix_web::test]
async fn a_deadlock_that_outlasts_the_retries_is_a_503_and_writes_nothing() {
    let app = app_with(|_| {}).await;
    let (token, conference_id) = organizer_with_conference(&app).await;
    fail_conference_updates(&app, "40P01", "deadlock detected", 0).await;

    let reply = within_a_minute(patch_venue(&app, &token, &conference_id))
        .await
        .unwrap();

    reply.assert_problem(503, "database_contention");
    assert!(reply.header("retry-after").is_some());
    assert_eq!(venue_address(&app, &conference_id).await, None);
    assert_eq!(attempts(&app).await, 3, "three attempts in all");
}
