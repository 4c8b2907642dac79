use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{TestApp, conference_body};

fn path(conference: &Value) -> String {
    format!("/api/v1/conferences/{}", conference["id"].as_str().unwrap())
}

#[actix_web::test]
async fn an_organizer_creates_a_draft_and_becomes_its_organizer() {
    let app = TestApp::spawn().await;
    let (organizer_id, token) = app.account("org@example.vn", "organizer").await;

    let reply = app
        .post("/api/v1/conferences", Some(&token), conference_body())
        .await;

    assert_eq!(reply.status, StatusCode::CREATED);
    let id = reply.body["id"].as_str().unwrap();
    assert_eq!(
        reply.header("location"),
        Some(format!("/api/v1/conferences/{id}").as_str())
    );
    assert_eq!(reply.header("etag"), Some("\"1\""));
    assert_eq!(reply.body["status"], "draft");
    assert_eq!(reply.body["time_zone"], "Asia/Ho_Chi_Minh");
    assert_eq!(reply.body["registration_mode"], "open");
    assert_eq!(reply.body["waitlist_enabled"], false);
    assert_eq!(reply.body["capacity"], Value::Null);
    assert_eq!(reply.body["co_host_organizations"], json!([]));
    let organizers = app
        .count(&format!(
            "SELECT count(*) FROM conference_organizers WHERE account_id = '{organizer_id}'"
        ))
        .await;
    assert_eq!(organizers, 1);
}

