//! Production settings: secrets from files, JWT key rotation, the container probe.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use hoithao::auth::jwt::JwtKeys;
use reqwest::StatusCode;

use crate::helpers::{JWT_SECRET, TestApp, TestDatabase, test_auth_settings};

/// The binary under test; `HOITHAO_TEST_BIN` points at a copy when several checkouts share one
/// target directory and may rebuild `target/debug/hoithao` while the suite runs.
fn bin() -> String {
    std::env::var("HOITHAO_TEST_BIN").unwrap_or_else(|_| env!("CARGO_BIN_EXE_hoithao").to_owned())
}
const PREVIOUS_KEY: &str = "the-key-before-the-rotation-0123456789";

#[actix_web::test]
async fn a_token_signed_with_the_previous_key_is_accepted_and_one_from_an_unknown_key_is_not() {
    let app = TestApp::spawn_with(|s| s.auth.jwt_previous_secret = Some(PREVIOUS_KEY.into())).await;
    let (account_id, current) = app.account("org@example.vn", "organizer").await;
    let old_keys = JwtKeys::new(PREVIOUS_KEY.as_bytes(), &test_auth_settings()).unwrap();
    let from_before = old_keys.issue(account_id, "organizer").unwrap().token;
    let stranger = JwtKeys::new(
        b"a-key-this-server-never-knew-0123456789",
        &test_auth_settings(),
    )
    .unwrap()
    .issue(account_id, "organizer")
    .unwrap()
    .token;

    for token in [&current, &from_before] {
        let reply = app.get("/api/v1/auth/me", Some(token)).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        assert_eq!(reply.body["id"], account_id.to_string());
    }
    let reply = app.get("/api/v1/auth/me", Some(&stranger)).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(reply.body["code"], "invalid_token");
    // New tokens are signed with the current key only.
    assert!(old_keys.verify(&app.login("org@example.vn").await).is_err());
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn probe(args: &[&str]) -> (bool, String, String) {
    let output = Command::new(bin())
        .arg("probe")
        .args(args)
        .output()
        .unwrap();
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[actix_web::test]
async fn serve_reads_its_secrets_from_files_and_the_probe_sees_it_healthy_and_ready() {
    let db = TestDatabase::create().await;
    let dir = std::env::temp_dir().join(format!("hoithao-secrets-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("database_url"), format!("{}\n", db.url)).unwrap();
    std::fs::write(dir.join("jwt"), format!("{JWT_SECRET}\n")).unwrap();
    let port = free_port();
    let listen = format!("127.0.0.1:{port}");
    let mut child = Command::new(bin())
        .args(["serve", "--listen", &listen])
        .env_remove("DATABASE_URL")
        .env_remove("HOITHAO_JWT_SECRET")
        .env("DATABASE_URL_FILE", dir.join("database_url"))
        .env("HOITHAO_JWT_SECRET_FILE", dir.join("jwt"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    let mut ready = false;
    while started.elapsed() < Duration::from_secs(30) && !ready {
        ready = probe(&["--ready", "--url", &format!("http://{listen}/readyz")]).0;
        if !ready {
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
    let healthy = Command::new(bin())
        .arg("probe")
        .env("HOITHAO_LISTEN", format!("0.0.0.0:{port}"))
        .output()
        .unwrap();
    let _ = child.kill();
    let _ = child.wait();
    let _ = std::fs::remove_dir_all(&dir);
    assert!(ready, "serve never became ready on a URL read from a file");
    assert!(healthy.status.success());
    assert!(String::from_utf8_lossy(&healthy.stdout).contains("200"));
    // The signing key came from its file, so no key was generated and stored.
    let stored = db
        .client()
        .await
        .query_one(
            "SELECT count(*) FROM app_settings WHERE key = 'jwt_secret'",
            &[],
        )
        .await
        .unwrap()
        .get::<_, i64>(0);
    assert_eq!(stored, 0);
}

#[test]
fn the_probe_fails_with_one_line_when_nothing_answers() {
    let port = free_port();
    let (ok, _, stderr) = probe(&["--url", &format!("http://127.0.0.1:{port}/healthz")]);
    assert!(!ok);
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 1, "{stderr}");
    assert!(
        lines[0].contains(&format!("127.0.0.1:{port}/healthz")),
        "{stderr}"
    );
}

fn serve_error(envs: &[(&str, &str)]) -> String {
    let mut command = Command::new(bin());
    command
        .args(["serve", "--listen", &format!("127.0.0.1:{}", free_port())])
        .env_remove("DATABASE_URL")
        .env_remove("HOITHAO_JWT_SECRET")
        .stdout(Stdio::null());
    for (name, value) in envs {
        command.env(name, value);
    }
    let output = command.output().unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    let errors: Vec<&str> = stderr.lines().filter(|l| l.starts_with("error:")).collect();
    assert_eq!(errors.len(), 1, "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    errors[0].to_owned()
}

#[test]
fn a_secret_set_twice_or_in_an_unreadable_file_stops_serve_with_one_line_naming_it() {
    let dir = std::env::temp_dir().join(format!("hoithao-secrets-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let url_file = dir.join("database_url");
    std::fs::write(
        &url_file,
        "postgres://postgres:file-secret-pw@127.0.0.1:9/x\n",
    )
    .unwrap();
    let url_file = url_file.to_string_lossy().into_owned();

    let both = serve_error(&[
        ("DATABASE_URL", "postgres://postgres@127.0.0.1:9/x"),
        ("DATABASE_URL_FILE", &url_file),
    ]);
    assert!(
        both.contains("DATABASE_URL and DATABASE_URL_FILE"),
        "{both}"
    );

    let missing = serve_error(&[("HOITHAO_JWT_SECRET_FILE", "/nonexistent/jwt")]);
    assert!(missing.contains("HOITHAO_JWT_SECRET_FILE"), "{missing}");
    assert!(missing.contains("/nonexistent/jwt"), "{missing}");

    // A file that is read but names an unreachable server: the password stays out.
    let unreachable = serve_error(&[
        ("DATABASE_URL_FILE", &url_file),
        ("HOITHAO_DB_TIMEOUT_MS", "1000"),
    ]);
    assert!(unreachable.contains("127.0.0.1:9"), "{unreachable}");
    assert!(!unreachable.contains("file-secret-pw"), "{unreachable}");

    let _ = std::fs::remove_dir_all(&dir);
}
