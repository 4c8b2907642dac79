//! Registrations: organizer management, online self-registration, and the delegate's own view.

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

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list_registrations)
        .service(create_registration)
        .service(self_register)
        .service(import_registrations)
        .service(bulk_registrations)
        .service(get_registration)
        .service(registration_qr_svg)
        .service(registration_qr_png)
        .service(update_registration)
        .service(approve_registration)
        .service(reject_registration)
        .service(cancel_registration)
        .service(delegate_registration)
        .service(delegate_qr)
        .service(delegate_qr_png)
        .service(delegate_cancel)
        .service(sign_up_by_organizer)
        .service(withdraw_by_organizer)
        .service(registration_sessions)
        .service(delegate_sessions)
        .service(delegate_sign_up)
        .service(delegate_withdraw);
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
fn idempotency(
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
fn created_with_token<T, B: Serialize>(
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

/// List registrations
///
/// Filters combine; `district_id` includes the district's communes and offices. With `q`, every
/// word must begin a word of the registration, in any order, and the best matches come first
/// (the exact full name first; accents, case and phone spelling ignored); one page, no cursor.
#[utoipa::path(
    tag = "registrations",
    params(("conference_id" = Uuid, Path, description = "Conference id"), RegistrationQuery),
    responses((status = 200, description = "A page of registrations", body = RegistrationPage))
)]
#[get("/conferences/{conference_id}/registrations")]
async fn list_registrations(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<Uuid>,
    query: web::Query<RegistrationQuery>,
) -> ApiResult<web::Json<RegistrationPage>> {
    let (items, next_cursor) = registrations::list(
        &mut *state.pool.get().await?,
        &actor,
        path.into_inner(),
        query.into_inner(),
    )
    .await?;
    Ok(web::Json(RegistrationPage { items, next_cursor }))
}

