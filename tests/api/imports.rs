use std::time::Instant;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{Reply, TestApp};

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data");

async fn upload(app: &TestApp, token: &str, path: &str, csv: String) -> Reply {
    let response = app
        .request(Method::POST, path, Some(token))
        .header("content-type", "text/csv")
        .body(csv)
        .send()
        .await
        .unwrap();
    Reply::from(response).await
}

async fn with_units(app: &TestApp, token: &str) {
    let units = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/src/seed/units.csv"))
        .unwrap();
    let reply = upload(app, token, "/api/v1/unit-imports", units).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
}

fn imports_path(conference: &Value, dry_run: bool) -> String {
    format!(
        "/api/v1/conferences/{}/registration-imports?dry_run={dry_run}",
        conference["id"].as_str().unwrap()
    )
}

fn sample(name: &str) -> Option<String> {
    std::fs::read_to_string(format!("{DATA}/{name}")).ok()
}

#[actix_web::test]
async fn an_import_with_bad_rows_reports_every_error_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let token = app.organizer("org").await;
    with_units(&app, &token).await;
    let conference = app.conference(&token, json!({})).await;
    let csv = "STT,Họ và tên,Chức vụ,Đơn vị,Thành phần,Điện thoại,Email\n\
               1,,Chuyên viên,Văn phòng Sở Công Thương,agency,0902601815,\n\
               2,Lê Văn Cường,Chuyên viên,Văn phòng Sở Công Thương,agency,12345,\n\
               3,Nguyễn Ngọc Dung,Chuyên viên,Văn phòng Sở Công Thương,agency,,not-an-email\n\
               4,Nguyễn Mạnh Dũng,Chuyên viên,Văn phòng Sở Công Thương,agency,,\n\
               5,Nguyễn Mạnh Trung,Chuyên viên,Đơn vị không tồn tại,agency,0930308246,\n\
               6,Vũ Hồng Vân,Chuyên viên,Văn phòng Sở Công Thương,planet,+84981993518,\n\
               7,Phạm Thị Yến,Phó Giám đốc,Công ty Cổ phần Nhựa Vĩnh Phúc 7,enterprise,+84949487574,\n\
               8,Phạm Thị Yến,Phó Giám đốc,Công ty Cổ phần Nhựa Vĩnh Phúc 7,enterprise,0949 487 574,\n"
        .to_owned();

    let dry = upload(&app, &token, &imports_path(&conference, true), csv.clone()).await;
    let applied = upload(&app, &token, &imports_path(&conference, false), csv).await;

    assert_eq!(dry.status, StatusCode::OK, "{}", dry.text);
    assert_eq!(dry.body["rows"], 8);
    let expected: Vec<(String, String)> = [
        ("rows[1].full_name", "required"),
        ("rows[2].phone", "invalid_phone"),
        ("rows[3].email", "invalid_format"),
        ("rows[4].email", "contact_required"),
        ("rows[5].unit", "unknown_unit"),
        ("rows[6].category", "unknown_category"),
        ("rows[8].phone", "duplicate"),
    ]
    .into_iter()
    .map(|(f, c)| (f.to_owned(), c.to_owned()))
    .collect();
    let dry_errors: Vec<(String, String)> = dry.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["field"].as_str().unwrap().to_owned(),
                e["code"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(dry_errors, expected);
    applied.assert_problem(422, "validation_failed");
    assert_eq!(applied.error_fields(), expected);
    assert_eq!(app.count("SELECT count(*) FROM registrations").await, 0);
    assert_eq!(
        app.count("SELECT registration_seq::bigint FROM conference_seats")
            .await,
        0
    );
}

