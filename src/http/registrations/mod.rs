//! Registrations: organizer management (`organizer.rs`), imports and bulk actions (`bulk.rs`),
//! organizers' session sign-ups (`sessions.rs`), online self-registration and the delegate's own
//! view (`delegate.rs`); here the routes and what they share: the delegate token header,
//! idempotency keys, the 201 with a token, images that hold a secret.

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, HttpResponse, delete, get, patch, post, put, web};
use futures_util::future::{Ready, ready};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::auth::Actor;
use crate::domain::conferences::Versioned;
use crate::domain::idempotency::{Idempotency, Outcome};
use crate::domain::registrations::{
    self, Action, OrganizerRegistration, OrganizerRegistrationWithToken, PersonInput, PersonPatch,
    Registration, RegistrationDetail, RegistrationQuery, RegistrationWithToken,
    SelfRegistrationInput,
};
use crate::domain::signups;
use crate::error::{ApiError, ApiResult, ErrorCode, Problem};
use crate::http::metrics::registration_outcome;
use crate::http::{etag, if_match, versioned};
use crate::state::AppState;

mod bulk;
mod delegate;
mod organizer;
mod sessions;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(organizer::list_registrations)
        .service(organizer::create_registration)
        .service(delegate::self_register)
        .service(bulk::import_registrations)
        .service(bulk::bulk_registrations)
        .service(organizer::get_registration)
        .service(organizer::registration_qr_svg)
        .service(organizer::registration_qr_png)
        .service(organizer::update_registration)
        .service(organizer::approve_registration)
        .service(organizer::reject_registration)
        .service(organizer::cancel_registration)
        .service(delegate::delegate_registration)
        .service(delegate::delegate_qr)
        .service(delegate::delegate_qr_png)
        .service(delegate::delegate_cancel)
        .service(sessions::sign_up_by_organizer)
        .service(sessions::withdraw_by_organizer)
        .service(sessions::registration_sessions)
        .service(delegate::delegate_sessions)
        .service(delegate::delegate_sign_up)
        .service(delegate::delegate_withdraw);
}

/// A page of registrations.
#[derive(Serialize, ToSchema)]
pub struct RegistrationPage {
    pub items: Vec<OrganizerRegistration>,
    /// Cursor for the next page; `null` on the last page (and always with `q`).
    pub next_cursor: Option<String>,
}

/// The `X-Delegate-Token` header: the delegate's link token.
pub struct DelegateToken(pub String);

impl FromRequest for DelegateToken {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(header_token(req, "x-delegate-token").map(DelegateToken))
    }
}

pub fn header_token(req: &HttpRequest, name: &str) -> Result<String, ApiError> {
    let value = req
        .headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .ok_or_else(|| {
            ApiError::unauthorized(
                ErrorCode::MissingToken,
                format!("send the link token in `{name}`"),
            )
        })?;
    if value.len() > 200 {
        return Err(ApiError::unauthorized(
            ErrorCode::InvalidToken,
            "the token is invalid",
        ));
    }
    Ok(value.to_owned())
}

/// The optional `Idempotency-Key` header, scoped to the route and caller.
pub(super) fn idempotency(
    req: &HttpRequest,
    scope: String,
    body: &impl Serialize,
) -> ApiResult<Option<Idempotency>> {
    match req.headers().get("idempotency-key") {
        None => Ok(None),
        Some(value) => Idempotency::new(scope, value.to_str().unwrap_or_default(), body).map(Some),
    }
}

/// A 201 with the new registration and the delegate token, or the replay of the first response.
pub(super) fn created_with_token<T, B: Serialize>(
    conference_id: Uuid,
    outcome: Outcome<(Versioned<T>, String)>,
    id: impl Fn(&T) -> Uuid,
    body: impl Fn(T, String) -> B,
) -> HttpResponse {
    let (registration, delegate_token) = match outcome {
        Outcome::Fresh(created) => created,
        Outcome::Replayed(replay) => {
            let status = actix_web::http::StatusCode::from_u16(replay.status)
                .unwrap_or(actix_web::http::StatusCode::CREATED);
            let mut response = HttpResponse::build(status);
            response.insert_header(("Idempotent-Replayed", "true"));
            if let Some(id) = replay.body["registration"]["id"].as_str() {
                response.insert_header((
                    "Location",
                    format!("/api/v1/conferences/{conference_id}/registrations/{id}"),
                ));
            }
            return response.json(replay.body);
        }
    };
    HttpResponse::Created()
        .insert_header((
            "Location",
            format!(
                "/api/v1/conferences/{conference_id}/registrations/{}",
                id(&registration.value)
            ),
        ))
        .insert_header(("ETag", etag(registration.version)))
        .json(body(registration.value, delegate_token))
}

/// An image holding a secret: never cached.
pub(super) fn image(
    content_type: &'static str,
    body: impl actix_web::body::MessageBody + 'static,
) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(content_type)
        .insert_header(("Cache-Control", "no-store"))
        .body(body)
}
