use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::TestApp;

#[test]
fn the_committed_spec_matches_the_code() {
    let generated = serde_json::to_string_pretty(&hoithao::openapi::spec_json()).unwrap();
    let committed =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/openapi/openapi.json"))
            .unwrap_or_default();
    assert!(
        generated.trim() == committed.trim(),
        "openapi/openapi.json is out of date: run `cargo run -- openapi > openapi/openapi.json`"
    );
}

#[test]
fn every_api_operation_documents_its_problem_responses_and_security() {
    let spec: Value = hoithao::openapi::spec_json();
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let responses = op["responses"].as_object().unwrap();
            if path.starts_with("/api/") {
                assert!(op["security"].is_array(), "{method} {path} has no security");
                for status in ["500", "503"] {
                    let content = &responses[status]["content"]["application/problem+json"];
                    assert!(
                        content.is_object(),
                        "{method} {path} lacks a problem+json {status}"
                    );
                }
            }
            if path.contains('{') {
                assert!(responses.contains_key("404"), "{method} {path} lacks 404");
            }
            if op.get("requestBody").is_some() {
                for status in ["400", "413", "415", "422"] {
                    assert!(
                        responses.contains_key(status),
                        "{method} {path} lacks {status}"
                    );
                }
            }
        }
    }
}

#[actix_web::test]
async fn the_spec_and_offline_docs_are_served() {
    let app = TestApp::spawn().await;

    let spec = app.get("/openapi.json", None).await;
    assert_eq!(spec.status, StatusCode::OK);
    assert_eq!(spec.body, hoithao::openapi::spec_json());

    let page = app.get("/docs/", None).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text.contains("swagger-ui"));
    assert!(
        !page.text.contains("cdn"),
        "docs must not load assets from a CDN"
    );
    let bundle = app.get("/docs/swagger-ui-bundle.js", None).await;
    assert_eq!(bundle.status, StatusCode::OK);
    assert_eq!(app.get("/docs", None).await.status.as_u16(), 307);
}

/// Makes one real `201 Created` of every operation that has links, keyed by path template.
async fn one_of_each_create(
    app: &TestApp,
    admin: &str,
) -> std::collections::HashMap<String, Value> {
    use serde_json::json;
    let mut created = std::collections::HashMap::new();
    let mut keep = |path: &str, reply: crate::helpers::Reply| {
        assert_eq!(reply.status, StatusCode::CREATED, "{path}: {}", reply.text);
        created.insert(path.to_owned(), reply.body);
    };
    let account = app
        .post(
            "/api/v1/accounts",
            Some(admin),
            json!({"email": "new@example.vn", "display_name": "Mới", "password": "a long enough passphrase"}),
        )
        .await;
    keep("/api/v1/accounts", account);
    let conference = app
        .post(
            "/api/v1/conferences",
            Some(admin),
            crate::helpers::conference_body(),
        )
        .await;
    let cid = conference.body["id"].as_str().unwrap().to_owned();
    keep("/api/v1/conferences", conference);
    let base = format!("/api/v1/conferences/{cid}");
    let session = app
        .post(
            format!("{base}/sessions"),
            Some(admin),
            crate::helpers::session_body(),
        )
        .await;
    keep("/api/v1/conferences/{conference_id}/sessions", session);
    let webhook = app
        .post(
            format!("{base}/webhooks"),
            Some(admin),
            json!({"url": "http://127.0.0.1:9/hook", "events": ["checkin.recorded"]}),
        )
        .await;
    keep("/api/v1/conferences/{conference_id}/webhooks", webhook);
    let device = app
        .post(
            format!("{base}/devices"),
            Some(admin),
            json!({"name": "Cửa chính"}),
        )
        .await;
    keep("/api/v1/conferences/{conference_id}/devices", device);
    let registration = app
        .post(
            format!("{base}/registrations"),
            Some(admin),
            json!({"full_name": "Nguyễn Văn An", "category": "district", "phone": "0912 345 678"}),
        )
        .await;
    keep(
        "/api/v1/conferences/{conference_id}/registrations",
        registration,
    );
    let unit = app
        .post(
            "/api/v1/units",
            Some(admin),
            json!({"name": "Phòng Kinh tế Vĩnh Yên", "kind": "agency"}),
        )
        .await;
    let unit_id = unit.body["id"].clone();
    keep("/api/v1/units", unit);
    let invitation = app
        .post(
            format!("{base}/invitations"),
            Some(admin),
            json!({"unit_id": unit_id, "seats": 2}),
        )
        .await;
    let invitation_token = invitation.body["token"].as_str().unwrap().to_owned();
    keep(
        "/api/v1/conferences/{conference_id}/invitations",
        invitation,
    );
    app.post(format!("{base}/publish"), Some(admin), json!({}))
        .await;
    let delegates = app
        .request(reqwest::Method::POST, "/api/v1/invitation/registrations", None)
        .header("x-invitation-token", invitation_token)
        .json(&json!({"delegates": [{"full_name": "Trần Thị Bình", "category": "district", "phone": "0912 345 679"}]}))
        .send()
        .await
        .unwrap();
    keep(
        "/api/v1/invitation/registrations",
        crate::helpers::Reply::from(delegates).await,
    );
    created
}

#[actix_web::test]
async fn every_response_link_resolves_against_a_real_response() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let spec = hoithao::openapi::spec_json();
    let created = one_of_each_create(&app, &admin).await;
    let conference_id = created["/api/v1/conferences"]["id"].as_str().unwrap();
    let operations: std::collections::HashMap<&str, (&str, &str, &Value)> = spec["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, item)| {
            item.as_object().unwrap().iter().map(move |(method, op)| {
                (
                    op["operationId"].as_str().unwrap(),
                    (path.as_str(), method.as_str(), op),
                )
            })
        })
        .collect();

    let mut followed = 0;
    for (path, item) in spec["paths"].as_object().unwrap() {
        let Some(links) = item["post"]["responses"]["201"]["links"].as_object() else {
            continue;
        };
        let body = created
            .get(path)
            .unwrap_or_else(|| panic!("add a real create of {path} to this test"));
        for (name, link) in links {
            let (target, method, op) = operations[link["operationId"].as_str().unwrap()];
            let mut url = target.to_owned();
            for (param, expression) in link["parameters"].as_object().unwrap() {
                let expression = expression.as_str().unwrap();
                let value = if let Some(pointer) = expression.strip_prefix("$response.body#") {
                    body.pointer(pointer)
                        .and_then(Value::as_str)
                        .unwrap_or_else(|| panic!("{path} link {name}: {pointer} is not in {body}"))
                        .to_owned()
                } else {
                    // Every create nested under a path is nested under its conference.
                    assert_eq!(expression, "$request.path.conference_id", "{path} {name}");
                    conference_id.to_owned()
                };
                uuid::Uuid::parse_str(&value).unwrap_or_else(|_| panic!("{name}: {value}"));
                url = url.replace(&format!("{{{param}}}"), &value);
            }
            let organizer_read = method == "get"
                && op["security"].to_string().contains("\"bearer\"")
                && !op["responses"]["200"]["content"]
                    .as_object()
                    .is_some_and(|c| c.contains_key("text/event-stream"));
            if organizer_read {
                let reply = app
                    .request(reqwest::Method::GET, &url, Some(&admin))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(
                    reply.status(),
                    StatusCode::OK,
                    "{path} link {name}: GET {url}"
                );
                followed += 1;
            }
        }
    }
    assert!(followed > 10, "only {followed} links were followed");
}
