//! Sessions (the agenda): each falls inside its conference's dates.

use crate::domain::retrying_transaction;
use chrono::{DateTime, FixedOffset, Utc};
use diesel_async::{AsyncConnection, AsyncPgConnection};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

pub use crate::db::enums::SessionKind;
pub use crate::db::ids::SessionId;
use crate::db::{self, conferences::ConferenceRow, sessions::SessionRow};
use crate::domain::actor::Actor;
use crate::domain::common::{Access, Lock, Versioned, ensure_editable, load};
use crate::domain::text::Validator;
use crate::domain::{check_timestamp, double_option, in_zone, non_null, pagination};
use crate::error::{ApiError, ApiResult, FieldCode};

/// One item of a conference's agenda. Times are given in the conference's time zone.
#[derive(Debug, Serialize, ToSchema)]
pub struct Session {
    #[schema(value_type = Uuid)]
    pub id: SessionId,
    pub conference_id: Uuid,
    #[schema(example = "Phương pháp luận và kỹ thuật sản xuất sạch hơn")]
    pub title: String,
    pub description: Option<String>,
    pub kind: SessionKind,
    pub room: Option<String>,
    pub speakers: Vec<String>,
    #[schema(example = "2018-07-19T08:30:00+07:00")]
    pub starts_at: DateTime<FixedOffset>,
    #[schema(example = "2018-07-19T09:30:00+07:00")]
    pub ends_at: DateTime<FixedOffset>,
    /// Maximum signed-up delegates; `null` for no limit.
    pub capacity: Option<i32>,
    /// Whether delegates must sign up to attend.
    pub signup_required: bool,
    /// Delegates signed up.
    pub signup_count: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

fn to_session(row: SessionRow, time_zone: &str) -> ApiResult<Versioned<Session>> {
    let value = Session {
        id: row.id,
        conference_id: row.conference_id,
        title: row.title,
        description: row.description,
        kind: row.kind,
        room: row.room,
        speakers: row.speakers.into_iter().flatten().collect(),
        starts_at: in_zone(row.starts_at, time_zone),
        ends_at: in_zone(row.ends_at, time_zone),
        capacity: row.capacity,
        signup_required: row.signup_required,
        signup_count: row.signup_count,
        created_at: row.created_at,
        updated_at: row.updated_at,
    };
    Ok(Versioned {
        value,
        version: row.version,
    })
}

/// A new session.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSession {
    #[schema(example = "Khai mạc", min_length = 1, max_length = 300)]
    pub title: String,
    #[schema(max_length = 10000)]
    pub description: Option<String>,
    pub kind: SessionKind,
    #[schema(example = "Hội trường A", max_length = 200)]
    pub room: Option<String>,
    #[schema(max_items = 50)]
    pub speakers: Option<Vec<String>>,
    #[schema(example = "2018-07-19T08:00:00+07:00")]
    pub starts_at: DateTime<FixedOffset>,
    #[schema(example = "2018-07-19T08:30:00+07:00")]
    pub ends_at: DateTime<FixedOffset>,
    #[serde(default, deserialize_with = "crate::domain::optional_whole_number")]
    #[schema(minimum = 1, maximum = 1000000)]
    pub capacity: Option<i32>,
    /// Defaults to false.
    pub signup_required: Option<bool>,
}

/// Changes to a session: absent fields stay as they are, `null` clears an optional field.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SessionPatch {
    #[serde(default, deserialize_with = "non_null")]
    #[schema(nullable = false, min_length = 1, max_length = 300)]
    pub title: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, max_length = 10000)]
    pub description: Option<Option<String>>,
    #[serde(default, deserialize_with = "non_null")]
    #[schema(nullable = false)]
    pub kind: Option<SessionKind>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, max_length = 200)]
    pub room: Option<Option<String>>,
    #[serde(default, deserialize_with = "non_null")]
    #[schema(nullable = false, max_items = 50)]
    pub speakers: Option<Vec<String>>,
    #[serde(default, deserialize_with = "non_null")]
    #[schema(nullable = false)]
    pub starts_at: Option<DateTime<FixedOffset>>,
    #[serde(default, deserialize_with = "non_null")]
    #[schema(nullable = false)]
    pub ends_at: Option<DateTime<FixedOffset>>,
    #[serde(default, deserialize_with = "crate::domain::patch_whole_number")]
    #[schema(value_type = Option<i32>, minimum = 1, maximum = 1000000)]
    pub capacity: Option<Option<i32>>,
    #[serde(default, deserialize_with = "non_null")]
    #[schema(nullable = false)]
    pub signup_required: Option<bool>,
}

