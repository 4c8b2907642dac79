//! Typed configuration, read once from the environment (and CLI flags) and passed explicitly.

use std::fmt;
use std::net::SocketAddr;
use std::time::Duration;

use clap::{Args, ValueEnum};

/// A secret that never shows up in `Debug` output or logs: read it with `expose`, at the one
/// place that needs the value.
#[derive(Clone, Default)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// Lets clap parse flags and environment variables straight into a `Secret`.
impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Self::new(value)
    }
}

/// A PostgreSQL connection URL. It may hold the password, so `Debug` shows none of it; use
/// `db::describe_target` for messages.
#[derive(Clone)]
pub struct DatabaseUrl(Secret);

impl DatabaseUrl {
    pub fn expose(&self) -> &str {
        self.0.expose()
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DatabaseUrl(***)")
    }
}

impl From<&str> for DatabaseUrl {
    fn from(value: &str) -> Self {
        Self(Secret::new(value))
    }
}

/// A secret given either in the variable `name` or in the file that `name_FILE` names (Docker
/// secrets, systemd credentials). Both set is an error naming both; an unreadable file is an
/// error naming the variable and the path, never the content. One trailing newline (`\n` or
/// `\r\n`, as editors and `echo` leave) is trimmed. `Ok(None)` when neither is set (or the
/// variable is empty, as compose files produce).
pub fn secret_from_env(name: &str) -> Result<Option<Secret>, String> {
    let file_var = format!("{name}_FILE");
    let direct = std::env::var_os(name).filter(|v| !v.is_empty());
    let file = std::env::var_os(&file_var).filter(|v| !v.is_empty());
    match (direct, file) {
        (Some(_), Some(_)) => Err(format!(
            "{name} and {file_var} are both set; set only one of them"
        )),
        (None, Some(path)) => read_secret_file(&file_var, std::path::Path::new(&path)).map(Some),
        (Some(value), None) => value
            .into_string()
            .map(|v| Some(Secret::new(v)))
            .map_err(|_| format!("{name} is not valid UTF-8")),
        (None, None) => Ok(None),
    }
}

/// Reads the secret in `path`, which the variable `variable` named.
pub fn read_secret_file(variable: &str, path: &std::path::Path) -> Result<Secret, String> {
    let shown = path.display();
    let bytes = std::fs::read(path)
        .map_err(|e| format!("{variable}: cannot read `{shown}`: {}", e.kind()))?;
    let text = String::from_utf8(bytes)
        .map_err(|_| format!("{variable}: `{shown}` is not valid UTF-8"))?;
    let value = text
        .strip_suffix("\r\n")
        .or_else(|| text.strip_suffix('\n'))
        .unwrap_or(&text);
    if value.is_empty() {
        return Err(format!("{variable}: `{shown}` is empty"));
    }
    Ok(Secret::new(value))
}

impl DatabaseSettings {
    /// Takes `DATABASE_URL` from `DATABASE_URL_FILE` when that is set (and refuses both).
    pub fn load_secret_files(&mut self) -> Result<(), String> {
        if let Some(url) = secret_from_env("DATABASE_URL")? {
            self.database_url = DatabaseUrl(url);
        }
        Ok(())
    }
}

impl NotifySettings {
    /// Takes `HOITHAO_SMTP_URL` from `HOITHAO_SMTP_URL_FILE` when that is set (and refuses both):
    /// the URL may carry the SMTP password.
    pub fn load_secret_files(&mut self) -> Result<(), String> {
        if let Some(url) = secret_from_env("HOITHAO_SMTP_URL")? {
            self.smtp_url = Some(url);
        }
        Ok(())
    }
}

impl ServeSettings {
    /// Takes the JWT keys from `HOITHAO_JWT_SECRET_FILE` and `HOITHAO_JWT_PREVIOUS_SECRET_FILE`
    /// when those are set (and refuses a variable set both ways).
    pub fn load_secret_files(&mut self) -> Result<(), String> {
        if let Some(secret) = secret_from_env("HOITHAO_JWT_SECRET")? {
            self.jwt_secret = Some(secret);
        }
        if let Some(previous) = secret_from_env("HOITHAO_JWT_PREVIOUS_SECRET")? {
            self.auth.jwt_previous_secret = Some(previous);
        }
        Ok(())
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Json,
    Pretty,
}

/// Settings every database-using command needs.
#[derive(Clone, Debug, Args)]
pub struct DatabaseSettings {
    /// PostgreSQL connection URL.
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = "postgres://postgres@127.0.0.1:5432/hoithao",
        hide_env_values = true
    )]
    pub database_url: DatabaseUrl,
    /// Maximum connections in the pool (per process).
    #[arg(long, env = "HOITHAO_DB_POOL_SIZE", default_value_t = 16, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub db_pool_size: u32,
    /// Milliseconds a request waits for a pooled connection (or a new one) before answering 503.
    #[arg(long, env = "HOITHAO_DB_TIMEOUT_MS", default_value_t = 3000, value_parser = clap::value_parser!(u64).range(100..=600_000))]
    pub db_timeout_ms: u64,
    /// Server-side statement timeout in milliseconds (0 disables it).
    #[arg(long, env = "HOITHAO_DB_STATEMENT_TIMEOUT_MS", default_value_t = 15_000, value_parser = clap::value_parser!(u64).range(0..=2_147_483_647))]
    pub db_statement_timeout_ms: u64,
}

