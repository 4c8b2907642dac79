//! Personal data: consent, a person's own data, erasure everywhere it was copied, retention.
//! This file holds the scenes the tests share: a person with distinctive details who registers,
//! signs up, is checked in, substituted and imported; the column scan; the report figures.

mod consent;
mod erasure;
mod retention;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::checkins::{Door, by_code, door, scan};
use crate::helpers::{Reply, TestApp, with_consent};

pub(crate) const NAME: &str = "Khổng Nhược Quỳnh";
pub(crate) const EMAIL: &str = "nhuocquynh.khong@example.vn";
pub(crate) const PHONE: &str = "0987 123 456";
pub(crate) const REPLACEMENT: &str = "Ông Ích Khiêm Tốn";

pub(crate) fn self_path(conference: &Value) -> String {
    format!(
        "/api/v1/conferences/{}/self-registrations",
        conference["id"].as_str().unwrap()
    )
}

pub(crate) fn registration_path(conference: &Value, id: &str) -> String {
    format!(
        "/api/v1/conferences/{}/registrations/{id}",
        conference["id"].as_str().unwrap()
    )
}

pub(crate) async fn with_header(
    app: &TestApp,
    method: Method,
    path: &str,
    token: Option<&str>,
    headers: &[(&str, &str)],
    body: Option<Value>,
) -> Reply {
    let mut request = app.request(method, path, token);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    Reply::from(request.send().await.unwrap()).await
}

/// The person registers online (consent given, with an Idempotency-Key): registration and
/// delegate token.
pub(crate) async fn self_register(app: &TestApp, conference: &Value, key: &str) -> (Value, String) {
    let reply = with_header(
        app,
        Method::POST,
        &self_path(conference),
        None,
        &[("Idempotency-Key", key)],
        Some(with_consent(json!({
            "full_name": NAME, "position": "Chuyên viên", "category": "enterprise",
            "organization": "Công ty Nhược Quỳnh", "email": EMAIL, "phone": PHONE,
        }))),
    )
    .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
    (
        reply.body["registration"].clone(),
        reply.body["delegate_token"].as_str().unwrap().to_owned(),
    )
}

pub(crate) async fn erase_as_organizer(
    app: &TestApp,
    organizer: &str,
    conference: &Value,
    id: &str,
) -> Reply {
    let path = registration_path(conference, id);
    let current = app.get(&path, Some(organizer)).await;
    assert_eq!(current.status, StatusCode::OK, "{}", current.text);
    let etag = current.header("etag").unwrap().to_owned();
    with_header(
        app,
        Method::POST,
        &format!("{path}/erase"),
        Some(organizer),
        &[("If-Match", &etag)],
        None,
    )
    .await
}

/// Every text, varchar, array, json, jsonb, tsvector and bytea column of every table holding
/// any of `needles` (case-insensitive; bytea byte for byte): "table.column" per hit.
pub(crate) async fn columns_holding(app: &TestApp, needles: &[String]) -> Vec<String> {
    let client = app.db.client().await;
    let columns = client
        .query(
            "SELECT table_name::text, column_name::text, udt_name::text
             FROM information_schema.columns c
             JOIN information_schema.tables t USING (table_schema, table_name)
             WHERE table_schema = 'public' AND t.table_type = 'BASE TABLE'
               AND udt_name IN ('text', 'varchar', 'bpchar', 'json', 'jsonb', 'bytea', 'tsvector',
                                '_text', '_varchar')",
            &[],
        )
        .await
        .unwrap();
    assert!(columns.len() > 40, "the scan sees the whole schema");
    let mut hits = Vec::new();
    for column in columns {
        let (table, name, udt): (String, String, String) =
            (column.get(0), column.get(1), column.get(2));
        let condition = if udt == "bytea" {
            format!("position(convert_to($1, 'UTF8') in \"{name}\") > 0")
        } else {
            format!("strpos(lower(\"{name}\"::text), lower($1)) > 0")
        };
        for needle in needles {
            let sql = format!("SELECT count(*) FROM \"{table}\" WHERE {condition}");
            let found: i64 = client.query_one(&sql, &[needle]).await.unwrap().get(0);
            if found > 0 {
                hits.push(format!("{table}.{name} holds {needle:?}"));
            }
        }
    }
    hits
}

/// The person's values as they may have been stored: as typed, folded, normalised.
pub(crate) fn needles() -> Vec<String> {
    let fold = hoithao::domain::text::fold;
    vec![
        NAME.to_owned(),
        fold(NAME),
        "Nhược".to_owned(),
        "nhuoc".to_owned(),
        EMAIL.to_owned(),
        "nhuocquynh".to_owned(),
        "+84987123456".to_owned(),
        "0987123456".to_owned(),
        "987123456".to_owned(),
        "Công ty Nhược Quỳnh".to_owned(),
    ]
}