/// Filters of the agenda.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SessionQuery {
    /// Page size (1-500, default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
    /// Opaque cursor from a previous page's `next_cursor`: pass it back unchanged (its form
    /// may change between versions; an altered one is a 400 `invalid_cursor`).
    #[param(max_length = 200)]
    pub cursor: Option<String>,
    pub kind: Option<SessionKind>,
}

struct SessionFields {
    title: String,
    description: Option<String>,
    kind: SessionKind,
    room: Option<String>,
    speakers: Vec<String>,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    capacity: Option<i32>,
    signup_required: bool,
}

impl SessionFields {
    fn validate(input: &NewSession, conference: &ConferenceRow) -> ApiResult<Self> {
        let mut v = Validator::new();
        let title = v.required_line("title", &input.title, 300);
        let description =
            v.optional_text("description", input.description.as_deref(), 10_000, true);
        let room = v.optional_text("room", input.room.as_deref(), 200, false);
        let speakers = v.string_list(
            "speakers",
            input.speakers.as_deref().unwrap_or_default(),
            50,
            200,
        );
        let starts_at = check_timestamp(&mut v, "starts_at", &input.starts_at);
        let ends_at = check_timestamp(&mut v, "ends_at", &input.ends_at);
        if ends_at <= starts_at {
            v.push(
                "ends_at",
                FieldCode::MustBeAfterStart,
                "ends_at must be after starts_at",
            );
        }
        if starts_at < conference.starts_at || starts_at >= conference.ends_at {
            v.push(
                "starts_at",
                FieldCode::OutsideConference,
                "the session must start within the conference",
            );
        }
        if ends_at > conference.ends_at || ends_at <= conference.starts_at {
            v.push(
                "ends_at",
                FieldCode::OutsideConference,
                "the session must end within the conference",
            );
        }
        if input
            .capacity
            .is_some_and(|c| !(1..=1_000_000).contains(&c))
        {
            v.push(
                "capacity",
                FieldCode::OutOfRange,
                "capacity must be between 1 and 1000000",
            );
        }
        v.finish()?;
        Ok(SessionFields {
            title,
            description,
            kind: input.kind,
            room,
            speakers,
            starts_at,
            ends_at,
            capacity: input.capacity,
            signup_required: input.signup_required.unwrap_or(false),
        })
    }

    fn write(&self) -> db::sessions::SessionWrite<'_> {
        db::sessions::SessionWrite {
            title: &self.title,
            description: self.description.as_deref(),
            kind: self.kind.as_str(),
            room: self.room.as_deref(),
            speakers: &self.speakers,
            starts_at: self.starts_at,
            ends_at: self.ends_at,
            capacity: self.capacity,
            signup_required: self.signup_required,
        }
    }
}

impl NewSession {
    fn from_row(row: &SessionRow) -> ApiResult<Self> {
        Ok(NewSession {
            title: row.title.clone(),
            description: row.description.clone(),
            kind: row.kind,
            room: row.room.clone(),
            speakers: Some(row.speakers.iter().flatten().cloned().collect()),
            starts_at: row.starts_at.fixed_offset(),
            ends_at: row.ends_at.fixed_offset(),
            capacity: row.capacity,
            signup_required: Some(row.signup_required),
        })
    }

    fn apply(mut self, patch: SessionPatch) -> Self {
        macro_rules! set {
            ($($field:ident),*) => { $(if let Some(value) = patch.$field { self.$field = value; })* };
        }
        set!(title, description, kind, room, starts_at, ends_at, capacity);
        if let Some(speakers) = patch.speakers {
            self.speakers = Some(speakers);
        }
        if let Some(signup_required) = patch.signup_required {
            self.signup_required = Some(signup_required);
        }
        self
    }
}

