//! Edits: ETags and If-Match, concurrent edits, null and absent fields, dates and sessions.

use super::*;

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
