use jsonwebtoken::{Algorithm, EncodingKey, Header};
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{JWT_SECRET, PASSWORD, Reply, TestApp};

#[actix_web::test]
async fn login_returns_a_bearer_token_that_identifies_the_account() {
    let app = TestApp::spawn().await;
    let (id, token) = app.account("organizer@example.vn", "organizer").await;

    let me = app.get("/api/v1/auth/me", Some(&token)).await;

    assert_eq!(me.status, StatusCode::OK);
    assert_eq!(me.body["id"], id.to_string());
    assert_eq!(me.body["role"], "organizer");
    assert!(me.body.get("password_hash").is_none());
}

#[actix_web::test]
async fn login_response_carries_expiry_and_token_type() {
    let app = TestApp::spawn().await;
    app.account("a@example.vn", "organizer").await;

    let reply = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({"email": " A@Example.VN ", "password": PASSWORD}),
        )
        .await;

    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.body["token_type"], "Bearer");
    assert_eq!(reply.body["expires_in"], 900);
    assert!(reply.body["expires_at"].as_str().unwrap().ends_with('Z'));
}

#[actix_web::test]
async fn unknown_email_and_wrong_password_fail_identically() {
    let app = TestApp::spawn().await;
    app.account("known@example.vn", "organizer").await;

    let wrong_password = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({"email": "known@example.vn", "password": "nope-nope-nope"}),
        )
        .await;
    let unknown_email = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({"email": "ghost@example.vn", "password": "nope-nope-nope"}),
        )
        .await;

    wrong_password.assert_problem(401, "invalid_credentials");
    unknown_email.assert_problem(401, "invalid_credentials");
    assert_eq!(wrong_password.body, unknown_email.body);
}

#[actix_web::test]
async fn repeated_failures_for_one_account_are_throttled_with_retry_after() {
    let app = TestApp::spawn_with(|s| s.auth.login_max_failures_per_account = 3).await;
    app.account("victim@example.vn", "organizer").await;
    let bad = json!({"email": "victim@example.vn", "password": "wrong-password"});

    for _ in 0..3 {
        app.post("/api/v1/auth/login", None, bad.clone())
            .await
            .assert_problem(401, "invalid_credentials");
    }
    let throttled = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({"email": "victim@example.vn", "password": PASSWORD}),
        )
        .await;

    throttled.assert_problem(429, "rate_limited");
    let retry_after: u64 = throttled.header("retry-after").unwrap().parse().unwrap();
    assert!(retry_after > 0 && retry_after <= 900);
    assert_eq!(
        app.count(
            "SELECT failures::bigint FROM login_throttle WHERE key = 'account:victim@example.vn'"
        )
        .await,
        4
    );
}

#[actix_web::test]
async fn repeated_failures_from_one_ip_are_throttled_across_accounts() {
    let app = TestApp::spawn_with(|s| {
        s.auth.login_max_failures_per_ip = 2;
        s.auth.login_max_failures_per_account = 100;
    })
    .await;
    app.account("someone@example.vn", "organizer").await;

    for n in 0..2 {
        let reply = app
            .post(
                "/api/v1/auth/login",
                None,
                json!({"email": format!("u{n}@example.vn"), "password": "x"}),
            )
            .await;
        reply.assert_problem(401, "invalid_credentials");
    }
    let reply = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({"email": "someone@example.vn", "password": PASSWORD}),
        )
        .await;

    reply.assert_problem(429, "rate_limited");
}

#[actix_web::test]
async fn a_successful_login_resets_the_account_counter() {
    let app = TestApp::spawn_with(|s| s.auth.login_max_failures_per_account = 3).await;
    app.account("forgetful@example.vn", "organizer").await;
    let bad = json!({"email": "forgetful@example.vn", "password": "wrong-password"});
    for _ in 0..2 {
        app.post("/api/v1/auth/login", None, bad.clone()).await;
    }

    app.login("forgetful@example.vn").await;

    assert_eq!(
        app.count("SELECT count(*) FROM login_throttle WHERE key LIKE 'account:%'")
            .await,
        0
    );
}

#[actix_web::test]
async fn requests_without_a_token_are_401_with_www_authenticate() {
    let app = TestApp::spawn().await;

    let reply = app.get("/api/v1/auth/me", None).await;

    reply.assert_problem(401, "missing_token");
    assert_eq!(reply.header("www-authenticate"), Some("Bearer"));
}

fn sign(claims: serde_json::Value, secret: &str) -> String {
    jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &claims,
        &EncodingKey::from_secret(secret.as_bytes()).unwrap(),
    )
    .unwrap()
}

fn claims_for(sub: uuid::Uuid, exp_offset: i64) -> serde_json::Value {
    let now = chrono::Utc::now().timestamp();
    json!({"sub": sub, "role": "admin", "iat": now, "exp": now + exp_offset, "iss": "hoithao", "aud": "hoithao-api", "jti": uuid::Uuid::new_v4()})
}

#[actix_web::test]
async fn expired_tokens_are_refused() {
    let app = TestApp::spawn().await;
    let (id, _) = app.account("late@example.vn", "organizer").await;
    let token = sign(claims_for(id, -3600), JWT_SECRET);

    app.get("/api/v1/auth/me", Some(&token))
        .await
        .assert_problem(401, "token_expired");
}

#[actix_web::test]
async fn tampered_tokens_are_refused() {
    let app = TestApp::spawn().await;
    let (_, token) = app.account("org@example.vn", "organizer").await;
    let (header, rest) = token.split_once('.').unwrap();
    let (_, signature) = rest.split_once('.').unwrap();
    use base64::Engine;
    let forged_claims = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(claims_for(uuid::Uuid::new_v4(), 600).to_string());
    let tampered = format!("{header}.{forged_claims}.{signature}");

    app.get("/api/v1/auth/me", Some(&tampered))
        .await
        .assert_problem(401, "invalid_token");
    app.get(
        "/api/v1/auth/me",
        Some(&sign(
            claims_for(uuid::Uuid::new_v4(), 600),
            "another-secret-of-sufficient-length!!",
        )),
    )
    .await
    .assert_problem(401, "invalid_token");
}

