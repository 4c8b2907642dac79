//! Scans: online, offline batches and paper back-fills, each decided and recorded by one call
//! of the scan functions in PostgreSQL.

use super::*;

pub(crate) fn local_day(instant: DateTime<Utc>, time_zone: &str) -> NaiveDate {
    let tz: Tz = time_zone.parse().unwrap_or(chrono_tz::Asia::Ho_Chi_Minh);
    instant.with_timezone(&tz).date_naive()
}

/// `hoithao:1:<id>:<secret>` → the registration id and the secret; `None` when malformed.
pub(super) fn parse_code(code: &str) -> Option<(Uuid, &str)> {
    let (id, secret) = code.trim().strip_prefix(QR_PREFIX)?.split_once(':')?;
    Some((id.parse().ok()?, secret))
}

/// Checks a scan and turns it into what the database decides on. The code's secret travels
/// as its SHA-256 and is compared as a digest there, so the comparison's timing reveals
/// nothing an attacker can steer.
pub(super) fn scan_args(input: &ScanRequest, method: &'static str) -> ApiResult<ScanArgs> {
    let mut v = Validator::new();
    if input.code.is_some() == input.registration_id.is_some() {
        v.push(
            "code",
            crate::error::FieldCode::CodeOrRegistrationId,
            "give either code or registration_id",
        );
    }
    if input.code.as_deref().is_some_and(|c| c.len() > 200) {
        v.push(
            "code",
            crate::error::FieldCode::TooLong,
            "code must be at most 200 characters",
        );
    }
    let occurred_at = check_timestamp(&mut v, "occurred_at", &input.occurred_at);
    v.finish()?;
    let (registration_id, secret_sha256) = match &input.code {
        // A malformed code is still recorded, as `unknown_code`.
        Some(code) => parse_code(code).map_or((None, None), |(id, secret)| {
            (Some(id), Some(tokens::hash(secret)))
        }),
        None => (input.registration_id, None),
    };
    Ok(ScanArgs {
        id: Uuid::now_v7(),
        nonce: input.nonce,
        registration_id,
        secret_sha256,
        session_id: input.session_id,
        direction: input.direction.as_str(),
        method,
        occurred_at,
    })
}

/// What the database functions answer (`checkin_outcome`): a refusal code or the scan's result.
pub(super) fn recorded(row: OutcomeRow) -> ApiResult<ScanResult> {
    if let Some(error) = row.error {
        return Err(refusal(&error));
    }
    let missing = |field: &str| ApiError::internal(format!("check-in result without {field}"));
    let delegate = match row.delegate_registration_id {
        None => None,
        Some(registration_id) => Some(DelegateCard::new(
            registration_id,
            row.delegate_full_name
                .ok_or_else(|| missing("delegate full_name"))?,
            row.delegate_position,
            row.delegate_unit_name,
            row.delegate_organization,
            row.delegate_category
                .ok_or_else(|| missing("delegate category"))?,
        )),
    };
    Ok(ScanResult {
        outcome: row.outcome.ok_or_else(|| missing("outcome"))?,
        checkin_id: row.checkin_id.ok_or_else(|| missing("checkin_id"))?,
        replayed: row.replayed.ok_or_else(|| missing("replayed"))?,
        delegate,
        first_checked_in_at: row.first_checked_in_at,
        first_device: row.first_device,
        conflict: row.conflict,
    })
}

/// The API error for a refusal code of the check-in functions.
pub(super) fn refusal(code: &str) -> ApiError {
    match code {
        "invalid_token" => ApiError::unauthorized(
            ErrorCode::InvalidToken,
            "this device token is unknown or revoked",
        ),
        "conference_not_found" => ApiError::not_found("conference not found"),
        "session_not_served" => ApiError::forbidden("this device does not serve that session"),
        "unknown_session" => ApiError::validation(vec![FieldError::new(
            "session_id",
            crate::error::FieldCode::UnknownSession,
            "no such session in this conference",
        )]),
        "nonce_reused" => ApiError::conflict(
            ErrorCode::NonceReused,
            "this nonce belongs to a scan in another conference; send a new one",
        ),
        "concurrent_update" => ApiError::conflict(
            ErrorCode::ConcurrentUpdate,
            "the same scan arrived twice at once; retry",
        ),
        other => ApiError::internal(format!("unknown check-in refusal {other:?}")),
    }
}

