//! Check-in devices: created with a token shown once, listed with their last-seen time and
//! scan count, revoked, and authenticated on every request.

use super::*;

/// A check-in device (a phone at a door).
#[derive(Debug, Serialize, ToSchema)]
pub struct Device {
    #[schema(value_type = Uuid)]
    pub id: DeviceId,
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

pub(super) fn to_device(row: DeviceRow, scan_count: i64) -> Device {
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
            v.push(
                "session_ids",
                crate::error::FieldCode::TooManyItems,
                "at most 100 sessions",
            );
        }
        for (index, session_id) in session_ids.iter().enumerate() {
            if db::sessions::find(conn, conference_id, (*session_id).into(), false)
                .await?
                .is_none()
            {
                v.push(
                    format!("session_ids[{index}]"),
                    crate::error::FieldCode::UnknownSession,
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
    id: DeviceId,
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
