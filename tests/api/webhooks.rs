//! Webhooks: endpoints per conference, deliveries signed per Standard Webhooks and checked by a
//! real HTTP receiver, retries, redelivery, rotation, auto-disable and the SSRF guard.

use std::net::TcpListener;
use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use reqwest::StatusCode;
use serde_json::{Value, json};
use sha2::Sha256;

use crate::helpers::TestApp;
use crate::notifications::{notify_settings, start_worker};

/// What the receiver got: the three signature headers and the body.
#[derive(Clone, Debug)]
struct Received {
    id: String,
    timestamp: String,
    signature: String,
    body: Vec<u8>,
}

/// A real HTTP server receiving deliveries; answers with `status`.
struct Receiver {
    url: String,
    received: Arc<Mutex<Vec<Received>>>,
    status: Arc<AtomicU16>,
}

impl Receiver {
    fn start() -> Self {
        let received = Arc::new(Mutex::new(Vec::new()));
        let status = Arc::new(AtomicU16::new(200));
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let (r, s) = (received.clone(), status.clone());
        let server = HttpServer::new(move || {
            let (r, s) = (r.clone(), s.clone());
            App::new().default_service(web::to(move |req: HttpRequest, body: web::Bytes| {
                let (r, s) = (r.clone(), s.clone());
                async move {
                    let header = |name: &str| {
                        req.headers()
                            .get(name)
                            .and_then(|v| v.to_str().ok())
                            .unwrap_or_default()
                            .to_owned()
                    };
                    r.lock().unwrap().push(Received {
                        id: header("webhook-id"),
                        timestamp: header("webhook-timestamp"),
                        signature: header("webhook-signature"),
                        body: body.to_vec(),
                    });
                    HttpResponse::build(
                        actix_web::http::StatusCode::from_u16(s.load(Ordering::SeqCst)).unwrap(),
                    )
                    .finish()
                }
            }))
        })
        .workers(1)
        .listen(listener)
        .unwrap()
        .run();
        actix_web::rt::spawn(server);
        Self {
            url: format!("http://127.0.0.1:{port}/hooks/hoithao"),
            received,
            status,
        }
    }

    fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }

    async fn wait_for(&self, n: usize) -> Vec<Received> {
        let started = Instant::now();
        while self.received().len() < n && started.elapsed() < Duration::from_secs(60) {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        self.received()
    }
}

/// The receiver's side of Standard Webhooks, written from the specification.
fn verifies(secret: &str, delivery: &Received) -> bool {
    let key = STANDARD
        .decode(secret.strip_prefix("whsec_").unwrap())
        .unwrap();
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).unwrap();
    mac.update(format!("{}.{}.", delivery.id, delivery.timestamp).as_bytes());
    mac.update(&delivery.body);
    let expected = format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()));
    delivery.signature.split(' ').any(|s| s == expected)
}

/// The API with `HOITHAO_WEBHOOK_ALLOW_PRIVATE` as given (the receiver is on loopback).
async fn app_allowing_private(allow: bool) -> TestApp {
    TestApp::spawn_with(|settings| settings.webhook_allow_private = allow).await
}

/// An app whose pool holds one connection: the worker writes on the very connection the
/// requests before it used.
async fn app_with_one_connection() -> TestApp {
    let db = crate::helpers::TestDatabase::create().await;
    let mut database = crate::helpers::database_settings(&db.url);
    database.db_pool_size = 1;
    let mut settings = crate::helpers::serve_settings(crate::helpers::test_auth_settings());
    settings.webhook_allow_private = true;
    TestApp::spawn_on(db, database, settings).await
}

async fn open_conference(app: &TestApp, token: &str) -> String {
    let conference = app
        .published_conference(token, json!({"registration_mode": "open"}))
        .await;
    conference["id"].as_str().unwrap().to_owned()
}

