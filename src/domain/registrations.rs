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
    Access, ConferenceStatus, Lock, RegistrationMode, Versioned, ensure_editable, load, text_enum,
};
use crate::domain::contact::{check_email, check_phone};
use crate::domain::idempotency::{self, Idempotency, Outcome, Replay};
use crate::domain::search::SearchQuery;
use crate::domain::seats::{self, Approval, SeatCount};
use crate::domain::substitutions::{self, RegistrationSubstitution, Substituter};
use crate::domain::text::{self, Validator, fold};
use crate::domain::tokens;
use crate::domain::units::UnitKind;
use crate::domain::{double_option, non_null, pagination};
use crate::error::{ApiError, ApiResult, ErrorCode};

pub use crate::domain::common::{RegistrationStatus, reference};

text_enum! {
    /// How the registration was made.
    RegistrationSource {
        /// The delegate registered online.
        #[serde(rename = "self")]
        SelfService => "self",
        /// A unit's contact, through its invitation link.
        Invitation => "invitation",
        /// An organizer.
        Organizer => "organizer",
        /// A file import.
        Import => "import",
    }
}

text_enum! {
    /// The delegate's group (thành phần), used in attendance reports.
    Category {
        Guest => "guest",
        Agency => "agency",
        District => "district",
        Commune => "commune",
        Enterprise => "enterprise",
        Expert => "expert",
        Speaker => "speaker",
        Press => "press",
        Staff => "staff",
    }
}

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

/// Prefix of QR payloads: `hoithao:1:<registration id>:<secret>`.
pub const QR_PREFIX: &str = "hoithao:1:";

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

fn to_registration(
    row: RegistrationRow,
    conference_code: &str,
    unit_name: Option<String>,
) -> ApiResult<Versioned<Registration>> {
    Ok(Versioned {
        version: row.version,
        value: Registration {
            reference: reference(conference_code, row.number),
            qr_payload: qr_payload(&row),
            id: row.id,
            conference_id: row.conference_id,
            number: row.number,
            full_name: row.full_name,
            position: row.position,
            unit_id: row.unit_id,
            unit_name,
            organization: row.organization,
            category: row.category.parse()?,
            email: row.email,
            phone: row.phone,
            status: row.status.parse()?,
            source: row.source.parse()?,
            invitation_id: row.invitation_id,
            created_at: row.created_at,
            updated_at: row.updated_at,
        },
    })
}

async fn present(
    conn: &mut AsyncPgConnection,
    rows: Vec<RegistrationRow>,
    code: &str,
) -> ApiResult<Vec<Registration>> {
    let ids: Vec<Uuid> = rows.iter().filter_map(|r| r.unit_id).collect();
    let names: HashMap<Uuid, String> = db::registrations::unit_names(conn, &ids)
        .await?
        .into_iter()
        .collect();
    rows.into_iter()
        .map(|row| {
            let unit = row.unit_id.and_then(|id| names.get(&id).cloned());
            to_registration(row, code, unit).map(|v| v.value)
        })
        .collect()
}

pub async fn present_row(
    conn: &mut AsyncPgConnection,
    row: RegistrationRow,
    code: &str,
) -> ApiResult<Versioned<Registration>> {
    let unit = match row.unit_id {
        Some(id) => db::registrations::unit_names(conn, &[id])
            .await?
            .into_iter()
            .next()
            .map(|(_, name)| name),
        None => None,
    };
    to_registration(row, code, unit)
}

/// A validated person plus the unit name that goes into its search text.
pub struct ValidPerson {
    pub write: PersonWrite,
    unit_name: Option<String>,
}

