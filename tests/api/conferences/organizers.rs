//! A conference's organizers.

use super::*;

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