/// Reads and share-locks the conference in one statement, so the dates and status checked are
/// the ones in force until this write commits.
async fn load_for_write(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    conference_id: Uuid,
) -> ApiResult<ConferenceRow> {
    let conference = load(
        conn,
        conference_id,
        Some(actor),
        Access::Manage,
        Lock::Share,
    )
    .await?;
    ensure_editable(&conference)?;
    Ok(conference)
}

pub async fn create(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    conference_id: Uuid,
    input: NewSession,
) -> ApiResult<Versioned<Session>> {
    let (row, tz) = retrying_transaction!(conn, async |conn| {
        let conference = load_for_write(conn, actor, conference_id).await?;
        let row = insert_validated(conn, &conference, &input).await?;
        Ok((row, conference.time_zone))
    })?;
    to_session(row, &tz)
}

/// Validates a session against its conference and inserts it. Call it inside a transaction
/// that holds a lock on the conference row.
pub async fn insert_validated(
    conn: &mut AsyncPgConnection,
    conference: &ConferenceRow,
    input: &NewSession,
) -> ApiResult<SessionRow> {
    let fields = SessionFields::validate(input, conference)?;
    Ok(db::sessions::insert(
        conn,
        SessionId(Uuid::now_v7()),
        conference.id,
        fields.write(),
    )
    .await?)
}

pub async fn get(
    conn: &mut AsyncPgConnection,
    actor: Option<&Actor>,
    conference_id: Uuid,
    id: SessionId,
) -> ApiResult<Versioned<Session>> {
    let conference = load(conn, conference_id, actor, Access::Read, Lock::None).await?;
    let row = db::sessions::find(conn, conference_id, id, false)
        .await?
        .ok_or_else(|| ApiError::not_found("session not found"))?;
    to_session(row, &conference.time_zone)
}

pub async fn update(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    conference_id: Uuid,
    id: SessionId,
    if_match: Option<i32>,
    patch: SessionPatch,
) -> ApiResult<Versioned<Session>> {
    let (row, tz) = retrying_transaction!(conn, async |conn| {
        let conference = load_for_write(conn, actor, conference_id).await?;
        let current = db::sessions::find(conn, conference_id, id, true)
            .await?
            .ok_or_else(|| ApiError::not_found("session not found"))?;
        if if_match.is_some_and(|version| version != current.version) {
            return Err(ApiError::precondition_failed());
        }
        let fields = SessionFields::validate(
            &NewSession::from_row(&current)?.apply(patch.clone()),
            &conference,
        )?;
        if fields
            .capacity
            .is_some_and(|capacity| capacity < current.signup_count)
        {
            return Err(ApiError::validation(vec![crate::error::FieldError::new(
                "capacity",
                FieldCode::BelowSignups,
                format!("{} delegates are signed up already", current.signup_count),
            )]));
        }
        let row = db::sessions::update(conn, id, fields.write()).await?;
        Ok((row, conference.time_zone))
    })?;
    to_session(row, &tz)
}

pub async fn delete(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    conference_id: Uuid,
    id: SessionId,
) -> ApiResult<()> {
    retrying_transaction!(conn, async |conn| {
        load_for_write(conn, actor, conference_id).await?;
        match db::sessions::delete(conn, conference_id, id).await? {
            0 => Err(ApiError::not_found("session not found")),
            _ => Ok(()),
        }
    })
}

pub async fn list(
    conn: &mut AsyncPgConnection,
    actor: Option<&Actor>,
    conference_id: Uuid,
    query: SessionQuery,
) -> ApiResult<(Vec<Session>, Option<String>)> {
    let limit = pagination::fetch_limit(query.limit)?;
    let after = pagination::decode(query.cursor.as_deref())?;
    let conference = load(conn, conference_id, actor, Access::Read, Lock::None).await?;
    let rows = db::sessions::list(
        conn,
        conference_id,
        db::sessions::SessionFilter {
            after,
            kind: query.kind.map(SessionKind::as_str),
            limit,
        },
    )
    .await?;
    let (rows, next) = pagination::finish(rows, limit, |row| (row.starts_at, row.id.0));
    let items = rows
        .into_iter()
        .map(|row| to_session(row, &conference.time_zone).map(|v| v.value))
        .collect::<ApiResult<_>>()?;
    Ok((items, next))
}
