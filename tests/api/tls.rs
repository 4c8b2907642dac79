//! TLS to PostgreSQL against a real server: each test starts a PostgreSQL of its own (initdb +
//! pg_ctl in a temporary directory, as the `postgres` OS user when run as root) with `ssl=on`,
//! a server certificate for `localhost` issued by a CA this test makes, and a `pg_hba.conf`
//! that admits TLS connections only.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use diesel::sql_types::Bool;
use hoithao::config::DatabaseSettings;
use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair};

/// The binary under test; `HOITHAO_TEST_BIN` points at a copy when several checkouts share one
/// target directory and may rebuild `target/debug/hoithao` while the suite runs.
fn bin() -> String {
    std::env::var("HOITHAO_TEST_BIN").unwrap_or_else(|_| env!("CARGO_BIN_EXE_hoithao").to_owned())
}

/// The newest PostgreSQL server binaries on this machine, if any.
fn pg_bin_dir() -> Option<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .flatten()
        .map(|e| e.path().join("bin"))
        .filter(|bin| bin.join("initdb").exists() && bin.join("pg_ctl").exists())
        .collect();
    dirs.sort_by_key(|d| {
        d.parent()
            .and_then(|v| v.file_name())
            .and_then(|v| v.to_str())
            .and_then(|v| v.parse::<u32>().ok())
            .unwrap_or(0)
    });
    dirs.pop()
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

/// A PostgreSQL server with TLS only, stopped and removed on drop.
struct TlsServer {
    dir: PathBuf,
    bin: PathBuf,
    port: u16,
    /// The CA that issued the server certificate.
    ca: PathBuf,
    /// A CA that did not.
    other_ca: PathBuf,
}

