use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::helpers::TestDatabase;

const BIN: &str = env!("CARGO_BIN_EXE_hoithao");

#[test]
fn every_command_fails_with_one_clear_line_when_postgres_is_down() {
    for args in [
        vec!["migrate"],
        vec!["serve"],
        vec!["seed-demo"],
        vec!["create-admin", "--email", "a@example.vn"],
    ] {
        let output = Command::new(BIN)
            .args(&args)
            .env(
                "DATABASE_URL",
                "postgres://postgres:s3cret-pw@127.0.0.1:9/hoithao",
            )
            .env("HOITHAO_ADMIN_PASSWORD", "a long passphrase")
            .env("HOITHAO_DB_TIMEOUT_MS", "1000")
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success(), "{args:?} succeeded");
        let error_lines: Vec<&str> = stderr.lines().filter(|l| l.starts_with("error:")).collect();
        assert_eq!(error_lines.len(), 1, "{args:?}: {stderr}");
        assert!(error_lines[0].contains("127.0.0.1:9"), "{stderr}");
        assert!(
            error_lines[0].contains("docker compose up -d db"),
            "{stderr}"
        );
        assert!(
            !stderr.contains("s3cret-pw"),
            "the password leaked: {stderr}"
        );
    }
}

#[test]
fn openapi_prints_the_spec_as_json() {
    let output = Command::new(BIN).arg("openapi").output().unwrap();
    assert!(output.status.success());
    let spec: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(spec["info"]["title"], "hoithao");
}

#[actix_web::test]
async fn serve_creates_its_database_migrates_answers_and_stops_on_sigterm() {
    let holder = TestDatabase::create().await;
    // A name that does not exist yet: serve must create it. Drop it through a holder.
    let fresh = TestDatabase {
        name: format!("{}_fresh", holder.name),
        url: format!("{}_fresh", holder.url),
    };
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = Command::new(BIN)
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .env("DATABASE_URL", &fresh.url)
        .env("HOITHAO_LOG_FORMAT", "json")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();

    let started = Instant::now();
    let mut ready = false;
    while started.elapsed() < Duration::from_secs(30) {
        if let Ok(reply) = reqwest::get(format!("http://127.0.0.1:{port}/readyz")).await
            && reply.status().is_success()
        {
            ready = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    let status = child.wait().unwrap();
    let mut stderr = String::new();
    std::io::Read::read_to_string(child.stderr.as_mut().unwrap(), &mut stderr).unwrap();

    assert!(ready, "serve never became ready: {stderr}");
    assert!(status.success(), "exit status {status:?}: {stderr}");
    assert!(
        stderr
            .lines()
            .any(|l| l.contains("\"level\":\"WARN\"") && l.contains("HOITHAO_JWT_SECRET")),
        "{stderr}"
    );
    let client = fresh.client().await;
    let stored: i64 = client
        .query_one(
            "SELECT count(*) FROM app_settings WHERE key = 'jwt_secret'",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(stored, 1);
}

#[actix_web::test]
async fn sigterm_ends_open_live_feeds_and_stops_well_within_the_grace_period() {
    let db = TestDatabase::create().await;
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let created = Command::new(BIN)
        .args(["create-admin", "--email", "admin@example.vn"])
        .env("DATABASE_URL", &db.url)
        .env("HOITHAO_ADMIN_PASSWORD", "a long admin passphrase")
        .output()
        .unwrap();
    assert!(created.status.success(), "{created:?}");
    let mut child = Command::new(BIN)
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .env("DATABASE_URL", &db.url)
        .env("HOITHAO_JWT_SECRET", crate::helpers::JWT_SECRET)
        .env("HOITHAO_SHUTDOWN_TIMEOUT_SECS", "60")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let api = format!("http://127.0.0.1:{port}/api/v1");
    let client = reqwest::Client::new();
    let mut token = None;
    for _ in 0..300 {
        if let Ok(reply) = client
            .post(format!("{api}/auth/login"))
            .json(&serde_json::json!({"email": "admin@example.vn", "password": "a long admin passphrase"}))
            .send()
            .await
            && reply.status().is_success()
        {
            let body: serde_json::Value = reply.json().await.unwrap();
            token = body["access_token"].as_str().map(str::to_owned);
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let token = token.expect("serve never answered the login");
    let conference: serde_json::Value = client
        .post(format!("{api}/conferences"))
        .bearer_auth(&token)
        .json(&crate::helpers::conference_body())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let cid = conference["id"].as_str().unwrap();
    let mut feed = client
        .get(format!("{api}/conferences/{cid}/checkin-events"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    feed.chunk().await.unwrap().unwrap();

    let signalled = Instant::now();
    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    let mut rest = String::new();
    while let Ok(Some(chunk)) = feed.chunk().await {
        rest.push_str(&String::from_utf8_lossy(&chunk));
    }
    let status = child.wait().unwrap();
    let stopped_after = signalled.elapsed();

    assert!(status.success(), "exit status {status:?}");
    assert!(rest.contains("event: shutdown"), "{rest}");
    // The grace period is 60 s; an open feed used to hold the process for all of it.
    assert!(
        stopped_after < Duration::from_secs(30),
        "stopping took {stopped_after:?}"
    );
}
