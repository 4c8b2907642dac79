//! Check-in: devices (organizers), scans and name search (devices), undo and history (organizers).

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, HttpResponse, get, post, web};
use futures_util::TryStreamExt;
use futures_util::future::{Ready, ready};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::auth::Actor;
use crate::domain::checkins::{
    self, Checkin, CheckinId, DelegateCard, Device, DeviceId, DeviceWithToken, NewDevice,
    RegistrationId, ScanRequest, ScanResult, UndoRequest,
};
use crate::domain::live::LiveEvent;
use crate::error::{ApiError, ApiResult, ErrorCode, Problem};
use crate::metrics::ScanSource;
use crate::state::AppState;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(create_device)
        .service(list_devices)
        .service(revoke_device)
        .service(record_checkin)
        .service(search_delegates)
        .service(undo_checkin)
        .service(registration_checkins)
        .service(attendance)
        .service(upload_checkins)
        .service(device_bundle)
        .service(checkin_events)
        .service(backfill_checkin)
        .service(walk_in);
}

/// A device's bearer token (`hdv_…`), not yet checked against the database.
pub struct DeviceToken(pub(crate) String);

impl FromRequest for DeviceToken {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let token = req
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|t| t.starts_with("hdv_") && t.len() <= 100)
            .map(str::to_owned);
        ready(token.map(DeviceToken).ok_or_else(|| {
            ApiError::unauthorized(
                ErrorCode::MissingToken,
                "send the device token as `Authorization: Bearer hdv_…`",
            )
        }))
    }
}

/// Register a check-in device
///
/// Returns its token (role `checkin`) once; only a hash is stored.
#[utoipa::path(
    tag = "check-in",
    params(("conference_id" = Uuid, Path, description = "Conference id")),
    request_body = NewDevice,
    responses(
        (status = 201, description = "Registered", body = DeviceWithToken),
        (status = 409, description = "The conference is cancelled (`conference_cancelled`)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/conferences/{conference_id}/devices")]
async fn create_device(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<Uuid>,
    body: web::Json<NewDevice>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Created().json(
        checkins::create_device(
            &mut *state.pool.get().await?,
            &actor,
            path.into_inner(),
            body.into_inner(),
        )
        .await?,
    ))
}

/// Check-in devices
///
/// With each device's last-seen time and scan count.
#[utoipa::path(
    tag = "check-in",
    params(("conference_id" = Uuid, Path, description = "Conference id")),
    responses((status = 200, description = "Devices", body = Vec<Device>))
)]
#[get("/conferences/{conference_id}/devices")]
async fn list_devices(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<Uuid>,
) -> ApiResult<web::Json<Vec<Device>>> {
    Ok(web::Json(
        checkins::devices(&mut *state.pool.get().await?, &actor, path.into_inner()).await?,
    ))
}

/// Revoke a device
///
/// Its token fails with 401 from the next request on (a lost phone).
#[utoipa::path(
    tag = "check-in",
    params(("conference_id" = Uuid, Path, description = "Conference id"), ("device_id" = Uuid, Path, description = "Device id")),
    responses((status = 200, description = "Revoked", body = Device))
)]
#[post("/conferences/{conference_id}/devices/{device_id}/revoke")]
async fn revoke_device(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<(Uuid, DeviceId)>,
) -> ApiResult<web::Json<Device>> {
    let (conference_id, id) = path.into_inner();
    Ok(web::Json(
        checkins::revoke_device(&mut *state.pool.get().await?, &actor, conference_id, id).await?,
    ))
}

/// Record a scan (device)
///
/// Always 200 with the `outcome` the door screen shows: `ok`, `already_checked_in` (with the
/// first time and device), `cancelled`, `pending_approval`, `waitlisted`, `unknown_code`,
/// `other_conference`, `not_signed_up_for_session` or `outside_window`. Every scan is recorded.
/// The same `nonce` again returns the first result (`replayed: true`) and records nothing.
#[utoipa::path(
    tag = "check-in",
    params(("conference_id" = Uuid, Path, description = "Conference id")),
    request_body = ScanRequest,
    responses(
        (status = 200, description = "The outcome", body = ScanResult),
        (status = 403, description = "The device does not serve that session (`forbidden`)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The nonce belongs to a scan in another conference (`nonce_reused`), or the same scan arrived twice at the same instant (`concurrent_update`; retry)", body = Problem, content_type = "application/problem+json"),
    ),
    security(("device_token" = [])),
)]
#[post("/conferences/{conference_id}/checkins")]
async fn record_checkin(
    state: web::Data<AppState>,
    token: DeviceToken,
    path: web::Path<Uuid>,
    body: web::Json<ScanRequest>,
) -> ApiResult<web::Json<ScanResult>> {
    // The scan's statement names its device in the audit log: no session setting first.
    let result = crate::db::audit::named_by_statement(async {
        checkins::scan(
            &mut *state.pool.get().await?,
            state.checkin_window_margin,
            &token.0,
            path.into_inner(),
            body.into_inner(),
        )
        .await
    })
    .await?;
    count_scan(&state, ScanSource::Online, &result);
    Ok(web::Json(result))
}

