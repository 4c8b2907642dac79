//! Registrations: one per delegate per conference, with seats, waitlist and approval.
//!
//! Every write that can change seat counts locks the conference row first (`seats`), so
//! capacity, waitlist order and registration numbers hold with any number of API replicas.

use crate::domain::retrying_transaction;
use std::collections::HashMap;

use chrono::{DateTime, Utc};
use diesel_async::{AsyncConnection, AsyncPgConnection};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::db::conferences::ConferenceRow;
use crate::db::registrations::{NewRegistration, PersonWrite, RegistrationRow};
use crate::db::{self};
use crate::domain::actor::Actor;
use crate::domain::common::{
    Access, ConferenceStatus, Lock, RegistrationMode, Versioned, ensure_editable, load,
};
use crate::domain::contact::{check_email, check_phone};
use crate::domain::idempotency::{self, Idempotency, Outcome, Replay};
use crate::domain::privacy::consent::{self, ConsentInput};
pub use crate::domain::qr::{QR_PREFIX, payload_of, qr_payload, qr_png, qr_svg};
use crate::domain::search::SearchQuery;
use crate::domain::seats::{self, Approval, SeatCount};
use crate::domain::substitutions::{self, RegistrationSubstitution, Substituter};
use crate::domain::text::{self, Validator, fold};
use crate::domain::tokens;
use crate::domain::units::UnitKind;
use crate::domain::{double_option, non_null, pagination};
use crate::error::{ApiError, ApiResult, ErrorCode};

pub use crate::db::enums::{Category, RegistrationSource};
pub use crate::domain::common::{RegistrationStatus, reference};

mod bulk;
mod delegate;
mod lifecycle;
mod person;
mod qr;
mod self_service;
mod views;

pub use bulk::*;
pub use delegate::*;
pub use lifecycle::*;
pub use person::*;
pub use qr::*;
pub use self_service::*;
pub use views::*;

impl Category {
    /// Accepts the English values and common Vietnamese words, accents optional.
    pub fn parse_loose(raw: &str) -> Option<Self> {
        Some(match fold(raw).as_str() {
            "guest" | "khach moi" | "dai bieu khach moi" => Category::Guest,
            "agency" | "co quan" => Category::Agency,
            "district" | "huyen" => Category::District,
            "commune" | "xa" => Category::Commune,
            "enterprise" | "doanh nghiep" => Category::Enterprise,
            "expert" | "chuyen gia" => Category::Expert,
            "speaker" | "bao cao vien" | "dien gia" => Category::Speaker,
            "press" | "bao chi" | "phong vien" => Category::Press,
            "staff" | "ban to chuc" | "nhan vien" => Category::Staff,
            _ => return None,
        })
    }
}

/// A registration as the delegate, the unit contact who named them, and the door device that
/// registered a walk-in see it: with the QR payload. Organizers get `OrganizerRegistration`,
/// without it.
#[derive(Debug, Serialize, ToSchema)]
pub struct Registration {
    pub id: Uuid,
    pub conference_id: Uuid,
    /// Sequence number within the conference.
    pub number: i32,
    /// Short human reference for phone support.
    #[schema(example = "SXSH-0042")]
    pub reference: String,
    #[schema(example = "Nguyễn Minh Trung")]
    pub full_name: String,
    #[schema(example = "Phó Giám đốc")]
    pub position: Option<String>,
    pub unit_id: Option<Uuid>,
    pub unit_name: Option<String>,
    /// Organisation, for people outside the units directory.
    pub organization: Option<String>,
    pub category: Category,
    pub email: Option<String>,
    /// E.164.
    #[schema(example = "+84912345678")]
    pub phone: Option<String>,
    pub status: RegistrationStatus,
    pub source: RegistrationSource,
    pub invitation_id: Option<Uuid>,
    /// The text to encode in the delegate's QR code: `hoithao:1:<registration id>:<secret>`,
    /// where the secret has 256 random bits.
    #[schema(
        example = "hoithao:1:0193c4d2-7b1e-7cc0-a1e4-5c3f0e2b9a10:3q2-7wEjDkq0mYzZb9wM6n5bXJkGm0X2oQyTnK8lJvU"
    )]
    pub qr_payload: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A new registration and the delegate's link token (shown only here).
