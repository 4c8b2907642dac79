//! A database of its own for each test, cloned from a migrated template made once per set of migrations.

use super::*;

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
