//! The self-registration burst: the seat row locked late and released before the disk flush
//! must still give arrival order, respect organizers' changes made during the burst, and
//! acknowledge nothing that is not on disk.

use reqwest::StatusCode;
use serde_json::json;

use super::{burst_app, person, self_path};
use crate::helpers::{Conf, Reply};

fn conference_path(conference: &serde_json::Value) -> String {
    format!("/api/v1/conferences/{}", conference["id"].as_str().unwrap())
}

#[actix_web::test]
async fn in_a_burst_seats_go_to_the_first_numbers_and_the_waitlist_keeps_number_order() {
    let app = burst_app().await;
    let Conf { conference, .. } = app
        .open_conference(json!({"capacity": 50, "waitlist_enabled": true}))
        .await;
    let path = self_path(&conference);

    let replies: Vec<Reply> =
        futures_util::future::join_all((0..200).map(|n| app.post(&path, None, person(n)))).await;

    assert!(replies.iter().all(|r| r.status == StatusCode::CREATED));
    // Numbers are taken under the same lock as the seats: the 50 seats are numbers 1-50.
    assert_eq!(
        app.count(
            "SELECT count(*) FROM registrations WHERE status = 'confirmed' AND number BETWEEN 1 AND 50"
        )
        .await,
        50
    );
    // The waitlist's clock is read under the lock too: its order is the number order.
    assert_eq!(
        app.count(
            "SELECT count(*) FROM (SELECT number, row_number() OVER (ORDER BY waitlisted_at, number) AS place \
             FROM registrations WHERE status = 'waitlisted') w WHERE number <> 50 + place"
        )
        .await,
        0
    );
    assert_eq!(
        app.count("SELECT count(DISTINCT waitlisted_at) FROM registrations")
            .await,
        150,
        "each waitlisted registration read the clock on its own"
    );
    assert_eq!(
        app.count("SELECT registration_seq::bigint FROM conference_seats")
            .await,
        200
    );
    assert_eq!(
        app.count("SELECT count(*) FROM registrations WHERE legal_basis = 'consent' AND consent_at IS NOT NULL AND consent_notice_version = 1")
            .await,
        200,
        "the consent is recorded with the row"
    );
}

#[actix_web::test]
async fn closing_registration_during_a_burst_refuses_everyone_after_the_close() {
    let app = burst_app().await;
    let Conf {
        organizer,
        conference,
    } = app
        .open_conference(json!({"capacity": 500, "waitlist_enabled": true}))
        .await;
    let path = self_path(&conference);
    let close = format!("{}/close", conference_path(&conference));

    let burst = futures_util::future::join_all((0..150).map(|n| app.post(&path, None, person(n))));
    let closing = async {
        tokio::time::sleep(std::time::Duration::from_millis(30)).await;
        let closed = app.post(&close, Some(&organizer), json!({})).await;
        assert_eq!(closed.status, StatusCode::OK, "{}", closed.text);
        // Once the close is acknowledged, nobody gets in.
        app.post(&path, None, person(1000))
            .await
            .assert_problem(409, "registration_closed");
        app.count("SELECT count(*) FROM registrations").await
    };
    let (replies, stored_at_close) = tokio::join!(burst, closing);

    let created = replies
        .iter()
        .filter(|r| r.status == StatusCode::CREATED)
        .count();
    for reply in replies.iter().filter(|r| r.status != StatusCode::CREATED) {
        reply.assert_problem(409, "registration_closed");
    }
    let stored = app.count("SELECT count(*) FROM registrations").await;
    assert_eq!(stored, created as i64, "every 201 is stored, nothing else");
    assert_eq!(
        stored, stored_at_close,
        "no registration committed after the close was acknowledged"
    );
    assert_eq!(
        app.count("SELECT registration_seq::bigint FROM conference_seats")
            .await,
        stored
    );
}

