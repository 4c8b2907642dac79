//! Retention: the purge of expired conferences and each conference's period.

use reqwest::{Method, StatusCode};
use serde_json::json;

use super::*;
use crate::helpers::TestApp;

#[actix_web::test]
async fn the_purge_erases_expired_conferences_only_and_keeps_their_attendance() {
    let app = TestApp::spawn().await;
    let organizer = app.organizer("org").await;
    let (door, _, _) = attended(&app, &organizer).await;
    let kept = app.published_conference(&organizer, json!({})).await;
    let (_, _) = self_register(&app, &kept, "k-kept").await;
    let before = reports(&app, &organizer, &door.conference).await;
    let client = app.db.client().await;
    // The conference ended 400 days ago; its own retention is 30 days.
    client
        .execute(
            "UPDATE conferences SET starts_at = now() - interval '401 days',
                    ends_at = now() - interval '400 days', retention_days = 30
             WHERE id = $1::text::uuid",
            &[&door.conference["id"].as_str().unwrap()],
        )
        .await
        .unwrap();
    let mut conn = app.state.pool.get().await.unwrap();
    let retention = hoithao::domain::privacy::retention::purge;

    let dry = retention(&mut conn, 365, 900, true).await.unwrap();
    assert_eq!(dry.conferences.len(), 1);
    assert_eq!(dry.conferences[0].registrations, 1);
    assert_eq!(
        app.count("SELECT count(*) FROM registrations WHERE erased_at IS NOT NULL")
            .await,
        0,
        "a dry run erases nothing"
    );
    let done = retention(&mut conn, 365, 900, false).await.unwrap();
    assert!(done.ran);
    assert_eq!(done.conferences.len(), 1);

    assert_eq!(
        app.count(
            "SELECT count(*) FROM registrations WHERE erased_at IS NOT NULL AND erased_by = 'retention'"
        )
        .await,
        1
    );
    assert_eq!(
        app.count("SELECT count(*) FROM registrations WHERE erased_at IS NULL")
            .await,
        1,
        "the conference still within its period keeps its data"
    );
    assert_eq!(reports(&app, &organizer, &door.conference).await, before);
    let again = retention(&mut conn, 365, 900, false).await.unwrap();
    assert!(again.conferences.is_empty(), "purged once");
}

#[actix_web::test]
async fn organizers_set_their_conferences_retention_and_only_theirs() {
    let app = TestApp::spawn().await;
    let organizer = app.organizer("org").await;
    let other = app.organizer("other").await;
    let conference = app.conference(&organizer, json!({})).await;
    let path = format!(
        "/api/v1/conferences/{}/retention",
        conference["id"].as_str().unwrap()
    );

    let saved = app
        .send(
            Method::PUT,
            &path,
            Some(&organizer),
            Some(json!({"retention_days": 180.0})),
        )
        .await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.text);
    assert_eq!(saved.body, json!({"retention_days": 180}));
    assert_eq!(
        app.count("SELECT count(*) FROM conferences WHERE retention_days = 180")
            .await,
        1
    );
    let too_long = app
        .send(
            Method::PUT,
            &path,
            Some(&organizer),
            Some(json!({"retention_days": 40000})),
        )
        .await;
    too_long.assert_problem(422, "validation_failed");
    assert_eq!(too_long.error_fields()[0].0, "retention_days");
    app.send(
        Method::PUT,
        &path,
        Some(&other),
        Some(json!({"retention_days": 1})),
    )
    .await
    .assert_problem(404, "not_found");
    app.post(
        format!(
            "/api/v1/conferences/{}/privacy-notices",
            conference["id"].as_str().unwrap()
        ),
        Some(&other),
        json!({"text_vi": "Không phải của tôi"}),
    )
    .await
    .assert_problem(404, "not_found");
    let back_to_default = app
        .send(
            Method::PUT,
            &path,
            Some(&organizer),
            Some(json!({"retention_days": null})),
        )
        .await;
    assert_eq!(back_to_default.body, json!({"retention_days": null}));
}
