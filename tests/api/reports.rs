//! The attendance and coverage report, its workbook and charts, checked against the fixture of
//! `report_fixture` with known counts.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::TestApp;
use crate::report_fixture::{Fixture, download, fixture, sheet, sheet_names};

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
