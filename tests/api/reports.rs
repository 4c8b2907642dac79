//! The attendance and coverage report, its workbook and charts, checked against a fixture with
//! known counts: communes and a district office rolling up into their district, a district
//! invited that nobody came from, a substitution, no-shows, an undone scan, a delegate without
//! a unit, two days and two sessions.

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

fn figures(value: &Value) -> [i64; 4] {
    ["invited_seats", "registered", "confirmed", "attended"].map(|k| value[k].as_i64().unwrap())
}

fn by_key<'a>(items: &'a Value, key: &str, value: &str) -> &'a Value {
    items
        .as_array()
        .unwrap()
        .iter()
        .find(|item| item[key] == value)
        .unwrap_or_else(|| panic!("no {key} = {value} in {items}"))
}

async fn report(app: &TestApp, f: &Fixture) -> Value {
    let reply = app
        .get(
            format!("/api/v1/conferences/{}/reports/attendance", f.cid),
            Some(&f.organizer),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    assert_eq!(reply.header("cache-control"), Some("no-store"));
    reply.body
}

#[actix_web::test]
async fn the_report_counts_every_unit_kind_district_session_and_day_of_the_fixture() {
    let app = TestApp::spawn().await;
    let f = fixture(&app).await;

    let r = report(&app, &f).await;

    assert_eq!(figures(&r["totals"]), [10, 7, 7, 4]);
    assert_eq!(
        figures(by_key(&r["by_unit"], "name", "Xã Hợp Châu")),
        [3, 2, 2, 1]
    );
    assert_eq!(
        figures(by_key(&r["by_unit"], "name", "Phòng Kinh tế huyện Tam Đảo")),
        [2, 1, 1, 1]
    );
    assert_eq!(
        figures(by_key(&r["by_unit"], "name", "Sở Công Thương")),
        [3, 2, 2, 1]
    );
    assert_eq!(
        figures(by_key(&r["by_unit"], "name", "Huyện Lập Thạch")),
        [2, 1, 1, 0]
    );
    assert_eq!(r["by_unit"].as_array().unwrap().len(), 4);
    let agency = by_key(&r["by_unit"], "name", "Sở Công Thương");
    assert_eq!(
        agency["sessions"],
        json!([{"session_id": f.session_one["id"], "attended": 1}])
    );
    assert_eq!(
        by_key(&r["by_unit"], "name", "Xã Hợp Châu")["district_name"],
        "Huyện Tam Đảo"
    );

    assert_eq!(
        figures(by_key(&r["by_unit_kind"], "kind", "commune")),
        [3, 2, 2, 1]
    );
    assert_eq!(
        figures(by_key(&r["by_unit_kind"], "kind", "agency")),
        [5, 3, 3, 2]
    );
    assert_eq!(
        figures(by_key(&r["by_unit_kind"], "kind", "district")),
        [2, 1, 1, 0]
    );
    assert_eq!(
        figures(by_key(&r["by_unit_kind"], "kind", "none")),
        [0, 1, 1, 1]
    );

    let tam_dao = by_key(&r["by_district"], "name", "Huyện Tam Đảo");
    assert_eq!(
        figures(tam_dao),
        [5, 3, 3, 2],
        "the commune and the office roll up"
    );
    assert_eq!(tam_dao["units"], 2);
    assert_eq!(tam_dao["district_id"], f.tam_dao["id"]);
    assert_eq!(
        figures(by_key(&r["by_district"], "name", "Huyện Lập Thạch")),
        [2, 1, 1, 0]
    );
    assert_eq!(
        by_key(&r["by_district"], "name", "Huyện Lập Thạch")["district_id"],
        f.lap_thach["id"]
    );

    assert_eq!(by_key(&r["by_session"], "title", "Khai mạc")["attended"], 1);
    assert_eq!(
        by_key(&r["by_session"], "title", "Thảo luận sản xuất sạch hơn")["attended"],
        0
    );
    assert_eq!(r["by_session"][1]["session_id"], f.session_two["id"]);
    assert_eq!(
        r["by_day"],
        json!([{"date": "2030-07-19", "attended": 3}, {"date": "2030-07-20", "attended": 1}])
    );

    assert_eq!(
        r["coverage"],
        json!({"invited_units": 4, "invited_units_present": 3, "invited_units_share": 0.75,
               "invited_districts": 2, "invited_districts_present": 1, "invited_districts_share": 0.5})
    );
    let mut no_shows: Vec<&str> = r["no_shows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["full_name"].as_str().unwrap())
        .collect();
    no_shows.sort_unstable();
    assert_eq!(
        no_shows,
        ["Nguyễn Văn Huyện", "Phạm Văn Vắng", "Đỗ Thị Hương"]
    );
    assert_eq!(r["substitutions"].as_array().unwrap().len(), 1);
    assert_eq!(r["substitutions"][0]["previous_name"], "Trần Văn Xã");
    assert_eq!(r["substitutions"][0]["new_name"], "Trần Thị Thay");
}

#[actix_web::test]
async fn the_report_agrees_with_the_live_attendance_summary() {
    let app = TestApp::spawn().await;
    let f = fixture(&app).await;

    let r = report(&app, &f).await;
    let live = app
        .get(
            format!("/api/v1/conferences/{}/attendance", f.cid),
            Some(&f.organizer),
        )
        .await;

    assert_eq!(live.status, StatusCode::OK, "{}", live.text);
    assert_eq!(r["totals"]["confirmed"], live.body["confirmed"]);
    assert_eq!(r["totals"]["attended"], live.body["checked_in"]);
    for count in live.body["by_unit_kind"].as_array().unwrap() {
        let ours = by_key(&r["by_unit_kind"], "kind", count["key"].as_str().unwrap());
        assert_eq!(ours["confirmed"], count["confirmed"], "{count}");
        assert_eq!(ours["attended"], count["checked_in"], "{count}");
    }
    assert_eq!(
        r["by_unit_kind"].as_array().unwrap().len(),
        live.body["by_unit_kind"].as_array().unwrap().len()
    );
    for count in live.body["by_district"].as_array().unwrap() {
        let ours = by_key(
            &r["by_district"],
            "district_id",
            count["key"].as_str().unwrap(),
        );
        assert_eq!(ours["confirmed"], count["confirmed"], "{count}");
        assert_eq!(ours["attended"], count["checked_in"], "{count}");
    }
    assert_eq!(
        r["by_district"].as_array().unwrap().len(),
        live.body["by_district"].as_array().unwrap().len()
    );
    for session in live.body["sessions"].as_array().unwrap() {
        let ours = by_key(
            &r["by_session"],
            "session_id",
            session["session_id"].as_str().unwrap(),
        );
        assert_eq!(ours["attended"], session["checked_in"], "{session}");
    }
}

#[actix_web::test]
async fn the_report_workbook_has_the_reports_sheets_and_counts_in_vietnamese() {
    let app = TestApp::spawn().await;
    let f = fixture(&app).await;

    let (status, headers, bytes) = download(
        &app,
        &f.organizer,
        &format!("/api/v1/conferences/{}/reports/attendance.xlsx", f.cid),
    )
    .await;

    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["cache-control"], "no-store");
    assert!(
        headers["content-disposition"]
            .to_str()
            .unwrap()
            .contains("filename*=UTF-8''B%C3%A1o%20c%C3%A1o%20tham%20d%E1%BB%B1")
    );
    assert_eq!(
        sheet_names(&bytes),
        [
            "Tổng hợp",
            "Theo đơn vị",
            "Theo loại đơn vị",
            "Theo huyện",
            "Theo phiên",
            "Vắng mặt",
            "Thay thế",
            "Biểu đồ"
        ]
    );
    for part in [
        "xl/charts/chart1.xml",
        "xl/charts/chart2.xml",
        "xl/charts/chart3.xml",
    ] {
        let name = part.as_bytes();
        assert!(
            bytes.windows(name.len()).any(|w| w == name),
            "{part}: a native chart per SVG chart"
        );
    }
    let districts = sheet(&bytes, "Theo huyện");
    assert_eq!(
        districts[0],
        [
            "Huyện",
            "Số đơn vị",
            "Số chỗ được mời",
            "Đăng ký",
            "Đã xác nhận",
            "Có mặt"
        ]
    );
    assert!(districts.contains(&vec![
        "Huyện Tam Đảo".to_owned(),
        "2".into(),
        "5".into(),
        "3".into(),
        "3".into(),
        "2".into()
    ]));
    assert!(districts.contains(&vec![
        "Huyện Lập Thạch".to_owned(),
        "1".into(),
        "2".into(),
        "1".into(),
        "1".into(),
        "0".into()
    ]));
    let summary = sheet(&bytes, "Tổng hợp");
    assert!(
        summary.contains(&vec!["Có mặt".to_owned(), "4".into()]),
        "{summary:?}"
    );
    assert!(
        summary.contains(&vec!["Có mặt ngày 2030-07-20".to_owned(), "1".into()]),
        "{summary:?}"
    );
    assert_eq!(sheet(&bytes, "Vắng mặt").len(), 1 + 3);
    let substitutions = sheet(&bytes, "Thay thế");
    assert_eq!(substitutions.len(), 2);
    assert!(
        substitutions[1].contains(&"Trần Văn Xã".to_owned())
            && substitutions[1].contains(&"Trần Thị Thay".to_owned())
    );
}

/// The `<rect>` fills and the `<text>` contents of an SVG, read as XML.
fn svg_parts(svg: &[u8]) -> (Vec<String>, Vec<String>) {
    let mut reader = quick_xml::Reader::from_reader(svg);
    let (mut fills, mut texts) = (Vec::new(), Vec::new());
    let mut in_text = false;
    let mut buf = Vec::new();
    loop {
        match reader.read_event_into(&mut buf).expect("well-formed XML") {
            quick_xml::events::Event::Start(e) | quick_xml::events::Event::Empty(e) => {
                if e.name().as_ref() == b"rect" {
                    let fill = e.try_get_attribute("fill").unwrap().unwrap();
                    fills.push(String::from_utf8(fill.value.to_vec()).unwrap());
                }
                in_text = e.name().as_ref() == b"text";
            }
            quick_xml::events::Event::Text(t) if in_text => {
                texts.push(t.decode().unwrap().trim().to_owned());
            }
            quick_xml::events::Event::GeneralRef(r) if in_text => {
                // An escaped character inside a label: keep it with the text it belongs to.
                let name: &[u8] = &r;
                let entity = match name {
                    b"amp" => "&",
                    b"lt" => "<",
                    b"gt" => ">",
                    b"quot" => "\"",
                    _ => "'",
                };
                if let Some(last) = texts.last_mut() {
                    last.push_str(entity);
                }
            }
            quick_xml::events::Event::End(_) => in_text = false,
            quick_xml::events::Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    (fills, texts)
}

const ATTENDED: &str = "#2171B5";
const CONFIRMED: &str = "#C6DBEF";

async fn chart(app: &TestApp, f: &Fixture, name: &str, query: &str) -> (Vec<String>, Vec<String>) {
    let (status, headers, bytes) = download(
        app,
        &f.organizer,
        &format!(
            "/api/v1/conferences/{}/reports/charts/{name}.svg{query}",
            f.cid
        ),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&bytes)
    );
    assert_eq!(headers["content-type"], "image/svg+xml");
    assert_eq!(headers["cache-control"], "no-store");
    svg_parts(&bytes)
}

fn count(fills: &[String], color: &str) -> usize {
    fills.iter().filter(|f| f.as_str() == color).count()
}

#[actix_web::test]
async fn the_district_chart_has_a_bar_per_district_with_vietnamese_labels_and_counts() {
    let app = TestApp::spawn().await;
    let f = fixture(&app).await;

    let (fills, texts) = chart(&app, &f, "districts", "").await;

    assert_eq!(count(&fills, ATTENDED), 2);
    assert_eq!(count(&fills, CONFIRMED), 2);
    assert!(texts.contains(&"Huyện Tam Đảo".to_owned()), "{texts:?}");
    assert!(texts.contains(&"Huyện Lập Thạch".to_owned()), "{texts:?}");
    assert!(texts.contains(&"2 / 3".to_owned()), "{texts:?}");
    assert!(texts.contains(&"0 / 1".to_owned()), "{texts:?}");
    assert!(
        texts.iter().any(|t| t.starts_with("Tham dự theo huyện")),
        "{texts:?}"
    );
}

#[actix_web::test]
async fn the_unit_kind_and_session_charts_have_a_bar_per_kind_and_per_session() {
    let app = TestApp::spawn().await;
    let f = fixture(&app).await;

    let (kind_fills, kind_texts) = chart(&app, &f, "unit-kinds", "").await;
    let (session_fills, session_texts) = chart(&app, &f, "sessions", "?lang=en").await;

    assert_eq!(count(&kind_fills, ATTENDED), 4);
    for label in ["Xã", "Cơ quan", "Huyện", "Không thuộc đơn vị"] {
        assert!(
            kind_texts.contains(&label.to_owned()),
            "{label} in {kind_texts:?}"
        );
    }
    assert_eq!(count(&session_fills, ATTENDED), 2);
    assert_eq!(
        count(&session_fills, CONFIRMED),
        0,
        "no confirmed count per session"
    );
    assert!(
        session_texts.contains(&"Khai mạc".to_owned()),
        "{session_texts:?}"
    );
    assert!(session_texts.contains(&"Thảo luận sản xuất sạch hơn".to_owned()));
    assert!(
        session_texts
            .iter()
            .any(|t| t.starts_with("Attendance by session")),
        "{session_texts:?}"
    );
}
