//! Webhooks: organizers' endpoints per conference, deliveries signed per the Standard Webhooks
//! scheme, and the guard against server-side request forgery.
//!
//! Signature: `webhook-signature: v1,<base64 HMAC-SHA256(key, "<webhook-id>.<webhook-timestamp>.<body>")>`
//! where the key is the base64 after `whsec_` in the endpoint's secret. After a rotation the
//! previous secret adds a second signature (space-separated) for a day.

use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, Utc};
use diesel_async::{AsyncConnection, AsyncPgConnection};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use utoipa::ToSchema;
use uuid::Uuid;

use super::Event;
pub use super::ssrf::{check_url, is_public};
use crate::db::outbox::ClaimedRow;
use crate::db::webhooks::{AttemptRow, EndpointKeys, EndpointRow};
use crate::db::{self};
use crate::domain::actor::Actor;
use crate::domain::common::{Access, Lock, load};
use crate::domain::retrying_transaction;
use crate::error::{ApiError, ApiResult, FieldCode, FieldError};

/// Longest wait for an endpoint's answer.
const TIMEOUT: Duration = Duration::from_secs(10);
/// Most of an answer's body read (and then dropped): only the status counts.
const MAX_RESPONSE_BYTES: usize = 64 * 1024;
/// How long the previous secret still signs after a rotation.
const ROTATION_GRACE_HOURS: i64 = 24;

/// A new endpoint.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewEndpoint {
    /// `https://` URL that receives `POST`s; it must resolve to a public address.
    #[schema(
        example = "https://cong.vinhphuc.gov.vn/hooks/hoithao",
        max_length = 2000
    )]
    pub url: String,
    /// The event types it receives.
    #[schema(min_items = 1)]
    pub events: Vec<Event>,
}

/// An endpoint as organizers see it (never its secret).
#[derive(Debug, Serialize, ToSchema)]
pub struct Endpoint {
    pub id: Uuid,
    pub conference_id: Uuid,
    pub url: String,
    pub events: Vec<Event>,
    /// `false` once disabled for failing (see `disabled_reason`); re-enable it with `enable`.
    pub enabled: bool,
    /// Since when every delivery has failed; `null` after a success.
    pub failing_since: Option<DateTime<Utc>>,
    pub disabled_reason: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// An endpoint with its signing secret, shown once (at creation and at each rotation).
#[derive(Debug, Serialize, ToSchema)]
pub struct EndpointWithSecret {
    #[serde(flatten)]
    pub endpoint: Endpoint,
    /// `whsec_` and the base64 key: verify `webhook-signature` with it.
    pub secret: String,
}

/// One delivery attempt in an endpoint's log.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryAttempt {
    /// The delivery (the outbox row): the `webhook-id` it was sent with.
    pub delivery_id: Uuid,
    pub event: Event,
    pub attempted_at: DateTime<Utc>,
    /// The endpoint's HTTP status; `null` when no answer came.
    pub status_code: Option<i32>,
    pub error: Option<String>,
    pub duration_ms: i32,
}

/// The JSON body of every delivery (`webhooks` in the spec). It carries ids and states, never
/// names or contacts: fetch those through the API with an organizer's token if needed.
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookPayload {
    /// The event type.
    #[serde(rename = "type")]
    pub event_type: Event,
    /// When the change happened.
    pub timestamp: DateTime<Utc>,
    pub data: WebhookData,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookData {
    pub conference_id: Uuid,
    pub registration_id: Option<Uuid>,
    pub invitation_id: Option<Uuid>,
    /// Event details: `status` (registration events), `seats`/`unit_id` (invitations),
    /// `changed` (conference fields), `checkin_id`/`session_id`/`direction`/`occurred_at`
    /// (check-ins), `substitution_id`/`by` (substitutions).
    #[schema(value_type = Object)]
    pub details: serde_json::Value,
}

fn to_endpoint(row: EndpointRow) -> ApiResult<Endpoint> {
    Ok(Endpoint {
        id: row.id,
        conference_id: row.conference_id,
        url: row.url,
        events: row
            .events
            .into_iter()
            .flatten()
            .map(|e| e.parse())
            .collect::<ApiResult<_>>()?,
        enabled: row.enabled,
        failing_since: row.failing_since,
        disabled_reason: row.disabled_reason,
        created_at: row.created_at,
    })
}

pub fn new_secret() -> String {
    let key: [u8; 32] = rand::random();
    format!("whsec_{}", STANDARD.encode(key))
}

/// `v1,<signature>` of one message with one secret.
pub fn sign(secret: &str, id: &str, timestamp: i64, body: &[u8]) -> Option<String> {
    let key = STANDARD.decode(secret.strip_prefix("whsec_")?).ok()?;
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).ok()?;
    mac.update(format!("{id}.{timestamp}.").as_bytes());
    mac.update(body);
    Some(format!(
        "v1,{}",
        STANDARD.encode(mac.finalize().into_bytes())
    ))
}

