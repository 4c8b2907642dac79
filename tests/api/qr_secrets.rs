//! QR secrets only where they are needed: organizer responses never carry one; an organizer
//! fetches one delegate's code as an image, and that is the only organizer path to a secret.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{Reply, TestApp};

fn registrations_path(conference: &Value) -> String {
    format!(
        "/api/v1/conferences/{}/registrations",
        conference["id"].as_str().unwrap()
    )
}

fn person(n: usize) -> Value {
    json!({"full_name": format!("Nguyễn Văn {n}"), "category": "agency", "phone": format!("09{:08}", n)})
}

/// The delegate's own view, which keeps the QR payload.
async fn delegate_view(app: &TestApp, delegate_token: &str) -> Value {
    let reply = app
        .request(Method::GET, "/api/v1/delegate/registration", None)
        .header("x-delegate-token", delegate_token)
        .send()
        .await
        .unwrap();
    Reply::from(reply).await.body
}

/// The secret part of a `hoithao:1:<id>:<secret>` payload.
fn secret_of(payload: &Value) -> String {
    payload
        .as_str()
        .unwrap()
        .rsplit(':')
        .next()
        .unwrap()
        .to_owned()
}

#[track_caller]
fn assert_no_secret(reply: &Reply, secret: &str, what: &str) {
    assert!(reply.status.is_success(), "{what}: {}", reply.text);
    assert!(
        !reply.text.contains(secret),
        "{what} reveals the QR secret: {}",
        reply.text
    );
    assert!(
        !reply.text.contains("qr_payload"),
        "{what} has a qr_payload field: {}",
        reply.text
    );
}

#[actix_web::test]
async fn organizer_create_list_detail_edit_and_bulk_responses_carry_no_qr_secret() {
    let app = TestApp::spawn().await;
    let organizer = app.organizer("org").await;
    let conference = app.published_conference(&organizer, json!({})).await;
    let path = registrations_path(&conference);

    let created = app.post(&path, Some(&organizer), person(1)).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    let id = created.body["registration"]["id"].as_str().unwrap();
    let mine = delegate_view(&app, created.body["delegate_token"].as_str().unwrap()).await;
    let secret = secret_of(&mine["qr_payload"]);
    let listed = app.get(&path, Some(&organizer)).await;
    let searched = app
        .get(format!("{path}?q=nguyen%20van%201"), Some(&organizer))
        .await;
    let shown = app.get(format!("{path}/{id}"), Some(&organizer)).await;
    let edited = app
        .patch(
            format!("{path}/{id}"),
            Some(&organizer),
            json!({"position": "Chuyên viên"}),
        )
        .await;
    let bulk = app
        .post(
            format!(
                "/api/v1/conferences/{}/registration-actions",
                conference["id"].as_str().unwrap()
            ),
            Some(&organizer),
            json!({"action": "edit", "registration_ids": [id], "patch": {"category": "expert"}}),
        )
        .await;
    let cancelled = app
        .post(format!("{path}/{id}/cancel"), Some(&organizer), json!({}))
        .await;

    assert_no_secret(&created, &secret, "create");
    assert_eq!(created.body["registration"]["full_name"], "Nguyễn Văn 1");
    assert_no_secret(&listed, &secret, "list");
    assert_eq!(listed.body["items"][0]["id"], id);
    assert_no_secret(&searched, &secret, "search");
    assert_eq!(searched.body["items"][0]["id"], id);
    assert_no_secret(&shown, &secret, "detail");
    assert_eq!(shown.body["id"], id);
    assert_no_secret(&edited, &secret, "edit");
    assert_no_secret(&bulk, &secret, "bulk");
    assert_eq!(bulk.body[0]["code"], "ok");
    assert_no_secret(&cancelled, &secret, "cancel");
}

#[actix_web::test]
async fn self_registrations_listed_by_the_organizer_show_no_secret_but_the_delegate_keeps_it() {
    let app = TestApp::spawn().await;
    let organizer = app.organizer("org").await;
    let conference = app.published_conference(&organizer, json!({})).await;
    let registered = app
        .post(
            format!(
                "/api/v1/conferences/{}/self-registrations",
                conference["id"].as_str().unwrap()
            ),
            None,
            crate::helpers::with_consent(person(2)),
        )
        .await;
    let payload = &registered.body["registration"]["qr_payload"];
    let secret = secret_of(payload);

    let listed = app
        .get(registrations_path(&conference), Some(&organizer))
        .await;
    let mine = delegate_view(&app, registered.body["delegate_token"].as_str().unwrap()).await;

    assert_no_secret(&listed, &secret, "list");
    assert_eq!(&mine["qr_payload"], payload, "the delegate's view keeps it");
}

