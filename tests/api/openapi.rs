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