#[derive(Debug, Serialize, ToSchema)]
pub struct RegistrationWithToken {
    pub registration: Registration,
    /// Send as `X-Delegate-Token` to view, download the QR code of, or cancel this registration.
    pub delegate_token: String,
}

/// A registration as organizers see it: everything but the QR secret, which only the delegate's
/// own views and the organizer QR image endpoints reveal.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrganizerRegistration {
    pub id: Uuid,
    pub conference_id: Uuid,
    /// Sequence number within the conference.
    pub number: i32,
    /// Short human reference for phone support.
    #[schema(example = "SXSH-0042")]
    pub reference: String,
    #[schema(example = "Nguyễn Minh Trung")]
    pub full_name: String,
    #[schema(example = "Phó Giám đốc")]
    pub position: Option<String>,
    pub unit_id: Option<Uuid>,
    pub unit_name: Option<String>,
    /// Organisation, for people outside the units directory.
    pub organization: Option<String>,
    pub category: Category,
    pub email: Option<String>,
    /// E.164.
    #[schema(example = "+84912345678")]
    pub phone: Option<String>,
    pub status: RegistrationStatus,
    pub source: RegistrationSource,
    pub invitation_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<Registration> for OrganizerRegistration {
    fn from(r: Registration) -> Self {
        OrganizerRegistration {
            id: r.id,
            conference_id: r.conference_id,
            number: r.number,
            reference: r.reference,
            full_name: r.full_name,
            position: r.position,
            unit_id: r.unit_id,
            unit_name: r.unit_name,
            organization: r.organization,
            category: r.category,
            email: r.email,
            phone: r.phone,
            status: r.status,
            source: r.source,
            invitation_id: r.invitation_id,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

impl From<Versioned<Registration>> for Versioned<OrganizerRegistration> {
    fn from(v: Versioned<Registration>) -> Self {
        Versioned {
            version: v.version,
            value: v.value.into(),
        }
    }
}

/// A registration an organizer made, and the delegate's link token (shown only here, to be
/// passed on to the delegate).
#[derive(Debug, Serialize, ToSchema)]
pub struct OrganizerRegistrationWithToken {
    pub registration: OrganizerRegistration,
    /// Send as `X-Delegate-Token` to view, download the QR code of, or cancel this registration.
    pub delegate_token: String,
}

/// One registration as organizers see it, with its substitution history.
#[derive(Debug, Serialize, ToSchema)]
pub struct RegistrationDetail {
    #[serde(flatten)]
    pub registration: OrganizerRegistration,
    /// Who held this seat before, oldest first.
    pub substitutions: Vec<RegistrationSubstitution>,
}

/// The person to register.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PersonInput {
    #[schema(example = "Nguyễn Thị Phương", min_length = 1, max_length = 200)]
    pub full_name: String,
    #[schema(example = "Chủ tịch UBND", max_length = 200)]
    pub position: Option<String>,
    /// A unit of the directory.
    pub unit_id: Option<Uuid>,
    /// Free-text organisation, for people outside the directory.
    #[schema(max_length = 300)]
    pub organization: Option<String>,
    pub category: Category,
    /// Email and/or phone: at least one.
    #[schema(example = "phuong@example.vn", max_length = 254)]
    pub email: Option<String>,
    /// Vietnamese formats (`0912 345 678`, `+84912345678`) are stored as E.164.
    #[schema(example = "0912 345 678", max_length = 32)]
    pub phone: Option<String>,
    /// The language of the delegate's emails: `vi` (the default) or `en`.
    #[serde(default)]
    pub language: Option<crate::domain::common::Lang>,
}

/// An online self-registration: the person, and their acceptance of the privacy notice.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SelfRegistrationInput {
    #[schema(example = "Nguyễn Thị Phương", min_length = 1, max_length = 200)]
    pub full_name: String,
    #[schema(example = "Chủ tịch UBND", max_length = 200)]
    pub position: Option<String>,
    /// A unit of the directory.
    pub unit_id: Option<Uuid>,
    /// Free-text organisation, for people outside the directory.
    #[schema(max_length = 300)]
    pub organization: Option<String>,
    pub category: Category,
    /// Email and/or phone: at least one.
    #[schema(example = "phuong@example.vn", max_length = 254)]
    pub email: Option<String>,
    /// Vietnamese formats (`0912 345 678`, `+84912345678`) are stored as E.164.
    #[schema(example = "0912 345 678", max_length = 32)]
    pub phone: Option<String>,
    /// The language of the delegate's emails: `vi` (the default) or `en`.
    #[serde(default)]
    pub language: Option<crate::domain::common::Lang>,
    /// Acceptance of the conference's current privacy notice
    /// (`GET /conferences/{id}/privacy-notice`). Missing or refused: 422 naming `consent`;
    /// an older version: 409 `notice_version_not_current`.
    #[schema(required = true)]
    pub consent: Option<ConsentInput>,
}

impl SelfRegistrationInput {
    pub fn split(self) -> (PersonInput, Option<ConsentInput>) {
        (
            PersonInput {
                full_name: self.full_name,
                position: self.position,
                unit_id: self.unit_id,
                organization: self.organization,
                category: self.category,
                email: self.email,
                phone: self.phone,
                language: self.language,
            },
            self.consent,
        )
    }
}

/// Changes to the person: absent fields stay, `null` clears an optional field.
#[derive(Debug, Default, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PersonPatch {
    #[serde(default, deserialize_with = "non_null")]
    #[schema(nullable = false, min_length = 1, max_length = 200)]
    pub full_name: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, max_length = 200)]
    pub position: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<Uuid>)]
    pub unit_id: Option<Option<Uuid>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, max_length = 300)]
    pub organization: Option<Option<String>>,
    #[serde(default, deserialize_with = "non_null")]
    #[schema(nullable = false)]
    pub category: Option<Category>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, max_length = 254)]
    pub email: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, max_length = 32)]
    pub phone: Option<Option<String>>,
}