#[actix_web::test]
async fn a_replayed_organizer_registration_carries_no_qr_secret_either() {
    let app = TestApp::spawn().await;
    let organizer = app.organizer("org").await;
    let conference = app.published_conference(&organizer, json!({})).await;
    let post = || {
        app.request(
            Method::POST,
            &registrations_path(&conference),
            Some(&organizer),
        )
        .header("idempotency-key", "qr-replay-1")
        .json(&person(3))
        .send()
    };

    let first = Reply::from(post().await.unwrap()).await;
    let replay = Reply::from(post().await.unwrap()).await;

    let mine = delegate_view(&app, first.body["delegate_token"].as_str().unwrap()).await;
    let secret = secret_of(&mine["qr_payload"]);
    assert_eq!(replay.header("idempotent-replayed"), Some("true"));
    assert_no_secret(&replay, &secret, "replay");
    assert_eq!(
        replay.body["registration"]["id"],
        first.body["registration"]["id"]
    );
}

/// An organizer-made registration and its delegate's own QR payload.
async fn registered(app: &TestApp, organizer: &str, conference: &Value) -> (String, Value) {
    let created = app
        .post(registrations_path(conference), Some(organizer), person(4))
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    let mine = delegate_view(app, created.body["delegate_token"].as_str().unwrap()).await;
    (
        created.body["registration"]["id"]
            .as_str()
            .unwrap()
            .to_owned(),
        mine,
    )
}

async fn fetch(app: &TestApp, path: &str, token: Option<&str>) -> reqwest::Response {
    let builder = app.request(Method::GET, path, token);
    builder.send().await.unwrap()
}

async fn delegate_image(app: &TestApp, file: &str, delegate_token: &str) -> Vec<u8> {
    let reply = app
        .request(
            Method::GET,
            &format!("/api/v1/delegate/registration/{file}"),
            None,
        )
        .header("x-delegate-token", delegate_token)
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status(), StatusCode::OK);
    reply.bytes().await.unwrap().to_vec()
}

