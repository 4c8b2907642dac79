//! Conferences: what clients send and read (this file), the fields' rules (`fields`), creating,
//! reading and editing (`edits`), status transitions (`status`) and organizers (`organizers`).

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::db::conferences::ConferenceRow;
pub use crate::db::ids::{AccountId, ConferenceId};
pub use crate::domain::common::{
    Access, ConferenceStatus, Lock, RegistrationMode, Versioned, ensure_editable, load,
};
use crate::domain::{double_option, in_zone, non_null};
use crate::error::ApiResult;

mod edits;
mod fields;
mod organizers;
mod status;

pub use edits::{create, get, insert_validated, list, update};
pub use organizers::{Organizer, add_organizer, organizers, remove_organizer};
pub use status::{Transition, transition};

/// A conference (hội nghị / hội thảo). Times are given in the conference's time zone.
#[derive(Debug, Serialize, ToSchema)]
pub struct Conference {
    pub id: Uuid,
    #[schema(example = "sxsh-vinh-phuc-2018")]
    pub code: String,
    #[schema(example = "Hội nghị - Hội thảo phát triển CNNT và sản xuất sạch hơn")]
    pub title: String,
    pub description: Option<String>,
    #[schema(example = "Trung tâm Khuyến công và Tư vấn phát triển công nghiệp")]
    pub venue_name: Option<String>,
    pub venue_address: Option<String>,
    #[schema(example = "2018-07-19T08:00:00+07:00")]
    pub starts_at: DateTime<FixedOffset>,
    #[schema(example = "2018-07-19T17:00:00+07:00")]
    pub ends_at: DateTime<FixedOffset>,
    /// IANA time zone.
    #[schema(example = "Asia/Ho_Chi_Minh")]
    pub time_zone: String,
    pub registration_opens_at: Option<DateTime<FixedOffset>>,
    pub registration_closes_at: Option<DateTime<FixedOffset>>,
    /// Maximum confirmed delegates; `null` for no limit.
    pub capacity: Option<i32>,
    /// Delegates holding a confirmed seat now (the registration page shows the seats left).
    pub confirmed_count: i32,
    pub waitlist_enabled: bool,
    pub registration_mode: RegistrationMode,
    pub host_organization: Option<String>,
    pub co_host_organizations: Vec<String>,
    /// The address its emails come from (the server's default when absent).
    pub sender_email: Option<String>,
    pub status: ConferenceStatus,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Versioned<Conference> {
    fn from_row(row: ConferenceRow) -> ApiResult<Self> {
        let tz = row.time_zone.as_str();
        let value = Conference {
            id: row.id,
            code: row.code.clone(),
            title: row.title.clone(),
            description: row.description.clone(),
            venue_name: row.venue_name.clone(),
            venue_address: row.venue_address.clone(),
            starts_at: in_zone(row.starts_at, tz),
            ends_at: in_zone(row.ends_at, tz),
            time_zone: row.time_zone.clone(),
            registration_opens_at: row.registration_opens_at.map(|t| in_zone(t, tz)),
            registration_closes_at: row.registration_closes_at.map(|t| in_zone(t, tz)),
            capacity: row.capacity,
            confirmed_count: row.confirmed_count,
            waitlist_enabled: row.waitlist_enabled,
            registration_mode: row.registration_mode,
            host_organization: row.host_organization.clone(),
            co_host_organizations: row
                .co_host_organizations
                .iter()
                .flatten()
                .cloned()
                .collect(),
            sender_email: row.sender_email.clone(),
            status: row.status,
            created_at: row.created_at,
            updated_at: row.updated_at,
        };
        Ok(Versioned {
            value,
            version: row.version,
        })
    }
}

/// A new conference. It starts as a `draft`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewConference {
    /// Unique slug: lower-case letters, digits and single hyphens.
    #[schema(
        example = "sxsh-vinh-phuc-2018",
        min_length = 2,
        max_length = 64,
        pattern = "^[a-z0-9]+(-[a-z0-9]+)*$"
    )]
    pub code: String,
    #[schema(
        example = "Hội nghị - Hội thảo phát triển CNNT và sản xuất sạch hơn",
        min_length = 1,
        max_length = 300
    )]
    pub title: String,
    #[schema(max_length = 10000)]
    pub description: Option<String>,
    #[schema(max_length = 300)]
    pub venue_name: Option<String>,
    #[schema(max_length = 500)]
    pub venue_address: Option<String>,
    #[schema(example = "2018-07-19T08:00:00+07:00")]
    pub starts_at: DateTime<FixedOffset>,
    #[schema(example = "2018-07-19T17:00:00+07:00")]
    pub ends_at: DateTime<FixedOffset>,
    /// IANA time zone; defaults to `Asia/Ho_Chi_Minh`.
    #[schema(example = "Asia/Ho_Chi_Minh", max_length = 64)]
    pub time_zone: Option<String>,
    pub registration_opens_at: Option<DateTime<FixedOffset>>,
    pub registration_closes_at: Option<DateTime<FixedOffset>>,
    #[serde(default, deserialize_with = "crate::domain::optional_whole_number")]
    #[schema(minimum = 1, maximum = 1000000)]
    pub capacity: Option<i32>,
    /// Requires a capacity. Defaults to false.
    pub waitlist_enabled: Option<bool>,
    /// Defaults to `open`.
    pub registration_mode: Option<RegistrationMode>,
    #[schema(max_length = 300)]
    pub host_organization: Option<String>,
    #[schema(max_items = 20)]
    pub co_host_organizations: Option<Vec<String>>,
    /// The address the conference's emails come from, if the SMTP server may send as it;
    /// defaults to the server's `HOITHAO_MAIL_FROM` address.
    #[schema(example = "hoithao@sct.vinhphuc.gov.vn", max_length = 254)]
    pub sender_email: Option<String>,
}