/// Register a delegate (organizer)
///
/// Confirmed while seats remain, then waitlisted (or 409 `capacity_reached` without a waitlist).
/// The response has no QR payload: pass the delegate token on, or print the code from
/// `.../registrations/{registration_id}/qr.svg`.
#[utoipa::path(
    tag = "registrations",
    params(
        ("conference_id" = Uuid, Path, description = "Conference id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe: a replay with the same key and body returns the first response (with `Idempotent-Replayed: true`)"),
    ),
    request_body = PersonInput,
    responses(
        (status = 201, description = "Registered", body = OrganizerRegistrationWithToken, headers(("Location" = String), ("ETag" = String))),
        (status = 409, description = "Same email or phone already registered (`already_registered`), full (`capacity_reached`), or cancelled conference (`conference_cancelled`)",
         body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/conferences/{conference_id}/registrations")]
async fn create_registration(
    state: web::Data<AppState>,
    actor: Actor,
    req: HttpRequest,
    path: web::Path<Uuid>,
    body: web::Json<PersonInput>,
) -> ApiResult<HttpResponse> {
    let conference_id = path.into_inner();
    let idem = idempotency(
        &req,
        format!("registrations:{conference_id}:{}", actor.account_id),
        &body,
    )?;
    let created = registrations::create_by_organizer(
        &mut *state.pool.get().await?,
        &actor,
        conference_id,
        body.into_inner(),
        idem,
    )
    .await;
    let outcome = registration_outcome(&created, |r: &OrganizerRegistration| r.status);
    state.metrics.registration("organizer", outcome);
    let created = created?;
    Ok(created_with_token(
        conference_id,
        created,
        |r: &OrganizerRegistration| r.id,
        |registration, delegate_token| OrganizerRegistrationWithToken {
            registration,
            delegate_token,
        },
    ))
}

/// Import delegates from CSV
///
/// UTF-8 CSV with a header row. Columns (Vietnamese or English): `Họ và tên`/`full_name`,
/// `Chức vụ`/`position`, `Đơn vị`/`unit` (a directory unit, by name), `Tổ chức`/`organization`
/// (free text), `Thành phần`/`category`, `Điện thoại`/`phone`, `Email`. `?dry_run=true` checks
/// every row and reports every error; otherwise the import is all-or-nothing (422 listing every
/// error). Seats are assigned in file order; the rest are waitlisted when the waitlist is on.
#[utoipa::path(
    tag = "registrations",
    params(("conference_id" = Uuid, Path, description = "Conference id"), crate::http::units::ImportQuery),
    request_body(
        description = "UTF-8 CSV with a header row, or an XLSX workbook (its first sheet is read)",
        content(
            (String = "text/csv"),
            (String = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        )
    ),
    responses(
        (status = 200, description = "Imported, or the dry-run report", body = crate::domain::units::ImportReport),
        (status = 409, description = "A delegate registered meanwhile (`already_registered`) or the conference is cancelled", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/conferences/{conference_id}/registration-imports")]
async fn import_registrations(
    state: web::Data<AppState>,
    actor: Actor,
    req: HttpRequest,
    path: web::Path<Uuid>,
    query: web::Query<crate::http::units::ImportQuery>,
    payload: web::Payload,
) -> ApiResult<web::Json<crate::domain::units::ImportReport>> {
    let media_type = crate::http::require_content_type(&req, &crate::domain::table::MEDIA_TYPES)?;
    let body = crate::http::read_body(payload, crate::http::IMPORT_LIMIT_BYTES).await?;
    let report = crate::domain::imports::import_delegates(
        &mut *state.pool.get().await?,
        &actor,
        path.into_inner(),
        &media_type,
        &body,
        query.dry_run.unwrap_or(false),
    )
    .await?;
    Ok(web::Json(report))
}

/// Approve, reject or cancel many registrations
///
/// Each registration succeeds or fails on its own; the results come in request order.
#[utoipa::path(
    tag = "registrations",
    params(("conference_id" = Uuid, Path, description = "Conference id")),
    request_body = crate::domain::registrations::BulkRequest,
    responses((status = 200, description = "One result per registration", body = Vec<crate::domain::registrations::BulkResult>))
)]
#[post("/conferences/{conference_id}/registration-actions")]
async fn bulk_registrations(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<Uuid>,
    body: web::Json<crate::domain::registrations::BulkRequest>,
) -> ApiResult<web::Json<Vec<crate::domain::registrations::BulkResult>>> {
    Ok(web::Json(
        registrations::bulk(
            &mut *state.pool.get().await?,
            &actor,
            path.into_inner(),
            body.into_inner(),
        )
        .await?,
    ))
}

/// Register online (delegates)
///
/// For published conferences in `open` or `approval_required` mode, inside the registration
/// window. The response carries the delegate token for viewing, the QR code and cancelling.
#[utoipa::path(
    tag = "registrations",
    params(
        ("conference_id" = Uuid, Path, description = "Conference id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe: a replay with the same key and body returns the first response (with `Idempotent-Replayed: true`)"),
    ),
    request_body = SelfRegistrationInput,
    responses(
        (status = 201, description = "Registered (confirmed, waitlisted or pending approval)", body = RegistrationWithToken,
         headers(("Location" = String), ("ETag" = String))),
        (status = 409, description = "Already registered (`already_registered`), full (`capacity_reached`), invitation-only (`invitation_only`), outside the window (`registration_not_open`, `registration_closed`), the privacy notice changed (`notice_version_not_current`)",
         body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid person, or the privacy notice not accepted (`validation_failed` naming `consent`)",
         body = Problem, content_type = "application/problem+json"),
    ),
    security(()),
)]
#[post("/conferences/{conference_id}/self-registrations")]
async fn self_register(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<Uuid>,
    body: web::Json<SelfRegistrationInput>,
) -> ApiResult<HttpResponse> {
    let conference_id = path.into_inner();
    let idem = idempotency(&req, format!("self-registrations:{conference_id}"), &body)?;
    let (person, consent) = body.into_inner().split();
    let created = registrations::self_register(
        &mut *state.pool.get().await?,
        conference_id,
        person,
        consent,
        idem,
    )
    .await;
    let outcome = registration_outcome(&created, |r: &Registration| r.status);
    state.metrics.registration("self", outcome);
    let created = created?;
    Ok(created_with_token(
        conference_id,
        created,
        |r: &Registration| r.id,
        |registration, delegate_token| RegistrationWithToken {
            registration,
            delegate_token,
        },
    ))
}

/// Get a registration
///
/// With its substitution history (who held the seat before, oldest first, with their contact
/// details). No QR payload: fetch the image from `.../qr.svg` or `.../qr.png`.
#[utoipa::path(
    tag = "registrations",
    params(("conference_id" = Uuid, Path, description = "Conference id"), ("registration_id" = Uuid, Path, description = "Registration id")),
    responses(
        (status = 200, description = "The registration", body = RegistrationDetail, headers(("ETag" = String))),
        (status = 404, description = "No such registration in a conference the caller organizes (`not_found`)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/conferences/{conference_id}/registrations/{registration_id}")]
async fn get_registration(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<(Uuid, Uuid)>,
) -> ApiResult<HttpResponse> {
    let (conference_id, id) = path.into_inner();
    Ok(versioned(
        registrations::get(&mut *state.pool.get().await?, &actor, conference_id, id).await?,
    ))
}

/// A registration's QR code (SVG, organizer)
///
/// For printing a badge or sending the code again: the only organizer response that carries a
/// QR secret. Pending, confirmed and waitlisted registrations only: a cancelled or rejected
/// one's code admits nobody (409 `registration_closed`).
#[utoipa::path(
    tag = "registrations",
    params(("conference_id" = Uuid, Path, description = "Conference id"), ("registration_id" = Uuid, Path, description = "Registration id")),
    responses(
        (status = 200, description = "An SVG image of the QR code", content_type = "image/svg+xml", body = String,
         headers(("Cache-Control" = String, description = "`no-store`"))),
        (status = 404, description = "No such registration in a conference the caller organizes (`not_found`)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Cancelled or rejected (`registration_closed`)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/conferences/{conference_id}/registrations/{registration_id}/qr.svg")]
async fn registration_qr_svg(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<(Uuid, Uuid)>,
) -> ApiResult<HttpResponse> {
    let (conference_id, id) = path.into_inner();
    let payload = registrations::organizer_qr_payload(
        &mut *state.pool.get().await?,
        &actor,
        conference_id,
        id,
    )
    .await?;
    Ok(image("image/svg+xml", registrations::qr_svg(&payload)?))
}

/// A registration's QR code (PNG, organizer)
///
/// As the SVG, as a greyscale PNG (8 pixels a module, with a 4-module quiet zone).
#[utoipa::path(
    tag = "registrations",
    params(("conference_id" = Uuid, Path, description = "Conference id"), ("registration_id" = Uuid, Path, description = "Registration id")),
    responses(
        (status = 200, description = "A PNG image of the QR code", content_type = "image/png", body = String,
         headers(("Cache-Control" = String, description = "`no-store`"))),
        (status = 404, description = "No such registration in a conference the caller organizes (`not_found`)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Cancelled or rejected (`registration_closed`)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/conferences/{conference_id}/registrations/{registration_id}/qr.png")]
async fn registration_qr_png(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<(Uuid, Uuid)>,
) -> ApiResult<HttpResponse> {
    let (conference_id, id) = path.into_inner();
    let payload = registrations::organizer_qr_payload(
        &mut *state.pool.get().await?,
        &actor,
        conference_id,
        id,
    )
    .await?;
    Ok(image("image/png", registrations::qr_png(&payload)?))
}

/// An image holding a secret: never cached.
fn image(
    content_type: &'static str,
    body: impl actix_web::body::MessageBody + 'static,
) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(content_type)
        .insert_header(("Cache-Control", "no-store"))
        .body(body)
}

