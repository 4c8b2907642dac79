//! A person's own data: everything held about a registration's people, as one JSON document.

use chrono::{DateTime, Utc};
use diesel_async::AsyncPgConnection;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::db;
use crate::domain::actor::Actor;
use crate::domain::common::{Access, Lock, load};
use crate::domain::tokens;
use crate::error::{ApiError, ApiResult};

/// Everything this service holds about a registration's people.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct PersonalData {
    pub registration: PersonalRegistration,
    pub consent: Consent,
    pub session_signups: Vec<PersonalSignup>,
    /// Every scan of the registration's code, accepted or not.
    pub checkins: Vec<PersonalCheckin>,
    /// Substitutions on this seat: the people replaced and who replaced them.
    pub substitutions: Vec<PersonalSubstitution>,
    /// Notifications sent to the person (none are sent by this version).
    pub notifications: Vec<serde_json::Value>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct PersonalRegistration {
    pub id: Uuid,
    pub conference_id: Uuid,
    pub number: i32,
    pub full_name: String,
    pub position: Option<String>,
    pub unit_id: Option<Uuid>,
    pub unit_name: Option<String>,
    pub organization: Option<String>,
    pub category: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub status: String,
    pub source: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// When the personal data was erased; `null` while it is held.
    pub erased_at: Option<DateTime<Utc>>,
}

/// The legal basis of the registration: `consent` (the delegate accepted a notice version
/// online), `organizer`, `import`, `unit_contact` or `door`.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Consent {
    #[schema(example = "consent")]
    pub legal_basis: String,
    pub notice_version: Option<i32>,
    pub accepted_at: Option<DateTime<Utc>>,
    pub notice_text_vi: Option<String>,
    pub notice_text_en: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct PersonalSignup {
    pub session_id: Uuid,
    pub session_title: String,
    pub signed_up_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct PersonalCheckin {
    pub id: Uuid,
    pub session_id: Option<Uuid>,
    pub direction: String,
    pub outcome: String,
    pub method: String,
    pub occurred_at: DateTime<Utc>,
    pub undone_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct PersonalSubstitution {
    pub id: Uuid,
    pub previous_name: String,
    pub previous_position: Option<String>,
    pub previous_email: Option<String>,
    pub previous_phone: Option<String>,
    pub new_name: String,
    pub substituted_by: String,
    pub substituted_at: DateTime<Utc>,
}

async fn document(conn: &mut AsyncPgConnection, registration_id: Uuid) -> ApiResult<PersonalData> {
    let value = db::privacy::personal_data(conn, registration_id)
        .await?
        .ok_or_else(|| ApiError::not_found("registration not found"))?;
    serde_json::from_value(value).map_err(ApiError::internal)
}

/// An organizer's export of one registration of their conference.
pub async fn for_organizer(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    conference_id: Uuid,
    registration_id: Uuid,
) -> ApiResult<PersonalData> {
    load(
        conn,
        conference_id,
        Some(actor),
        Access::Private,
        Lock::None,
    )
    .await?;
    if !db::privacy::belongs_to(conn, conference_id, registration_id).await? {
        return Err(ApiError::not_found("registration not found"));
    }
    document(conn, registration_id).await
}

/// The delegate's own export, through their link.
pub async fn for_delegate(conn: &mut AsyncPgConnection, token: &str) -> ApiResult<PersonalData> {
    let row = db::registrations::find_by_token_hash(conn, &tokens::hash(token))
        .await?
        .ok_or_else(|| ApiError::not_found("no registration for this token"))?;
    document(conn, row.id).await
}
