//! Substitutions are visible to the conference's organizers: on the registration and as a list.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{Reply, TestApp};

/// A published conference with a door device and two invited units: a commune (under a
/// district) and an agency, each with two named delegates.
struct Scene {
    organizer: String,
    cid: String,
    device: String,
    district: Value,
    commune: Value,
    agency: Value,
    commune_token: String,
    /// Named through the commune's invitation.
    commune_delegates: Vec<Value>,
    /// Named through the agency's invitation.
    agency_delegates: Vec<Value>,
}

async fn unit(app: &TestApp, organizer: &str, body: Value) -> Value {
    let reply = app.post("/api/v1/units", Some(organizer), body).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
    reply.body
}

async fn invite_and_name(
    app: &TestApp,
    organizer: &str,
    cid: &str,
    unit: &Value,
    people: Value,
) -> (String, Vec<Value>) {
    let invitation = app
        .post(
            format!("/api/v1/conferences/{cid}/invitations"),
            Some(organizer),
            json!({"unit_id": unit["id"], "seats": 3}),
        )
        .await;
    assert_eq!(
        invitation.status,
        StatusCode::CREATED,
        "{}",
        invitation.text
    );
    let token = invitation.body["token"].as_str().unwrap().to_owned();
    let named = with_invitation(
        app,
        Method::POST,
        "/api/v1/invitation/registrations",
        &token,
        json!({ "delegates": people }),
    )
    .await;
    assert_eq!(named.status, StatusCode::CREATED, "{}", named.text);
    let delegates = named
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|created| created["registration"].clone())
        .collect();
    (token, delegates)
}

async fn with_invitation(
    app: &TestApp,
    method: Method,
    path: &str,
    token: &str,
    body: Value,
) -> Reply {
    let request = app
        .request(method, path, None)
        .header("x-invitation-token", token)
        .json(&body);
    Reply::from(request.send().await.unwrap()).await
}

async fn scene(app: &TestApp) -> Scene {
    let organizer = app.organizer("org").await;
    let conference = app
        .published_conference(&organizer, json!({"capacity": null}))
        .await;
    let cid = conference["id"].as_str().unwrap().to_owned();
    let device = app
        .post(
            format!("/api/v1/conferences/{cid}/devices"),
            Some(&organizer),
            json!({"name": "Cửa chính 1", "gate": "A"}),
        )
        .await;
    assert_eq!(device.status, StatusCode::CREATED, "{}", device.text);
    let district = unit(
        app,
        &organizer,
        json!({"name": "Huyện Tam Đảo", "kind": "district"}),
    )
    .await;
    let commune = unit(
        app,
        &organizer,
        json!({"name": "Xã Hợp Châu", "kind": "commune", "parent_id": district["id"]}),
    )
    .await;
    let agency = unit(
        app,
        &organizer,
        json!({"name": "Sở Công Thương", "kind": "agency"}),
    )
    .await;
    let (commune_token, commune_delegates) = invite_and_name(
        app,
        &organizer,
        &cid,
        &commune,
        json!([{"full_name": "Trần Văn Xã", "position": "Phó Chủ tịch UBND", "category": "commune", "phone": "0912000001", "email": "xa@example.vn"}]),
    )
    .await;
    let (_, agency_delegates) = invite_and_name(
        app,
        &organizer,
        &cid,
        &agency,
        json!([
            {"full_name": "Lê Thị Sở", "position": "Trưởng phòng", "category": "agency", "phone": "0912000002"},
            {"full_name": "Phạm Văn Sở", "position": "Chuyên viên", "category": "agency", "phone": "0912000003"},
        ]),
    )
    .await;
    Scene {
        organizer,
        cid,
        device: device.body["token"].as_str().unwrap().to_owned(),
        district,
        commune,
        agency,
        commune_token,
        commune_delegates,
        agency_delegates,
    }
}