/// Edit a registration's person
#[utoipa::path(
    tag = "registrations",
    params(
        ("conference_id" = Uuid, Path, description = "Conference id"),
        ("registration_id" = Uuid, Path, description = "Registration id"),
        ("If-Match" = Option<String>, Header, description = "ETag from a previous read"),
    ),
    request_body = PersonPatch,
    responses(
        (status = 200, description = "Updated", body = OrganizerRegistration, headers(("ETag" = String))),
        (status = 409, description = "Cancelled or rejected (`registration_closed`), or duplicate person (`already_registered`)", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed since read (`etag_mismatch`)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/conferences/{conference_id}/registrations/{registration_id}")]
async fn update_registration(
    state: web::Data<AppState>,
    actor: Actor,
    req: HttpRequest,
    path: web::Path<(Uuid, Uuid)>,
    body: web::Json<PersonPatch>,
) -> ApiResult<HttpResponse> {
    let (conference_id, id) = path.into_inner();
    Ok(versioned(
        registrations::update(
            &mut *state.pool.get().await?,
            &actor,
            conference_id,
            id,
            if_match(&req),
            body.into_inner(),
        )
        .await?,
    ))
}

async fn act(
    state: web::Data<AppState>,
    actor: Actor,
    path: (Uuid, Uuid),
    action: Action,
) -> ApiResult<HttpResponse> {
    Ok(versioned(
        registrations::act(
            &mut *state.pool.get().await?,
            &actor,
            path.0,
            path.1,
            action,
        )
        .await?,
    ))
}

/// Approve a pending registration
///
/// It takes a seat if one is free, else a waitlist place (409 `capacity_reached` without a waitlist).
#[utoipa::path(
    tag = "registrations",
    params(("conference_id" = Uuid, Path, description = "Conference id"), ("registration_id" = Uuid, Path, description = "Registration id")),
    responses(
        (status = 200, description = "Confirmed or waitlisted", body = OrganizerRegistration, headers(("ETag" = String))),
        (status = 409, description = "Not pending (`illegal_status_transition`) or full (`capacity_reached`)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/conferences/{conference_id}/registrations/{registration_id}/approve")]
async fn approve_registration(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<(Uuid, Uuid)>,
) -> ApiResult<HttpResponse> {
    act(state, actor, path.into_inner(), Action::Approve).await
}

/// Reject a pending registration
#[utoipa::path(
    tag = "registrations",
    params(("conference_id" = Uuid, Path, description = "Conference id"), ("registration_id" = Uuid, Path, description = "Registration id")),
    responses(
        (status = 200, description = "Rejected", body = OrganizerRegistration, headers(("ETag" = String))),
        (status = 409, description = "Not pending (`illegal_status_transition`)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/conferences/{conference_id}/registrations/{registration_id}/reject")]
async fn reject_registration(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<(Uuid, Uuid)>,
) -> ApiResult<HttpResponse> {
    act(state, actor, path.into_inner(), Action::Reject).await
}

/// Cancel a registration
///
/// A freed seat goes to the longest-waiting registration in the same transaction.
#[utoipa::path(
    tag = "registrations",
    params(("conference_id" = Uuid, Path, description = "Conference id"), ("registration_id" = Uuid, Path, description = "Registration id")),
    responses(
        (status = 200, description = "Cancelled", body = OrganizerRegistration, headers(("ETag" = String))),
        (status = 409, description = "Already cancelled or rejected (`illegal_status_transition`)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/conferences/{conference_id}/registrations/{registration_id}/cancel")]
async fn cancel_registration(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<(Uuid, Uuid)>,
) -> ApiResult<HttpResponse> {
    act(state, actor, path.into_inner(), Action::Cancel).await
}

/// The delegate's registration
///
/// With the delegate token from the registration response (header `X-Delegate-Token`).
#[utoipa::path(
    tag = "delegate",
    responses(
        (status = 200, description = "The registration", body = Registration),
        (status = 404, description = "Unknown token (`not_found`)", body = Problem, content_type = "application/problem+json"),
    ),
    security(("delegate_token" = [])),
)]
#[get("/delegate/registration")]
async fn delegate_registration(
    state: web::Data<AppState>,
    token: DelegateToken,
) -> ApiResult<HttpResponse> {
    Ok(versioned(
        registrations::delegate_view(&mut *state.pool.get().await?, &token.0).await?,
    ))
}