impl DatabaseSettings {
    pub fn timeout(&self) -> Duration {
        Duration::from_millis(self.db_timeout_ms)
    }
}

/// Settings of `hoithao serve`.
#[derive(Clone, Debug, Args)]
pub struct ServeSettings {
    /// Address and port to listen on.
    #[arg(long, env = "HOITHAO_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// HTTP worker threads (default: one per CPU core).
    #[arg(long, env = "HOITHAO_WORKERS")]
    pub workers: Option<usize>,
    /// HMAC secret for signing access tokens (at least 32 bytes). When unset, one is generated
    /// and stored in the database so that every replica and restart agrees on it.
    #[arg(long, env = "HOITHAO_JWT_SECRET", hide_env_values = true)]
    pub jwt_secret: Option<Secret>,
    #[command(flatten)]
    pub auth: AuthSettings,
    /// Largest accepted request body, in bytes.
    #[arg(long, env = "HOITHAO_BODY_LIMIT_BYTES", default_value_t = 1_048_576)]
    pub body_limit_bytes: usize,
    /// Seconds a client gets to send a request body once its headers have arrived (408 beyond).
    #[arg(long, env = "HOITHAO_BODY_TIMEOUT_SECS", default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub body_timeout_secs: u64,
    /// Seconds in-flight requests get to finish after SIGTERM/SIGINT.
    #[arg(long, env = "HOITHAO_SHUTDOWN_TIMEOUT_SECS", default_value_t = 30, value_parser = clap::value_parser!(u64).range(0..=3600))]
    pub shutdown_timeout_secs: u64,
    /// Take the client IP from `Forwarded`/`X-Forwarded-For` (only behind a trusted proxy).
    #[arg(long, env = "HOITHAO_TRUST_FORWARDED_FOR", default_value_t = false)]
    pub trust_forwarded_for: bool,
    /// Minutes before a session (or the conference) starts, and after it ends, during which a
    /// scan is still admitted; outside them it is `outside_window`.
    #[arg(long, env = "HOITHAO_CHECKIN_WINDOW_MARGIN_MINUTES", default_value_t = 60, value_parser = clap::value_parser!(u32).range(0..=1440))]
    pub checkin_window_margin_minutes: u32,
    /// Let webhook endpoints use http and resolve to private, loopback or link-local
    /// addresses (local development and tests only: it opens the door to request forgery).
    #[arg(long, env = "HOITHAO_WEBHOOK_ALLOW_PRIVATE", default_value_t = false)]
    pub webhook_allow_private: bool,
    /// Address and port of the Prometheus metrics listener (`GET /metrics`); off when unset.
    /// Keep it on a private interface: the API port never serves `/metrics`.
    #[arg(long, env = "HOITHAO_METRICS_LISTEN")]
    pub metrics_listen: Option<SocketAddr>,
}

/// How long personal data is kept once a conference has ended.
#[derive(Clone, Copy, Debug, Args)]
pub struct RetentionSettings {
    /// Days after a conference ends before its personal data is erased, for conferences
    /// without their own `retention_days`.
    #[arg(long, env = "HOITHAO_RETENTION_DAYS", default_value_t = 365, value_parser = clap::value_parser!(u32).range(0..=36500))]
    pub retention_days: u32,
    /// Seconds between two runs of the purge job in `serve` (one replica runs each).
    #[arg(long, env = "HOITHAO_PURGE_INTERVAL_SECS", default_value_t = 86_400, value_parser = clap::value_parser!(u64).range(60..=604_800))]
    pub purge_interval_secs: u64,
}

