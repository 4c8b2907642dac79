//! Conferences: fields and their rules, status transitions, and who may see or manage them.

use crate::domain::retrying_transaction;
use std::str::FromStr;

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use chrono_tz::Tz;
use diesel_async::{AsyncConnection, AsyncPgConnection};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::db::{self, conferences::ConferenceRow};
use crate::domain::actor::Actor;
pub use crate::domain::common::{
    Access, ConferenceStatus, Lock, RegistrationMode, Versioned, ensure_editable, load,
};
use crate::domain::text::{self, Validator, fold};
use crate::domain::{
    DEFAULT_TIME_ZONE, check_query_date, check_timestamp, double_option, in_zone, non_null,
    pagination,
};
use crate::error::{ApiError, ApiResult, ErrorCode};

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
            registration_mode: row.registration_mode.parse()?,
            host_organization: row.host_organization.clone(),
            co_host_organizations: row
                .co_host_organizations
                .iter()
                .flatten()
                .cloned()
                .collect(),
            sender_email: row.sender_email.clone(),
            status: row.status.parse()?,
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

/// Validated, normalised conference fields, ready to be written.
struct ConferenceFields {
    code: String,
    title: String,
    description: Option<String>,
    venue_name: Option<String>,
    venue_address: Option<String>,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    time_zone: String,
    registration_opens_at: Option<DateTime<Utc>>,
    registration_closes_at: Option<DateTime<Utc>>,
    capacity: Option<i32>,
    waitlist_enabled: bool,
    registration_mode: RegistrationMode,
    host_organization: Option<String>,
    co_host_organizations: Vec<String>,
    sender_email: Option<String>,
    search_text: String,
}

const MAX_CONFERENCE_DAYS: i64 = 366;

impl ConferenceFields {
    fn validate(input: &NewConference) -> ApiResult<Self> {
        let mut v = Validator::new();
        let code = input.code.clone();
        let code_ok = (2..=64).contains(&code.len())
            && code.split('-').all(|part| {
                !part.is_empty()
                    && part
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
            });
        if !code_ok {
            v.push(
                "code",
                "invalid_format",
                "code must be 2-64 lower-case letters, digits and single hyphens",
            );
        }
        let title = v.required_line("title", &input.title, 300);
        let description =
            v.optional_text("description", input.description.as_deref(), 10_000, true);
        let venue_name = v.optional_text("venue_name", input.venue_name.as_deref(), 300, false);
        let venue_address =
            v.optional_text("venue_address", input.venue_address.as_deref(), 500, true);
        let host_organization = v.optional_text(
            "host_organization",
            input.host_organization.as_deref(),
            300,
            false,
        );
        let co_host_organizations = v.string_list(
            "co_host_organizations",
            input.co_host_organizations.as_deref().unwrap_or_default(),
            20,
            300,
        );
        let sender_email = crate::domain::contact::check_email(
            &mut v,
            "sender_email".to_owned(),
            input.sender_email.as_deref(),
        );

        let time_zone = input
            .time_zone
            .as_deref()
            .map(str::trim)
            .unwrap_or(DEFAULT_TIME_ZONE)
            .to_owned();
        if time_zone.len() > 64 || Tz::from_str(&time_zone).is_err() {
            v.push(
                "time_zone",
                "unknown_time_zone",
                "time_zone must be an IANA time zone such as Asia/Ho_Chi_Minh",
            );
        }
        let starts_at = check_timestamp(&mut v, "starts_at", &input.starts_at);
        let ends_at = check_timestamp(&mut v, "ends_at", &input.ends_at);
        if ends_at <= starts_at {
            v.push(
                "ends_at",
                "must_be_after_start",
                "ends_at must be after starts_at",
            );
        } else if (ends_at - starts_at).num_days() > MAX_CONFERENCE_DAYS {
            v.push(
                "ends_at",
                "too_long",
                format!("a conference lasts at most {MAX_CONFERENCE_DAYS} days"),
            );
        }
        let opens = input
            .registration_opens_at
            .as_ref()
            .map(|t| check_timestamp(&mut v, "registration_opens_at", t));
        let closes = input
            .registration_closes_at
            .as_ref()
            .map(|t| check_timestamp(&mut v, "registration_closes_at", t));
        if let (Some(opens), Some(closes)) = (opens, closes)
            && closes <= opens
        {
            v.push(
                "registration_closes_at",
                "must_be_after_open",
                "registration_closes_at must be after registration_opens_at",
            );
        }
        if opens.is_some_and(|opens| opens >= ends_at) {
            v.push(
                "registration_opens_at",
                "after_conference_end",
                "registration must open before the conference ends",
            );
        }
        if closes.is_some_and(|closes| closes > ends_at) {
            v.push(
                "registration_closes_at",
                "after_conference_end",
                "registration must close by the end of the conference",
            );
        }
        if let Some(capacity) = input.capacity
            && !(1..=1_000_000).contains(&capacity)
        {
            v.push(
                "capacity",
                "out_of_range",
                "capacity must be between 1 and 1000000",
            );
        }
        let waitlist_enabled = input.waitlist_enabled.unwrap_or(false);
        if waitlist_enabled && input.capacity.is_none() {
            v.push(
                "waitlist_enabled",
                "requires_capacity",
                "a waitlist needs a capacity",
            );
        }
        v.finish()?;
        let search_text = fold(&format!("{title} {code}"));
        Ok(ConferenceFields {
            code,
            title,
            description,
            venue_name,
            venue_address,
            starts_at,
            ends_at,
            time_zone,
            registration_opens_at: opens,
            registration_closes_at: closes,
            capacity: input.capacity,
            waitlist_enabled,
            registration_mode: input.registration_mode.unwrap_or(RegistrationMode::Open),
            host_organization,
            co_host_organizations,
            sender_email,
            search_text,
        })
    }

