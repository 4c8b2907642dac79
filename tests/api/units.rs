use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{Reply, TestApp};

async fn unit(app: &TestApp, token: &str, body: Value) -> Value {
    let reply = app.post("/api/v1/units", Some(token), body).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
    reply.body
}

async fn import(app: &TestApp, token: &str, csv: &str, dry_run: bool) -> Reply {
    let response = app
        .request(
            Method::POST,
            &format!("/api/v1/unit-imports?dry_run={dry_run}"),
            Some(token),
        )
        .header("content-type", "text/csv; charset=utf-8")
        .body(csv.to_owned())
        .send()
        .await
        .unwrap();
    Reply::from(response).await
}

#[actix_web::test]
async fn organizers_build_a_hierarchy_with_normalized_contacts() {
    let app = TestApp::spawn().await;
    let token = app.organizer("org").await;
    let district = unit(
        &app,
        &token,
        json!({"name": "Thành phố Vĩnh Yên", "kind": "district", "admin_code": "243"}),
    )
    .await;

    let commune = unit(
        &app,
        &token,
        json!({"name": "Xã Hương Minh", "kind": "commune", "parent_id": district["id"], "phone": "0211 3862 555", "email": " UB@HuongMinh.VN "}),
    )
    .await;

    assert_eq!(commune["parent_id"], district["id"]);
    assert_eq!(commune["phone"], "+842113862555");
    assert_eq!(commune["email"], "ub@huongminh.vn");
    let children = app
        .get(
            &format!(
                "/api/v1/units?parent_id={}",
                district["id"].as_str().unwrap()
            ),
            Some(&token),
        )
        .await;
    assert_eq!(children.body["items"].as_array().unwrap().len(), 1);
}

#[actix_web::test]
async fn the_directory_is_not_public() {
    let app = TestApp::spawn().await;

    app.get("/api/v1/units", None)
        .await
        .assert_problem(401, "missing_token");
}

#[actix_web::test]
async fn a_commune_needs_a_district_parent_and_every_invalid_field_is_listed() {
    let app = TestApp::spawn().await;
    let token = app.organizer("org").await;
    let agency = unit(
        &app,
        &token,
        json!({"name": "Sở Công Thương", "kind": "agency"}),
    )
    .await;

    let reply = app
        .post("/api/v1/units", Some(&token), json!({"name": " ", "kind": "commune", "parent_id": agency["id"], "phone": "12345", "email": "nope"}))
        .await;

    reply.assert_problem(422, "validation_failed");
    let fields: Vec<String> = reply.error_fields().into_iter().map(|(f, _)| f).collect();
    assert_eq!(fields, vec!["name", "phone", "email", "parent_id"]);
    assert_eq!(app.count("SELECT count(*) FROM units").await, 1);
}

#[actix_web::test]
async fn a_unit_cannot_be_moved_under_its_own_descendant() {
    let app = TestApp::spawn().await;
    let token = app.organizer("org").await;
    let top = unit(&app, &token, json!({"name": "Sở", "kind": "agency"})).await;
    let middle = unit(
        &app,
        &token,
        json!({"name": "Phòng", "kind": "agency", "parent_id": top["id"]}),
    )
    .await;
    let bottom = unit(
        &app,
        &token,
        json!({"name": "Tổ", "kind": "agency", "parent_id": middle["id"]}),
    )
    .await;

    let reply = app
        .patch(
            &format!("/api/v1/units/{}", top["id"].as_str().unwrap()),
            Some(&token),
            json!({"parent_id": bottom["id"]}),
        )
        .await;

    reply.assert_problem(422, "validation_failed");
    assert_eq!(
        reply.error_fields(),
        vec![("parent_id".to_owned(), "cycle".to_owned())]
    );
    assert_eq!(
        app.count("SELECT count(*) FROM units WHERE parent_id IS NULL")
            .await,
        1
    );
}

#[actix_web::test]
async fn names_are_unique_under_a_parent_and_codes_everywhere() {
    let app = TestApp::spawn().await;
    let token = app.organizer("org").await;
    let yen = unit(
        &app,
        &token,
        json!({"name": "Thành phố Vĩnh Yên", "kind": "district", "admin_code": "243"}),
    )
    .await;
    let phuc = unit(
        &app,
        &token,
        json!({"name": "Thành phố Phúc Yên", "kind": "district", "admin_code": "244"}),
    )
    .await;
    unit(
        &app,
        &token,
        json!({"name": "Xã Tân Lập", "kind": "commune", "parent_id": yen["id"]}),
    )
    .await;

    unit(
        &app,
        &token,
        json!({"name": "Xã Tân Lập", "kind": "commune", "parent_id": phuc["id"]}),
    )
    .await;
    app.post(
        "/api/v1/units",
        Some(&token),
        json!({"name": "XÃ TÂN LẬP", "kind": "commune", "parent_id": yen["id"]}),
    )
    .await
    .assert_problem(409, "unit_name_taken");
    app.post(
        "/api/v1/units",
        Some(&token),
        json!({"name": "Huyện khác", "kind": "district", "admin_code": "243"}),
    )
    .await
    .assert_problem(409, "admin_code_taken");
}