impl ValidPerson {
    /// Search text with the registration's reference, once its number is known.
    pub fn with_reference(mut self, reference: &str) -> PersonWrite {
        let local_phone = self
            .write
            .phone
            .as_deref()
            .and_then(|p| p.strip_prefix("+84"))
            .map(|rest| format!("0{rest}"));
        let parts = [
            Some(self.write.full_name.as_str()),
            self.unit_name.as_deref(),
            self.write.organization.as_deref(),
            Some(reference),
            self.write.email.as_deref(),
            self.write.phone.as_deref(),
            local_phone.as_deref(),
        ];
        self.write.search_text = fold(&parts.into_iter().flatten().collect::<Vec<_>>().join(" "));
        self.write.name_folded = fold(&self.write.full_name);
        self.write
    }
}

/// Checks a person; errors are collected in `v` with `prefix` on every field name.
pub async fn validate_person(
    conn: &mut AsyncPgConnection,
    input: &PersonInput,
    v: &mut Validator,
    prefix: &str,
) -> ApiResult<ValidPerson> {
    let unit = match input.unit_id {
        None => None,
        Some(unit_id) => Some(
            db::units::find(conn, unit_id, false)
                .await?
                .map(|unit| unit.name),
        ),
    };
    let person = check_person(input, unit.clone().flatten(), v, prefix);
    if unit.is_some_and(|found| found.is_none()) {
        v.push(format!("{prefix}unit_id"), "unknown_unit", "no such unit");
    }
    Ok(person)
}

/// The checks of [`validate_person`] once the unit (if any) has been looked up.
pub fn check_person(
    input: &PersonInput,
    unit_name: Option<String>,
    v: &mut Validator,
    prefix: &str,
) -> ValidPerson {
    let field = |name: &str| format!("{prefix}{name}");
    let full_name = v.required_line(&field("full_name"), &input.full_name, 200);
    let position = v.optional_text(&field("position"), input.position.as_deref(), 200, false);
    let organization = v.optional_text(
        &field("organization"),
        input.organization.as_deref(),
        300,
        false,
    );
    let email = check_email(v, field("email"), input.email.as_deref());
    let phone = check_phone(v, field("phone"), input.phone.as_deref());
    let contact_given = input.email.as_deref().is_some_and(|e| !e.trim().is_empty())
        || input.phone.as_deref().is_some_and(|p| !p.trim().is_empty());
    if !contact_given {
        v.push(
            field("email"),
            "contact_required",
            "give an email or a phone number",
        );
    }
    ValidPerson {
        write: PersonWrite {
            full_name,
            position,
            unit_id: input.unit_id,
            organization,
            category: input.category.as_str().to_owned(),
            email,
            phone,
            search_text: String::new(),
            name_folded: String::new(),
        },
        unit_name,
    }
}

/// Takes the next registration number and, unless approval is needed, a seat or a place on
/// the waitlist (the seat rule, `seats::decide`). Locks the conference row until the
/// transaction ends.
pub async fn admit(
    conn: &mut AsyncPgConnection,
    conference_id: Uuid,
    approval: Approval,
) -> ApiResult<(i32, RegistrationStatus)> {
    let seats = db::registrations::seats(conn, conference_id).await?;
    let decision = seats::decide(SeatCount::from(&seats), approval);
    let status = decision.status()?;
    let number = seats.registration_seq + 1;
    let confirmed = seats.confirmed_count + decision.seats_taken();
    db::registrations::set_counters(conn, conference_id, confirmed, number).await?;
    Ok((number, status))
}

/// The `waitlisted_at` a row is written with: the check constraint wants a value for a
/// waitlisted row, and `db::registrations::stamp_waitlisted` replaces it with the database
/// clock in the same transaction, so the application clock never orders the waitlist.
pub fn provisional_waitlisted_at(status: RegistrationStatus) -> Option<DateTime<Utc>> {
    (status == RegistrationStatus::Waitlisted).then(Utc::now)
}

