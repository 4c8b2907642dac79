//! Opaque keyset cursors: `(timestamp, id)` of the last item of a page, base64url-encoded.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Datelike, Utc};
use uuid::Uuid;

use crate::error::{ApiError, ErrorCode};

pub const DEFAULT_LIMIT: u32 = 50;
pub const MAX_LIMIT: u32 = 500;

pub type Position = (DateTime<Utc>, Uuid);

pub fn encode(position: Position) -> String {
    URL_SAFE_NO_PAD.encode(format!("{}|{}", position.0.timestamp_micros(), position.1))
}

pub fn decode(cursor: Option<&str>) -> Result<Option<Position>, ApiError> {
    let Some(cursor) = cursor else {
        return Ok(None);
    };
    let invalid = || {
        ApiError::bad_request(
            ErrorCode::InvalidCursor,
            "the cursor is not one this API issued",
        )
    };
    let bytes = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| invalid())?;
    let text = String::from_utf8(bytes).map_err(|_| invalid())?;
    let (micros, id) = text.split_once('|').ok_or_else(invalid)?;
    let micros: i64 = micros.parse().map_err(|_| invalid())?;
    let at = DateTime::from_timestamp_micros(micros)
        .filter(|at| (1970..=9999).contains(&at.year()))
        .ok_or_else(invalid)?;
    let id: Uuid = id.parse().map_err(|_| invalid())?;
    Ok(Some((at, id)))
}

/// Validated page size, plus one extra row fetched to learn whether a next page exists.
pub fn fetch_limit(limit: Option<u32>) -> Result<i64, ApiError> {
    let limit = limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(ApiError::bad_request(
            ErrorCode::InvalidQueryParameter,
            format!("limit must be between 1 and {MAX_LIMIT}"),
        ));
    }
    Ok(i64::from(limit) + 1)
}

/// Cuts the extra row off and returns the cursor of the page's last item, if more follow.
pub fn finish<T>(
    mut rows: Vec<T>,
    fetch_limit: i64,
    position: impl Fn(&T) -> Position,
) -> (Vec<T>, Option<String>) {
    let page_size = usize::try_from(fetch_limit - 1).unwrap_or(0);
    if rows.len() > page_size {
        rows.truncate(page_size);
        let next = rows.last().map(|row| encode(position(row)));
        (rows, next)
    } else {
        (rows, None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursor_round_trips() {
        let position = (
            DateTime::from_timestamp_micros(1_531_965_600_123_456).unwrap(),
            Uuid::now_v7(),
        );
        assert_eq!(decode(Some(&encode(position))).unwrap(), Some(position));
    }

    #[test]
    fn garbage_cursor_is_a_client_error() {
        let err = decode(Some("not-a-cursor!")).unwrap_err();
        assert_eq!(err.code(), "invalid_cursor");
    }
}