fn check_events(events: &[Event]) -> Result<Vec<String>, FieldError> {
    if events.is_empty() {
        return Err(FieldError::new(
            "events",
            FieldCode::Required,
            "name at least one event type",
        ));
    }
    let mut names: Vec<String> = events.iter().map(|e| e.as_str().to_owned()).collect();
    names.sort();
    names.dedup();
    Ok(names)
}

pub async fn create(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    conference_id: Uuid,
    input: NewEndpoint,
    allow_private: bool,
) -> ApiResult<EndpointWithSecret> {
    load(
        conn,
        conference_id,
        Some(actor),
        Access::Private,
        Lock::None,
    )
    .await?;
    let mut errors = Vec::new();
    let url = check_url(&input.url, allow_private)
        .await
        .map_err(|e| errors.push(e))
        .ok();
    let events = check_events(&input.events).map_err(|e| errors.push(e)).ok();
    let (Some((url, _, _)), Some(events)) = (url, events) else {
        return Err(ApiError::validation(errors));
    };
    let secret = new_secret();
    let row = retrying_transaction!(conn, async |conn| {
        load(
            conn,
            conference_id,
            Some(actor),
            Access::Private,
            Lock::None,
        )
        .await?;
        Ok(db::webhooks::insert(
            conn,
            conference_id,
            url.as_str(),
            &events,
            &secret,
            actor.account_id,
        )
        .await?)
    })?;
    Ok(EndpointWithSecret {
        endpoint: to_endpoint(row)?,
        secret,
    })
}

pub async fn list(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    conference_id: Uuid,
) -> ApiResult<Vec<Endpoint>> {
    load(
        conn,
        conference_id,
        Some(actor),
        Access::Private,
        Lock::None,
    )
    .await?;
    db::webhooks::list(conn, conference_id)
        .await?
        .into_iter()
        .map(to_endpoint)
        .collect()
}

fn not_found() -> ApiError {
    ApiError::not_found("webhook endpoint not found")
}

pub async fn delete(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    conference_id: Uuid,
    id: Uuid,
) -> ApiResult<()> {
    load(
        conn,
        conference_id,
        Some(actor),
        Access::Private,
        Lock::None,
    )
    .await?;
    if !db::webhooks::delete(conn, conference_id, id).await? {
        return Err(not_found());
    }
    Ok(())
}

/// A new secret, shown once; the previous one still signs for a day.
pub async fn rotate(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    conference_id: Uuid,
    id: Uuid,
) -> ApiResult<EndpointWithSecret> {
    load(
        conn,
        conference_id,
        Some(actor),
        Access::Private,
        Lock::None,
    )
    .await?;
    let secret = new_secret();
    let grace = Utc::now() + chrono::Duration::hours(ROTATION_GRACE_HOURS);
    let row = db::webhooks::rotate_secret(conn, conference_id, id, &secret, grace)
        .await?
        .ok_or_else(not_found)?;
    Ok(EndpointWithSecret {
        endpoint: to_endpoint(row)?,
        secret,
    })
}

pub async fn enable(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    conference_id: Uuid,
    id: Uuid,
) -> ApiResult<Endpoint> {
    load(
        conn,
        conference_id,
        Some(actor),
        Access::Private,
        Lock::None,
    )
    .await?;
    to_endpoint(
        db::webhooks::enable(conn, conference_id, id)
            .await?
            .ok_or_else(not_found)?,
    )
}

/// The endpoint's latest attempts (up to 200), newest first.
pub async fn attempts(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    conference_id: Uuid,
    id: Uuid,
) -> ApiResult<Vec<DeliveryAttempt>> {
    load(
        conn,
        conference_id,
        Some(actor),
        Access::Private,
        Lock::None,
    )
    .await?;
    db::webhooks::find(conn, conference_id, id)
        .await?
        .ok_or_else(not_found)?;
    db::webhooks::attempts(conn, id, 200)
        .await?
        .into_iter()
        .map(|row: AttemptRow| {
            Ok(DeliveryAttempt {
                delivery_id: row.outbox_id,
                event: row.event.parse()?,
                attempted_at: row.attempted_at,
                status_code: row.status_code,
                error: row.error,
                duration_ms: row.duration_ms,
            })
        })
        .collect()
}