pub(super) fn window_margin_secs(margin: chrono::Duration) -> i32 {
    i32::try_from(margin.num_seconds()).unwrap_or(i32::MAX)
}

/// Records a scan by the device holding `token` and says what the door screen should show:
/// one statement, one round trip.
pub async fn scan(
    conn: &mut AsyncPgConnection,
    checkin_window_margin: chrono::Duration,
    token: &str,
    conference_id: Uuid,
    input: ScanRequest,
) -> ApiResult<ScanResult> {
    let method = if input.code.is_some() {
        "scan"
    } else {
        "manual"
    };
    let args = scan_args(&input, method)?;
    let row = db::checkins::scan_by_token(
        conn,
        &tokens::hash(token),
        conference_id,
        &args,
        window_margin_secs(checkin_window_margin),
    )
    .await?;
    recorded(row)
}

/// Up to 1,000 scans a device made offline. Each is recorded even when it conflicts with what
/// the server knows (the delegate was admitted at the door either way) and flagged with the
/// reason; a malformed scan gets an error code instead of failing the batch. The batch is one
/// statement and one transaction: retrying it after a failure records each scan once.
pub async fn upload(
    conn: &mut AsyncPgConnection,
    checkin_window_margin: chrono::Duration,
    device: &DeviceRow,
    batch: ScanBatch,
) -> ApiResult<Vec<BatchItem>> {
    if batch.scans.is_empty() || batch.scans.len() > 1000 {
        return Err(ApiError::validation(vec![FieldError::new(
            "scans",
            crate::error::FieldCode::InvalidLength,
            "send 1 to 1000 scans",
        )]));
    }
    let mut items = Vec::with_capacity(batch.scans.len());
    let mut valid = Vec::with_capacity(batch.scans.len());
    let mut positions = Vec::with_capacity(batch.scans.len());
    for scan in &batch.scans {
        let (args, error) = match scan_args(scan, "offline") {
            Ok(args) => (Some(args), None),
            Err(error) => (None, Some(error.code().to_owned())),
        };
        if let Some(args) = args {
            positions.push(items.len());
            valid.push(args);
        }
        items.push(BatchItem {
            nonce: scan.nonce,
            result: None,
            error,
        });
    }
    if valid.is_empty() {
        return Ok(items);
    }
    let results = db::checkins::record_batch(
        conn,
        device,
        &valid,
        window_margin_secs(checkin_window_margin),
    )
    .await?;
    if results.len() != positions.len() {
        return Err(ApiError::internal(
            "the check-in batch did not return one result per scan",
        ));
    }
    for (position, row) in positions.into_iter().zip(results) {
        match recorded(row) {
            Ok(result) => items[position].result = Some(result),
            Err(error) if error.is_client_error() => {
                items[position].error = Some(error.code().to_owned());
            }
            Err(error) => return Err(error),
        }
    }
    Ok(items)
}

/// Records a check-in from a paper sign-in sheet, with its door time, as `manual`.
pub async fn backfill(
    conn: &mut AsyncPgConnection,
    checkin_window_margin: chrono::Duration,
    actor: &Actor,
    conference_id: Uuid,
    input: ScanRequest,
) -> ApiResult<ScanResult> {
    load(
        conn,
        conference_id,
        Some(actor),
        Access::Private,
        Lock::None,
    )
    .await?;
    if input.registration_id.is_none() {
        return Err(ApiError::validation(vec![FieldError::new(
            "registration_id",
            crate::error::FieldCode::Required,
            "back-fills name the registration",
        )]));
    }
    let args = scan_args(&input, "manual")?;
    let row = db::checkins::record(
        conn,
        conference_id,
        None,
        &args,
        window_margin_secs(checkin_window_margin),
    )
    .await?;
    recorded(row)
}
