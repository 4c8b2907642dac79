//! Check-in at the door and per session, by devices holding revocable tokens.
//!
//! A scan is recorded whatever its outcome (for statistics). "One successful entry per
//! registration per session, and per local day at the door" is a unique index: two devices
//! scanning the same delegate at the same instant get one `ok` and one `already_checked_in`.

use crate::domain::retrying_transaction;
use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use chrono_tz::Tz;
use diesel_async::AsyncConnection;
use diesel_async::AsyncPgConnection;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::db::checkins::{CheckinRow, DeviceRow, OutcomeRow, ScanArgs};
use crate::db::registrations::RegistrationRow;
use crate::db::{self};
use crate::domain::actor::Actor;
use crate::domain::check_timestamp;
use crate::domain::common::{Access, Lock, ensure_editable, load, text_enum};
use crate::domain::registrations::{Category, QR_PREFIX};
use crate::domain::search::SearchQuery;
use crate::domain::text::{Validator, fold};
use crate::domain::tokens;
use crate::error::{ApiError, ApiResult, ErrorCode, FieldError};

text_enum! {
    /// What the door screen shows.
    Outcome {
        /// Admitted (first entry, or an exit).
        Ok => "ok",
        /// Admitted earlier; `first_checked_in_at` and `first_device` say when and where.
        AlreadyCheckedIn => "already_checked_in",
        /// The registration is cancelled or rejected.
        Cancelled => "cancelled",
        PendingApproval => "pending_approval",
        Waitlisted => "waitlisted",
        /// No registration has this code.
        UnknownCode => "unknown_code",
        /// The code belongs to another conference.
        OtherConference => "other_conference",
        /// The session requires sign-up and this delegate has not signed up.
        NotSignedUpForSession => "not_signed_up_for_session",
        /// Before doors open or after the end (with a margin of an hour).
        OutsideWindow => "outside_window",
    }
}

text_enum! {
    /// Entering or leaving.
    Direction {
        In => "in",
        Out => "out",
    }
}

/// A check-in device (a phone at a door).
#[derive(Debug, Serialize, ToSchema)]
pub struct Device {
    pub id: Uuid,
    pub conference_id: Uuid,
    #[schema(example = "Cửa chính 1")]
    pub name: String,
    pub gate: Option<String>,
    /// Sessions it serves; empty for the door and every session.
    pub session_ids: Vec<Uuid>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub last_seen_at: Option<DateTime<Utc>>,
    /// Scans it has recorded.
    pub scan_count: i64,
    pub created_at: DateTime<Utc>,
}

fn to_device(row: DeviceRow, scan_count: i64) -> Device {
    Device {
        id: row.id,
        conference_id: row.conference_id,
        name: row.name,
        gate: row.gate,
        session_ids: row.session_ids.into_iter().flatten().collect(),
        revoked_at: row.revoked_at,
        last_seen_at: row.last_seen_at,
        scan_count,
        created_at: row.created_at,
    }
}

/// A new device.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewDevice {
    #[schema(example = "Cửa chính 1", min_length = 1, max_length = 200)]
    pub name: String,
    #[schema(max_length = 100)]
    pub gate: Option<String>,
    #[schema(max_items = 100)]
    pub session_ids: Option<Vec<Uuid>>,
}

/// A new device and its token (role `checkin`), shown only here.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeviceWithToken {
    pub device: Device,
    /// Send as `Authorization: Bearer <token>` from the device.
    pub token: String,
}

/// One scan or manual check-in.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScanRequest {
    /// The QR payload (`hoithao:1:<registration id>:<secret>`). Give this or `registration_id`.
    #[schema(max_length = 200)]
    pub code: Option<String>,
    /// For manual check-in after a name search.
    pub registration_id: Option<Uuid>,
    /// A session; absent for the conference door.
    pub session_id: Option<Uuid>,
    pub direction: Direction,
    /// The client's scan UUID: sending it again returns the first result and records nothing.
    pub nonce: Uuid,
    /// Door time (device clock).
    pub occurred_at: DateTime<FixedOffset>,
}

