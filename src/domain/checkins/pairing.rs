//! What the check-in app needs around its device token: the pairing QR an organizer shows
//! (the token itself, rendered only for an organizer who holds it), the device's own view of
//! its conference and sessions with the rules it decides offline by, and undo of its own scans.

use super::*;

/// A device token to render as its pairing QR code.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PairingRequest {
    /// The token returned when the device was registered (`hdv_…`). Sent in the body, never
    /// in the URL, so it stays out of access logs.
    #[schema(max_length = 100, example = "hdv_…")]
    pub token: String,
}

// The token is a credential: never in logs.
impl std::fmt::Debug for PairingRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PairingRequest").finish_non_exhaustive()
    }
}

/// The pairing QR code of a device (SVG): it encodes the device token exactly as it would be
/// pasted, so scanning and pasting are one path in the app. The raw token is never stored:
/// the organizer sends back the token they were shown, and it is rendered only if it is this
/// live device's token (422 `not_this_device` otherwise, so this is no general QR renderer).
pub async fn pairing_qr(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    conference_id: Uuid,
    device_id: DeviceId,
    input: PairingRequest,
) -> ApiResult<String> {
    load(
        conn,
        conference_id,
        Some(actor),
        Access::Private,
        Lock::None,
    )
    .await?;
    let token = input.token.trim();
    let matches = token.starts_with("hdv_")
        && token.len() <= 100
        && db::device_app::token_matches(conn, conference_id, device_id, &tokens::hash(token))
            .await?;
    if !matches {
        return Err(ApiError::validation(vec![FieldError::new(
            "token",
            crate::error::FieldCode::NotThisDevice,
            "not the token of this device, or the device is revoked",
        )]));
    }
    crate::domain::qr::qr_svg(token)
}

/// The device as it sees itself.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeviceSelf {
    pub id: Uuid,
    #[schema(example = "Cửa chính 1")]
    pub name: String,
    pub gate: Option<String>,
    /// The sessions it serves; empty for the door and every session.
    pub session_ids: Vec<Uuid>,
}

/// The conference a device serves, with what it needs to decide scans offline.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeviceConference {
    pub id: Uuid,
    #[schema(example = "SXSH")]
    pub code: String,
    pub title: String,
    pub venue_name: Option<String>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    /// IANA time zone: the door day of a scan is its local date here.
    #[schema(example = "Asia/Ho_Chi_Minh")]
    pub time_zone: String,
    /// `draft`, `published`, `closed` or `cancelled`.
    pub status: String,
}

/// A session the device may scan for.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeviceSession {
    pub id: Uuid,
    pub title: String,
    pub room: Option<String>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    /// Only delegates signed up for it are admitted (the bundle's `session_ids`).
    pub signup_required: bool,
    /// Delegates whose latest admitted scan into it is an entry.
    pub inside_now: i64,
}

/// What the check-in app shows after pairing and decides offline scans by.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeviceProfile {
    pub device: DeviceSelf,
    pub conference: DeviceConference,
    /// The sessions it serves (every session of the conference when it is not limited), in
    /// agenda order.
    pub sessions: Vec<DeviceSession>,
    /// Scans are admitted from this long before a session (or the conference) starts to this
    /// long after it ends; outside, `outside_window`.
    pub checkin_window_margin_minutes: i64,
    /// Delegates inside at the door today (conference time): their latest admitted door scan
    /// of the day is an entry.
    pub door_inside_now: i64,
}

/// The device behind a token, with its conference and sessions; 401 for an unknown or
/// revoked token.
pub async fn profile(
    conn: &mut AsyncPgConnection,
    checkin_window_margin: chrono::Duration,
    token: &str,
) -> ApiResult<DeviceProfile> {
    let device = db::checkins::authenticate(conn, &tokens::hash(token))
        .await?
        .ok_or_else(|| refusal("invalid_token"))?;
    let conference =
        db::conferences::find_with_membership(conn, device.conference_id, None, Lock::None)
            .await?
            .ok_or_else(|| ApiError::not_found("conference not found"))?
            .0;
    let served: Vec<Uuid> = device.session_ids.iter().flatten().copied().collect();
    let inside: std::collections::HashMap<Uuid, i64> =
        db::attendance::sessions(conn, conference.id)
            .await?
            .into_iter()
            .map(|s| (s.id, s.inside_now))
            .collect();
    let filter = db::sessions::SessionFilter {
        after: None,
        kind: None,
        limit: 1000,
    };
    let sessions = db::sessions::list(conn, conference.id, filter)
        .await?
        .into_iter()
        .filter(|s| served.is_empty() || served.contains(&s.id.0))
        .map(|s| DeviceSession {
            inside_now: inside.get(&s.id.0).copied().unwrap_or(0),
            id: s.id.0,
            title: s.title,
            room: s.room,
            starts_at: s.starts_at,
            ends_at: s.ends_at,
            signup_required: s.signup_required,
        })
        .collect();
    let today = scans::local_day(Utc::now(), &conference.time_zone);
    let door_inside_now = db::device_app::door_inside_now(conn, conference.id, today).await?;
    Ok(DeviceProfile {
        device: DeviceSelf {
            id: device.id.0,
            name: device.name,
            gate: device.gate,
            session_ids: served,
        },
        conference: DeviceConference {
            id: conference.id,
            code: conference.code,
            title: conference.title,
            venue_name: conference.venue_name,
            starts_at: conference.starts_at,
            ends_at: conference.ends_at,
            time_zone: conference.time_zone,
            status: conference.status.as_str().to_owned(),
        },
        sessions,
        checkin_window_margin_minutes: checkin_window_margin.num_minutes(),
        door_inside_now,
    })
}

/// Undo of a scan by the device that recorded it (the volunteer's "wrong person" at the
/// door), with a reason. Another device's scan is a 404, as one in another conference.
pub async fn undo_own(
    conn: &mut AsyncPgConnection,
    device: &DeviceRow,
    id: CheckinId,
    input: UndoRequest,
) -> ApiResult<Checkin> {
    let mut v = Validator::new();
    let reason = v.required_line("reason", &input.reason, 500);
    v.finish()?;
    retrying_transaction!(conn, async |conn| {
        let row = db::device_app::own_checkin(conn, device.id, id)
            .await?
            .ok_or_else(|| ApiError::not_found("check-in not found"))?;
        if row.undone_at.is_some() {
            return Err(ApiError::conflict(
                ErrorCode::AlreadyUndone,
                "this check-in was undone already",
            ));
        }
        to_checkin(db::device_app::undo_by_device(conn, id, &reason).await?)
    })
}
