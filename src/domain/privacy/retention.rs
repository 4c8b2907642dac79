//! Retention: once a conference has been over for its retention period (its own
//! `retention_days`, else the server's default), its personal data is erased and the
//! aggregates stay. Run daily by `serve` (one replica: an advisory lock) and by `hoithao purge`.

use chrono::{DateTime, Utc};
use diesel_async::{AsyncConnection, AsyncPgConnection};
use serde::Serialize;
use uuid::Uuid;

use crate::db;
use crate::db::audit::AuditActor;
use crate::domain::privacy::erasure::{self, ErasedBy};
use crate::domain::retrying_transaction;
use crate::error::{ApiResult, FieldCode};

/// Advisory lock key of the purge job, so replicas never run it at the same time.
const PURGE_LOCK_KEY: i64 = 0x0068_6f69_7075_7267;

/// A conference whose personal data is (or would be) erased.
#[derive(Debug, Serialize)]
pub struct Expired {
    pub conference_id: Uuid,
    pub code: String,
    pub ended_at: DateTime<Utc>,
    pub retention_days: i32,
    pub registrations: i64,
}

/// What a purge did (or, dry, would do).
#[derive(Debug, Serialize)]
pub struct PurgeReport {
    pub dry_run: bool,
    /// False when another replica held the job's lock and this one did nothing.
    pub ran: bool,
    pub conferences: Vec<Expired>,
    pub throttle_rows_deleted: usize,
}

/// Erases every expired conference's personal data (each in its own transaction) and deletes
/// login throttle rows whose window has passed. With `dry_run`, only reports.
pub async fn purge(
    conn: &mut AsyncPgConnection,
    default_days: i32,
    throttle_window_secs: i64,
    dry_run: bool,
) -> ApiResult<PurgeReport> {
    let expired: Vec<Expired> = db::privacy::expired_conferences(conn, default_days)
        .await?
        .into_iter()
        .map(|c| Expired {
            conference_id: c.id,
            code: c.code,
            ended_at: c.ends_at,
            retention_days: c.retention_days,
            registrations: c.registrations,
        })
        .collect();
    if dry_run {
        return Ok(PurgeReport {
            dry_run,
            ran: true,
            conferences: expired,
            throttle_rows_deleted: 0,
        });
    }
    if !db::privacy::try_job_lock(conn, PURGE_LOCK_KEY).await? {
        return Ok(PurgeReport {
            dry_run,
            ran: false,
            conferences: Vec::new(),
            throttle_rows_deleted: 0,
        });
    }
    let result = erase_all(conn, &expired, throttle_window_secs).await;
    db::privacy::job_unlock(conn, PURGE_LOCK_KEY).await?;
    let throttle_rows_deleted = result?;
    Ok(PurgeReport {
        dry_run,
        ran: true,
        conferences: expired,
        throttle_rows_deleted,
    })
}

async fn erase_all(
    conn: &mut AsyncPgConnection,
    expired: &[Expired],
    throttle_window_secs: i64,
) -> ApiResult<usize> {
    for conference in expired {
        erase_conference(conn, conference.conference_id).await?;
    }
    Ok(db::privacy::purge_stale_throttle(conn, throttle_window_secs).await?)
}

async fn erase_conference(conn: &mut AsyncPgConnection, conference_id: Uuid) -> ApiResult<()> {
    retrying_transaction!(conn, async |conn| {
        db::audit::set_transaction_actor(conn, &AuditActor::system()).await?;
        let ids = db::privacy::unerased_of_conference(conn, conference_id).await?;
        if !ids.is_empty() {
            let subject = erasure::subject(conn, ids, ErasedBy::Retention).await?;
            erasure::run(conn, &subject).await?;
        }
        db::privacy::mark_conference_erased(conn, conference_id).await?;
        Ok(())
    })
}

/// Sets a conference's own retention period (`None`: the server's default).
pub async fn set_days(
    conn: &mut AsyncPgConnection,
    actor: &crate::domain::actor::Actor,
    conference_id: Uuid,
    days: Option<i32>,
) -> ApiResult<()> {
    if days.is_some_and(|d| !(0..=36500).contains(&d)) {
        return Err(crate::error::ApiError::validation(vec![
            crate::error::FieldError::new(
                "retention_days",
                FieldCode::OutOfRange,
                "retention_days must be between 0 and 36500",
            ),
        ]));
    }
    retrying_transaction!(conn, async |conn| {
        crate::domain::common::load(
            conn,
            conference_id,
            Some(actor),
            crate::domain::common::Access::Private,
            crate::domain::common::Lock::Update,
        )
        .await?;
        db::privacy::set_retention_days(conn, conference_id, days).await?;
        Ok(())
    })
}

/// The purge job of `serve`: runs `purge` every `interval` (the first run one minute after
/// start). Every replica runs the loop; the advisory lock lets one of them do the work.
/// Logs conference codes and counts only.
pub async fn run_periodically(
    pool: crate::db::DbPool,
    default_days: i32,
    throttle_window_secs: i64,
    interval: std::time::Duration,
) {
    let mut next = std::time::Duration::from_secs(60).min(interval);
    loop {
        tokio::time::sleep(next).await;
        next = interval;
        let result = match pool.get().await {
            Ok(mut conn) => purge(&mut conn, default_days, throttle_window_secs, false).await,
            Err(e) => Err(e.into()),
        };
        match result {
            Ok(report) if report.ran => tracing::info!(
                conferences = ?report.conferences.iter().map(|c| c.code.as_str()).collect::<Vec<_>>(),
                registrations = report.conferences.iter().map(|c| c.registrations).sum::<i64>(),
                throttle_rows = report.throttle_rows_deleted,
                "retention purge done"
            ),
            Ok(_) => tracing::debug!("retention purge running in another replica"),
            Err(e) => {
                tracing::warn!(error = %e, "retention purge failed; retrying at the next run")
            }
        }
    }
}
