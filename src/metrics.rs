//! The Prometheus metrics of one server process, rendered in the text exposition format on the
//! separate metrics listener (`HOITHAO_METRICS_LISTEN`), never on the API port.
//!
//! Labels hold only bounded, non-personal values: route templates (never raw paths), HTTP
//! methods and statuses, error codes, outcomes and outbox channels and states. No ids, names,
//! tokens or addresses, so a scrape can be stored and shared without a privacy review.
//! The registry belongs to the application state, not to a global: each server (and each test
//! server) counts only its own requests.

use std::sync::atomic::Ordering;
use std::time::Duration;

use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge, IntGaugeVec, Opts,
    Registry, TextEncoder,
};

/// Request durations in seconds: scans answer in a few milliseconds, bundles and exports in
/// seconds.
const LATENCY_BUCKETS: [f64; 14] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];

/// The outbox channels and backlog states, always exported (as 0 when empty) so that alerts
/// see a series rather than its absence.
pub const OUTBOX_CHANNELS: [&str; 2] = ["email", "webhook"];
pub const OUTBOX_BACKLOG_STATES: [&str; 3] = ["pending", "sending", "dead"];

/// Where a scan came from.
#[derive(Debug, Clone, Copy)]
pub enum ScanSource {
    /// `POST .../checkins`: a device online at the door.
    Online,
    /// `POST .../checkin-batches`: scans a device made offline.
    Offline,
    /// `POST .../checkin-backfills`: a line of a paper sign-in sheet.
    Backfill,
}

impl ScanSource {
    fn as_str(self) -> &'static str {
        match self {
            Self::Online => "online",
            Self::Offline => "offline",
            Self::Backfill => "backfill",
        }
    }
}

/// The database pool as deadpool reports it.
#[derive(Debug, Clone, Copy)]
pub struct PoolFigures {
    pub max_size: usize,
    pub size: usize,
    pub available: usize,
    pub waiting: usize,
}

/// One outbox backlog count.
#[derive(Debug, Clone)]
pub struct BacklogCount {
    pub channel: String,
    pub state: String,
    pub messages: i64,
}

pub struct Metrics {
    registry: Registry,
    http_requests: IntCounterVec,
    http_duration: HistogramVec,
    unavailable: IntCounterVec,
    transaction_retries: IntCounter,
    scans: IntCounterVec,
    registrations: IntCounterVec,
    live_subscribers: IntGauge,
    pool_max: IntGauge,
    pool_size: IntGauge,
    pool_in_use: IntGauge,
    pool_waiting: IntGauge,
    outbox: IntGaugeVec,
    outbox_up: IntGauge,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Metrics")
    }
}

impl Metrics {
    pub fn new() -> Result<Self, prometheus::Error> {
        let registry = Registry::new();
        let counter = |name: &str, help: &str, labels: &[&str]| {
            let family = IntCounterVec::new(Opts::new(name, help), labels)?;
            registry.register(Box::new(family.clone()))?;
            Ok::<_, prometheus::Error>(family)
        };
        let gauge = |name: &str, help: &str| {
            let gauge = IntGauge::new(name, help)?;
            registry.register(Box::new(gauge.clone()))?;
            Ok::<_, prometheus::Error>(gauge)
        };
        let http_duration = HistogramVec::new(
            HistogramOpts::new(
                "hoithao_http_request_duration_seconds",
                "Time from the request's arrival to its response headers, by route template and status.",
            )
            .buckets(LATENCY_BUCKETS.to_vec()),
            &["method", "route", "status"],
        )?;
        registry.register(Box::new(http_duration.clone()))?;
        let transaction_retries = IntCounter::new(
            "hoithao_db_transaction_retries_total",
            "Transactions run again after PostgreSQL aborted them for a serialization failure or a deadlock (whole process).",
        )?;
        registry.register(Box::new(transaction_retries.clone()))?;
        let outbox = IntGaugeVec::new(
            Opts::new(
                "hoithao_outbox_messages",
                "Notifications waiting in the outbox (pending, sending) or out of attempts (dead), by channel and state; read at scrape.",
            ),
            &["channel", "state"],
        )?;
        registry.register(Box::new(outbox.clone()))?;
        Ok(Self {
            http_requests: counter(
                "hoithao_http_requests_total",
                "HTTP requests answered, by method, route template and status.",
                &["method", "route", "status"],
            )?,
            http_duration,
            unavailable: counter(
                "hoithao_http_unavailable_total",
                "503 responses, by problem code (database_unavailable, database_timeout, database_contention, ...).",
                &["code"],
            )?,
            transaction_retries,
            scans: counter(
                "hoithao_scans_total",
                "Scans recorded, by source (online, offline, backfill), outcome and whether the nonce was a replay.",
                &["source", "outcome", "replayed"],
            )?,
            registrations: counter(
                "hoithao_registrations_total",
                "Registration attempts, by channel (organizer, self) and outcome (the new status, replayed, or the error code).",
                &["channel", "outcome"],
            )?,
            live_subscribers: gauge(
                "hoithao_live_subscribers",
                "Open live check-in event streams (SSE).",
            )?,
            pool_max: gauge(
                "hoithao_db_pool_max_connections",
                "Largest number of connections the pool opens (HOITHAO_DB_POOL_SIZE).",
            )?,
            pool_size: gauge(
                "hoithao_db_pool_connections",
                "Connections the pool holds now.",
            )?,
            pool_in_use: gauge(
                "hoithao_db_pool_connections_in_use",
                "Connections checked out by requests or background work.",
            )?,
            pool_waiting: gauge(
                "hoithao_db_pool_waiters",
                "Requests waiting for a connection.",
            )?,
            outbox_up: gauge(
                "hoithao_outbox_backlog_up",
                "1 when the last scrape could read the outbox backlog, 0 when the query failed or timed out.",
            )?,
            outbox,
            registry,
        })
    }

