//! The delivery worker: a task in every `serve` process. It claims due rows in batches (one
//! `UPDATE ... FOR UPDATE SKIP LOCKED` statement, so replicas share the work and a row goes to
//! one worker at a time), delivers them a few at a time, and records each result only while
//! its claim still holds. A worker that dies leaves its rows `sending`; when their lease ends
//! another worker claims them again, and the email carries the same `Message-ID`.
//!
//! It polls (every `HOITHAO_OUTBOX_POLL_MS` when idle, at once while there is work) rather than
//! `LISTEN`ing: a commit's message goes out within one poll interval, and nothing in the
//! transactions that enqueue has to `NOTIFY`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::StreamExt;

use super::email::Mailer;
use super::message::{Composer, Prepared};
use crate::config::NotifySettings;
use crate::db::outbox::ClaimedRow;
use crate::db::{self, DbPool};
use crate::shutdown::Shutdown;

/// How the worker paces itself.
#[derive(Clone, Debug)]
pub struct DeliverySettings {
    pub max_attempts: i32,
    pub retry_base_ms: u64,
    pub batch_size: i64,
    pub concurrency: usize,
    pub poll: Duration,
    pub lease_secs: i32,
    pub reminder_lead_minutes: i32,
    /// Webhook endpoints may resolve to private and loopback addresses, over http.
    pub webhook_allow_private: bool,
    /// An endpoint failing for this long is disabled.
    pub webhook_disable_after_hours: i32,
}

/// Longest pause between two attempts.
const MAX_RETRY_DELAY_MS: u64 = 6 * 3600 * 1000;
/// How often a worker writes the reminders that have come due.
const REMINDER_SCHEDULE_EVERY: Duration = Duration::from_secs(60);

/// Exponential backoff with jitter: base × 2^(attempt−1), capped, then a random point in its
/// upper half, so messages that failed together do not all come back together.
pub fn retry_delay_ms(base_ms: u64, attempts: i32) -> u64 {
    let exponent = attempts.saturating_sub(1).clamp(0, 30) as u32;
    let delay = base_ms
        .saturating_mul(1u64 << exponent)
        .min(MAX_RETRY_DELAY_MS);
    if delay < 2 {
        return delay;
    }
    rand::random_range(delay / 2..=delay)
}

/// Checks the SMTP URL and the sender without connecting, so `serve` refuses a bad value
/// before it does anything else.
pub fn check_settings(settings: &NotifySettings) -> Result<(), String> {
    super::email::parse_sender(&settings.mail_from)?;
    if let Some(url) = settings
        .smtp_url
        .as_ref()
        .filter(|u| !u.expose().is_empty())
    {
        Mailer::from_url(url.expose(), &settings.mail_from)?;
    }
    Ok(())
}

pub struct Worker {
    pool: DbPool,
    /// `None` when `HOITHAO_SMTP_URL` is unset: email rows stay `pending`.
    mailer: Option<Mailer>,
    composer: Arc<Composer>,
    settings: DeliverySettings,
    webhook_tls: rustls::ClientConfig,
}

impl Worker {
    pub fn new(
        pool: DbPool,
        mailer: Option<Mailer>,
        composer: Composer,
        settings: DeliverySettings,
    ) -> Result<Self, String> {
        Ok(Self {
            pool,
            mailer,
            composer: Arc::new(composer),
            settings,
            webhook_tls: super::webhooks::tls_config()?,
        })
    }

    /// The worker `serve` runs, from its settings. An invalid SMTP URL or sender is an error
    /// naming the variable (`serve` refuses to start with it).
    pub fn from_settings(
        pool: DbPool,
        settings: &NotifySettings,
        webhook_allow_private: bool,
    ) -> Result<Self, String> {
        let default_from = super::email::parse_sender(&settings.mail_from)?;
        let mailer = settings
            .smtp_url
            .as_ref()
            .filter(|url| !url.expose().is_empty())
            .map(|url| Mailer::from_url(url.expose(), &settings.mail_from))
            .transpose()?;
        let templates =
            super::templates::Templates::load().map_err(|e| format!("email templates: {e}"))?;
        let composer = Composer {
            templates,
            default_from,
            public_url: settings.public_url.trim_end_matches('/').to_owned(),
        };
        let delivery = DeliverySettings {
            max_attempts: settings.outbox_max_attempts as i32,
            retry_base_ms: settings.outbox_retry_base_ms,
            batch_size: i64::from(settings.outbox_batch_size),
            concurrency: settings.outbox_concurrency as usize,
            poll: Duration::from_millis(settings.outbox_poll_ms),
            lease_secs: settings.outbox_lease_secs as i32,
            reminder_lead_minutes: (settings.reminder_lead_hours * 60) as i32,
            webhook_allow_private,
            webhook_disable_after_hours: settings.webhook_disable_after_hours as i32,
        };
        Self::new(pool, mailer, composer, delivery)
    }

    /// Whether emails can leave this process.
    pub fn sends_email(&self) -> bool {
        self.mailer.is_some()
    }

    /// Runs until shutdown begins; the batch in hand is finished first.
    pub async fn run(self, shutdown: Shutdown) {
        let mut reminders_due = Instant::now();
        loop {
            if shutdown.is_draining() {
                break;
            }
            if Instant::now() >= reminders_due {
                self.schedule_reminders().await;
                reminders_due = Instant::now() + REMINDER_SCHEDULE_EVERY;
            }
            let handled = match self.run_once().await {
                Ok(handled) => handled,
                Err(e) => {
                    tracing::warn!(error = %e, "outbox: claiming failed; trying again shortly");
                    0
                }
            };
            if handled == 0 {
                tokio::select! {
                    _ = tokio::time::sleep(self.settings.poll) => {}
                    _ = shutdown.begun() => break,
                }
            }
        }
    }