/// Inserts an admitted registration. Returns the row and the delegate's link token.
pub async fn insert(
    conn: &mut AsyncPgConnection,
    conference: &ConferenceRow,
    person: ValidPerson,
    source: RegistrationSource,
    invitation_id: Option<Uuid>,
    approval: Approval,
) -> ApiResult<(RegistrationRow, String)> {
    let (number, status) = admit(conn, conference.id, approval).await?;
    let token = tokens::random_secret();
    let new = NewRegistration {
        id: Uuid::now_v7(),
        conference_id: conference.id,
        number,
        person: person.with_reference(&reference(&conference.code, number)),
        status: status.as_str().to_owned(),
        source: source.as_str().to_owned(),
        invitation_id,
        qr_secret: tokens::random_secret(),
        delegate_token_hash: tokens::hash(&token),
        waitlisted_at: provisional_waitlisted_at(status),
    };
    let row = db::registrations::insert(conn, &new).await?;
    if status == RegistrationStatus::Waitlisted {
        db::registrations::stamp_waitlisted(conn, &[row.id]).await?;
    }
    Ok((row, token))
}

/// Gives up the seat of a registration leaving `confirmed`, and promotes the longest-waiting
/// registration into it. Call with the conference row locked (`seats` does).
async fn release_seat(conn: &mut AsyncPgConnection, conference_id: Uuid) -> ApiResult<()> {
    let seats = db::registrations::seats(conn, conference_id).await?;
    let mut confirmed = seats.confirmed_count - 1;
    if let Some(next) = db::registrations::first_waitlisted(conn, conference_id).await? {
        db::registrations::set_status(conn, next.id, RegistrationStatus::Confirmed.as_str(), None)
            .await?;
        confirmed += 1;
    }
    db::registrations::set_counters(conn, conference_id, confirmed, seats.registration_seq).await?;
    Ok(())
}

/// A status change an organizer (or the delegate, for cancel) asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Approve,
    Reject,
    Cancel,
}

/// Applies `action` to a locked registration row, keeping seat counts and the waitlist right.
pub async fn apply(
    conn: &mut AsyncPgConnection,
    row: &RegistrationRow,
    action: Action,
) -> ApiResult<RegistrationRow> {
    use RegistrationStatus::*;
    let from: RegistrationStatus = row.status.parse()?;
    let illegal = || {
        ApiError::conflict(
            ErrorCode::IllegalStatusTransition,
            format!(
                "a {} registration cannot be {}",
                from.as_str(),
                match action {
                    Action::Approve => "approved",
                    Action::Reject => "rejected",
                    Action::Cancel => "cancelled",
                }
            ),
        )
    };
    match (action, from) {
        (Action::Approve, PendingApproval) => {
            let status = admit_approved(conn, row.conference_id).await?;
            let waitlisted_at = provisional_waitlisted_at(status);
            let updated =
                db::registrations::set_status(conn, row.id, status.as_str(), waitlisted_at).await?;
            if status == Waitlisted {
                db::registrations::stamp_waitlisted(conn, &[row.id]).await?;
            }
            Ok(updated)
        }
        (Action::Reject, PendingApproval) => {
            Ok(db::registrations::set_status(conn, row.id, Rejected.as_str(), None).await?)
        }
        (Action::Cancel, PendingApproval | Waitlisted) => {
            db::registrations::seats(conn, row.conference_id).await?;
            let cancelled =
                db::registrations::set_status(conn, row.id, Cancelled.as_str(), None).await?;
            seats::release_quota(conn, row).await?;
            Ok(cancelled)
        }
        (Action::Cancel, Confirmed) => {
            let cancelled =
                db::registrations::set_status(conn, row.id, Cancelled.as_str(), None).await?;
            release_seat(conn, row.conference_id).await?;
            seats::release_quota(conn, row).await?;
            crate::domain::signups::release_all(conn, row.id).await?;
            Ok(cancelled)
        }
        _ => Err(illegal()),
    }
}

/// A seat (or waitlist place) for an approved registration, without a new number.
async fn admit_approved(
    conn: &mut AsyncPgConnection,
    conference_id: Uuid,
) -> ApiResult<RegistrationStatus> {
    let seats = db::registrations::seats(conn, conference_id).await?;
    let decision = seats::decide(SeatCount::from(&seats), Approval::Granted);
    let status = decision.status()?;
    if decision.seats_taken() > 0 {
        db::registrations::set_counters(
            conn,
            conference_id,
            seats.confirmed_count + decision.seats_taken(),
            seats.registration_seq,
        )
        .await?;
    }
    Ok(status)
}