/// Token, password and login-throttle settings.
#[derive(Clone, Debug, Args)]
pub struct AuthSettings {
    /// `iss` claim of issued tokens (checked on every request).
    #[arg(long, env = "HOITHAO_JWT_ISSUER", default_value = "hoithao")]
    pub jwt_issuer: String,
    /// `aud` claim of issued tokens (checked on every request).
    #[arg(long, env = "HOITHAO_JWT_AUDIENCE", default_value = "hoithao-api")]
    pub jwt_audience: String,
    /// The signing key before the last rotation: tokens it signed are still accepted until they
    /// expire; new tokens are signed with the current key only.
    #[arg(long, env = "HOITHAO_JWT_PREVIOUS_SECRET", hide_env_values = true)]
    pub jwt_previous_secret: Option<Secret>,
    /// Lifetime of an access token, in seconds.
    #[arg(long, env = "HOITHAO_ACCESS_TOKEN_TTL_SECS", default_value_t = 900, value_parser = clap::value_parser!(u64).range(60..=86_400))]
    pub access_token_ttl_secs: u64,
    /// Login attempts allowed per account from one client IP within the window before that
    /// IP gets 429 for that account (a success clears them).
    #[arg(long, env = "HOITHAO_LOGIN_MAX_FAILURES_PER_ACCOUNT_AND_IP", default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub login_max_failures_per_account_and_ip: u32,
    /// Login attempts allowed per account from all IPs together within the window before 429:
    /// a ceiling for guesses spread over many addresses, high enough that one attacker's
    /// address cannot lock the owner out (a success clears them).
    #[arg(long, env = "HOITHAO_LOGIN_MAX_FAILURES_PER_ACCOUNT", default_value_t = 100, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub login_max_failures_per_account: u32,
    /// Failed login attempts allowed per client IP within the window before 429.
    #[arg(long, env = "HOITHAO_LOGIN_MAX_FAILURES_PER_IP", default_value_t = 30, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub login_max_failures_per_ip: u32,
    /// Length of the login-throttle window, in seconds.
    #[arg(long, env = "HOITHAO_LOGIN_WINDOW_SECS", default_value_t = 900, value_parser = clap::value_parser!(u64).range(1..=604_800))]
    pub login_window_secs: u64,
    /// Argon2id memory cost in KiB (OWASP: at least 19456).
    #[arg(long, env = "HOITHAO_ARGON2_MEMORY_KIB", default_value_t = 19_456, value_parser = clap::value_parser!(u32).range(8..=4_194_304))]
    pub argon2_memory_kib: u32,
    /// Argon2id iterations.
    #[arg(long, env = "HOITHAO_ARGON2_ITERATIONS", default_value_t = 2, value_parser = clap::value_parser!(u32).range(1..=100))]
    pub argon2_iterations: u32,
}

impl Default for AuthSettings {
    fn default() -> Self {
        Self {
            jwt_issuer: "hoithao".into(),
            jwt_audience: "hoithao-api".into(),
            jwt_previous_secret: None,
            access_token_ttl_secs: 900,
            login_max_failures_per_account_and_ip: 5,
            login_max_failures_per_account: 100,
            login_max_failures_per_ip: 30,
            login_window_secs: 900,
            argon2_memory_kib: 19_456,
            argon2_iterations: 2,
        }
    }
}

/// Logging settings shared by all commands.
#[derive(Clone, Debug, Args)]
pub struct LogSettings {
    /// Log format: `json` (one object per line) or `pretty`.
    #[arg(long, env = "HOITHAO_LOG_FORMAT", value_enum, default_value_t = LogFormat::Pretty, global = true)]
    pub log_format: LogFormat,
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    const PASSWORD: &str = "hunter2-database-password";
    const JWT_SECRET: &str = "a-signing-secret-of-at-least-32-bytes";

    #[derive(Debug, Parser)]
    struct Cli {
        #[command(flatten)]
        database: DatabaseSettings,
        #[command(flatten)]
        serve: ServeSettings,
    }

