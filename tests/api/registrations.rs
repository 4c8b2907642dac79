use std::time::Instant;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{
    Reply, TestApp, TestDatabase, database_settings, serve_settings, test_auth_settings,
    with_consent,
};

/// An app whose pool waits long enough for a 200-request burst on one conference row.
async fn burst_app() -> TestApp {
    let db = TestDatabase::create().await;
    let mut database = database_settings(&db.url);
    database.db_pool_size = 16;
    database.db_timeout_ms = 30_000;
    TestApp::spawn_on(db, database, serve_settings(test_auth_settings())).await
}

/// An organizer's registration body: organizers record the legal basis, not consent.
fn organizer_person(n: usize) -> Value {
    json!({"full_name": format!("Đại biểu {n}"), "category": "enterprise", "phone": format!("09{:08}", n)})
}

/// A self-registration body (with the privacy notice accepted).
fn person(n: usize) -> Value {
    with_consent(
        json!({"full_name": format!("Đại biểu {n}"), "category": "enterprise", "phone": format!("09{:08}", n)}),
    )
}

fn self_path(conference: &Value) -> String {
    format!(
        "/api/v1/conferences/{}/self-registrations",
        conference["id"].as_str().unwrap()
    )
}

fn list_path(conference: &Value) -> String {
    format!(
        "/api/v1/conferences/{}/registrations",
        conference["id"].as_str().unwrap()
    )
}

#[actix_web::test]
async fn self_registration_confirms_and_returns_a_delegate_token_that_shows_only_that_registration()
{
    let app = TestApp::spawn().await;
    let token = app.organizer("org").await;
    let conference = app
        .published_conference(&token, json!({"code": "sxsh-2030"}))
        .await;

    let reply = app
        .post(&self_path(&conference), None, with_consent(json!({"full_name": "Nguyễn Văn An", "category": "commune", "phone": "0912 345 678", "email": "An@Example.vn"})))
        .await;

    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
    let registration = &reply.body["registration"];
    assert_eq!(registration["status"], "confirmed");
    assert_eq!(registration["source"], "self");
    assert_eq!(registration["reference"], "SXSH-0001");
    assert_eq!(registration["phone"], "+84912345678");
    assert_eq!(registration["email"], "an@example.vn");
    let payload = registration["qr_payload"].as_str().unwrap();
    let secret = payload.rsplit(':').next().unwrap();
    assert!(payload.starts_with(&format!(
        "hoithao:1:{}:",
        registration["id"].as_str().unwrap()
    )));
    assert!(secret.len() >= 22, "at least 128 bits");

    let delegate_token = reply.body["delegate_token"].as_str().unwrap();
    let mine = app
        .request(Method::GET, "/api/v1/delegate/registration", None)
        .header("x-delegate-token", delegate_token)
        .send()
        .await
        .unwrap();
    let mine = Reply::from(mine).await;
    assert_eq!(mine.body["id"], registration["id"]);
    let qr = app
        .request(Method::GET, "/api/v1/delegate/registration/qr.svg", None)
        .header("x-delegate-token", delegate_token)
        .send()
        .await
        .unwrap();
    assert_eq!(qr.headers()["content-type"], "image/svg+xml");
    assert!(qr.text().await.unwrap().contains("<svg"));
    let png = app
        .request(Method::GET, "/api/v1/delegate/registration/qr.png", None)
        .header("x-delegate-token", delegate_token)
        .send()
        .await
        .unwrap();
    assert_eq!(png.headers()["content-type"], "image/png");
    assert!(png.bytes().await.unwrap().starts_with(b"\x89PNG"));
    let stored: i64 = app
        .count("SELECT count(*) FROM registrations WHERE octet_length(delegate_token_hash) = 32")
        .await;
    assert_eq!(stored, 1, "only a hash of the token is stored");
}

