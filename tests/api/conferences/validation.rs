//! What a conference accepts: fields, times and time zones, codes, Unicode forms.

use super::*;

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
async fn names_are_stored_in_nfc() {
    let app = TestApp::spawn().await;
    let token = app.organizer("org").await;
    let decomposed = "Ho\u{302}\u{323}i tha\u{309}o";

    let conference = app.conference(&token, json!({"title": decomposed})).await;

    assert_eq!(conference["title"], "Hội thảo");
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
