//! Test support: a fresh database per test (cloned from a migrated template), the app served
//! in-process on a real socket, and factories with defaults.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::net::TcpListener;
use std::time::{SystemTime, UNIX_EPOCH};

use hoithao::config::{AuthSettings, DatabaseSettings, ServeSettings};
use hoithao::state::AppState;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tokio_postgres::error::SqlState;
use uuid::Uuid;

pub const JWT_SECRET: &str = "test-secret-that-is-long-enough-0123456789";
pub const PASSWORD: &str = "correct horse battery staple";

fn server_url(dbname: &str) -> String {
    let base = std::env::var("DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned());
    let (prefix, _) = base
        .rsplit_once('/')
        .expect("DATABASE_URL has a database name");
    format!("{prefix}/{dbname}")
}

async fn admin_client() -> tokio_postgres::Client {
    let (client, connection) =
        tokio_postgres::connect(&server_url("postgres"), tokio_postgres::NoTls)
            .await
            .expect("PostgreSQL is reachable");
    tokio::spawn(connection);
    client
}

/// Template named by a hash of the migrations, so a change to them yields a new template.
fn template_name() -> String {
    let mut hasher = DefaultHasher::new();
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
    let mut entries: Vec<_> = walk(&dir);
    entries.sort();
    for path in entries {
        path.hash(&mut hasher);
        std::fs::read(&path)
            .expect("read migration")
            .hash(&mut hasher);
    }
    format!("hoithao_tpl_{:016x}", hasher.finish())
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).expect("migrations dir").flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(walk(&path))
        } else {
            out.push(path)
        }
    }
    out
}

const TEMPLATE_LOCK: i64 = 0x0074_6573_7474_706c;
const STALE_AFTER_SECS: u64 = 3 * 3600;

async fn ensure_template() -> String {
    let name = template_name();
    let client = admin_client().await;
    client
        .execute("SELECT pg_advisory_lock($1)", &[&TEMPLATE_LOCK])
        .await
        .expect("lock");
    let exists = client
        .query_opt("SELECT 1 FROM pg_database WHERE datname = $1", &[&name])
        .await
        .expect("query")
        .is_some();
    if !exists {
        sweep_stale(&client).await;
        client
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .await
            .expect("create template");
        let url = server_url(&name);
        let migrated = hoithao::db::run_migrations(&url).await;
        if let Err(e) = migrated {
            let _ = client.batch_execute(&format!("DROP DATABASE {name}")).await;
            panic!("migrating the template failed: {e}");
        }
    }
    client
        .execute("SELECT pg_advisory_unlock($1)", &[&TEMPLATE_LOCK])
        .await
        .expect("unlock");
    name
}

/// Drops test databases left by crashed runs and templates of other migration sets, once they
/// are a few hours old: a test run of another checkout (with other migrations) may be using
/// them right now.
async fn sweep_stale(client: &tokio_postgres::Client) {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs();
    // A template's age is that of its files (the server runs as a superuser in tests).
    let rows = client
        .query(
            "SELECT datname, coalesce(extract(epoch FROM \
               (pg_stat_file('base/' || oid || '/PG_VERSION', true)).modification)::bigint, 0) \
             FROM pg_database WHERE datname LIKE 'hoithao_test_%' OR datname LIKE 'hoithao_tpl_%'",
            &[],
        )
        .await
        .unwrap_or_default();
    for row in rows {
        let name: String = row.get(0);
        let template_created: i64 = row.get(1);
        let created = match name
            .strip_prefix("hoithao_test_")
            .and_then(|rest| rest.split('_').next())
        {
            Some(created) => created.parse::<u64>().unwrap_or(0),
            None => u64::try_from(template_created).unwrap_or(0),
        };
        let stale = now.saturating_sub(created) > STALE_AFTER_SECS;
        if stale {
            let _ = client
                .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .await;
        }
    }
}

/// A database of its own for one test, dropped when the test ends.
pub struct TestDatabase {
    pub name: String,
    pub url: String,
}