    fn write(&self) -> db::conferences::ConferenceWrite<'_> {
        db::conferences::ConferenceWrite {
            code: &self.code,
            title: &self.title,
            description: self.description.as_deref(),
            venue_name: self.venue_name.as_deref(),
            venue_address: self.venue_address.as_deref(),
            starts_at: self.starts_at,
            ends_at: self.ends_at,
            time_zone: &self.time_zone,
            registration_opens_at: self.registration_opens_at,
            registration_closes_at: self.registration_closes_at,
            capacity: self.capacity,
            waitlist_enabled: self.waitlist_enabled,
            registration_mode: self.registration_mode.as_str(),
            host_organization: self.host_organization.as_deref(),
            co_host_organizations: &self.co_host_organizations,
            sender_email: self.sender_email.as_deref(),
            search_text: &self.search_text,
        }
    }
}

impl NewConference {
    /// The current state of a stored conference, as input to apply a patch to.
    fn from_row(row: &ConferenceRow) -> ApiResult<Self> {
        let tz = row.time_zone.as_str();
        Ok(NewConference {
            code: row.code.clone(),
            title: row.title.clone(),
            description: row.description.clone(),
            venue_name: row.venue_name.clone(),
            venue_address: row.venue_address.clone(),
            starts_at: in_zone(row.starts_at, tz),
            ends_at: in_zone(row.ends_at, tz),
            time_zone: Some(row.time_zone.clone()),
            registration_opens_at: row.registration_opens_at.map(|t| in_zone(t, tz)),
            registration_closes_at: row.registration_closes_at.map(|t| in_zone(t, tz)),
            capacity: row.capacity,
            waitlist_enabled: Some(row.waitlist_enabled),
            registration_mode: Some(row.registration_mode.parse()?),
            host_organization: row.host_organization.clone(),
            co_host_organizations: Some(
                row.co_host_organizations
                    .iter()
                    .flatten()
                    .cloned()
                    .collect(),
            ),
            sender_email: row.sender_email.clone(),
        })
    }

    fn apply(mut self, patch: ConferencePatch) -> Self {
        macro_rules! set {
            ($($field:ident),*) => { $(if let Some(value) = patch.$field { self.$field = value; })* };
        }
        macro_rules! set_some {
            ($($field:ident),*) => { $(if let Some(value) = patch.$field { self.$field = Some(value); })* };
        }
        set!(
            code,
            title,
            starts_at,
            ends_at,
            description,
            venue_name,
            venue_address,
            registration_opens_at,
            registration_closes_at,
            capacity,
            host_organization,
            sender_email
        );
        set_some!(
            time_zone,
            waitlist_enabled,
            registration_mode,
            co_host_organizations
        );
        self
    }
}