#[actix_web::test]
async fn times_are_stored_in_utc_and_shown_in_the_conference_time_zone() {
    let app = TestApp::spawn().await;
    let token = app.organizer("org").await;

    let conference = app
        .conference(
            &token,
            json!({"starts_at": "2030-07-19T01:00:00Z", "ends_at": "2030-07-19T10:00:00Z"}),
        )
        .await;

    assert_eq!(conference["starts_at"], "2030-07-19T08:00:00+07:00");
    assert_eq!(conference["ends_at"], "2030-07-19T17:00:00+07:00");
    let client = app.db.client().await;
    let utc_hour: f64 = client
        .query_one(
            "SELECT extract(hour FROM starts_at AT TIME ZONE 'UTC')::float8 FROM conferences",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(utc_hour, 1.0);
}

#[actix_web::test]
async fn validation_reports_every_invalid_field_and_writes_nothing() {
    let app = TestApp::spawn().await;
    let token = app.organizer("org").await;

    let reply = app
        .post(
            "/api/v1/conferences",
            Some(&token),
            json!({
                "code": "Not a slug!", "title": "  ", "starts_at": "2030-07-19T17:00:00+07:00",
                "ends_at": "2030-07-19T08:00:00+07:00", "time_zone": "Mars/Olympus", "capacity": 0,
                "venue_name": "x".repeat(301), "co_host_organizations": ["ok", ""],
                "sender_email": "not an address"
            }),
        )
        .await;

    reply.assert_problem(422, "validation_failed");
    let fields = reply.error_fields();
    for expected in [
        ("code", "invalid_format"),
        ("title", "required"),
        ("venue_name", "too_long"),
        ("co_host_organizations[1]", "required"),
        ("sender_email", "invalid_format"),
        ("time_zone", "unknown_time_zone"),
        ("ends_at", "must_be_after_start"),
        ("capacity", "out_of_range"),
    ] {
        assert!(
            fields.contains(&(expected.0.to_owned(), expected.1.to_owned())),
            "missing {expected:?} in {fields:?}"
        );
    }
    assert_eq!(app.count("SELECT count(*) FROM conferences").await, 0);
}

#[actix_web::test]
async fn registration_window_must_fit_the_conference() {
    let app = TestApp::spawn().await;
    let token = app.organizer("org").await;
    let mut body = conference_body();
    body["registration_opens_at"] = json!("2030-07-10T00:00:00+07:00");
    body["registration_closes_at"] = json!("2030-07-09T00:00:00+07:00");

    let reply = app.post("/api/v1/conferences", Some(&token), body).await;

    reply.assert_problem(422, "validation_failed");
    assert_eq!(
        reply.error_fields(),
        vec![(
            "registration_closes_at".to_owned(),
            "must_be_after_open".to_owned()
        )]
    );
}

#[actix_web::test]
async fn a_taken_code_is_a_conflict_and_leaves_one_row() {
    let app = TestApp::spawn().await;
    let token = app.organizer("org").await;
    app.conference(&token, json!({"code": "hoi-thao-2030"}))
        .await;
    let mut body = conference_body();
    body["code"] = json!("hoi-thao-2030");

    app.post("/api/v1/conferences", Some(&token), body)
        .await
        .assert_problem(409, "code_taken");
    assert_eq!(app.count("SELECT count(*) FROM conferences").await, 1);
    assert_eq!(
        app.count("SELECT count(*) FROM conference_organizers")
            .await,
        1
    );
}

#[actix_web::test]
async fn drafts_are_hidden_from_the_public_and_other_organizers() {
    let app = TestApp::spawn().await;
    let owner = app.organizer("owner").await;
    let other = app.organizer("other").await;
    let draft = app.conference(&owner, json!({})).await;

    app.get(&path(&draft), None)
        .await
        .assert_problem(404, "not_found");
    app.get(&path(&draft), Some(&other))
        .await
        .assert_problem(404, "not_found");
    app.patch(&path(&draft), Some(&other), json!({"title": "Mine now"}))
        .await
        .assert_problem(404, "not_found");
    assert_eq!(
        app.get(&path(&draft), Some(&owner)).await.status,
        StatusCode::OK
    );
    let public_list = app.get("/api/v1/conferences", None).await;
    assert_eq!(public_list.body["items"], json!([]));
    let other_list = app.get("/api/v1/conferences", Some(&other)).await;
    assert_eq!(other_list.body["items"], json!([]));
    let owner_list = app.get("/api/v1/conferences", Some(&owner)).await;
    assert_eq!(owner_list.body["items"].as_array().unwrap().len(), 1);
}

#[actix_web::test]
async fn published_conferences_are_public_but_only_their_organizers_edit_them() {
    let app = TestApp::spawn().await;
    let owner = app.organizer("owner").await;
    let other = app.organizer("other").await;
    let conference = app.published_conference(&owner, json!({})).await;

    let public = app.get(&path(&conference), None).await;
    assert_eq!(public.status, StatusCode::OK);
    assert_eq!(public.body["status"], "published");

    app.patch(
        &path(&conference),
        Some(&other),
        json!({"title": "Hijacked"}),
    )
    .await
    .assert_problem(403, "forbidden");
    app.post(
        &format!("{}/cancel", path(&conference)),
        Some(&other),
        json!({}),
    )
    .await
    .assert_problem(403, "forbidden");
    app.patch(&path(&conference), None, json!({"title": "Anonymous"}))
        .await
        .assert_problem(401, "missing_token");
    assert_eq!(
        app.count("SELECT count(*) FROM conferences WHERE title = 'Hội thảo sản xuất sạch hơn'")
            .await,
        1
    );
}

#[actix_web::test]
async fn an_admin_manages_any_conference() {
    let app = TestApp::spawn().await;
    let owner = app.organizer("owner").await;
    let admin = app.admin().await;
    let draft = app.conference(&owner, json!({})).await;

    let reply = app
        .patch(
            &path(&draft),
            Some(&admin),
            json!({"title": "Sửa bởi quản trị"}),
        )
        .await;

    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.body["title"], "Sửa bởi quản trị");
}