/// An organizer registers someone: no approval step.
pub async fn create_by_organizer(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    conference_id: Uuid,
    input: PersonInput,
    idem: Option<Idempotency>,
) -> ApiResult<Outcome<(Versioned<OrganizerRegistration>, String)>> {
    retrying_transaction!(conn, async |conn| {
        let conference = load(
            conn,
            conference_id,
            Some(actor),
            Access::Private,
            Lock::Update,
        )
        .await?;
        if let Some(replay) = claim_if_keyed(conn, idem.as_ref()).await? {
            return Ok(Outcome::Replayed(replay));
        }
        ensure_editable(&conference)?;
        let mut v = Validator::new();
        let person = validate_person(conn, &input, &mut v, "").await?;
        v.finish()?;
        let (row, token) = insert(
            conn,
            &conference,
            person,
            RegistrationSource::Organizer,
            None,
            Approval::Granted,
        )
        .await?;
        let created = (
            present_row(conn, row, &conference.code).await?.into(),
            token,
        );
        store_if_keyed(conn, idem.as_ref(), &created).await?;
        Ok(Outcome::Fresh(created))
    })
}

async fn claim_if_keyed(
    conn: &mut AsyncPgConnection,
    idem: Option<&Idempotency>,
) -> ApiResult<Option<Replay>> {
    match idem {
        Some(idem) => idempotency::claim(conn, idem).await,
        None => Ok(None),
    }
}

async fn store_if_keyed<T: Serialize>(
    conn: &mut AsyncPgConnection,
    idem: Option<&Idempotency>,
    created: &(Versioned<T>, String),
) -> ApiResult<()> {
    if let Some(idem) = idem {
        let body =
            serde_json::json!({"registration": &created.0.value, "delegate_token": &created.1});
        idempotency::store(conn, idem, 201, &body).await?;
    }
    Ok(())
}

/// Online self-registration: published `open` or `approval_required` conferences, inside the
/// registration window.
pub async fn self_register(
    conn: &mut AsyncPgConnection,
    conference_id: Uuid,
    input: PersonInput,
    idem: Option<Idempotency>,
) -> ApiResult<Outcome<(Versioned<Registration>, String)>> {
    retrying_transaction!(conn, async |conn| {
        let conference = load(conn, conference_id, None, Access::Read, Lock::Update).await?;
        if let Some(replay) = claim_if_keyed(conn, idem.as_ref()).await? {
            return Ok(Outcome::Replayed(replay));
        }
        if conference.status != ConferenceStatus::Published.as_str() {
            return Err(ApiError::conflict(
                ErrorCode::RegistrationClosed,
                "this conference is not taking registrations",
            ));
        }
        let mode: RegistrationMode = conference.registration_mode.parse()?;
        if mode == RegistrationMode::InvitationOnly {
            return Err(ApiError::conflict(
                ErrorCode::InvitationOnly,
                "this conference registers delegates through unit invitations only",
            ));
        }
        let now = Utc::now();
        if conference
            .registration_opens_at
            .is_some_and(|opens| now < opens)
        {
            return Err(ApiError::conflict(
                ErrorCode::RegistrationNotOpen,
                "registration has not opened yet",
            ));
        }
        let closes = conference
            .registration_closes_at
            .unwrap_or(conference.ends_at);
        if now >= closes {
            return Err(ApiError::conflict(
                ErrorCode::RegistrationClosed,
                "registration has closed",
            ));
        }
        let mut v = Validator::new();
        let person = validate_person(conn, &input, &mut v, "").await?;
        v.finish()?;
        let approval = if mode == RegistrationMode::ApprovalRequired {
            Approval::Required
        } else {
            Approval::Granted
        };
        let (row, token) = insert(
            conn,
            &conference,
            person,
            RegistrationSource::SelfService,
            None,
            approval,
        )
        .await?;
        let created = (present_row(conn, row, &conference.code).await?, token);
        store_if_keyed(conn, idem.as_ref(), &created).await?;
        Ok(Outcome::Fresh(created))
    })
}

