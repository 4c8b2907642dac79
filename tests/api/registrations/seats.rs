//! Seats: approval, capacity, the waitlist and its order under concurrency.

use reqwest::StatusCode;
use serde_json::json;
use std::time::Instant;

use super::{burst_app, list_path, person, self_path};
use crate::helpers::{Conf, Reply, TestApp};

#[actix_web::test]
async fn approval_mode_keeps_registrations_pending_until_an_organizer_decides() {
    let app = TestApp::spawn().await;
    let Conf {
        organizer: token,
        conference,
    } = app
        .open_conference(json!({"registration_mode": "approval_required", "capacity": 1}))
        .await;
    let first = app.post(&self_path(&conference), None, person(1)).await;
    let second = app.post(&self_path(&conference), None, person(2)).await;
    assert_eq!(first.body["registration"]["status"], "pending_approval");
    let path = |r: &Reply| {
        format!(
            "{}/{}",
            list_path(&conference),
            r.body["registration"]["id"].as_str().unwrap()
        )
    };

    let approved = app
        .post(
            &format!("{}/approve", path(&first)),
            Some(&token),
            json!({}),
        )
        .await;
    assert_eq!(approved.body["status"], "confirmed");
    app.post(
        &format!("{}/approve", path(&second)),
        Some(&token),
        json!({}),
    )
    .await
    .assert_problem(409, "capacity_reached");
    let rejected = app
        .post(
            &format!("{}/reject", path(&second)),
            Some(&token),
            json!({}),
        )
        .await;
    assert_eq!(rejected.body["status"], "rejected");
    app.post(
        &format!("{}/approve", path(&second)),
        Some(&token),
        json!({}),
    )
    .await
    .assert_problem(409, "illegal_status_transition");
    assert_eq!(
        app.count("SELECT confirmed_count::bigint FROM conference_seats")
            .await,
        1
    );
}

#[actix_web::test]
async fn two_hundred_parallel_self_registrations_fill_fifty_seats_and_waitlist_the_rest() {
    let app = burst_app().await;
    let Conf { conference, .. } = app
        .open_conference(json!({"capacity": 50, "waitlist_enabled": true}))
        .await;
    let path = self_path(&conference);

    let started = Instant::now();
    let replies =
        futures_util::future::join_all((0..200).map(|n| app.post(&path, None, person(n)))).await;
    let elapsed = started.elapsed();
    eprintln!(
        "200 parallel self-registrations in {elapsed:?} ({:.0}/s)",
        200.0 / elapsed.as_secs_f64()
    );

    assert!(
        replies.iter().all(|r| r.status == StatusCode::CREATED),
        "{:?}",
        replies
            .iter()
            .find(|r| r.status != StatusCode::CREATED)
            .map(|r| &r.text)
    );
    let confirmed = replies
        .iter()
        .filter(|r| r.body["registration"]["status"] == "confirmed")
        .count();
    let waitlisted = replies
        .iter()
        .filter(|r| r.body["registration"]["status"] == "waitlisted")
        .count();
    assert_eq!((confirmed, waitlisted), (50, 150));
    assert_eq!(
        app.count("SELECT count(*) FROM registrations WHERE status = 'confirmed'")
            .await,
        50
    );
    assert_eq!(
        app.count("SELECT count(*) FROM registrations WHERE status = 'waitlisted'")
            .await,
        150
    );
    assert_eq!(
        app.count("SELECT count(DISTINCT number) FROM registrations")
            .await,
        200
    );
    assert_eq!(
        app.count("SELECT confirmed_count::bigint FROM conference_seats")
            .await,
        50
    );
}

#[actix_web::test]
async fn without_a_waitlist_the_burst_gets_fifty_seats_and_one_hundred_fifty_conflicts() {
    let app = burst_app().await;
    let Conf { conference, .. } = app.open_conference(json!({"capacity": 50})).await;
    let path = self_path(&conference);

    let replies =
        futures_util::future::join_all((0..200).map(|n| app.post(&path, None, person(n)))).await;

    assert_eq!(
        replies
            .iter()
            .filter(|r| r.status == StatusCode::CREATED)
            .count(),
        50
    );
    let refused: Vec<_> = replies
        .iter()
        .filter(|r| r.status == StatusCode::CONFLICT)
        .collect();
    assert_eq!(refused.len(), 150);
    assert!(refused.iter().all(|r| r.body["code"] == "capacity_reached"));
    assert_eq!(app.count("SELECT count(*) FROM registrations").await, 50);
}

#[actix_web::test]
async fn concurrent_cancellations_each_promote_exactly_one_waitlisted_registration_in_order() {
    let app = burst_app().await;
    let Conf {
        organizer: token,
        conference,
    } = app
        .open_conference(json!({"capacity": 5, "waitlist_enabled": true}))
        .await;
    let mut ids = Vec::new();
    for n in 0..10 {
        let reply = app.post(&self_path(&conference), None, person(n)).await;
        ids.push(
            reply.body["registration"]["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    let cancel = |id: &String| {
        app.post(
            format!("{}/{id}/cancel", list_path(&conference)),
            Some(&token),
            json!({}),
        )
    };

    let replies = futures_util::future::join_all(ids[..3].iter().map(cancel)).await;

    assert!(replies.iter().all(|r| r.status == StatusCode::OK));
    assert_eq!(
        app.count("SELECT count(*) FROM registrations WHERE status = 'confirmed'")
            .await,
        5
    );
    assert_eq!(
        app.count("SELECT count(*) FROM registrations WHERE status = 'waitlisted'")
            .await,
        2
    );
    // The three longest-waiting (numbers 6, 7, 8) were promoted.
    assert_eq!(
        app.count(
            "SELECT count(*) FROM registrations WHERE status = 'confirmed' AND number IN (6, 7, 8)"
        )
        .await,
        3
    );
    assert_eq!(
        app.count("SELECT confirmed_count::bigint FROM conference_seats")
            .await,
        5
    );
}

#[actix_web::test]
async fn raising_the_capacity_promotes_the_waitlist_at_once_and_lowering_it_below_confirmed_is_refused()
 {
    let app = TestApp::spawn().await;
    let Conf {
        organizer: token,
        conference,
    } = app
        .open_conference(json!({"capacity": 1, "waitlist_enabled": true}))
        .await;
    for n in 0..4 {
        app.post(&self_path(&conference), None, person(n)).await;
    }
    let path = format!("/api/v1/conferences/{}", conference["id"].as_str().unwrap());

    let raised = app.patch(&path, Some(&token), json!({"capacity": 3})).await;

    assert_eq!(raised.status, StatusCode::OK, "{}", raised.text);
    assert_eq!(
        app.count("SELECT count(*) FROM registrations WHERE status = 'confirmed'")
            .await,
        3
    );
    assert_eq!(
        app.count("SELECT count(*) FROM registrations WHERE status = 'waitlisted' AND number = 4")
            .await,
        1,
        "promoted in order"
    );
    assert_eq!(
        app.count("SELECT confirmed_count::bigint FROM conference_seats")
            .await,
        3
    );
    let lowered = app.patch(&path, Some(&token), json!({"capacity": 2})).await;
    lowered.assert_problem(422, "validation_failed");
    assert_eq!(
        lowered.error_fields(),
        vec![("capacity".to_owned(), "below_confirmed".to_owned())]
    );
}
