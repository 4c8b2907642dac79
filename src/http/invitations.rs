//! Invitations: organizers invite units with seats; the unit's contact uses the link token.

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, HttpResponse, get, patch, post, web};
use futures_util::future::{Ready, ready};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::auth::Actor;
use crate::domain::idempotency::{Idempotency, Outcome};
use crate::domain::invitations::{
    self, Invitation, InvitationId, InvitationRegistrations, InvitationView, InvitationWithToken,
    NewInvitation,
};
use crate::domain::registrations::{PersonInput, PersonPatch, Registration, RegistrationWithToken};
use crate::error::{ApiError, ApiResult, Problem};
use crate::http::registrations::header_token;
use crate::http::{if_match, versioned};
use crate::state::AppState;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(create_invitation)
        .service(list_invitations)
        .service(revoke_invitation)
        .service(resend_invitation)
        .service(view_invitation)
        .service(invitation_registrations)
        .service(register_through_invitation)
        .service(edit_invitation_registration)
        .service(cancel_invitation_registration)
        .service(substitute_invitation_registration);
}

/// The `X-Invitation-Token` header.
pub struct InvitationToken(pub String);

impl FromRequest for InvitationToken {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(header_token(req, "x-invitation-token").map(InvitationToken))
    }
}

/// Invite a unit
///
/// Returns the invitation link token once; only its hash is stored.
#[utoipa::path(
    tag = "invitations",
    params(("conference_id" = Uuid, Path, description = "Conference id")),
    request_body = NewInvitation,
    responses(
        (status = 201, description = "Invited", body = InvitationWithToken),
        (status = 409, description = "Unit already invited (`already_invited`) or conference cancelled (`conference_cancelled`)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/conferences/{conference_id}/invitations")]
async fn create_invitation(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<Uuid>,
    body: web::Json<NewInvitation>,
) -> ApiResult<HttpResponse> {
    let created = invitations::create(
        &mut *state.pool.get().await?,
        &actor,
        path.into_inner(),
        body.into_inner(),
    )
    .await?;
    Ok(HttpResponse::Created().json(created))
}

/// Invitations and their seats
///
/// Per unit: seats allotted, registered, confirmed.
#[utoipa::path(
    tag = "invitations",
    params(("conference_id" = Uuid, Path, description = "Conference id")),
    responses((status = 200, description = "The invitations", body = Vec<Invitation>))
)]
#[get("/conferences/{conference_id}/invitations")]
async fn list_invitations(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<Uuid>,
) -> ApiResult<web::Json<Vec<Invitation>>> {
    Ok(web::Json(
        invitations::list(&mut *state.pool.get().await?, &actor, path.into_inner()).await?,
    ))
}

/// Revoke an invitation
///
/// Its token gets 404 from then on; registrations already made stay.
#[utoipa::path(
    tag = "invitations",
    params(("conference_id" = Uuid, Path, description = "Conference id"), ("invitation_id" = Uuid, Path, description = "Invitation id")),
    responses((status = 200, description = "Revoked", body = Invitation))
)]
#[post("/conferences/{conference_id}/invitations/{invitation_id}/revoke")]
async fn revoke_invitation(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<(Uuid, InvitationId)>,
) -> ApiResult<web::Json<Invitation>> {
    let (conference_id, id) = path.into_inner();
    Ok(web::Json(
        invitations::revoke(&mut *state.pool.get().await?, &actor, conference_id, id).await?,
    ))
}

/// Send an invitation again
///
/// Issues a new link token (returned once; the previous link stops working) and emails it,
/// with the seat count, to the unit's contact (`invitation.resent`).
#[utoipa::path(
    tag = "invitations",
    params(("conference_id" = Uuid, Path, description = "Conference id"), ("invitation_id" = Uuid, Path, description = "Invitation id")),
    responses(
        (status = 200, description = "The invitation with its new token", body = InvitationWithToken),
        (status = 404, description = "No such invitation of a conference the caller organizes (`not_found`)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Revoked (`registration_closed`) or conference cancelled (`conference_cancelled`)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/conferences/{conference_id}/invitations/{invitation_id}/resend")]
async fn resend_invitation(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<(Uuid, InvitationId)>,
) -> ApiResult<web::Json<InvitationWithToken>> {
    let (conference_id, id) = path.into_inner();
    Ok(web::Json(
        invitations::resend(&mut *state.pool.get().await?, &actor, conference_id, id).await?,
    ))
}

/// See the invitation (unit contact)
#[utoipa::path(
    tag = "invitation link",
    responses(
        (status = 200, description = "The invitation and its conference", body = InvitationView),
        (status = 404, description = "Unknown or revoked token (`not_found`)", body = Problem, content_type = "application/problem+json"),
    ),
    security(("invitation_token" = [])),
)]
#[get("/invitation")]
async fn view_invitation(
    state: web::Data<AppState>,
    token: InvitationToken,
) -> ApiResult<web::Json<InvitationView>> {
    Ok(web::Json(
        invitations::view(&mut *state.pool.get().await?, &token.0).await?,
    ))
}