/// One registration with its substitution history (organizers).
pub async fn get(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    conference_id: Uuid,
    id: Uuid,
) -> ApiResult<Versioned<RegistrationDetail>> {
    let conference = load(
        conn,
        conference_id,
        Some(actor),
        Access::Private,
        Lock::None,
    )
    .await?;
    let row = db::registrations::find(conn, conference_id, id, false)
        .await?
        .ok_or_else(|| ApiError::not_found("registration not found"))?;
    let registration = present_row(conn, row, &conference.code).await?;
    let substitutions =
        substitutions::of_registration(conn, conference_id, &conference.code, id).await?;
    Ok(Versioned {
        version: registration.version,
        value: RegistrationDetail {
            registration: registration.value.into(),
            substitutions,
        },
    })
}

/// Merges a patch into the current person and validates the result.
pub async fn patched_person(
    conn: &mut AsyncPgConnection,
    current: &RegistrationRow,
    patch: PersonPatch,
    v: &mut Validator,
) -> ApiResult<ValidPerson> {
    let input = PersonInput {
        full_name: patch.full_name.unwrap_or_else(|| current.full_name.clone()),
        position: patch.position.unwrap_or_else(|| current.position.clone()),
        unit_id: patch.unit_id.unwrap_or(current.unit_id),
        organization: patch
            .organization
            .unwrap_or_else(|| current.organization.clone()),
        category: match patch.category {
            Some(category) => category,
            None => current.category.parse()?,
        },
        email: patch.email.unwrap_or_else(|| current.email.clone()),
        phone: patch.phone.unwrap_or_else(|| current.phone.clone()),
    };
    validate_person(conn, &input, v, "").await
}

/// Edits the person on a live registration (not cancelled or rejected).
pub async fn edit_locked(
    conn: &mut AsyncPgConnection,
    conference: &ConferenceRow,
    current: &RegistrationRow,
    if_match: Option<i32>,
    patch: PersonPatch,
) -> ApiResult<RegistrationRow> {
    if if_match.is_some_and(|version| version != current.version) {
        return Err(ApiError::precondition_failed());
    }
    ensure_live(current)?;
    let mut v = Validator::new();
    let person = patched_person(conn, current, patch, &mut v).await?;
    v.finish()?;
    let write = person.with_reference(&reference(&conference.code, current.number));
    db::registrations::update_person(conn, current.id, &write)
        .await
        .map_err(ApiError::from)
}

pub fn ensure_live(row: &RegistrationRow) -> ApiResult<()> {
    if matches!(row.status.as_str(), "cancelled" | "rejected") {
        return Err(ApiError::conflict(
            ErrorCode::RegistrationClosed,
            "a cancelled or rejected registration cannot be changed",
        ));
    }
    Ok(())
}

pub async fn update(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    conference_id: Uuid,
    id: Uuid,
    if_match: Option<i32>,
    patch: PersonPatch,
) -> ApiResult<Versioned<OrganizerRegistration>> {
    retrying_transaction!(conn, async |conn| {
        let conference = load(
            conn,
            conference_id,
            Some(actor),
            Access::Private,
            Lock::None,
        )
        .await?;
        let current = db::registrations::find(conn, conference_id, id, true)
            .await?
            .ok_or_else(|| ApiError::not_found("registration not found"))?;
        let row = edit_locked(conn, &conference, &current, if_match, patch.clone()).await?;
        Ok(present_row(conn, row, &conference.code).await?.into())
    })
}

