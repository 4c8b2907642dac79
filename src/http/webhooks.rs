//! Webhook endpoints of a conference: register, list, delete, rotate the secret, re-enable,
//! the delivery log and manual redelivery. The payload schema is in the spec's `webhooks`.

use actix_web::{HttpResponse, delete, get, post, web};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::auth::Actor;
use crate::domain::notifications::webhooks::{
    self, DeliveryAttempt, Endpoint, EndpointWithSecret, NewEndpoint,
};
use crate::error::{ApiResult, Problem};
use crate::state::AppState;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(create_endpoint)
        .service(list_endpoints)
        .service(delete_endpoint)
        .service(rotate_secret)
        .service(enable_endpoint)
        .service(list_attempts)
        .service(redeliver);
}

/// Register a webhook endpoint
///
/// Deliveries are `POST`s of a JSON `WebhookPayload` signed per Standard Webhooks
/// (`webhook-id`, `webhook-timestamp`, `webhook-signature`). The secret is shown once.
/// The URL must be `https` and resolve to public addresses only.
#[utoipa::path(
    tag = "notifications",
    params(("conference_id" = Uuid, Path, description = "Conference id")),
    request_body = NewEndpoint,
    responses(
        (status = 201, description = "Registered, with its secret (shown once)", body = EndpointWithSecret),
        (status = 404, description = "Not a conference the caller organizes (`not_found`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A URL that is not https (`must_be_https`), does not resolve (`unresolvable`) or is private (`private_address`); no events (`validation_failed`)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/conferences/{conference_id}/webhooks")]
async fn create_endpoint(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<Uuid>,
    body: web::Json<NewEndpoint>,
) -> ApiResult<HttpResponse> {
    let created = webhooks::create(
        &mut *state.pool.get().await?,
        &actor,
        path.into_inner(),
        body.into_inner(),
        state.webhook_allow_private,
    )
    .await?;
    Ok(HttpResponse::Created().json(created))
}

/// A conference's webhook endpoints
#[utoipa::path(
    tag = "notifications",
    params(("conference_id" = Uuid, Path, description = "Conference id")),
    responses(
        (status = 200, description = "The endpoints (without secrets)", body = Vec<Endpoint>),
        (status = 404, description = "Not a conference the caller organizes (`not_found`)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/conferences/{conference_id}/webhooks")]
async fn list_endpoints(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<Uuid>,
) -> ApiResult<web::Json<Vec<Endpoint>>> {
    Ok(web::Json(
        webhooks::list(&mut *state.pool.get().await?, &actor, path.into_inner()).await?,
    ))
}

/// Delete a webhook endpoint
///
/// Its queued deliveries and log go with it.
#[utoipa::path(
    tag = "notifications",
    params(
        ("conference_id" = Uuid, Path, description = "Conference id"),
        ("webhook_id" = Uuid, Path, description = "Endpoint id"),
    ),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "No such endpoint of a conference the caller organizes (`not_found`)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/conferences/{conference_id}/webhooks/{webhook_id}")]
