//! Account administration (admins only).

use actix_web::{HttpResponse, get, post, web};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::auth::Actor;
use crate::domain::accounts::{self, Account, AccountQuery, NewAccount};
use crate::error::ApiResult;
use crate::state::AppState;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(create_account)
        .service(list_accounts)
        .service(get_account)
        .service(disable_account)
        .service(enable_account);
}

/// A page of accounts.
#[derive(Serialize, ToSchema)]
pub struct AccountPage {
    pub items: Vec<Account>,
    /// Cursor for the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

/// Create an account
///
/// Admins create organizer (or admin) accounts. Passwords are stored as argon2id hashes.
#[utoipa::path(
    tag = "accounts",
    request_body = NewAccount,
    responses(
        (status = 201, description = "Created", body = Account, headers(("Location" = String))),
        (status = 409, description = "The email is taken (`email_taken`)", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
#[post("/accounts")]
async fn create_account(
    state: web::Data<AppState>,
    actor: Actor,
    body: web::Json<NewAccount>,
) -> ApiResult<HttpResponse> {
    actor.require_admin()?;
    let account = accounts::create(&state.pool, &state.passwords, body.into_inner()).await?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/accounts/{}", account.id)))
        .json(account))
}

/// List accounts
#[utoipa::path(tag = "accounts", params(AccountQuery), responses((status = 200, description = "A page of accounts", body = AccountPage)))]
#[get("/accounts")]
async fn list_accounts(
    state: web::Data<AppState>,
    actor: Actor,
    query: web::Query<AccountQuery>,
) -> ApiResult<web::Json<AccountPage>> {
    actor.require_admin()?;
    let (items, next_cursor) =
        accounts::list(&mut *state.pool.get().await?, query.into_inner()).await?;
    Ok(web::Json(AccountPage { items, next_cursor }))
}

/// Get an account
#[utoipa::path(
    tag = "accounts",
    params(("account_id" = Uuid, Path, description = "Account id")),
    responses((status = 200, description = "The account", body = Account))
)]
#[get("/accounts/{account_id}")]
async fn get_account(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<Uuid>,
) -> ApiResult<web::Json<Account>> {
    actor.require_admin()?;
    Ok(web::Json(
        accounts::get(&mut *state.pool.get().await?, path.into_inner()).await?,
    ))
}

/// Disable an account
///
/// Its tokens stop working on the next request. An admin cannot disable themselves.
#[utoipa::path(
    tag = "accounts",
    params(("account_id" = Uuid, Path, description = "Account id")),
    responses(
        (status = 200, description = "Disabled", body = Account),
        (status = 409, description = "Own account (`cannot_disable_self`)", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
#[post("/accounts/{account_id}/disable")]
async fn disable_account(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<Uuid>,
) -> ApiResult<web::Json<Account>> {
    actor.require_admin()?;
    Ok(web::Json(
        accounts::set_disabled(
            &mut *state.pool.get().await?,
            &actor,
            path.into_inner(),
            true,
        )
        .await?,
    ))
}

/// Enable an account
#[utoipa::path(
    tag = "accounts",
    params(("account_id" = Uuid, Path, description = "Account id")),
    responses((status = 200, description = "Enabled", body = Account))
)]
#[post("/accounts/{account_id}/enable")]
async fn enable_account(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<Uuid>,
) -> ApiResult<web::Json<Account>> {
    actor.require_admin()?;
    Ok(web::Json(
        accounts::set_disabled(
            &mut *state.pool.get().await?,
            &actor,
            path.into_inner(),
            false,
        )
        .await?,
    ))
}
