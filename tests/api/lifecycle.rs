//! Shutdown and slow clients: live feeds end when the server stops, responses during shutdown
//! close their connections, and a body that does not arrive in time is a 408.

use std::time::Duration;

use reqwest::Method;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::helpers::TestApp;

#[actix_web::test]
async fn a_body_that_does_not_arrive_in_time_gets_408_and_the_connection_closes() {
    let app = TestApp::spawn_with(|s| s.body_timeout_secs = 1).await;
    let address = app.address.trim_start_matches("http://").to_owned();
    let mut stream = tokio::net::TcpStream::connect(&address).await.unwrap();

    stream
        .write_all(
            b"POST /api/v1/auth/login HTTP/1.1\r\nHost: test\r\n\
              Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"email\"",
        )
        .await
        .unwrap();
    let mut response = Vec::new();
    // The server answers and closes; the bound only keeps a regression from hanging the suite.
    tokio::time::timeout(Duration::from_secs(60), stream.read_to_end(&mut response))
        .await
        .expect("the server never answered")
        .unwrap();
    let response = String::from_utf8_lossy(&response).to_lowercase();

    assert!(response.starts_with("http/1.1 408"), "{response}");
    assert!(response.contains("connection: close"), "{response}");
    assert!(
        response.contains("content-type: application/problem+json"),
        "{response}"
    );
    assert!(response.contains("\"code\":\"body_timeout\""), "{response}");
}

#[actix_web::test]
async fn a_body_sent_in_time_is_served_as_usual() {
    let app = TestApp::spawn_with(|s| s.body_timeout_secs = 1).await;
    let token = app.organizer("org").await;

    let conference = app.conference(&token, json!({})).await;

    assert!(conference["id"].is_string());
}

#[actix_web::test]
async fn once_shutdown_begins_live_feeds_end_with_a_reconnect_event_and_responses_close() {
    let app = TestApp::spawn().await;
    let token = app.organizer("org").await;
    let conference = app.conference(&token, json!({})).await;
    let cid = conference["id"].as_str().unwrap();
    let mut feed = app
        .request(
            Method::GET,
            &format!("/api/v1/conferences/{cid}/checkin-events"),
            Some(&token),
        )
        .send()
        .await
        .unwrap();
    let first = feed.chunk().await.unwrap().unwrap();
    assert!(String::from_utf8_lossy(&first).contains("connected"));

    app.state.shutdown.begin();
    let mut rest = String::new();
    let ended = tokio::time::timeout(Duration::from_secs(60), async {
        while let Some(chunk) = feed.chunk().await.unwrap() {
            rest.push_str(&String::from_utf8_lossy(&chunk));
        }
    })
    .await;
    let during = app.get("/healthz", None).await;

    assert!(ended.is_ok(), "the feed did not end: {rest}");
    assert!(rest.contains("event: shutdown"), "{rest}");
    assert!(rest.contains("retry: "), "{rest}");
    assert_eq!(during.status, 200);
    assert_eq!(during.header("connection"), Some("close"));
}

#[actix_web::test]
async fn before_shutdown_responses_keep_their_connections() {
    let app = TestApp::spawn().await;

    let reply = app.get("/healthz", None).await;

    assert_eq!(reply.status, 200);
    assert_ne!(reply.header("connection"), Some("close"));
}