/// Who is at the door, for the greeting.
#[derive(Debug, Serialize, ToSchema)]
pub struct DelegateCard {
    pub registration_id: Uuid,
    pub full_name: String,
    pub position: Option<String>,
    pub unit_name: Option<String>,
    pub organization: Option<String>,
    pub category: Category,
}

/// The result of a scan, for the door screen.
#[derive(Debug, Serialize, ToSchema)]
pub struct ScanResult {
    pub outcome: Outcome,
    pub checkin_id: Uuid,
    /// True when this nonce was seen before and this is the first result again.
    pub replayed: bool,
    /// With `ok` and `already_checked_in`.
    pub delegate: Option<DelegateCard>,
    /// With `already_checked_in`: the first entry.
    pub first_checked_in_at: Option<DateTime<Utc>>,
    pub first_device: Option<String>,
    /// Offline scans only: why the scan conflicts with what the server knows
    /// (`already_checked_in`, `cancelled`, `door_time_in_future`…); it is recorded anyway.
    pub conflict: Option<String>,
}

/// Scans a device made offline.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScanBatch {
    #[schema(min_items = 1, max_items = 1000)]
    pub scans: Vec<ScanRequest>,
}

/// The result of one uploaded scan.
#[derive(Debug, Serialize, ToSchema)]
pub struct BatchItem {
    pub nonce: Uuid,
    pub result: Option<ScanResult>,
    /// A malformed scan's error code (`validation_failed`, `forbidden`…); nothing was recorded.
    pub error: Option<String>,
}

/// Why a check-in is undone.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UndoRequest {
    #[schema(min_length = 1, max_length = 500)]
    pub reason: String,
}

/// A recorded check-in (history; undone ones included).
#[derive(Debug, Serialize, ToSchema)]
pub struct Checkin {
    pub id: Uuid,
    pub registration_id: Option<Uuid>,
    pub session_id: Option<Uuid>,
    pub device_id: Option<Uuid>,
    pub direction: Direction,
    pub outcome: Outcome,
    /// `scan`, `manual` or `offline`.
    pub method: String,
    /// Offline scans that conflict: why.
    pub conflict: Option<String>,
    pub occurred_at: DateTime<Utc>,
    pub received_at: DateTime<Utc>,
    pub undone_at: Option<DateTime<Utc>>,
    pub undo_reason: Option<String>,
}

fn to_checkin(row: CheckinRow) -> ApiResult<Checkin> {
    Ok(Checkin {
        id: row.id,
        registration_id: row.registration_id,
        session_id: row.session_id,
        device_id: row.device_id,
        direction: row.direction.parse()?,
        outcome: row.outcome.parse()?,
        method: row.method,
        conflict: row.conflict,
        occurred_at: row.occurred_at,
        received_at: row.received_at,
        undone_at: row.undone_at,
        undo_reason: row.undo_reason,
    })
}

pub async fn create_device(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    conference_id: Uuid,
    input: NewDevice,
) -> ApiResult<DeviceWithToken> {
    retrying_transaction!(conn, async |conn| {
        let conference = load(
            conn,
            conference_id,
            Some(actor),
            Access::Private,
            Lock::None,
        )
        .await?;
        ensure_editable(&conference)?;
        let mut v = Validator::new();
        let name = v.required_line("name", &input.name, 200);
        let gate = v.optional_text("gate", input.gate.as_deref(), 100, false);
        let session_ids = input.session_ids.clone().unwrap_or_default();
        if session_ids.len() > 100 {
            v.push("session_ids", "too_many_items", "at most 100 sessions");
        }
        for (index, session_id) in session_ids.iter().enumerate() {
            if db::sessions::find(conn, conference_id, *session_id, false)
                .await?
                .is_none()
            {
                v.push(
                    format!("session_ids[{index}]"),
                    "unknown_session",
                    "no such session in this conference",
                );
            }
        }
        v.finish()?;
        let token = format!("hdv_{}", tokens::random_secret());
        let row = db::checkins::insert_device(
            conn,
            conference_id,
            &name,
            gate.as_deref(),
            &session_ids,
            &tokens::hash(&token),
            actor.account_id,
        )
        .await?;
        Ok(DeviceWithToken {
            device: to_device(row, 0),
            token,
        })
    })
}

