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
pub use crate::db::enums::{Direction, Outcome};
pub use crate::db::ids::{CheckinId, DeviceId, RegistrationId};
use crate::db::{self};
use crate::domain::actor::Actor;
use crate::domain::check_timestamp;
use crate::domain::common::{Access, Lock, ensure_editable, load};
use crate::domain::qr::QR_PREFIX;
use crate::domain::registrations::Category;
use crate::domain::search::SearchQuery;
use crate::domain::text::{Validator, fold};
use crate::domain::tokens;
use crate::error::{ApiError, ApiResult, ErrorCode, FieldError};

mod bundle;
mod devices;
mod lookup;
mod pairing;
mod scans;
pub(crate) use scans::local_day;
mod walk_in;

pub use bundle::*;
pub use devices::*;
pub use lookup::*;
pub use pairing::*;
pub use scans::*;
pub use walk_in::*;

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

impl DelegateCard {
    /// The one place a card is made in Rust: from a registration row (the name search) and
    /// from the `delegate_card` the scan functions answer with (defined once in SQL), so both
    /// greet with the same fields.
    pub(super) fn new(
        registration_id: Uuid,
        full_name: String,
        position: Option<String>,
        unit_name: Option<String>,
        organization: Option<String>,
        category: Category,
    ) -> Self {
        DelegateCard {
            registration_id,
            full_name,
            position,
            unit_name,
            organization,
            category,
        }
    }
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
    #[schema(value_type = Uuid)]
    pub id: CheckinId,
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
        direction: row.direction,
        outcome: row.outcome,
        method: row.method,
        conflict: row.conflict,
        occurred_at: row.occurred_at,
        received_at: row.received_at,
        undone_at: row.undone_at,
        undo_reason: row.undo_reason,
    })
}
