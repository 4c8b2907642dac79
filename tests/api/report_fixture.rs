//! The report fixture with known counts (communes and a district office rolling up into their
//! district, a district invited that nobody came from, a substitution, no-shows, an undone
//! scan, a delegate without a unit, two days and two sessions), and readers for what the
//! exports produce: the files downloaded, workbooks opened with calamine.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::{Reply, TestApp};

pub(crate) struct Fixture {
    pub(crate) organizer: String,
    pub(crate) cid: String,
    pub(crate) tam_dao: Value,
    pub(crate) lap_thach: Value,
    pub(crate) session_one: Value,
    pub(crate) session_two: Value,
}

async fn unit(app: &TestApp, organizer: &str, body: Value) -> Value {
    let reply = app.post("/api/v1/units", Some(organizer), body).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
    reply.body
}

/// Invites the unit with `seats` and names `people` through its link; the token and the
/// registrations.
async fn invite(
    app: &TestApp,
    organizer: &str,
    cid: &str,
    unit: &Value,
    seats: i32,
    people: Value,
) -> (String, Vec<Value>) {
    let invitation = app
        .post(
            format!("/api/v1/conferences/{cid}/invitations"),
            Some(organizer),
            json!({"unit_id": unit["id"], "seats": seats}),
        )
        .await;
    assert_eq!(
        invitation.status,
        StatusCode::CREATED,
        "{}",
        invitation.text
    );
    let token = invitation.body["token"].as_str().unwrap().to_owned();
    let named = app
        .request(Method::POST, "/api/v1/invitation/registrations", None)
        .header("x-invitation-token", &token)
        .json(&json!({ "delegates": people }))
        .send()
        .await
        .unwrap();
    let named = Reply::from(named).await;
    assert_eq!(named.status, StatusCode::CREATED, "{}", named.text);
    let registrations = named
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|created| created["registration"].clone())
        .collect();
    (token, registrations)
}

