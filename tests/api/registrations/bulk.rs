//! Bulk actions and bulk edits.

use reqwest::StatusCode;
use serde_json::json;

use super::{person, self_path};
use crate::helpers::{Conf, TestApp};

#[actix_web::test]
async fn bulk_actions_report_each_registration_on_its_own() {
    let app = TestApp::spawn().await;
    let Conf {
        organizer: token,
        conference,
    } = app
        .open_conference(json!({"registration_mode": "approval_required", "capacity": 2}))
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
async fn a_bulk_edit_applies_one_patch_to_many_registrations() {
    let app = TestApp::spawn().await;
    let Conf {
        organizer: token,
        conference,
    } = app.open_conference(json!({})).await;
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
    let Conf {
        organizer: token,
        conference,
    } = app.open_conference(json!({})).await;
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
