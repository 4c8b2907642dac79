//! Organizers' lists, filters, privacy between conferences and edits.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::{list_path, organizer_person, person, self_path};
use crate::helpers::{Reply, TestApp};

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