fn count_scan(state: &AppState, source: ScanSource, result: &ScanResult) {
    state
        .metrics
        .scan(source, result.outcome.as_str(), result.replayed);
}

/// Name search.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchQuery {
    /// Words of the name in any order, with or without diacritics, middle name optional:
    /// `an nguyen`, `nguyen an` and `hong an nguyen` all find `Nguyễn Hồng An`. Every word
    /// must begin a word of the name, unit, reference or phone (`an` does not match inside
    /// `Đoàn`). Also a reference (`SXSH-0042`) or a phone in any spelling (`0912 345 678`).
    #[param(max_length = 200, example = "an nguyen")]
    pub q: Option<String>,
}

/// Find a delegate by name (device)
///
/// For manual check-in when a code is missing: up to 20 matches, ranked as the registration
/// list ranks them (the exact full name first, then names holding every word whole, then names
/// holding every word as a prefix, then matches through unit, reference or phone; by name
/// within each). An empty `q` gives an empty list.
#[utoipa::path(
    tag = "check-in",
    params(("conference_id" = Uuid, Path, description = "Conference id"), SearchQuery),
    responses((status = 200, description = "Matches", body = Vec<DelegateCard>)),
    security(("device_token" = [])),
)]
#[get("/conferences/{conference_id}/checkin-search")]
async fn search_delegates(
    state: web::Data<AppState>,
    token: DeviceToken,
    path: web::Path<Uuid>,
    query: web::Query<SearchQuery>,
) -> ApiResult<web::Json<Vec<DelegateCard>>> {
    let device =
        checkins::authenticate_device(&mut *state.pool.get().await?, &token.0, path.into_inner())
            .await?;
    Ok(web::Json(
        checkins::search(&mut *state.pool.get().await?, &device, query.q.as_deref()).await?,
    ))
}

/// Undo a check-in (organizer)
///
/// The record stays, marked undone with the reason; the delegate can be scanned again.
#[utoipa::path(
    tag = "check-in",
    params(("conference_id" = Uuid, Path, description = "Conference id"), ("checkin_id" = Uuid, Path, description = "Check-in id")),
    request_body = UndoRequest,
    responses(
        (status = 200, description = "Undone", body = Checkin),
        (status = 409, description = "Already undone (`already_undone`)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/conferences/{conference_id}/checkins/{checkin_id}/undo")]
async fn undo_checkin(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<(Uuid, CheckinId)>,
    body: web::Json<UndoRequest>,
) -> ApiResult<web::Json<Checkin>> {
    let (conference_id, id) = path.into_inner();
    Ok(web::Json(
        checkins::undo(
            &mut *state.pool.get().await?,
            &actor,
            conference_id,
            id,
            body.into_inner(),
        )
        .await?,
    ))
}

/// A registration's check-in history (organizer)
#[utoipa::path(
    tag = "check-in",
    params(("conference_id" = Uuid, Path, description = "Conference id"), ("registration_id" = Uuid, Path, description = "Registration id")),
    responses((status = 200, description = "Every recorded scan, undone ones included", body = Vec<Checkin>))
)]
#[get("/conferences/{conference_id}/registrations/{registration_id}/checkins")]
async fn registration_checkins(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<(Uuid, RegistrationId)>,
) -> ApiResult<web::Json<Vec<Checkin>>> {
    let (conference_id, id) = path.into_inner();
    Ok(web::Json(
        checkins::history(&mut *state.pool.get().await?, &actor, conference_id, id).await?,
    ))
}

