//! Prometheus metrics on their own listener: counts by route template and outcome, pool and
//! outbox figures, live-feed subscribers, and no ids or personal data in any label.

use std::collections::BTreeMap;
use std::net::TcpListener;
use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::{
    TestApp, TestDatabase, database_settings, serve_settings, test_auth_settings, with_consent,
};

/// One sample of the text exposition format.
#[derive(Debug)]
struct Sample {
    name: String,
    labels: BTreeMap<String, String>,
    value: f64,
}

/// The API with a metrics listener of its own, as `serve` runs them.
struct Metered {
    app: TestApp,
    metrics_url: String,
}

impl Metered {
    async fn spawn() -> Self {
        Self::with_app(TestApp::spawn().await)
    }

    fn with_app(app: TestApp) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let server =
            hoithao::http::metrics::serve_metrics(app.state.clone(), listener).expect("serve");
        actix_web::rt::spawn(server);
        Self {
            app,
            metrics_url: format!("http://127.0.0.1:{port}/metrics"),
        }
    }

    async fn scrape_text(&self) -> String {
        let response = self
            .app
            .client
            .get(&self.metrics_url)
            .send()
            .await
            .expect("scrape");
        assert_eq!(response.status(), StatusCode::OK);
        let content_type = response.headers()["content-type"]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(
            content_type.starts_with("text/plain; version=0.0.4"),
            "{content_type}"
        );
        response.text().await.expect("body")
    }

    async fn scrape(&self) -> Vec<Sample> {
        parse(&self.scrape_text().await)
    }

    /// Scrapes until `metric{labels}` has `value`, for up to 60 s (figures moved by work that
    /// finishes after the response, such as a stream closing).
    async fn wait_for(&self, name: &str, labels: &[(&str, &str)], value: f64) {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let current = find(&self.scrape().await, name, labels);
            if current == Some(value) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "{name}{labels:?} stayed {current:?}, expected {value}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

fn parse(text: &str) -> Vec<Sample> {
    text.lines()
        .filter(|line| !line.starts_with('#') && !line.trim().is_empty())
        .map(|line| {
            let (series, value) = line.rsplit_once(' ').expect("a value");
            let (name, labels) = match series.split_once('{') {
                Some((name, rest)) => (name, rest.strip_suffix('}').expect("closing brace")),
                None => (series, ""),
            };
            let labels = labels
                .split("\",")
                .filter(|pair| !pair.is_empty())
                .map(|pair| {
                    let (key, value) = pair.split_once("=\"").expect("key=\"value\"");
                    (key.to_owned(), value.trim_end_matches('"').to_owned())
                })
                .collect();
            Sample {
                name: name.to_owned(),
                labels,
                value: value.parse().expect("a number"),
            }
        })
        .collect()
}

/// The value of the one series named `name` whose labels include `labels`.
fn find(samples: &[Sample], name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    let matching: Vec<_> = samples
        .iter()
        .filter(|s| s.name == name)
        .filter(|s| {
            labels
                .iter()
                .all(|(k, v)| s.labels.get(*k).map(String::as_str) == Some(*v))
        })
        .collect();
    assert!(matching.len() <= 1, "{name}{labels:?} is ambiguous");
    matching.first().map(|s| s.value)
}

fn value(samples: &[Sample], name: &str, labels: &[(&str, &str)]) -> f64 {
    find(samples, name, labels).unwrap_or_else(|| panic!("no series {name}{labels:?}"))
}

/// A published conference happening now (so that scans are in their window); with a
/// capacity, a waitlist too.
async fn conference_now(app: &TestApp, organizer: &str, capacity: Value) -> String {
    let now = chrono::Utc::now();
    let conference = app
        .published_conference(
            organizer,
            json!({
                "starts_at": (now - chrono::Duration::hours(1)).to_rfc3339(),
                "ends_at": (now + chrono::Duration::hours(8)).to_rfc3339(),
                "waitlist_enabled": !capacity.is_null(),
                "capacity": capacity,
            }),
        )
        .await;
    conference["id"].as_str().unwrap().to_owned()
}

async fn self_register(app: &TestApp, conference_id: &str, n: u32, email: Option<&str>) -> Value {
    let reply = app
        .post(
            format!("/api/v1/conferences/{conference_id}/self-registrations"),
            None,
            with_consent(json!({
                "full_name": format!("Trần Thị Metrics {n}"),
                "position": "Chuyên viên",
                "category": "agency",
                "phone": format!("0913{n:06}"),
                "email": email,
            })),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
    reply.body["registration"].clone()
}

async fn device(app: &TestApp, organizer: &str, conference_id: &str) -> String {
    let reply = app
        .post(
            format!("/api/v1/conferences/{conference_id}/devices"),
            Some(organizer),
            json!({"name": "Cửa chính"}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
    reply.body["token"].as_str().unwrap().to_owned()
}

async fn scan(app: &TestApp, device: &str, conference_id: &str, code: &str, nonce: Uuid) -> Value {
    let reply = app
        .send(
            Method::POST,
            format!("/api/v1/conferences/{conference_id}/checkins"),
            Some(device),
            Some(json!({
                "code": code,
                "direction": "in",
                "nonce": nonce,
                "occurred_at": chrono::Utc::now().to_rfc3339(),
            })),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    reply.body
}

fn is_uuid_like(value: &str) -> bool {
    value
        .split(|c: char| !c.is_ascii_hexdigit() && c != '-')
        .any(|word| Uuid::parse_str(word).is_ok())
}

#[actix_web::test]
async fn requests_are_counted_by_route_template_and_status_never_by_raw_path() {
    let metered = Metered::spawn().await;
    let app = &metered.app;
    let organizer = app.organizer("metrics-org").await;
    let conference_id = conference_now(app, &organizer, json!(null)).await;
    for _ in 0..2 {
        let reply = app
            .get(
                format!("/api/v1/conferences/{conference_id}"),
                Some(&organizer),
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK);
    }
    let missing = Uuid::new_v4();
    app.get(format!("/api/v1/conferences/{missing}"), Some(&organizer))
        .await
        .assert_problem(404, "not_found");
    app.get(format!("/no/such/route/{missing}"), None)
        .await
        .assert_problem(404, "not_found");

    let samples = metered.scrape().await;
    let route = "/api/v1/conferences/{conference_id}";
    let ok = [("method", "GET"), ("route", route), ("status", "200")];
    assert_eq!(value(&samples, "hoithao_http_requests_total", &ok), 2.0);
    assert_eq!(
        value(&samples, "hoithao_http_request_duration_seconds_count", &ok),
        2.0
    );
    let not_found = [("method", "GET"), ("route", route), ("status", "404")];
    assert_eq!(
        value(&samples, "hoithao_http_requests_total", &not_found),
        1.0
    );
    let unmatched = [("route", "unmatched"), ("status", "404")];
    assert_eq!(
        value(&samples, "hoithao_http_requests_total", &unmatched),
        1.0
    );
    assert_eq!(
        value(
            &samples,
            "hoithao_http_requests_total",
            &[
                ("method", "POST"),
                ("route", "/api/v1/conferences"),
                ("status", "201")
            ]
        ),
        1.0
    );
}

#[actix_web::test]
async fn no_label_carries_an_id_a_name_an_email_or_a_phone() {
    let metered = Metered::spawn().await;
    let app = &metered.app;
    let organizer = app.organizer("privacy-org").await;
    let conference_id = conference_now(app, &organizer, json!(null)).await;
    let registration = self_register(app, &conference_id, 7, Some("tran.thi@example.vn")).await;
    let token = device(app, &organizer, &conference_id).await;
    scan(
        app,
        &token,
        &conference_id,
        registration["qr_payload"].as_str().unwrap(),
        Uuid::new_v4(),
    )
    .await;
    app.get(
        format!("/api/v1/conferences/{conference_id}/registrations?q=Tr%E1%BA%A7n"),
        Some(&organizer),
    )
    .await;

    let text = metered.scrape_text().await;
    let samples = parse(&text);
    assert!(samples.len() > 50, "a full exposition: {text}");
    for sample in &samples {
        for (key, label) in &sample.labels {
            assert!(
                !is_uuid_like(label),
                "{}: label {key}={label} holds an id",
                sample.name
            );
        }
    }
    for personal in [
        conference_id.as_str(),
        registration["id"].as_str().unwrap(),
        "Trần",
        "Metrics 7",
        "tran.thi",
        "privacy-org",
        "0913000007",
        "hoithao:1:",
        "hdv_",
        "q=",
    ] {
        assert!(!text.contains(personal), "the scrape holds {personal}");
    }
}

#[actix_web::test]
async fn scans_are_counted_by_source_outcome_and_replay() {
    let metered = Metered::spawn().await;
    let app = &metered.app;
    let organizer = app.organizer("scan-org").await;
    let conference_id = conference_now(app, &organizer, json!(null)).await;
    let registration = self_register(app, &conference_id, 1, None).await;
    let code = registration["qr_payload"].as_str().unwrap();
    let token = device(app, &organizer, &conference_id).await;

    let nonce = Uuid::new_v4();
    assert_eq!(
        scan(app, &token, &conference_id, code, nonce).await["outcome"],
        "ok"
    );
    let replay = scan(app, &token, &conference_id, code, nonce).await;
    assert_eq!(replay["replayed"], true);
    for _ in 0..2 {
        let again = scan(app, &token, &conference_id, code, Uuid::new_v4()).await;
        assert_eq!(again["outcome"], "already_checked_in");
    }
    let unknown = scan(
        app,
        &token,
        &conference_id,
        "hoithao:1:nonsense",
        Uuid::new_v4(),
    )
    .await;
    assert_eq!(unknown["outcome"], "unknown_code");

    let samples = metered.scrape().await;
    let scans = |outcome: &str, replayed: &str| {
        find(
            &samples,
            "hoithao_scans_total",
            &[
                ("source", "online"),
                ("outcome", outcome),
                ("replayed", replayed),
            ],
        )
    };
    assert_eq!(scans("ok", "false"), Some(1.0));
    assert_eq!(scans("ok", "true"), Some(1.0));
    assert_eq!(scans("already_checked_in", "false"), Some(2.0));
    assert_eq!(scans("unknown_code", "false"), Some(1.0));
    assert_eq!(
        app.count("SELECT count(*) FROM checkins").await,
        4,
        "the metric counts what was recorded, the replay once more"
    );
}

#[actix_web::test]
async fn registrations_are_counted_by_channel_and_outcome() {
    let metered = Metered::spawn().await;
    let app = &metered.app;
    let organizer = app.organizer("reg-org").await;
    let conference_id = conference_now(app, &organizer, json!(1)).await;
    let first = self_register(app, &conference_id, 1, None).await;
    let second = self_register(app, &conference_id, 2, None).await;
    assert_eq!(first["status"], "confirmed");
    assert_eq!(second["status"], "waitlisted");
    let duplicate = app
        .post(
            format!("/api/v1/conferences/{conference_id}/self-registrations"),
            None,
            with_consent(json!({
                "full_name": "Trần Thị Metrics 1",
                "position": "Chuyên viên",
                "category": "agency",
                "phone": "0913000001",
            })),
        )
        .await;
    duplicate.assert_problem(409, "already_registered");
    let by_organizer = app
        .post(
            format!("/api/v1/conferences/{conference_id}/registrations"),
            Some(&organizer),
            json!({"full_name": "Lê Văn Ba", "position": "Trưởng phòng", "category": "agency", "phone": "0987654321"}),
        )
        .await;
    assert_eq!(
        by_organizer.status,
        StatusCode::CREATED,
        "{}",
        by_organizer.text
    );

    let samples = metered.scrape().await;
    let registrations = |channel: &str, outcome: &str| {
        find(
            &samples,
            "hoithao_registrations_total",
            &[("channel", channel), ("outcome", outcome)],
        )
    };
    assert_eq!(registrations("self", "confirmed"), Some(1.0));
    assert_eq!(registrations("self", "waitlisted"), Some(1.0));
    assert_eq!(registrations("self", "already_registered"), Some(1.0));
    let organizer_outcome = by_organizer.body["registration"]["status"]
        .as_str()
        .unwrap();
    assert_eq!(registrations("organizer", organizer_outcome), Some(1.0));
}

#[actix_web::test]
async fn the_live_subscriber_gauge_follows_open_event_streams() {
    let metered = Metered::spawn().await;
    let app = &metered.app;
    let organizer = app.organizer("live-org").await;
    let conference_id = conference_now(app, &organizer, json!(null)).await;
    metered.wait_for("hoithao_live_subscribers", &[], 0.0).await;
    let mut feed = app
        .request(
            Method::GET,
            &format!("/api/v1/conferences/{conference_id}/checkin-events"),
            Some(&organizer),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(feed.status(), StatusCode::OK);
    let first = feed.chunk().await.unwrap().unwrap();
    assert!(String::from_utf8_lossy(&first).contains("connected"));

    metered.wait_for("hoithao_live_subscribers", &[], 1.0).await;
    drop(feed);
    metered.wait_for("hoithao_live_subscribers", &[], 0.0).await;
}

#[actix_web::test]
async fn pool_figures_show_a_request_waiting_for_the_one_connection() {
    let db = TestDatabase::create().await;
    let mut database = database_settings(&db.url);
    database.db_pool_size = 1;
    database.db_timeout_ms = 120_000;
    let app = TestApp::spawn_on(db, database, serve_settings(test_auth_settings())).await;
    let organizer = app.organizer("pool-org").await;
    let metered = Metered::with_app(app);
    let app = &metered.app;
    metered
        .wait_for("hoithao_db_pool_max_connections", &[], 1.0)
        .await;

    let held = app.state.pool.get().await.expect("the only connection");
    let client = app.client.clone();
    let url = app.url("/api/v1/conferences");
    let waiting = actix_web::rt::spawn(async move {
        client
            .get(url)
            .bearer_auth(organizer)
            .send()
            .await
            .expect("request")
            .status()
    });
    metered.wait_for("hoithao_db_pool_waiters", &[], 1.0).await;
    let samples = metered.scrape().await;
    assert_eq!(
        value(&samples, "hoithao_db_pool_connections_in_use", &[]),
        1.0
    );
    assert_eq!(value(&samples, "hoithao_db_pool_connections", &[]), 1.0);

    drop(held);
    assert_eq!(waiting.await.expect("joined"), StatusCode::OK);
    metered.wait_for("hoithao_db_pool_waiters", &[], 0.0).await;
    metered
        .wait_for("hoithao_db_pool_connections_in_use", &[], 0.0)
        .await;
}

#[actix_web::test]
async fn a_503_is_counted_by_its_problem_code() {
    let db = TestDatabase::create().await;
    let mut database = database_settings(&db.url);
    database.db_pool_size = 1;
    database.db_timeout_ms = 300;
    let app = TestApp::spawn_on(db, database, serve_settings(test_auth_settings())).await;
    let organizer = app.organizer("busy-org").await;
    let metered = Metered::with_app(app);
    let app = &metered.app;

    let held = app.state.pool.get().await.expect("the only connection");
    let reply = app.get("/api/v1/conferences", Some(&organizer)).await;
    reply.assert_problem(503, "database_unavailable");
    assert!(reply.header("retry-after").is_some());
    let samples = metered.scrape().await;
    drop(held);

    assert_eq!(
        value(
            &samples,
            "hoithao_http_unavailable_total",
            &[("code", "database_unavailable")]
        ),
        1.0
    );
    assert_eq!(
        value(
            &samples,
            "hoithao_http_requests_total",
            &[
                ("route", "/api/v1/conferences"),
                ("method", "GET"),
                ("status", "503")
            ]
        ),
        1.0
    );
    assert_eq!(
        value(&samples, "hoithao_outbox_backlog_up", &[]),
        0.0,
        "the backlog query found no connection and said so"
    );
    assert!(value(&samples, "hoithao_db_transaction_retries_total", &[]) >= 0.0);
}

#[actix_web::test]
async fn the_outbox_backlog_is_exported_by_channel_and_state() {
    let metered = Metered::spawn().await;
    let app = &metered.app;
    let organizer = app.organizer("outbox-org").await;
    let conference_id = conference_now(app, &organizer, json!(null)).await;
    for n in 1..=3 {
        self_register(app, &conference_id, n, Some(&format!("d{n}@example.vn"))).await;
    }
    // No delivery worker runs in the test server: what was queued stays pending.
    let pending = app
        .count("SELECT count(*) FROM outbox WHERE channel = 'email' AND state = 'pending'")
        .await;
    assert!(pending >= 3, "each registration queued an email: {pending}");

    let samples = metered.scrape().await;
    assert_eq!(value(&samples, "hoithao_outbox_backlog_up", &[]), 1.0);
    let backlog = |channel: &str, state: &str| {
        value(
            &samples,
            "hoithao_outbox_messages",
            &[("channel", channel), ("state", state)],
        )
    };
    assert_eq!(backlog("email", "pending"), pending as f64);
    assert_eq!(backlog("email", "dead"), 0.0);
    assert_eq!(backlog("webhook", "pending"), 0.0);
    assert_eq!(backlog("webhook", "sending"), 0.0);
}

#[actix_web::test]
async fn the_api_port_does_not_serve_metrics_and_the_metrics_port_serves_nothing_else() {
    let metered = Metered::spawn().await;
    metered
        .app
        .get("/metrics", None)
        .await
        .assert_problem(404, "not_found");
    let other = metered
        .app
        .client
        .get(
            metered
                .metrics_url
                .replace("/metrics", "/api/v1/conferences"),
        )
        .send()
        .await
        .expect("request");
    assert_eq!(other.status(), StatusCode::NOT_FOUND);
    assert!(
        metered
            .scrape_text()
            .await
            .contains("# TYPE hoithao_http_requests_total counter")
    );
}