pub async fn create(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    input: NewConference,
) -> ApiResult<Versioned<Conference>> {
    let row = retrying_transaction!(conn, async |conn| {
        insert_validated(conn, Some(actor.account_id), &input).await
    })?;
    Versioned::from_row(row)
}

/// Validates and inserts a draft conference; its creator (if any) becomes its first organizer.
/// Call it inside a transaction.
pub async fn insert_validated(
    conn: &mut AsyncPgConnection,
    creator: Option<Uuid>,
    input: &NewConference,
) -> ApiResult<ConferenceRow> {
    let fields = ConferenceFields::validate(input)?;
    let row = db::conferences::insert(conn, Uuid::now_v7(), creator, fields.write()).await?;
    if let Some(account_id) = creator {
        db::conferences::add_organizer(conn, row.id, account_id).await?;
    }
    Ok(row)
}

pub async fn get(
    conn: &mut AsyncPgConnection,
    actor: Option<&Actor>,
    id: Uuid,
) -> ApiResult<Versioned<Conference>> {
    let row = load(conn, id, actor, Access::Read, Lock::None).await?;
    Versioned::from_row(row)
}

/// Applies a patch under a row lock. `if_match` is the version the client last saw.
pub async fn update(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    id: Uuid,
    if_match: Option<i32>,
    patch: ConferencePatch,
) -> ApiResult<Versioned<Conference>> {
    let row = retrying_transaction!(conn, async |conn| {
        let current = load(conn, id, Some(actor), Access::Manage, Lock::Update).await?;
        if if_match.is_some_and(|version| version != current.version) {
            return Err(ApiError::precondition_failed());
        }
        ensure_editable(&current)?;
        let fields =
            ConferenceFields::validate(&NewConference::from_row(&current)?.apply(patch.clone()))?;
        ensure_sessions_fit(conn, id, &fields).await?;
        let seats = db::registrations::seats(conn, id).await?;
        if fields
            .capacity
            .is_some_and(|capacity| capacity < seats.confirmed_count)
        {
            return Err(ApiError::validation(vec![crate::error::FieldError::new(
                "capacity",
                "below_confirmed",
                format!("{} delegates are confirmed already", seats.confirmed_count),
            )]));
        }
        let row = db::conferences::update(conn, id, fields.write()).await?;
        // More seats (or no limit any more): the waitlist moves up at once.
        crate::domain::seats::fill_free_seats(conn, id).await?;
        Ok(row)
    })?;
    Versioned::from_row(row)
}

/// Moving the conference's dates must not strand sessions outside them.
async fn ensure_sessions_fit(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    fields: &ConferenceFields,
) -> ApiResult<()> {
    let (first_start, last_end) = db::sessions::span(conn, id).await?;
    let mut v = Validator::new();
    if first_start.is_some_and(|start| start < fields.starts_at) {
        v.push(
            "starts_at",
            "sessions_outside",
            "a session starts before this time; move it first",
        );
    }
    if last_end.is_some_and(|end| end > fields.ends_at) {
        v.push(
            "ends_at",
            "sessions_outside",
            "a session ends after this time; move it first",
        );
    }
    v.finish()
}

/// A status change requested through an action endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transition {
    Publish,
    Close,
    Reopen,
    Cancel,
}

impl Transition {
    /// The status this transition leads to from `from`, if it is legal.
    pub fn target(self, from: ConferenceStatus) -> Option<ConferenceStatus> {
        use ConferenceStatus::*;
        match (self, from) {
            (Transition::Publish, Draft) => Some(Published),
            (Transition::Close, Published) => Some(Closed),
            (Transition::Reopen, Closed) => Some(Published),
            (Transition::Cancel, Draft | Published | Closed) => Some(Cancelled),
            _ => None,
        }
    }
}

pub async fn transition(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    id: Uuid,
    transition: Transition,
) -> ApiResult<Versioned<Conference>> {
    let row = retrying_transaction!(conn, async |conn| {
        let current = load(conn, id, Some(actor), Access::Manage, Lock::Update).await?;
        let from: ConferenceStatus = current.status.parse()?;
        let to = transition.target(from).ok_or_else(|| {
            ApiError::conflict(
                ErrorCode::IllegalStatusTransition,
                format!("a {} conference cannot be {:?}d", from.as_str(), transition)
                    .to_lowercase(),
            )
        })?;
        Ok(db::conferences::set_status(conn, id, to.as_str()).await?)
    })?;
    Versioned::from_row(row)
}

