//! Personal data over HTTP: privacy notices, a person's data export, erasure, retention.

use actix_web::{HttpRequest, HttpResponse, get, post, put, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::auth::{Actor, MaybeActor};
use crate::domain::privacy::consent::{self, NoticeInput, PrivacyNotice};
use crate::domain::privacy::erasure::{self, Erasure};
use crate::domain::privacy::export::{self, PersonalData};
use crate::error::{ApiResult, Problem};
use crate::http::download::attachment;
use crate::http::if_match;
use crate::http::registrations::DelegateToken;
use crate::state::AppState;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(current_notice)
        .service(publish_notice)
        .service(organizer_export)
        .service(organizer_erase)
        .service(delegate_export)
        .service(delegate_erase)
        .service(set_retention);
}

/// The current privacy notice
///
/// What a delegate accepts when registering online (`consent.notice_version`). Public once the
/// conference is published.
#[utoipa::path(
    tag = "privacy",
    params(("conference_id" = Uuid, Path, description = "Conference id")),
    responses(
        (status = 200, description = "The current version", body = PrivacyNotice),
        (status = 404, description = "No such conference, or a draft the caller may not see (`not_found`)", body = Problem, content_type = "application/problem+json"),
    ),
    security((), ("bearer" = [])),
)]
#[get("/conferences/{conference_id}/privacy-notice")]
async fn current_notice(
    state: web::Data<AppState>,
    actor: MaybeActor,
    path: web::Path<Uuid>,
) -> ApiResult<web::Json<PrivacyNotice>> {
    Ok(web::Json(
        consent::current(
            &mut *state.pool.get().await?,
            actor.0.as_ref(),
            path.into_inner(),
        )
        .await?,
    ))
}

/// Publish a new version of the privacy notice
///
/// Self-registrations from now on must accept the new version; registrations made earlier keep
/// the version they accepted.
#[utoipa::path(
    tag = "privacy",
    params(("conference_id" = Uuid, Path, description = "Conference id")),
    request_body = NoticeInput,
    responses(
        (status = 201, description = "The new version", body = PrivacyNotice),
        (status = 401, description = "No valid token (`missing_token`, `invalid_token`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not a conference the caller organizes (`not_found`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Empty or too long text (`validation_failed`)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/conferences/{conference_id}/privacy-notices")]
async fn publish_notice(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<Uuid>,
    body: web::Json<NoticeInput>,
) -> ApiResult<HttpResponse> {
    let notice = consent::publish(
        &mut *state.pool.get().await?,
        &actor,
        path.into_inner(),
        body.into_inner(),
    )
    .await?;
    Ok(HttpResponse::Created().json(notice))
}

fn export_response(data: PersonalData) -> ApiResult<HttpResponse> {
    let name = format!("du-lieu-ca-nhan-{}.json", data.registration.id);
    Ok(attachment(&name, "application/json").json(data))
}

/// Everything held about a registration's people (organizer)
///
/// The registration, its consent or legal basis, session sign-ups, every check-in,
/// the substitutions on the seat (with the replaced people's contacts) and the notifications
/// sent, as a JSON file.
#[utoipa::path(
    tag = "privacy",
    params(
        ("conference_id" = Uuid, Path, description = "Conference id"),
        ("registration_id" = Uuid, Path, description = "Registration id"),
    ),
    responses(
        (status = 200, description = "The person's data", body = PersonalData,
         headers(("Content-Disposition" = String), ("Cache-Control" = String))),
        (status = 401, description = "No valid token (`missing_token`, `invalid_token`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not a registration of a conference the caller organizes (`not_found`)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/conferences/{conference_id}/registrations/{registration_id}/personal-data")]
async fn organizer_export(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<(Uuid, Uuid)>,
) -> ApiResult<HttpResponse> {
    let (conference_id, registration_id) = path.into_inner();
    export_response(
        export::for_organizer(
            &mut *state.pool.get().await?,
            &actor,
            conference_id,
            registration_id,
        )
        .await?,
    )
}

