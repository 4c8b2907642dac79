//! Test support: a fresh database per test (cloned from a migrated template), the app served
//! in-process on a real socket, and factories with defaults. `database.rs` the per-test database,
//! `reply.rs` the parsed response, `builders.rs` the request bodies and the setup builders.

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

mod builders;
mod database;
mod reply;

pub use builders::*;
pub use database::*;
pub use reply::*;

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