pub async fn devices(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    conference_id: Uuid,
) -> ApiResult<Vec<Device>> {
    load(
        conn,
        conference_id,
        Some(actor),
        Access::Private,
        Lock::None,
    )
    .await?;
    Ok(db::checkins::devices_with_counts(conn, conference_id)
        .await?
        .into_iter()
        .map(|(row, n)| to_device(row, n))
        .collect())
}

pub async fn revoke_device(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    conference_id: Uuid,
    id: Uuid,
) -> ApiResult<Device> {
    load(
        conn,
        conference_id,
        Some(actor),
        Access::Private,
        Lock::None,
    )
    .await?;
    let row = db::checkins::revoke_device(conn, conference_id, id)
        .await?
        .ok_or_else(|| ApiError::not_found("device not found"))?;
    Ok(to_device(row, 0))
}

/// The device behind a bearer token, for one conference: unknown or revoked tokens are a 401,
/// another conference's device a 404.
pub async fn authenticate_device(
    conn: &mut AsyncPgConnection,
    token: &str,
    conference_id: Uuid,
) -> ApiResult<DeviceRow> {
    let device = db::checkins::authenticate(conn, &tokens::hash(token))
        .await?
        .ok_or_else(|| refusal("invalid_token"))?;
    if device.conference_id != conference_id {
        return Err(refusal("conference_not_found"));
    }
    Ok(device)
}

fn local_day(instant: DateTime<Utc>, time_zone: &str) -> NaiveDate {
    let tz: Tz = time_zone.parse().unwrap_or(chrono_tz::Asia::Ho_Chi_Minh);
    instant.with_timezone(&tz).date_naive()
}

/// `hoithao:1:<id>:<secret>` → the registration id and the secret; `None` when malformed.
fn parse_code(code: &str) -> Option<(Uuid, &str)> {
    let (id, secret) = code.trim().strip_prefix(QR_PREFIX)?.split_once(':')?;
    Some((id.parse().ok()?, secret))
}

/// Checks a scan and turns it into what the database decides on. The code's secret travels
/// as its SHA-256 and is compared as a digest there, so the comparison's timing reveals
/// nothing an attacker can steer.
fn scan_args(input: &ScanRequest, method: &'static str) -> ApiResult<ScanArgs> {
    let mut v = Validator::new();
    if input.code.is_some() == input.registration_id.is_some() {
        v.push(
            "code",
            "code_or_registration_id",
            "give either code or registration_id",
        );
    }
    if input.code.as_deref().is_some_and(|c| c.len() > 200) {
        v.push("code", "too_long", "code must be at most 200 characters");
    }
    let occurred_at = check_timestamp(&mut v, "occurred_at", &input.occurred_at);
    v.finish()?;
    let (registration_id, secret_sha256) = match &input.code {
        // A malformed code is still recorded, as `unknown_code`.
        Some(code) => parse_code(code).map_or((None, None), |(id, secret)| {
            (Some(id), Some(tokens::hash(secret)))
        }),
        None => (input.registration_id, None),
    };
    Ok(ScanArgs {
        id: Uuid::now_v7(),
        nonce: input.nonce,
        registration_id,
        secret_sha256,
        session_id: input.session_id,
        direction: input.direction.as_str(),
        method,
        occurred_at,
    })
}