    fn parsed() -> Cli {
        let url = format!("postgres://hoithao:{PASSWORD}@db.example.vn:5432/hoithao");
        Cli::try_parse_from([
            "hoithao",
            "--database-url",
            url.as_str(),
            "--jwt-secret",
            JWT_SECRET,
        ])
        .unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn parsed_secrets_keep_their_values() {
        let cli = parsed();
        assert!(cli.database.database_url.expose().contains(PASSWORD));
        assert_eq!(
            cli.serve.jwt_secret.as_ref().map(Secret::expose),
            Some(JWT_SECRET)
        );
    }

    #[test]
    fn debug_of_the_settings_shows_neither_the_database_password_nor_the_jwt_secret() {
        let cli = parsed();
        for shown in [
            format!("{:?}", cli.database),
            format!("{:#?}", cli.database),
            format!("{:?}", cli.serve),
            format!("{:#?}", cli.serve),
            format!("{cli:?}"),
        ] {
            assert!(!shown.contains(PASSWORD), "{shown}");
            assert!(!shown.contains(JWT_SECRET), "{shown}");
            assert!(shown.contains("***"), "{shown}");
        }
    }

    #[test]
    fn a_secret_file_loses_one_trailing_newline_and_an_unreadable_one_is_named_without_content() {
        let dir = std::env::temp_dir().join(format!("hoithao-config-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
        let file = dir.join("secret");
        for (written, read) in [
            ("abc\n", "abc"),
            ("abc\r\n", "abc"),
            ("abc", "abc"),
            ("a b\n\n", "a b\n"),
        ] {
            std::fs::write(&file, written).unwrap_or_else(|e| panic!("{e}"));
            let secret = read_secret_file("X_FILE", &file).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(secret.expose(), read);
        }
        std::fs::write(&file, "\n").unwrap_or_else(|e| panic!("{e}"));
        let empty = read_secret_file("X_FILE", &file).err().unwrap_or_default();
        assert!(
            empty.contains("X_FILE") && empty.contains("empty"),
            "{empty}"
        );
        let missing = read_secret_file("X_FILE", &dir.join("nope"))
            .err()
            .unwrap_or_default();
        assert!(missing.starts_with("X_FILE: cannot read"), "{missing}");
        assert!(missing.contains("nope"), "{missing}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}

/// Notification settings of `hoithao serve`: outbound email and the outbox workers.
#[derive(Clone, Debug, Args)]
pub struct NotifySettings {
    /// SMTP server as a URL: `smtp://host:25` (plain), `smtp://host:587?tls=required`
    /// (STARTTLS), `smtps://user:password@host:465` (TLS). When unset, emails stay queued.
    #[arg(long, env = "HOITHAO_SMTP_URL", hide_env_values = true)]
    pub smtp_url: Option<Secret>,
    /// Default sender of emails, `Name <address>` or an address.
    #[arg(
        long,
        env = "HOITHAO_MAIL_FROM",
        default_value = "Hội thảo <no-reply@hoithao.invalid>"
    )]
    pub mail_from: String,
    /// Public base URL of the service, used for the links in emails.
    #[arg(
        long,
        env = "HOITHAO_PUBLIC_URL",
        default_value = "http://127.0.0.1:8080"
    )]
    pub public_url: String,
    /// Hours before a conference starts that its confirmed delegates get a reminder.
    #[arg(long, env = "HOITHAO_REMINDER_LEAD_HOURS", default_value_t = 24, value_parser = clap::value_parser!(u32).range(1..=720))]
    pub reminder_lead_hours: u32,
    /// Delivery attempts before a message goes to the dead letters.
    #[arg(long, env = "HOITHAO_OUTBOX_MAX_ATTEMPTS", default_value_t = 8, value_parser = clap::value_parser!(u32).range(1..=100))]
    pub outbox_max_attempts: u32,
    /// First retry delay in milliseconds; it doubles per attempt (with jitter), up to 6 hours.
    #[arg(long, env = "HOITHAO_OUTBOX_RETRY_BASE_MS", default_value_t = 30_000, value_parser = clap::value_parser!(u64).range(0..=3_600_000))]
    pub outbox_retry_base_ms: u64,
    /// Messages a worker claims at a time.
    #[arg(long, env = "HOITHAO_OUTBOX_BATCH_SIZE", default_value_t = 50, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub outbox_batch_size: u32,
    /// Deliveries a process runs at the same time.
    #[arg(long, env = "HOITHAO_OUTBOX_CONCURRENCY", default_value_t = 4, value_parser = clap::value_parser!(u32).range(1..=256))]
    pub outbox_concurrency: u32,
    /// Milliseconds between looks at the outbox when it had nothing due.
    #[arg(long, env = "HOITHAO_OUTBOX_POLL_MS", default_value_t = 1000, value_parser = clap::value_parser!(u64).range(10..=60_000))]
    pub outbox_poll_ms: u64,
    /// Seconds a claimed message stays with its worker; past it another worker may take it.
    #[arg(long, env = "HOITHAO_OUTBOX_LEASE_SECS", default_value_t = 120, value_parser = clap::value_parser!(u32).range(1..=3600))]
    pub outbox_lease_secs: u32,
    /// Hours a webhook endpoint may fail every delivery before it is disabled.
    #[arg(long, env = "HOITHAO_WEBHOOK_DISABLE_AFTER_HOURS", default_value_t = 72, value_parser = clap::value_parser!(u32).range(1..=8760))]
    pub webhook_disable_after_hours: u32,
}