impl TlsServer {
    /// `None` (and the test is skipped) only when no PostgreSQL server binaries are installed.
    fn start() -> Option<Self> {
        let Some(bin) = pg_bin_dir() else {
            eprintln!("skipped: no PostgreSQL server binaries under /usr/lib/postgresql");
            return None;
        };
        let dir = std::env::temp_dir().join(format!("hoithao-tls-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        let (ca, server_cert, server_key) = issue("hoithao test CA", &["localhost"]);
        let (other_ca, _, _) = issue("another CA", &["localhost"]);
        std::fs::write(dir.join("ca.pem"), ca).unwrap();
        std::fs::write(dir.join("other-ca.pem"), other_ca).unwrap();
        std::fs::write(dir.join("server.crt"), server_cert).unwrap();
        std::fs::write(dir.join("server.key"), server_key).unwrap();
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let server = Self {
            ca: dir.join("ca.pem"),
            other_ca: dir.join("other-ca.pem"),
            dir,
            bin,
            port,
        };
        if is_root() {
            // initdb refuses to run as root; the server's files belong to `postgres`.
            run(Command::new("chown")
                .args(["-R", "postgres:"])
                .arg(&server.dir));
        }
        run(server
            .as_postgres("chmod")
            .args(["0600"])
            .arg(server.dir.join("server.key")));
        run(server
            .as_postgres(&server.bin.join("initdb").to_string_lossy())
            .args(["-A", "trust", "-U", "postgres", "--no-sync", "-D"])
            .arg(server.dir.join("data")));
        let conf = format!(
            "port = {port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{dir}'\n\
             ssl = on\nssl_cert_file = '{dir}/server.crt'\nssl_key_file = '{dir}/server.key'\n\
             fsync = off\n",
            dir = server.dir.display()
        );
        append(&server.dir.join("data/postgresql.conf"), &conf);
        std::fs::write(
            server.dir.join("data/pg_hba.conf"),
            "local all all trust\nhostssl all all 127.0.0.1/32 trust\n",
        )
        .unwrap();
        run(server
            .as_postgres(&server.bin.join("pg_ctl").to_string_lossy())
            .args(["-w", "-t", "60", "-l"])
            .arg(server.dir.join("log"))
            .arg("-D")
            .arg(server.dir.join("data"))
            .arg("start"));
        Some(server)
    }

    fn as_postgres(&self, program: &str) -> Command {
        if is_root() {
            let mut command = Command::new("runuser");
            command.args(["-u", "postgres", "--", program]);
            command
        } else {
            Command::new(program)
        }
    }

    fn url(&self, host: &str, query: &str) -> String {
        format!(
            "postgres://postgres@{host}:{}/hoithao_tls?{query}",
            self.port
        )
    }
}

impl Drop for TlsServer {
    fn drop(&mut self) {
        let _ = self
            .as_postgres(&self.bin.join("pg_ctl").to_string_lossy())
            .args(["-m", "immediate", "-D"])
            .arg(self.dir.join("data"))
            .arg("stop")
            .output();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn run(command: &mut Command) {
    let output = command.output().unwrap();
    assert!(
        output.status.success(),
        "{command:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

fn append(path: &Path, text: &str) {
    use std::io::Write;
    let mut file = std::fs::OpenOptions::new().append(true).open(path).unwrap();
    file.write_all(text.as_bytes()).unwrap();
}

/// A CA and a server certificate it signed for `names`: (CA PEM, certificate PEM, key PEM).
fn issue(ca_name: &str, names: &[&str]) -> (String, String, String) {
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(DnType::CommonName, ca_name);
    let ca = CertifiedIssuer::self_signed(ca_params, KeyPair::generate().unwrap()).unwrap();
    let server_key = KeyPair::generate().unwrap();
    let names: Vec<String> = names.iter().map(|n| (*n).to_owned()).collect();
    let server = CertificateParams::new(names)
        .unwrap()
        .signed_by(&server_key, &ca)
        .unwrap();
    (ca.pem(), server.pem(), server_key.serialize_pem())
}

fn settings(url: &str) -> DatabaseSettings {
    let mut settings = crate::helpers::database_settings(url);
    settings.db_timeout_ms = 5000;
    settings
}

/// Whether a pooled connection is encrypted, as the server sees it.
async fn pool_uses_tls(url: &str) -> bool {
    #[derive(diesel::QueryableByName)]
    struct Ssl {
        #[diesel(sql_type = Bool)]
        ssl: bool,
    }
    let pool = hoithao::db::build_pool(&settings(url)).unwrap();
    let mut conn = pool.get().await.unwrap();
    let row: Ssl = diesel_async::RunQueryDsl::get_result(
        diesel::sql_query("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()"),
        &mut conn,
    )
    .await
    .unwrap();
    row.ssl
}

#[actix_web::test]
async fn verify_full_with_the_right_ca_creates_migrates_and_pools_over_tls() {
    let Some(server) = TlsServer::start() else {
        return;
    };
    let url = server.url(
        "localhost",
        &format!("sslmode=verify-full&sslrootcert={}", server.ca.display()),
    );
    hoithao::db::ensure_database(&settings(&url), true)
        .await
        .unwrap();
    let applied = hoithao::db::run_migrations(&url).await.unwrap();
    assert_eq!(applied, hoithao::db::embedded_migration_versions());
    assert!(pool_uses_tls(&url).await);
}

#[actix_web::test]
async fn verify_full_refuses_a_host_name_the_certificate_does_not_name_and_verify_ca_accepts_it() {
    let Some(server) = TlsServer::start() else {
        return;
    };
    let ca = server.ca.display();
    let by_ip = server.url(
        "127.0.0.1",
        &format!("sslmode=verify-full&sslrootcert={ca}"),
    );
    let error = hoithao::db::ensure_database(&settings(&by_ip), true)
        .await
        .unwrap_err();
    assert!(error.contains("sslmode=verify-full"), "{error}");
    assert!(error.contains("not valid for name"), "{error}");
    assert!(!error.contains('\n'), "{error}");

    let chain_only = server.url("127.0.0.1", &format!("sslmode=verify-ca&sslrootcert={ca}"));
    hoithao::db::ensure_database(&settings(&chain_only), true)
        .await
        .unwrap();
    assert!(pool_uses_tls(&chain_only).await);
}

#[actix_web::test]
async fn require_connects_without_checking_the_certificate_and_disable_is_refused_by_a_tls_only_server()
 {
    let Some(server) = TlsServer::start() else {
        return;
    };
    let require = server.url("127.0.0.1", "sslmode=require");
    hoithao::db::ensure_database(&settings(&require), true)
        .await
        .unwrap();
    assert!(pool_uses_tls(&require).await);
    // No sslmode is libpq's `prefer`: TLS, since the server offers it.
    assert!(pool_uses_tls(&server.url("127.0.0.1", "application_name=x")).await);

    let disable = server.url("127.0.0.1", "sslmode=disable");
    let error = hoithao::db::ensure_database(&settings(&disable), true)
        .await
        .unwrap_err();
    assert!(error.contains("no encryption"), "{error}");
}

/// Runs `serve` until it exits or has run `patience`; returns (exit success, stderr).
fn serve_briefly(url: &str, patience: Duration) -> (Option<bool>, String) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = Command::new(bin())
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .env("DATABASE_URL", url)
        .env("HOITHAO_DB_TIMEOUT_MS", "5000")
        .env("RUST_BACKTRACE", "1")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break Some(status.success());
        }
        if started.elapsed() > patience {
            let _ = child.kill();
            break None;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let output = child.wait_with_output().unwrap();
    (status, String::from_utf8_lossy(&output.stderr).into_owned())
}

#[test]
fn serve_stops_with_one_line_naming_the_setting_when_the_certificate_does_not_verify() {
    let Some(server) = TlsServer::start() else {
        return;
    };
    let wrong_ca = server.url(
        "localhost",
        &format!(
            "sslmode=verify-full&sslrootcert={}",
            server.other_ca.display()
        ),
    );
    let (status, stderr) = serve_briefly(&wrong_ca, Duration::from_secs(30));
    assert_eq!(status, Some(false), "{stderr}");
    let errors: Vec<&str> = stderr.lines().filter(|l| l.starts_with("error:")).collect();
    assert_eq!(errors.len(), 1, "{stderr}");
    assert!(errors[0].contains("sslmode=verify-full"), "{stderr}");
    assert!(errors[0].contains("sslrootcert"), "{stderr}");
    assert!(
        !stderr.contains("panicked") && !stderr.contains("listening"),
        "{stderr}"
    );
}

#[test]
fn serve_stops_with_one_line_on_an_unknown_sslmode_or_an_unreadable_root_certificate() {
    for (url, named) in [
        (
            "postgres://postgres@127.0.0.1:5432/x?sslmode=verify",
            "sslmode `verify`",
        ),
        (
            "postgres://postgres@127.0.0.1:5432/x?sslmode=verify-full&sslrootcert=/nonexistent/ca.pem",
            "sslrootcert `/nonexistent/ca.pem`",
        ),
    ] {
        let (status, stderr) = serve_briefly(url, Duration::from_secs(30));
        assert_eq!(status, Some(false), "{stderr}");
        let errors: Vec<&str> = stderr.lines().filter(|l| l.starts_with("error:")).collect();
        assert_eq!(errors.len(), 1, "{stderr}");
        assert!(errors[0].contains(named), "{stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
}

#[actix_web::test]
async fn an_idle_tls_connection_outlives_the_silence_bound_and_stays_in_the_pool() {
    #[derive(diesel::QueryableByName)]
    struct Pid {
        #[diesel(sql_type = diesel::sql_types::Integer)]
        pid: i32,
    }
    let Some(server) = TlsServer::start() else {
        return;
    };
    let url = server.url("127.0.0.1", "sslmode=require");
    let mut settings = settings(&url);
    hoithao::db::ensure_database(&settings, true).await.unwrap();
    // Silence is bounded at 300 ms + 100 ms while a request is outstanding. The watch reads
    // ReadyForQuery in the plaintext above TLS; below TLS it could not, and the idle
    // connection would be cut once the bound passed.
    settings.db_pool_size = 1;
    settings.db_timeout_ms = 100;
    settings.db_statement_timeout_ms = 300;
    let pool = hoithao::db::build_pool(&settings).unwrap();
    let pid = || diesel::sql_query("SELECT pg_backend_pid() AS pid");
    let first: Pid = {
        let mut conn = pool.get().await.unwrap();
        diesel_async::RunQueryDsl::get_result(pid(), &mut conn)
            .await
            .unwrap()
    };
    tokio::time::sleep(Duration::from_millis(1200)).await;
    let mut conn = pool.get().await.unwrap();
    let second: Pid = diesel_async::RunQueryDsl::get_result(pid(), &mut conn)
        .await
        .unwrap();
    assert_eq!(first.pid, second.pid, "the idle connection was dropped");
}