#[actix_web::test]
async fn status_changes_follow_the_lifecycle() {
    let app = TestApp::spawn().await;
    let token = app.organizer("org").await;
    let conference = app.conference(&token, json!({})).await;
    let action = |name: &str| format!("{}/{name}", path(&conference));

    app.post(&action("close"), Some(&token), json!({}))
        .await
        .assert_problem(409, "illegal_status_transition");
    app.post(&action("reopen"), Some(&token), json!({}))
        .await
        .assert_problem(409, "illegal_status_transition");
    assert_eq!(
        app.post(&action("publish"), Some(&token), json!({}))
            .await
            .body["status"],
        "published"
    );
    app.post(&action("publish"), Some(&token), json!({}))
        .await
        .assert_problem(409, "illegal_status_transition");
    assert_eq!(
        app.post(&action("close"), Some(&token), json!({}))
            .await
            .body["status"],
        "closed"
    );
    assert_eq!(
        app.post(&action("reopen"), Some(&token), json!({}))
            .await
            .body["status"],
        "published"
    );
    let cancelled = app.post(&action("cancel"), Some(&token), json!({})).await;
    assert_eq!(cancelled.body["status"], "cancelled");
    assert_eq!(cancelled.header("etag"), Some("\"5\""));
    app.post(&action("reopen"), Some(&token), json!({}))
        .await
        .assert_problem(409, "illegal_status_transition");
    app.post(&action("cancel"), Some(&token), json!({}))
        .await
        .assert_problem(409, "illegal_status_transition");
    assert_eq!(
        app.count("SELECT count(*) FROM conferences WHERE status = 'cancelled'")
            .await,
        1
    );
}

#[actix_web::test]
async fn a_cancelled_conference_cannot_be_edited() {
    let app = TestApp::spawn().await;
    let token = app.organizer("org").await;
    let conference = app.conference(&token, json!({})).await;
    app.post(
        &format!("{}/cancel", path(&conference)),
        Some(&token),
        json!({}),
    )
    .await;

    let reply = app
        .patch(
            &path(&conference),
            Some(&token),
            json!({"title": "Revived"}),
        )
        .await;

    reply.assert_problem(409, "conference_cancelled");
}

#[actix_web::test]
async fn a_stale_if_match_is_412_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let token = app.organizer("org").await;
    let conference = app.conference(&token, json!({})).await;
    let first = app
        .request(Method::PATCH, &path(&conference), Some(&token))
        .header("If-Match", "\"1\"")
        .json(&json!({"title": "Một"}))
        .send()
        .await
        .unwrap();
    assert_eq!(first.status(), StatusCode::OK);
    assert_eq!(first.headers()["etag"], "\"2\"");

    let stale = app
        .request(Method::PATCH, &path(&conference), Some(&token))
        .header("If-Match", "\"1\"")
        .json(&json!({"title": "Hai"}))
        .send()
        .await
        .unwrap();
    let stale = crate::helpers::Reply::from(stale).await;

    stale.assert_problem(412, "etag_mismatch");
    assert_eq!(
        app.get(&path(&conference), Some(&token)).await.body["title"],
        "Một"
    );
}

#[actix_web::test]
async fn concurrent_edits_with_the_same_etag_let_exactly_one_win() {
    let app = TestApp::spawn().await;
    let token = app.organizer("org").await;
    let conference = app.conference(&token, json!({})).await;
    let send = |title: &'static str| {
        app.request(Method::PATCH, &path(&conference), Some(&token))
            .header("If-Match", "\"1\"")
            .json(&json!({"title": title}))
            .send()
    };

    let (a, b) = tokio::join!(send("A"), send("B"));

    let mut statuses = vec![a.unwrap().status().as_u16(), b.unwrap().status().as_u16()];
    statuses.sort();
    assert_eq!(statuses, vec![200, 412]);
    assert_eq!(
        app.count("SELECT version::bigint FROM conferences").await,
        2
    );
}

#[actix_web::test]
async fn patch_with_null_clears_an_optional_field_and_absent_fields_stay() {
    let app = TestApp::spawn().await;
    let token = app.organizer("org").await;
    let conference = app
        .conference(
            &token,
            json!({"venue_name": "Hội trường tỉnh", "capacity": 100, "description": "Mô tả"}),
        )
        .await;

    let reply = app
        .patch(
            &path(&conference),
            Some(&token),
            json!({"venue_name": null, "capacity": 120}),
        )
        .await;

    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.body["venue_name"], Value::Null);
    assert_eq!(reply.body["capacity"], 120);
    assert_eq!(reply.body["description"], "Mô tả");
    assert_eq!(reply.header("etag"), Some("\"2\""));
}

