//! A delegate's session sign-ups, managed by organizers.

use super::*;

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
pub(super) async fn sign_up_by_organizer(
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
pub(super) async fn registration_sessions(
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
pub(super) async fn withdraw_by_organizer(
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