#[actix_web::test]
async fn the_organizer_qr_svg_is_an_svg_document_of_the_delegates_code() {
    let app = TestApp::spawn().await;
    let organizer = app.organizer("org").await;
    let conference = app.published_conference(&organizer, json!({})).await;
    let created = app
        .post(registrations_path(&conference), Some(&organizer), person(5))
        .await;
    let id = created.body["registration"]["id"].as_str().unwrap();
    let delegate_token = created.body["delegate_token"].as_str().unwrap();

    let reply = fetch(
        &app,
        &format!("{}/{id}/qr.svg", registrations_path(&conference)),
        Some(&organizer),
    )
    .await;

    assert_eq!(reply.status(), StatusCode::OK);
    assert_eq!(reply.headers()["content-type"], "image/svg+xml");
    assert_eq!(reply.headers()["cache-control"], "no-store");
    let svg = reply.bytes().await.unwrap().to_vec();
    let mut reader = quick_xml::Reader::from_reader(svg.as_slice());
    let mut root = None;
    let mut buf = Vec::new();
    loop {
        match reader.read_event_into(&mut buf).expect("well-formed XML") {
            quick_xml::events::Event::Start(e) | quick_xml::events::Event::Empty(e)
                if root.is_none() =>
            {
                root = Some(String::from_utf8(e.name().as_ref().to_vec()).unwrap());
            }
            quick_xml::events::Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    assert_eq!(root.as_deref(), Some("svg"));
    assert_eq!(
        svg,
        delegate_image(&app, "qr.svg", delegate_token).await,
        "the same code the delegate has"
    );
}

#[actix_web::test]
async fn the_organizer_qr_png_is_a_png_that_decodes_to_the_delegates_code() {
    let app = TestApp::spawn().await;
    let organizer = app.organizer("org").await;
    let conference = app.published_conference(&organizer, json!({})).await;
    let created = app
        .post(registrations_path(&conference), Some(&organizer), person(6))
        .await;
    let id = created.body["registration"]["id"].as_str().unwrap();
    let delegate_token = created.body["delegate_token"].as_str().unwrap();

    let reply = fetch(
        &app,
        &format!("{}/{id}/qr.png", registrations_path(&conference)),
        Some(&organizer),
    )
    .await;

    assert_eq!(reply.status(), StatusCode::OK);
    assert_eq!(reply.headers()["content-type"], "image/png");
    assert_eq!(reply.headers()["cache-control"], "no-store");
    let png = reply.bytes().await.unwrap().to_vec();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    let mut decoder = png::Decoder::new(std::io::Cursor::new(png.as_slice()))
        .read_info()
        .expect("a PNG header");
    let mut pixels = vec![0; decoder.output_buffer_size()];
    let frame = decoder.next_frame(&mut pixels).expect("PNG image data");
    assert_eq!(frame.width, frame.height, "a square code");
    assert!(
        frame.width >= 21 * 8,
        "at least a version 1 code at 8 px a module"
    );
    assert!(pixels[..frame.buffer_size()].contains(&0), "dark modules");
    assert_eq!(
        png,
        delegate_image(&app, "qr.png", delegate_token).await,
        "the same code the delegate has"
    );
}

#[actix_web::test]
async fn another_organizer_gets_404_for_a_qr_code() {
    let app = TestApp::spawn().await;
    let organizer = app.organizer("org").await;
    let conference = app.published_conference(&organizer, json!({})).await;
    let (id, _) = registered(&app, &organizer, &conference).await;
    let stranger = app.organizer("other").await;
    let base = registrations_path(&conference);

    for file in ["qr.svg", "qr.png"] {
        let foreign =
            Reply::from(fetch(&app, &format!("{base}/{id}/{file}"), Some(&stranger)).await).await;
        let unknown = Reply::from(
            fetch(
                &app,
                &format!("{base}/{}/{file}", uuid::Uuid::now_v7()),
                Some(&organizer),
            )
            .await,
        )
        .await;
        let anonymous = Reply::from(fetch(&app, &format!("{base}/{id}/{file}"), None).await).await;

        foreign.assert_problem(404, "not_found");
        unknown.assert_problem(404, "not_found");
        anonymous.assert_problem(401, "missing_token");
    }
}

#[actix_web::test]
async fn a_cancelled_registrations_qr_code_is_refused_with_registration_closed() {
    let app = TestApp::spawn().await;
    let organizer = app.organizer("org").await;
    let conference = app.published_conference(&organizer, json!({})).await;
    let (id, _) = registered(&app, &organizer, &conference).await;
    let base = registrations_path(&conference);
    let cancelled = app
        .post(format!("{base}/{id}/cancel"), Some(&organizer), json!({}))
        .await;
    assert_eq!(cancelled.status, StatusCode::OK, "{}", cancelled.text);

    let reply =
        Reply::from(fetch(&app, &format!("{base}/{id}/qr.svg"), Some(&organizer)).await).await;

    reply.assert_problem(409, "registration_closed");
}

#[actix_web::test]
async fn unit_contacts_and_door_devices_still_receive_the_qr_payload_they_hand_on() {
    let app = TestApp::spawn().await;
    let organizer = app.organizer("org").await;
    let conference = app.published_conference(&organizer, json!({})).await;
    let cid = conference["id"].as_str().unwrap();
    let unit = app
        .post(
            "/api/v1/units",
            Some(&organizer),
            json!({"name": "Phòng Kinh tế", "kind": "agency"}),
        )
        .await;
    let invitation = app
        .post(
            format!("/api/v1/conferences/{cid}/invitations"),
            Some(&organizer),
            json!({"unit_id": unit.body["id"], "seats": 1}),
        )
        .await;
    let device = app
        .post(
            format!("/api/v1/conferences/{cid}/devices"),
            Some(&organizer),
            json!({"name": "Cửa chính"}),
        )
        .await;
    let named = app
        .request(Method::POST, "/api/v1/invitation/registrations", None)
        .header(
            "x-invitation-token",
            invitation.body["token"].as_str().unwrap(),
        )
        .json(&json!({"delegates": [person(7)]}))
        .send()
        .await
        .unwrap();
    let named = Reply::from(named).await;

    let walked_in = app
        .send(
            Method::POST,
            format!("/api/v1/conferences/{cid}/walk-ins"),
            Some(device.body["token"].as_str().unwrap()),
            Some(json!({"replaces_registration_id": named.body[0]["registration"]["id"], "person": person(8)})),
        )
        .await;

    assert!(
        named.body[0]["registration"]["qr_payload"]
            .as_str()
            .is_some_and(|p| p.starts_with("hoithao:1:"))
    );
    assert_eq!(walked_in.status, StatusCode::OK, "{}", walked_in.text);
    let mine = delegate_view(&app, walked_in.body["delegate_token"].as_str().unwrap()).await;
    assert_eq!(
        walked_in.body["registration"]["qr_payload"], mine["qr_payload"],
        "the door shows or prints the new person's code"
    );
}