#[actix_web::test]
async fn unknown_fields_in_a_patch_are_rejected() {
    let app = TestApp::spawn().await;
    let token = app.organizer("org").await;
    let conference = app.conference(&token, json!({})).await;

    let reply = app
        .patch(
            &path(&conference),
            Some(&token),
            json!({"status": "published"}),
        )
        .await;

    reply.assert_problem(422, "validation_failed");
    assert_eq!(reply.error_fields()[0].0, "status");
    assert_eq!(
        app.count("SELECT count(*) FROM conferences WHERE status = 'draft'")
            .await,
        1
    );
}

#[actix_web::test]
async fn moving_the_dates_cannot_strand_sessions_outside() {
    let app = TestApp::spawn().await;
    let token = app.organizer("org").await;
    let conference = app.conference(&token, json!({})).await;
    app.session(&token, conference["id"].as_str().unwrap(), json!({}))
        .await;

    let reply = app
        .patch(
            &path(&conference),
            Some(&token),
            json!({"starts_at": "2030-07-19T09:00:00+07:00"}),
        )
        .await;

    reply.assert_problem(422, "validation_failed");
    assert_eq!(
        reply.error_fields(),
        vec![("starts_at".to_owned(), "sessions_outside".to_owned())]
    );
}

#[actix_web::test]
async fn the_list_pages_and_filters_by_status_and_local_date() {
    let app = TestApp::spawn().await;
    let token = app.organizer("org").await;
    // 2030-07-18T23:30Z is already 19 July in Hà Nội.
    let july19 = app
        .published_conference(
            &token,
            json!({"starts_at": "2030-07-18T23:30:00Z", "ends_at": "2030-07-19T10:00:00Z"}),
        )
        .await;
    let july20 = app.conference(&token, json!({"starts_at": "2030-07-20T08:00:00+07:00", "ends_at": "2030-07-20T12:00:00+07:00"})).await;
    app.conference(
        &token,
        json!({"starts_at": "2030-08-01T08:00:00+07:00", "ends_at": "2030-08-01T12:00:00+07:00"}),
    )
    .await;

    let ids = |r: &crate::helpers::Reply| -> Vec<String> {
        r.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_str().unwrap().to_owned())
            .collect()
    };
    let in_range = app
        .get(
            "/api/v1/conferences?from=2030-07-19&to=2030-07-20",
            Some(&token),
        )
        .await;
    assert_eq!(
        ids(&in_range),
        vec![
            july19["id"].as_str().unwrap(),
            july20["id"].as_str().unwrap()
        ]
    );
    let drafts = app
        .get("/api/v1/conferences?status=draft", Some(&token))
        .await;
    assert_eq!(drafts.body["items"].as_array().unwrap().len(), 2);

    let page1 = app.get("/api/v1/conferences?limit=2", Some(&token)).await;
    assert_eq!(page1.body["items"].as_array().unwrap().len(), 2);
    let cursor = page1.body["next_cursor"].as_str().unwrap();
    let page2 = app
        .get(
            &format!("/api/v1/conferences?limit=2&cursor={cursor}"),
            Some(&token),
        )
        .await;
    assert_eq!(page2.body["items"].as_array().unwrap().len(), 1);
    assert_eq!(page2.body["next_cursor"], Value::Null);
}