/// Changes to a conference: absent fields stay as they are, `null` clears an optional field.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConferencePatch {
    #[serde(default, deserialize_with = "non_null")]
    #[schema(
        nullable = false,
        min_length = 2,
        max_length = 64,
        pattern = "^[a-z0-9]+(-[a-z0-9]+)*$"
    )]
    pub code: Option<String>,
    #[serde(default, deserialize_with = "non_null")]
    #[schema(nullable = false, min_length = 1, max_length = 300)]
    pub title: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, max_length = 10000)]
    pub description: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, max_length = 300)]
    pub venue_name: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, max_length = 500)]
    pub venue_address: Option<Option<String>>,
    #[serde(default, deserialize_with = "non_null")]
    #[schema(nullable = false)]
    pub starts_at: Option<DateTime<FixedOffset>>,
    #[serde(default, deserialize_with = "non_null")]
    #[schema(nullable = false)]
    pub ends_at: Option<DateTime<FixedOffset>>,
    #[serde(default, deserialize_with = "non_null")]
    #[schema(nullable = false, max_length = 64)]
    pub time_zone: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<DateTime<FixedOffset>>)]
    pub registration_opens_at: Option<Option<DateTime<FixedOffset>>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<DateTime<FixedOffset>>)]
    pub registration_closes_at: Option<Option<DateTime<FixedOffset>>>,
    #[serde(default, deserialize_with = "crate::domain::patch_whole_number")]
    #[schema(value_type = Option<i32>, minimum = 1, maximum = 1000000)]
    pub capacity: Option<Option<i32>>,
    #[serde(default, deserialize_with = "non_null")]
    #[schema(nullable = false)]
    pub waitlist_enabled: Option<bool>,
    #[serde(default, deserialize_with = "non_null")]
    #[schema(nullable = false)]
    pub registration_mode: Option<RegistrationMode>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, max_length = 300)]
    pub host_organization: Option<Option<String>>,
    #[serde(default, deserialize_with = "non_null")]
    #[schema(nullable = false, max_items = 20)]
    pub co_host_organizations: Option<Vec<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, max_length = 254)]
    pub sender_email: Option<Option<String>>,
}

/// Filters of the conference list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ConferenceQuery {
    /// Page size (1-500, default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
    /// Opaque cursor from a previous page's `next_cursor`: pass it back unchanged (its form
    /// may change between versions; an altered one is a 400 `invalid_cursor`).
    #[param(max_length = 200)]
    pub cursor: Option<String>,
    pub status: Option<ConferenceStatus>,
    /// Conferences starting on or after this local date (YYYY-MM-DD).
    pub from: Option<NaiveDate>,
    /// Conferences starting on or before this local date (YYYY-MM-DD).
    pub to: Option<NaiveDate>,
    /// Accent- and case-insensitive text in the title or code (`san xuat sach` finds `sản xuất sạch`).
    #[param(max_length = 200)]
    pub q: Option<String>,
    /// Exactly this code (the registration page `/r/{code}` finds its conference so).
    #[param(max_length = 64)]
    pub code: Option<String>,
}