pub async fn act(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    conference_id: Uuid,
    id: Uuid,
    action: Action,
) -> ApiResult<Versioned<OrganizerRegistration>> {
    retrying_transaction!(conn, async |conn| {
        // Lock order everywhere: conference row, then registration rows.
        let conference = load(
            conn,
            conference_id,
            Some(actor),
            Access::Private,
            Lock::Update,
        )
        .await?;
        let current = db::registrations::find(conn, conference_id, id, true)
            .await?
            .ok_or_else(|| ApiError::not_found("registration not found"))?;
        let row = apply(conn, &current, action).await?;
        Ok(present_row(conn, row, &conference.code).await?.into())
    })
}

/// Checks a patch on its own (lengths, characters), before it meets any registration, so a
/// malformed bulk edit is refused whole rather than per registration.
fn check_patch(patch: &PersonPatch) -> ApiResult<()> {
    let mut v = Validator::new();
    if let Some(name) = &patch.full_name {
        v.required_line("patch.full_name", name, 200);
    }
    for (field, value, max) in [
        ("patch.position", &patch.position, 200),
        ("patch.organization", &patch.organization, 300),
        ("patch.email", &patch.email, 254),
        ("patch.phone", &patch.phone, 32),
    ] {
        if let Some(Some(text)) = value {
            v.optional_text(field, Some(text), max, false);
        }
    }
    v.finish()
}

/// What a bulk request does to each registration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum BulkAction {
    Approve,
    Reject,
    Cancel,
    /// Apply `patch` to each (e.g. a category or a unit for many delegates at once).
    Edit,
}

/// One action on many registrations; each succeeds or fails on its own.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BulkRequest {
    pub action: BulkAction,
    #[schema(min_items = 1, max_items = 500)]
    pub registration_ids: Vec<Uuid>,
    /// The changes, with `edit`.
    pub patch: Option<PersonPatch>,
}

/// The outcome for one registration of a bulk request.
#[derive(Debug, Serialize, ToSchema)]
pub struct BulkResult {
    pub registration_id: Uuid,
    /// `ok`, or the stable error code (`not_found`, `illegal_status_transition`, `capacity_reached`).
    pub code: String,
    /// The registration after the action, when it succeeded.
    pub registration: Option<OrganizerRegistration>,
}

/// Applies one action to many registrations in order, each in its own savepoint, under one
/// lock of the conference row.
pub async fn bulk(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    conference_id: Uuid,
    request: BulkRequest,
) -> ApiResult<Vec<BulkResult>> {
    if request.registration_ids.is_empty() || request.registration_ids.len() > 500 {
        return Err(ApiError::validation(vec![crate::error::FieldError::new(
            "registration_ids",
            "invalid_length",
            "send 1 to 500 registration ids",
        )]));
    }
    let action = match request.action {
        BulkAction::Approve => Some(Action::Approve),
        BulkAction::Reject => Some(Action::Reject),
        BulkAction::Cancel => Some(Action::Cancel),
        BulkAction::Edit => None,
    };
    if let Some(patch) = &request.patch {
        check_patch(patch)?;
    }
    if action.is_none() && request.patch.is_none() {
        return Err(ApiError::validation(vec![crate::error::FieldError::new(
            "patch",
            "required",
            "an edit needs the changes in `patch`",
        )]));
    }
    retrying_transaction!(conn, async |conn| {
        let conference = load(
            conn,
            conference_id,
            Some(actor),
            Access::Private,
            Lock::Update,
        )
        .await?;
        // Registrations before sessions, in id order: the lock order sign-ups also follow.
        db::registrations::lock_many(conn, conference_id, &request.registration_ids).await?;
        let mut results = Vec::with_capacity(request.registration_ids.len());
        for id in request.registration_ids.iter().copied() {
            let outcome = conn
                .transaction::<_, ApiError, _>(async |conn| {
                    let current = db::registrations::find(conn, conference_id, id, true)
                        .await?
                        .ok_or_else(|| ApiError::not_found("registration not found"))?;
                    match (action, &request.patch) {
                        (Some(action), _) => apply(conn, &current, action).await,
                        (None, Some(patch)) => {
                            edit_locked(conn, &conference, &current, None, patch.clone()).await
                        }
                        (None, None) => Err(ApiError::internal("bulk edit without a patch")),
                    }
                })
                .await;
            results.push(match outcome {
                Ok(row) => BulkResult {
                    registration_id: id,
                    code: "ok".to_owned(),
                    registration: Some(
                        present_row(conn, row, &conference.code).await?.value.into(),
                    ),
                },
                Err(error) if error.is_client_error() => BulkResult {
                    registration_id: id,
                    code: error.code().to_owned(),
                    registration: None,
                },
                Err(error) => return Err(error),
            });
        }
        Ok(results)
    })
}