/// Every figure a report shows about a conference: attendance by unit, district, category and
/// session, and the substitution list.
pub(crate) async fn reports(app: &TestApp, organizer: &str, conference: &Value) -> Value {
    let cid = conference["id"].as_str().unwrap();
    let attendance = app
        .get(
            format!("/api/v1/conferences/{cid}/attendance"),
            Some(organizer),
        )
        .await;
    assert_eq!(attendance.status, StatusCode::OK, "{}", attendance.text);
    let substitutions = app
        .get(
            format!("/api/v1/conferences/{cid}/substitutions"),
            Some(organizer),
        )
        .await;
    let client = app.db.client().await;
    let by_status: Vec<String> = client
        .query(
            "SELECT status || ':' || category || ':' || coalesce(unit_id::text, '-') || ':' || count(*)
             FROM registrations WHERE conference_id = $1::text::uuid
             GROUP BY status, category, unit_id ORDER BY 1",
            &[&cid],
        )
        .await
        .unwrap()
        .iter()
        .map(|row| row.get(0))
        .collect();
    json!({
        "attendance": attendance.body,
        "substitutions": substitutions.body["items"].as_array().unwrap().len(),
        "registrations": by_status,
    })
}

/// One conference where the person registered online, signed up for a session and was
/// checked in (once undone with a reason naming them).
pub(crate) async fn attended(app: &TestApp, organizer: &str) -> (Door, Value, String) {
    let door = door(app, organizer, json!({"capacity": 100})).await;
    let cid = door.conference["id"].as_str().unwrap().to_owned();
    let session = app
        .session(organizer, &cid, json!({"signup_required": true}))
        .await;
    let (registration, token) = self_register(app, &door.conference, "privacy-key-1").await;
    let signup = with_header(
        app,
        Method::PUT,
        &format!(
            "/api/v1/delegate/registration/sessions/{}",
            session["id"].as_str().unwrap()
        ),
        None,
        &[("x-delegate-token", &token)],
        None,
    )
    .await;
    assert!(signup.status.is_success(), "{}", signup.text);
    let first = scan(
        app,
        &door,
        &door.device,
        by_code(&registration, "2030-07-19T07:45:00+07:00"),
    )
    .await;
    assert_eq!(first.body["outcome"], "ok", "{}", first.text);
    let undone = app
        .post(
            format!(
                "/api/v1/conferences/{cid}/checkins/{}/undo",
                first.body["checkin_id"].as_str().unwrap()
            ),
            Some(organizer),
            json!({"reason": format!("quét nhầm, không phải {NAME}")}),
        )
        .await;
    assert_eq!(undone.status, StatusCode::OK, "{}", undone.text);
    let again = scan(
        app,
        &door,
        &door.device,
        by_code(&registration, "2030-07-19T07:50:00+07:00"),
    )
    .await;
    assert_eq!(again.body["outcome"], "ok", "{}", again.text);
    (door, registration, token)
}

/// A second conference where a unit's contact named the person (with an Idempotency-Key)
/// and then put someone else on the seat.
pub(crate) async fn substituted(app: &TestApp, organizer: &str) -> (Value, String) {
    let conference = app
        .published_conference(organizer, json!({"capacity": null}))
        .await;
    let cid = conference["id"].as_str().unwrap();
    let unit = app
        .post(
            "/api/v1/units",
            Some(organizer),
            json!({"name": "Phòng Kinh tế Tam Đảo", "kind": "agency"}),
        )
        .await;
    let invitation = app
        .post(
            format!("/api/v1/conferences/{cid}/invitations"),
            Some(organizer),
            json!({"unit_id": unit.body["id"], "seats": 2}),
        )
        .await;
    let link = invitation.body["token"].as_str().unwrap().to_owned();
    let named = with_header(
        app,
        Method::POST,
        "/api/v1/invitation/registrations",
        None,
        &[("x-invitation-token", &link), ("Idempotency-Key", "privacy-key-2")],
        Some(json!({"delegates": [{"full_name": NAME, "position": "Trưởng phòng", "category": "agency", "email": EMAIL, "phone": PHONE}]})),
    )
    .await;
    assert_eq!(named.status, StatusCode::CREATED, "{}", named.text);
    let id = named.body[0]["registration"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let replaced = with_header(
        app,
        Method::POST,
        &format!("/api/v1/invitation/registrations/{id}/substitute"),
        None,
        &[("x-invitation-token", &link)],
        Some(json!({"full_name": REPLACEMENT, "category": "agency", "phone": "0912000111"})),
    )
    .await;
    assert_eq!(replaced.status, StatusCode::OK, "{}", replaced.text);
    assert_eq!(
        app.count(&format!(
            "SELECT count(*) FROM registrations WHERE id = '{id}' AND legal_basis = 'unit_contact'"
        ))
        .await,
        1,
        "the new person's basis is the unit contact's entry"
    );
    (conference, id)
}

/// A third conference whose organizer imported the person from a file.
pub(crate) async fn imported(app: &TestApp, organizer: &str) -> (Value, String) {
    let conference = app.conference(organizer, json!({})).await;
    let csv = format!(
        "full_name,position,category,email,phone\n{NAME},Chuyên viên,enterprise,{EMAIL},{PHONE}\n"
    );
    let reply = app
        .request(
            Method::POST,
            &format!(
                "/api/v1/conferences/{}/registration-imports",
                conference["id"].as_str().unwrap()
            ),
            Some(organizer),
        )
        .header("content-type", "text/csv")
        .body(csv)
        .send()
        .await
        .unwrap();
    let reply = Reply::from(reply).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    let client = app.db.client().await;
    let id: String = client
        .query_one(
            "SELECT id::text FROM registrations WHERE conference_id = $1::text::uuid",
            &[&conference["id"].as_str().unwrap()],
        )
        .await
        .unwrap()
        .get(0);
    (conference, id)
}