/// The delegate's QR code (SVG)
///
/// Encodes the registration's `qr_payload`.
#[utoipa::path(
    tag = "delegate",
    responses(
        (status = 200, description = "An SVG image", content_type = "image/svg+xml", body = String),
        (status = 404, description = "Unknown token (`not_found`)", body = Problem, content_type = "application/problem+json"),
    ),
    security(("delegate_token" = [])),
)]
#[get("/delegate/registration/qr.svg")]
async fn delegate_qr(state: web::Data<AppState>, token: DelegateToken) -> ApiResult<HttpResponse> {
    let svg = registrations::delegate_qr_svg(&mut *state.pool.get().await?, &token.0).await?;
    Ok(image("image/svg+xml", svg))
}

/// The delegate's QR code (PNG)
///
/// Encodes the registration's `qr_payload`.
#[utoipa::path(
    tag = "delegate",
    responses(
        (status = 200, description = "A PNG image", content_type = "image/png", body = String),
        (status = 404, description = "Unknown token (`not_found`)", body = Problem, content_type = "application/problem+json"),
    ),
    security(("delegate_token" = [])),
)]
#[get("/delegate/registration/qr.png")]
async fn delegate_qr_png(
    state: web::Data<AppState>,
    token: DelegateToken,
) -> ApiResult<HttpResponse> {
    let png = registrations::delegate_qr_png(&mut *state.pool.get().await?, &token.0).await?;
    Ok(image("image/png", png))
}