#[actix_web::test]
async fn unsigned_alg_none_tokens_are_refused() {
    use base64::Engine;
    let app = TestApp::spawn().await;
    let (id, _) = app.account("admin@example.vn", "admin").await;
    let b64 = |v: serde_json::Value| {
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string())
    };
    let token = format!(
        "{}.{}.",
        b64(json!({"alg": "none", "typ": "JWT"})),
        b64(claims_for(id, 600))
    );

    app.get("/api/v1/auth/me", Some(&token))
        .await
        .assert_problem(401, "invalid_token");
}

#[actix_web::test]
async fn tokens_for_another_audience_or_issuer_are_refused() {
    let app = TestApp::spawn().await;
    let (id, _) = app.account("admin@example.vn", "admin").await;
    let mut wrong_audience = claims_for(id, 600);
    wrong_audience["aud"] = json!("some-other-api");
    let mut wrong_issuer = claims_for(id, 600);
    wrong_issuer["iss"] = json!("someone-else");

    app.get("/api/v1/auth/me", Some(&sign(wrong_audience, JWT_SECRET)))
        .await
        .assert_problem(401, "invalid_token");
    app.get("/api/v1/auth/me", Some(&sign(wrong_issuer, JWT_SECRET)))
        .await
        .assert_problem(401, "invalid_token");
}

#[actix_web::test]
async fn disabling_an_account_invalidates_its_tokens_at_once() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let (id, token) = app.account("leaving@example.vn", "organizer").await;
    assert_eq!(
        app.get("/api/v1/auth/me", Some(&token)).await.status,
        StatusCode::OK
    );

    let disabled = app
        .post(
            &format!("/api/v1/accounts/{id}/disable"),
            Some(&admin),
            json!({}),
        )
        .await;
    assert_eq!(disabled.status, StatusCode::OK);

    app.get("/api/v1/auth/me", Some(&token))
        .await
        .assert_problem(401, "account_disabled");
    let login = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({"email": "leaving@example.vn", "password": PASSWORD}),
        )
        .await;
    login.assert_problem(401, "account_disabled");
}

#[actix_web::test]
async fn stored_password_hashes_are_argon2id() {
    let app = TestApp::spawn().await;
    app.account("someone@example.vn", "organizer").await;

    let client = app.db.client().await;
    let hash: String = client
        .query_one("SELECT password_hash FROM accounts", &[])
        .await
        .unwrap()
        .get(0);

    assert!(hash.starts_with("$argon2id$"), "{hash}");
    assert!(!hash.contains(PASSWORD));
}

#[actix_web::test]
async fn parallel_guesses_cannot_exceed_the_account_limit() {
    let app = TestApp::spawn_with(|s| s.auth.login_max_failures_per_account = 3).await;
    app.account("target@example.vn", "organizer").await;
    let guesses = (0..20).map(|n| {
        app.post(
            "/api/v1/auth/login",
            None,
            json!({"email": "target@example.vn", "password": format!("guess-{n}")}),
        )
    });

    let replies = futures_util::future::join_all(guesses).await;

    let checked = replies
        .iter()
        .filter(|r| r.status == StatusCode::UNAUTHORIZED)
        .count();
    let throttled = replies
        .iter()
        .filter(|r| r.status == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert_eq!(
        checked, 3,
        "only the allowed number of guesses reach the password check"
    );
    assert_eq!(throttled, 17);
}

async fn login_from(app: &TestApp, address: &str, email: &str, password: &str) -> Reply {
    let reply = app
        .request(Method::POST, "/api/v1/auth/login", None)
        .header("x-forwarded-for", address)
        .json(&json!({"email": email, "password": password}))
        .send()
        .await
        .unwrap();
    Reply::from(reply).await
}

#[actix_web::test]
async fn an_attacker_guessing_from_one_address_does_not_lock_the_owner_out() {
    let app = TestApp::spawn_with(|s| {
        s.trust_forwarded_for = true;
        s.auth.login_max_failures_per_account_and_ip = 3;
    })
    .await;
    app.account("victim@example.vn", "organizer").await;

    for _ in 0..3 {
        login_from(&app, "203.0.113.9", "victim@example.vn", "guess")
            .await
            .assert_problem(401, "invalid_credentials");
    }
    let attacker = login_from(&app, "203.0.113.9", "victim@example.vn", PASSWORD).await;
    let owner = login_from(&app, "198.51.100.7", "victim@example.vn", PASSWORD).await;

    attacker.assert_problem(429, "rate_limited");
    assert!(attacker.header("retry-after").is_some());
    assert_eq!(owner.status, 200, "{}", owner.body);
    assert!(owner.body["access_token"].is_string());
}

#[actix_web::test]
async fn guesses_spread_over_many_addresses_meet_the_account_ceiling() {
    let app = TestApp::spawn_with(|s| {
        s.trust_forwarded_for = true;
        s.auth.login_max_failures_per_account = 4;
    })
    .await;
    app.account("victim@example.vn", "organizer").await;

    for n in 1..=4 {
        login_from(
            &app,
            &format!("203.0.113.{n}"),
            "victim@example.vn",
            "guess",
        )
        .await
        .assert_problem(401, "invalid_credentials");
    }
    let fifth = login_from(&app, "203.0.113.5", "victim@example.vn", "guess").await;

    fifth.assert_problem(429, "rate_limited");
}
