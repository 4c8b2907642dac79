//! Connection pool, embedded migrations and database bootstrap.

pub mod accounts;
pub mod attendance;
pub mod audit;
pub mod bundles;
pub mod checkins;
pub mod conferences;
pub mod connect;
pub mod device_app;
pub mod durability;
pub mod enums;
pub mod idempotency;
pub mod ids;
pub mod invitations;
pub mod named_args;
pub mod outbox;
pub mod printouts;
pub mod privacy;
pub mod registrations;
pub mod reports;
pub mod schema;
pub mod seats;
pub mod sessions;
pub mod settings;
pub mod signups;
pub mod target;
pub mod throttle;
pub mod tls;
pub mod transport;
pub mod units;
pub mod webhooks;

use std::time::Duration;

use diesel::ConnectionError;
use diesel_async::async_connection_wrapper::AsyncConnectionWrapper;
use diesel_async::pooled_connection::deadpool::{Object, Pool};
use diesel_async::pooled_connection::{
    AsyncDieselConnectionManager, ManagerConfig, RecyclingMethod,
};
use diesel_async::{AsyncPgConnection, SimpleAsyncConnection};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};
use futures_util::FutureExt;

use crate::config::DatabaseSettings;
pub use target::DbTarget;

pub type DbPool = Pool<AsyncPgConnection>;
pub type DbConn = Object<AsyncPgConnection>;
pub type PoolError = diesel_async::pooled_connection::deadpool::PoolError;
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations");

/// The bootstrap check has just connected with the configured timeout; the migration
/// connection gets a generous one of its own.
const MIGRATION_CONNECT_TIMEOUT: Duration = Duration::from_secs(30);

/// Serialises migration runs across replicas starting at the same time.
const MIGRATION_LOCK_KEY: i64 = 0x0068_6f69_7468_616f;

/// Builds the pool. Connections are created lazily; every wait (checkout, connect, recycle)
/// is bounded so that an unreachable database yields a 503 instead of a hang.
pub fn build_pool(settings: &DatabaseSettings) -> Result<DbPool, BoxError> {
    let target = std::sync::Arc::new(DbTarget::parse(settings.database_url.expose())?);
    let timeout = settings.timeout();
    let statement_timeout_ms = settings.db_statement_timeout_ms;
    let mut manager_config = ManagerConfig::<AsyncPgConnection>::default();
    // The default (`Verified`) sends `SELECT 1` on every checkout: a second round trip per
    // request. A connection that died meanwhile fails its next query with ClosedConnection
    // (a 503 the client retries) and is then discarded as broken.
    manager_config.recycling_method = RecyclingMethod::Fast;
    // The URL the manager passes is the one below; the parsed target (TLS roots loaded once)
    // is what connections are made from.
    manager_config.custom_setup = Box::new(move |_url| {
        let target = target.clone();
        async move { establish(&target, timeout, statement_timeout_ms).await }.boxed()
    });
    let manager = AsyncDieselConnectionManager::new_with_config(
        settings.database_url.expose().to_owned(),
        manager_config,
    );
    let pool = Pool::builder(manager)
        .max_size(settings.db_pool_size as usize)
        .wait_timeout(Some(timeout))
        .create_timeout(Some(timeout))
        .recycle_timeout(Some(timeout))
        .runtime(deadpool::Runtime::Tokio1)
        .post_create(audit_actor_hook())
        .post_recycle(audit_actor_hook())
        .build()?;
    Ok(pool)
}

/// Names the actor on every connection checked out, for the audit log (see `audit`): the
/// request's, or the system outside requests, so that no connection goes on writing under the
/// actor of whoever held it before. Skipped where the statements name their actor themselves.
fn audit_actor_hook() -> deadpool::managed::Hook<AsyncDieselConnectionManager<AsyncPgConnection>> {
    deadpool::managed::Hook::async_fn(|conn: &mut AsyncPgConnection, _| {
        let actor = audit::checkout_actor();
        Box::pin(async move {
            if let Some(actor) = actor {
                audit::set_actor(conn, &actor).await.map_err(|e| {
                    deadpool::managed::HookError::Backend(
                        diesel_async::pooled_connection::PoolError::QueryError(e),
                    )
                })?;
            }
            Ok(())
        })
    })
}