/// Sends a delivery of this endpoint again (same `webhook-id`), whatever its state.
pub async fn redeliver(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    conference_id: Uuid,
    id: Uuid,
    delivery_id: Uuid,
) -> ApiResult<()> {
    load(
        conn,
        conference_id,
        Some(actor),
        Access::Private,
        Lock::None,
    )
    .await?;
    db::webhooks::find(conn, conference_id, id)
        .await?
        .ok_or_else(not_found)?;
    if !db::webhooks::redeliver(conn, id, delivery_id).await? {
        return Err(ApiError::not_found(
            "no such delivery for this endpoint (or it is being sent right now)",
        ));
    }
    Ok(())
}

/// What one delivery attempt came to.
pub struct Delivered {
    pub status_code: Option<i32>,
    pub error: Option<String>,
    pub duration_ms: i32,
}

/// Makes ring the process's rustls provider, for any HTTP client built without an explicit
/// TLS configuration (reqwest is built with `rustls-no-provider`, so that aws-lc is never
/// compiled). Idempotent; `main` and the test harness call it first thing.
pub fn install_crypto_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// The TLS settings of webhook requests: rustls with ring and the Mozilla roots.
pub fn tls_config() -> Result<rustls::ClientConfig, String> {
    let roots = rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    Ok(rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(|e| format!("webhook TLS: {e}"))?
    .with_root_certificates(roots)
    .with_no_client_auth())
}

/// The body of a claimed webhook row.
pub fn payload(row: &ClaimedRow) -> ApiResult<Vec<u8>> {
    let payload = WebhookPayload {
        event_type: row.event.parse()?,
        timestamp: row.created_at,
        data: WebhookData {
            conference_id: row.conference_id,
            registration_id: row.registration_id,
            invitation_id: row.invitation_id,
            details: row.data.clone(),
        },
    };
    serde_json::to_vec(&payload).map_err(|e| ApiError::internal(e.to_string()))
}

/// Posts one delivery: the URL checked again (DNS may have changed since the endpoint was
/// registered) and the connection made to the checked addresses, no redirects, a short
/// timeout, and at most `MAX_RESPONSE_BYTES` of the answer read.
pub async fn post(
    tls: &rustls::ClientConfig,
    keys: &EndpointKeys,
    row: &ClaimedRow,
    body: Vec<u8>,
    allow_private: bool,
) -> Delivered {
    let started = Instant::now();
    let result = async {
        let (url, host, addrs) = check_url(&keys.url, allow_private)
            .await
            .map_err(|e| (None, e.message))?;
        let id = row.id.to_string();
        let timestamp = Utc::now().timestamp();
        let signatures: Vec<String> = [Some(&keys.secret), keys.previous_secret.as_ref()]
            .into_iter()
            .flatten()
            .filter_map(|secret| sign(secret.expose(), &id, timestamp, &body))
            .collect();
        let client = reqwest::Client::builder()
            .use_preconfigured_tls(tls.clone())
            .resolve_to_addrs(&host, &addrs)
            .redirect(reqwest::redirect::Policy::none())
            .timeout(TIMEOUT)
            .build()
            .map_err(|e| (None, format!("client: {e}")))?;
        let mut response = client
            .post(url)
            .header("content-type", "application/json")
            .header("user-agent", "hoithao-webhooks")
            .header("webhook-id", &id)
            .header("webhook-timestamp", timestamp.to_string())
            .header("webhook-signature", signatures.join(" "))
            .body(body)
            .send()
            .await
            .map_err(|e| (None, e.without_url().to_string()))?;
        let status = response.status();
        let mut read = 0;
        while read < MAX_RESPONSE_BYTES {
            match response.chunk().await {
                Ok(Some(chunk)) => read += chunk.len(),
                _ => break,
            }
        }
        let code = Some(i32::from(status.as_u16()));
        if status.is_success() {
            Ok(code)
        } else {
            Err((code, format!("the endpoint answered {status}")))
        }
    }
    .await;
    let duration_ms = i32::try_from(started.elapsed().as_millis()).unwrap_or(i32::MAX);
    match result {
        Ok(status_code) => Delivered {
            status_code,
            error: None,
            duration_ms,
        },
        Err((status_code, error)) => Delivered {
            status_code,
            error: Some(error),
            duration_ms,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_follow_the_standard_webhooks_example() {
        // The example of the Standard Webhooks specification.
        let signature = sign(
            "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            1614265330,
            br#"{"test": 2432232314}"#,
        );
        assert_eq!(
            signature.as_deref(),
            Some("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
        );
    }
}
