//! Delivery by the worker: retries, dead messages, a dead worker's claim.

use super::*;

#[actix_web::test]
async fn refused_messages_go_dead_after_the_last_attempt_and_an_organizer_retries_them() {
    let sink = SmtpSink::start();
    sink.refuse(true);
    let app = TestApp::spawn().await;
    let _worker = start_worker(app.state.pool.clone(), &notify_settings(Some(sink.url())));
    let token = app.organizer("org").await;
    let conference = open_conference(&app, &token, json!({})).await;
    self_register(
        &app,
        &conference,
        json!({"full_name": "Phạm Thị Yến", "category": "enterprise", "email": "yen@example.vn"}),
    )
    .await;

    let started = Instant::now();
    while app
        .count("SELECT count(*) FROM outbox WHERE state = 'dead'")
        .await
        == 0
        && started.elapsed() < Duration::from_secs(60)
    {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let queue = app
        .get(
            format!("/api/v1/conferences/{conference}/outbox"),
            Some(&token),
        )
        .await;
    assert_eq!(queue.status, StatusCode::OK, "{}", queue.body);
    assert_eq!(queue.body["counts"]["dead"], 1, "{}", queue.body);
    assert_eq!(queue.body["counts"]["sent"], 0);
    assert!(
        queue.body["last_error"].as_str().unwrap().contains("451"),
        "{}",
        queue.body
    );
    let dead = app
        .get(
            format!("/api/v1/conferences/{conference}/outbox/messages?state=dead"),
            Some(&token),
        )
        .await;
    assert_eq!(dead.body["items"][0]["attempts"], 3, "{}", dead.body);
    assert_eq!(dead.body["items"][0]["event"], "registration.confirmed");
    assert!(sink.messages().is_empty());

    sink.refuse(false);
    let retried = app
        .post(
            &format!("/api/v1/conferences/{conference}/outbox/retry"),
            Some(&token),
            json!({}),
        )
        .await;
    assert_eq!(retried.status, StatusCode::OK, "{}", retried.body);
    assert_eq!(retried.body["retried"], 1);
    let messages = sink.wait_for(1).await;

    assert_eq!(messages.len(), 1);
    let message = MessageParser::default().parse(&messages[0].1).unwrap();
    assert!(
        message.body_text(0).unwrap().contains("/delegate#token="),
        "the link survives until the message is sent"
    );
}

#[actix_web::test]
async fn a_claim_whose_worker_died_is_delivered_by_another_with_the_same_message_id() {
    let sink = SmtpSink::start();
    let app = TestApp::spawn().await;
    let token = app.organizer("org").await;
    let conference = open_conference(&app, &token, json!({})).await;
    self_register(
        &app,
        &conference,
        json!({"full_name": "Phạm Thị Yến", "category": "enterprise", "email": "yen@example.vn"}),
    )
    .await;
    // A worker claims the row with a one-second lease and dies before sending.
    let claimed = {
        let mut conn = app.state.pool.get().await.unwrap();
        hoithao::db::outbox::claim(&mut conn, &["email"], 10, 1)
            .await
            .unwrap()
    };
    assert_eq!(claimed.len(), 1);

    let _worker = start_worker(app.state.pool.clone(), &notify_settings(Some(sink.url())));
    let messages = sink.wait_for(1).await;

    assert_eq!(messages.len(), 1);
    let message = MessageParser::default().parse(&messages[0].1).unwrap();
    assert_eq!(
        message.message_id(),
        Some(format!("{}@hoithao", claimed[0].id).as_str())
    );
    // The server has the message before the worker records it as sent.
    count_once_settled(&app, "SELECT count(*) FROM outbox WHERE state = 'sent'", 1).await;
    assert_eq!(
        app.count("SELECT attempts::bigint FROM outbox WHERE state = 'sent'")
            .await,
        2,
        "the dead worker's attempt counts"
    );
}
