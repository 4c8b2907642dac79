//! Delivery by `serve` processes: two replicas, a bad SMTP URL, a process killed mid-delivery.

use super::*;

#[actix_web::test]
async fn two_serve_processes_on_one_database_deliver_a_burst_of_a_thousand_exactly_once() {
    let sink = SmtpSink::start();
    let app = TestApp::spawn().await;
    let token = app.organizer("org").await;
    let conference = open_conference(&app, &token, json!({})).await;
    let mut csv = String::from("STT,Họ và tên,Thành phần,Email\n");
    for n in 1..=1000 {
        csv.push_str(&format!(
            "{n},Đại biểu số {n},guest,daibieu{n}@example.vn\n"
        ));
    }
    // Two replicas: two `serve` processes on the test's database, each with its workers.
    let _replicas = [
        Replica(serve_process(&app.db.url, &sink.url(), LONG_LEASE_SECS)),
        Replica(serve_process(&app.db.url, &sink.url(), LONG_LEASE_SECS)),
    ];

    let imported = app
        .request(
            Method::POST,
            &format!("/api/v1/conferences/{conference}/registration-imports"),
            Some(&token),
        )
        .header("content-type", "text/csv")
        .body(csv)
        .send()
        .await
        .unwrap();
    let status = imported.status();
    assert_eq!(status, StatusCode::OK, "{}", imported.text().await.unwrap());
    let messages = sink.wait_for(1000).await;
    // Give a duplicate, if any, the time to arrive too.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let messages = sink.messages().len().max(messages.len());

    assert_eq!(messages, 1000);
    let mut ids: Vec<String> = sink
        .messages()
        .iter()
        .map(|(_, raw)| {
            MessageParser::default()
                .parse(raw)
                .unwrap()
                .message_id()
                .unwrap()
                .to_owned()
        })
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 1000, "every Message-ID once");
    assert_eq!(
        count_once_settled(
            &app,
            "SELECT count(*) FROM outbox WHERE state = 'sent'",
            1000
        )
        .await,
        1000
    );
}

#[test]
fn serve_refuses_an_invalid_smtp_url_with_one_line_naming_the_variable() {
    let output = Command::new(binary())
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env("DATABASE_URL", "postgres://postgres@127.0.0.1:9/none")
        .env("HOITHAO_SMTP_URL", "smtp://user:pa55word@[bad")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);

    assert!(!output.status.success());
    let errors: Vec<&str> = stderr.lines().filter(|l| l.starts_with("error:")).collect();
    assert_eq!(errors.len(), 1, "{stderr}");
    assert!(errors[0].contains("HOITHAO_SMTP_URL"), "{stderr}");
    assert!(!stderr.contains("pa55word"), "{stderr}");
}

#[actix_web::test]
async fn a_serve_process_killed_mid_delivery_leaves_the_message_to_another_with_the_same_id() {
    let sink = SmtpSink::start();
    sink.delay(3);
    let app = TestApp::spawn().await;
    let token = app.organizer("org").await;
    let conference = open_conference(&app, &token, json!({})).await;
    let mut first = serve_process(&app.db.url, &sink.url(), SHORT_LEASE_SECS);

    self_register(
        &app,
        &conference,
        json!({"full_name": "Phạm Thị Yến", "category": "enterprise", "email": "yen@example.vn"}),
    )
    .await;
    let claimed = wait_until(&app, "SELECT count(*) FROM outbox WHERE state = 'sending'").await;
    // The message is on the wire, held by the slow server: kill the sender outright.
    tokio::time::sleep(Duration::from_millis(500)).await;
    first.kill().unwrap();
    first.wait().unwrap();
    sink.delay(0);
    let mut second = serve_process(&app.db.url, &sink.url(), SHORT_LEASE_SECS);
    let sent = wait_until(&app, "SELECT count(*) FROM outbox WHERE state = 'sent'").await;
    // The first server may still accept the killed sender's copy once its hold ends.
    tokio::time::sleep(Duration::from_secs(3)).await;
    second.kill().unwrap();
    second.wait().unwrap();

    assert!(claimed && sent);
    let messages = sink.messages();
    assert!(
        (1..=2).contains(&messages.len()),
        "{} copies",
        messages.len()
    );
    let ids: std::collections::HashSet<String> = messages
        .iter()
        .map(|(_, raw)| {
            MessageParser::default()
                .parse(raw)
                .unwrap()
                .message_id()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(ids.len(), 1, "every copy carries the same Message-ID");
    assert_eq!(
        app.count("SELECT attempts::bigint FROM outbox").await,
        2,
        "claimed by the killed process, then by the other"
    );
}
