//! The audit log over HTTP: the middleware that names the actor of every write request, and
//! the read endpoints.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header;
use actix_web::middleware::Next;
use actix_web::{Error, HttpMessage, get, web};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::auth::Actor;
use crate::db::audit::{AuditActor, CURRENT_ACTOR};
use crate::domain::audit::{self, AuditEntry, AuditQuery};
use crate::domain::tokens;
use crate::error::{ApiResult, Problem};
use crate::state::AppState;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(conference_audit).service(all_audit);
}

/// The request id `request_context` chose, for the audit log.
#[derive(Clone, Debug)]
pub struct RequestId(pub String);

/// Runs every request with its actor named, so that each connection it checks out records
/// that actor in the audit log (`db::audit`). Reads included: a few write (certificates are
/// issued when first printed), and naming every checkout is what keeps a connection from
/// carrying an earlier request's actor into a later write.
/// The actor is read from the credentials the request carries: an account's access token, a
/// device token, a delegate or invitation link token, or none (`public`). A credential that
/// is not valid fails the request in its handler, before anything is written.
pub async fn name_actor(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let actor = actor_of(&req);
    CURRENT_ACTOR.scope(actor, next.call(req)).await
}

fn actor_of(req: &ServiceRequest) -> AuditActor {
    let state = req.app_data::<web::Data<AppState>>();
    let header = |name| req.headers().get(name).and_then(|v| v.to_str().ok());
    let mut actor = AuditActor {
        kind: "public",
        client_ip: Some(super::client_ip(
            req.request(),
            state.is_some_and(|s| s.trust_forwarded_for),
        )),
        request_id: req.extensions().get::<RequestId>().map(|r| r.0.clone()),
        ..AuditActor::default()
    };
    let bearer = header(header::AUTHORIZATION.as_str())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim);
    if let Some(token) = bearer {
        if token.starts_with("hdv_") {
            actor.kind = "device";
            actor.token_hash = Some(tokens::hash(token));
        } else if let Some(claims) = state.and_then(|s| s.jwt.verify(token).ok()) {
            actor.kind = "account";
            actor.id = Some(claims.sub);
            actor.role = Some(claims.role);
        }
    } else if let Some(token) = header("x-delegate-token") {
        actor.kind = "delegate";
        actor.token_hash = Some(tokens::hash(token.trim()));
    } else if let Some(token) = header("x-invitation-token") {
        actor.kind = "invitation";
        actor.token_hash = Some(tokens::hash(token.trim()));
    }
    actor
}

/// A page of audit entries, newest first.
#[derive(Serialize, ToSchema)]
pub struct AuditPage {
    pub items: Vec<AuditEntry>,
    /// Cursor for the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

/// A conference's audit log
///
/// Every write to the conference's data (its settings, agenda, invitations, registrations,
/// sign-ups, check-ins, substitutions, devices, privacy notices, erasures): who (account,
/// device, delegate or invitation link, the public, the system), when, from which address,
/// which entity, and the names of the fields written (never their values). Newest first.
#[utoipa::path(
    tag = "audit",
    params(("conference_id" = Uuid, Path, description = "Conference id"), AuditQuery),
    responses(
        (status = 200, description = "A page of entries", body = AuditPage),
        (status = 400, description = "Malformed filter or cursor (`invalid_query_parameter`, `invalid_cursor`)", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token (`missing_token`, `invalid_token`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not a conference the caller organizes (`not_found`)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/conferences/{conference_id}/audit")]
async fn conference_audit(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<Uuid>,
    query: web::Query<AuditQuery>,
) -> ApiResult<web::Json<AuditPage>> {
    let (items, next_cursor) = audit::for_conference(
        &mut *state.pool.get().await?,
        &actor,
        path.into_inner(),
        query.into_inner(),
    )
    .await?;
    Ok(web::Json(AuditPage { items, next_cursor }))
}

/// The whole audit log (admins)
///
/// Every entry of every conference, and writes outside conferences (accounts, units).
#[utoipa::path(
    tag = "audit",
    params(AuditQuery),
    responses(
        (status = 200, description = "A page of entries", body = AuditPage),
        (status = 400, description = "Malformed filter or cursor (`invalid_query_parameter`, `invalid_cursor`)", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token (`missing_token`, `invalid_token`)", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin (`forbidden`)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/audit")]
async fn all_audit(
    state: web::Data<AppState>,
    actor: Actor,
    query: web::Query<AuditQuery>,
) -> ApiResult<web::Json<AuditPage>> {
    let (items, next_cursor) =
        audit::all(&mut *state.pool.get().await?, &actor, query.into_inner()).await?;
    Ok(web::Json(AuditPage { items, next_cursor }))
}