#[actix_web::test]
async fn a_second_registration_with_the_same_phone_or_email_is_refused() {
    let app = TestApp::spawn().await;
    let token = app.organizer("org").await;
    let conference = app.published_conference(&token, json!({})).await;
    app.post(
        &self_path(&conference),
        None,
        with_consent(json!({"full_name": "A", "category": "guest", "phone": "0912345678"})),
    )
    .await;

    let same_phone = app
        .post(
            &self_path(&conference),
            None,
            with_consent(
                json!({"full_name": "B", "category": "guest", "phone": "+84 912 345 678"}),
            ),
        )
        .await;

    same_phone.assert_problem(409, "already_registered");
    assert_eq!(app.count("SELECT count(*) FROM registrations").await, 1);
    assert_eq!(
        app.count("SELECT registration_seq::bigint FROM conferences")
            .await,
        1,
        "the refused attempt took no number"
    );
}

#[actix_web::test]
async fn self_registration_validation_lists_every_invalid_field() {
    let app = TestApp::spawn().await;
    let token = app.organizer("org").await;
    let conference = app.published_conference(&token, json!({})).await;

    let reply = app
        .post(&self_path(&conference), None, with_consent(json!({"full_name": "", "category": "enterprise", "phone": "12345", "unit_id": uuid::Uuid::new_v4()})))
        .await;

    reply.assert_problem(422, "validation_failed");
    let fields: Vec<String> = reply.error_fields().into_iter().map(|(f, _)| f).collect();
    assert_eq!(fields, vec!["full_name", "phone", "unit_id"]);
    let none = app
        .post(
            &self_path(&conference),
            None,
            with_consent(json!({"full_name": "X", "category": "guest"})),
        )
        .await;
    assert_eq!(
        none.error_fields(),
        vec![("email".to_owned(), "contact_required".to_owned())]
    );
}

#[actix_web::test]
async fn self_registration_respects_mode_status_and_window() {
    let app = TestApp::spawn().await;
    let token = app.organizer("org").await;
    let draft = app.conference(&token, json!({})).await;
    let invited_only = app
        .published_conference(&token, json!({"registration_mode": "invitation_only"}))
        .await;
    let closed_window = app
        .published_conference(&token, json!({"registration_opens_at": "2020-01-01T00:00:00Z", "registration_closes_at": "2020-02-01T00:00:00Z"}))
        .await;
    let not_yet = app
        .published_conference(
            &token,
            json!({"registration_opens_at": "2030-07-01T00:00:00Z"}),
        )
        .await;

    app.post(&self_path(&draft), None, person(1))
        .await
        .assert_problem(404, "not_found");
    app.post(&self_path(&invited_only), None, person(1))
        .await
        .assert_problem(409, "invitation_only");
    app.post(&self_path(&closed_window), None, person(1))
        .await
        .assert_problem(409, "registration_closed");
    app.post(&self_path(&not_yet), None, person(1))
        .await
        .assert_problem(409, "registration_not_open");
    assert_eq!(app.count("SELECT count(*) FROM registrations").await, 0);
}

#[actix_web::test]
async fn approval_mode_keeps_registrations_pending_until_an_organizer_decides() {
    let app = TestApp::spawn().await;
    let token = app.organizer("org").await;
    let conference = app
        .published_conference(
            &token,
            json!({"registration_mode": "approval_required", "capacity": 1}),
        )
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
        app.count("SELECT confirmed_count::bigint FROM conferences")
            .await,
        1
    );
}

#[actix_web::test]
async fn two_hundred_parallel_self_registrations_fill_fifty_seats_and_waitlist_the_rest() {
    let app = burst_app().await;
    let token = app.organizer("org").await;
    let conference = app
        .published_conference(&token, json!({"capacity": 50, "waitlist_enabled": true}))
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
        app.count("SELECT confirmed_count::bigint FROM conferences")
            .await,
        50
    );
}

#[actix_web::test]
async fn without_a_waitlist_the_burst_gets_fifty_seats_and_one_hundred_fifty_conflicts() {
    let app = burst_app().await;
    let token = app.organizer("org").await;
    let conference = app
        .published_conference(&token, json!({"capacity": 50}))
        .await;
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
    let token = app.organizer("org").await;
    let conference = app
        .published_conference(&token, json!({"capacity": 5, "waitlist_enabled": true}))
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
        app.count("SELECT confirmed_count::bigint FROM conferences")
            .await,
        5
    );
}