/// Attendance summary (organizer)
///
/// Confirmed and checked-in delegates by category, by unit kind and by district (communes and
/// offices count toward their district), and per session with who is inside now.
#[utoipa::path(
    tag = "check-in",
    params(("conference_id" = Uuid, Path, description = "Conference id")),
    responses((status = 200, description = "The summary", body = crate::domain::attendance::Attendance))
)]
#[get("/conferences/{conference_id}/attendance")]
async fn attendance(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<Uuid>,
) -> ApiResult<web::Json<crate::domain::attendance::Attendance>> {
    Ok(web::Json(
        crate::domain::attendance::summary(
            &mut *state.pool.get().await?,
            &actor,
            path.into_inner(),
        )
        .await?,
    ))
}

/// Upload offline scans (device)
///
/// Up to 1,000 scans, each with its nonce, door time, session and direction; idempotent per
/// nonce. Scans that conflict with what the server knows (admitted twice by two offline
/// devices, cancelled meanwhile, door time in the future) are recorded and flagged in
/// `conflict`, not rejected. One result per scan, in order.
#[utoipa::path(
    tag = "check-in",
    params(("conference_id" = Uuid, Path, description = "Conference id")),
    request_body = crate::domain::checkins::ScanBatch,
    responses((status = 200, description = "One result per scan", body = Vec<crate::domain::checkins::BatchItem>)),
    security(("device_token" = [])),
)]
#[post("/conferences/{conference_id}/checkin-batches")]
async fn upload_checkins(
    state: web::Data<AppState>,
    token: DeviceToken,
    path: web::Path<Uuid>,
    body: web::Json<crate::domain::checkins::ScanBatch>,
) -> ApiResult<web::Json<Vec<crate::domain::checkins::BatchItem>>> {
    let device =
        checkins::authenticate_device(&mut *state.pool.get().await?, &token.0, path.into_inner())
            .await?;
    let items = checkins::upload(
        &mut *state.pool.get().await?,
        state.checkin_window_margin,
        &device,
        body.into_inner(),
    )
    .await?;
    for result in items.iter().filter_map(|item| item.result.as_ref()) {
        count_scan(&state, ScanSource::Offline, result);
    }
    Ok(web::Json(items))
}

/// Bundle options.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BundleQuery {
    /// The `watermark` of a previous bundle: only registrations changed since (cancelled ones
    /// included, with their status) are sent.
    #[param(max_length = 4000)]
    pub since: Option<String>,
}

/// The offline bundle (device)
///
/// Every registration the device may have to admit, with what it needs to show and search it
/// and a hash of the QR secret. Gzip with `Accept-Encoding: gzip`; `ETag`/`If-None-Match` give 304.
#[utoipa::path(
    tag = "check-in",
    params(("conference_id" = Uuid, Path, description = "Conference id"), BundleQuery,
           ("If-None-Match" = Option<String>, Header, description = "ETag of the bundle the device holds")),
    responses(
        (status = 200, description = "The bundle", body = crate::domain::checkins::Bundle, headers(("ETag" = String))),
        (status = 304, description = "Unchanged since the ETag sent"),
    ),
    security(("device_token" = [])),
)]
#[get("/conferences/{conference_id}/device-bundle")]
async fn device_bundle(
    state: web::Data<AppState>,
    token: DeviceToken,
    req: HttpRequest,
    path: web::Path<Uuid>,
    query: web::Query<BundleQuery>,
) -> ApiResult<HttpResponse> {
    // One connection for both: one checkout, one actor statement.
    let mut conn = state.pool.get().await?;
    let device = checkins::authenticate_device(&mut conn, &token.0, path.into_inner()).await?;
    let download = checkins::open_bundle(conn, &device, query.since.as_deref()).await?;
    let matches = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(',')
                .any(|tag| tag.trim().trim_start_matches("W/") == download.etag)
        });
    let etag = download.etag.clone();
    if matches {
        download.close().await?;
        return Ok(HttpResponse::NotModified()
            .insert_header((header::ETAG, etag))
            .finish());
    }
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, etag))
        .content_type(header::ContentType::json())
        .streaming(download.into_stream().map_ok(web::Bytes::from)))
}

/// Live check-ins (organizer)
///
/// A `text/event-stream` of the conference's check-ins as they are recorded through any API
/// replica, within about half a second: `event: checkin` with ids, direction, outcome, door
/// time and whether it was undone (no personal data), and a keep-alive comment every 15 seconds.
#[utoipa::path(
    tag = "check-in",
    params(("conference_id" = Uuid, Path, description = "Conference id")),
    responses((status = 200, description = "The event stream", content_type = "text/event-stream", body = String))
)]
#[get("/conferences/{conference_id}/checkin-events")]
async fn checkin_events(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let receiver =
        crate::domain::live::subscribe(&state.pool, &state.shutdown, &actor, path.into_inner())
            .await?;
    // The guard lives in the stream: the gauge drops when the client goes or the feed ends.
    let subscriber = state.metrics.live_subscriber();
    let stream = futures_util::stream::unfold(
        (receiver, subscriber),
        |(mut receiver, subscriber)| async move {
            receiver.recv().await.map(|event| {
                (
                    Ok::<_, actix_web::Error>(event_frame(event)),
                    (receiver, subscriber),
                )
            })
        },
    );
    Ok(HttpResponse::Ok()
        .content_type("text/event-stream")
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        // Compression would hold frames back.
        .insert_header((header::CONTENT_ENCODING, "identity"))
        .streaming(stream))
}