#[actix_web::test]
async fn the_shared_messy_file_is_rejected_row_by_row() {
    let Some(csv) = sample("delegates-messy.csv") else {
        return;
    };
    let app = TestApp::spawn().await;
    let token = app.organizer("org").await;
    with_units(&app, &token).await;
    let conference = app.conference(&token, json!({})).await;

    let reply = upload(&app, &token, &imports_path(&conference, false), csv).await;

    reply.assert_problem(422, "validation_failed");
    let rows: std::collections::BTreeSet<String> = reply
        .error_fields()
        .into_iter()
        .map(|(f, _)| f.split('.').next().unwrap().to_owned())
        .collect();
    let expected: std::collections::BTreeSet<String> = [1, 2, 3, 4, 5, 6, 7, 9]
        .iter()
        .map(|n| format!("rows[{n}]"))
        .collect();
    assert_eq!(rows, expected);
    assert_eq!(app.count("SELECT count(*) FROM registrations").await, 0);
}

#[actix_web::test]
async fn ten_thousand_delegates_import_whole_with_seats_in_file_order() {
    let Some(csv) = sample("delegates-10k.csv") else {
        return;
    };
    let app = TestApp::spawn().await;
    let token = app.organizer("org").await;
    with_units(&app, &token).await;
    let conference = app
        .conference(&token, json!({"capacity": 9000, "waitlist_enabled": true}))
        .await;

    let started = Instant::now();
    let reply = upload(&app, &token, &imports_path(&conference, false), csv).await;
    eprintln!("imported 10,000 delegates in {:?}", started.elapsed());

    assert_eq!(
        reply.status,
        StatusCode::OK,
        "{}",
        &reply.text[..reply.text.len().min(2000)]
    );
    assert_eq!(reply.body["created"], 10_000);
    assert_eq!(
        app.count("SELECT count(*) FROM registrations WHERE status = 'confirmed'")
            .await,
        9000
    );
    assert_eq!(
        app.count(
            "SELECT count(*) FROM registrations WHERE status = 'waitlisted' AND number > 9000"
        )
        .await,
        1000
    );
    assert_eq!(
        app.count("SELECT confirmed_count::bigint FROM conference_seats")
            .await,
        9000
    );
    assert_eq!(
        app.count(
            "SELECT count(*) FROM registrations WHERE phone IS NOT NULL AND phone !~ '^\\+84'"
        )
        .await,
        0
    );
}

#[actix_web::test]
async fn an_xlsx_workbook_imports_like_a_csv_file() {
    let app = TestApp::spawn().await;
    let token = app.organizer("org").await;
    with_units(&app, &token).await;
    let conference = app.conference(&token, json!({})).await;
    let workbook = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/delegates.xlsx"
    ))
    .unwrap();

    let response = app
        .request(
            Method::POST,
            &imports_path(&conference, false),
            Some(&token),
        )
        .header(
            "content-type",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        .body(workbook)
        .send()
        .await
        .unwrap();
    let reply = Reply::from(response).await;

    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    assert_eq!(reply.body["created"], 3);
    // Spreadsheets drop the leading zero of phone numbers typed as numbers.
    assert_eq!(
        app.count("SELECT count(*) FROM registrations WHERE phone = '+84839603082'")
            .await,
        1
    );
    assert_eq!(
        app.count("SELECT count(*) FROM registrations WHERE category = 'enterprise'")
            .await,
        2
    );
}

#[actix_web::test]
async fn a_broken_workbook_is_a_400() {
    let app = TestApp::spawn().await;
    let token = app.organizer("org").await;
    let conference = app.conference(&token, json!({})).await;

    let response = app
        .request(Method::POST, &imports_path(&conference, true), Some(&token))
        .header(
            "content-type",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        .body(b"not a zip file".to_vec())
        .send()
        .await
        .unwrap();

    Reply::from(response)
        .await
        .assert_problem(400, "invalid_xlsx");
}

#[actix_web::test]
async fn a_workbook_with_a_far_away_cell_is_refused_without_allocating_its_rectangle() {
    let app = TestApp::spawn().await;
    let token = app.organizer("org").await;
    let conference = app.conference(&token, json!({})).await;
    let workbook = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/far-cell.xlsx"
    ))
    .unwrap();

    let response = app
        .request(Method::POST, &imports_path(&conference, true), Some(&token))
        .header(
            "content-type",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        .body(workbook)
        .send()
        .await
        .unwrap();

    Reply::from(response)
        .await
        .assert_problem(413, "payload_too_large");
}
