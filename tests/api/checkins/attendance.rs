//! Attendance counts.

use reqwest::{Method, StatusCode};
use serde_json::json;

use super::{by_code, door, scan};
use crate::helpers::{Reply, TestApp};

#[actix_web::test]
async fn attendance_counts_by_category_unit_kind_district_and_session() {
    let app = TestApp::spawn().await;
    let organizer = app.organizer("org").await;
    let door = door(
        &app,
        &organizer,
        json!({"capacity": null, "waitlist_enabled": false}),
    )
    .await;
    let cid = door.conference["id"].as_str().unwrap();
    let district = app
        .post(
            "/api/v1/units",
            Some(&organizer),
            json!({"name": "Huyện Lập Thạch", "kind": "district"}),
        )
        .await
        .body;
    let commune = app
        .post(
            "/api/v1/units",
            Some(&organizer),
            json!({"name": "Xã Xuân Lôi", "kind": "commune", "parent_id": district["id"]}),
        )
        .await
        .body;
    let talk = app
        .session(&organizer, cid, json!({"title": "Khai mạc"}))
        .await;
    let mut people = Vec::new();
    for (n, unit, category) in [
        (1, &district, "district"),
        (2, &commune, "commune"),
        (3, &commune, "commune"),
    ] {
        let reply = app.post(format!("/api/v1/conferences/{cid}/registrations"), Some(&organizer),
            json!({"full_name": format!("Đại biểu {n}"), "category": category, "unit_id": unit["id"], "phone": format!("09{:08}", n)})).await;
        // Organizer responses carry no QR payload; the delegate's own view has it.
        let own = app
            .request(Method::GET, "/api/v1/delegate/registration", None)
            .header(
                "x-delegate-token",
                reply.body["delegate_token"].as_str().unwrap(),
            )
            .send()
            .await
            .unwrap();
        people.push(Reply::from(own).await.body);
    }
    for person in &people[..2] {
        scan(
            &app,
            &door,
            &door.device,
            by_code(person, "2030-07-19T08:00:00+07:00"),
        )
        .await;
    }
    let mut into_talk = by_code(&people[0], "2030-07-19T08:10:00+07:00");
    into_talk["session_id"] = talk["id"].clone();
    scan(&app, &door, &door.device, into_talk).await;
    let mut second_in = by_code(&people[1], "2030-07-19T08:11:00+07:00");
    second_in["session_id"] = talk["id"].clone();
    scan(&app, &door, &door.device, second_in).await;
    let mut second_out = by_code(&people[1], "2030-07-19T08:20:00+07:00");
    second_out["session_id"] = talk["id"].clone();
    second_out["direction"] = json!("out");
    scan(&app, &door, &door.device, second_out).await;

    let summary = app
        .get(
            format!("/api/v1/conferences/{cid}/attendance"),
            Some(&organizer),
        )
        .await;

    assert_eq!(summary.status, StatusCode::OK, "{}", summary.text);
    assert_eq!(
        (
            summary.body["confirmed"].as_i64(),
            summary.body["checked_in"].as_i64()
        ),
        (Some(3), Some(2))
    );
    assert_eq!(
        summary.body["by_category"],
        json!([
            {"key": "commune", "name": null, "confirmed": 2, "checked_in": 1},
            {"key": "district", "name": null, "confirmed": 1, "checked_in": 1},
        ])
    );
    assert_eq!(summary.body["by_district"][0]["name"], "Huyện Lập Thạch");
    assert_eq!(
        summary.body["by_district"][0]["confirmed"], 3,
        "communes roll up to their district"
    );
    assert_eq!(summary.body["by_district"][0]["checked_in"], 2);
    assert_eq!(summary.body["sessions"][0]["checked_in"], 2);
    assert_eq!(summary.body["sessions"][0]["inside_now"], 1);
}