#[actix_web::test]
async fn search_ignores_accents_and_case_including_d_with_stroke() {
    let app = TestApp::spawn().await;
    let token = app.organizer("org").await;
    app.conference(&token, json!({"title": "Hội thảo Sản xuất sạch hơn"}))
        .await;
    app.conference(&token, json!({"title": "Đào tạo khuyến công"}))
        .await;

    let titles = |r: crate::helpers::Reply| -> Vec<String> {
        r.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["title"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(
        titles(
            app.get("/api/v1/conferences?q=san%20xuat%20SACH", Some(&token))
                .await
        ),
        vec!["Hội thảo Sản xuất sạch hơn"]
    );
    assert_eq!(
        titles(
            app.get("/api/v1/conferences?q=dao%20tao", Some(&token))
                .await
        ),
        vec!["Đào tạo khuyến công"]
    );
    assert_eq!(
        titles(
            app.get("/api/v1/conferences?q=%C4%91%C3%A0o", Some(&token))
                .await
        ),
        vec!["Đào tạo khuyến công"]
    );
    assert!(titles(app.get("/api/v1/conferences?q=100%25", Some(&token)).await).is_empty());
}

#[actix_web::test]
async fn names_are_stored_in_nfc() {
    let app = TestApp::spawn().await;
    let token = app.organizer("org").await;
    let decomposed = "Ho\u{302}\u{323}i tha\u{309}o";

    let conference = app.conference(&token, json!({"title": decomposed})).await;

    assert_eq!(conference["title"], "Hội thảo");
}

#[actix_web::test]
async fn organizers_can_be_added_and_the_last_one_cannot_be_removed() {
    let app = TestApp::spawn().await;
    let (owner_id, owner) = app.account("owner@example.vn", "organizer").await;
    let (helper_id, helper) = app.account("helper@example.vn", "organizer").await;
    let conference = app.conference(&owner, json!({})).await;
    let organizers = format!("{}/organizers", path(&conference));

    let added = app
        .send(
            Method::PUT,
            &format!("{organizers}/{helper_id}"),
            Some(&owner),
            None,
        )
        .await;
    assert_eq!(added.status, StatusCode::NO_CONTENT);
    assert_eq!(
        app.get(&path(&conference), Some(&helper)).await.status,
        StatusCode::OK
    );
    assert_eq!(
        app.get(&organizers, Some(&owner))
            .await
            .body
            .as_array()
            .unwrap()
            .len(),
        2
    );

    let removed = app
        .send(
            Method::DELETE,
            &format!("{organizers}/{owner_id}"),
            Some(&helper),
            None,
        )
        .await;
    assert_eq!(removed.status, StatusCode::NO_CONTENT);
    app.send(
        Method::DELETE,
        &format!("{organizers}/{helper_id}"),
        Some(&helper),
        None,
    )
    .await
    .assert_problem(409, "last_organizer");
    assert_eq!(
        app.count("SELECT count(*) FROM conference_organizers")
            .await,
        1
    );
    app.send(
        Method::PUT,
        &format!("{organizers}/{}", uuid::Uuid::new_v4()),
        Some(&helper),
        None,
    )
    .await
    .assert_problem(404, "not_found");
}

#[actix_web::test]
async fn null_for_a_field_that_cannot_be_cleared_is_rejected() {
    let app = TestApp::spawn().await;
    let token = app.organizer("org").await;
    let conference = app.conference(&token, json!({})).await;

    let reply = app
        .patch(&path(&conference), Some(&token), json!({"title": null}))
        .await;

    reply.assert_problem(422, "validation_failed");
    assert_eq!(
        app.count("SELECT count(*) FROM conferences WHERE version = 1")
            .await,
        1
    );
}

#[actix_web::test]
async fn instants_beyond_year_9998_utc_are_rejected_whatever_the_offset() {
    let app = TestApp::spawn().await;
    let token = app.organizer("org").await;

    let reply = app
        .post(
            "/api/v1/conferences",
            Some(&token),
            json!({"code": "far-future", "title": "x", "starts_at": "9999-12-31T20:00:00-12:00", "ends_at": "9999-12-31T22:00:00-12:00"}),
        )
        .await;

    reply.assert_problem(422, "validation_failed");
}

#[actix_web::test]
async fn organizers_cannot_be_added_to_a_cancelled_conference() {
    let app = TestApp::spawn().await;
    let token = app.organizer("org").await;
    let (helper_id, _) = app.account("helper@example.vn", "organizer").await;
    let conference = app.conference(&token, json!({})).await;
    app.post(
        &format!("{}/cancel", path(&conference)),
        Some(&token),
        json!({}),
    )
    .await;

    let reply = app
        .send(
            Method::PUT,
            &format!("{}/organizers/{helper_id}", path(&conference)),
            Some(&token),
            None,
        )
        .await;

    reply.assert_problem(409, "conference_cancelled");
}