async fn register_endpoint(app: &TestApp, token: &str, conference: &str, url: &str) -> Value {
    let reply = app
        .post(
            &format!("/api/v1/conferences/{conference}/webhooks"),
            Some(token),
            json!({"url": url, "events": ["registration.confirmed", "registration.cancelled"]}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    reply.body
}

async fn self_register(app: &TestApp, conference: &str) -> Value {
    let reply = app
        .post(
            &format!("/api/v1/conferences/{conference}/self-registrations"),
            None,
            crate::helpers::with_consent(
                json!({"full_name": "Phạm Thị Yến", "category": "enterprise", "email": "yen@example.vn"}),
            ),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    reply.body
}

#[actix_web::test]
async fn deliveries_are_signed_per_standard_webhooks_and_carry_no_personal_data() {
    let receiver = Receiver::start();
    let app = app_allowing_private(true).await;
    let _worker = start_worker(app.state.pool.clone(), &notify_settings(None));
    let token = app.organizer("org").await;
    let conference = open_conference(&app, &token).await;
    let endpoint = register_endpoint(&app, &token, &conference, &receiver.url).await;
    let secret = endpoint["secret"].as_str().unwrap();
    assert!(secret.starts_with("whsec_"));

    let registration = self_register(&app, &conference).await;
    let received = receiver.wait_for(1).await;

    assert_eq!(received.len(), 1);
    assert!(verifies(secret, &received[0]), "{:?}", received[0]);
    assert!(!verifies(
        &hoithao::domain::notifications::webhooks::new_secret(),
        &received[0]
    ));
    let body: Value = serde_json::from_slice(&received[0].body).unwrap();
    assert_eq!(body["type"], "registration.confirmed");
    assert_eq!(body["data"]["conference_id"], conference.as_str());
    assert_eq!(
        body["data"]["registration_id"],
        registration["registration"]["id"]
    );
    assert_eq!(body["data"]["details"]["status"], "confirmed");
    let text = String::from_utf8_lossy(&received[0].body);
    assert!(
        !text.contains("Yến") && !text.contains("yen@example.vn"),
        "{text}"
    );

    let started = Instant::now();
    let mut log = Value::Null;
    while started.elapsed() < Duration::from_secs(30) {
        log = app
            .get(
                format!(
                    "/api/v1/conferences/{conference}/webhooks/{}/deliveries",
                    endpoint["id"].as_str().unwrap()
                ),
                Some(&token),
            )
            .await
            .body;
        if log.as_array().is_some_and(|a| !a.is_empty()) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(log[0]["status_code"], 200, "{log}");
    assert_eq!(log[0]["delivery_id"], received[0].id.as_str());
    let listed = app
        .get(
            format!("/api/v1/conferences/{conference}/webhooks"),
            Some(&token),
        )
        .await;
    assert!(
        listed.body[0].get("secret").is_none(),
        "the secret is shown once"
    );
}

#[actix_web::test]
async fn a_failing_endpoint_goes_dead_and_a_redelivery_keeps_the_webhook_id() {
    let receiver = Receiver::start();
    receiver.status.store(500, Ordering::SeqCst);
    let app = app_allowing_private(true).await;
    let _worker = start_worker(app.state.pool.clone(), &notify_settings(None));
    let token = app.organizer("org").await;
    let conference = open_conference(&app, &token).await;
    let endpoint = register_endpoint(&app, &token, &conference, &receiver.url).await;
    let endpoint_id = endpoint["id"].as_str().unwrap();

    self_register(&app, &conference).await;
    let failed = receiver.wait_for(3).await;
    let started = Instant::now();
    while app
        .count("SELECT count(*) FROM outbox WHERE channel = 'webhook' AND state = 'dead'")
        .await
        == 0
        && started.elapsed() < Duration::from_secs(30)
    {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let log = app
        .get(
            format!("/api/v1/conferences/{conference}/webhooks/{endpoint_id}/deliveries"),
            Some(&token),
        )
        .await;
    assert_eq!(log.body.as_array().unwrap().len(), 3, "{}", log.body);
    assert_eq!(log.body[0]["status_code"], 500);
    let listed = app
        .get(
            format!("/api/v1/conferences/{conference}/webhooks"),
            Some(&token),
        )
        .await;
    assert!(
        listed.body[0]["failing_since"].is_string(),
        "{}",
        listed.body
    );

    receiver.status.store(204, Ordering::SeqCst);
    let redeliver = app
        .post(
            &format!(
                "/api/v1/conferences/{conference}/webhooks/{endpoint_id}/deliveries/{}/redeliver",
                failed[0].id
            ),
            Some(&token),
            json!({}),
        )
        .await;
    assert_eq!(redeliver.status, StatusCode::ACCEPTED, "{}", redeliver.body);
    let received = receiver.wait_for(4).await;

    assert_eq!(received.len(), 4);
    assert!(
        received.iter().all(|r| r.id == failed[0].id),
        "one delivery id throughout"
    );
}

#[actix_web::test]
async fn after_a_rotation_both_secrets_sign_for_the_grace_period() {
    let receiver = Receiver::start();
    let app = app_allowing_private(true).await;
    let _worker = start_worker(app.state.pool.clone(), &notify_settings(None));
    let token = app.organizer("org").await;
    let conference = open_conference(&app, &token).await;
    let endpoint = register_endpoint(&app, &token, &conference, &receiver.url).await;
    let old_secret = endpoint["secret"].as_str().unwrap();

    let rotated = app
        .post(
            &format!(
                "/api/v1/conferences/{conference}/webhooks/{}/rotate-secret",
                endpoint["id"].as_str().unwrap()
            ),
            Some(&token),
            json!({}),
        )
        .await;
    assert_eq!(rotated.status, StatusCode::OK, "{}", rotated.body);
    let new_secret = rotated.body["secret"].as_str().unwrap();
    assert_ne!(new_secret, old_secret);
    self_register(&app, &conference).await;
    let received = receiver.wait_for(1).await;

    assert!(verifies(new_secret, &received[0]));
    assert!(verifies(old_secret, &received[0]));
    assert_eq!(received[0].signature.split(' ').count(), 2);
}

#[actix_web::test]
async fn an_endpoint_failing_for_days_is_disabled_with_the_reason() {
    let receiver = Receiver::start();
    receiver.status.store(503, Ordering::SeqCst);
    let app = app_with_one_connection().await;
    let _worker = start_worker(app.state.pool.clone(), &notify_settings(None));
    let token = app.organizer("org").await;
    let conference = open_conference(&app, &token).await;
    let endpoint = register_endpoint(&app, &token, &conference, &receiver.url).await;
    let client = app.db.client().await;
    client
        .execute(
            "UPDATE webhook_endpoints SET failing_since = now() - interval '4 days'",
            &[],
        )
        .await
        .unwrap();

    self_register(&app, &conference).await;
    receiver.wait_for(1).await;
    let started = Instant::now();
    let mut listed = Value::Null;
    while started.elapsed() < Duration::from_secs(30) {
        listed = app
            .get(
                format!("/api/v1/conferences/{conference}/webhooks"),
                Some(&token),
            )
            .await
            .body;
        if listed[0]["enabled"] == false {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    assert_eq!(listed[0]["enabled"], false, "{listed}");
    assert!(
        listed[0]["disabled_reason"]
            .as_str()
            .unwrap()
            .contains("every delivery failed since"),
        "{listed}"
    );
    // The worker disabled it: the system, never the actor of a request whose connection the
    // worker happened to take from the pool afterwards.
    let disabling: Vec<String> = client
        .query(
            "SELECT actor_kind FROM audit_log WHERE entity = 'webhook_endpoints' \
             AND action = 'update' AND 'enabled' = ANY (fields)",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|row| row.get(0))
        .collect();
    assert_eq!(disabling, ["system"]);
    let enabled = app
        .post(
            &format!(
                "/api/v1/conferences/{conference}/webhooks/{}/enable",
                endpoint["id"].as_str().unwrap()
            ),
            Some(&token),
            json!({}),
        )
        .await;
    assert_eq!(enabled.body["enabled"], true);
    assert!(enabled.body["failing_since"].is_null());
}

#[actix_web::test]
async fn webhook_urls_must_be_https_resolvable_and_public() {
    let app = app_allowing_private(false).await;
    let token = app.organizer("org").await;
    let conference = open_conference(&app, &token).await;

    for (url, code) in [
        ("http://example.vn/hook", "must_be_https"),
        ("https://127.0.0.1/hook", "private_address"),
        ("https://[::1]:8443/hook", "private_address"),
        ("https://169.254.169.254/latest", "private_address"),
        ("https://localhost/hook", "private_address"),
        ("https://no-such-host.invalid/hook", "unresolvable"),
        ("not a url", "invalid_url"),
    ] {
        let reply = app
            .post(
                &format!("/api/v1/conferences/{conference}/webhooks"),
                Some(&token),
                json!({"url": url, "events": ["checkin.recorded"]}),
            )
            .await;
        reply.assert_problem(422, "validation_failed");
        assert_eq!(
            reply.error_fields(),
            vec![("url".to_owned(), code.to_owned())],
            "{url}"
        );
    }
    let no_events = app
        .post(
            &format!("/api/v1/conferences/{conference}/webhooks"),
            Some(&token),
            json!({"url": "https://127.0.0.1/hook", "events": []}),
        )
        .await;
    assert_eq!(no_events.error_fields().len(), 2);
}