#[actix_web::test]
async fn capacity_changes_during_a_burst_never_leave_more_confirmed_than_seats() {
    let app = burst_app().await;
    let Conf {
        organizer,
        conference,
    } = app
        .open_conference(json!({"capacity": 40, "waitlist_enabled": true}))
        .await;
    let path = self_path(&conference);
    let edit = conference_path(&conference);

    let burst = futures_util::future::join_all((0..150).map(|n| app.post(&path, None, person(n))));
    let edits = async {
        let mut answers = Vec::new();
        for capacity in [60, 45, 80, 70, 100] {
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
            let reply = app
                .patch(&edit, Some(&organizer), json!({"capacity": capacity}))
                .await;
            answers.push((capacity, reply.status));
        }
        answers
    };
    let (replies, answers) = tokio::join!(burst, edits);

    assert!(replies.iter().all(|r| r.status == StatusCode::CREATED));
    for (capacity, status) in &answers {
        // Lowering below the seats already taken is refused; anything else applies.
        assert!(
            *status == StatusCode::OK || *status == StatusCode::UNPROCESSABLE_ENTITY,
            "capacity {capacity}: {status}"
        );
    }
    let capacity = app
        .count("SELECT capacity::bigint FROM conference_seats")
        .await;
    let confirmed = app
        .count("SELECT count(*) FROM registrations WHERE status = 'confirmed'")
        .await;
    assert_eq!(
        capacity,
        app.count("SELECT capacity::bigint FROM conferences").await,
        "the seat row's copy follows the conference"
    );
    assert_eq!(
        confirmed,
        app.count("SELECT confirmed_count::bigint FROM conference_seats")
            .await
    );
    assert!(
        confirmed <= capacity,
        "{confirmed} confirmed, {capacity} seats"
    );
    // Nobody waits while a seat is free: the last raise promoted the waitlist.
    let waiting = app
        .count("SELECT count(*) FROM registrations WHERE status = 'waitlisted'")
        .await;
    assert!(
        confirmed == capacity || waiting == 0,
        "{confirmed} confirmed of {capacity} with {waiting} waiting"
    );
    assert_eq!(confirmed + waiting, 150);
}

#[actix_web::test]
async fn a_self_registration_is_on_disk_when_its_answer_arrives() {
    let app = burst_app().await;
    let Conf { conference, .. } = app.open_conference(json!({"capacity": 10})).await;
    let client = app.db.client().await;
    client
        .batch_execute("CREATE EXTENSION IF NOT EXISTS pg_walinspect")
        .await
        .unwrap();

    for n in 0..5 {
        let before: String = client
            .query_one("SELECT pg_current_wal_insert_lsn()::text", &[])
            .await
            .unwrap()
            .get(0);
        let reply = app.post(&self_path(&conference), None, person(n)).await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
        // Read at once: the WAL writer alone flushes an asynchronous commit only after up to
        // three times wal_writer_delay (200 ms by default). pg_walinspect reads flushed WAL
        // only, so the commit record is found exactly when it is on disk (and a start past the
        // flushed WAL is an error: nothing written since `before` is on disk).
        let found = client
            .query_opt(
                "SELECT 1 FROM registrations g, \
                      pg_get_wal_records_info($2::text::pg_lsn, pg_current_wal_flush_lsn()) r \
                 WHERE g.id = $1::text::uuid AND r.xid = g.xmin \
                   AND r.resource_manager = 'Transaction' AND r.record_type = 'COMMIT'",
                &[&reply.body["registration"]["id"].as_str().unwrap(), &before],
            )
            .await;
        assert!(
            matches!(found, Ok(Some(_))),
            "registration {n} acknowledged before its commit was flushed: {found:?}"
        );
    }
}

#[actix_web::test]
async fn a_self_registration_is_found_by_its_reference_and_its_email_carries_the_link() {
    let app = burst_app().await;
    let Conf {
        organizer,
        conference,
    } = app.open_conference(json!({"capacity": 10})).await;
    let mut body = person(7);
    body["email"] = json!("dai.bieu7@example.vn");

    let reply = app.post(&self_path(&conference), None, body).await;

    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
    let reference = reply.body["registration"]["reference"].as_str().unwrap();
    assert!(reference.ends_with("-0001"), "{reference}");
    let found = app
        .get(
            &format!(
                "{}/registrations?q={}",
                conference_path(&conference),
                reference.to_lowercase()
            ),
            Some(&organizer),
        )
        .await;
    assert_eq!(
        found.body["items"][0]["id"],
        reply.body["registration"]["id"]
    );
    assert_eq!(
        app.count(
            "SELECT count(*) FROM outbox WHERE channel = 'email' AND link_token IS NOT NULL \
             AND event = 'registration.confirmed'"
        )
        .await,
        1,
        "the confirmation email carries the delegate's link"
    );
    assert_eq!(
        app.count("SELECT count(*) FROM registrations WHERE search_text LIKE '%' || chr(1) || '%'")
            .await,
        0
    );
}