impl TestDatabase {
    pub async fn create() -> Self {
        hoithao::domain::notifications::webhooks::install_crypto_provider();
        let created = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_secs();
        let name = format!("hoithao_test_{created}_{}", Uuid::new_v4().simple());
        let client = admin_client().await;
        // The default clone strategy (WAL_LOG) on purpose: `STRATEGY FILE_COPY` checkpoints
        // the server per database and measured no faster here (README, "Test it").
        // A concurrent run from a checkout with other migrations sweeps our template as
        // outdated: build it again and retry.
        let mut attempts = 0;
        loop {
            let template = ensure_template().await;
            match client
                .batch_execute(&format!("CREATE DATABASE {name} TEMPLATE {template}"))
                .await
            {
                Ok(()) => break,
                Err(e)
                    if attempts < 5
                        && (e.code() == Some(&SqlState::INVALID_CATALOG_NAME)
                            || e.code() == Some(&SqlState::OBJECT_IN_USE)) =>
                {
                    attempts += 1;
                }
                Err(e) => panic!("clone template: {e:?}"),
            }
        }
        Self {
            url: server_url(&name),
            name,
        }
    }

    /// A plain client for asserting on stored rows.
    pub async fn client(&self) -> tokio_postgres::Client {
        let (client, connection) = tokio_postgres::connect(&self.url, tokio_postgres::NoTls)
            .await
            .expect("connect");
        tokio::spawn(connection);
        client
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let name = self.name.clone();
        // Drop runs outside async; use a runtime of its own on a plain thread.
        let _ = std::thread::spawn(move || {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            rt.block_on(async {
                let client = admin_client().await;
                let _ = client
                    .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .await;
            });
        })
        .join();
    }
}

pub fn database_settings(url: &str) -> DatabaseSettings {
    DatabaseSettings {
        database_url: url.into(),
        db_pool_size: 8,
        db_timeout_ms: 2000,
        db_statement_timeout_ms: 10_000,
    }
}

pub fn test_auth_settings() -> AuthSettings {
    AuthSettings {
        argon2_memory_kib: 64,
        argon2_iterations: 1,
        ..AuthSettings::default()
    }
}

pub fn serve_settings(auth: AuthSettings) -> ServeSettings {
    ServeSettings {
        listen: "127.0.0.1:0".parse().expect("addr"),
        workers: Some(1),
        jwt_secret: Some(JWT_SECRET.into()),
        auth,
        body_limit_bytes: 64 * 1024,
        body_timeout_secs: 60,
        shutdown_timeout_secs: 5,
        trust_forwarded_for: false,
        checkin_window_margin_minutes: 60,
        // Webhook receivers in tests listen on loopback.
        webhook_allow_private: true,
        metrics_listen: None,
    }
}

/// The API served in-process on a real socket, backed by its own database.
pub struct TestApp {
    pub address: String,
    pub db: TestDatabase,
    pub state: AppState,
    pub client: reqwest::Client,
}

impl TestApp {
    pub async fn spawn() -> Self {
        Self::spawn_with(|_| {}).await
    }

    pub async fn spawn_with(customize: impl FnOnce(&mut ServeSettings)) -> Self {
        let db = TestDatabase::create().await;
        let mut settings = serve_settings(test_auth_settings());
        customize(&mut settings);
        let database = database_settings(&db.url);
        Self::spawn_on(db, database, settings).await
    }

