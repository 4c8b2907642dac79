//! Notifications: outbox rows written with the change that causes them, delivered by the
//! workers to a real SMTP server (aiosmtpd, `tests/api/smtp_sink.py`).

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use hoithao::config::{NotifySettings, Secret};
use hoithao::domain::notifications::worker::Worker;
use hoithao::shutdown::Shutdown;
use mail_parser::{MessageParser, MimeHeaders};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::TestApp;

/// A real SMTP server: every accepted message lands in its directory.
pub struct SmtpSink {
    child: Child,
    pub port: u16,
    pub dir: PathBuf,
}

impl SmtpSink {
    pub fn start() -> Self {
        let dir = std::env::temp_dir().join(format!("hoithao-smtp-{}", Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        let mut child = Command::new("python3")
            .arg(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/tests/api/smtp_sink.py"
            ))
            .arg(&dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("python3 with aiosmtpd (pip install aiosmtpd)");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let port = line.trim().parse().expect("the sink prints its port");
        Self { child, port, dir }
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// While refusing, every message gets `451` (a temporary failure).
    pub fn refuse(&self, refuse: bool) {
        let marker = self.dir.join("refuse");
        if refuse {
            std::fs::write(marker, b"").unwrap();
        } else {
            let _ = std::fs::remove_file(marker);
        }
    }

    /// Holds each message `seconds` after its data arrived (0 stops it).
    pub fn delay(&self, seconds: u32) {
        let marker = self.dir.join("delay");
        if seconds > 0 {
            std::fs::write(marker, seconds.to_string()).unwrap();
        } else {
            let _ = std::fs::remove_file(marker);
        }
    }

    /// Every message received so far, as `(envelope recipients, raw message)`.
    pub fn messages(&self) -> Vec<(Vec<String>, Vec<u8>)> {
        let mut names: Vec<PathBuf> = std::fs::read_dir(&self.dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "eml"))
            .collect();
        names.sort();
        names
            .into_iter()
            .map(|eml| {
                let rcpt = std::fs::read_to_string(eml.with_extension("rcpt")).unwrap();
                (
                    rcpt.lines().map(str::to_owned).collect(),
                    std::fs::read(&eml).unwrap(),
                )
            })
            .collect()
    }

    /// Waits (up to a minute: the machine may be busy) until `n` messages have arrived.
    pub async fn wait_for(&self, n: usize) -> Vec<(Vec<String>, Vec<u8>)> {
        let started = Instant::now();
        loop {
            let messages = self.messages();
            if messages.len() >= n || started.elapsed() > Duration::from_secs(60) {
                return messages;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

pub fn notify_settings(smtp_url: Option<String>) -> NotifySettings {
    NotifySettings {
        smtp_url: smtp_url.map(Secret::new),
        mail_from: "Hội thảo <no-reply@hoithao.test>".into(),
        public_url: "https://hoithao.example.vn/".into(),
        reminder_lead_hours: 24,
        outbox_max_attempts: 3,
        outbox_retry_base_ms: 0,
        outbox_batch_size: 50,
        outbox_concurrency: 4,
        outbox_poll_ms: 50,
        outbox_lease_secs: 60,
        webhook_disable_after_hours: 72,
    }
}

/// Starts a delivery worker on `app`'s database, as `serve` does; it stops with the returned
/// handle.
pub fn start_worker(pool: hoithao::db::DbPool, settings: &NotifySettings) -> Shutdown {
    let worker = Worker::from_settings(pool, settings, true).unwrap();
    let shutdown = Shutdown::default();
    actix_web::rt::spawn(worker.run(shutdown.clone()));
    shutdown
}

async fn open_conference(app: &TestApp, token: &str, overrides: Value) -> String {
    let mut body = json!({"registration_mode": "open", "venue_name": "Trung tâm Khuyến công"});
    crate::helpers::merge(&mut body, overrides);
    let conference = app.published_conference(token, body).await;
    conference["id"].as_str().unwrap().to_owned()
}

async fn self_register(app: &TestApp, conference: &str, body: Value) -> Value {
    let reply = app
        .post(
            &format!("/api/v1/conferences/{conference}/self-registrations"),
            None,
            crate::helpers::with_consent(body),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    reply.body
}

fn decode_qr(png_bytes: &[u8]) -> String {
    let decoder = png::Decoder::new(std::io::Cursor::new(png_bytes));
    let mut reader = decoder.read_info().unwrap();
    let mut buffer = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buffer).unwrap();
    assert_eq!(info.color_type, png::ColorType::Grayscale);
    let (width, height) = (info.width as usize, info.height as usize);
    let mut image =
        rqrr::PreparedImage::prepare_from_greyscale(width, height, |x, y| buffer[y * width + x]);
    let grids = image.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code in the image");
    grids[0].decode().unwrap().1
}

async fn outbox_rows(app: &TestApp) -> Vec<(Uuid, String, String, Option<Uuid>)> {
    let client = app.db.client().await;
    client
        .query(
            "SELECT id::text, event, state, registration_id::text FROM outbox \
             ORDER BY created_at, event",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| {
            let registration: Option<String> = r.get(3);
            (
                r.get::<_, String>(0).parse().unwrap(),
                r.get(1),
                r.get(2),
                registration.map(|id| id.parse().unwrap()),
            )
        })
        .collect()
}

#[actix_web::test]
async fn a_confirmed_registration_emails_the_delegate_in_vietnamese_with_qr_calendar_and_link() {
    let sink = SmtpSink::start();
    let app = TestApp::spawn().await;
    let _worker = start_worker(app.state.pool.clone(), &notify_settings(Some(sink.url())));
    let token = app.organizer("org").await;
    // The conference sends as its own address (normalised to lower case).
    let conference = open_conference(
        &app,
        &token,
        json!({"sender_email": "HoiThao@SCT.VinhPhuc.gov.vn"}),
    )
    .await;

    let created = self_register(
        &app,
        &conference,
        json!({"full_name": "Phạm Thị Yến", "category": "enterprise", "email": "yen@example.vn"}),
    )
    .await;
    let messages = sink.wait_for(1).await;

    assert_eq!(messages.len(), 1);
    let (rcpt, raw) = &messages[0];
    assert_eq!(rcpt, &vec!["yen@example.vn".to_owned()]);
    let message = MessageParser::default().parse(raw).unwrap();
    let subject = message.subject().unwrap();
    assert!(subject.contains("Xác nhận đăng ký"), "{subject}");
    assert!(subject.contains("Hội thảo sản xuất sạch hơn"), "{subject}");
    let from = message.from().unwrap().first().unwrap();
    assert_eq!(from.address().unwrap(), "hoithao@sct.vinhphuc.gov.vn");
    let to = message.to().unwrap().first().unwrap();
    assert_eq!(to.address().unwrap(), "yen@example.vn");
    assert_eq!(to.name().unwrap(), "Phạm Thị Yến");
    let text = message.body_text(0).unwrap();
    assert!(text.contains("Kính gửi Phạm Thị Yến"), "{text}");
    assert!(text.contains("đã được xác nhận"), "{text}");
    assert!(text.contains("Trung tâm Khuyến công"), "{text}");
    let delegate_token = created["delegate_token"].as_str().unwrap();
    let link = format!("https://hoithao.example.vn/delegate#token={delegate_token}");
    assert!(text.contains(&link), "{text}");
    let html = message.body_html(0).unwrap().replace("&#x2f;", "/");
    assert!(html.contains("<img src=\"cid:qr\""), "{html}");
    assert!(html.contains(&format!("<a href=\"{link}\">")), "{html}");
    assert!(html.contains("đã được xác nhận"), "{html}");

    let qr = message
        .attachments()
        .find(|part| {
            part.content_type()
                .is_some_and(|ct| ct.subtype() == Some("png"))
        })
        .expect("an inline QR image");
    assert_eq!(qr.content_id(), Some("qr"));
    assert_eq!(
        decode_qr(qr.contents()),
        created["registration"]["qr_payload"].as_str().unwrap()
    );
    let ics = message
        .attachments()
        .find(|part| {
            part.content_type()
                .is_some_and(|ct| ct.subtype() == Some("calendar"))
        })
        .expect("an .ics attachment");
    let ics = String::from_utf8_lossy(ics.contents()).replace("\r\n ", "");
    assert!(ics.contains("BEGIN:VCALENDAR"), "{ics}");
    assert!(ics.contains(&format!("UID:{conference}@hoithao")), "{ics}");
    assert!(ics.contains("SUMMARY:Hội thảo sản xuất sạch hơn"), "{ics}");
    assert!(ics.contains("DTSTART:20300719T010000Z"), "{ics}");

    let rows = outbox_rows(&app).await;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].1, "registration.confirmed");
    assert_eq!(
        message.message_id(),
        Some(format!("{}@hoithao", rows[0].0).as_str())
    );
    let sent = count_once_settled(
        &app,
        "SELECT count(*) FROM outbox WHERE state = 'sent' AND sent_at IS NOT NULL AND link_token IS NULL",
        1,
    )
    .await;
    assert_eq!(
        sent, 1,
        "delivered, and the link token is gone from the outbox"
    );
}

#[actix_web::test]
async fn a_registration_in_english_gets_its_emails_in_english() {
    let sink = SmtpSink::start();
    let app = TestApp::spawn().await;
    let _worker = start_worker(app.state.pool.clone(), &notify_settings(Some(sink.url())));
    let token = app.organizer("org").await;
    let conference = open_conference(&app, &token, json!({})).await;

    self_register(
        &app,
        &conference,
        json!({"full_name": "Jane Doe", "category": "expert", "email": "jane@example.org", "language": "en"}),
    )
    .await;
    let messages = sink.wait_for(1).await;

    let message = MessageParser::default().parse(&messages[0].1).unwrap();
    assert!(
        message
            .subject()
            .unwrap()
            .starts_with("Registration confirmed"),
        "{:?}",
        message.subject()
    );
    let text = message.body_text(0).unwrap();
    assert!(text.contains("Dear Jane Doe"), "{text}");
    assert!(text.contains("is confirmed"), "{text}");
}

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
async fn refused_messages_go_dead_after_the_last_attempt_and_an_organizer_retries_them() {
    let sink = SmtpSink::start();
    sink.refuse(true);
    let app = TestApp::spawn().await;
    let _worker = start_worker(app.state.pool.clone(), &notify_settings(Some(sink.url())));
    let token = app.organizer("org").await;
    let conference = open_conference(&app, &token, json!({})).await;
    self_register(
        &app,
        &conference,
        json!({"full_name": "Phạm Thị Yến", "category": "enterprise", "email": "yen@example.vn"}),
    )
    .await;

    let started = Instant::now();
    while app
        .count("SELECT count(*) FROM outbox WHERE state = 'dead'")
        .await
        == 0
        && started.elapsed() < Duration::from_secs(60)
    {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let queue = app
        .get(
            format!("/api/v1/conferences/{conference}/outbox"),
            Some(&token),
        )
        .await;
    assert_eq!(queue.status, StatusCode::OK, "{}", queue.body);
    assert_eq!(queue.body["counts"]["dead"], 1, "{}", queue.body);
    assert_eq!(queue.body["counts"]["sent"], 0);
    assert!(
        queue.body["last_error"].as_str().unwrap().contains("451"),
        "{}",
        queue.body
    );
    let dead = app
        .get(
            format!("/api/v1/conferences/{conference}/outbox/messages?state=dead"),
            Some(&token),
        )
        .await;
    assert_eq!(dead.body["items"][0]["attempts"], 3, "{}", dead.body);
    assert_eq!(dead.body["items"][0]["event"], "registration.confirmed");
    assert!(sink.messages().is_empty());

    sink.refuse(false);
    let retried = app
        .post(
            &format!("/api/v1/conferences/{conference}/outbox/retry"),
            Some(&token),
            json!({}),
        )
        .await;
    assert_eq!(retried.status, StatusCode::OK, "{}", retried.body);
    assert_eq!(retried.body["retried"], 1);
    let messages = sink.wait_for(1).await;

    assert_eq!(messages.len(), 1);
    let message = MessageParser::default().parse(&messages[0].1).unwrap();
    assert!(
        message.body_text(0).unwrap().contains("/delegate#token="),
        "the link survives until the message is sent"
    );
}

#[actix_web::test]
async fn a_claim_whose_worker_died_is_delivered_by_another_with_the_same_message_id() {
    let sink = SmtpSink::start();
    let app = TestApp::spawn().await;
    let token = app.organizer("org").await;
    let conference = open_conference(&app, &token, json!({})).await;
    self_register(
        &app,
        &conference,
        json!({"full_name": "Phạm Thị Yến", "category": "enterprise", "email": "yen@example.vn"}),
    )
    .await;
    // A worker claims the row with a one-second lease and dies before sending.
    let claimed = {
        let mut conn = app.state.pool.get().await.unwrap();
        hoithao::db::outbox::claim(&mut conn, &["email"], 10, 1)
            .await
            .unwrap()
    };
    assert_eq!(claimed.len(), 1);

    let _worker = start_worker(app.state.pool.clone(), &notify_settings(Some(sink.url())));
    let messages = sink.wait_for(1).await;

    assert_eq!(messages.len(), 1);
    let message = MessageParser::default().parse(&messages[0].1).unwrap();
    assert_eq!(
        message.message_id(),
        Some(format!("{}@hoithao", claimed[0].id).as_str())
    );
    // The server has the message before the worker records it as sent.
    count_once_settled(&app, "SELECT count(*) FROM outbox WHERE state = 'sent'", 1).await;
    assert_eq!(
        app.count("SELECT attempts::bigint FROM outbox WHERE state = 'sent'")
            .await,
        2,
        "the dead worker's attempt counts"
    );
}

#[actix_web::test]
async fn two_serve_processes_on_one_database_deliver_a_burst_of_a_thousand_exactly_once() {
    let sink = SmtpSink::start();
    let app = TestApp::spawn().await;
    let token = app.organizer("org").await;
    let conference = open_conference(&app, &token, json!({})).await;
    let mut csv = String::from("STT,Họ và tên,Thành phần,Email\n");
    for n in 1..=1000 {
        csv.push_str(&format!(
            "{n},Đại biểu số {n},guest,daibieu{n}@example.vn\n"
        ));
    }
    // Two replicas: two `serve` processes on the test's database, each with its workers.
    let _replicas = [
        Replica(serve_process(&app.db.url, &sink.url(), LONG_LEASE_SECS)),
        Replica(serve_process(&app.db.url, &sink.url(), LONG_LEASE_SECS)),
    ];

    let imported = app
        .request(
            Method::POST,
            &format!("/api/v1/conferences/{conference}/registration-imports"),
            Some(&token),
        )
        .header("content-type", "text/csv")
        .body(csv)
        .send()
        .await
        .unwrap();
    let status = imported.status();
    assert_eq!(status, StatusCode::OK, "{}", imported.text().await.unwrap());
    let messages = sink.wait_for(1000).await;
    // Give a duplicate, if any, the time to arrive too.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let messages = sink.messages().len().max(messages.len());

    assert_eq!(messages, 1000);
    let mut ids: Vec<String> = sink
        .messages()
        .iter()
        .map(|(_, raw)| {
            MessageParser::default()
                .parse(raw)
                .unwrap()
                .message_id()
                .unwrap()
                .to_owned()
        })
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 1000, "every Message-ID once");
    assert_eq!(
        count_once_settled(
            &app,
            "SELECT count(*) FROM outbox WHERE state = 'sent'",
            1000
        )
        .await,
        1000
    );
}

/// A `serve` process stopped when the test ends, passed or failed.
struct Replica(Child);

impl Drop for Replica {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
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
async fn an_invitation_emails_the_units_contact_its_link_and_seats_and_a_resend_a_new_link() {
    let sink = SmtpSink::start();
    let app = TestApp::spawn().await;
    let _worker = start_worker(app.state.pool.clone(), &notify_settings(Some(sink.url())));
    let token = app.organizer("org").await;
    let conference = app.conference(&token, json!({})).await;
    let conference = conference["id"].as_str().unwrap();
    let unit = app
        .post(
            "/api/v1/units",
            Some(&token),
            json!({"name": "Phòng Kinh tế Vĩnh Yên", "kind": "district",
                   "contact_person": "Ông Đỗ Văn Hùng", "email": "kinhte@example.vn"}),
        )
        .await;
    assert_eq!(unit.status, StatusCode::CREATED, "{}", unit.body);

    let invitation = app
        .post(
            &format!("/api/v1/conferences/{conference}/invitations"),
            Some(&token),
            json!({"unit_id": unit.body["id"], "seats": 3}),
        )
        .await;
    let messages = sink.wait_for(1).await;

    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0].0, vec!["kinhte@example.vn".to_owned()]);
    let message = MessageParser::default().parse(&messages[0].1).unwrap();
    assert!(message.subject().unwrap().starts_with("Thư mời tham dự"));
    let text = message.body_text(0).unwrap();
    assert!(text.contains("cử 3 đại biểu"), "{text}");
    let link = format!(
        "https://hoithao.example.vn/invitation#token={}",
        invitation.body["token"].as_str().unwrap()
    );
    assert!(text.contains(&link), "{text}");

    let resent = app
        .post(
            &format!(
                "/api/v1/conferences/{conference}/invitations/{}/resend",
                invitation.body["invitation"]["id"].as_str().unwrap()
            ),
            Some(&token),
            json!({}),
        )
        .await;
    assert_eq!(resent.status, StatusCode::OK, "{}", resent.body);
    let messages = sink.wait_for(2).await;
    assert_eq!(messages.len(), 2);
    let text = MessageParser::default()
        .parse(&messages[1].1)
        .unwrap()
        .body_text(0)
        .unwrap()
        .into_owned();
    let new_token = resent.body["token"].as_str().unwrap();
    assert!(
        text.contains(&format!("invitation#token={new_token}")),
        "{text}"
    );
    let old = app
        .client
        .get(app.url("/api/v1/invitation"))
        .header(
            "X-Invitation-Token",
            invitation.body["token"].as_str().unwrap(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(
        old.status(),
        StatusCode::NOT_FOUND,
        "the old link stops working"
    );
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

/// The `hoithao` binary of this build. `HOITHAO_TEST_BIN` overrides it where several checkouts
/// share one target directory (and so one `target/debug/hoithao`).
pub fn binary() -> String {
    std::env::var("HOITHAO_TEST_BIN").unwrap_or_else(|_| env!("CARGO_BIN_EXE_hoithao").to_owned())
}

#[test]
fn serve_refuses_an_invalid_smtp_url_with_one_line_naming_the_variable() {
    let output = Command::new(binary())
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env("DATABASE_URL", "postgres://postgres@127.0.0.1:9/none")
        .env("HOITHAO_SMTP_URL", "smtp://user:pa55word@[bad")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);

    assert!(!output.status.success());
    let errors: Vec<&str> = stderr.lines().filter(|l| l.starts_with("error:")).collect();
    assert_eq!(errors.len(), 1, "{stderr}");
    assert!(errors[0].contains("HOITHAO_SMTP_URL"), "{stderr}");
    assert!(!stderr.contains("pa55word"), "{stderr}");
}

/// `hoithao serve` as a child process on `database_url`, its worker sending to `smtp_url`.
/// A lease no send outlives, even on a loaded machine: a lease that expires mid-send lets
/// another worker send the message again (same Message-ID, so the receiver can drop it), which
/// is the crash-recovery path, not what the burst test measures.
const LONG_LEASE_SECS: u32 = 60;
/// A lease short enough for a test to see a dead sender's message taken over.
const SHORT_LEASE_SECS: u32 = 2;

fn serve_process(database_url: &str, smtp_url: &str, lease_secs: u32) -> Child {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    Command::new(binary())
        .args([
            "serve",
            "--no-migrate",
            "--listen",
            &format!("127.0.0.1:{port}"),
        ])
        .env("DATABASE_URL", database_url)
        .env("HOITHAO_SMTP_URL", smtp_url)
        .env("HOITHAO_OUTBOX_POLL_MS", "50")
        .env("HOITHAO_OUTBOX_LEASE_SECS", lease_secs.to_string())
        .env("HOITHAO_OUTBOX_RETRY_BASE_MS", "0")
        .env(
            "HOITHAO_JWT_SECRET",
            "a-test-signing-secret-of-at-least-32-bytes",
        )
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

/// The count `sql` gives once it reaches `expected` or a minute has passed: a worker records a
/// delivery only after the receiving server has the message, so the test must not read sooner.
async fn count_once_settled(app: &TestApp, sql: &str, expected: i64) -> i64 {
    let started = Instant::now();
    loop {
        let count = app.count(sql).await;
        if count == expected || started.elapsed() > Duration::from_secs(60) {
            return count;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn wait_until(app: &TestApp, sql: &str) -> bool {
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(60) {
        if app.count(sql).await > 0 {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    false
}

#[actix_web::test]
async fn a_serve_process_killed_mid_delivery_leaves_the_message_to_another_with_the_same_id() {
    let sink = SmtpSink::start();
    sink.delay(3);
    let app = TestApp::spawn().await;
    let token = app.organizer("org").await;
    let conference = open_conference(&app, &token, json!({})).await;
    let mut first = serve_process(&app.db.url, &sink.url(), SHORT_LEASE_SECS);

    self_register(
        &app,
        &conference,
        json!({"full_name": "Phạm Thị Yến", "category": "enterprise", "email": "yen@example.vn"}),
    )
    .await;
    let claimed = wait_until(&app, "SELECT count(*) FROM outbox WHERE state = 'sending'").await;
    // The message is on the wire, held by the slow server: kill the sender outright.
    tokio::time::sleep(Duration::from_millis(500)).await;
    first.kill().unwrap();
    first.wait().unwrap();
    sink.delay(0);
    let mut second = serve_process(&app.db.url, &sink.url(), SHORT_LEASE_SECS);
    let sent = wait_until(&app, "SELECT count(*) FROM outbox WHERE state = 'sent'").await;
    // The first server may still accept the killed sender's copy once its hold ends.
    tokio::time::sleep(Duration::from_secs(3)).await;
    second.kill().unwrap();
    second.wait().unwrap();

    assert!(claimed && sent);
    let messages = sink.messages();
    assert!(
        (1..=2).contains(&messages.len()),
        "{} copies",
        messages.len()
    );
    let ids: std::collections::HashSet<String> = messages
        .iter()
        .map(|(_, raw)| {
            MessageParser::default()
                .parse(raw)
                .unwrap()
                .message_id()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(ids.len(), 1, "every copy carries the same Message-ID");
    assert_eq!(
        app.count("SELECT attempts::bigint FROM outbox").await,
        2,
        "claimed by the killed process, then by the other"
    );
}