/// Cancel one's own registration
#[utoipa::path(
    tag = "delegate",
    responses(
        (status = 200, description = "Cancelled", body = Registration),
        (status = 404, description = "Unknown token (`not_found`)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already cancelled or rejected (`illegal_status_transition`)", body = Problem, content_type = "application/problem+json"),
    ),
    security(("delegate_token" = [])),
)]
#[post("/delegate/registration/cancel")]
async fn delegate_cancel(
    state: web::Data<AppState>,
    token: DelegateToken,
) -> ApiResult<HttpResponse> {
    Ok(versioned(
        registrations::delegate_cancel(&mut *state.pool.get().await?, &token.0).await?,
    ))
}

/// Sign a delegate up for a session (organizer)
///
/// For confirmed registrations and sessions that require sign-up; refuses overlapping sessions
/// and full ones. Signing up twice changes nothing.
#[utoipa::path(
    tag = "registrations",
    params(
        ("conference_id" = Uuid, Path, description = "Conference id"),
        ("registration_id" = Uuid, Path, description = "Registration id"),
        ("session_id" = Uuid, Path, description = "Session id"),
    ),
    responses(
        (status = 204, description = "Signed up"),
        (status = 409, description = "Not confirmed (`registration_not_confirmed`), no sign-up needed (`signup_not_required`), overlapping (`overlapping_session`) or full (`session_full`)",
         body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/conferences/{conference_id}/registrations/{registration_id}/sessions/{session_id}")]
async fn sign_up_by_organizer(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<(Uuid, Uuid, Uuid)>,
) -> ApiResult<HttpResponse> {
    let (conference_id, registration_id, session_id) = path.into_inner();
    signups::by_organizer(
        &mut *state.pool.get().await?,
        &actor,
        conference_id,
        registration_id,
        session_id,
        true,
    )
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// A delegate's sessions (organizer)
///
/// Ids of the sessions the registration is signed up for, by start time.
#[utoipa::path(
    tag = "registrations",
    params(
        ("conference_id" = Uuid, Path, description = "Conference id"),
        ("registration_id" = Uuid, Path, description = "Registration id"),
    ),
    responses((status = 200, description = "Session ids", body = Vec<Uuid>))
)]
#[get("/conferences/{conference_id}/registrations/{registration_id}/sessions")]
async fn registration_sessions(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<(Uuid, Uuid)>,
) -> ApiResult<web::Json<Vec<Uuid>>> {
    let (conference_id, registration_id) = path.into_inner();
    Ok(web::Json(
        signups::of_registration(
            &mut *state.pool.get().await?,
            &actor,
            conference_id,
            registration_id,
        )
        .await?,
    ))
}

/// Withdraw a delegate from a session (organizer)
#[utoipa::path(
    tag = "registrations",
    params(
        ("conference_id" = Uuid, Path, description = "Conference id"),
        ("registration_id" = Uuid, Path, description = "Registration id"),
        ("session_id" = Uuid, Path, description = "Session id"),
    ),
    responses((status = 204, description = "Withdrawn"))
)]
#[delete("/conferences/{conference_id}/registrations/{registration_id}/sessions/{session_id}")]
async fn withdraw_by_organizer(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<(Uuid, Uuid, Uuid)>,
) -> ApiResult<HttpResponse> {
    let (conference_id, registration_id, session_id) = path.into_inner();
    signups::by_organizer(
        &mut *state.pool.get().await?,
        &actor,
        conference_id,
        registration_id,
        session_id,
        false,
    )
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The delegate's sessions
///
/// Ids of the sessions the delegate is signed up for, by start time.
#[utoipa::path(
    tag = "delegate",
    responses(
        (status = 200, description = "Session ids", body = Vec<Uuid>),
        (status = 404, description = "Unknown token (`not_found`)", body = Problem, content_type = "application/problem+json"),
    ),
    security(("delegate_token" = [])),
)]
#[get("/delegate/registration/sessions")]
async fn delegate_sessions(
    state: web::Data<AppState>,
    token: DelegateToken,
) -> ApiResult<web::Json<Vec<Uuid>>> {
    Ok(web::Json(
        signups::of_delegate(&mut *state.pool.get().await?, &token.0).await?,
    ))
}