async fn scan(
    app: &TestApp,
    cid: &str,
    device: &str,
    registration: &Value,
    session: Option<&Value>,
    at: &str,
) -> Value {
    let reply = app
        .send(
            Method::POST,
            format!("/api/v1/conferences/{cid}/checkins"),
            Some(device),
            Some(json!({"registration_id": registration["id"], "session_id": session.map(|s| s["id"].clone()),
                        "direction": "in", "nonce": Uuid::new_v4(), "occurred_at": at})),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    assert_eq!(reply.body["outcome"], "ok", "{}", reply.text);
    reply.body
}

/// The known counts (see the module doc):
///
/// | unit | district | seats | registered | confirmed | attended |
/// |---|---|---|---|---|---|
/// | Xã Hợp Châu (commune) | Tam Đảo | 3 | 2 | 2 | 1 (the other scan undone) |
/// | Phòng Kinh tế huyện Tam Đảo (agency) | Tam Đảo | 2 | 1 | 1 | 1 |
/// | Sở Công Thương (agency) | none | 3 | 2 | 2 | 1 (also in session one) |
/// | Huyện Lập Thạch (district) | Lập Thạch | 2 | 1 | 1 | 0 |
/// | no unit (a guest) | none | 0 | 1 | 1 | 1 (on day two) |
pub(crate) async fn fixture(app: &TestApp) -> Fixture {
    let organizer = app.organizer("org").await;
    let conference = app
        .published_conference(
            &organizer,
            json!({"starts_at": "2030-07-19T08:00:00+07:00", "ends_at": "2030-07-20T17:00:00+07:00", "capacity": null}),
        )
        .await;
    let cid = conference["id"].as_str().unwrap().to_owned();
    let session_one = app.session(&organizer, &cid, json!({})).await;
    let session_two = app
        .session(
            &organizer,
            &cid,
            json!({"title": "Thảo luận sản xuất sạch hơn", "kind": "discussion",
                   "starts_at": "2030-07-20T09:00:00+07:00", "ends_at": "2030-07-20T10:00:00+07:00"}),
        )
        .await;
    let device = app
        .post(
            format!("/api/v1/conferences/{cid}/devices"),
            Some(&organizer),
            json!({"name": "Cửa chính 1", "gate": "A"}),
        )
        .await;
    assert_eq!(device.status, StatusCode::CREATED, "{}", device.text);
    let device = device.body["token"].as_str().unwrap().to_owned();

    let tam_dao = unit(
        app,
        &organizer,
        json!({"name": "Huyện Tam Đảo", "kind": "district"}),
    )
    .await;
    let lap_thach = unit(
        app,
        &organizer,
        json!({"name": "Huyện Lập Thạch", "kind": "district"}),
    )
    .await;
    let commune = unit(
        app,
        &organizer,
        json!({"name": "Xã Hợp Châu", "kind": "commune", "parent_id": tam_dao["id"]}),
    )
    .await;
    let office = unit(
        app,
        &organizer,
        json!({"name": "Phòng Kinh tế huyện Tam Đảo", "kind": "agency", "parent_id": tam_dao["id"]}),
    )
    .await;
    let agency = unit(
        app,
        &organizer,
        json!({"name": "Sở Công Thương", "kind": "agency"}),
    )
    .await;

    let (commune_token, commune_people) = invite(
        app,
        &organizer,
        &cid,
        &commune,
        3,
        json!([
            {"full_name": "Trần Văn Xã", "position": "Phó Chủ tịch UBND", "category": "commune", "phone": "0912000001", "email": "xa@example.vn"},
            {"full_name": "Đỗ Thị Hương", "position": "Công chức", "category": "commune", "phone": "0912000002"},
        ]),
    )
    .await;
    let (_, office_people) = invite(
        app,
        &organizer,
        &cid,
        &office,
        2,
        json!([{"full_name": "Lê Văn Phòng", "position": "Trưởng phòng", "category": "district", "phone": "0912000003"}]),
    )
    .await;
    let (_, agency_people) = invite(
        app,
        &organizer,
        &cid,
        &agency,
        3,
        json!([
            {"full_name": "Lê Thị Sở", "position": "Trưởng phòng", "category": "agency", "phone": "0912000004"},
            {"full_name": "Phạm Văn Vắng", "position": "Chuyên viên", "category": "agency", "phone": "0912000005"},
        ]),
    )
    .await;
    let (_, lap_thach_people) = invite(
        app,
        &organizer,
        &cid,
        &lap_thach,
        2,
        json!([{"full_name": "Nguyễn Văn Huyện", "position": "Phó Chủ tịch UBND", "category": "district", "phone": "0912000006"}]),
    )
    .await;
    let guest = app
        .post(
            format!("/api/v1/conferences/{cid}/registrations"),
            Some(&organizer),
            json!({"full_name": "Vũ Khách Mời", "category": "guest", "phone": "+12025550100", "organization": "=HYPERLINK(\"http://x\")"}),
        )
        .await;
    assert_eq!(guest.status, StatusCode::CREATED, "{}", guest.text);
    let guest = guest.body["registration"].clone();

    // Before the event the commune's contact sends someone else in Trần Văn Xã's place.
    let substituted = app
        .request(
            Method::POST,
            &format!(
                "/api/v1/invitation/registrations/{}/substitute",
                commune_people[0]["id"].as_str().unwrap()
            ),
            None,
        )
        .header("x-invitation-token", &commune_token)
        .json(&json!({"full_name": "Trần Thị Thay", "position": "Công chức", "category": "commune", "phone": "0912000007"}))
        .send()
        .await
        .unwrap();
    assert_eq!(substituted.status(), StatusCode::OK);

    scan(
        app,
        &cid,
        &device,
        &commune_people[0],
        None,
        "2030-07-19T07:45:00+07:00",
    )
    .await;
    let mistaken = scan(
        app,
        &cid,
        &device,
        &commune_people[1],
        None,
        "2030-07-19T07:50:00+07:00",
    )
    .await;
    let undone = app
        .post(
            format!(
                "/api/v1/conferences/{cid}/checkins/{}/undo",
                mistaken["checkin_id"].as_str().unwrap()
            ),
            Some(&organizer),
            json!({"reason": "quét nhầm người"}),
        )
        .await;
    assert_eq!(undone.status, StatusCode::OK, "{}", undone.text);
    scan(
        app,
        &cid,
        &device,
        &office_people[0],
        None,
        "2030-07-19T07:55:00+07:00",
    )
    .await;
    scan(
        app,
        &cid,
        &device,
        &agency_people[0],
        None,
        "2030-07-19T07:58:00+07:00",
    )
    .await;
    scan(
        app,
        &cid,
        &device,
        &agency_people[0],
        Some(&session_one),
        "2030-07-19T08:02:00+07:00",
    )
    .await;
    scan(
        app,
        &cid,
        &device,
        &guest,
        None,
        "2030-07-20T08:10:00+07:00",
    )
    .await;
    let _ = (agency_people, lap_thach_people);

    Fixture {
        organizer,
        cid,
        tam_dao,
        lap_thach,
        session_one,
        session_two,
    }
}

pub(crate) async fn download(
    app: &TestApp,
    token: &str,
    path: &str,
) -> (StatusCode, reqwest::header::HeaderMap, Vec<u8>) {
    let response = app
        .request(Method::GET, path, Some(token))
        .send()
        .await
        .unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    (status, headers, response.bytes().await.unwrap().to_vec())
}

pub(crate) fn sheet(bytes: &[u8], name: &str) -> Vec<Vec<String>> {
    let mut workbook = Xlsx::new(Cursor::new(bytes.to_vec())).expect("a workbook");
    let range = workbook.worksheet_range(name).expect("the sheet");
    range
        .rows()
        .map(|row| {
            row.iter()
                .map(|cell| match cell {
                    Data::Empty => String::new(),
                    Data::DateTime(at) => excel_time(at.as_f64()),
                    other => other.to_string(),
                })
                .collect()
        })
        .collect()
}

/// An Excel serial date-time (days since 1899-12-30) as `YYYY-MM-DD HH:MM:SS`.
fn excel_time(serial: f64) -> String {
    let epoch = chrono::NaiveDate::from_ymd_opt(1899, 12, 30)
        .unwrap()
        .and_hms_opt(0, 0, 0)
        .unwrap();
    let seconds = (serial * 86_400.0).round() as i64;
    (epoch + chrono::Duration::seconds(seconds))
        .format("%Y-%m-%d %H:%M:%S")
        .to_string()
}

pub(crate) fn sheet_names(bytes: &[u8]) -> Vec<String> {
    Xlsx::new(Cursor::new(bytes.to_vec()))
        .expect("a workbook")
        .sheet_names()
}