#[actix_web::test]
async fn a_delegate_cancels_with_their_token_and_the_next_in_line_gets_the_seat() {
    let app = TestApp::spawn().await;
    let token = app.organizer("org").await;
    let conference = app
        .published_conference(&token, json!({"capacity": 1, "waitlist_enabled": true}))
        .await;
    let first = app.post(&self_path(&conference), None, person(1)).await;
    let second = app.post(&self_path(&conference), None, person(2)).await;
    assert_eq!(second.body["registration"]["status"], "waitlisted");

    let cancelled = app
        .request(Method::POST, "/api/v1/delegate/registration/cancel", None)
        .header(
            "x-delegate-token",
            first.body["delegate_token"].as_str().unwrap(),
        )
        .send()
        .await
        .unwrap();

    assert_eq!(cancelled.status(), StatusCode::OK);
    let promoted = app
        .get(
            &format!(
                "{}/{}",
                list_path(&conference),
                second.body["registration"]["id"].as_str().unwrap()
            ),
            Some(&token),
        )
        .await;
    assert_eq!(promoted.body["status"], "confirmed");
    let again = app
        .request(Method::POST, "/api/v1/delegate/registration/cancel", None)
        .header(
            "x-delegate-token",
            first.body["delegate_token"].as_str().unwrap(),
        )
        .send()
        .await
        .unwrap();
    Reply::from(again)
        .await
        .assert_problem(409, "illegal_status_transition");
}

#[actix_web::test]
async fn search_ignores_diacritics_case_and_phone_spelling() {
    let app = TestApp::spawn().await;
    let token = app.organizer("org").await;
    let conference = app.conference(&token, json!({"code": "sxsh-search"})).await;
    let register = |body: Value| app.post(list_path(&conference), Some(&token), body);
    register(json!({"full_name": "Nguyễn Văn An", "category": "guest", "phone": "0912345678"}))
        .await;
    register(json!({"full_name": "Đặng Thị Đào", "category": "guest", "email": "dao@example.vn"}))
        .await;
    register(json!({"full_name": "Trần Anh", "category": "guest", "email": "tran@example.vn"}))
        .await;

    let names = |r: Reply| -> Vec<String> {
        r.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["full_name"].as_str().unwrap().to_owned())
            .collect()
    };
    let search = |q: &str| app.get(format!("{}?q={}", list_path(&conference), q), Some(&token));
    assert_eq!(
        names(search("nguyen%20van%20an").await),
        vec!["Nguyễn Văn An"]
    );
    assert_eq!(names(search("NGUYỄN").await), vec!["Nguyễn Văn An"]);
    assert_eq!(
        names(search("dang%20thi%20dao").await),
        vec!["Đặng Thị Đào"]
    );
    assert_eq!(names(search("%C4%91%C3%A0o").await), vec!["Đặng Thị Đào"]);
    assert_eq!(
        names(search("0912%20345%20678").await),
        vec!["Nguyễn Văn An"]
    );
    assert_eq!(names(search("SXSH-0003").await), vec!["Trần Anh"]);
    assert_eq!(names(search("tran%20anh").await), vec!["Trần Anh"]);
}

/// A conference with the given people (`full_name`, `organization`, `phone`), registered
/// in order by an organizer; returns the organizer's token and the conference.
async fn people(app: &TestApp, who: &[(&str, Option<&str>, &str)]) -> (String, Value) {
    let token = app.organizer("org").await;
    let conference = app.conference(&token, json!({"code": "sxsh"})).await;
    for (name, organization, phone) in who {
        let reply = app
            .post(
                list_path(&conference),
                Some(&token),
                json!({"full_name": name, "organization": organization, "category": "guest", "phone": phone}),
            )
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
    }
    (token, conference)
}

/// The names a `q=` search returns, in order (asserting a 200).
async fn found(app: &TestApp, token: &str, conference: &Value, q: &str) -> Vec<String> {
    let reply = app
        .get(
            format!("{}?q={}", list_path(conference), urlencoding(q)),
            Some(token),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{q}: {}", reply.text);
    assert_eq!(reply.body["next_cursor"], Value::Null);
    reply.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["full_name"].as_str().unwrap().to_owned())
        .collect()
}

