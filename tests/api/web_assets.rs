//! The web clients' files: served from the binary with their type, a content-hash ETag (304 on
//! revalidation), no-cache, gzip and a strict Content-Security-Policy.

use reqwest::StatusCode;
use reqwest::header;

use crate::helpers::TestApp;

async fn fetch(app: &TestApp, path: &str, headers: &[(&str, &str)]) -> reqwest::Response {
    let mut request = app.client.get(app.url(path));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    request.send().await.unwrap()
}

fn header_of(response: &reqwest::Response, name: header::HeaderName) -> String {
    response
        .headers()
        .get(name)
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default()
}

#[actix_web::test]
async fn pages_and_scripts_are_served_with_their_types_and_a_strict_csp() {
    let app = TestApp::spawn().await;
    for (path, media_type) in [
        ("/r/sxsh-2026", "text/html; charset=utf-8"),
        ("/delegate", "text/html; charset=utf-8"),
        ("/invitation", "text/html; charset=utf-8"),
        ("/app/shared/api.js", "text/javascript; charset=utf-8"),
        ("/app/shared/style.css", "text/css; charset=utf-8"),
    ] {
        let response = fetch(&app, path, &[]).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        assert_eq!(
            header_of(&response, header::CONTENT_TYPE),
            media_type,
            "{path}"
        );
        assert_eq!(
            header_of(&response, header::CACHE_CONTROL),
            "no-cache",
            "{path}"
        );
        assert_eq!(
            header_of(&response, header::X_CONTENT_TYPE_OPTIONS),
            "nosniff"
        );
        assert_eq!(header_of(&response, header::REFERRER_POLICY), "no-referrer");
        let csp = header_of(&response, header::CONTENT_SECURITY_POLICY);
        for directive in [
            "default-src 'self'",
            "script-src 'self'",
            "frame-ancestors 'none'",
            "worker-src 'self'",
        ] {
            assert!(csp.contains(directive), "{path}: {csp} lacks {directive}");
        }
        assert!(!csp.contains("unsafe-inline"), "{path}: {csp}");
    }
}

#[actix_web::test]
async fn a_file_revalidated_with_its_etag_is_not_sent_again() {
    let app = TestApp::spawn().await;
    let first = fetch(&app, "/app/shared/api.js", &[]).await;
    let etag = header_of(&first, header::ETAG);
    assert!(etag.starts_with("W/\"") && etag.len() > 10, "{etag}");
    let body = first.text().await.unwrap();
    assert!(body.contains("export async function api"));

    let again = fetch(&app, "/app/shared/api.js", &[("if-none-match", &etag)]).await;
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(header_of(&again, header::ETAG), etag);
    assert!(again.text().await.unwrap().is_empty());

    let other = fetch(
        &app,
        "/app/shared/api.js",
        &[("if-none-match", "W/\"0000\"")],
    )
    .await;
    assert_eq!(other.status(), StatusCode::OK);
    // Another file has another tag.
    let css = fetch(&app, "/app/shared/style.css", &[]).await;
    assert_ne!(header_of(&css, header::ETAG), etag);
}

#[actix_web::test]
async fn files_are_gzipped_for_clients_that_accept_it() {
    let app = TestApp::spawn().await;
    let plain = fetch(&app, "/app/shared/errors.js", &[]).await;
    let plain_len = plain.bytes().await.unwrap().len();
    let gzipped = fetch(
        &app,
        "/app/shared/errors.js",
        &[("accept-encoding", "gzip")],
    )
    .await;
    assert_eq!(header_of(&gzipped, header::CONTENT_ENCODING), "gzip");
    let gzipped_len = gzipped.bytes().await.unwrap().len();
    assert!(gzipped_len < plain_len / 2, "{gzipped_len} vs {plain_len}");
}

#[actix_web::test]
async fn unknown_files_and_paths_outside_the_folder_are_problem_404s() {
    let app = TestApp::spawn().await;
    for path in [
        "/app/shared/nothing.js",
        "/app/..%2FCargo.toml",
        "/app/../Cargo.toml",
        "/app/%2e%2e/Cargo.toml",
    ] {
        let response = fetch(&app, path, &[]).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
        assert_eq!(
            header_of(&response, header::CONTENT_TYPE),
            "application/problem+json",
            "{path}"
        );
    }
}

#[actix_web::test]
async fn a_client_folder_without_its_slash_redirects_to_it() {
    let app = TestApp::spawn().await;
    let response = fetch(&app, "/app/delegate", &[]).await;
    assert_eq!(response.status(), StatusCode::MOVED_PERMANENTLY);
    assert_eq!(header_of(&response, header::LOCATION), "/app/delegate/");
    let index = fetch(&app, "/app/delegate/", &[]).await;
    assert_eq!(index.status(), StatusCode::OK);
}

#[actix_web::test]
async fn the_registration_page_finds_its_conference_by_exact_code_with_the_seats_taken() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let conference = app
        .published_conference(
            &admin,
            serde_json::json!({"code": "sxsh-vinh-phuc", "capacity": 10, "registration_mode": "open"}),
        )
        .await;
    app.published_conference(&admin, serde_json::json!({"code": "sxsh-vinh-phuc-2"}))
        .await;
    let id = conference["id"].as_str().unwrap();
    assert_eq!(conference["confirmed_count"], 0);
    let reply = app
        .post(
            &format!("/api/v1/conferences/{id}/registrations"),
            Some(&admin),
            serde_json::json!({"full_name": "Nguyễn Văn An", "category": "district", "phone": "0912 345 678"}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);

    let page = app
        .get("/api/v1/conferences?code=sxsh-vinh-phuc", None)
        .await;
    assert_eq!(page.status, StatusCode::OK);
    let items = page.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{}", page.body);
    assert_eq!(items[0]["id"], id);
    assert_eq!(items[0]["capacity"], 10);
    assert_eq!(items[0]["confirmed_count"], 1);

    let none = app.get("/api/v1/conferences?code=sxsh", None).await;
    assert_eq!(none.body["items"].as_array().unwrap().len(), 0);
    let long = app
        .get(
            &format!("/api/v1/conferences?code={}", "a".repeat(65)),
            None,
        )
        .await;
    assert_eq!(long.status, StatusCode::BAD_REQUEST);
    assert_eq!(long.body["code"], "invalid_query_parameter");
}