/// What the database functions answer (`checkin_outcome`): a refusal code or the scan's result.
fn recorded(row: OutcomeRow) -> ApiResult<ScanResult> {
    if let Some(error) = row.error {
        return Err(refusal(&error));
    }
    let missing = |field: &str| ApiError::internal(format!("check-in result without {field}"));
    let delegate = match row.delegate_registration_id {
        None => None,
        Some(registration_id) => Some(DelegateCard {
            registration_id,
            full_name: row
                .delegate_full_name
                .ok_or_else(|| missing("delegate full_name"))?,
            position: row.delegate_position,
            unit_name: row.delegate_unit_name,
            organization: row.delegate_organization,
            category: row
                .delegate_category
                .ok_or_else(|| missing("delegate category"))?
                .parse()?,
        }),
    };
    Ok(ScanResult {
        outcome: row.outcome.ok_or_else(|| missing("outcome"))?.parse()?,
        checkin_id: row.checkin_id.ok_or_else(|| missing("checkin_id"))?,
        replayed: row.replayed.ok_or_else(|| missing("replayed"))?,
        delegate,
        first_checked_in_at: row.first_checked_in_at,
        first_device: row.first_device,
        conflict: row.conflict,
    })
}

/// The API error for a refusal code of the check-in functions.
fn refusal(code: &str) -> ApiError {
    match code {
        "invalid_token" => ApiError::unauthorized(
            ErrorCode::InvalidToken,
            "this device token is unknown or revoked",
        ),
        "conference_not_found" => ApiError::not_found("conference not found"),
        "session_not_served" => ApiError::forbidden("this device does not serve that session"),
        "unknown_session" => ApiError::validation(vec![FieldError::new(
            "session_id",
            "unknown_session",
            "no such session in this conference",
        )]),
        "nonce_reused" => ApiError::conflict(
            ErrorCode::NonceReused,
            "this nonce belongs to a scan in another conference; send a new one",
        ),
        "concurrent_update" => ApiError::conflict(
            ErrorCode::ConcurrentUpdate,
            "the same scan arrived twice at once; retry",
        ),
        other => ApiError::internal(format!("unknown check-in refusal {other:?}")),
    }
}

fn window_margin_secs(margin: chrono::Duration) -> i32 {
    i32::try_from(margin.num_seconds()).unwrap_or(i32::MAX)
}

/// Records a scan by the device holding `token` and says what the door screen should show:
/// one statement, one round trip.
pub async fn scan(
    conn: &mut AsyncPgConnection,
    checkin_window_margin: chrono::Duration,
    token: &str,
    conference_id: Uuid,
    input: ScanRequest,
) -> ApiResult<ScanResult> {
    let method = if input.code.is_some() {
        "scan"
    } else {
        "manual"
    };
    let args = scan_args(&input, method)?;
    let row = db::checkins::scan_by_token(
        conn,
        &tokens::hash(token),
        conference_id,
        &args,
        window_margin_secs(checkin_window_margin),
    )
    .await?;
    recorded(row)
}

