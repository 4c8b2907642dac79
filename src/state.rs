//! What every request handler can reach: the pool, the token keys and the auth settings.

use std::sync::Arc;

use crate::auth::jwt::JwtKeys;
use crate::config::AuthSettings;
use crate::db::DbPool;
use crate::domain::password::PasswordHasher;

#[derive(Clone)]
pub struct AppState {
    pub pool: DbPool,
    pub jwt: Arc<JwtKeys>,
    pub passwords: PasswordHasher,
    pub auth: AuthSettings,
    /// Migration versions compiled into the binary; `/readyz` checks they are all applied.
    pub expected_migrations: Arc<Vec<String>>,
    pub trust_forwarded_for: bool,
    /// How long before a session (or the conference) starts, and after it ends, a scan is
    /// still admitted rather than `outside_window`.
    pub checkin_window_margin: chrono::Duration,
    /// Set on SIGTERM/SIGINT: long-lived streams end and responses close their connections.
    pub shutdown: crate::shutdown::Shutdown,
    /// Whether `HOITHAO_SMTP_URL` is set on this process (emails stay queued otherwise).
    pub email_configured: bool,
    /// `HOITHAO_WEBHOOK_ALLOW_PRIVATE`: endpoints may use http and private addresses.
    pub webhook_allow_private: bool,
    /// This server's Prometheus registry, served on `HOITHAO_METRICS_LISTEN`.
    pub metrics: Arc<crate::metrics::Metrics>,
}
