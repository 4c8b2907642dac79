//! Self-service: online self-registration, and what a delegate does with their link token.

use super::*;

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
pub(super) async fn self_register(
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
pub(super) async fn delegate_registration(
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
pub(super) async fn delegate_qr(
    state: web::Data<AppState>,
    token: DelegateToken,
) -> ApiResult<HttpResponse> {
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
pub(super) async fn delegate_qr_png(
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
pub(super) async fn delegate_cancel(
    state: web::Data<AppState>,
    token: DelegateToken,
) -> ApiResult<HttpResponse> {
    Ok(versioned(
        registrations::delegate_cancel(&mut *state.pool.get().await?, &token.0).await?,
    ))
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
pub(super) async fn delegate_sessions(
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
pub(super) async fn delegate_sign_up(
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
pub(super) async fn delegate_withdraw(
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
