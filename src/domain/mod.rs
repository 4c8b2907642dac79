//! Business rules, free of HTTP. Functions take a pool or connection and own their transactions.

pub mod accounts;
pub mod attendance;
pub mod checkins;
pub mod conferences;
pub mod contact;
pub mod idempotency;
pub mod imports;
pub mod invitations;
pub mod live;
pub mod pagination;
pub mod registrations;
pub mod search;
pub mod sessions;
pub mod signups;
pub mod table;
pub mod text;
pub mod units;

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, Utc};
use chrono_tz::Tz;

use crate::error::ApiError;

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
            "out_of_range",
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
            "invalid_query_parameter",
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
