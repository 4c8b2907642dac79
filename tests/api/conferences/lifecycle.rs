//! Creating a conference, who sees and edits it, and its status lifecycle.

use super::*;

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