pub async fn list(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    conference_id: Uuid,
    query: RegistrationQuery,
) -> ApiResult<(Vec<OrganizerRegistration>, Option<String>)> {
    let limit = pagination::fetch_limit(query.limit)?;
    let after = pagination::decode(query.cursor.as_deref())?;
    let search = text::query_text(query.q.as_deref())?.and_then(SearchQuery::parse);
    let conference = load(
        conn,
        conference_id,
        Some(actor),
        Access::Private,
        Lock::None,
    )
    .await?;
    let rows = db::registrations::list(
        conn,
        conference_id,
        db::registrations::RegistrationFilter {
            after,
            status: query.status.map(RegistrationStatus::as_str),
            category: query.category.map(Category::as_str),
            source: query.source.map(RegistrationSource::as_str),
            unit_id: query.unit_id,
            unit_kind: query.unit_kind.map(UnitKind::as_str),
            within_unit: query.district_id,
            invitation_id: None,
            search: search.as_ref().map(SearchQuery::terms),
            limit,
        },
    )
    .await?;
    let (rows, next) = if search.is_some() {
        let mut rows = rows;
        rows.truncate(usize::try_from(limit - 1).unwrap_or(0));
        (rows, None)
    } else {
        pagination::finish(rows, limit, |row| (row.created_at, row.id))
    };
    let items = present(conn, rows, &conference.code).await?;
    Ok((items.into_iter().map(Into::into).collect(), next))
}

/// Live and past registrations made through one invitation, oldest first.
pub async fn list_for_invitation(
    conn: &mut AsyncPgConnection,
    conference: &ConferenceRow,
    invitation_id: Uuid,
) -> ApiResult<Vec<Registration>> {
    let rows = db::registrations::list(
        conn,
        conference.id,
        db::registrations::RegistrationFilter {
            invitation_id: Some(invitation_id),
            limit: 10_001,
            ..Default::default()
        },
    )
    .await?;
    present(conn, rows, &conference.code).await
}

/// Replaces the person on a locked, live registration and records who replaced whom.
pub async fn substitute_locked(
    conn: &mut AsyncPgConnection,
    conference: &ConferenceRow,
    current: &RegistrationRow,
    person: &PersonInput,
    by: Substituter,
) -> ApiResult<(RegistrationRow, String)> {
    let mut v = Validator::new();
    let person = validate_person(conn, person, &mut v, "").await?;
    v.finish()?;
    let write = person.with_reference(&reference(&conference.code, current.number));
    db::registrations::record_substitution(conn, current, &write.full_name, by.as_actor()).await?;
    let token = tokens::random_secret();
    let row = db::registrations::substitute(
        conn,
        current.id,
        &write,
        &tokens::random_secret(),
        &tokens::hash(&token),
    )
    .await?;
    Ok((row, token))
}

/// The registration a delegate token belongs to, with its conference.
async fn by_token(
    conn: &mut AsyncPgConnection,
    token: &str,
) -> ApiResult<(RegistrationRow, ConferenceRow)> {
    let not_found = || ApiError::not_found("no registration for this token");
    let row = db::registrations::find_by_token_hash(conn, &tokens::hash(token))
        .await?
        .ok_or_else(not_found)?;
    let conference =
        db::conferences::find_with_membership(conn, row.conference_id, None, Lock::None)
            .await?
            .ok_or_else(not_found)?
            .0;
    Ok((row, conference))
}