/// Up to 1,000 scans a device made offline. Each is recorded even when it conflicts with what
/// the server knows (the delegate was admitted at the door either way) and flagged with the
/// reason; a malformed scan gets an error code instead of failing the batch. The batch is one
/// statement and one transaction: retrying it after a failure records each scan once.
pub async fn upload(
    conn: &mut AsyncPgConnection,
    checkin_window_margin: chrono::Duration,
    device: &DeviceRow,
    batch: ScanBatch,
) -> ApiResult<Vec<BatchItem>> {
    if batch.scans.is_empty() || batch.scans.len() > 1000 {
        return Err(ApiError::validation(vec![FieldError::new(
            "scans",
            "invalid_length",
            "send 1 to 1000 scans",
        )]));
    }
    let mut items = Vec::with_capacity(batch.scans.len());
    let mut valid = Vec::with_capacity(batch.scans.len());
    let mut positions = Vec::with_capacity(batch.scans.len());
    for scan in &batch.scans {
        let (args, error) = match scan_args(scan, "offline") {
            Ok(args) => (Some(args), None),
            Err(error) => (None, Some(error.code().to_owned())),
        };
        if let Some(args) = args {
            positions.push(items.len());
            valid.push(args);
        }
        items.push(BatchItem {
            nonce: scan.nonce,
            result: None,
            error,
        });
    }
    if valid.is_empty() {
        return Ok(items);
    }
    let results = db::checkins::record_batch(
        conn,
        device,
        &valid,
        window_margin_secs(checkin_window_margin),
    )
    .await?;
    if results.len() != positions.len() {
        return Err(ApiError::internal(
            "the check-in batch did not return one result per scan",
        ));
    }
    for (position, row) in positions.into_iter().zip(results) {
        match recorded(row) {
            Ok(result) => items[position].result = Some(result),
            Err(error) if error.is_client_error() => {
                items[position].error = Some(error.code().to_owned());
            }
            Err(error) => return Err(error),
        }
    }
    Ok(items)
}

/// Records a check-in from a paper sign-in sheet, with its door time, as `manual`.
pub async fn backfill(
    conn: &mut AsyncPgConnection,
    checkin_window_margin: chrono::Duration,
    actor: &Actor,
    conference_id: Uuid,
    input: ScanRequest,
) -> ApiResult<ScanResult> {
    load(
        conn,
        conference_id,
        Some(actor),
        Access::Private,
        Lock::None,
    )
    .await?;
    if input.registration_id.is_none() {
        return Err(ApiError::validation(vec![FieldError::new(
            "registration_id",
            "required",
            "back-fills name the registration",
        )]));
    }
    let args = scan_args(&input, "manual")?;
    let row = db::checkins::record(
        conn,
        conference_id,
        None,
        &args,
        window_margin_secs(checkin_window_margin),
    )
    .await?;
    recorded(row)
}

fn card(row: RegistrationRow, unit_name: Option<String>) -> ApiResult<DelegateCard> {
    Ok(DelegateCard {
        registration_id: row.id,
        category: row.category.parse()?,
        full_name: row.full_name,
        position: row.position,
        unit_name,
        organization: row.organization,
    })
}

/// Name search for manual check-in: accent-free, or by reference.
pub async fn search(
    conn: &mut AsyncPgConnection,
    device: &DeviceRow,
    q: Option<&str>,
) -> ApiResult<Vec<DelegateCard>> {
    let Some(query) = crate::domain::text::query_text(q)?.and_then(SearchQuery::parse) else {
        return Ok(Vec::new());
    };
    let rows = db::registrations::list(
        conn,
        device.conference_id,
        db::registrations::RegistrationFilter {
            search: Some(query.terms()),
            limit: 20,
            ..Default::default()
        },
    )
    .await?;
    let unit_ids: Vec<Uuid> = rows.iter().filter_map(|r| r.unit_id).collect();
    let unit_names: std::collections::HashMap<Uuid, String> =
        db::registrations::unit_names(conn, &unit_ids)
            .await?
            .into_iter()
            .collect();
    rows.into_iter()
        .map(|row| {
            let unit_name = row.unit_id.and_then(|id| unit_names.get(&id).cloned());
            card(row, unit_name)
        })
        .collect()
}

/// Undoes a check-in: the row stays, marked with who undid it, when and why.
pub async fn undo(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    conference_id: Uuid,
    id: Uuid,
    input: UndoRequest,
) -> ApiResult<Checkin> {
    let mut v = Validator::new();
    let reason = v.required_line("reason", &input.reason, 500);
    v.finish()?;
    retrying_transaction!(conn, async |conn| {
        load(
            conn,
            conference_id,
            Some(actor),
            Access::Private,
            Lock::None,
        )
        .await?;
        let row = db::checkins::find(conn, conference_id, id)
            .await?
            .ok_or_else(|| ApiError::not_found("check-in not found"))?;
        if row.undone_at.is_some() {
            return Err(ApiError::conflict(
                ErrorCode::AlreadyUndone,
                "this check-in was undone already",
            ));
        }
        to_checkin(db::checkins::undo(conn, id, actor.account_id, &reason).await?)
    })
}