/// Erase a registration's personal data (organizer)
///
/// Irreversible. Names, contacts, search text, the QR code and the delegate link go from the
/// registration, its substitutions, stored responses and login counters; the anonymous row
/// stays (unit, category, status, sign-ups, check-ins), so every report keeps its totals.
/// Needs `If-Match` with the registration's ETag.
#[utoipa::path(
    tag = "privacy",
    params(
        ("conference_id" = Uuid, Path, description = "Conference id"),
        ("registration_id" = Uuid, Path, description = "Registration id"),
        ("If-Match" = Option<String>, Header, description = "The registration's ETag: required, since erasure cannot be undone (428 without it)"),
    ),
    responses(
        (status = 200, description = "Erased", body = Erasure),
        (status = 401, description = "No valid token (`missing_token`, `invalid_token`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not a registration of a conference the caller organizes (`not_found`)", body = Problem, content_type = "application/problem+json"),
        (status = 410, description = "Already erased (`erased`)", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The registration changed since it was read (`etag_mismatch`)", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "No `If-Match` (`precondition_required`)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/conferences/{conference_id}/registrations/{registration_id}/erase")]
async fn organizer_erase(
    state: web::Data<AppState>,
    actor: Actor,
    req: HttpRequest,
    path: web::Path<(Uuid, Uuid)>,
) -> ApiResult<web::Json<Erasure>> {
    let (conference_id, registration_id) = path.into_inner();
    Ok(web::Json(
        erasure::erase_by_organizer(
            &mut *state.pool.get().await?,
            &actor,
            conference_id,
            registration_id,
            if_match(&req),
        )
        .await?,
    ))
}

/// Everything held about me (delegate)
///
/// As the organizer's export, through the delegate link.
#[utoipa::path(
    tag = "delegate",
    responses(
        (status = 200, description = "The person's data", body = PersonalData,
         headers(("Content-Disposition" = String), ("Cache-Control" = String))),
        (status = 404, description = "Unknown token, or erased (`not_found`)", body = Problem, content_type = "application/problem+json"),
    ),
    security(("delegate_token" = [])),
)]
#[get("/delegate/registration/personal-data")]
async fn delegate_export(
    state: web::Data<AppState>,
    token: DelegateToken,
) -> ApiResult<HttpResponse> {
    export_response(export::for_delegate(&mut *state.pool.get().await?, &token.0).await?)
}

/// Erase my personal data (delegate)
///
/// Irreversible; the delegate link stops working. Needs `If-Match` with the ETag of
/// `GET /delegate/registration`.
#[utoipa::path(
    tag = "delegate",
    params(("If-Match" = Option<String>, Header, description = "The registration's ETag: required, since erasure cannot be undone (428 without it)")),
    responses(
        (status = 200, description = "Erased", body = Erasure),
        (status = 404, description = "Unknown token, or already erased (`not_found`)", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The registration changed since it was read (`etag_mismatch`)", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "No `If-Match` (`precondition_required`)", body = Problem, content_type = "application/problem+json"),
    ),
    security(("delegate_token" = [])),
)]
#[post("/delegate/registration/erase")]
async fn delegate_erase(
    state: web::Data<AppState>,
    req: HttpRequest,
    token: DelegateToken,
) -> ApiResult<web::Json<Erasure>> {
    Ok(web::Json(
        erasure::erase_by_delegate(&mut *state.pool.get().await?, &token.0, if_match(&req)).await?,
    ))
}

/// How long a conference's personal data is kept after it ends.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Retention {
    /// Days after the conference ends; `null` for the server's default
    /// (`HOITHAO_RETENTION_DAYS`).
    #[serde(default, deserialize_with = "crate::domain::optional_whole_number")]
    #[schema(minimum = 0, maximum = 36500)]
    pub retention_days: Option<i32>,
}

/// Set the retention period
///
/// Once the conference has been over this many days, the daily purge erases its personal data
/// and keeps the aggregates.
#[utoipa::path(
    tag = "privacy",
    params(("conference_id" = Uuid, Path, description = "Conference id")),
    request_body = Retention,
    responses(
        (status = 200, description = "Saved", body = Retention),
        (status = 401, description = "No valid token (`missing_token`, `invalid_token`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not a conference the caller organizes (`not_found`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Out of range (`validation_failed`)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/conferences/{conference_id}/retention")]
async fn set_retention(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<Uuid>,
    body: web::Json<Retention>,
) -> ApiResult<web::Json<Retention>> {
    let days = body.into_inner().retention_days;
    crate::domain::privacy::retention::set_days(
        &mut *state.pool.get().await?,
        &actor,
        path.into_inner(),
        days,
    )
    .await?;
    Ok(web::Json(Retention {
        retention_days: days,
    }))
}