fn urlencoding(q: &str) -> String {
    q.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[actix_web::test]
async fn search_finds_a_person_given_name_first_and_without_the_middle_name() {
    let app = TestApp::spawn().await;
    let (token, conference) = people(
        &app,
        &[
            ("Nguyễn Hồng An", None, "0912000001"),
            ("Trần Thị Bình", None, "0912000002"),
        ],
    )
    .await;

    for q in [
        "an nguyen",
        "nguyen an",
        "hong an nguyen",
        "An Hồng Nguyễn",
        "an ng",
    ] {
        assert_eq!(
            found(&app, &token, &conference, q).await,
            ["Nguyễn Hồng An"],
            "{q}"
        );
    }
}

#[actix_web::test]
async fn search_words_match_only_at_word_starts_so_an_is_not_found_inside_doan() {
    let app = TestApp::spawn().await;
    let (token, conference) = people(
        &app,
        &[
            ("Đoàn Thị Hà", None, "0912000001"),
            ("Lê Văn An", None, "0912000002"),
            ("Phạm Thị Anh", None, "0912000003"),
        ],
    )
    .await;

    assert_eq!(
        found(&app, &token, &conference, "an").await,
        ["Lê Văn An", "Phạm Thị Anh"]
    );
    assert_eq!(
        found(&app, &token, &conference, "doan").await,
        ["Đoàn Thị Hà"]
    );
    assert!(found(&app, &token, &conference, "oan").await.is_empty());
}

#[actix_web::test]
async fn search_needs_every_word_to_match() {
    let app = TestApp::spawn().await;
    let (token, conference) = people(
        &app,
        &[
            ("Nguyễn Văn An", None, "0912000001"),
            ("Nguyễn Thị Bình", None, "0912000002"),
        ],
    )
    .await;

    assert_eq!(
        found(&app, &token, &conference, "nguyen binh").await,
        ["Nguyễn Thị Bình"]
    );
    assert!(found(&app, &token, &conference, "an binh").await.is_empty());
    assert!(
        found(&app, &token, &conference, "nguyen an cuong")
            .await
            .is_empty()
    );
}

#[actix_web::test]
async fn search_ranks_the_exact_full_name_first_then_whole_name_words_then_prefixes_then_other_fields()
 {
    let app = TestApp::spawn().await;
    let (token, conference) = people(
        &app,
        &[
            ("Lê Văn An", Some("Trường THPT Nguyễn Trãi"), "0912000001"),
            ("Nguyễn Văn Anh", None, "0912000002"),
            ("Đặng Nguyễn Văn An", None, "0912000003"),
            ("Nguyễn Văn An", None, "0912000004"),
            ("Trần Văn Bình", None, "0912000005"),
        ],
    )
    .await;

    assert_eq!(
        found(&app, &token, &conference, "nguyen van an").await,
        [
            "Nguyễn Văn An",
            "Đặng Nguyễn Văn An",
            "Nguyễn Văn Anh",
            "Lê Văn An"
        ]
    );
    assert_eq!(
        found(&app, &token, &conference, "an van nguyen").await,
        [
            "Đặng Nguyễn Văn An",
            "Nguyễn Văn An",
            "Nguyễn Văn Anh",
            "Lê Văn An"
        ],
        "words in another order match no name exactly: whole words first, by name"
    );
}

#[actix_web::test]
async fn search_still_finds_phone_spellings_and_references() {
    let app = TestApp::spawn().await;
    let (token, conference) = people(
        &app,
        &[
            ("Nguyễn Văn An", None, "0912345678"),
            ("Trần Anh", None, "0987654321"),
        ],
    )
    .await;

    for q in [
        "0912 345 678",
        "+84912345678",
        "0912345678",
        "+84 912-345-678",
        "0912",
    ] {
        assert_eq!(
            found(&app, &token, &conference, q).await,
            ["Nguyễn Văn An"],
            "{q}"
        );
    }
    assert_eq!(
        found(&app, &token, &conference, "SXSH-0002").await,
        ["Trần Anh"]
    );
    assert_eq!(
        found(&app, &token, &conference, "sxsh-0002").await,
        ["Trần Anh"]
    );
}

#[actix_web::test]
async fn search_combines_with_filters_and_a_limit() {
    let app = TestApp::spawn().await;
    let (token, conference) = people(
        &app,
        &[
            ("Nguyễn Văn An", None, "0912000001"),
            ("Nguyễn Văn Bình", None, "0912000002"),
            ("Nguyễn Văn Cường", None, "0912000003"),
        ],
    )
    .await;

    let reply = app
        .get(
            format!("{}?q=van%20nguyen&limit=2", list_path(&conference)),
            Some(&token),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    let names: Vec<&str> = reply.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["full_name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Nguyễn Văn An", "Nguyễn Văn Bình"]);
    let none = app
        .get(
            format!("{}?q=van%20nguyen&status=cancelled", list_path(&conference)),
            Some(&token),
        )
        .await;
    assert_eq!(none.status, StatusCode::OK);
    assert_eq!(none.body["items"], json!([]));
}

#[actix_web::test]
async fn search_follows_a_renamed_registration() {
    let app = TestApp::spawn().await;
    let (token, conference) = people(&app, &[("Nguyễn Văn An", None, "0912000001")]).await;
    let listed = app.get(list_path(&conference), Some(&token)).await;
    let id = listed.body["items"][0]["id"].as_str().unwrap().to_owned();

    let renamed = app
        .patch(
            format!("{}/{id}", list_path(&conference)),
            Some(&token),
            json!({"full_name": "Trần Thị Bình"}),
        )
        .await;

    assert_eq!(renamed.status, StatusCode::OK, "{}", renamed.text);
    assert_eq!(
        found(&app, &token, &conference, "binh tran").await,
        ["Trần Thị Bình"]
    );
    assert!(found(&app, &token, &conference, "nguyen").await.is_empty());
}

#[actix_web::test]
async fn search_within_a_district_finds_only_its_units_people() {
    let app = TestApp::spawn().await;
    let token = app.organizer("org").await;
    let unit = |body: Value| app.post("/api/v1/units", Some(&token), body);
    let district = unit(json!({"name": "Huyện Sông Lô", "kind": "district"}))
        .await
        .body;
    let commune =
        unit(json!({"name": "Xã Đồng Thịnh", "kind": "commune", "parent_id": district["id"]}))
            .await
            .body;
    let other = unit(json!({"name": "Huyện Yên Lạc", "kind": "district"}))
        .await
        .body;
    let conference = app.conference(&token, json!({"code": "sxsh"})).await;
    for (name, unit_id, phone) in [
        ("Nguyễn Văn An", &commune["id"], "0912000001"),
        ("Nguyễn Thị An", &other["id"], "0912000002"),
    ] {
        let reply = app
            .post(
                list_path(&conference),
                Some(&token),
                json!({"full_name": name, "unit_id": unit_id, "category": "commune", "phone": phone}),
            )
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
    }

    let reply = app
        .get(
            format!(
                "{}?q=an%20nguyen&district_id={}",
                list_path(&conference),
                district["id"].as_str().unwrap()
            ),
            Some(&token),
        )
        .await;

    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    assert_eq!(reply.body["items"].as_array().unwrap().len(), 1);
    assert_eq!(reply.body["items"][0]["full_name"], "Nguyễn Văn An");
    assert_eq!(reply.body["items"][0]["unit_name"], "Xã Đồng Thịnh");
}

#[actix_web::test]
async fn lists_filter_by_status_category_and_district_including_its_communes() {
    let app = TestApp::spawn().await;
    let token = app.organizer("org").await;
    let unit = |body: Value| app.post("/api/v1/units", Some(&token), body);
    let district = unit(json!({"name": "Huyện Tam Dương", "kind": "district"}))
        .await
        .body;
    let commune =
        unit(json!({"name": "Xã Hợp Thịnh", "kind": "commune", "parent_id": district["id"]}))
            .await
            .body;
    let elsewhere = unit(json!({"name": "Công ty Xanh", "kind": "enterprise"}))
        .await
        .body;
    let conference = app.conference(&token, json!({})).await;
    let register = |n: usize, unit: &Value, category: &str| {
        app.post(list_path(&conference), Some(&token), json!({"full_name": format!("P{n}"), "category": category, "unit_id": unit["id"], "phone": format!("09{:08}", n)}))
    };
    register(1, &district, "district").await;
    register(2, &commune, "commune").await;
    register(3, &elsewhere, "enterprise").await;

    let count = |r: Reply| r.body["items"].as_array().unwrap().len();
    let query = |q: String| app.get(format!("{}?{q}", list_path(&conference)), Some(&token));
    assert_eq!(
        count(query(format!("district_id={}", district["id"].as_str().unwrap())).await),
        2
    );
    assert_eq!(count(query("category=enterprise".into()).await), 1);
    assert_eq!(count(query("unit_kind=commune".into()).await), 1);
    assert_eq!(
        count(query("status=confirmed&source=organizer".into()).await),
        3
    );
    let listed = query("unit_kind=commune".into()).await;
    assert_eq!(listed.body["items"][0]["unit_name"], "Xã Hợp Thịnh");
}

#[actix_web::test]
async fn registrations_are_private_to_the_conference_organizers() {
    let app = TestApp::spawn().await;
    let owner = app.organizer("owner").await;
    let other = app.organizer("other").await;
    let conference = app.published_conference(&owner, json!({})).await;
    let created = app.post(&self_path(&conference), None, person(1)).await;
    let one = format!(
        "{}/{}",
        list_path(&conference),
        created.body["registration"]["id"].as_str().unwrap()
    );

    app.get(&list_path(&conference), None)
        .await
        .assert_problem(401, "missing_token");
    app.get(&list_path(&conference), Some(&other))
        .await
        .assert_problem(404, "not_found");
    app.get(&one, Some(&other))
        .await
        .assert_problem(404, "not_found");
    app.post(&format!("{one}/cancel"), Some(&other), json!({}))
        .await
        .assert_problem(404, "not_found");
    let bogus = app
        .request(Method::GET, "/api/v1/delegate/registration", None)
        .header("x-delegate-token", "not-a-token")
        .send()
        .await
        .unwrap();
    Reply::from(bogus).await.assert_problem(404, "not_found");
    let missing = app.get("/api/v1/delegate/registration", None).await;
    missing.assert_problem(401, "missing_token");
    let public_agenda = app
        .get(
            &format!("/api/v1/conferences/{}", conference["id"].as_str().unwrap()),
            None,
        )
        .await;
    assert!(
        !public_agenda.text.contains("+849"),
        "no personal data on public endpoints"
    );
}

#[actix_web::test]
async fn organizers_edit_with_if_match_and_cannot_edit_cancelled_registrations() {
    let app = TestApp::spawn().await;
    let token = app.organizer("org").await;
    let conference = app.conference(&token, json!({})).await;
    let created = app
        .post(&list_path(&conference), Some(&token), organizer_person(1))
        .await;
    let one = format!(
        "{}/{}",
        list_path(&conference),
        created.body["registration"]["id"].as_str().unwrap()
    );

    let edited = app
        .request(Method::PATCH, &one, Some(&token))
        .header("If-Match", "\"1\"")
        .json(&json!({"position": "Trưởng phòng", "email": "p1@example.vn"}))
        .send()
        .await
        .unwrap();
    let edited = Reply::from(edited).await;
    assert_eq!(edited.status, StatusCode::OK, "{}", edited.text);
    assert_eq!(edited.body["position"], "Trưởng phòng");
    let stale = app
        .request(Method::PATCH, &one, Some(&token))
        .header("If-Match", "\"1\"")
        .json(&json!({"position": "x"}))
        .send()
        .await
        .unwrap();
    Reply::from(stale)
        .await
        .assert_problem(412, "etag_mismatch");
    let no_contact = app
        .patch(&one, Some(&token), json!({"email": null, "phone": null}))
        .await;
    no_contact.assert_problem(422, "validation_failed");
    app.post(&format!("{one}/cancel"), Some(&token), json!({}))
        .await;
    app.patch(&one, Some(&token), json!({"position": "y"}))
        .await
        .assert_problem(409, "registration_closed");
}

#[actix_web::test]
async fn a_retried_registration_with_the_same_idempotency_key_returns_the_first_response_and_writes_once()
 {
    let app = burst_app().await;
    let token = app.organizer("org").await;
    let conference = app.published_conference(&token, json!({})).await;
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
    let token = app.organizer("org").await;
    let conference = app.published_conference(&token, json!({})).await;
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

#[actix_web::test]
async fn bulk_actions_report_each_registration_on_its_own() {
    let app = TestApp::spawn().await;
    let token = app.organizer("org").await;
    let conference = app
        .published_conference(
            &token,
            json!({"registration_mode": "approval_required", "capacity": 2}),
        )
        .await;
    let mut ids = Vec::new();
    for n in 0..3 {
        let reply = app.post(&self_path(&conference), None, person(n)).await;
        ids.push(reply.body["registration"]["id"].clone());
    }
    let unknown = uuid::Uuid::new_v4();
    let path = format!(
        "/api/v1/conferences/{}/registration-actions",
        conference["id"].as_str().unwrap()
    );

    let reply = app
        .post(
            &path,
            Some(&token),
            json!({"action": "approve", "registration_ids": [ids[0], ids[1], ids[2], unknown]}),
        )
        .await;

    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    let codes: Vec<&str> = reply
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, vec!["ok", "ok", "capacity_reached", "not_found"]);
    assert_eq!(
        app.count("SELECT count(*) FROM registrations WHERE status = 'confirmed'")
            .await,
        2
    );
    assert_eq!(
        app.count("SELECT count(*) FROM registrations WHERE status = 'pending_approval'")
            .await,
        1
    );
}

#[actix_web::test]
async fn raising_the_capacity_promotes_the_waitlist_at_once_and_lowering_it_below_confirmed_is_refused()
 {
    let app = TestApp::spawn().await;
    let token = app.organizer("org").await;
    let conference = app
        .published_conference(&token, json!({"capacity": 1, "waitlist_enabled": true}))
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
        app.count("SELECT confirmed_count::bigint FROM conferences")
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

#[actix_web::test]
async fn a_bulk_edit_applies_one_patch_to_many_registrations() {
    let app = TestApp::spawn().await;
    let token = app.organizer("org").await;
    let conference = app.published_conference(&token, json!({})).await;
    let mut ids = Vec::new();
    for n in 0..3 {
        ids.push(
            app.post(&self_path(&conference), None, person(n))
                .await
                .body["registration"]["id"]
                .clone(),
        );
    }
    let path = format!(
        "/api/v1/conferences/{}/registration-actions",
        conference["id"].as_str().unwrap()
    );

    let reply = app.post(&path, Some(&token), json!({"action": "edit", "registration_ids": ids, "patch": {"category": "expert", "position": "Chuyên gia SXSH"}})).await;
    let missing_patch = app
        .post(
            &path,
            Some(&token),
            json!({"action": "edit", "registration_ids": ids}),
        )
        .await;

    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    assert!(
        reply
            .body
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["code"] == "ok")
    );
    assert_eq!(app.count("SELECT count(*) FROM registrations WHERE category = 'expert' AND position = 'Chuyên gia SXSH'").await, 3);
    missing_patch.assert_problem(422, "validation_failed");
}

#[actix_web::test]
async fn a_malformed_bulk_edit_is_refused_whole() {
    let app = TestApp::spawn().await;
    let token = app.organizer("org").await;
    let conference = app.published_conference(&token, json!({})).await;
    let path = format!(
        "/api/v1/conferences/{}/registration-actions",
        conference["id"].as_str().unwrap()
    );

    let reply = app.post(&path, Some(&token), json!({"action": "edit", "registration_ids": [uuid::Uuid::new_v4()], "patch": {"position": "x".repeat(201)}})).await;

    reply.assert_problem(422, "validation_failed");
    assert_eq!(
        reply.error_fields(),
        vec![("patch.position".to_owned(), "too_long".to_owned())]
    );
}
