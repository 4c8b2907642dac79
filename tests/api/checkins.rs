use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::{Reply, TestApp};

pub(crate) struct Door {
    pub(crate) conference: Value,
    pub(crate) device: String,
}

/// A two-day published conference (19-20 July 2030, Hà Nội time) with one door device.
pub(crate) async fn door(app: &TestApp, organizer: &str, extra: Value) -> Door {
    let mut body = json!({"starts_at": "2030-07-19T08:00:00+07:00", "ends_at": "2030-07-20T17:00:00+07:00", "capacity": 1, "waitlist_enabled": true});
    crate::helpers::merge(&mut body, extra);
    let conference = app.published_conference(organizer, body).await;
    let device = device(app, organizer, &conference, json!({"name": "Cửa chính"})).await;
    Door { conference, device }
}

/// A conference running from `before` minutes before `now` to `after` minutes after it, in a
/// time zone where `now` is about midday. Door-day rules use the conference's local date, so
/// tests that scan "now" would otherwise change meaning when the suite runs near local midnight
/// (17:00 UTC in Hồ Chí Minh City time).
pub(crate) fn happening_now(now: chrono::DateTime<chrono::Utc>, before: i64, after: i64) -> Value {
    use chrono::Timelike;
    let offset_hours = 12 - now.hour() as i32; // -11..=12, so local time is 12:mm
    let time_zone = match offset_hours {
        0 => "Etc/UTC".to_owned(),
        // IANA's Etc zones are named with the sign reversed: Etc/GMT-7 is UTC+7.
        east if east > 0 => format!("Etc/GMT-{east}"),
        west => format!("Etc/GMT+{}", -west),
    };
    json!({
        "capacity": null,
        "waitlist_enabled": false,
        "time_zone": time_zone,
        "starts_at": (now - chrono::Duration::minutes(before)).to_rfc3339(),
        "ends_at": (now + chrono::Duration::minutes(after)).to_rfc3339(),
    })
}