#[actix_web::test]
async fn the_sample_units_file_imports_whole_and_search_ignores_accents() {
    let app = TestApp::spawn().await;
    let token = app.organizer("org").await;
    let csv = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/src/seed/units.csv"))
        .unwrap();

    let dry = import(&app, &token, &csv, true).await;
    assert_eq!(dry.status, StatusCode::OK, "{}", dry.text);
    assert_eq!(dry.body["errors"], json!([]));
    assert_eq!(app.count("SELECT count(*) FROM units").await, 0);

    let applied = import(&app, &token, &csv, false).await;
    assert_eq!(applied.status, StatusCode::OK, "{}", applied.text);
    assert_eq!(applied.body["created"], 92);
    assert_eq!(app.count("SELECT count(*) FROM units").await, 92);
    assert_eq!(
        app.count("SELECT count(*) FROM units WHERE kind = 'commune' AND parent_id IS NULL")
            .await,
        0
    );

    let found = app
        .get("/api/v1/units?q=vinh%20yen&kind=district", Some(&token))
        .await;
    assert_eq!(found.body["items"][0]["name"], "Thành phố Vĩnh Yên");
}

#[actix_web::test]
async fn an_import_with_bad_rows_reports_every_error_and_writes_nothing() {
    let app = TestApp::spawn().await;
    let token = app.organizer("org").await;
    let csv = "Tên đơn vị,Loại,Đơn vị cấp trên,Mã hành chính\n\
               Huyện Tam Dương,district,,247\n\
               Xã Hợp Thịnh,commune,Huyện Tam Dương,\n\
               ,agency,,\n\
               Xã Mồ Côi,commune,Huyện Không Có,\n\
               Công ty X,planet,,\n";

    let reply = import(&app, &token, csv, false).await;

    reply.assert_problem(422, "validation_failed");
    assert_eq!(
        reply.error_fields(),
        vec![
            ("rows[3].name".to_owned(), "required".to_owned()),
            ("rows[4].parent".to_owned(), "unknown_unit".to_owned()),
            ("rows[5].kind".to_owned(), "unknown_kind".to_owned()),
        ]
    );
    assert_eq!(app.count("SELECT count(*) FROM units").await, 0);
}

#[actix_web::test]
async fn imports_must_be_csv() {
    let app = TestApp::spawn().await;
    let token = app.organizer("org").await;

    let reply = app
        .post("/api/v1/unit-imports", Some(&token), json!({"name": "x"}))
        .await;

    reply.assert_problem(415, "unsupported_media_type");
}

#[actix_web::test]
async fn a_unit_import_dry_run_reports_names_and_codes_that_would_collide() {
    let app = TestApp::spawn().await;
    let token = app.organizer("org").await;
    unit(
        &app,
        &token,
        json!({"name": "Huyện Sông Lô", "kind": "district", "admin_code": "253"}),
    )
    .await;
    let csv = "Tên đơn vị,Loại,Đơn vị cấp trên,Mã hành chính\n\
               Huyện Sông Lô,district,,\n\
               Huyện Yên Lạc,district,,253\n\
               Huyện Vĩnh Tường,district,,252\n\
               HUYỆN VĨNH TƯỜNG,district,,\n\
               Xã Ma,hamlet,Huyện Nowhere,\n";

    let dry = import(&app, &token, csv, true).await;

    assert_eq!(dry.status, StatusCode::OK, "{}", dry.text);
    let errors: Vec<(String, String)> = dry.body["errors"]
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
    assert_eq!(
        errors,
        vec![
            ("rows[1].name".to_owned(), "unit_name_taken".to_owned()),
            (
                "rows[2].admin_code".to_owned(),
                "admin_code_taken".to_owned()
            ),
            ("rows[4].name".to_owned(), "unit_name_taken".to_owned()),
            ("rows[5].kind".to_owned(), "unknown_kind".to_owned()),
            ("rows[5].parent".to_owned(), "unknown_unit".to_owned()),
        ]
    );
}