/// Check-ins of one registration, oldest first (organizers).
pub async fn history(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    conference_id: Uuid,
    registration_id: Uuid,
) -> ApiResult<Vec<Checkin>> {
    load(
        conn,
        conference_id,
        Some(actor),
        Access::Private,
        Lock::None,
    )
    .await?;
    // An empty history must mean "never scanned", not "no such registration here".
    db::registrations::find(conn, conference_id, registration_id, false)
        .await?
        .ok_or_else(|| ApiError::not_found("registration not found"))?;
    db::checkins::of_registration(conn, conference_id, registration_id)
        .await?
        .into_iter()
        .map(to_checkin)
        .collect()
}

/// What a device needs to admit and find one delegate offline.
#[derive(Debug, Serialize, ToSchema)]
pub struct BundleEntry {
    pub registration_id: Uuid,
    #[schema(example = "SXSH-0042")]
    pub reference: String,
    pub full_name: String,
    /// The full name folded for search (NFD, combining marks dropped, `đ` → `d`, lower case,
    /// words separated by one space). An exact match of the folded query ranks first.
    #[schema(example = "nguyen van an")]
    pub name_folded: String,
    /// The words an offline search matches: the folded name, unit name and reference,
    /// separated by one space. Every word of the folded query must be a prefix of one of
    /// them, in any order (see the README's search section for the whole algorithm).
    #[schema(example = "nguyen van an phong kinh te thanh pho vinh yen sxsh-0042")]
    pub search_folded: String,
    pub position: Option<String>,
    pub unit_name: Option<String>,
    pub category: Category,
    /// Only `confirmed` registrations may be admitted; others are sent so devices can say why.
    pub status: crate::domain::registrations::RegistrationStatus,
    pub session_ids: Vec<Uuid>,
    /// Hex SHA-256 of the QR secret (never the secret: a lost phone cannot mint codes). A
    /// device hashes the secret part of a scanned code and compares.
    pub qr_secret_sha256: String,
}

/// A device's offline copy of the delegate list.
#[derive(Debug, Serialize, ToSchema)]
pub struct Bundle {
    /// Send back as `since` to get only what changed after this bundle.
    pub watermark: String,
    /// True for a full bundle, false for a delta.
    pub full: bool,
    pub registrations: Vec<BundleEntry>,
}