    /// Serves `db` (kept alive for the test) with explicit database settings.
    pub async fn spawn_on(
        db: TestDatabase,
        database: DatabaseSettings,
        settings: ServeSettings,
    ) -> Self {
        let state = hoithao::startup::build_state(
            &database,
            settings.jwt_secret.as_ref(),
            &settings.auth,
            settings.trust_forwarded_for,
            chrono::Duration::minutes(i64::from(settings.checkin_window_margin_minutes)),
        )
        .await
        .expect("state");
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let server = hoithao::startup::serve(state.clone(), &settings, listener).expect("serve");
        actix_web::rt::spawn(server);
        Self {
            address: format!("http://127.0.0.1:{port}"),
            db,
            state,
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("client"),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    pub fn request(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
    ) -> reqwest::RequestBuilder {
        let builder = self.client.request(method, self.url(path));
        match token {
            Some(token) => builder.bearer_auth(token),
            None => builder,
        }
    }

    pub async fn send(
        &self,
        method: Method,
        path: impl AsRef<str>,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Reply {
        let mut builder = self.request(method, path.as_ref(), token);
        if let Some(body) = body {
            builder = builder.json(&body);
        }
        Reply::from(builder.send().await.expect("request")).await
    }

    pub async fn get(&self, path: impl AsRef<str>, token: Option<&str>) -> Reply {
        self.send(Method::GET, path, token, None).await
    }

    pub async fn post(&self, path: impl AsRef<str>, token: Option<&str>, body: Value) -> Reply {
        self.send(Method::POST, path, token, Some(body)).await
    }

    pub async fn patch(&self, path: impl AsRef<str>, token: Option<&str>, body: Value) -> Reply {
        self.send(Method::PATCH, path, token, Some(body)).await
    }

    /// Creates an account directly (as `create-admin` does) and logs in through the API.
    pub async fn account(&self, email: &str, role: &str) -> (Uuid, String) {
        let role = if role == "admin" {
            hoithao::domain::accounts::Role::Admin
        } else {
            hoithao::domain::accounts::Role::Organizer
        };
        let account = hoithao::domain::accounts::create(
            &self.state.pool,
            &self.state.passwords,
            hoithao::domain::accounts::NewAccount {
                email: email.to_owned(),
                display_name: format!("Test {email}"),
                password: PASSWORD.to_owned(),
                role: Some(role),
            },
        )
        .await
        .expect("create account");
        (account.id, self.login(email).await)
    }

    pub async fn login(&self, email: &str) -> String {
        let reply = self
            .post(
                "/api/v1/auth/login",
                None,
                json!({"email": email, "password": PASSWORD}),
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "login failed: {}", reply.body);
        reply.body["access_token"]
            .as_str()
            .expect("token")
            .to_owned()
    }

    pub async fn admin(&self) -> String {
        self.account("admin@example.vn", "admin").await.1
    }

    pub async fn organizer(&self, name: &str) -> String {
        self.account(&format!("{name}@example.vn"), "organizer")
            .await
            .1
    }

    /// Creates a draft conference; `overrides` replace the defaults field by field.
    pub async fn conference(&self, token: &str, overrides: Value) -> Value {
        let mut body = conference_body();
        merge(&mut body, overrides);
        let reply = self.post("/api/v1/conferences", Some(token), body).await;
        assert_eq!(
            reply.status,
            StatusCode::CREATED,
            "create conference: {}",
            reply.body
        );
        reply.body
    }

    pub async fn published_conference(&self, token: &str, overrides: Value) -> Value {
        let conference = self.conference(token, overrides).await;
        let id = conference["id"].as_str().expect("id");
        let reply = self
            .post(
                &format!("/api/v1/conferences/{id}/publish"),
                Some(token),
                json!({}),
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "publish: {}", reply.body);
        reply.body
    }

    pub async fn session(&self, token: &str, conference_id: &str, overrides: Value) -> Value {
        let mut body = session_body();
        merge(&mut body, overrides);
        let reply = self
            .post(
                &format!("/api/v1/conferences/{conference_id}/sessions"),
                Some(token),
                body,
            )
            .await;
        assert_eq!(
            reply.status,
            StatusCode::CREATED,
            "create session: {}",
            reply.body
        );
        reply.body
    }

    pub async fn count(&self, sql: &str) -> i64 {
        let client = self.db.client().await;
        client
            .query_one(sql, &[])
            .await
            .expect("count query")
            .get(0)
    }
}

static CODE_COUNTER: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(1);

pub fn conference_body() -> Value {
    let n = CODE_COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    json!({
        "code": format!("sxsh-{n}"),
        "title": "Hội thảo sản xuất sạch hơn",
        "starts_at": "2030-07-19T08:00:00+07:00",
        "ends_at": "2030-07-19T17:00:00+07:00",
    })
}

pub fn session_body() -> Value {
    json!({
        "title": "Khai mạc",
        "kind": "opening",
        "starts_at": "2030-07-19T08:00:00+07:00",
        "ends_at": "2030-07-19T08:30:00+07:00",
    })
}

pub fn merge(target: &mut Value, overrides: Value) {
    if let (Some(target), Value::Object(overrides)) = (target.as_object_mut(), overrides) {
        for (key, value) in overrides {
            target.insert(key, value);
        }
    }
}

/// A response with its body parsed as JSON (or `Null` when empty or not JSON).
pub struct Reply {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
    pub text: String,
}

impl Reply {
    pub async fn from(response: reqwest::Response) -> Self {
        let status = response.status();
        let headers = response.headers().clone();
        let text = response.text().await.unwrap_or_default();
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Self {
            status,
            headers,
            body,
            text,
        }
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Asserts an RFC 9457 problem with the given status and code.
    #[track_caller]
    pub fn assert_problem(&self, status: u16, code: &str) {
        assert_eq!(
            self.status.as_u16(),
            status,
            "unexpected status; body: {}",
            self.text
        );
        assert_eq!(
            self.header("content-type"),
            Some("application/problem+json"),
            "body: {}",
            self.text
        );
        assert_eq!(self.body["code"], code, "body: {}", self.text);
        assert_eq!(self.body["status"], status);
        assert!(
            self.body["type"]
                .as_str()
                .is_some_and(|t| t.starts_with("https://"))
        );
        assert!(self.body["title"].is_string() && self.body["detail"].is_string());
    }

    pub fn error_fields(&self) -> Vec<(String, String)> {
        self.body["errors"]
            .as_array()
            .map(|errors| {
                errors
                    .iter()
                    .map(|e| {
                        (
                            e["field"].as_str().unwrap_or("").to_owned(),
                            e["code"].as_str().unwrap_or("").to_owned(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// A self-registration body accepting the conference's privacy notice (version 1, the default
/// every conference starts with).
pub fn with_consent(mut body: Value) -> Value {
    body["consent"] = serde_json::json!({"notice_version": 1, "accepted": true});
    body
}

/// What most tests start from: an organizer and a published conference of theirs.
pub struct Conf {
    /// The organizer's access token.
    pub organizer: String,
    /// The conference as the API returned it.
    pub conference: Value,
}

impl Conf {
    pub fn id(&self) -> &str {
        self.conference["id"].as_str().expect("conference id")
    }

    /// `/api/v1/conferences/{id}{rest}`.
    pub fn path(&self, rest: &str) -> String {
        format!("/api/v1/conferences/{}{rest}", self.id())
    }
}

/// Builders for the common setup: each makes one thing through the API with defaults, asserts
/// it was made, and returns it, so a test states only what it asserts on.
impl TestApp {
    /// An organizer (`org@example.vn`, so once per test) and a published conference of theirs;
    /// `overrides` replace the defaults of `conference_body` field by field.
    pub async fn open_conference(&self, overrides: Value) -> Conf {
        let organizer = self.organizer("org").await;
        let conference = self.published_conference(&organizer, overrides).await;
        Conf {
            organizer,
            conference,
        }
    }

    /// Delegate number `n` registers themselves (`Nguyễn Văn {n}`, phone `09{n:08}`, the privacy
    /// notice accepted); returns the registration, with its `qr_payload`.
    pub async fn registration(&self, conference: &Value, n: usize) -> Value {
        let path = format!(
            "/api/v1/conferences/{}/self-registrations",
            conference["id"].as_str().expect("conference id")
        );
        let body = with_consent(json!({
            "full_name": format!("Nguyễn Văn {n}"), "position": "Chuyên viên",
            "category": "agency", "phone": format!("09{n:08}"),
        }));
        let reply = self.post(path, None, body).await;
        assert_eq!(
            reply.status,
            StatusCode::CREATED,
            "self-registration: {}",
            reply.text
        );
        reply.body["registration"].clone()
    }

    /// A check-in device of the conference (`body` as `POST …/devices` takes it: `name`,
    /// `session_ids`); returns its token.
    pub async fn device(&self, conf: &Conf, body: Value) -> String {
        let reply = self
            .post(conf.path("/devices"), Some(&conf.organizer), body)
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "device: {}", reply.text);
        reply.body["token"]
            .as_str()
            .expect("device token")
            .to_owned()
    }

    /// A new agency unit invited to the conference with `seats`; returns the created body:
    /// `invitation` (with its `unit_id`) and the link `token`.
    pub async fn invitation(&self, conf: &Conf, seats: i32) -> Value {
        let unit = self
            .post(
                "/api/v1/units",
                Some(&conf.organizer),
                json!({"name": format!("Phòng Kinh tế {}", Uuid::new_v4().simple()), "kind": "agency"}),
            )
            .await;
        assert_eq!(unit.status, StatusCode::CREATED, "unit: {}", unit.text);
        let reply = self
            .post(
                conf.path("/invitations"),
                Some(&conf.organizer),
                json!({"unit_id": unit.body["id"], "seats": seats}),
            )
            .await;
        assert_eq!(
            reply.status,
            StatusCode::CREATED,
            "invitation: {}",
            reply.text
        );
        reply.body
    }
}