/// Filters of the registration list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RegistrationQuery {
    /// Page size (1-500, default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
    /// Opaque cursor from a previous page's `next_cursor` (not used with `q`): pass it back
    /// unchanged (its form may change between versions; an altered one is a 400 `invalid_cursor`).
    #[param(max_length = 200)]
    pub cursor: Option<String>,
    pub status: Option<RegistrationStatus>,
    pub category: Option<Category>,
    pub source: Option<RegistrationSource>,
    pub unit_id: Option<Uuid>,
    pub unit_kind: Option<UnitKind>,
    /// A district (or any unit): registrations of it and of every unit below it (its communes).
    pub district_id: Option<Uuid>,
    /// Words in any order, accents and case ignored: every word must begin a word of the name,
    /// unit, organization, reference, email or phone (`an nguyen` finds `Nguyễn Hồng An`; `an`
    /// does not match inside `Đoàn`). A phone may be typed in any spelling (`0912 345 678`).
    /// Ranked: the exact full name first, then names holding every word whole, then names
    /// holding every word as a prefix, then the rest; by name within each. One page, no cursor.
    #[param(max_length = 200, example = "an nguyen")]
    pub q: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_use_the_first_part_of_the_code() {
        assert_eq!(reference("sxsh-vinh-phuc-2018", 42), "SXSH-0042");
        assert_eq!(reference("hoithao", 12345), "HOITHAO-12345");
    }
}
