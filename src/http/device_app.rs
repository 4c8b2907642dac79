//! What the check-in app (`/app/checkin/`) calls beyond scans and bundles: the pairing QR an
//! organizer shows, the device's own profile, and undo of the device's own scan.

use actix_web::{HttpResponse, get, post, web};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use super::checkins::DeviceToken;
use crate::auth::Actor;
use crate::domain::checkins::{
    self, Checkin, CheckinId, DeviceId, DeviceProfile, PairingRequest, UndoRequest,
};
use crate::error::{ApiResult, Problem};
use crate::state::AppState;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(pairing_qr)
        .service(device_profile)
        .service(undo_own_checkin);
}

/// A device's pairing QR code (SVG, organizer)
///
/// Send back the token shown when the device was registered: the image encodes that token
/// exactly as it would be pasted into the check-in app (`/app/checkin/`), which scans it to
/// pair. Only a hash of the token is stored, so the token must come from the caller; it is
/// rendered only if it is this live device's token. `Cache-Control: no-store`.
#[utoipa::path(
    tag = "check-in",
    params(("conference_id" = Uuid, Path, description = "Conference id"), ("device_id" = Uuid, Path, description = "Device id")),
    request_body = PairingRequest,
    responses(
        (status = 200, description = "An SVG image of the pairing QR code", content_type = "image/svg+xml", body = String,
         headers(("Cache-Control" = String, description = "`no-store`"))),
        (status = 404, description = "No such conference among the caller's (`not_found`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not the token of this device, or the device is revoked (`validation_failed`, field `token`: `not_this_device`)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/conferences/{conference_id}/devices/{device_id}/pairing-qr")]
async fn pairing_qr(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<(Uuid, DeviceId)>,
    body: web::Json<PairingRequest>,
) -> ApiResult<HttpResponse> {
    let (conference_id, device_id) = path.into_inner();
    let svg = checkins::pairing_qr(
        &mut *state.pool.get().await?,
        &actor,
        conference_id,
        device_id,
        body.into_inner(),
    )
    .await?;
    Ok(HttpResponse::Ok()
        .content_type("image/svg+xml")
        .insert_header(("Cache-Control", "no-store"))
        .body(svg))
}

/// The device itself (device)
///
/// What the check-in app shows after pairing and decides offline scans by: the device, its
/// conference (times and time zone: the door day), the sessions it serves (times, sign-up
/// rule, who is inside), the check-in window's margin and who is inside at the door today.
#[utoipa::path(
    tag = "check-in",
    responses(
        (status = 200, description = "The device, its conference and sessions", body = DeviceProfile,
         headers(("Cache-Control" = String, description = "`no-store`"))),
    ),
    security(("device_token" = [])),
)]
#[get("/device")]
async fn device_profile(state: web::Data<AppState>, token: DeviceToken) -> ApiResult<HttpResponse> {
    let profile = checkins::profile(
        &mut *state.pool.get().await?,
        state.checkin_window_margin,
        &token.0,
    )
    .await?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(profile))
}

/// Undo a scan this device made (device)
///
/// The volunteer's "wrong person": the record stays, marked undone with the reason, and the
/// delegate can be scanned again. Only the device's own scans (another's is a 404).
#[utoipa::path(
    tag = "check-in",
    params(("conference_id" = Uuid, Path, description = "Conference id"), ("checkin_id" = Uuid, Path, description = "Check-in id")),
    request_body = UndoRequest,
    responses(
        (status = 200, description = "Undone", body = Checkin),
        (status = 404, description = "Not a scan of this device (`not_found`)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already undone (`already_undone`)", body = Problem, content_type = "application/problem+json"),
    ),
    security(("device_token" = [])),
)]
#[post("/conferences/{conference_id}/checkins/{checkin_id}/device-undo")]
async fn undo_own_checkin(
    state: web::Data<AppState>,
    token: DeviceToken,
    path: web::Path<(Uuid, CheckinId)>,
    body: web::Json<UndoRequest>,
) -> ApiResult<web::Json<Checkin>> {
    let (conference_id, id) = path.into_inner();
    let mut conn = state.pool.get().await?;
    let device = checkins::authenticate_device(&mut conn, &token.0, conference_id).await?;
    Ok(web::Json(
        checkins::undo_own(&mut conn, &device, id, body.into_inner()).await?,
    ))
}