/// One `text/event-stream` frame.
fn event_frame(event: LiveEvent) -> web::Bytes {
    match event {
        LiveEvent::Connected => web::Bytes::from_static(b": connected\n\n"),
        LiveEvent::Checkin(json) => web::Bytes::from(format!("event: checkin\ndata: {json}\n\n")),
        LiveEvent::Keepalive => web::Bytes::from_static(b": keepalive\n\n"),
        // EventSource clients reconnect after `retry` ms, which a load balancer sends to a
        // replica that is not stopping.
        LiveEvent::Shutdown => {
            web::Bytes::from_static(b"retry: 1000\nevent: shutdown\ndata: {\"reconnect\":true}\n\n")
        }
    }
}

/// A line of a paper sign-in sheet: who, and the time written on the sheet.
#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BackfillRequest {
    pub registration_id: Uuid,
    /// A session; absent for the conference door.
    pub session_id: Option<Uuid>,
    pub direction: crate::domain::checkins::Direction,
    /// The client's UUID for this line: sending it again returns the first result.
    pub nonce: Uuid,
    /// The time on the sheet.
    pub occurred_at: chrono::DateTime<chrono::FixedOffset>,
}

impl From<BackfillRequest> for ScanRequest {
    fn from(line: BackfillRequest) -> Self {
        ScanRequest {
            code: None,
            registration_id: Some(line.registration_id),
            session_id: line.session_id,
            direction: line.direction,
            nonce: line.nonce,
            occurred_at: line.occurred_at,
        }
    }
}

/// Back-fill a check-in from a paper sheet (organizer)
///
/// Records a check-in with the given door time as `manual`, after the event if need be; the
/// same rules apply (one entry per session and per local day at the door, the time window).
#[utoipa::path(
    tag = "check-in",
    params(("conference_id" = Uuid, Path, description = "Conference id")),
    request_body = BackfillRequest,
    responses((status = 200, description = "The outcome", body = ScanResult))
)]
#[post("/conferences/{conference_id}/checkin-backfills")]
async fn backfill_checkin(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<Uuid>,
    body: web::Json<BackfillRequest>,
) -> ApiResult<web::Json<ScanResult>> {
    let result = checkins::backfill(
        &mut *state.pool.get().await?,
        state.checkin_window_margin,
        &actor,
        path.into_inner(),
        body.into_inner().into(),
    )
    .await?;
    count_scan(&state, ScanSource::Backfill, &result);
    Ok(web::Json(result))
}

/// Register a walk-in substitute (device)
///
/// Someone at the door replaces a delegate of their unit's invitation who has not come in
/// today: same seat and quota, new QR code; the substitution is recorded as made at the door.
#[utoipa::path(
    tag = "check-in",
    params(("conference_id" = Uuid, Path, description = "Conference id")),
    request_body = crate::domain::checkins::WalkIn,
    responses(
        (status = 200, description = "Substituted", body = crate::domain::registrations::RegistrationWithToken),
        (status = 409, description = "Not an invited delegate (`not_invited`), already came in (`already_checked_in`), not live (`registration_closed`), or duplicate person (`already_registered`)",
         body = Problem, content_type = "application/problem+json"),
    ),
    security(("device_token" = [])),
)]
#[post("/conferences/{conference_id}/walk-ins")]
async fn walk_in(
    state: web::Data<AppState>,
    token: DeviceToken,
    path: web::Path<Uuid>,
    body: web::Json<crate::domain::checkins::WalkIn>,
) -> ApiResult<web::Json<crate::domain::registrations::RegistrationWithToken>> {
    let device =
        checkins::authenticate_device(&mut *state.pool.get().await?, &token.0, path.into_inner())
            .await?;
    Ok(web::Json(
        checkins::walk_in(&mut *state.pool.get().await?, &device, body.into_inner()).await?,
    ))
}
