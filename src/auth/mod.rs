//! Authentication: JWTs and the request extractors that turn a bearer token
//! into an [`Actor`].

pub mod jwt;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};
use futures_util::future::LocalBoxFuture;

use crate::db;
pub use crate::domain::actor::Actor;
use crate::domain::actor::Role;
use crate::error::{ApiError, ErrorCode};
use crate::state::AppState;

/// An optional [`Actor`]: anonymous requests are allowed, but a token that is present must be valid.
#[derive(Clone, Copy, Debug)]
pub struct MaybeActor(pub Option<Actor>);

fn bearer_token(req: &HttpRequest) -> Result<Option<String>, ApiError> {
    let Some(value) = req.headers().get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let value = value.to_str().map_err(|_| {
        ApiError::unauthorized(
            ErrorCode::InvalidToken,
            "the Authorization header is not valid text",
        )
    })?;
    let token = value
        .strip_prefix("Bearer ")
        .or_else(|| value.strip_prefix("bearer "))
        .ok_or_else(|| {
            ApiError::unauthorized(
                ErrorCode::InvalidToken,
                "use `Authorization: Bearer <token>`",
            )
        })?;
    Ok(Some(token.trim().to_owned()))
}

async fn authenticate(
    state: Option<web::Data<AppState>>,
    token: Option<String>,
) -> Result<Option<Actor>, ApiError> {
    let Some(token) = token else {
        return Ok(None);
    };
    let state = state.ok_or_else(|| ApiError::internal("application state missing"))?;
    let claims = state.jwt.verify(&token).map_err(|e| {
        use jsonwebtoken::errors::ErrorKind;
        match e.kind() {
            ErrorKind::ExpiredSignature => ApiError::unauthorized(
                ErrorCode::TokenExpired,
                "the access token has expired; log in again",
            ),
            _ => ApiError::unauthorized(ErrorCode::InvalidToken, "the access token is invalid"),
        }
    })?;
    let mut conn = state.pool.get().await?;
    let account = db::accounts::find_auth_state(&mut conn, claims.sub).await?;
    match account {
        Some((role, None)) => {
            let role = role.parse::<Role>().map_err(ApiError::internal)?;
            Ok(Some(Actor {
                account_id: claims.sub,
                role,
            }))
        }
        Some((_, Some(_))) => Err(ApiError::unauthorized(
            ErrorCode::AccountDisabled,
            "this account is disabled",
        )),
        None => Err(ApiError::unauthorized(
            ErrorCode::InvalidToken,
            "the access token is invalid",
        )),
    }
}

impl FromRequest for MaybeActor {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let token = bearer_token(req);
        Box::pin(async move { Ok(MaybeActor(authenticate(state, token?).await?)) })
    }
}

impl FromRequest for Actor {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let token = bearer_token(req);
        Box::pin(async move {
            authenticate(state, token?).await?.ok_or_else(|| {
                ApiError::unauthorized(
                    ErrorCode::MissingToken,
                    "this endpoint requires a bearer token",
                )
            })
        })
    }
}