/// The unit's registrations (unit contact)
#[utoipa::path(
    tag = "invitation link",
    responses(
        (status = 200, description = "Registrations made through this invitation", body = Vec<Registration>),
        (status = 404, description = "Unknown or revoked token (`not_found`)", body = Problem, content_type = "application/problem+json"),
    ),
    security(("invitation_token" = [])),
)]
#[get("/invitation/registrations")]
async fn invitation_registrations(
    state: web::Data<AppState>,
    token: InvitationToken,
) -> ApiResult<web::Json<Vec<Registration>>> {
    Ok(web::Json(
        invitations::registrations(&mut *state.pool.get().await?, &token.0).await?,
    ))
}

/// Register delegates (unit contact)
///
/// All of them or none: 409 `quota_exceeded` when they do not fit in the remaining seats.
#[utoipa::path(
    tag = "invitation link",
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe: a replay with the same key and body returns the first response (with `Idempotent-Replayed: true`)")),
    request_body = InvitationRegistrations,
    responses(
        (status = 201, description = "Registered", body = Vec<RegistrationWithToken>),
        (status = 404, description = "Unknown or revoked token (`not_found`)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Over quota (`quota_exceeded`), expired (`invitation_expired`), full (`capacity_reached`), duplicate (`already_registered`)",
         body = Problem, content_type = "application/problem+json"),
    ),
    security(("invitation_token" = [])),
)]
#[post("/invitation/registrations")]
async fn register_through_invitation(
    state: web::Data<AppState>,
    token: InvitationToken,
    req: HttpRequest,
    body: web::Json<InvitationRegistrations>,
) -> ApiResult<HttpResponse> {
    let idem = match req.headers().get("idempotency-key") {
        None => None,
        Some(key) => {
            let scope = format!("invitation:{}", hex_hash(&token.0));
            Some(Idempotency::new(
                scope,
                key.to_str().unwrap_or_default(),
                &*body,
            )?)
        }
    };
    Ok(
        match invitations::register(
            &mut *state.pool.get().await?,
            &token.0,
            body.into_inner(),
            idem,
        )
        .await?
        {
            Outcome::Fresh(created) => HttpResponse::Created().json(created),
            Outcome::Replayed(replay) => HttpResponse::Created()
                .insert_header(("Idempotent-Replayed", "true"))
                .json(replay.body),
        },
    )
}

/// The token's hash as hex: idempotency scopes must not hold the token itself.
fn hex_hash(token: &str) -> String {
    hex::encode(crate::domain::tokens::hash(token))
}

/// Edit one of the unit's delegates (unit contact)
#[utoipa::path(
    tag = "invitation link",
    params(
        ("registration_id" = Uuid, Path, description = "Registration id"),
        ("If-Match" = Option<String>, Header, description = "ETag from a previous read"),
    ),
    request_body = PersonPatch,
    responses(
        (status = 200, description = "Updated", body = Registration, headers(("ETag" = String))),
        (status = 409, description = "Expired invitation, closed registration or duplicate person", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed since read (`etag_mismatch`)", body = Problem, content_type = "application/problem+json"),
    ),
    security(("invitation_token" = [])),
)]
#[patch("/invitation/registrations/{registration_id}")]
async fn edit_invitation_registration(
    state: web::Data<AppState>,
    token: InvitationToken,
    req: HttpRequest,
    path: web::Path<Uuid>,
    body: web::Json<PersonPatch>,
) -> ApiResult<HttpResponse> {
    Ok(versioned(
        invitations::edit(
            &mut *state.pool.get().await?,
            &token.0,
            path.into_inner(),
            if_match(&req),
            body.into_inner(),
        )
        .await?,
    ))
}

/// Cancel one of the unit's delegates (unit contact)
///
/// Frees the invitation seat, and the conference seat for the waitlist.
#[utoipa::path(
    tag = "invitation link",
    params(("registration_id" = Uuid, Path, description = "Registration id")),
    responses(
        (status = 200, description = "Cancelled", body = Registration),
        (status = 409, description = "Already cancelled (`illegal_status_transition`)", body = Problem, content_type = "application/problem+json"),
    ),
    security(("invitation_token" = [])),
)]
#[post("/invitation/registrations/{registration_id}/cancel")]
async fn cancel_invitation_registration(
    state: web::Data<AppState>,
    token: InvitationToken,
    path: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    Ok(versioned(
        invitations::cancel(&mut *state.pool.get().await?, &token.0, path.into_inner()).await?,
    ))
}

/// Substitute another person (unit contact)
///
/// Keeps the seat, number and status; issues a new QR code and delegate token; records who
/// replaced whom and when.
#[utoipa::path(
    tag = "invitation link",
    params(("registration_id" = Uuid, Path, description = "Registration id")),
    request_body = PersonInput,
    responses(
        (status = 200, description = "Substituted", body = RegistrationWithToken),
        (status = 409, description = "Registration not live (`registration_closed`), expired invitation, or duplicate person", body = Problem, content_type = "application/problem+json"),
    ),
    security(("invitation_token" = [])),
)]
#[post("/invitation/registrations/{registration_id}/substitute")]
async fn substitute_invitation_registration(
    state: web::Data<AppState>,
    token: InvitationToken,
    path: web::Path<Uuid>,
    body: web::Json<PersonInput>,
) -> ApiResult<web::Json<RegistrationWithToken>> {
    Ok(web::Json(
        invitations::substitute(
            &mut *state.pool.get().await?,
            &token.0,
            path.into_inner(),
            body.into_inner(),
        )
        .await?,
    ))
}