/// Sign up for a session (delegate)
#[utoipa::path(
    tag = "delegate",
    params(("session_id" = Uuid, Path, description = "Session id")),
    responses(
        (status = 204, description = "Signed up"),
        (status = 404, description = "Unknown token or session (`not_found`)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not confirmed, no sign-up needed, overlapping or full", body = Problem, content_type = "application/problem+json"),
    ),
    security(("delegate_token" = [])),
)]
#[put("/delegate/registration/sessions/{session_id}")]
async fn delegate_sign_up(
    state: web::Data<AppState>,
    token: DelegateToken,
    path: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    signups::by_delegate(
        &mut *state.pool.get().await?,
        &token.0,
        path.into_inner(),
        true,
    )
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Withdraw from a session (delegate)
#[utoipa::path(
    tag = "delegate",
    params(("session_id" = Uuid, Path, description = "Session id")),
    responses(
        (status = 204, description = "Withdrawn"),
        (status = 404, description = "Unknown token, or not signed up (`not_found`)", body = Problem, content_type = "application/problem+json"),
    ),
    security(("delegate_token" = [])),
)]
#[delete("/delegate/registration/sessions/{session_id}")]
async fn delegate_withdraw(
    state: web::Data<AppState>,
    token: DelegateToken,
    path: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    signups::by_delegate(
        &mut *state.pool.get().await?,
        &token.0,
        path.into_inner(),
        false,
    )
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
