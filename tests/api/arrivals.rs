//! Offline arrivals resolved by door time: the first arrival by door time is the live entry,
//! whichever upload reached the server first.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::checkins::{Door, by_code, device, door, happening_now, register, scan};
use crate::helpers::{Reply, TestApp};

struct Setup {
    app: TestApp,
    door: Door,
    second_device: String,
    delegate: Value,
    now: chrono::DateTime<chrono::Utc>,
}

/// A conference happening now with two door devices and one confirmed delegate.
async fn setup() -> Setup {
    let app = TestApp::spawn().await;
    let organizer = app.organizer("org").await;
    let now = chrono::Utc::now();
    let door = door(&app, &organizer, happening_now(now, 120, 480)).await;
    let second_device = device(
        &app,
        &organizer,
        &door.conference,
        json!({"name": "Cửa phụ"}),
    )
    .await;
    let delegate = register(&app, &door.conference, 1).await;
    Setup {
        app,
        door,
        second_device,
        delegate,
        now,
    }
}

impl Setup {
    fn at(&self, minutes: i64) -> String {
        (self.now + chrono::Duration::minutes(minutes)).to_rfc3339()
    }

    async fn upload(&self, device: &str, scans: Vec<Value>) -> Reply {
        let cid = self.door.conference["id"].as_str().unwrap();
        let reply = self
            .app
            .send(
                Method::POST,
                format!("/api/v1/conferences/{cid}/checkin-batches"),
                Some(device),
                Some(json!({ "scans": scans })),
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
        reply
    }

    /// (door time as epoch seconds, outcome, conflict) of every entry, by door time.
    async fn entries(&self) -> Vec<(i64, String, Option<String>)> {
        let client = self.app.db.client().await;
        client
            .query(
                "SELECT floor(extract(epoch FROM occurred_at))::bigint, outcome, conflict FROM checkins \
                 ORDER BY occurred_at",
                &[],
            )
            .await
            .unwrap()
            .iter()
            .map(|row| (row.get(0), row.get(1), row.get(2)))
            .collect()
    }

    fn epoch(&self, minutes: i64) -> i64 {
        chrono::DateTime::parse_from_rfc3339(&self.at(minutes))
            .unwrap()
            .timestamp()
    }
}

#[actix_web::test]
async fn an_offline_scan_uploaded_after_a_later_online_one_becomes_the_first_entry() {
    let s = setup().await;
    let online = scan(
        &s.app,
        &s.door,
        &s.second_device,
        by_code(&s.delegate, &s.at(-26)),
    )
    .await;
    assert_eq!(online.body["outcome"], "ok");

    let upload = s
        .upload(&s.door.device, vec![by_code(&s.delegate, &s.at(-30))])
        .await;
    let again = scan(
        &s.app,
        &s.door,
        &s.second_device,
        by_code(&s.delegate, &s.at(-1)),
    )
    .await;

    assert_eq!(upload.body[0]["result"]["outcome"], "ok");
    assert_eq!(upload.body[0]["result"]["conflict"], Value::Null);
    let entries = s.entries().await;
    assert_eq!(
        entries[..2],
        [
            (s.epoch(-30), "ok".to_owned(), None),
            (
                s.epoch(-26),
                "already_checked_in".to_owned(),
                Some("superseded_by_earlier_scan".to_owned())
            ),
        ]
    );
    assert_eq!(
        s.app
            .count("SELECT count(*) FROM checkins WHERE outcome = 'ok' AND undone_at IS NULL")
            .await,
        1,
        "attendance counts one entry"
    );
    assert_eq!(again.body["outcome"], "already_checked_in");
    let first_at =
        chrono::DateTime::parse_from_rfc3339(again.body["first_checked_in_at"].as_str().unwrap())
            .unwrap();
    assert_eq!(first_at.timestamp(), s.epoch(-30));
    assert_eq!(again.body["first_device"], "Cửa chính");
}

#[actix_web::test]
async fn an_offline_scan_uploaded_first_stays_the_first_entry() {
    let s = setup().await;
    s.upload(&s.door.device, vec![by_code(&s.delegate, &s.at(-30))])
        .await;

    let online = scan(
        &s.app,
        &s.door,
        &s.second_device,
        by_code(&s.delegate, &s.at(-26)),
    )
    .await;

    assert_eq!(online.body["outcome"], "already_checked_in");
    let entries = s.entries().await;
    assert_eq!(entries[0], (s.epoch(-30), "ok".to_owned(), None));
    assert_eq!(entries[1].1, "already_checked_in");
    assert_eq!(entries[1].2, None, "an online refusal is not a conflict");
}

#[actix_web::test]
async fn a_later_offline_scan_does_not_displace_an_earlier_entry() {
    let s = setup().await;
    scan(
        &s.app,
        &s.door,
        &s.second_device,
        by_code(&s.delegate, &s.at(-30)),
    )
    .await;

    let upload = s
        .upload(&s.door.device, vec![by_code(&s.delegate, &s.at(-20))])
        .await;

    assert_eq!(upload.body[0]["result"]["outcome"], "already_checked_in");
    assert_eq!(upload.body[0]["result"]["conflict"], "already_checked_in");
    assert_eq!(s.entries().await[0], (s.epoch(-30), "ok".to_owned(), None));
}

#[actix_web::test]
async fn two_uploads_racing_to_supersede_leave_the_earliest_door_time_live() {
    let s = setup().await;
    scan(
        &s.app,
        &s.door,
        &s.second_device,
        by_code(&s.delegate, &s.at(-10)),
    )
    .await;
    let third_device = device(
        &s.app,
        &s.app.login("org@example.vn").await,
        &s.door.conference,
        json!({"name": "Cửa sau"}),
    )
    .await;

    let (a, b) = tokio::join!(
        s.upload(&s.door.device, vec![by_code(&s.delegate, &s.at(-20))]),
        s.upload(&third_device, vec![by_code(&s.delegate, &s.at(-40))]),
    );

    let outcomes = [
        a.body[0]["result"]["outcome"].as_str().unwrap().to_owned(),
        b.body[0]["result"]["outcome"].as_str().unwrap().to_owned(),
    ];
    assert!(outcomes.contains(&"ok".to_owned()), "{outcomes:?}");
    let entries = s.entries().await;
    assert_eq!(entries.len(), 3);
    assert_eq!(entries[0], (s.epoch(-40), "ok".to_owned(), None));
    assert!(entries[1..].iter().all(|e| e.1 == "already_checked_in"));
    assert_eq!(
        s.app
            .count("SELECT count(*) FROM checkins WHERE outcome = 'ok' AND undone_at IS NULL")
            .await,
        1
    );
}