/// A diesel connection to `target`. `statement_timeout_ms` of 0 sets no statement timeout and
/// watches no silence (migrations may run long).
async fn establish(
    target: &DbTarget,
    timeout: Duration,
    statement_timeout_ms: u64,
) -> diesel::ConnectionResult<AsyncPgConnection> {
    let bound = round_trip_bound(timeout, statement_timeout_ms);
    let client = connect::open(target, &target.config, timeout, bound)
        .await
        .map_err(|e| ConnectionError::BadConnection(e.describe(target)))?;
    let mut conn = AsyncPgConnection::try_from(client).await?;
    let setup = format!(
        "SET TIME ZONE 'UTC'; SET statement_timeout = {statement_timeout_ms}; SET application_name = 'hoithao'"
    );
    conn.batch_execute(&setup)
        .await
        .map_err(ConnectionError::CouldntSetupConfiguration)?;
    Ok(conn)
}

/// How long PostgreSQL may stay silent while a request is outstanding: the statement timeout
/// (after which the server itself answers with an error) plus the connection timeout as a
/// margin. Without a statement timeout nothing bounds a statement, so nothing is watched.
pub fn round_trip_bound(timeout: Duration, statement_timeout_ms: u64) -> Option<Duration> {
    (statement_timeout_ms > 0).then(|| Duration::from_millis(statement_timeout_ms) + timeout)
}

/// Versions of the migrations compiled into this binary.
pub fn embedded_migration_versions() -> Vec<String> {
    use diesel::migration::MigrationSource;
    let source: &dyn MigrationSource<diesel::pg::Pg> = &MIGRATIONS;
    source
        .migrations()
        .map(|ms| ms.iter().map(|m| m.name().version().to_string()).collect())
        .unwrap_or_default()
}

/// The language PostgreSQL writes its error messages in (`lc_messages`).
pub async fn message_locale(conn: &mut AsyncPgConnection) -> diesel::QueryResult<String> {
    use diesel::sql_types::Text;
    #[derive(diesel::QueryableByName)]
    struct Setting {
        #[diesel(sql_type = Text)]
        lc_messages: String,
    }
    let setting: Setting = diesel_async::RunQueryDsl::get_result(
        diesel::sql_query("SELECT current_setting('lc_messages') AS lc_messages"),
        conn,
    )
    .await?;
    Ok(setting.lc_messages)
}

/// Whether messages in this locale are PostgreSQL's untranslated English ones.
pub fn is_english_locale(locale: &str) -> bool {
    let locale = locale.trim();
    locale.is_empty()
        || locale.eq_ignore_ascii_case("C")
        || locale.eq_ignore_ascii_case("POSIX")
        || locale.starts_with("C.")
        || locale.to_ascii_lowercase().starts_with("en")
}

/// How many of these migration versions the database has applied.
pub async fn applied_migrations(
    conn: &mut AsyncPgConnection,
    versions: &[String],
) -> diesel::QueryResult<usize> {
    use diesel::sql_types::{Array, BigInt, Text};
    #[derive(diesel::QueryableByName)]
    struct Count {
        #[diesel(sql_type = BigInt)]
        applied: i64,
    }
    // diesel's own bookkeeping table is not in schema.rs.
    let count: Count = diesel_async::RunQueryDsl::get_result(
        diesel::sql_query(
            "SELECT count(*) AS applied FROM __diesel_schema_migrations WHERE version = ANY($1)",
        )
        .bind::<Array<Text>, _>(versions),
        conn,
    )
    .await?;
    Ok(usize::try_from(count.applied).unwrap_or(0))
}

/// Applies pending migrations under an advisory lock; returns the versions applied now.
/// Blocking: call it from a thread outside any async runtime. The connection is made like the
/// pool's (TLS included) on a runtime of its own, whose worker drives it while diesel's
/// synchronous migration harness blocks on it.
pub fn run_migrations_blocking(
    target: &DbTarget,
    timeout: Duration,
) -> Result<Vec<String>, BoxError> {
    type Wrapper = AsyncConnectionWrapper<AsyncPgConnection>;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()?;
    let conn = runtime.block_on(establish(target, timeout, 0))?;
    // The wrapper keeps the handle of the runtime it is created in.
    let mut conn = {
        let _entered = runtime.enter();
        Wrapper::from(conn)
    };
    let lock = diesel::sql_query(format!("SELECT pg_advisory_lock({MIGRATION_LOCK_KEY})"));
    diesel::RunQueryDsl::execute(lock, &mut conn)?;
    let result = conn
        .run_pending_migrations(MIGRATIONS)
        .map(|versions| versions.iter().map(ToString::to_string).collect());
    let unlock = diesel::sql_query(format!("SELECT pg_advisory_unlock({MIGRATION_LOCK_KEY})"));
    diesel::RunQueryDsl::execute(unlock, &mut conn)?;
    drop(conn);
    runtime.shutdown_background();
    result
}

