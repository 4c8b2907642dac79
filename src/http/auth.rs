//! Login and the current account.

use actix_web::{HttpRequest, get, post, web};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::auth::Actor;
use crate::domain::accounts::{self, Account, LoginRequest};
use crate::error::{ApiError, ApiResult};
use crate::http::client_ip;
use crate::state::AppState;
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(login).service(me);
}

/// Log in
///
/// Exchanges email and password for a short-lived bearer token. Unknown emails and wrong
/// passwords get the same answer. Repeated failures per client IP and per account are
/// throttled with 429 and `Retry-After`.
#[utoipa::path(
    tag = "auth",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Logged in", body = LoginResponse),
        (status = 401, description = "Wrong email or password (`invalid_credentials`), or the account is disabled (`account_disabled`)",
         body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many failed attempts (`rate_limited`)", body = crate::error::Problem,
         content_type = "application/problem+json", headers(("Retry-After" = u64, description = "Seconds to wait"))),
    ),
    security(()),
)]
#[post("/auth/login")]
async fn login(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Json<LoginRequest>,
) -> ApiResult<web::Json<LoginResponse>> {
    let ip = client_ip(&req, state.trust_forwarded_for);
    let account = accounts::login(
        &state.pool,
        &state.auth,
        &state.passwords,
        body.into_inner(),
        &ip,
    )
    .await?;
    let issued = state
        .jwt
        .issue(account.id, account.role.as_str())
        .map_err(ApiError::internal)?;
    Ok(web::Json(LoginResponse {
        access_token: issued.token,
        token_type: "Bearer".to_owned(),
        expires_in: issued.expires_in,
        expires_at: issued.expires_at,
        account,
    }))
}

/// A bearer token for the `Authorization` header.
#[derive(Debug, Serialize, ToSchema)]
pub struct LoginResponse {
    pub access_token: String,
    /// Always `Bearer`.
    #[schema(example = "Bearer")]
    pub token_type: String,
    /// Seconds until the token expires.
    #[schema(example = 900)]
    pub expires_in: i64,
    pub expires_at: DateTime<Utc>,
    pub account: Account,
}

/// The current account
#[utoipa::path(tag = "auth", responses((status = 200, description = "The account the token belongs to", body = Account)))]
#[get("/auth/me")]
async fn me(state: web::Data<AppState>, actor: Actor) -> ApiResult<web::Json<Account>> {
    Ok(web::Json(
        accounts::get(&mut *state.pool.get().await?, actor.account_id).await?,
    ))
}