    /// Counts one answered request. `route` is the matched template or `unmatched`;
    /// `problem_code` the `code` of a problem response.
    pub fn observe_request(
        &self,
        method: &str,
        route: &str,
        status: &str,
        elapsed: Duration,
        problem_code: Option<&str>,
    ) {
        let labels = [method, route, status];
        self.http_requests.with_label_values(&labels).inc();
        self.http_duration
            .with_label_values(&labels)
            .observe(elapsed.as_secs_f64());
        if status == "503" {
            self.unavailable
                .with_label_values(&[problem_code.unwrap_or("unknown")])
                .inc();
        }
    }

    pub fn scan(&self, source: ScanSource, outcome: &str, replayed: bool) {
        let replayed = if replayed { "true" } else { "false" };
        self.scans
            .with_label_values(&[source.as_str(), outcome, replayed])
            .inc();
    }

    pub fn registration(&self, channel: &str, outcome: &str) {
        self.registrations
            .with_label_values(&[channel, outcome])
            .inc();
    }

    /// Counts a live-feed subscriber until the returned guard is dropped (the stream ends or
    /// the client goes away).
    pub fn live_subscriber(&self) -> LiveSubscriber {
        self.live_subscribers.inc();
        LiveSubscriber(self.live_subscribers.clone())
    }

    /// The text exposition, with the figures read at scrape time set first. `backlog` is
    /// `None` when the outbox could not be read in time.
    pub fn render(&self, pool: PoolFigures, backlog: Option<&[BacklogCount]>) -> String {
        self.pool_max.set(gauge_value(pool.max_size));
        self.pool_size.set(gauge_value(pool.size));
        self.pool_in_use
            .set(gauge_value(pool.size.saturating_sub(pool.available)));
        self.pool_waiting.set(gauge_value(pool.waiting));
        let retries = crate::domain::TRANSACTION_RETRIES.load(Ordering::Relaxed);
        self.transaction_retries
            .inc_by(retries.saturating_sub(self.transaction_retries.get()));
        match backlog {
            Some(counts) => {
                for channel in OUTBOX_CHANNELS {
                    for state in OUTBOX_BACKLOG_STATES {
                        let messages = counts
                            .iter()
                            .find(|c| c.channel == channel && c.state == state)
                            .map_or(0, |c| c.messages);
                        self.outbox
                            .with_label_values(&[channel, state])
                            .set(messages);
                    }
                }
                self.outbox_up.set(1);
            }
            // The previous figures stay: better stale than zero, and `up` says which.
            None => self.outbox_up.set(0),
        }
        let mut text = Vec::new();
        // Encoding into a Vec fails only on a malformed family, which `new` cannot build.
        let _ = TextEncoder::new().encode(&self.registry.gather(), &mut text);
        String::from_utf8(text).unwrap_or_default()
    }
}

fn gauge_value(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// Keeps `hoithao_live_subscribers` counted while a live feed is open.
pub struct LiveSubscriber(IntGauge);

impl Drop for LiveSubscriber {
    fn drop(&mut self) {
        self.0.dec();
    }
}

/// The `Content-Type` of the text exposition format.
pub fn content_type() -> String {
    TextEncoder::new().format_type().to_owned()
}