/// Runs the migrations on a plain thread, outside any async runtime, where the blocking
/// connection wrapper can block.
pub async fn run_migrations(database_url: &str) -> Result<Vec<String>, BoxError> {
    let target = DbTarget::parse(database_url)?;
    tokio::task::spawn_blocking(move || {
        std::thread::spawn(move || run_migrations_blocking(&target, MIGRATION_CONNECT_TIMEOUT))
            .join()
            .map_err(|_| BoxError::from("the migration thread panicked"))?
    })
    .await?
}

/// Where the database is, for messages: host and port, never the password.
pub fn describe_target(database_url: &str) -> String {
    use tokio_postgres::config::Host;
    match target::without_tls_params(database_url).parse::<tokio_postgres::Config>() {
        Ok(config) => {
            let host = match config.get_hosts().first() {
                Some(Host::Tcp(h)) => h.clone(),
                Some(Host::Unix(p)) => p.display().to_string(),
                None => "localhost".to_owned(),
            };
            let port = config.get_ports().first().copied().unwrap_or(5432);
            let db = config.get_dbname().unwrap_or("postgres");
            format!("{host}:{port} (database \"{db}\")")
        }
        Err(_) => "an unparsable DATABASE_URL".to_owned(),
    }
}

/// Checks that PostgreSQL answers and, when `create` is set, creates the target database if it
/// is missing. The error is one line that names host and port (and the TLS setting when the
/// handshake failed) and says what to do.
pub async fn ensure_database(settings: &DatabaseSettings, create: bool) -> Result<(), String> {
    let target = DbTarget::parse(settings.database_url.expose())?;
    let place = describe_target(settings.database_url.expose());
    let hint = "start one with `docker compose up -d db`, or set DATABASE_URL to a running server";
    let timeout = settings.timeout();
    match connect::open(&target, &target.config, timeout, None).await {
        Ok(_client) => Ok(()),
        Err(e) if e.is_missing_database() && create => {
            let dbname = target.config.get_dbname().unwrap_or("postgres").to_owned();
            let mut admin = target.config.clone();
            admin.dbname("postgres");
            create_database(&target, &admin, &dbname, timeout)
                .await
                .map_err(|e| format!("cannot create database \"{dbname}\" at {place}: {e}"))
        }
        Err(e) if e.is_missing_database() => Err(format!(
            "database missing at {place}; run `hoithao migrate` to create it"
        )),
        Err(e @ (connect::OpenError::Unreachable(_) | connect::OpenError::TimedOut(_))) => {
            Err(format!(
                "cannot reach PostgreSQL at {place}: {}; {hint}",
                e.describe(&target)
            ))
        }
        Err(e) => Err(format!("PostgreSQL at {place}: {}", e.describe(&target))),
    }
}

async fn create_database(
    target: &DbTarget,
    admin: &tokio_postgres::Config,
    dbname: &str,
    timeout: Duration,
) -> Result<(), String> {
    let client = connect::open(target, admin, timeout, None)
        .await
        .map_err(|e| e.describe(target))?;
    let quoted = format!("\"{}\"", dbname.replace('"', "\"\""));
    let result = client
        .batch_execute(&format!("CREATE DATABASE {quoted}"))
        .await;
    match result {
        Ok(()) => {
            tracing::info!(database = dbname, "created database");
            Ok(())
        }
        // Another replica created it first.
        Err(e) if e.code() == Some(&tokio_postgres::error::SqlState::DUPLICATE_DATABASE) => Ok(()),
        Err(e) => Err(connect::one_line(&e)),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn c_and_english_locales_keep_the_messages_the_api_recognises() {
        for english in ["C", "C.UTF-8", "POSIX", "en_US.UTF-8", ""] {
            assert!(super::is_english_locale(english), "{english}");
        }
        for other in ["vi_VN.UTF-8", "de_DE.UTF-8", "fr_FR"] {
            assert!(!super::is_english_locale(other), "{other}");
        }
    }
}
