//! Conferences: CRUD, status actions and organizers.

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, put, web};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::auth::{Actor, MaybeActor};
use crate::domain::conferences::{
    self, AccountId, Conference, ConferenceId, ConferencePatch, ConferenceQuery, NewConference,
    Organizer, Transition,
};
use crate::error::{ApiResult, Problem};
use crate::http::{created, if_match, versioned};
use crate::state::AppState;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list_conferences)
        .service(create_conference)
        .service(get_conference)
        .service(update_conference)
        .service(publish_conference)
        .service(close_conference)
        .service(reopen_conference)
        .service(cancel_conference)
        .service(list_organizers)
        .service(add_organizer)
        .service(remove_organizer);
}

/// A page of conferences.
#[derive(Serialize, ToSchema)]
pub struct ConferencePage {
    pub items: Vec<Conference>,
    /// Cursor for the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

/// List conferences
///
/// Published, closed and cancelled conferences are public. Drafts are listed only for their
/// organizers and admins. Ordered by creation (keyset pagination).
#[utoipa::path(
    tag = "conferences",
    params(ConferenceQuery),
    responses((status = 200, description = "A page of conferences", body = ConferencePage)),
    security((), ("bearer" = [])),
)]
#[get("/conferences")]
async fn list_conferences(
    state: web::Data<AppState>,
    actor: MaybeActor,
    query: web::Query<ConferenceQuery>,
) -> ApiResult<web::Json<ConferencePage>> {
    let (items, next_cursor) = conferences::list(
        &mut *state.pool.get().await?,
        actor.0.as_ref(),
        query.into_inner(),
    )
    .await?;
    Ok(web::Json(ConferencePage { items, next_cursor }))
}

/// Create a conference
///
/// It starts as a `draft`; the caller becomes its first organizer.
#[utoipa::path(
    tag = "conferences",
    request_body = NewConference,
    responses(
        (status = 201, description = "Created", body = Conference,
         headers(("Location" = String), ("ETag" = String, description = "Version, for If-Match"))),
        (status = 409, description = "The code is taken (`code_taken`)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/conferences")]
async fn create_conference(
    state: web::Data<AppState>,
    actor: Actor,
    body: web::Json<NewConference>,
) -> ApiResult<HttpResponse> {
    let conference =
        conferences::create(&mut *state.pool.get().await?, &actor, body.into_inner()).await?;
    Ok(created(
        format!("/api/v1/conferences/{}", conference.value.id),
        conference,
    ))
}

/// Get a conference
///
/// Drafts are a 404 to anyone but their organizers and admins.
#[utoipa::path(
    tag = "conferences",
    params(("conference_id" = Uuid, Path, description = "Conference id")),
    responses((status = 200, description = "The conference", body = Conference,
               headers(("ETag" = String, description = "Version, for If-Match")))),
    security((), ("bearer" = [])),
)]
#[get("/conferences/{conference_id}")]
async fn get_conference(
    state: web::Data<AppState>,
    actor: MaybeActor,
    path: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    Ok(versioned(
        conferences::get(
            &mut *state.pool.get().await?,
            actor.0.as_ref(),
            path.into_inner(),
        )
        .await?,
    ))
}

