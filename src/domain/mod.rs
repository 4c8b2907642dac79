//! Business rules, free of HTTP. Functions take a pool or connection and own their transactions.

pub mod accounts;
pub mod actor;
pub mod attendance;
pub mod audit;
pub mod checkins;
pub mod common;
pub mod conferences;
pub mod contact;
pub mod idempotency;
pub mod imports;
pub mod invitations;
pub mod live;
pub mod notifications;
pub mod pagination;
pub mod password;
pub mod printouts;
pub mod privacy;
pub mod qr;
pub mod registrations;
pub mod reports;
pub mod search;
pub mod seats;
pub mod sessions;
pub mod signups;
pub mod substitutions;
pub mod table;
pub mod text;
pub mod tokens;
pub mod units;

/// Attempts a transaction gets when PostgreSQL reports a serialization failure or a deadlock.
pub const TRANSACTION_ATTEMPTS: u32 = 3;

/// Runs the body in a transaction, and runs it again (up to `TRANSACTION_ATTEMPTS` in all,
/// after a short random pause) when PostgreSQL aborts it for a serialization failure or a
/// deadlock: the aborted attempt left nothing behind, and the next one usually gets through.
/// Past the last attempt the error is a 503 `database_contention` with `Retry-After`.
/// A macro rather than a function so that the body is written once and re-evaluated per
/// attempt, borrowing what it uses afresh each time.
macro_rules! retrying_transaction {
    ($conn:ident, async |$c:ident| $body:block) => {{
        let mut attempt = 1;
        loop {
            let result = $conn
                .transaction::<_, $crate::error::ApiError, _>(async |$c| $body)
                .await;
            match result {
                Err(e) if e.is_contention() && attempt < $crate::domain::TRANSACTION_ATTEMPTS => {
                    $crate::domain::contention_pause(attempt).await;
                    attempt += 1;
                }
                result => break result,
            }
        }
    }};
}
pub(crate) use retrying_transaction;

/// Transactions run again after a serialization failure or a deadlock, in this process: an
/// operations figure (`hoithao_db_transaction_retries_total`), counted here because every retry
/// passes through `contention_pause` and the domain holds no application state.
pub static TRANSACTION_RETRIES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// 5-25 ms, then 10-50 ms: long enough for the competing transaction to commit, random so
/// that two retrying requests do not collide again.
pub async fn contention_pause(attempt: u32) {
    TRANSACTION_RETRIES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let base = 5u64 << attempt.saturating_sub(1).min(4);
    let jitter = rand::random_range(0..=base * 4);
    tokio::time::sleep(std::time::Duration::from_millis(base + jitter)).await;
}

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, Utc};

use chrono_tz::Tz;

use crate::error::{ApiError, ErrorCode, FieldCode};

/// Deserializes a field that may be absent (`None`), `null` (`Some(None)`) or a value, so that
/// PATCH can tell "leave as is" from "clear".
pub fn double_option<'de, T, D>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    T: serde::Deserialize<'de>,
    D: serde::Deserializer<'de>,
{
    serde::Deserialize::deserialize(deserializer).map(Some)
}

/// For PATCH fields that cannot be cleared: absent stays `None`, a value is `Some`, and `null`
/// is refused (a 422) instead of being silently ignored.
pub fn non_null<'de, T, D>(deserializer: D) -> Result<Option<T>, D::Error>
where
    T: serde::Deserialize<'de>,
    D: serde::Deserializer<'de>,
{
    T::deserialize(deserializer).map(Some)
}

/// JSON has one number type: `248.0` is the same integer as `248` (and an `integer` to JSON
/// Schema), so integer fields take either; a fraction or an out-of-range value is refused.
pub fn whole_number<'de, D>(deserializer: D) -> Result<i32, D::Error>
where
    D: serde::Deserializer<'de>,
{
    to_i32::<D>(serde::Deserialize::deserialize(deserializer)?)
}

/// `whole_number` for an optional field (`null` or absent is `None`).
pub fn optional_whole_number<'de, D>(deserializer: D) -> Result<Option<i32>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    let number: Option<serde_json::Number> = serde::Deserialize::deserialize(deserializer)?;
    number.map(to_i32::<D>).transpose()
}

/// `whole_number` for a PATCH field that `null` clears (see `double_option`).
pub fn patch_whole_number<'de, D>(deserializer: D) -> Result<Option<Option<i32>>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    optional_whole_number(deserializer).map(Some)
}

fn to_i32<'de, D: serde::Deserializer<'de>>(number: serde_json::Number) -> Result<i32, D::Error> {
    use serde::de::Error;
    let whole = match number.as_i64() {
        Some(n) => Some(n),
        None => number
            .as_f64()
            .filter(|f| f.fract() == 0.0 && f.abs() <= f64::from(i32::MAX))
            .map(|f| f as i64),
    };
    whole
        .and_then(|n| i32::try_from(n).ok())
        .ok_or_else(|| D::Error::custom(format!("expected a whole number, found {number}")))
}

/// Timestamps we accept: PostgreSQL stores far more, but dates outside this range are typos.
pub fn check_timestamp(
    v: &mut text::Validator,
    field: &str,
    value: &DateTime<FixedOffset>,
) -> DateTime<Utc> {
    // The UTC instant decides, with a margin so that any zone's local time stays in 1970-9999.
    let utc = value.with_timezone(&Utc);
    if !(1970..=9998).contains(&utc.year()) {
        v.push(
            field,
            FieldCode::OutOfRange,
            format!("{field} must fall between the years 1970 and 9998"),
        );
    }
    utc
}

/// Query dates (`from`, `to`) within the same range.
pub fn check_query_date(
    field: &str,
    value: Option<NaiveDate>,
) -> Result<Option<NaiveDate>, ApiError> {
    match value {
        Some(date) if !(1970..=9999).contains(&date.year()) => Err(ApiError::bad_request(
            ErrorCode::InvalidQueryParameter,
            format!("{field} must fall between the years 1970 and 9999"),
        )),
        other => Ok(other),
    }
}

/// Renders a stored UTC instant in the conference's time zone, as RFC 3339 with offset.
pub fn in_zone(instant: DateTime<Utc>, zone: &str) -> DateTime<FixedOffset> {
    let tz: Tz = zone.parse().unwrap_or(chrono_tz::Asia::Ho_Chi_Minh);
    instant.with_timezone(&tz).fixed_offset()
}

pub const DEFAULT_TIME_ZONE: &str = "Asia/Ho_Chi_Minh";
