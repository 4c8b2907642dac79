//! Retried registrations with an Idempotency-Key.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::{burst_app, person, self_path};
use crate::helpers::{Conf, Reply, TestApp};

#[actix_web::test]
async fn a_retried_registration_with_the_same_idempotency_key_returns_the_first_response_and_writes_once()
 {
    let app = burst_app().await;
    let Conf { conference, .. } = app.open_conference(json!({})).await;
    let send = || {
        app.request(Method::POST, &self_path(&conference), None)
            .header("Idempotency-Key", "4f7d2c1e-retry")
            .json(&person(7))
            .send()
    };

    let replies = futures_util::future::join_all((0..10).map(|_| send())).await;

    let mut bodies = Vec::new();
    let mut replayed = 0;
    for reply in replies {
        let reply = reply.unwrap();
        assert_eq!(reply.status(), StatusCode::CREATED);
        replayed += usize::from(reply.headers().contains_key("idempotent-replayed"));
        assert!(
            reply.headers().contains_key("location"),
            "replays carry the Location too"
        );
        bodies.push(reply.json::<Value>().await.unwrap());
    }
    assert_eq!(replayed, 9);
    assert!(
        bodies.iter().all(|b| b == &bodies[0]),
        "every reply is the first response"
    );
    assert_eq!(app.count("SELECT count(*) FROM registrations").await, 1);
}

#[actix_web::test]
async fn an_idempotency_key_reused_with_another_body_is_a_conflict() {
    let app = TestApp::spawn().await;
    let Conf { conference, .. } = app.open_conference(json!({})).await;
    let send = |body: Value| {
        app.request(Method::POST, &self_path(&conference), None)
            .header("Idempotency-Key", "k-1")
            .json(&body)
            .send()
    };

    assert_eq!(send(person(1)).await.unwrap().status(), StatusCode::CREATED);
    let reused = Reply::from(send(person(2)).await.unwrap()).await;

    reused.assert_problem(409, "idempotency_key_reused");
    assert_eq!(app.count("SELECT count(*) FROM registrations").await, 1);
}
