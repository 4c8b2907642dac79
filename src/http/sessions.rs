//! Sessions: a conference's agenda.

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::auth::{Actor, MaybeActor};
use crate::domain::sessions::{self, NewSession, Session, SessionId, SessionPatch, SessionQuery};
use crate::error::{ApiResult, Problem};
use crate::http::{created, if_match, versioned};
use crate::state::AppState;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list_sessions)
        .service(create_session)
        .service(get_session)
        .service(update_session)
        .service(delete_session);
}

/// A page of sessions.
#[derive(Serialize, ToSchema)]
pub struct SessionPage {
    pub items: Vec<Session>,
    /// Cursor for the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

/// The agenda of a conference
///
/// Public for published, closed and cancelled conferences. Ordered by start time.
#[utoipa::path(
    tag = "sessions",
    params(("conference_id" = Uuid, Path, description = "Conference id"), SessionQuery),
    responses((status = 200, description = "A page of sessions", body = SessionPage)),
    security((), ("bearer" = [])),
)]
#[get("/conferences/{conference_id}/sessions")]
async fn list_sessions(
    state: web::Data<AppState>,
    actor: MaybeActor,
    path: web::Path<Uuid>,
    query: web::Query<SessionQuery>,
) -> ApiResult<web::Json<SessionPage>> {
    let (items, next_cursor) = sessions::list(
        &mut *state.pool.get().await?,
        actor.0.as_ref(),
        path.into_inner(),
        query.into_inner(),
    )
    .await?;
    Ok(web::Json(SessionPage { items, next_cursor }))
}

/// Add a session
///
/// The session must fall within the conference's dates.
#[utoipa::path(
    tag = "sessions",
    params(("conference_id" = Uuid, Path, description = "Conference id")),
    request_body = NewSession,
    responses(
        (status = 201, description = "Created", body = Session, headers(("Location" = String), ("ETag" = String))),
        (status = 409, description = "The conference is cancelled (`conference_cancelled`)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/conferences/{conference_id}/sessions")]
async fn create_session(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<Uuid>,
    body: web::Json<NewSession>,
) -> ApiResult<HttpResponse> {
    let conference_id = path.into_inner();
    let session = sessions::create(
        &mut *state.pool.get().await?,
        &actor,
        conference_id,
        body.into_inner(),
    )
    .await?;
    Ok(created(
        format!(
            "/api/v1/conferences/{conference_id}/sessions/{}",
            session.value.id
        ),
        session,
    ))
}

/// Get a session
#[utoipa::path(
    tag = "sessions",
    params(("conference_id" = Uuid, Path, description = "Conference id"), ("session_id" = Uuid, Path, description = "Session id")),
    responses((status = 200, description = "The session", body = Session, headers(("ETag" = String)))),
    security((), ("bearer" = [])),
)]
#[get("/conferences/{conference_id}/sessions/{session_id}")]
async fn get_session(
    state: web::Data<AppState>,
    actor: MaybeActor,
    path: web::Path<(Uuid, SessionId)>,
) -> ApiResult<HttpResponse> {
    let (conference_id, session_id) = path.into_inner();
    Ok(versioned(
        sessions::get(
            &mut *state.pool.get().await?,
            actor.0.as_ref(),
            conference_id,
            session_id,
        )
        .await?,
    ))
}

/// Edit a session
///
/// Partial update with optional `If-Match` (412 when the session changed since it was read).
#[utoipa::path(
    tag = "sessions",
    params(
        ("conference_id" = Uuid, Path, description = "Conference id"),
        ("session_id" = Uuid, Path, description = "Session id"),
        ("If-Match" = Option<String>, Header, description = "ETag from a previous read"),
    ),
    request_body = SessionPatch,
    responses(
        (status = 200, description = "Updated", body = Session, headers(("ETag" = String))),
        (status = 409, description = "The conference is cancelled (`conference_cancelled`)", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The session changed since it was read (`etag_mismatch`)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/conferences/{conference_id}/sessions/{session_id}")]
async fn update_session(
    state: web::Data<AppState>,
    actor: Actor,
    req: HttpRequest,
    path: web::Path<(Uuid, SessionId)>,
    body: web::Json<SessionPatch>,
) -> ApiResult<HttpResponse> {
    let (conference_id, session_id) = path.into_inner();
    let updated = sessions::update(
        &mut *state.pool.get().await?,
        &actor,
        conference_id,
        session_id,
        if_match(&req),
        body.into_inner(),
    )
    .await?;
    Ok(versioned(updated))
}

/// Delete a session
#[utoipa::path(
    tag = "sessions",
    params(("conference_id" = Uuid, Path, description = "Conference id"), ("session_id" = Uuid, Path, description = "Session id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 409, description = "The conference is cancelled (`conference_cancelled`)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/conferences/{conference_id}/sessions/{session_id}")]
async fn delete_session(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<(Uuid, SessionId)>,
) -> ApiResult<HttpResponse> {
    let (conference_id, session_id) = path.into_inner();
    sessions::delete(
        &mut *state.pool.get().await?,
        &actor,
        conference_id,
        session_id,
    )
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
