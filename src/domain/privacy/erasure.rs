//! Erasure: a registration's people become an anonymous row that still counts in attendance.
//!
//! One eraser per table group, run in order in one transaction; a new table that copies
//! personal data adds its eraser to `ERASERS`.

use chrono::{DateTime, Utc};
use diesel_async::{AsyncConnection, AsyncPgConnection};
use futures_util::future::BoxFuture;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::db;
use crate::domain::actor::Actor;
use crate::domain::common::{Access, Lock, load};
use crate::domain::privacy::ERASED_NAME;
use crate::domain::retrying_transaction;
use crate::domain::text::fold;
use crate::domain::tokens;
use crate::error::{ApiError, ApiResult};

/// Who asked for an erasure.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErasedBy {
    Organizer(Uuid),
    Delegate,
    Retention,
}

impl ErasedBy {
    fn as_str(self) -> &'static str {
        match self {
            ErasedBy::Organizer(_) => "organizer",
            ErasedBy::Delegate => "delegate",
            ErasedBy::Retention => "retention",
        }
    }

    fn account(self) -> Option<Uuid> {
        match self {
            ErasedBy::Organizer(id) => Some(id),
            _ => None,
        }
    }
}

/// What is erased: registrations, and every value that identified their people (the current
/// person and everyone they replaced), gathered before any eraser runs.
pub struct Subject {
    pub registration_ids: Vec<Uuid>,
    /// Names, emails and phones as stored.
    pub values: Vec<String>,
    pub emails: Vec<String>,
    pub by: ErasedBy,
}

/// One step of erasure over one group of tables.
pub type Eraser =
    for<'a> fn(&'a mut AsyncPgConnection, &'a Subject) -> BoxFuture<'a, ApiResult<()>>;

/// Every eraser, in order: the registrations themselves go last, since the others find copies
/// by the values and ids gathered in `Subject`.
pub const ERASERS: &[(&str, Eraser)] = &[
    ("registration_substitutions", erase_substitutions),
    ("checkins", erase_undo_reasons),
    ("idempotency_keys", erase_stored_responses),
    ("outbox", erase_outbox),
    ("login_throttle", erase_throttle_keys),
    ("registrations", erase_registrations),
];

fn erase_substitutions<'a>(
    conn: &'a mut AsyncPgConnection,
    s: &'a Subject,
) -> BoxFuture<'a, ApiResult<()>> {
    Box::pin(async move {
        db::privacy::erase_substitutions(conn, &s.registration_ids, ERASED_NAME).await?;
        Ok(())
    })
}

fn erase_outbox<'a>(
    conn: &'a mut AsyncPgConnection,
    s: &'a Subject,
) -> BoxFuture<'a, ApiResult<()>> {
    Box::pin(async move {
        db::privacy::erase_outbox(conn, &s.registration_ids).await?;
        Ok(())
    })
}

fn erase_undo_reasons<'a>(
    conn: &'a mut AsyncPgConnection,
    s: &'a Subject,
) -> BoxFuture<'a, ApiResult<()>> {
    Box::pin(async move {
        db::privacy::erase_undo_reasons(conn, &s.registration_ids, ERASED_NAME).await?;
        Ok(())
    })
}

fn erase_throttle_keys<'a>(
    conn: &'a mut AsyncPgConnection,
    s: &'a Subject,
) -> BoxFuture<'a, ApiResult<()>> {
    Box::pin(async move {
        if !s.emails.is_empty() {
            db::privacy::erase_throttle_keys(conn, &s.emails).await?;
        }
        Ok(())
    })
}

/// Stored first responses (replayed for an `Idempotency-Key`) keep their shape, so replays still
/// answer, with the person's values replaced and their secrets gone.
fn erase_stored_responses<'a>(
    conn: &'a mut AsyncPgConnection,
    s: &'a Subject,
) -> BoxFuture<'a, ApiResult<()>> {
    Box::pin(async move {
        let ids: Vec<String> = s.registration_ids.iter().map(Uuid::to_string).collect();
        let needles: Vec<String> = ids.iter().chain(&s.values).cloned().collect();
        if needles.is_empty() {
            return Ok(());
        }
        for stored in db::privacy::responses_mentioning(conn, &needles).await? {
            let mut response = stored.response;
            scrub(&mut response, &ids, &s.values);
            db::privacy::rewrite_response(conn, &stored.scope, &stored.key, &response).await?;
        }
        Ok(())
    })
}

/// Fields of a registration object in a response that hold personal data or its secrets.
const PERSONAL_FIELDS: &[&str] = &[
    "full_name",
    "position",
    "organization",
    "email",
    "phone",
    "qr_payload",
];

/// Replaces personal values in a stored JSON response: the personal fields of an object whose
/// `id` is erased (and the delegate token beside it), and any string containing a value.
fn scrub(value: &mut serde_json::Value, ids: &[String], values: &[String]) {
    use serde_json::Value;
    match value {
        Value::Object(map) => {
            let erased = map
                .get("id")
                .and_then(Value::as_str)
                .is_some_and(|id| ids.iter().any(|e| e == id));
            let holds_erased = map
                .get("registration")
                .and_then(|r| r.get("id"))
                .and_then(Value::as_str)
                .is_some_and(|id| ids.iter().any(|e| e == id));
            for (key, field) in map.iter_mut() {
                if erased && PERSONAL_FIELDS.contains(&key.as_str()) {
                    *field = if key == "full_name" {
                        Value::String(ERASED_NAME.to_owned())
                    } else {
                        Value::Null
                    };
                } else if holds_erased && key == "delegate_token" {
                    *field = Value::Null;
                } else {
                    scrub(field, ids, values);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|item| scrub(item, ids, values)),
        Value::String(text) if values.iter().any(|v| text.contains(v.as_str())) => {
            *text = ERASED_NAME.to_owned();
        }
        _ => {}
    }
}

fn erase_registrations<'a>(
    conn: &'a mut AsyncPgConnection,
    s: &'a Subject,
) -> BoxFuture<'a, ApiResult<()>> {
    Box::pin(async move {
        db::privacy::erase_registrations(
            conn,
            &s.registration_ids,
            ERASED_NAME,
            &fold(ERASED_NAME),
            s.by.as_str(),
            s.by.account(),
        )
        .await?;
        Ok(())
    })
}

