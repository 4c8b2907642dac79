//! Organizer management of registrations: list, register, read, edit, approve, reject, cancel,
//! and the QR image of one registration.

use super::*;

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
pub(super) async fn list_registrations(
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
pub(super) async fn create_registration(
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
pub(super) async fn get_registration(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<(Uuid, Uuid)>,
) -> ApiResult<HttpResponse> {
    let (conference_id, id) = path.into_inner();
    Ok(versioned(
        registrations::get(&mut *state.pool.get().await?, &actor, conference_id, id).await?,
    ))
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
pub(super) async fn update_registration(
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

pub(super) async fn act(
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
pub(super) async fn approve_registration(
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
pub(super) async fn reject_registration(
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
pub(super) async fn cancel_registration(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<(Uuid, Uuid)>,
) -> ApiResult<HttpResponse> {
    act(state, actor, path.into_inner(), Action::Cancel).await
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
pub(super) async fn registration_qr_svg(
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
pub(super) async fn registration_qr_png(
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
