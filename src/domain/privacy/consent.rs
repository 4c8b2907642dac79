//! Privacy notices (versioned, Vietnamese with optional English) and the consent a
//! self-registration must give to the current version.

use chrono::{DateTime, Utc};
use diesel_async::{AsyncConnection, AsyncPgConnection};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::db;
use crate::db::privacy::NoticeRow;
use crate::domain::actor::Actor;
use crate::domain::common::{Access, Lock, load};
use crate::domain::retrying_transaction;
use crate::domain::text::Validator;
use crate::error::{ApiError, ApiResult, ErrorCode, FieldCode, FieldError};

/// A version of a conference's privacy notice.
#[derive(Debug, Serialize, ToSchema)]
pub struct PrivacyNotice {
    pub conference_id: Uuid,
    /// Self-registrations accept this version (`consent.notice_version`).
    pub version: i32,
    pub text_vi: String,
    pub text_en: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl From<NoticeRow> for PrivacyNotice {
    fn from(row: NoticeRow) -> Self {
        Self {
            conference_id: row.conference_id,
            version: row.version,
            text_vi: row.text_vi,
            text_en: row.text_en,
            created_at: row.created_at,
        }
    }
}

/// A new version of the notice; registrations made earlier keep the version they accepted.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NoticeInput {
    /// The notice in Vietnamese.
    #[schema(min_length = 1, max_length = 20000)]
    pub text_vi: String,
    /// The notice in English, if any.
    #[schema(min_length = 1, max_length = 20000)]
    pub text_en: Option<String>,
}

/// The delegate's acceptance of the notice, sent with a self-registration.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConsentInput {
    /// The version of the notice the delegate was shown (`GET .../privacy-notice`).
    #[serde(deserialize_with = "crate::domain::whole_number")]
    #[schema(minimum = 1)]
    pub notice_version: i32,
    /// Must be `true`.
    pub accepted: bool,
}

/// The current notice of a conference the caller may see (anyone, once published).
pub async fn current(
    conn: &mut AsyncPgConnection,
    actor: Option<&Actor>,
    conference_id: Uuid,
) -> ApiResult<PrivacyNotice> {
    load(conn, conference_id, actor, Access::Read, Lock::None).await?;
    db::privacy::current_notice(conn, conference_id)
        .await?
        .map(PrivacyNotice::from)
        .ok_or_else(|| ApiError::not_found("this conference has no privacy notice"))
}

/// Publishes a new version of the notice.
pub async fn publish(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    conference_id: Uuid,
    input: NoticeInput,
) -> ApiResult<PrivacyNotice> {
    let mut v = Validator::new();
    let text_vi = v.optional_text("text_vi", Some(&input.text_vi), 20000, true);
    if text_vi.is_none() {
        v.push("text_vi", FieldCode::Required, "text_vi must not be empty");
    }
    let text_en = v.optional_text("text_en", input.text_en.as_deref(), 20000, true);
    if input.text_en.is_some() && text_en.is_none() {
        v.push(
            "text_en",
            FieldCode::Required,
            "text_en must not be empty; leave it out for a notice in Vietnamese only",
        );
    }
    v.finish()?;
    let text_vi = text_vi.unwrap_or_default();
    retrying_transaction!(conn, async |conn| {
        load(
            conn,
            conference_id,
            Some(actor),
            Access::Private,
            Lock::Update,
        )
        .await?;
        let next = db::privacy::current_notice(conn, conference_id)
            .await?
            .map_or(1, |n| n.version + 1);
        let row = db::privacy::insert_notice(
            conn,
            conference_id,
            next,
            &text_vi,
            text_en.as_deref(),
            actor.account_id,
        )
        .await?;
        Ok(row.into())
    })
}

/// Checks a self-registration's consent against the current notice: missing or refused is a
/// 422 naming `consent`, an older version a 409 `notice_version_not_current`. Returns the
/// accepted version, to record with the registration.
pub async fn check(
    conn: &mut AsyncPgConnection,
    conference_id: Uuid,
    consent: Option<&ConsentInput>,
) -> ApiResult<i32> {
    let refused = |message: &str| {
        ApiError::validation(vec![FieldError::new(
            "consent",
            FieldCode::ConsentRequired,
            message,
        )])
    };
    let consent = consent.ok_or_else(|| {
        refused("accept the conference's privacy notice: consent {notice_version, accepted: true}")
    })?;
    if !consent.accepted {
        return Err(refused("the privacy notice must be accepted to register"));
    }
    let current = db::privacy::current_notice(conn, conference_id)
        .await?
        .ok_or_else(|| ApiError::internal("conference without a privacy notice"))?;
    if consent.notice_version != current.version {
        return Err(ApiError::conflict(
            ErrorCode::NoticeVersionNotCurrent,
            format!(
                "the privacy notice changed: read version {} and accept it",
                current.version
            ),
        ));
    }
    Ok(current.version)
}

/// Records the accepted version on the new registration (same transaction).
pub async fn record(
    conn: &mut AsyncPgConnection,
    registration_id: Uuid,
    notice_version: i32,
) -> ApiResult<()> {
    db::privacy::record_consent(conn, registration_id, notice_version).await?;
    Ok(())
}