/// Gathers the values that identify the registrations' people.
pub async fn subject(
    conn: &mut AsyncPgConnection,
    registration_ids: Vec<Uuid>,
    by: ErasedBy,
) -> ApiResult<Subject> {
    let mut values = Vec::new();
    let mut emails = Vec::new();
    for person in db::privacy::people_of(conn, &registration_ids).await? {
        if person.full_name != ERASED_NAME {
            values.push(person.full_name);
        }
        if let Some(email) = person.email {
            emails.push(email.clone());
            values.push(email);
        }
        values.extend(person.phone);
    }
    values.sort();
    values.dedup();
    emails.sort();
    emails.dedup();
    Ok(Subject {
        registration_ids,
        values,
        emails,
        by,
    })
}

/// Runs every eraser on the subject, in the caller's transaction.
pub async fn run(conn: &mut AsyncPgConnection, subject: &Subject) -> ApiResult<()> {
    for (_, eraser) in ERASERS {
        eraser(conn, subject).await?;
    }
    Ok(())
}

/// What an erasure answers.
#[derive(Debug, Serialize, ToSchema)]
pub struct Erasure {
    pub registration_id: Uuid,
    pub erased_at: DateTime<Utc>,
}

/// Erases one registration of a conference the organizer manages. Irreversible, so the caller
/// must name the version it last read (`If-Match`): 428 without it, 412 when it changed.
pub async fn erase_by_organizer(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    conference_id: Uuid,
    registration_id: Uuid,
    if_match: Option<i32>,
) -> ApiResult<Erasure> {
    let version = if_match.ok_or_else(ApiError::precondition_required)?;
    retrying_transaction!(conn, async |conn| {
        load(
            conn,
            conference_id,
            Some(actor),
            Access::Private,
            Lock::None,
        )
        .await?;
        erase_locked(
            conn,
            conference_id,
            registration_id,
            version,
            ErasedBy::Organizer(actor.account_id),
        )
        .await
    })
}

/// Erases the registration of a delegate link; the link stops working.
pub async fn erase_by_delegate(
    conn: &mut AsyncPgConnection,
    token: &str,
    if_match: Option<i32>,
) -> ApiResult<Erasure> {
    let version = if_match.ok_or_else(ApiError::precondition_required)?;
    retrying_transaction!(conn, async |conn| {
        let row = db::registrations::find_by_token_hash(conn, &tokens::hash(token))
            .await?
            .ok_or_else(|| ApiError::not_found("no registration for this token"))?;
        erase_locked(conn, row.conference_id, row.id, version, ErasedBy::Delegate).await
    })
}

async fn erase_locked(
    conn: &mut AsyncPgConnection,
    conference_id: Uuid,
    registration_id: Uuid,
    version: i32,
    by: ErasedBy,
) -> ApiResult<Erasure> {
    let state = db::privacy::lock_for_erasure(conn, conference_id, registration_id)
        .await?
        .ok_or_else(|| ApiError::not_found("registration not found"))?;
    if state.erased_at.is_some() {
        return Err(ApiError::erased());
    }
    if state.version != version {
        return Err(ApiError::precondition_failed());
    }
    let subject = subject(conn, vec![state.id], by).await?;
    run(conn, &subject).await?;
    let erased = db::privacy::lock_for_erasure(conn, conference_id, registration_id)
        .await?
        .and_then(|s| s.erased_at)
        .ok_or_else(|| ApiError::internal("the erased registration has no erasure time"))?;
    Ok(Erasure {
        registration_id,
        erased_at: erased,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn scrub_replaces_an_erased_registrations_fields_and_any_string_holding_a_value() {
        let id = Uuid::now_v7().to_string();
        let other = Uuid::now_v7().to_string();
        let mut response = json!([
            {"registration": {"id": id, "full_name": "Nguyễn Văn An", "phone": "+84912345678",
                              "qr_payload": "hoithao:1:x:y", "category": "district"},
             "delegate_token": "secret"},
            {"registration": {"id": other, "full_name": "Trần Thị Bình", "note": "thay Nguyễn Văn An"},
             "delegate_token": "kept"}
        ]);
        scrub(
            &mut response,
            std::slice::from_ref(&id),
            &["Nguyễn Văn An".to_owned()],
        );
        assert_eq!(response[0]["registration"]["full_name"], ERASED_NAME);
        assert_eq!(
            response[0]["registration"]["phone"],
            serde_json::Value::Null
        );
        assert_eq!(
            response[0]["registration"]["qr_payload"],
            serde_json::Value::Null
        );
        assert_eq!(response[0]["registration"]["category"], "district");
        assert_eq!(response[0]["delegate_token"], serde_json::Value::Null);
        assert_eq!(response[1]["registration"]["full_name"], "Trần Thị Bình");
        assert_eq!(response[1]["registration"]["note"], ERASED_NAME);
        assert_eq!(response[1]["delegate_token"], "kept");
    }
}
