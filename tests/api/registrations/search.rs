//! Finding registrations by name, phone or reference: accents, word order, ranking.

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::list_path;
use crate::helpers::{Reply, TestApp};

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
