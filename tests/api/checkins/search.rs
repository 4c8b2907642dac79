//! Finding a delegate without a code, and checking them in by id.

use reqwest::StatusCode;
use serde_json::{Value, json};
use uuid::Uuid;

use super::{door, scan};
use crate::helpers::TestApp;

#[actix_web::test]
async fn devices_find_delegates_without_diacritics_and_check_them_in_by_id() {
    let app = TestApp::spawn().await;
    let organizer = app.organizer("org").await;
    let door = door(
        &app,
        &organizer,
        json!({"capacity": null, "waitlist_enabled": false}),
    )
    .await;
    app.registration(&door.conference, 1).await;
    let cid = door.conference["id"].as_str().unwrap();

    let found = app
        .get(
            format!("/api/v1/conferences/{cid}/checkin-search?q=nguyen%20van%201"),
            Some(&door.device),
        )
        .await;
    assert_eq!(found.status, StatusCode::OK, "{}", found.text);
    assert_eq!(found.body[0]["full_name"], "Nguyễn Văn 1");
    assert!(
        found.body[0].get("phone").is_none(),
        "no contact details on the device"
    );
    let manual = json!({"registration_id": found.body[0]["registration_id"], "direction": "in", "nonce": Uuid::new_v4(), "occurred_at": "2030-07-19T08:00:00+07:00"});

    let reply = scan(&app, &door, &door.device, manual).await;

    assert_eq!(reply.body["outcome"], "ok");
    assert_eq!(
        app.count("SELECT count(*) FROM checkins WHERE method = 'manual'")
            .await,
        1
    );
}

async fn self_register(app: &TestApp, conference: &Value, name: &str, phone: &str) {
    let reply = app
        .post(
            format!(
                "/api/v1/conferences/{}/self-registrations",
                conference["id"].as_str().unwrap()
            ),
            None,
            crate::helpers::with_consent(
                json!({"full_name": name, "category": "agency", "phone": phone}),
            ),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
}

#[actix_web::test]
async fn device_search_ignores_word_order_matches_word_starts_and_ranks_like_the_list() {
    let app = TestApp::spawn().await;
    let organizer = app.organizer("org").await;
    let door = door(
        &app,
        &organizer,
        json!({"capacity": null, "waitlist_enabled": false}),
    )
    .await;
    for (name, phone) in [
        ("Đoàn Thị Hà", "0912000001"),
        ("Nguyễn Văn Anh", "0912000002"),
        ("Nguyễn Hồng An", "0912345678"),
        ("Nguyễn An", "0912000004"),
    ] {
        self_register(&app, &door.conference, name, phone).await;
    }
    let cid = door.conference["id"].as_str().unwrap();
    let search = async |q: &str| -> Vec<String> {
        let reply = app
            .get(
                format!("/api/v1/conferences/{cid}/checkin-search?q={q}"),
                Some(&door.device),
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{q}: {}", reply.text);
        reply
            .body
            .as_array()
            .unwrap()
            .iter()
            .map(|card| card["full_name"].as_str().unwrap().to_owned())
            .collect()
    };

    assert_eq!(search("hong%20an%20nguyen").await, ["Nguyễn Hồng An"]);
    assert_eq!(
        search("an%20nguyen").await,
        ["Nguyễn An", "Nguyễn Hồng An", "Nguyễn Văn Anh"]
    );
    assert_eq!(
        search("nguyen%20an").await,
        ["Nguyễn An", "Nguyễn Hồng An", "Nguyễn Văn Anh"],
        "the exact full name first"
    );
    assert!(!search("an").await.contains(&"Đoàn Thị Hà".to_owned()));
    assert_eq!(search("0912%20345%20678").await, ["Nguyễn Hồng An"]);
    assert_eq!(search("SXSH-0003").await, ["Nguyễn Hồng An"]);
}