/// The commune's contact puts someone else on its delegate's seat.
async fn substitute_by_invitation(app: &TestApp, scene: &Scene, name: &str, phone: &str) {
    let id = scene.commune_delegates[0]["id"].as_str().unwrap();
    let reply = with_invitation(
        app,
        Method::POST,
        &format!("/api/v1/invitation/registrations/{id}/substitute"),
        &scene.commune_token,
        json!({"full_name": name, "position": "Công chức", "category": "commune", "phone": phone}),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
}

/// A walk-in at the door takes the agency's first delegate's seat.
async fn walk_in(app: &TestApp, scene: &Scene) {
    let reply = app
        .send(
            Method::POST,
            format!("/api/v1/conferences/{}/walk-ins", scene.cid),
            Some(&scene.device),
            Some(json!({"replaces_registration_id": scene.agency_delegates[0]["id"],
                        "person": {"full_name": "Người thay ở cửa", "category": "agency", "phone": "0912000009"}})),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
}

async fn detail(app: &TestApp, scene: &Scene, registration: &Value, token: &str) -> Reply {
    app.get(
        format!(
            "/api/v1/conferences/{}/registrations/{}",
            scene.cid,
            registration["id"].as_str().unwrap()
        ),
        Some(token),
    )
    .await
}

async fn list(app: &TestApp, scene: &Scene, query: &str) -> Reply {
    let reply = app
        .get(
            format!("/api/v1/conferences/{}/substitutions?{query}", scene.cid),
            Some(&scene.organizer),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    reply
}

fn names(page: &Reply) -> Vec<String> {
    page.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item["previous_name"].as_str().unwrap().to_owned())
        .collect()
}

/// Today's date in the conferences' default time zone (Asia/Ho_Chi_Minh, UTC+7).
fn today() -> chrono::NaiveDate {
    (chrono::Utc::now() + chrono::Duration::hours(7)).date_naive()
}

#[actix_web::test]
async fn an_invitation_substitution_shows_on_the_registration_with_the_previous_person_and_the_invitation()
 {
    let app = TestApp::spawn().await;
    let scene = scene(&app).await;

    substitute_by_invitation(&app, &scene, "Nguyễn Thị Thay", "0912000008").await;
    let reply = detail(&app, &scene, &scene.commune_delegates[0], &scene.organizer).await;

    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    assert_eq!(reply.body["full_name"], "Nguyễn Thị Thay");
    let history = reply.body["substitutions"].as_array().unwrap();
    assert_eq!(history.len(), 1);
    let entry = &history[0];
    assert_eq!(entry["previous_name"], "Trần Văn Xã");
    assert_eq!(entry["previous_position"], "Phó Chủ tịch UBND");
    assert_eq!(entry["previous_unit_id"], scene.commune["id"]);
    assert_eq!(entry["previous_unit_name"], "Xã Hợp Châu");
    assert_eq!(entry["new_name"], "Nguyễn Thị Thay");
    assert_eq!(entry["by"], "invitation");
    assert_eq!(
        entry["invitation_id"],
        scene.commune_delegates[0]["invitation_id"]
    );
    assert_eq!(entry["device_id"], Value::Null);
    assert_eq!(entry["registration_id"], scene.commune_delegates[0]["id"]);
    assert_eq!(entry["reference"], scene.commune_delegates[0]["reference"]);
    assert_eq!(
        entry["previous_phone"], "+84912000001",
        "the conference's organizers see the replaced person's contacts on the registration"
    );
    assert_eq!(entry["previous_email"], "xa@example.vn");
    assert!(entry["substituted_at"].is_string());
}

#[actix_web::test]
async fn a_seat_substituted_twice_lists_its_history_oldest_first() {
    let app = TestApp::spawn().await;
    let scene = scene(&app).await;

    substitute_by_invitation(&app, &scene, "Người thứ hai", "0912000008").await;
    substitute_by_invitation(&app, &scene, "Người thứ ba", "0912000007").await;
    let reply = detail(&app, &scene, &scene.commune_delegates[0], &scene.organizer).await;

    let history = reply.body["substitutions"].as_array().unwrap();
    let pairs: Vec<(&str, &str)> = history
        .iter()
        .map(|e| {
            (
                e["previous_name"].as_str().unwrap(),
                e["new_name"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        pairs,
        [
            ("Trần Văn Xã", "Người thứ hai"),
            ("Người thứ hai", "Người thứ ba")
        ]
    );
    assert_eq!(history[1]["previous_position"], "Công chức");
}

#[actix_web::test]
async fn a_walk_in_shows_on_the_registration_as_made_at_the_door_by_its_device() {
    let app = TestApp::spawn().await;
    let scene = scene(&app).await;

    walk_in(&app, &scene).await;
    let reply = detail(&app, &scene, &scene.agency_delegates[0], &scene.organizer).await;

    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    let history = reply.body["substitutions"].as_array().unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(history[0]["by"], "door");
    assert_eq!(history[0]["previous_name"], "Lê Thị Sở");
    assert_eq!(history[0]["previous_position"], "Trưởng phòng");
    assert_eq!(history[0]["previous_unit_name"], "Sở Công Thương");
    assert_eq!(history[0]["new_name"], "Người thay ở cửa");
    assert_eq!(history[0]["device_name"], "Cửa chính 1");
    assert!(history[0]["device_id"].is_string());
    assert_eq!(history[0]["invitation_id"], Value::Null);
}

#[actix_web::test]
async fn a_registration_never_substituted_has_an_empty_history() {
    let app = TestApp::spawn().await;
    let scene = scene(&app).await;

    let reply = detail(&app, &scene, &scene.agency_delegates[1], &scene.organizer).await;

    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    assert_eq!(reply.body["substitutions"], json!([]));
}

#[actix_web::test]
async fn the_conference_list_has_both_kinds_oldest_first_without_contact_details() {
    let app = TestApp::spawn().await;
    let scene = scene(&app).await;
    substitute_by_invitation(&app, &scene, "Nguyễn Thị Thay", "0912000008").await;
    walk_in(&app, &scene).await;

    let page = list(&app, &scene, "").await;

    assert_eq!(names(&page), ["Trần Văn Xã", "Lê Thị Sở"]);
    let items = page.body["items"].as_array().unwrap();
    assert_eq!(items[0]["by"], "invitation");
    assert_eq!(items[0]["previous_position"], "Phó Chủ tịch UBND");
    assert_eq!(items[0]["previous_unit_name"], "Xã Hợp Châu");
    assert_eq!(items[1]["by"], "door");
    assert_eq!(items[1]["device_name"], "Cửa chính 1");
    assert_eq!(page.body["next_cursor"], Value::Null);
    for item in items {
        assert!(item.get("previous_phone").is_none() && item.get("previous_email").is_none());
    }
    assert!(
        !page.text.contains("+84912000001") && !page.text.contains("xa@example.vn"),
        "no contact of the replaced people in the list"
    );
}

#[actix_web::test]
async fn the_list_filters_by_kind_unit_district_and_date() {
    let app = TestApp::spawn().await;
    let scene = scene(&app).await;
    substitute_by_invitation(&app, &scene, "Nguyễn Thị Thay", "0912000008").await;
    walk_in(&app, &scene).await;
    let today = today();
    let tomorrow = today.succ_opt().unwrap();
    let yesterday = today.pred_opt().unwrap();

    assert_eq!(names(&list(&app, &scene, "by=door").await), ["Lê Thị Sở"]);
    assert_eq!(
        names(&list(&app, &scene, "by=invitation").await),
        ["Trần Văn Xã"]
    );
    let agency = scene.agency["id"].as_str().unwrap();
    assert_eq!(
        names(&list(&app, &scene, &format!("unit_id={agency}")).await),
        ["Lê Thị Sở"]
    );
    let district = scene.district["id"].as_str().unwrap();
    assert_eq!(
        names(&list(&app, &scene, &format!("district_id={district}")).await),
        ["Trần Văn Xã"],
        "a district takes in its communes"
    );
    assert_eq!(
        names(&list(&app, &scene, &format!("from={today}&to={today}")).await).len(),
        2
    );
    assert!(
        names(&list(&app, &scene, &format!("from={tomorrow}")).await).is_empty(),
        "nothing made on or after tomorrow"
    );
    assert!(
        names(&list(&app, &scene, &format!("to={yesterday}")).await).is_empty(),
        "nothing made on or before yesterday"
    );
    assert_eq!(
        names(&list(&app, &scene, &format!("by=door&unit_id={district}")).await).len(),
        0,
        "filters combine"
    );
}

#[actix_web::test]
async fn the_list_refuses_a_date_range_that_ends_before_it_starts() {
    let app = TestApp::spawn().await;
    let scene = scene(&app).await;

    let reply = app
        .get(
            format!(
                "/api/v1/conferences/{}/substitutions?from=2030-07-20&to=2030-07-19",
                scene.cid
            ),
            Some(&scene.organizer),
        )
        .await;

    reply.assert_problem(400, "invalid_query_parameter");
}

#[actix_web::test]
async fn the_list_pages_with_a_cursor() {
    let app = TestApp::spawn().await;
    let scene = scene(&app).await;
    substitute_by_invitation(&app, &scene, "Người thứ hai", "0912000008").await;
    walk_in(&app, &scene).await;
    substitute_by_invitation(&app, &scene, "Người thứ ba", "0912000007").await;

    let mut seen = Vec::new();
    let mut query = "limit=2".to_owned();
    let mut pages = 0;
    loop {
        let page = list(&app, &scene, &query).await;
        pages += 1;
        seen.extend(names(&page));
        match page.body["next_cursor"].as_str() {
            Some(cursor) => query = format!("limit=2&cursor={cursor}"),
            None => break,
        }
    }

    assert_eq!(pages, 2);
    assert_eq!(seen, ["Trần Văn Xã", "Lê Thị Sở", "Người thứ hai"]);
}

#[actix_web::test]
async fn another_organizer_gets_404_for_the_list_and_the_history() {
    let app = TestApp::spawn().await;
    let scene = scene(&app).await;
    substitute_by_invitation(&app, &scene, "Nguyễn Thị Thay", "0912000008").await;
    let stranger = app.organizer("other").await;

    let listed = app
        .get(
            format!("/api/v1/conferences/{}/substitutions", scene.cid),
            Some(&stranger),
        )
        .await;
    let shown = detail(&app, &scene, &scene.commune_delegates[0], &stranger).await;
    let anonymous = app
        .get(
            format!("/api/v1/conferences/{}/substitutions", scene.cid),
            None,
        )
        .await;

    listed.assert_problem(404, "not_found");
    shown.assert_problem(404, "not_found");
    anonymous.assert_problem(401, "missing_token");
}

#[actix_web::test]
async fn an_admin_sees_every_conferences_substitutions() {
    let app = TestApp::spawn().await;
    let scene = scene(&app).await;
    walk_in(&app, &scene).await;
    let admin = app.admin().await;

    let reply = app
        .get(
            format!("/api/v1/conferences/{}/substitutions", scene.cid),
            Some(&admin),
        )
        .await;

    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    assert_eq!(names(&reply), ["Lê Thị Sở"]);
}
