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

mod delivery;
mod emails;
mod outbox;
mod processes;

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

/// A `serve` process stopped when the test ends, passed or failed.
struct Replica(Child);

impl Drop for Replica {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The `hoithao` binary of this build. `HOITHAO_TEST_BIN` overrides it where several checkouts
/// share one target directory (and so one `target/debug/hoithao`).
pub fn binary() -> String {
    std::env::var("HOITHAO_TEST_BIN").unwrap_or_else(|_| env!("CARGO_BIN_EXE_hoithao").to_owned())
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