pub(crate) async fn device(
    app: &TestApp,
    organizer: &str,
    conference: &Value,
    body: Value,
) -> String {
    let reply = app
        .post(
            format!(
                "/api/v1/conferences/{}/devices",
                conference["id"].as_str().unwrap()
            ),
            Some(organizer),
            body,
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
    reply.body["token"].as_str().unwrap().to_owned()
}

pub(crate) async fn register(app: &TestApp, conference: &Value, n: usize) -> Value {
    let reply = app
        .post(format!("/api/v1/conferences/{}/self-registrations", conference["id"].as_str().unwrap()), None,
              crate::helpers::with_consent(json!({"full_name": format!("Nguyễn Văn {n}"), "position": "Chuyên viên", "category": "agency", "phone": format!("09{:08}", n)})))
        .await;
    reply.body["registration"].clone()
}

pub(crate) async fn scan(app: &TestApp, door: &Door, device: &str, body: Value) -> Reply {
    let path = format!(
        "/api/v1/conferences/{}/checkins",
        door.conference["id"].as_str().unwrap()
    );
    app.send(Method::POST, path, Some(device), Some(body)).await
}

pub(crate) fn by_code(registration: &Value, at: &str) -> Value {
    json!({"code": registration["qr_payload"], "direction": "in", "nonce": Uuid::new_v4(), "occurred_at": at})
}

#[actix_web::test]
async fn a_first_scan_is_ok_with_the_greeting_and_a_second_is_already_checked_in() {
    let app = TestApp::spawn().await;
    let organizer = app.organizer("org").await;
    let door = door(&app, &organizer, json!({})).await;
    let delegate = register(&app, &door.conference, 1).await;

    let first = scan(
        &app,
        &door,
        &door.device,
        by_code(&delegate, "2030-07-19T07:45:00+07:00"),
    )
    .await;
    let second = scan(
        &app,
        &door,
        &door.device,
        by_code(&delegate, "2030-07-19T09:00:00+07:00"),
    )
    .await;

    assert_eq!(first.status, StatusCode::OK, "{}", first.text);
    assert_eq!(first.body["outcome"], "ok");
    assert_eq!(first.body["delegate"]["full_name"], "Nguyễn Văn 1");
    assert_eq!(first.body["delegate"]["position"], "Chuyên viên");
    assert_eq!(second.body["outcome"], "already_checked_in");
    assert_eq!(second.body["first_checked_in_at"], "2030-07-19T00:45:00Z");
    assert_eq!(second.body["first_device"], "Cửa chính");
    assert_eq!(
        app.count("SELECT count(*) FROM checkins").await,
        2,
        "rejected scans are recorded too"
    );
}

#[actix_web::test]
async fn two_devices_scanning_the_same_delegate_at_once_give_exactly_one_ok() {
    let app = TestApp::spawn().await;
    let organizer = app.organizer("org").await;
    let door = door(&app, &organizer, json!({})).await;
    let second_device = device(
        &app,
        &organizer,
        &door.conference,
        json!({"name": "Cửa phụ"}),
    )
    .await;
    let delegate = register(&app, &door.conference, 1).await;

    let (a, b) = tokio::join!(
        scan(
            &app,
            &door,
            &door.device,
            by_code(&delegate, "2030-07-19T08:00:00+07:00")
        ),
        scan(
            &app,
            &door,
            &second_device,
            by_code(&delegate, "2030-07-19T08:00:00+07:00")
        ),
    );

    let mut outcomes = vec![
        a.body["outcome"].as_str().unwrap().to_owned(),
        b.body["outcome"].as_str().unwrap().to_owned(),
    ];
    outcomes.sort();
    assert_eq!(outcomes, vec!["already_checked_in", "ok"]);
    assert_eq!(
        app.count("SELECT count(*) FROM checkins WHERE outcome = 'ok'")
            .await,
        1
    );
}

#[actix_web::test]
async fn the_same_nonce_sent_ten_times_writes_one_row() {
    let app = TestApp::spawn().await;
    let organizer = app.organizer("org").await;
    let door = door(&app, &organizer, json!({})).await;
    let delegate = register(&app, &door.conference, 1).await;
    let body = by_code(&delegate, "2030-07-19T08:00:00+07:00");

    let replies = futures_util::future::join_all(
        (0..10).map(|_| scan(&app, &door, &door.device, body.clone())),
    )
    .await;

    assert!(
        replies
            .iter()
            .all(|r| r.status == StatusCode::OK && r.body["outcome"] == "ok"),
        "{:?}",
        replies.iter().map(|r| &r.text).collect::<Vec<_>>()
    );
    assert_eq!(
        replies
            .iter()
            .filter(|r| r.body["replayed"] == false)
            .count(),
        1
    );
    assert_eq!(app.count("SELECT count(*) FROM checkins").await, 1);
}

#[actix_web::test]
async fn every_kind_of_refusal_is_reported_and_recorded() {
    let app = TestApp::spawn().await;
    let organizer = app.organizer("org").await;
    let door = door(&app, &organizer, json!({})).await;
    let confirmed = register(&app, &door.conference, 1).await;
    let waitlisted = register(&app, &door.conference, 2).await;
    let other = app.published_conference(&organizer, json!({})).await;
    let stranger = register(&app, &other, 3).await;
    let mut forged = confirmed.clone();
    forged["qr_payload"] = json!(format!(
        "hoithao:1:{}:{}",
        confirmed["id"].as_str().unwrap(),
        "A".repeat(43)
    ));
    let at = "2030-07-19T08:00:00+07:00";

    let outcome = |r: Reply| r.body["outcome"].as_str().unwrap().to_owned();
    assert_eq!(
        outcome(scan(&app, &door, &door.device, by_code(&waitlisted, at)).await),
        "waitlisted"
    );
    assert_eq!(
        outcome(scan(&app, &door, &door.device, by_code(&forged, at)).await),
        "unknown_code"
    );
    assert_eq!(
        outcome(scan(&app, &door, &door.device, by_code(&stranger, at)).await),
        "other_conference"
    );
    assert_eq!(
        outcome(
            scan(
                &app,
                &door,
                &door.device,
                by_code(&confirmed, "2030-07-19T06:30:00+07:00")
            )
            .await
        ),
        "outside_window"
    );
    let garbage = json!({"code": "not a code", "direction": "in", "nonce": Uuid::new_v4(), "occurred_at": at});
    assert_eq!(
        outcome(scan(&app, &door, &door.device, garbage).await),
        "unknown_code"
    );
    app.post(
        format!(
            "/api/v1/conferences/{}/registrations/{}/cancel",
            door.conference["id"].as_str().unwrap(),
            confirmed["id"].as_str().unwrap()
        ),
        Some(&organizer),
        json!({}),
    )
    .await;
    assert_eq!(
        outcome(scan(&app, &door, &door.device, by_code(&confirmed, at)).await),
        "cancelled"
    );
    assert_eq!(
        app.count("SELECT count(*) FROM checkins WHERE outcome <> 'ok'")
            .await,
        6
    );
    assert_eq!(
        app.count("SELECT count(*) FROM checkins WHERE registration_id IS NULL")
            .await,
        3,
        "no link to other conferences' or unknown registrations"
    );
}

#[actix_web::test]
async fn the_door_counts_once_per_local_day_across_midnight_in_ho_chi_minh() {
    let app = TestApp::spawn().await;
    let organizer = app.organizer("org").await;
    let door = door(&app, &organizer, json!({})).await;
    let delegate = register(&app, &door.conference, 1).await;

    // 23:30 on the 19th and 00:30 on the 20th, Hà Nội time, are 16:30 and 17:30 UTC of the 19th.
    let late = scan(
        &app,
        &door,
        &door.device,
        by_code(&delegate, "2030-07-19T16:30:00Z"),
    )
    .await;
    let after_midnight = scan(
        &app,
        &door,
        &door.device,
        by_code(&delegate, "2030-07-19T17:30:00Z"),
    )
    .await;
    let same_day = scan(
        &app,
        &door,
        &door.device,
        by_code(&delegate, "2030-07-20T08:00:00+07:00"),
    )
    .await;

    assert_eq!(late.body["outcome"], "ok");
    assert_eq!(
        after_midnight.body["outcome"], "ok",
        "a new local day at the door"
    );
    assert_eq!(same_day.body["outcome"], "already_checked_in");
}

#[actix_web::test]
async fn sessions_check_their_window_and_their_sign_ups() {
    let app = TestApp::spawn().await;
    let organizer = app.organizer("org").await;
    let door = door(
        &app,
        &organizer,
        json!({"capacity": null, "waitlist_enabled": false}),
    )
    .await;
    let cid = door.conference["id"].as_str().unwrap();
    let visit = app.session(&organizer, cid, json!({"title": "Tham quan", "kind": "visit", "signup_required": true, "starts_at": "2030-07-19T13:00:00+07:00", "ends_at": "2030-07-19T15:00:00+07:00"})).await;
    let signed = register(&app, &door.conference, 1).await;
    let not_signed = register(&app, &door.conference, 2).await;
    app.send(
        Method::PUT,
        format!(
            "/api/v1/conferences/{cid}/registrations/{}/sessions/{}",
            signed["id"].as_str().unwrap(),
            visit["id"].as_str().unwrap()
        ),
        Some(&organizer),
        None,
    )
    .await;
    let at_session = |r: &Value, at: &str| {
        let mut body = by_code(r, at);
        body["session_id"] = visit["id"].clone();
        body
    };

    let early = scan(
        &app,
        &door,
        &door.device,
        at_session(&signed, "2030-07-19T11:30:00+07:00"),
    )
    .await;
    let ok = scan(
        &app,
        &door,
        &door.device,
        at_session(&signed, "2030-07-19T12:30:00+07:00"),
    )
    .await;
    let refused = scan(
        &app,
        &door,
        &door.device,
        at_session(&not_signed, "2030-07-19T13:30:00+07:00"),
    )
    .await;
    let late = scan(
        &app,
        &door,
        &door.device,
        at_session(&not_signed, "2030-07-19T16:30:00+07:00"),
    )
    .await;

    assert_eq!(early.body["outcome"], "outside_window");
    assert_eq!(ok.body["outcome"], "ok");
    assert_eq!(refused.body["outcome"], "not_signed_up_for_session");
    assert_eq!(late.body["outcome"], "outside_window");
}

#[actix_web::test]
async fn undo_keeps_history_and_frees_the_delegate_to_be_scanned_again() {
    let app = TestApp::spawn().await;
    let organizer = app.organizer("org").await;
    let door = door(&app, &organizer, json!({})).await;
    let delegate = register(&app, &door.conference, 1).await;
    let first = scan(
        &app,
        &door,
        &door.device,
        by_code(&delegate, "2030-07-19T08:00:00+07:00"),
    )
    .await;
    let cid = door.conference["id"].as_str().unwrap();

    let undone = app
        .post(
            format!(
                "/api/v1/conferences/{cid}/checkins/{}/undo",
                first.body["checkin_id"].as_str().unwrap()
            ),
            Some(&organizer),
            json!({"reason": "quét nhầm người"}),
        )
        .await;
    let again = scan(
        &app,
        &door,
        &door.device,
        by_code(&delegate, "2030-07-19T08:05:00+07:00"),
    )
    .await;

    assert_eq!(undone.status, StatusCode::OK, "{}", undone.text);
    assert_eq!(undone.body["undo_reason"], "quét nhầm người");
    assert_eq!(again.body["outcome"], "ok");
    let history = app
        .get(
            format!(
                "/api/v1/conferences/{cid}/registrations/{}/checkins",
                delegate["id"].as_str().unwrap()
            ),
            Some(&organizer),
        )
        .await;
    assert_eq!(history.body.as_array().unwrap().len(), 2);
    assert!(history.body[0]["undone_at"].is_string());
    app.post(
        format!(
            "/api/v1/conferences/{cid}/checkins/{}/undo",
            first.body["checkin_id"].as_str().unwrap()
        ),
        Some(&organizer),
        json!({"reason": "x"}),
    )
    .await
    .assert_problem(409, "already_undone");
}

#[actix_web::test]
async fn a_revoked_device_gets_401_and_device_tokens_reach_nothing_else() {
    let app = TestApp::spawn().await;
    let organizer = app.organizer("org").await;
    let door = door(&app, &organizer, json!({})).await;
    let other = app.published_conference(&organizer, json!({})).await;
    let delegate = register(&app, &door.conference, 1).await;
    let cid = door.conference["id"].as_str().unwrap();

    let elsewhere = app
        .send(
            Method::POST,
            format!(
                "/api/v1/conferences/{}/checkins",
                other["id"].as_str().unwrap()
            ),
            Some(&door.device),
            Some(by_code(&delegate, "2030-07-19T08:00:00+07:00")),
        )
        .await;
    elsewhere.assert_problem(404, "not_found");
    app.get(
        format!("/api/v1/conferences/{cid}/registrations"),
        Some(&door.device),
    )
    .await
    .assert_problem(401, "invalid_token");
    app.get(
        format!("/api/v1/conferences/{cid}/devices"),
        Some(&door.device),
    )
    .await
    .assert_problem(401, "invalid_token");

    let devices = app
        .get(
            format!("/api/v1/conferences/{cid}/devices"),
            Some(&organizer),
        )
        .await;
    assert!(devices.body[0]["last_seen_at"].is_string());
    assert_eq!(devices.body[0]["scan_count"], 0);
    let device_id = devices.body[0]["id"].as_str().unwrap();
    app.post(
        format!("/api/v1/conferences/{cid}/devices/{device_id}/revoke"),
        Some(&organizer),
        json!({}),
    )
    .await;

    scan(
        &app,
        &door,
        &door.device,
        by_code(&delegate, "2030-07-19T08:00:00+07:00"),
    )
    .await
    .assert_problem(401, "invalid_token");
}

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
    register(&app, &door.conference, 1).await;
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

#[actix_web::test]
async fn attendance_counts_by_category_unit_kind_district_and_session() {
    let app = TestApp::spawn().await;
    let organizer = app.organizer("org").await;
    let door = door(
        &app,
        &organizer,
        json!({"capacity": null, "waitlist_enabled": false}),
    )
    .await;
    let cid = door.conference["id"].as_str().unwrap();
    let district = app
        .post(
            "/api/v1/units",
            Some(&organizer),
            json!({"name": "Huyện Lập Thạch", "kind": "district"}),
        )
        .await
        .body;
    let commune = app
        .post(
            "/api/v1/units",
            Some(&organizer),
            json!({"name": "Xã Xuân Lôi", "kind": "commune", "parent_id": district["id"]}),
        )
        .await
        .body;
    let talk = app
        .session(&organizer, cid, json!({"title": "Khai mạc"}))
        .await;
    let mut people = Vec::new();
    for (n, unit, category) in [
        (1, &district, "district"),
        (2, &commune, "commune"),
        (3, &commune, "commune"),
    ] {
        let reply = app.post(format!("/api/v1/conferences/{cid}/registrations"), Some(&organizer),
            json!({"full_name": format!("Đại biểu {n}"), "category": category, "unit_id": unit["id"], "phone": format!("09{:08}", n)})).await;
        // Organizer responses carry no QR payload; the delegate's own view has it.
        let own = app
            .request(Method::GET, "/api/v1/delegate/registration", None)
            .header(
                "x-delegate-token",
                reply.body["delegate_token"].as_str().unwrap(),
            )
            .send()
            .await
            .unwrap();
        people.push(Reply::from(own).await.body);
    }
    for person in &people[..2] {
        scan(
            &app,
            &door,
            &door.device,
            by_code(person, "2030-07-19T08:00:00+07:00"),
        )
        .await;
    }
    let mut into_talk = by_code(&people[0], "2030-07-19T08:10:00+07:00");
    into_talk["session_id"] = talk["id"].clone();
    scan(&app, &door, &door.device, into_talk).await;
    let mut second_in = by_code(&people[1], "2030-07-19T08:11:00+07:00");
    second_in["session_id"] = talk["id"].clone();
    scan(&app, &door, &door.device, second_in).await;
    let mut second_out = by_code(&people[1], "2030-07-19T08:20:00+07:00");
    second_out["session_id"] = talk["id"].clone();
    second_out["direction"] = json!("out");
    scan(&app, &door, &door.device, second_out).await;

    let summary = app
        .get(
            format!("/api/v1/conferences/{cid}/attendance"),
            Some(&organizer),
        )
        .await;

    assert_eq!(summary.status, StatusCode::OK, "{}", summary.text);
    assert_eq!(
        (
            summary.body["confirmed"].as_i64(),
            summary.body["checked_in"].as_i64()
        ),
        (Some(3), Some(2))
    );
    assert_eq!(
        summary.body["by_category"],
        json!([
            {"key": "commune", "name": null, "confirmed": 2, "checked_in": 1},
            {"key": "district", "name": null, "confirmed": 1, "checked_in": 1},
        ])
    );
    assert_eq!(summary.body["by_district"][0]["name"], "Huyện Lập Thạch");
    assert_eq!(
        summary.body["by_district"][0]["confirmed"], 3,
        "communes roll up to their district"
    );
    assert_eq!(summary.body["by_district"][0]["checked_in"], 2);
    assert_eq!(summary.body["sessions"][0]["checked_in"], 2);
    assert_eq!(summary.body["sessions"][0]["inside_now"], 1);
}

#[actix_web::test]
async fn an_offline_batch_records_conflicts_and_duplicates_with_a_result_for_each_scan() {
    let app = TestApp::spawn().await;
    let organizer = app.organizer("org").await;
    // Offline uploads are checked against the server clock: a conference happening now.
    let now = chrono::Utc::now();
    let at = |minutes: i64| (now + chrono::Duration::minutes(minutes)).to_rfc3339();
    let door = door(&app, &organizer, happening_now(now, 60, 480)).await;
    let second_device = device(
        &app,
        &organizer,
        &door.conference,
        json!({"name": "Cửa phụ"}),
    )
    .await;
    let cid = door.conference["id"].as_str().unwrap().to_owned();
    let a = register(&app, &door.conference, 1).await;
    let b = register(&app, &door.conference, 2).await;
    app.post(
        format!(
            "/api/v1/conferences/{cid}/registrations/{}/cancel",
            b["id"].as_str().unwrap()
        ),
        Some(&organizer),
        json!({}),
    )
    .await;
    // The other device admitted A online already.
    scan(&app, &door, &second_device, by_code(&a, &at(-30))).await;
    let first = by_code(&a, &at(-20));
    let batch = json!({"scans": [
        first,
        first,
        by_code(&b, &at(-10)),
        by_code(&a, &at(120)),
        {"direction": "in", "nonce": Uuid::new_v4(), "occurred_at": at(-5)},
    ]});

    let reply = app
        .send(
            Method::POST,
            format!("/api/v1/conferences/{cid}/checkin-batches"),
            Some(&door.device),
            Some(batch),
        )
        .await;

    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    let items = reply.body.as_array().unwrap();
    assert_eq!(items.len(), 5);
    assert_eq!(items[0]["result"]["outcome"], "already_checked_in");
    assert_eq!(items[0]["result"]["conflict"], "already_checked_in");
    assert_eq!(items[1]["result"]["replayed"], true);
    assert_eq!(items[2]["result"]["conflict"], "cancelled");
    assert_eq!(items[3]["result"]["conflict"], "door_time_in_future");
    assert_eq!(items[4]["error"], "validation_failed");
    assert_eq!(
        app.count("SELECT count(*) FROM checkins WHERE method = 'offline'")
            .await,
        3,
        "every door scan recorded once"
    );
    assert_eq!(
        app.count(
            "SELECT count(*) FROM checkins WHERE method = 'offline' AND conflict IS NOT NULL"
        )
        .await,
        3
    );
    assert_eq!(
        app.count("SELECT count(*) FROM checkins WHERE outcome = 'ok' AND undone_at IS NULL")
            .await,
        1
    );
}

async fn bundle(app: &TestApp, door: &Door, since: Option<&str>) -> Reply {
    let mut path = format!(
        "/api/v1/conferences/{}/device-bundle",
        door.conference["id"].as_str().unwrap()
    );
    if let Some(since) = since {
        path.push_str(&format!("?since={since}"));
    }
    app.get(path, Some(&door.device)).await
}

#[actix_web::test]
async fn the_bundle_holds_hashes_not_secrets_and_answers_304_when_unchanged() {
    let app = TestApp::spawn().await;
    let organizer = app.organizer("org").await;
    let door = door(
        &app,
        &organizer,
        json!({"capacity": null, "waitlist_enabled": false}),
    )
    .await;
    let delegate = register(&app, &door.conference, 1).await;

    let full = bundle(&app, &door, None).await;

    assert_eq!(full.status, StatusCode::OK);
    assert_eq!(full.body["full"], true);
    let entry = &full.body["registrations"][0];
    assert_eq!(entry["name_folded"], "nguyen van 1");
    assert_eq!(
        entry["search_folded"],
        format!(
            "nguyen van 1 {}",
            entry["reference"].as_str().unwrap().to_lowercase()
        )
    );
    let secret = delegate["qr_payload"]
        .as_str()
        .unwrap()
        .rsplit(':')
        .next()
        .unwrap();
    assert!(
        !full.text.contains(secret),
        "the secret never leaves the server in a bundle"
    );
    use sha2::Digest;
    let expected: String = sha2::Sha256::digest(secret.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(entry["qr_secret_sha256"], expected);
    let etag = full.header("etag").unwrap().to_owned();
    let path = format!(
        "/api/v1/conferences/{}/device-bundle",
        door.conference["id"].as_str().unwrap()
    );
    let again = app
        .request(Method::GET, &path, Some(&door.device))
        .header("If-None-Match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    let gzipped = app
        .request(Method::GET, &path, Some(&door.device))
        .header("Accept-Encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(gzipped.headers()["content-encoding"], "gzip");
}

#[actix_web::test]
async fn a_delta_bundle_holds_exactly_the_registrations_changed_cancelled_or_added_since() {
    let app = TestApp::spawn().await;
    let organizer = app.organizer("org").await;
    let door = door(
        &app,
        &organizer,
        json!({"capacity": null, "waitlist_enabled": false}),
    )
    .await;
    let cid = door.conference["id"].as_str().unwrap().to_owned();
    let unchanged = register(&app, &door.conference, 1).await;
    let edited = register(&app, &door.conference, 2).await;
    let cancelled = register(&app, &door.conference, 3).await;
    let watermark = bundle(&app, &door, None).await.body["watermark"]
        .as_str()
        .unwrap()
        .to_owned();

    app.patch(
        format!(
            "/api/v1/conferences/{cid}/registrations/{}",
            edited["id"].as_str().unwrap()
        ),
        Some(&organizer),
        json!({"position": "Giám đốc"}),
    )
    .await;
    app.post(
        format!(
            "/api/v1/conferences/{cid}/registrations/{}/cancel",
            cancelled["id"].as_str().unwrap()
        ),
        Some(&organizer),
        json!({}),
    )
    .await;
    let added = register(&app, &door.conference, 4).await;
    let delta = bundle(&app, &door, Some(&watermark)).await;

    assert_eq!(delta.body["full"], false, "{}", delta.text);
    let mut ids: Vec<&str> = delta.body["registrations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["registration_id"].as_str().unwrap())
        .collect();
    ids.sort();
    let mut expected = vec![
        edited["id"].as_str().unwrap(),
        cancelled["id"].as_str().unwrap(),
        added["id"].as_str().unwrap(),
    ];
    expected.sort();
    assert_eq!(ids, expected);
    assert!(!ids.contains(&unchanged["id"].as_str().unwrap()));
    let gone = delta.body["registrations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["registration_id"] == cancelled["id"])
        .unwrap();
    assert_eq!(gone["status"], "cancelled");
    let next = bundle(&app, &door, Some(delta.body["watermark"].as_str().unwrap())).await;
    assert_eq!(next.body["registrations"], json!([]));
}

#[actix_web::test]
async fn the_live_feed_streams_check_ins_of_its_conference_only() {
    let app = TestApp::spawn().await;
    let organizer = app.organizer("org").await;
    let door = door(&app, &organizer, json!({})).await;
    let cid = door.conference["id"].as_str().unwrap().to_owned();
    let delegate = register(&app, &door.conference, 1).await;
    let mut feed = app
        .request(
            Method::GET,
            &format!("/api/v1/conferences/{cid}/checkin-events"),
            Some(&organizer),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(feed.headers()["content-type"], "text/event-stream");
    let first = feed.chunk().await.unwrap().unwrap();
    assert!(String::from_utf8_lossy(&first).contains("connected"));

    let scanned = scan(
        &app,
        &door,
        &door.device,
        by_code(&delegate, "2030-07-19T08:00:00+07:00"),
    )
    .await;

    let mut received = String::new();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !received.contains("event: checkin") && std::time::Instant::now() < deadline {
        if let Ok(Ok(Some(chunk))) =
            tokio::time::timeout(std::time::Duration::from_secs(10), feed.chunk()).await
        {
            received.push_str(&String::from_utf8_lossy(&chunk));
        }
    }
    assert!(received.contains("event: checkin"), "{received}");
    assert!(received.contains(scanned.body["checkin_id"].as_str().unwrap()));
    assert!(!received.contains("Nguyễn"), "no personal data in the feed");
    let other = app
        .get(
            format!("/api/v1/conferences/{cid}/checkin-events"),
            Some(&app.organizer("other").await),
        )
        .await;
    other.assert_problem(404, "not_found");
}

#[actix_web::test]
async fn organizers_back_fill_paper_sign_in_sheets_as_manual_check_ins() {
    let app = TestApp::spawn().await;
    let organizer = app.organizer("org").await;
    let door = door(&app, &organizer, json!({})).await;
    let delegate = register(&app, &door.conference, 1).await;
    let cid = door.conference["id"].as_str().unwrap();
    let sheet = json!({"registration_id": delegate["id"], "direction": "in", "nonce": Uuid::new_v4(), "occurred_at": "2030-07-19T08:15:00+07:00"});

    let reply = app
        .post(
            format!("/api/v1/conferences/{cid}/checkin-backfills"),
            Some(&organizer),
            sheet.clone(),
        )
        .await;
    let device_scan = scan(
        &app,
        &door,
        &door.device,
        by_code(&delegate, "2030-07-19T09:00:00+07:00"),
    )
    .await;

    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    assert_eq!(reply.body["outcome"], "ok");
    assert_eq!(device_scan.body["outcome"], "already_checked_in");
    assert_eq!(
        app.count("SELECT count(*) FROM checkins WHERE method = 'manual' AND device_id IS NULL")
            .await,
        1
    );
    let other = app.organizer("other").await;
    app.post(
        format!("/api/v1/conferences/{cid}/checkin-backfills"),
        Some(&other),
        sheet,
    )
    .await
    .assert_problem(404, "not_found");
}

#[actix_web::test]
async fn a_walk_in_takes_the_seat_of_an_invited_delegate_who_did_not_come() {
    let app = TestApp::spawn().await;
    let organizer = app.organizer("org").await;
    // The walk-in check looks at today's door entries: a conference happening now.
    let now = chrono::Utc::now();
    let door = door(&app, &organizer, happening_now(now, 60, 480)).await;
    let cid = door.conference["id"].as_str().unwrap().to_owned();
    let unit = app
        .post(
            "/api/v1/units",
            Some(&organizer),
            json!({"name": "Phòng Kinh tế Tam Đảo", "kind": "agency"}),
        )
        .await;
    let invitation = app
        .post(
            format!("/api/v1/conferences/{cid}/invitations"),
            Some(&organizer),
            json!({"unit_id": unit.body["id"], "seats": 2}),
        )
        .await;
    let token = invitation.body["token"].as_str().unwrap();
    let named = app
        .request(Method::POST, "/api/v1/invitation/registrations", None)
        .header("x-invitation-token", token)
        .json(&json!({"delegates": [
            {"full_name": "Người vắng", "category": "agency", "phone": "0912000001"},
            {"full_name": "Người đến", "category": "agency", "phone": "0912000002"}]}))
        .send()
        .await
        .unwrap();
    let named = Reply::from(named).await;
    let absent = named.body[0]["registration"].clone();
    let present = named.body[1]["registration"].clone();
    let entered = scan(
        &app,
        &door,
        &door.device,
        by_code(&present, &now.to_rfc3339()),
    )
    .await;
    assert_eq!(entered.body["outcome"], "ok");
    let walk_in = |replaces: &Value| json!({"replaces_registration_id": replaces["id"], "person": {"full_name": "Người thay", "category": "agency", "phone": "0912000003"}});

    let replaced = app
        .send(
            Method::POST,
            format!("/api/v1/conferences/{cid}/walk-ins"),
            Some(&door.device),
            Some(walk_in(&absent)),
        )
        .await;
    let refused = app
        .send(
            Method::POST,
            format!("/api/v1/conferences/{cid}/walk-ins"),
            Some(&door.device),
            Some(walk_in(&present)),
        )
        .await;

    assert_eq!(replaced.status, StatusCode::OK, "{}", replaced.text);
    assert_eq!(replaced.body["registration"]["id"], absent["id"]);
    assert_eq!(replaced.body["registration"]["full_name"], "Người thay");
    assert_eq!(replaced.body["registration"]["unit_id"], unit.body["id"]);
    refused.assert_problem(409, "already_checked_in");
    assert_eq!(
        app.count("SELECT count(*) FROM registration_substitutions WHERE substituted_by = 'door'")
            .await,
        1
    );
    assert_eq!(
        app.count("SELECT used_seats::bigint FROM invitations")
            .await,
        2,
        "the quota is unchanged"
    );
}

#[actix_web::test]
async fn the_window_margin_comes_from_the_configuration() {
    let app = TestApp::spawn_with(|s| s.checkin_window_margin_minutes = 15).await;
    let organizer = app.organizer("org").await;
    let door = door(
        &app,
        &organizer,
        json!({"capacity": null, "waitlist_enabled": false}),
    )
    .await;
    let delegate = register(&app, &door.conference, 1).await;

    // Doors open 15 minutes before 08:00 with this configuration (60 by default).
    let too_early = scan(
        &app,
        &door,
        &door.device,
        by_code(&delegate, "2030-07-19T07:30:00+07:00"),
    )
    .await;
    let in_time = scan(
        &app,
        &door,
        &door.device,
        by_code(&delegate, "2030-07-19T07:50:00+07:00"),
    )
    .await;

    assert_eq!(too_early.body["outcome"], "outside_window");
    assert_eq!(in_time.body["outcome"], "ok");
}

/// Two offline devices that admitted the same delegates upload at once, in opposite orders.
#[actix_web::test]
async fn overlapping_offline_batches_uploaded_at_once_admit_each_delegate_once_without_deadlock() {
    let app = TestApp::spawn().await;
    let organizer = app.organizer("org").await;
    let now = chrono::Utc::now();
    let at = |minutes: i64| (now + chrono::Duration::minutes(minutes)).to_rfc3339();
    let door = door(&app, &organizer, happening_now(now, 60, 480)).await;
    let second_device = device(
        &app,
        &organizer,
        &door.conference,
        json!({"name": "Cửa phụ"}),
    )
    .await;
    let cid = door.conference["id"].as_str().unwrap().to_owned();
    let mut delegates = Vec::new();
    for n in 0..30 {
        delegates.push(register(&app, &door.conference, n).await);
    }
    let forward: Vec<Value> = delegates.iter().map(|d| by_code(d, &at(-10))).collect();
    let backward: Vec<Value> = delegates
        .iter()
        .rev()
        .map(|d| by_code(d, &at(-9)))
        .collect();
    let upload = |device: String, scans: Vec<Value>| {
        let app = &app;
        let path = format!("/api/v1/conferences/{cid}/checkin-batches");
        async move {
            app.send(
                Method::POST,
                path,
                Some(&device),
                Some(json!({ "scans": scans })),
            )
            .await
        }
    };

    let (a, b) = tokio::join!(
        upload(door.device.clone(), forward),
        upload(second_device, backward)
    );

    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    assert_eq!(b.status, StatusCode::OK, "{}", b.text);
    let oks = |reply: &Reply| {
        reply
            .body
            .as_array()
            .unwrap()
            .iter()
            .filter(|item| item["result"]["outcome"] == "ok")
            .count()
    };
    // Device A's door times are the earlier ones: each of its scans is the live entry, either
    // first to arrive or superseding B's (which B was told was ok when it arrived first).
    assert_eq!(
        oks(&a),
        30,
        "each delegate's first arrival by door time is admitted"
    );
    assert_eq!(
        app.count("SELECT count(*) FROM checkins WHERE method = 'offline'")
            .await,
        60,
        "every door scan recorded"
    );
    assert_eq!(
        app.count(
            "SELECT count(DISTINCT registration_id) FROM checkins WHERE outcome = 'ok' AND undone_at IS NULL"
        )
        .await,
        30
    );
    assert_eq!(
        app.count(
            "SELECT count(*) FROM checkins WHERE outcome = 'already_checked_in' \
                   AND conflict IN ('already_checked_in', 'superseded_by_earlier_scan') \
                   AND occurred_at = (SELECT max(occurred_at) FROM checkins)"
        )
        .await,
        30,
        "the later admission of each delegate is flagged"
    );
}

#[actix_web::test]
async fn a_device_serving_some_sessions_cannot_record_scans_for_others_online_or_offline() {
    let app = TestApp::spawn().await;
    let organizer = app.organizer("org").await;
    let now = chrono::Utc::now();
    let at = |minutes: i64| (now + chrono::Duration::minutes(minutes)).to_rfc3339();
    let door = door(&app, &organizer, happening_now(now, 60, 480)).await;
    let cid = door.conference["id"].as_str().unwrap().to_owned();
    let hall = app.session(&organizer, &cid, json!({"title": "Hội trường", "kind": "presentation", "starts_at": at(-30), "ends_at": at(120)})).await;
    let visit = app.session(&organizer, &cid, json!({"title": "Tham quan", "kind": "visit", "starts_at": at(-30), "ends_at": at(120)})).await;
    let hall_device = device(
        &app,
        &organizer,
        &door.conference,
        json!({"name": "Cửa hội trường", "session_ids": [hall["id"]]}),
    )
    .await;
    let delegate = register(&app, &door.conference, 1).await;
    let at_session = |session: &Value| {
        let mut body = by_code(&delegate, &at(-5));
        body["session_id"] = session["id"].clone();
        body
    };

    let online = scan(&app, &door, &hall_device, at_session(&visit)).await;
    let offline = app
        .send(
            Method::POST,
            format!("/api/v1/conferences/{cid}/checkin-batches"),
            Some(&hall_device),
            Some(json!({"scans": [at_session(&visit), at_session(&hall)]})),
        )
        .await;

    assert_eq!(online.status, StatusCode::FORBIDDEN, "{}", online.text);
    assert_eq!(online.body["code"], "forbidden");
    assert_eq!(offline.status, StatusCode::OK, "{}", offline.text);
    assert_eq!(offline.body[0]["error"], "forbidden");
    assert!(offline.body[0]["result"].is_null());
    assert_eq!(offline.body[1]["result"]["outcome"], "ok");
    assert_eq!(
        app.count("SELECT count(*) FROM checkins").await,
        1,
        "only the served session's scan is recorded"
    );
}

/// Reads the feed until `needle` shows up (10 s at most); returns what was read.
async fn read_feed_until(feed: &mut reqwest::Response, received: &mut String, needle: &str) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !received.contains(needle) && std::time::Instant::now() < deadline {
        if let Ok(Ok(Some(chunk))) =
            tokio::time::timeout(std::time::Duration::from_secs(10), feed.chunk()).await
        {
            received.push_str(&String::from_utf8_lossy(&chunk));
        }
    }
}

#[actix_web::test]
async fn the_live_feed_misses_no_check_in_committed_late_and_reports_undos() {
    let app = TestApp::spawn().await;
    let organizer = app.organizer("org").await;
    let door = door(&app, &organizer, json!({})).await;
    let cid = door.conference["id"].as_str().unwrap().to_owned();
    let delegate = register(&app, &door.conference, 1).await;
    let mut feed = app
        .request(
            Method::GET,
            &format!("/api/v1/conferences/{cid}/checkin-events"),
            Some(&organizer),
        )
        .send()
        .await
        .unwrap();
    let mut received = String::new();
    read_feed_until(&mut feed, &mut received, "connected").await;
    // A check-in whose transaction starts first and commits last.
    let slow = app.db.client().await;
    let late_id = Uuid::now_v7();
    slow.batch_execute(&format!(
        "BEGIN; INSERT INTO checkins (id, conference_id, nonce, direction, outcome, method, occurred_at, local_day)
         VALUES ('{late_id}', '{cid}', gen_random_uuid(), 'in', 'unknown_code', 'scan', now(), current_date)"
    ))
    .await
    .unwrap();

    let scanned = scan(
        &app,
        &door,
        &door.device,
        by_code(&delegate, "2030-07-19T08:00:00+07:00"),
    )
    .await;
    let scanned_id = scanned.body["checkin_id"].as_str().unwrap().to_owned();
    read_feed_until(&mut feed, &mut received, &scanned_id).await;
    slow.batch_execute("COMMIT").await.unwrap();
    read_feed_until(&mut feed, &mut received, &late_id.to_string()).await;
    let undone = app
        .post(
            format!("/api/v1/conferences/{cid}/checkins/{scanned_id}/undo"),
            Some(&organizer),
            json!({"reason": "quét nhầm"}),
        )
        .await;
    read_feed_until(&mut feed, &mut received, "\"undone\" : true").await;

    assert!(received.contains(&scanned_id), "{received}");
    assert!(
        received.contains(&late_id.to_string()),
        "the late commit is delivered: {received}"
    );
    assert_eq!(undone.status, StatusCode::OK, "{}", undone.text);
    assert!(received.contains("\"undone\" : true"), "{received}");
    assert_eq!(
        received.matches(&scanned_id).count(),
        2,
        "the scan, then its undo: {received}"
    );
}

#[actix_web::test]
async fn an_empty_batch_and_a_nonce_from_another_conference_are_refused_and_record_nothing() {
    let app = TestApp::spawn().await;
    let organizer = app.organizer("org").await;
    // A second conference with its own device (created first: `door` shadows the helper).
    let other = door(&app, &organizer, json!({"code": "hoi-thao-khac"})).await;
    let door = door(&app, &organizer, json!({})).await;
    let delegate = register(&app, &door.conference, 1).await;
    let first = by_code(&delegate, "2030-07-19T08:00:00+07:00");
    let recorded = scan(&app, &door, &door.device, first.clone()).await;
    let cid = door.conference["id"].as_str().unwrap();

    let empty = app
        .send(
            Method::POST,
            format!("/api/v1/conferences/{cid}/checkin-batches"),
            Some(&door.device),
            Some(json!({"scans": []})),
        )
        .await;
    let reused = scan(&app, &other, &other.device, first).await;

    assert_eq!(recorded.body["outcome"], "ok");
    empty.assert_problem(422, "validation_failed");
    assert!(empty.text.contains("scans"), "{}", empty.text);
    reused.assert_problem(409, "nonce_reused");
    assert_eq!(app.count("SELECT count(*) FROM checkins").await, 1);
}