    async fn schedule_reminders(&self) {
        let result = async {
            let mut conn = self.pool.get().await?;
            db::outbox::schedule_reminders(&mut conn, self.settings.reminder_lead_minutes)
                .await
                .map_err(crate::db::BoxError::from)
        }
        .await;
        match result {
            Ok(0) => {}
            Ok(count) => tracing::info!(count, "outbox: reminders scheduled"),
            Err(e) => tracing::warn!(error = %e, "outbox: scheduling reminders failed"),
        }
    }

    /// Claims one batch and delivers it; returns how many rows it handled.
    pub async fn run_once(&self) -> Result<usize, crate::db::BoxError> {
        let channels: Vec<&str> = if self.mailer.is_some() {
            vec!["email", "webhook"]
        } else {
            vec!["webhook"]
        };
        let claimed = {
            let mut conn = self.pool.get().await?;
            db::outbox::claim(
                &mut conn,
                &channels,
                self.settings.batch_size,
                self.settings.lease_secs,
            )
            .await?
        };
        let handled = claimed.len();
        futures_util::stream::iter(claimed)
            .for_each_concurrent(self.settings.concurrency, |row| async move {
                if let Err(e) = self.deliver(&row).await {
                    // The row stays `sending` and is claimed again when its lease ends.
                    tracing::warn!(outbox_id = %row.id, error = %e, "outbox: delivery not recorded");
                }
            })
            .await;
        Ok(handled)
    }

    async fn deliver(&self, row: &ClaimedRow) -> Result<(), crate::db::BoxError> {
        if row.channel == "webhook" {
            return self.deliver_webhook(row).await;
        }
        let prepared = {
            let mut conn = self.pool.get().await?;
            match self.composer.prepare(&mut conn, row).await {
                Ok(prepared) => prepared,
                Err(e) => {
                    tracing::warn!(outbox_id = %row.id, error = %e, "outbox: composing failed");
                    let error = format!("could not compose the message ({})", e.code());
                    self.record_failure(&mut conn, row, &error, false).await?;
                    return Ok(());
                }
            }
        };
        let outcome = match (&prepared, &self.mailer) {
            (Prepared::Send(message), Some(mailer)) => Some(mailer.send(message).await),
            _ => None,
        };
        let mut conn = self.pool.get().await?;
        match (prepared, outcome) {
            (Prepared::Skip(reason), _) => {
                db::outbox::mark_skipped(&mut conn, row.id, row.attempts, reason).await?;
            }
            (Prepared::Send(_), Some(Ok(()))) => {
                db::outbox::mark_sent(&mut conn, row.id, row.attempts).await?;
                tracing::info!(outbox_id = %row.id, event = %row.event, "outbox: email sent");
            }
            (Prepared::Send(_), Some(Err(e))) => {
                self.record_failure(&mut conn, row, &e.message, e.permanent)
                    .await?;
            }
            (Prepared::Send(_), None) => {}
        }
        Ok(())
    }

    async fn deliver_webhook(&self, row: &ClaimedRow) -> Result<(), crate::db::BoxError> {
        let Some(endpoint_id) = row.endpoint_id else {
            return Ok(());
        };
        let keys = {
            let mut conn = self.pool.get().await?;
            match db::webhooks::keys(&mut conn, endpoint_id).await? {
                Some(keys) if keys.enabled => keys,
                _ => {
                    db::outbox::mark_skipped(&mut conn, row.id, row.attempts, "endpoint disabled")
                        .await?;
                    return Ok(());
                }
            }
        };
        let body = super::webhooks::payload(row).map_err(|e| e.to_string())?;
        let delivered = super::webhooks::post(
            &self.webhook_tls,
            &keys,
            row,
            body,
            self.settings.webhook_allow_private,
        )
        .await;
        let mut conn = self.pool.get().await?;
        db::webhooks::record_attempt(
            &mut conn,
            endpoint_id,
            row.id,
            delivered.status_code,
            delivered.error.as_deref(),
            delivered.duration_ms,
        )
        .await?;
        match delivered.error {
            None => {
                db::outbox::mark_sent(&mut conn, row.id, row.attempts).await?;
            }
            Some(error) => {
                self.record_failure(&mut conn, row, &error, false).await?;
                if db::webhooks::disable_if_failing_for(
                    &mut conn,
                    endpoint_id,
                    self.settings.webhook_disable_after_hours,
                )
                .await?
                {
                    tracing::warn!(%endpoint_id, "webhook endpoint disabled: it failed for too long");
                }
            }
        }
        Ok(())
    }

    async fn record_failure(
        &self,
        conn: &mut diesel_async::AsyncPgConnection,
        row: &ClaimedRow,
        error: &str,
        permanent: bool,
    ) -> Result<(), crate::db::BoxError> {
        let retry = (!permanent && row.attempts < self.settings.max_attempts)
            .then(|| retry_delay_ms(self.settings.retry_base_ms, row.attempts) as i64);
        db::outbox::mark_failed(conn, row.id, row.attempts, error, retry).await?;
        tracing::warn!(
            outbox_id = %row.id,
            attempts = row.attempts,
            dead = retry.is_none(),
            "outbox: delivery failed"
        );
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_delays_double_within_their_jitter_and_stop_at_the_cap() {
        for attempt in 1..=5 {
            let full = 1000u64 << (attempt - 1);
            let delay = retry_delay_ms(1000, attempt);
            assert!((full / 2..=full).contains(&delay), "{attempt}: {delay}");
        }
        assert!(retry_delay_ms(1000, 60) <= MAX_RETRY_DELAY_MS);
        assert_eq!(retry_delay_ms(0, 3), 0);
    }
}