/// The bundle, or only what changed since `since`. The bundle is read in one repeatable-read
/// snapshot and its watermark is that snapshot: a delta holds exactly the registrations whose
/// last change that snapshot could not see, whatever order concurrent transactions commit in.
pub async fn bundle(
    conn: &mut AsyncPgConnection,
    device: &DeviceRow,
    since: Option<&str>,
) -> ApiResult<Bundle> {
    use base64::Engine;
    let invalid = || {
        ApiError::bad_request(
            ErrorCode::InvalidQueryParameter,
            "since is not a watermark this API issued",
        )
    };
    let since = match since {
        None => None,
        Some(text) => {
            let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(text)
                .map_err(|_| invalid())?;
            let snapshot = String::from_utf8(bytes).map_err(|_| invalid())?;
            // xmin:xmax:xip,... — checked here so PostgreSQL never sees a malformed snapshot.
            let parts: Vec<&str> = snapshot.split(':').collect();
            let numbers = |part: &str| {
                part.split(',').all(|n| {
                    !n.is_empty() && n.len() <= 20 && n.bytes().all(|b| b.is_ascii_digit())
                })
            };
            let well_formed = parts.len() == 3
                && numbers(parts[0])
                && numbers(parts[1])
                && (parts[2].is_empty() || numbers(parts[2]))
                && parts[0].parse::<u64>().ok() <= parts[1].parse::<u64>().ok();
            if !well_formed {
                return Err(invalid());
            }
            Some(snapshot)
        }
    };
    let conference =
        db::conferences::find_with_membership(conn, device.conference_id, None, Lock::None)
            .await?
            .ok_or_else(|| ApiError::not_found("conference not found"))?
            .0;
    let (watermark, rows) = conn
        .build_transaction()
        .repeatable_read()
        .read_only()
        .run::<_, ApiError, _>(async |conn| {
            let watermark = db::checkins::current_snapshot(conn).await?;
            let rows =
                db::checkins::bundle_rows(conn, device.conference_id, since.as_deref()).await?;
            Ok((watermark, rows))
        })
        .await?;
    let registrations = rows
        .into_iter()
        .map(|row| {
            let reference = crate::domain::registrations::reference(&conference.code, row.number);
            let name_folded = fold(&row.full_name);
            let search_folded = [
                Some(name_folded.as_str()),
                row.unit_name.as_deref(),
                Some(&reference),
            ]
            .into_iter()
            .flatten()
            .map(fold)
            .filter(|part| !part.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
            Ok(BundleEntry {
                registration_id: row.id,
                reference,
                name_folded,
                search_folded,
                full_name: row.full_name,
                position: row.position,
                unit_name: row.unit_name,
                category: row.category.parse()?,
                status: row.status.parse()?,
                session_ids: row.session_ids,
                qr_secret_sha256: hex::encode(tokens::hash(&row.qr_secret)),
            })
        })
        .collect::<ApiResult<Vec<_>>>()?;
    Ok(Bundle {
        watermark: base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(watermark),
        full: since.is_none(),
        registrations,
    })
}

/// A walk-in at the door, taking the seat of a delegate of the same invited unit who did not come.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WalkIn {
    /// The invited delegate whose seat the walk-in takes.
    pub replaces_registration_id: Uuid,
    /// The person at the door; their unit is the replaced delegate's.
    pub person: crate::domain::registrations::PersonInput,
}

/// Substitutes a walk-in for an invited delegate who has not come today, keeping the unit's
/// quota and the seat; the substitution is recorded as made at the door.
pub async fn walk_in(
    conn: &mut AsyncPgConnection,
    device: &DeviceRow,
    input: WalkIn,
) -> ApiResult<crate::domain::registrations::RegistrationWithToken> {
    use crate::domain::registrations as regs;
    retrying_transaction!(conn, async |conn| {
        let (conference, _) =
            db::conferences::find_with_membership(conn, device.conference_id, None, Lock::Update)
                .await?
                .ok_or_else(|| ApiError::not_found("conference not found"))?;
        let current =
            db::registrations::find(conn, conference.id, input.replaces_registration_id, true)
                .await?
                .ok_or_else(|| ApiError::not_found("registration not found"))?;
        regs::ensure_live(&current)?;
        if current.invitation_id.is_none() {
            return Err(ApiError::conflict(
                ErrorCode::NotInvited,
                "walk-ins take the seat of a delegate named through a unit's invitation",
            ));
        }
        let today = local_day(Utc::now(), &conference.time_zone);
        if db::checkins::first_entry(conn, current.id, None, today)
            .await?
            .is_some()
        {
            return Err(ApiError::conflict(
                ErrorCode::AlreadyCheckedIn,
                "the delegate being replaced has come in today",
            ));
        }
        let person = crate::domain::registrations::PersonInput {
            unit_id: current.unit_id,
            ..input.person.clone()
        };
        let (row, delegate_token) = regs::substitute_locked(
            conn,
            &conference,
            &current,
            &person,
            crate::domain::substitutions::Substituter::Door(device.id),
        )
        .await?;
        let registration = regs::present_row(conn, row, &conference.code).await?.value;
        Ok(regs::RegistrationWithToken {
            registration,
            delegate_token,
        })
    })
}