async fn delete_endpoint(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<(Uuid, Uuid)>,
) -> ApiResult<HttpResponse> {
    let (conference_id, id) = path.into_inner();
    webhooks::delete(&mut *state.pool.get().await?, &actor, conference_id, id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Rotate a webhook endpoint's secret
///
/// Returns the new secret once. For a day, deliveries carry a signature with the previous
/// secret as well (space-separated in `webhook-signature`), so receivers can switch over.
#[utoipa::path(
    tag = "notifications",
    params(
        ("conference_id" = Uuid, Path, description = "Conference id"),
        ("webhook_id" = Uuid, Path, description = "Endpoint id"),
    ),
    responses(
        (status = 200, description = "The endpoint with its new secret", body = EndpointWithSecret),
        (status = 404, description = "No such endpoint of a conference the caller organizes (`not_found`)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/conferences/{conference_id}/webhooks/{webhook_id}/rotate-secret")]
async fn rotate_secret(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<(Uuid, Uuid)>,
) -> ApiResult<web::Json<EndpointWithSecret>> {
    let (conference_id, id) = path.into_inner();
    Ok(web::Json(
        webhooks::rotate(&mut *state.pool.get().await?, &actor, conference_id, id).await?,
    ))
}

/// Re-enable a webhook endpoint
///
/// After it was disabled for failing (`disabled_reason`). Deliveries dropped meanwhile can be
/// sent again one by one with `redeliver`.
#[utoipa::path(
    tag = "notifications",
    params(
        ("conference_id" = Uuid, Path, description = "Conference id"),
        ("webhook_id" = Uuid, Path, description = "Endpoint id"),
    ),
    responses(
        (status = 200, description = "Enabled", body = Endpoint),
        (status = 404, description = "No such endpoint of a conference the caller organizes (`not_found`)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/conferences/{conference_id}/webhooks/{webhook_id}/enable")]
async fn enable_endpoint(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<(Uuid, Uuid)>,
) -> ApiResult<web::Json<Endpoint>> {
    let (conference_id, id) = path.into_inner();
    Ok(web::Json(
        webhooks::enable(&mut *state.pool.get().await?, &actor, conference_id, id).await?,
    ))
}

/// A webhook endpoint's delivery log
///
/// The latest 200 attempts, newest first: event, time, the endpoint's status code, error.
#[utoipa::path(
    tag = "notifications",
    params(
        ("conference_id" = Uuid, Path, description = "Conference id"),
        ("webhook_id" = Uuid, Path, description = "Endpoint id"),
    ),
    responses(
        (status = 200, description = "Attempts", body = Vec<DeliveryAttempt>),
        (status = 404, description = "No such endpoint of a conference the caller organizes (`not_found`)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/conferences/{conference_id}/webhooks/{webhook_id}/deliveries")]
async fn list_attempts(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<(Uuid, Uuid)>,
) -> ApiResult<web::Json<Vec<DeliveryAttempt>>> {
    let (conference_id, id) = path.into_inner();
    Ok(web::Json(
        webhooks::attempts(&mut *state.pool.get().await?, &actor, conference_id, id).await?,
    ))
}

/// Redeliver a webhook delivery
///
/// Queues it again, due now, with the same `webhook-id` (receivers deduplicate on it).
#[utoipa::path(
    tag = "notifications",
    params(
        ("conference_id" = Uuid, Path, description = "Conference id"),
        ("webhook_id" = Uuid, Path, description = "Endpoint id"),
        ("delivery_id" = Uuid, Path, description = "Delivery id (`webhook-id`)"),
    ),
    responses(
        (status = 202, description = "Queued"),
        (status = 404, description = "No such endpoint or delivery, or it is being sent right now (`not_found`)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/conferences/{conference_id}/webhooks/{webhook_id}/deliveries/{delivery_id}/redeliver")]
async fn redeliver(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<(Uuid, Uuid, Uuid)>,
) -> ApiResult<HttpResponse> {
    let (conference_id, id, delivery_id) = path.into_inner();
    webhooks::redeliver(
        &mut *state.pool.get().await?,
        &actor,
        conference_id,
        id,
        delivery_id,
    )
    .await?;
    Ok(HttpResponse::Accepted().finish())
}

/// The spec's `webhooks` section: one entry per event type, each a `POST` of a
/// `WebhookPayload` with the Standard Webhooks headers; any 2xx acknowledges it.
pub fn document(spec: &mut serde_json::Value) {
    use crate::domain::notifications::Event;
    let header = |name: &str, description: &str| {
        serde_json::json!({"name": name, "in": "header", "required": true,
                           "description": description, "schema": {"type": "string"}})
    };
    let mut hooks = serde_json::Map::new();
    for event in Event::VALUES {
        hooks.insert(
            (*event).to_owned(),
            serde_json::json!({"post": {
                "summary": format!("`{event}` delivered to a registered endpoint"),
                "description": "Retried with exponential backoff until a 2xx answer or the last attempt; \
                                deduplicate on `webhook-id`, which a redelivery keeps.",
                "parameters": [
                    header("webhook-id", "The delivery's id, the same on every attempt"),
                    header("webhook-timestamp", "Unix seconds when this attempt was signed"),
                    header("webhook-signature", "`v1,<base64 HMAC-SHA256 of \"<id>.<timestamp>.<body>\">`, keyed with the base64 after `whsec_` in the secret; space-separated when a rotation is in its grace day"),
                ],
                "requestBody": {"required": true, "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/WebhookPayload"}}}},
                "responses": {"2XX": {"description": "Received"}},
            }}),
        );
    }
    if let Some(spec) = spec.as_object_mut() {
        spec.insert("webhooks".to_owned(), serde_json::Value::Object(hooks));
    }
}
