//! The notification queue for operators: counts by state, the oldest due message, the last
//! error, the messages themselves, and retrying dead letters.

use actix_web::{get, post, web};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::auth::Actor;
use crate::domain::notifications::outbox::{
    self, MessageQuery, OutboxMessage, QueueSummary, RetryRequest, RetryResult,
};
use crate::error::{ApiResult, Problem};
use crate::state::AppState;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(conference_queue)
        .service(conference_messages)
        .service(retry_dead)
        .service(server_queue);
}

/// A page of outbox messages.
#[derive(Serialize, ToSchema)]
pub struct OutboxPage {
    pub items: Vec<OutboxMessage>,
    /// Cursor for the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

/// A conference's notification queue
///
/// Messages by state (`pending`, `sending`, `sent`, `dead`, `skipped`), when the
/// longest-waiting one was due, and the latest delivery error.
#[utoipa::path(
    tag = "notifications",
    params(("conference_id" = Uuid, Path, description = "Conference id")),
    responses(
        (status = 200, description = "The queue", body = QueueSummary),
        (status = 404, description = "Not a conference the caller organizes (`not_found`)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/conferences/{conference_id}/outbox")]
async fn conference_queue(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<Uuid>,
) -> ApiResult<web::Json<QueueSummary>> {
    Ok(web::Json(
        outbox::conference_summary(
            &mut *state.pool.get().await?,
            &actor,
            path.into_inner(),
            state.email_configured,
        )
        .await?,
    ))
}

/// A conference's notifications
///
/// Newest first: event, recipient (a registration or an invitation, by id), state, attempts,
/// last error. Never the text or the address: both are rendered when the message is sent.
#[utoipa::path(
    tag = "notifications",
    params(("conference_id" = Uuid, Path, description = "Conference id"), MessageQuery),
    responses(
        (status = 200, description = "A page of messages", body = OutboxPage),
        (status = 400, description = "Malformed limit or cursor (`invalid_query_parameter`, `invalid_cursor`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not a conference the caller organizes (`not_found`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown `state` (`validation_failed`)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/conferences/{conference_id}/outbox/messages")]
async fn conference_messages(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<Uuid>,
    query: web::Query<MessageQuery>,
) -> ApiResult<web::Json<OutboxPage>> {
    let (items, next_cursor) = outbox::messages(
        &mut *state.pool.get().await?,
        &actor,
        path.into_inner(),
        query.into_inner(),
    )
    .await?;
    Ok(web::Json(OutboxPage { items, next_cursor }))
}

/// Retry dead notifications
///
/// Puts the conference's dead messages (all, or the `ids` given) back in the queue, due now,
/// with their attempts reset. Messages in another state are left alone.
#[utoipa::path(
    tag = "notifications",
    params(("conference_id" = Uuid, Path, description = "Conference id")),
    request_body = RetryRequest,
    responses(
        (status = 200, description = "How many went back in the queue", body = RetryResult),
        (status = 404, description = "Not a conference the caller organizes (`not_found`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "More than 1000 ids (`validation_failed`)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/conferences/{conference_id}/outbox/retry")]
async fn retry_dead(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<Uuid>,
    body: web::Json<RetryRequest>,
) -> ApiResult<web::Json<RetryResult>> {
    Ok(web::Json(
        outbox::retry(
            &mut *state.pool.get().await?,
            &actor,
            path.into_inner(),
            body.into_inner(),
        )
        .await?,
    ))
}

/// The server's notification queue (admins)
///
/// The same figures as a conference's queue, over every conference.
#[utoipa::path(
    tag = "notifications",
    responses(
        (status = 200, description = "The queue", body = QueueSummary),
        (status = 403, description = "Not an admin (`forbidden`)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/outbox")]
async fn server_queue(
    state: web::Data<AppState>,
    actor: Actor,
) -> ApiResult<web::Json<QueueSummary>> {
    Ok(web::Json(
        outbox::server_summary(
            &mut *state.pool.get().await?,
            &actor,
            state.email_configured,
        )
        .await?,
    ))
}
