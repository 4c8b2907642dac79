//! Printed documents, opened with real readers: XLSX with calamine, PDF with poppler's
//! `pdftotext` and `pdfinfo`.

use std::io::Cursor;
use std::process::Command;

use calamine::{Data, Reader, Xlsx};
use reqwest::StatusCode;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::{Reply, TestApp};

mod badges;
mod certificates;
mod sheets;

/// A published conference with three units (an agency, a district and one of its communes)
/// and seven confirmed delegates: two of the agency, one of the district, three of the
/// commune and one of no unit; an eighth, cancelled. Two came in at the door.
struct Fixture {
    organizer: String,
    cid: String,
    agency: String,
    district: String,
    /// Full name → registration id.
    people: Vec<(String, String)>,
}

impl Fixture {
    fn id(&self, name: &str) -> &str {
        &self.people.iter().find(|(n, _)| n == name).unwrap().1
    }
}

async fn unit(app: &TestApp, organizer: &str, body: Value) -> String {
    let reply = app.post("/api/v1/units", Some(organizer), body).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
    reply.body["id"].as_str().unwrap().to_owned()
}

async fn fixture(app: &TestApp) -> Fixture {
    let organizer = app.organizer("org").await;
    let conference = app
        .published_conference(
            &organizer,
            json!({"code": "sxsh-2030", "venue_name": "Trung tâm Khuyến công Vĩnh Phúc",
                   "host_organization": "Sở Công Thương Vĩnh Phúc"}),
        )
        .await;
    let cid = conference["id"].as_str().unwrap().to_owned();
    let agency = unit(
        app,
        &organizer,
        json!({"name": "Sở Công Thương", "kind": "agency"}),
    )
    .await;
    let district = unit(
        app,
        &organizer,
        json!({"name": "Huyện Tam Dương", "kind": "district"}),
    )
    .await;
    let commune = unit(
        app,
        &organizer,
        json!({"name": "Xã Kim Long", "kind": "commune", "parent_id": district}),
    )
    .await;
    let people = [
        ("Trần Thị Hường", Some(&agency), "Phó Giám đốc"),
        ("Đỗ Văn Bình", Some(&agency), "Chuyên viên"),
        ("Nguyễn Văn An", Some(&district), "Trưởng phòng Kinh tế"),
        ("Lê Thị Đào", Some(&commune), "Chủ tịch UBND xã"),
        ("Phạm Văn Đức", Some(&commune), "Công chức"),
        ("Đỗ Thị Em", Some(&commune), "Công chức"),
        ("Hoàng Văn Giang", None, "Phóng viên"),
        ("Vũ Văn Hủy", Some(&agency), "Chuyên viên"),
    ];
    let mut ids = Vec::new();
    for (n, (name, unit_id, position)) in people.into_iter().enumerate() {
        let reply = app
            .post(
                format!("/api/v1/conferences/{cid}/registrations"),
                Some(&organizer),
                json!({"full_name": name, "position": position, "unit_id": unit_id,
                       "organization": if unit_id.is_none() { Some("Báo Vĩnh Phúc") } else { None },
                       "category": "agency", "phone": format!("09{:08}", n + 1)}),
            )
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
        assert_eq!(reply.body["registration"]["status"], "confirmed");
        ids.push((
            name.to_owned(),
            reply.body["registration"]["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        ));
    }
    let fixture = Fixture {
        organizer,
        cid,
        agency,
        district,
        people: ids,
    };
    let cancelled = app
        .post(
            format!(
                "/api/v1/conferences/{}/registrations/{}/cancel",
                fixture.cid,
                fixture.id("Vũ Văn Hủy")
            ),
            Some(&fixture.organizer),
            json!({}),
        )
        .await;
    assert_eq!(cancelled.status, StatusCode::OK, "{}", cancelled.text);
    for name in ["Nguyễn Văn An", "Trần Thị Hường"] {
        check_in(app, &fixture, name, None).await;
    }
    fixture
}

/// Records an entry from a paper sheet at 08:05 local time (the door, or a session).
async fn check_in(app: &TestApp, fixture: &Fixture, name: &str, session: Option<&str>) {
    let reply = app
        .post(
            format!("/api/v1/conferences/{}/checkin-backfills", fixture.cid),
            Some(&fixture.organizer),
            json!({"registration_id": fixture.id(name), "session_id": session, "direction": "in",
                   "nonce": Uuid::new_v4(), "occurred_at": "2030-07-19T08:05:00+07:00"}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    assert_eq!(reply.body["outcome"], "ok", "{}", reply.text);
}

async fn download(app: &TestApp, token: &str, path: &str) -> (reqwest::header::HeaderMap, Vec<u8>) {
    let response = app
        .request(reqwest::Method::GET, path, Some(token))
        .send()
        .await
        .unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.bytes().await.unwrap().to_vec();
    assert_eq!(
        status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&bytes)
    );
    (headers, bytes)
}

/// The first column of every row of the first sheet, and the rows themselves.
fn xlsx_rows(bytes: Vec<u8>) -> Vec<Vec<String>> {
    let mut workbook: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).unwrap();
    let range = workbook.worksheet_range_at(0).unwrap().unwrap();
    range
        .rows()
        .map(|row| {
            row.iter()
                .map(|cell| match cell {
                    Data::Float(f) => format!("{f}"),
                    Data::Empty => String::new(),
                    other => other.to_string(),
                })
                .collect()
        })
        .collect()
}

fn pdf_file(bytes: &[u8]) -> std::path::PathBuf {
    assert!(bytes.starts_with(b"%PDF-"));
    let path = std::env::temp_dir().join(format!("hoithao-printout-{}.pdf", Uuid::new_v4()));
    std::fs::write(&path, bytes).unwrap();
    path
}

/// The text of a PDF as poppler extracts it.
fn pdf_text(bytes: &[u8]) -> String {
    let path = pdf_file(bytes);
    let out = Command::new("pdftotext")
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) is installed");
    std::fs::remove_file(&path).ok();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// The page count poppler reads.
fn pdf_pages(bytes: &[u8]) -> usize {
    let path = pdf_file(bytes);
    let out = Command::new("pdfinfo").arg(&path).output().unwrap();
    std::fs::remove_file(&path).ok();
    let info = String::from_utf8(out.stdout).unwrap();
    info.lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .unwrap()
        .trim()
        .parse()
        .unwrap()
}

async fn codes(app: &TestApp) -> Vec<String> {
    app.db
        .client()
        .await
        .query("SELECT code FROM certificates ORDER BY code", &[])
        .await
        .unwrap()
        .iter()
        .map(|r| r.get::<_, String>(0))
        .collect()
}

fn verify_path(code: &str) -> String {
    format!("/api/v1/certificates/{code}")
}