pub async fn list(
    conn: &mut AsyncPgConnection,
    actor: Option<&Actor>,
    query: ConferenceQuery,
) -> ApiResult<(Vec<Conference>, Option<String>)> {
    let limit = pagination::fetch_limit(query.limit)?;
    let after = pagination::decode(query.cursor.as_deref())?;
    let from = check_query_date("from", query.from)?;
    let to = check_query_date("to", query.to)?;
    let pattern = text::search_pattern(query.q.as_deref())?;
    if query
        .code
        .as_ref()
        .is_some_and(|code| code.chars().count() > 64)
    {
        return Err(ApiError::bad_request(
            ErrorCode::InvalidQueryParameter,
            "code must be at most 64 characters",
        ));
    }
    let visible_to = match actor {
        Some(actor) if actor.is_admin() => None,
        Some(actor) => Some(Some(actor.account_id)),
        None => Some(None),
    };
    let rows = db::conferences::list(
        conn,
        db::conferences::ConferenceFilter {
            after,
            status: query.status.map(ConferenceStatus::as_str),
            from,
            to,
            search_pattern: pattern.as_deref(),
            code: query.code.as_deref(),
            visible_to,
            limit,
        },
    )
    .await?;
    let (rows, next) = pagination::finish(rows, limit, |row| (row.created_at, row.id));
    let items = rows
        .into_iter()
        .map(|row| Versioned::from_row(row).map(|v| v.value))
        .collect::<ApiResult<_>>()?;
    Ok((items, next))
}

/// An organizer of a conference.
#[derive(Debug, Serialize, ToSchema)]
pub struct Organizer {
    pub account_id: Uuid,
    pub email: String,
    pub display_name: String,
    pub added_at: DateTime<Utc>,
}

pub async fn organizers(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    id: Uuid,
) -> ApiResult<Vec<Organizer>> {
    load(conn, id, Some(actor), Access::Manage, Lock::None).await?;
    let rows = db::conferences::list_organizers(conn, id).await?;
    Ok(rows
        .into_iter()
        .map(|r| Organizer {
            account_id: r.account_id,
            email: r.email,
            display_name: r.display_name,
            added_at: r.added_at,
        })
        .collect())
}

pub async fn add_organizer(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    id: Uuid,
    account_id: Uuid,
) -> ApiResult<()> {
    retrying_transaction!(conn, async |conn| {
        let conference = load(conn, id, Some(actor), Access::Manage, Lock::Update).await?;
        ensure_editable(&conference)?;
        let account = db::accounts::find(conn, account_id).await?;
        match account {
            Some(account) if account.disabled_at.is_none() => {
                db::conferences::add_organizer(conn, id, account_id).await?;
                Ok(())
            }
            Some(_) => Err(ApiError::conflict(
                ErrorCode::AccountDisabled,
                "a disabled account cannot organize a conference",
            )),
            None => Err(ApiError::not_found("account not found")),
        }
    })
}

pub async fn remove_organizer(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    id: Uuid,
    account_id: Uuid,
) -> ApiResult<()> {
    retrying_transaction!(conn, async |conn| {
        // The row lock serialises concurrent removals, so the last organizer cannot be removed twice over.
        load(conn, id, Some(actor), Access::Manage, Lock::Update).await?;
        if db::conferences::remove_organizer(conn, id, account_id).await? == 0 {
            return Err(ApiError::not_found(
                "this account does not organize the conference",
            ));
        }
        if db::conferences::count_organizers(conn, id).await? == 0 {
            return Err(ApiError::conflict(
                ErrorCode::LastOrganizer,
                "a conference keeps at least one organizer",
            ));
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use ConferenceStatus::*;

    #[test]
    fn only_legal_status_transitions_have_a_target() {
        assert_eq!(Transition::Publish.target(Draft), Some(Published));
        assert_eq!(Transition::Publish.target(Published), None);
        assert_eq!(Transition::Close.target(Draft), None);
        assert_eq!(Transition::Close.target(Published), Some(Closed));
        assert_eq!(Transition::Reopen.target(Closed), Some(Published));
        assert_eq!(Transition::Cancel.target(Closed), Some(Cancelled));
        assert_eq!(Transition::Cancel.target(Cancelled), None);
        assert_eq!(Transition::Reopen.target(Cancelled), None);
    }
}
