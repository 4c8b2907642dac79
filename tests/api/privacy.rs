//! Personal data: consent, a person's own data, erasure everywhere it was copied, retention.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::checkins::{Door, by_code, door, scan};
use crate::helpers::{Reply, TestApp, with_consent};

const NAME: &str = "Khổng Nhược Quỳnh";
const EMAIL: &str = "nhuocquynh.khong@example.vn";
const PHONE: &str = "0987 123 456";
const REPLACEMENT: &str = "Ông Ích Khiêm Tốn";

fn self_path(conference: &Value) -> String {
    format!(
        "/api/v1/conferences/{}/self-registrations",
        conference["id"].as_str().unwrap()
    )
}

fn registration_path(conference: &Value, id: &str) -> String {
    format!(
        "/api/v1/conferences/{}/registrations/{id}",
        conference["id"].as_str().unwrap()
    )
}

async fn with_header(
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
async fn self_register(app: &TestApp, conference: &Value, key: &str) -> (Value, String) {
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

async fn erase_as_organizer(app: &TestApp, organizer: &str, conference: &Value, id: &str) -> Reply {
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
async fn columns_holding(app: &TestApp, needles: &[String]) -> Vec<String> {
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
fn needles() -> Vec<String> {
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
async fn reports(app: &TestApp, organizer: &str, conference: &Value) -> Value {
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
async fn attended(app: &TestApp, organizer: &str) -> (Door, Value, String) {
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
async fn substituted(app: &TestApp, organizer: &str) -> (Value, String) {
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
async fn imported(app: &TestApp, organizer: &str) -> (Value, String) {
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

#[actix_web::test]
async fn erasure_leaves_no_trace_of_the_person_in_any_column_and_every_report_keeps_its_totals() {
    let app = TestApp::spawn().await;
    let organizer = app.organizer("org").await;
    let (door, registration, delegate_token) = attended(&app, &organizer).await;
    let (second, second_id) = substituted(&app, &organizer).await;
    let (third, third_id) = imported(&app, &organizer).await;
    let failed = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({"email": EMAIL, "password": "not the password"}),
        )
        .await;
    assert_eq!(failed.status, StatusCode::UNAUTHORIZED);
    assert!(
        !columns_holding(&app, &needles()).await.is_empty(),
        "the scan finds the person before erasure"
    );
    let before = [
        reports(&app, &organizer, &door.conference).await,
        reports(&app, &organizer, &second).await,
        reports(&app, &organizer, &third).await,
    ];

    let own = app
        .request(Method::GET, "/api/v1/delegate/registration", None)
        .header("x-delegate-token", &delegate_token)
        .send()
        .await
        .unwrap();
    let etag = own.headers()["etag"].to_str().unwrap().to_owned();
    let erased = with_header(
        &app,
        Method::POST,
        "/api/v1/delegate/registration/erase",
        None,
        &[("x-delegate-token", &delegate_token), ("If-Match", &etag)],
        None,
    )
    .await;
    assert_eq!(erased.status, StatusCode::OK, "{}", erased.text);
    for (conference, id) in [(&second, &second_id), (&third, &third_id)] {
        let reply = erase_as_organizer(&app, &organizer, conference, id).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    }

    let hits = columns_holding(&app, &needles()).await;
    assert!(hits.is_empty(), "personal data left behind: {hits:#?}");
    let replacement_hits = columns_holding(&app, &[REPLACEMENT.to_owned()]).await;
    assert!(
        replacement_hits.is_empty(),
        "the seat's later holder is erased with it: {replacement_hits:#?}"
    );
    let after = [
        reports(&app, &organizer, &door.conference).await,
        reports(&app, &organizer, &second).await,
        reports(&app, &organizer, &third).await,
    ];
    assert_eq!(before, after);
    let anonymous = app
        .get(
            registration_path(&door.conference, registration["id"].as_str().unwrap()),
            Some(&organizer),
        )
        .await;
    assert_eq!(anonymous.status, StatusCode::OK);
    assert_eq!(anonymous.body["full_name"], "Đã xoá");
    assert_eq!(anonymous.body["phone"], Value::Null);
    assert_eq!(anonymous.body["category"], "enterprise");
}

#[actix_web::test]
async fn erasure_needs_if_match_and_an_erased_registration_cannot_be_erased_again() {
    let app = TestApp::spawn().await;
    let organizer = app.organizer("org").await;
    let conference = app.published_conference(&organizer, json!({})).await;
    let (registration, delegate_token) = self_register(&app, &conference, "k").await;
    let id = registration["id"].as_str().unwrap();
    let erase = format!("{}/erase", registration_path(&conference, id));

    with_header(&app, Method::POST, &erase, Some(&organizer), &[], None)
        .await
        .assert_problem(428, "precondition_required");
    with_header(
        &app,
        Method::POST,
        &erase,
        Some(&organizer),
        &[("If-Match", "\"99\"")],
        None,
    )
    .await
    .assert_problem(412, "etag_mismatch");
    assert_eq!(
        app.count("SELECT count(*) FROM registrations WHERE erased_at IS NOT NULL")
            .await,
        0
    );
    let first = erase_as_organizer(&app, &organizer, &conference, id).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.text);
    assert_eq!(first.body["registration_id"], id);
    erase_as_organizer(&app, &organizer, &conference, id)
        .await
        .assert_problem(410, "erased");
    let path = registration_path(&conference, id);
    let etag = app
        .get(&path, Some(&organizer))
        .await
        .header("etag")
        .unwrap()
        .to_owned();
    with_header(
        &app,
        Method::PATCH,
        &path,
        Some(&organizer),
        &[("If-Match", &etag)],
        Some(json!({"phone": "0912000999"})),
    )
    .await
    .assert_problem(409, "erased");
    let link = with_header(
        &app,
        Method::GET,
        "/api/v1/delegate/registration",
        None,
        &[("x-delegate-token", &delegate_token)],
        None,
    )
    .await;
    link.assert_problem(404, "not_found");
    let entry = app
        .count(&format!(
            "SELECT count(*) FROM audit_log WHERE entity = 'registrations' AND action = 'erase' \
             AND entity_id = '{id}' AND actor_kind = 'account'"
        ))
        .await;
    assert_eq!(entry, 1, "the erasure is itself recorded");
}

#[actix_web::test]
async fn another_organizers_registration_is_not_found_for_export_and_erasure() {
    let app = TestApp::spawn().await;
    let organizer = app.organizer("org").await;
    let other = app.organizer("other").await;
    let conference = app.published_conference(&organizer, json!({})).await;
    let (registration, _) = self_register(&app, &conference, "k").await;
    let path = registration_path(&conference, registration["id"].as_str().unwrap());

    app.get(format!("{path}/personal-data"), Some(&other))
        .await
        .assert_problem(404, "not_found");
    with_header(
        &app,
        Method::POST,
        &format!("{path}/erase"),
        Some(&other),
        &[("If-Match", "\"1\"")],
        None,
    )
    .await
    .assert_problem(404, "not_found");
    assert_eq!(
        app.count("SELECT count(*) FROM registrations WHERE erased_at IS NOT NULL")
            .await,
        0
    );
}

#[actix_web::test]
async fn the_delegate_downloads_everything_held_about_them_and_only_that() {
    let app = TestApp::spawn().await;
    let organizer = app.organizer("org").await;
    let (door, registration, token) = attended(&app, &organizer).await;
    let other = crate::checkins::register(&app, &door.conference, 5).await;

    let reply = with_header(
        &app,
        Method::GET,
        "/api/v1/delegate/registration/personal-data",
        None,
        &[("x-delegate-token", &token)],
        None,
    )
    .await;

    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    assert_eq!(reply.header("cache-control"), Some("no-store"));
    assert!(
        reply
            .header("content-disposition")
            .unwrap()
            .starts_with("attachment")
    );
    let data = &reply.body;
    assert_eq!(data["registration"]["id"], registration["id"]);
    assert_eq!(data["registration"]["full_name"], NAME);
    assert_eq!(data["registration"]["email"], EMAIL);
    assert_eq!(data["consent"]["legal_basis"], "consent");
    assert_eq!(data["consent"]["notice_version"], 1);
    assert!(data["consent"]["notice_text_vi"].as_str().unwrap().len() > 20);
    assert_eq!(data["session_signups"].as_array().unwrap().len(), 1);
    assert_eq!(data["checkins"].as_array().unwrap().len(), 2);
    assert_eq!(data["notifications"], json!([]));
    assert!(!reply.text.contains(other["full_name"].as_str().unwrap()));

    let organizer_view = app
        .get(
            format!(
                "{}/personal-data",
                registration_path(&door.conference, registration["id"].as_str().unwrap())
            ),
            Some(&organizer),
        )
        .await;
    assert_eq!(organizer_view.status, StatusCode::OK);
    assert_eq!(organizer_view.body, reply.body);
}

#[actix_web::test]
async fn self_registration_without_accepted_consent_is_refused_naming_consent() {
    let app = TestApp::spawn().await;
    let organizer = app.organizer("org").await;
    let conference = app.published_conference(&organizer, json!({})).await;
    let person = json!({"full_name": NAME, "category": "guest", "phone": PHONE});
    let mut refused = person.clone();
    refused["consent"] = json!({"notice_version": 1, "accepted": false});

    for body in [person, refused] {
        let reply = app.post(self_path(&conference), None, body).await;
        reply.assert_problem(422, "validation_failed");
        assert_eq!(reply.error_fields()[0].0, "consent");
    }
    assert_eq!(app.count("SELECT count(*) FROM registrations").await, 0);
}

#[actix_web::test]
async fn a_new_notice_version_refuses_the_old_one_and_earlier_registrations_keep_theirs() {
    let app = TestApp::spawn().await;
    let organizer = app.organizer("org").await;
    let conference = app.published_conference(&organizer, json!({})).await;
    let cid = conference["id"].as_str().unwrap();
    let (first, first_token) = self_register(&app, &conference, "k").await;

    let published = app
        .post(
            format!("/api/v1/conferences/{cid}/privacy-notices"),
            Some(&organizer),
            json!({"text_vi": "Thông báo mới về dữ liệu cá nhân.", "text_en": "A new notice."}),
        )
        .await;
    assert_eq!(published.status, StatusCode::CREATED, "{}", published.text);
    assert_eq!(published.body["version"], 2);
    let current = app
        .get(format!("/api/v1/conferences/{cid}/privacy-notice"), None)
        .await;
    assert_eq!(current.body["version"], 2);
    assert_eq!(current.body["text_en"], "A new notice.");

    let stale = app
        .post(
            self_path(&conference),
            None,
            with_consent(
                json!({"full_name": "Lê Văn Hai", "category": "guest", "phone": "0912000222"}),
            ),
        )
        .await;
    stale.assert_problem(409, "notice_version_not_current");
    let mut fresh = json!({"full_name": "Lê Văn Hai", "category": "guest", "phone": "0912000222"});
    fresh["consent"] = json!({"notice_version": 2, "accepted": true});
    let accepted = app.post(self_path(&conference), None, fresh).await;
    assert_eq!(accepted.status, StatusCode::CREATED, "{}", accepted.text);

    let client = app.db.client().await;
    let versions: Vec<(String, Option<i32>)> = client
        .query(
            "SELECT legal_basis, consent_notice_version FROM registrations ORDER BY number",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|row| (row.get(0), row.get(1)))
        .collect();
    assert_eq!(
        versions,
        vec![
            ("consent".to_owned(), Some(1)),
            ("consent".to_owned(), Some(2))
        ]
    );
    let export = with_header(
        &app,
        Method::GET,
        "/api/v1/delegate/registration/personal-data",
        None,
        &[("x-delegate-token", &first_token)],
        None,
    )
    .await;
    assert_eq!(export.body["consent"]["notice_version"], 1);
    assert_eq!(export.body["registration"]["id"], first["id"]);
}

#[actix_web::test]
async fn registrations_by_organizers_record_their_legal_basis_instead_of_consent() {
    let app = TestApp::spawn().await;
    let organizer = app.organizer("org").await;
    let conference = app.conference(&organizer, json!({})).await;
    let created = app
        .post(
            format!(
                "/api/v1/conferences/{}/registrations",
                conference["id"].as_str().unwrap()
            ),
            Some(&organizer),
            json!({"full_name": NAME, "category": "guest", "phone": PHONE}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    assert_eq!(
        app.count(
            "SELECT count(*) FROM registrations WHERE legal_basis = 'organizer' \
             AND consent_notice_version IS NULL"
        )
        .await,
        1
    );
}

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
