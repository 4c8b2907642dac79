//! What the check-in app calls around its device token: the pairing QR an organizer shows,
//! the device's own profile, and undo of the device's own scan.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::{Reply, TestApp};

/// A registered device: its id and its token (shown once).
struct NewDevice {
    id: String,
    token: String,
}

async fn new_device(app: &TestApp, organizer: &str, conference: &Value, body: Value) -> NewDevice {
    let reply = app
        .post(
            format!(
                "/api/v1/conferences/{}/devices",
                conference["id"].as_str().unwrap()
            ),
            Some(organizer),
            body,
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
    NewDevice {
        id: reply.body["device"]["id"].as_str().unwrap().to_owned(),
        token: reply.body["token"].as_str().unwrap().to_owned(),
    }
}

fn pairing_path(conference: &Value, device_id: &str) -> String {
    format!(
        "/api/v1/conferences/{}/devices/{device_id}/pairing-qr",
        conference["id"].as_str().unwrap()
    )
}

/// A conference running from an hour ago to an hour from now, in a time zone where now is
/// about midday, so "today at the door" never straddles local midnight whenever the suite runs.
fn happening_now() -> Value {
    use chrono::Timelike;
    let now = chrono::Utc::now();
    let east = 12 - now.hour() as i32;
    let time_zone = match east {
        0 => "Etc/UTC".to_owned(),
        // IANA's Etc zones are named with the sign reversed: Etc/GMT-7 is UTC+7.
        e if e > 0 => format!("Etc/GMT-{e}"),
        w => format!("Etc/GMT+{}", -w),
    };
    json!({
        "capacity": null, "waitlist_enabled": false, "time_zone": time_zone,
        "starts_at": (now - chrono::Duration::hours(1)).to_rfc3339(),
        "ends_at": (now + chrono::Duration::hours(1)).to_rfc3339(),
    })
}

async fn register(app: &TestApp, conference: &Value, n: usize) -> Value {
    let reply = app
        .post(
            format!("/api/v1/conferences/{}/self-registrations", conference["id"].as_str().unwrap()),
            None,
            crate::helpers::with_consent(json!({"full_name": format!("Nguyễn Văn {n}"), "category": "agency", "phone": format!("09{n:08}")})),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
    reply.body["registration"].clone()
}

async fn scan_now(app: &TestApp, conference: &Value, token: &str, delegate: &Value) -> Reply {
    app.post(
        format!(
            "/api/v1/conferences/{}/checkins",
            conference["id"].as_str().unwrap()
        ),
        Some(token),
        json!({"code": delegate["qr_payload"], "direction": "in", "nonce": Uuid::new_v4(),
               "occurred_at": chrono::Utc::now().to_rfc3339()}),
    )
    .await
}

/// Reads the SVG the `qrcode` crate writes (one `path` of unit squares `M{x} {y}h1v1h-1z`, or
/// `rect`s) into a greyscale raster, 4 pixels a module, and decodes it with `rqrr`.
fn decode_svg_qr(svg: &str) -> String {
    let mut reader = quick_xml::Reader::from_str(svg);
    let (mut width, mut height) = (0usize, 0usize);
    let mut squares: Vec<(f64, f64, f64, f64)> = Vec::new();
    loop {
        match reader.read_event().expect("well-formed XML") {
            quick_xml::events::Event::Start(e) | quick_xml::events::Event::Empty(e) => {
                let attr = |name: &[u8]| {
                    e.attributes()
                        .flatten()
                        .find(|a| a.key.as_ref() == name)
                        .map(|a| String::from_utf8(a.value.to_vec()).unwrap())
                };
                match e.name().as_ref() {
                    b"svg" => {
                        width = attr(b"width").unwrap().parse().unwrap();
                        height = attr(b"height").unwrap().parse().unwrap();
                    }
                    b"path" if attr(b"fill").as_deref() != Some("#fff") => {
                        squares.extend(path_squares(&attr(b"d").unwrap()));
                    }
                    b"rect" if attr(b"fill").as_deref() != Some("#fff") => {
                        let n = |k: &[u8]| attr(k).map_or(0.0, |v| v.parse::<f64>().unwrap());
                        squares.push((n(b"x"), n(b"y"), n(b"width"), n(b"height")));
                    }
                    _ => {}
                }
            }
            quick_xml::events::Event::Eof => break,
            _ => {}
        }
    }
    assert!(width > 0 && !squares.is_empty(), "an SVG with dark modules");
    let mut pixels = vec![255u8; width * height];
    for (x, y, w, h) in squares {
        for py in y as usize..(y + h) as usize {
            for px in x as usize..(x + w) as usize {
                pixels[py * width + px] = 0;
            }
        }
    }
    let mut image =
        rqrr::PreparedImage::prepare_from_greyscale(width, height, |x, y| pixels[y * width + x]);
    let grids = image.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code in the image");
    grids[0].decode().unwrap().1
}

/// The squares of a path made of `M{x} {y}h{w}v{h}h-{w}z` (absolute move, relative lines).
fn path_squares(d: &str) -> Vec<(f64, f64, f64, f64)> {
    d.split('M')
        .filter(|s| !s.trim().is_empty())
        .map(|part| {
            let numbers: Vec<f64> = part
                .split(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-'))
                .filter(|s| !s.is_empty())
                .map(|s| s.parse().unwrap())
                .collect();
            (numbers[0], numbers[1], numbers[2], numbers[3])
        })
        .collect()
}

#[actix_web::test]
async fn the_pairing_qr_is_an_uncached_svg_that_decodes_to_the_device_token() {
    let app = TestApp::spawn().await;
    let organizer = app.organizer("org").await;
    let conference = app.published_conference(&organizer, json!({})).await;
    let device = new_device(&app, &organizer, &conference, json!({"name": "Cửa chính"})).await;

    let reply = app
        .request(
            Method::POST,
            &pairing_path(&conference, &device.id),
            Some(&organizer),
        )
        .json(&json!({"token": device.token}))
        .send()
        .await
        .unwrap();

    assert_eq!(reply.status(), StatusCode::OK);
    assert_eq!(reply.headers()["content-type"], "image/svg+xml");
    assert_eq!(reply.headers()["cache-control"], "no-store");
    let svg = reply.text().await.unwrap();
    assert_eq!(decode_svg_qr(&svg), device.token);
}

#[actix_web::test]
async fn the_pairing_qr_renders_only_the_token_of_that_live_device() {
    let app = TestApp::spawn().await;
    let organizer = app.organizer("org").await;
    let conference = app.published_conference(&organizer, json!({})).await;
    let first = new_device(&app, &organizer, &conference, json!({"name": "Cửa 1"})).await;
    let second = new_device(&app, &organizer, &conference, json!({"name": "Cửa 2"})).await;

    let swapped = app
        .post(
            pairing_path(&conference, &first.id),
            Some(&organizer),
            json!({"token": second.token}),
        )
        .await;
    let arbitrary = app
        .post(
            pairing_path(&conference, &first.id),
            Some(&organizer),
            json!({"token": "https://evil.example/"}),
        )
        .await;
    let revoke = app
        .post(
            format!(
                "/api/v1/conferences/{}/devices/{}/revoke",
                conference["id"].as_str().unwrap(),
                first.id
            ),
            Some(&organizer),
            json!({}),
        )
        .await;
    assert_eq!(revoke.status, StatusCode::OK);
    let revoked = app
        .post(
            pairing_path(&conference, &first.id),
            Some(&organizer),
            json!({"token": first.token}),
        )
        .await;

    for reply in [&swapped, &arbitrary, &revoked] {
        reply.assert_problem(422, "validation_failed");
        assert_eq!(
            reply.error_fields(),
            vec![("token".to_owned(), "not_this_device".to_owned())]
        );
    }
}

#[actix_web::test]
async fn another_organizer_gets_404_for_a_pairing_qr_and_no_image() {
    let app = TestApp::spawn().await;
    let organizer = app.organizer("org").await;
    let conference = app.published_conference(&organizer, json!({})).await;
    let device = new_device(&app, &organizer, &conference, json!({"name": "Cửa chính"})).await;
    let stranger = app.organizer("other").await;

    let reply = app
        .post(
            pairing_path(&conference, &device.id),
            Some(&stranger),
            json!({"token": device.token}),
        )
        .await;
    let anonymous = app
        .post(
            pairing_path(&conference, &device.id),
            None,
            json!({"token": device.token}),
        )
        .await;

    reply.assert_problem(404, "not_found");
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
}

#[actix_web::test]
async fn the_raw_device_token_is_stored_nowhere_and_rendering_it_does_not_mark_the_device_seen() {
    let app = TestApp::spawn().await;
    let organizer = app.organizer("org").await;
    let conference = app.published_conference(&organizer, json!({})).await;
    let device = new_device(&app, &organizer, &conference, json!({"name": "Cửa chính"})).await;

    let reply = app
        .post(
            pairing_path(&conference, &device.id),
            Some(&organizer),
            json!({"token": device.token}),
        )
        .await;

    assert_eq!(reply.status, StatusCode::OK);
    let secret = device.token.trim_start_matches("hdv_");
    for table in ["checkin_devices", "audit_log"] {
        assert_eq!(
            app.count(&format!(
                "SELECT count(*) FROM {table} t WHERE strpos(row_to_json(t)::text, '{secret}') > 0"
            ))
            .await,
            0,
            "{table} holds the raw token"
        );
    }
    assert_eq!(
        app.count(&format!(
            "SELECT count(*) FROM checkin_devices WHERE id = '{}' AND last_seen_at IS NULL",
            device.id
        ))
        .await,
        1
    );
}

#[actix_web::test]
async fn the_device_profile_names_its_conference_and_only_the_sessions_it_serves() {
    let app = TestApp::spawn().await;
    let organizer = app.organizer("org").await;
    let conference = app
        .published_conference(&organizer, json!({"time_zone": "Asia/Ho_Chi_Minh"}))
        .await;
    let cid = conference["id"].as_str().unwrap();
    let opening = app
        .session(&organizer, cid, json!({"title": "Khai mạc"}))
        .await;
    let _film = app
        .session(&organizer, cid, json!({"title": "Chiếu phim", "starts_at": "2030-07-19T09:00:00+07:00", "ends_at": "2030-07-19T09:30:00+07:00"}))
        .await;
    let limited = new_device(
        &app,
        &organizer,
        &conference,
        json!({"name": "Hội trường", "session_ids": [opening["id"]]}),
    )
    .await;
    let door = new_device(
        &app,
        &organizer,
        &conference,
        json!({"name": "Cửa chính", "gate": "A"}),
    )
    .await;

    let limited_view = app.get("/api/v1/device", Some(&limited.token)).await;
    let door_view = app.get("/api/v1/device", Some(&door.token)).await;

    assert_eq!(limited_view.status, StatusCode::OK, "{}", limited_view.text);
    assert_eq!(limited_view.header("cache-control"), Some("no-store"));
    assert_eq!(limited_view.body["device"]["name"], "Hội trường");
    assert_eq!(
        limited_view.body["device"]["session_ids"],
        json!([opening["id"]])
    );
    assert_eq!(limited_view.body["conference"]["id"], conference["id"]);
    assert_eq!(
        limited_view.body["conference"]["title"],
        conference["title"]
    );
    assert_eq!(
        limited_view.body["conference"]["time_zone"],
        "Asia/Ho_Chi_Minh"
    );
    assert_eq!(limited_view.body["checkin_window_margin_minutes"], 60);
    let titles = |reply: &Reply| -> Vec<String> {
        reply.body["sessions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["title"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(titles(&limited_view), vec!["Khai mạc"]);
    assert_eq!(titles(&door_view), vec!["Khai mạc", "Chiếu phim"]);
    assert_eq!(door_view.body["device"]["gate"], "A");
    assert_eq!(door_view.body["device"]["session_ids"], json!([]));
}

#[actix_web::test]
async fn the_device_profile_refuses_a_revoked_token_and_no_token() {
    let app = TestApp::spawn().await;
    let organizer = app.organizer("org").await;
    let conference = app.published_conference(&organizer, json!({})).await;
    let device = new_device(&app, &organizer, &conference, json!({"name": "Cửa chính"})).await;
    app.post(
        format!(
            "/api/v1/conferences/{}/devices/{}/revoke",
            conference["id"].as_str().unwrap(),
            device.id
        ),
        Some(&organizer),
        json!({}),
    )
    .await;

    app.get("/api/v1/device", Some(&device.token))
        .await
        .assert_problem(401, "invalid_token");
    app.get("/api/v1/device", None)
        .await
        .assert_problem(401, "missing_token");
    app.get("/api/v1/device", Some(&organizer))
        .await
        .assert_problem(401, "missing_token");
}

#[actix_web::test]
async fn the_door_counter_counts_who_came_in_today_and_leaves_after_an_undo_for_the_device_and_the_organizer()
 {
    let app = TestApp::spawn().await;
    let organizer = app.organizer("org").await;
    let conference = app.published_conference(&organizer, happening_now()).await;
    let device = new_device(&app, &organizer, &conference, json!({"name": "Cửa chính"})).await;
    let first = register(&app, &conference, 1).await;
    let second = register(&app, &conference, 2).await;

    let before = app.get("/api/v1/device", Some(&device.token)).await;
    let scanned = scan_now(&app, &conference, &device.token, &first).await;
    scan_now(&app, &conference, &device.token, &second).await;
    scan_now(&app, &conference, &device.token, &second).await; // already checked in
    let after = app.get("/api/v1/device", Some(&device.token)).await;
    app.post(
        format!(
            "/api/v1/conferences/{}/checkins/{}/device-undo",
            conference["id"].as_str().unwrap(),
            scanned.body["checkin_id"].as_str().unwrap()
        ),
        Some(&device.token),
        json!({"reason": "quét nhầm"}),
    )
    .await;
    let undone = app.get("/api/v1/device", Some(&device.token)).await;
    // The organizer's live dashboard reads the same figure from the attendance summary.
    let summary = app
        .get(
            format!(
                "/api/v1/conferences/{}/attendance",
                conference["id"].as_str().unwrap()
            ),
            Some(&organizer),
        )
        .await;

    assert_eq!(scanned.body["outcome"], "ok");
    assert_eq!(before.body["door_inside_now"], 0);
    assert_eq!(after.body["door_inside_now"], 2);
    assert_eq!(undone.body["door_inside_now"], 1);
    assert_eq!(summary.status, StatusCode::OK, "{}", summary.text);
    assert_eq!(summary.body["door_inside_now"], 1);
    assert_eq!(summary.body["checked_in"], 1);
}

#[actix_web::test]
async fn a_device_undoes_its_own_scan_once_with_a_reason_but_never_another_devices() {
    let app = TestApp::spawn().await;
    let organizer = app.organizer("org").await;
    let conference = app.published_conference(&organizer, happening_now()).await;
    let cid = conference["id"].as_str().unwrap();
    let mine = new_device(&app, &organizer, &conference, json!({"name": "Cửa 1"})).await;
    let other = new_device(&app, &organizer, &conference, json!({"name": "Cửa 2"})).await;
    let delegate = register(&app, &conference, 1).await;
    let scanned = scan_now(&app, &conference, &mine.token, &delegate).await;
    let undo_path = format!(
        "/api/v1/conferences/{cid}/checkins/{}/device-undo",
        scanned.body["checkin_id"].as_str().unwrap()
    );

    let by_other = app
        .post(&undo_path, Some(&other.token), json!({"reason": "nhầm"}))
        .await;
    let no_reason = app
        .post(&undo_path, Some(&mine.token), json!({"reason": " "}))
        .await;
    let undone = app
        .post(
            &undo_path,
            Some(&mine.token),
            json!({"reason": "quét nhầm người"}),
        )
        .await;
    let again = app
        .post(
            &undo_path,
            Some(&mine.token),
            json!({"reason": "quét nhầm người"}),
        )
        .await;
    let rescanned = scan_now(&app, &conference, &mine.token, &delegate).await;

    by_other.assert_problem(404, "not_found");
    no_reason.assert_problem(422, "validation_failed");
    assert_eq!(undone.status, StatusCode::OK, "{}", undone.text);
    assert_eq!(undone.body["undo_reason"], "quét nhầm người");
    assert!(undone.body["undone_at"].is_string());
    again.assert_problem(409, "already_undone");
    assert_eq!(
        rescanned.body["outcome"], "ok",
        "admitted again after the undo"
    );
    assert_eq!(
        app.count(&format!(
            "SELECT count(*) FROM checkins WHERE id = '{}' AND undone_at IS NOT NULL AND undone_by IS NULL AND undo_reason = 'quét nhầm người'",
            scanned.body["checkin_id"].as_str().unwrap()
        ))
        .await,
        1
    );
}