/// Edit a conference
///
/// Partial update. Send the `ETag` you read as `If-Match` to avoid overwriting someone
/// else's change (412 if it changed). Moving the dates must keep every session inside.
#[utoipa::path(
    tag = "conferences",
    params(
        ("conference_id" = Uuid, Path, description = "Conference id"),
        ("If-Match" = Option<String>, Header, description = "ETag from a previous read"),
    ),
    request_body = ConferencePatch,
    responses(
        (status = 200, description = "Updated", body = Conference, headers(("ETag" = String, description = "New version"))),
        (status = 409, description = "Cancelled conference (`conference_cancelled`) or code taken (`code_taken`)", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The conference changed since it was read (`etag_mismatch`)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/conferences/{conference_id}")]
async fn update_conference(
    state: web::Data<AppState>,
    actor: Actor,
    req: HttpRequest,
    path: web::Path<Uuid>,
    body: web::Json<ConferencePatch>,
) -> ApiResult<HttpResponse> {
    let updated = conferences::update(
        &mut *state.pool.get().await?,
        &actor,
        path.into_inner(),
        if_match(&req),
        body.into_inner(),
    )
    .await?;
    Ok(versioned(updated))
}

async fn apply_transition(
    state: web::Data<AppState>,
    actor: Actor,
    id: Uuid,
    transition: Transition,
) -> ApiResult<HttpResponse> {
    Ok(versioned(
        conferences::transition(&mut *state.pool.get().await?, &actor, id, transition).await?,
    ))
}

/// Publish a draft conference
///
/// Makes it and its agenda public.
#[utoipa::path(
    tag = "conferences",
    params(("conference_id" = Uuid, Path, description = "Conference id")),
    responses(
        (status = 200, description = "Published", body = Conference, headers(("ETag" = String))),
        (status = 409, description = "Not a draft (`illegal_status_transition`)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/conferences/{conference_id}/publish")]
async fn publish_conference(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    apply_transition(state, actor, path.into_inner(), Transition::Publish).await
}

/// Close a published conference
///
/// It stays public but takes no more registrations.
#[utoipa::path(
    tag = "conferences",
    params(("conference_id" = Uuid, Path, description = "Conference id")),
    responses(
        (status = 200, description = "Closed", body = Conference, headers(("ETag" = String))),
        (status = 409, description = "Not published (`illegal_status_transition`)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/conferences/{conference_id}/close")]
async fn close_conference(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    apply_transition(state, actor, path.into_inner(), Transition::Close).await
}

/// Reopen a closed conference
#[utoipa::path(
    tag = "conferences",
    params(("conference_id" = Uuid, Path, description = "Conference id")),
    responses(
        (status = 200, description = "Published again", body = Conference, headers(("ETag" = String))),
        (status = 409, description = "Not closed (`illegal_status_transition`)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/conferences/{conference_id}/reopen")]
async fn reopen_conference(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    apply_transition(state, actor, path.into_inner(), Transition::Reopen).await
}

/// Cancel a conference
///
/// Final: a cancelled conference stays visible but can no longer change.
#[utoipa::path(
    tag = "conferences",
    params(("conference_id" = Uuid, Path, description = "Conference id")),
    responses(
        (status = 200, description = "Cancelled", body = Conference, headers(("ETag" = String))),
        (status = 409, description = "Already cancelled (`illegal_status_transition`)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/conferences/{conference_id}/cancel")]
async fn cancel_conference(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    apply_transition(state, actor, path.into_inner(), Transition::Cancel).await
}

/// List a conference's organizers
#[utoipa::path(
    tag = "conferences",
    params(("conference_id" = Uuid, Path, description = "Conference id")),
    responses((status = 200, description = "Organizers", body = Vec<Organizer>))
)]
#[get("/conferences/{conference_id}/organizers")]
async fn list_organizers(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<ConferenceId>,
) -> ApiResult<web::Json<Vec<Organizer>>> {
    Ok(web::Json(
        conferences::organizers(&mut *state.pool.get().await?, &actor, path.into_inner()).await?,
    ))
}

/// Add an organizer
///
/// Idempotent: adding an existing organizer changes nothing.
#[utoipa::path(
    tag = "conferences",
    params(
        ("conference_id" = Uuid, Path, description = "Conference id"),
        ("account_id" = Uuid, Path, description = "Account to add"),
    ),
    responses(
        (status = 204, description = "The account organizes the conference"),
        (status = 409, description = "The account is disabled (`account_disabled`)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/conferences/{conference_id}/organizers/{account_id}")]
async fn add_organizer(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<(ConferenceId, AccountId)>,
) -> ApiResult<HttpResponse> {
    let (conference_id, account_id) = path.into_inner();
    conferences::add_organizer(
        &mut *state.pool.get().await?,
        &actor,
        conference_id,
        account_id,
    )
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Remove an organizer
///
/// A conference keeps at least one organizer.
#[utoipa::path(
    tag = "conferences",
    params(
        ("conference_id" = Uuid, Path, description = "Conference id"),
        ("account_id" = Uuid, Path, description = "Account to remove"),
    ),
    responses(
        (status = 204, description = "Removed"),
        (status = 409, description = "The last organizer (`last_organizer`)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/conferences/{conference_id}/organizers/{account_id}")]
async fn remove_organizer(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<(ConferenceId, AccountId)>,
) -> ApiResult<HttpResponse> {
    let (conference_id, account_id) = path.into_inner();
    conferences::remove_organizer(
        &mut *state.pool.get().await?,
        &actor,
        conference_id,
        account_id,
    )
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