pub async fn delegate_view(
    conn: &mut AsyncPgConnection,
    token: &str,
) -> ApiResult<Versioned<Registration>> {
    let (row, conference) = by_token(conn, token).await?;
    present_row(conn, row, &conference.code).await
}

pub async fn delegate_cancel(
    conn: &mut AsyncPgConnection,
    token: &str,
) -> ApiResult<Versioned<Registration>> {
    retrying_transaction!(conn, async |conn| {
        let (_, conference) = by_token(conn, token).await?;
        db::registrations::seats(conn, conference.id).await?;
        let current = db::registrations::find_by_token_hash_locked(conn, &tokens::hash(token))
            .await?
            .ok_or_else(|| ApiError::not_found("no registration for this token"))?;
        let row = apply(conn, &current, Action::Cancel).await?;
        present_row(conn, row, &conference.code).await
    })
}

/// The delegate's QR code as an SVG document.
pub async fn delegate_qr_svg(conn: &mut AsyncPgConnection, token: &str) -> ApiResult<String> {
    qr_svg(&delegate_view(conn, token).await?.value.qr_payload)
}

/// The delegate's QR code as a PNG image.
pub async fn delegate_qr_png(conn: &mut AsyncPgConnection, token: &str) -> ApiResult<Vec<u8>> {
    qr_png(&delegate_view(conn, token).await?.value.qr_payload)
}

/// The QR payload of one registration, for an organizer printing a badge or sending the code
/// again: the only organizer path to a secret. A cancelled or rejected registration's code
/// admits nobody, so it is refused (409 `registration_closed`) rather than printed.
pub async fn organizer_qr_payload(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    conference_id: Uuid,
    id: Uuid,
) -> ApiResult<String> {
    load(
        conn,
        conference_id,
        Some(actor),
        Access::Private,
        Lock::None,
    )
    .await?;
    let row = db::registrations::find(conn, conference_id, id, false)
        .await?
        .ok_or_else(|| ApiError::not_found("registration not found"))?;
    ensure_live(&row)?;
    Ok(qr_payload(&row))
}

fn qr_payload(row: &RegistrationRow) -> String {
    format!("{QR_PREFIX}{}:{}", row.id, row.qr_secret)
}

/// A QR code as an SVG document.
pub fn qr_svg(payload: &str) -> ApiResult<String> {
    Ok(qr_code(payload)?
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(256, 256)
        .quiet_zone(true)
        .build())
}

/// A QR code as a greyscale PNG image (8 pixels a module, 4-module quiet zone).
pub fn qr_png(payload: &str) -> ApiResult<Vec<u8>> {
    const SCALE: usize = 8;
    const QUIET: usize = 4;
    let code = qr_code(payload)?;
    let modules = code.width();
    let side = (modules + 2 * QUIET) * SCALE;
    let colors = code.to_colors();
    let mut pixels = vec![255u8; side * side];
    for (index, color) in colors.iter().enumerate() {
        if *color == qrcode::Color::Dark {
            let (x, y) = (
                (index % modules + QUIET) * SCALE,
                (index / modules + QUIET) * SCALE,
            );
            for row in y..y + SCALE {
                pixels[row * side + x..row * side + x + SCALE].fill(0);
            }
        }
    }
    let side = u32::try_from(side).map_err(ApiError::internal)?;
    let mut png = Vec::new();
    let mut encoder = png::Encoder::new(&mut png, side, side);
    encoder.set_color(png::ColorType::Grayscale);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header().map_err(ApiError::internal)?;
    writer
        .write_image_data(&pixels)
        .map_err(ApiError::internal)?;
    writer.finish().map_err(ApiError::internal)?;
    Ok(png)
}

fn qr_code(payload: &str) -> ApiResult<qrcode::QrCode> {
    qrcode::QrCode::with_error_correction_level(payload.as_bytes(), qrcode::EcLevel::M)
        .map_err(|e| ApiError::internal(e.to_string()))
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
