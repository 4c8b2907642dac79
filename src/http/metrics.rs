//! Metrics: the middleware that counts every API request, the recording helpers handlers call
//! where an outcome is known, and the `/metrics` server on its own listener
//! (`HOITHAO_METRICS_LISTEN`). The API server never routes `/metrics`: the figures are for
//! operators' networks, not for the clients of the API.

use std::net::TcpListener;
use std::time::{Duration, Instant};

use actix_web::body::MessageBody;
use actix_web::dev::{Server, ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::middleware::Next;
use actix_web::{App, Error, HttpResponse, HttpServer, web};

use crate::domain::conferences::Versioned;
use crate::domain::idempotency::Outcome;
use crate::domain::registrations::RegistrationStatus;
use crate::error::{ApiError, ApiResult};
use crate::metrics::{BacklogCount, PoolFigures};
use crate::state::AppState;

/// How long a scrape waits for the outbox backlog (a pooled connection and one query) before
/// exporting the previous figures with `hoithao_outbox_backlog_up 0`: a busy or unreachable
/// database must not make the scrape itself time out.
const BACKLOG_TIMEOUT: Duration = Duration::from_secs(2);

/// Counts the request by method, route template and status, and times it to its response
/// headers (a streamed body goes on after). The route is the template (`/api/v1/conferences/
/// {conference_id}/checkins`), never the raw path, which carries ids.
pub async fn record(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let Some(state) = req.app_data::<web::Data<AppState>>().cloned() else {
        return next.call(req).await;
    };
    let method = method_label(req.method());
    let route = req.match_pattern();
    let route = route.as_deref().unwrap_or("unmatched");
    let started = Instant::now();
    let result = next.call(req).await;
    let (status, code) = match &result {
        Ok(response) => (
            response.status(),
            response
                .response()
                .error()
                .and_then(|e| e.as_error::<ApiError>())
                .map(ApiError::code),
        ),
        Err(error) => (
            error.as_response_error().status_code(),
            error.as_error::<ApiError>().map(ApiError::code),
        ),
    };
    state
        .metrics
        .observe_request(method, route, status.as_str(), started.elapsed(), code);
    result
}

/// Methods outside the usual set share one label, so that a client cannot mint series.
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

/// The outcome label of a registration attempt: the new registration's status, `replayed`
/// for an idempotent replay, or the error's code.
pub fn registration_outcome<T>(
    result: &ApiResult<Outcome<(Versioned<T>, String)>>,
    status: impl Fn(&T) -> RegistrationStatus,
) -> &'static str {
    match result {
        Ok(Outcome::Fresh((registration, _))) => status(&registration.value).as_str(),
        Ok(Outcome::Replayed(_)) => "replayed",
        Err(error) => error.code(),
    }
}

/// `GET /metrics`: the text exposition format.
async fn scrape(state: web::Data<AppState>) -> HttpResponse {
    // Read before the backlog query checks out a connection of its own.
    let status = state.pool.status();
    let pool = PoolFigures {
        max_size: status.max_size,
        size: status.size,
        available: status.available,
        waiting: status.waiting,
    };
    let backlog = tokio::time::timeout(BACKLOG_TIMEOUT, outbox_backlog(&state)).await;
    let backlog = match backlog {
        Ok(Ok(counts)) => Some(counts),
        Ok(Err(error)) => {
            tracing::warn!(%error, "metrics: the outbox backlog could not be read");
            None
        }
        Err(_) => {
            tracing::warn!("metrics: the outbox backlog query timed out");
            None
        }
    };
    HttpResponse::Ok()
        .content_type(crate::metrics::content_type())
        .insert_header(("Cache-Control", "no-store"))
        .body(state.metrics.render(pool, backlog.as_deref()))
}

async fn outbox_backlog(state: &AppState) -> Result<Vec<BacklogCount>, crate::db::BoxError> {
    let mut conn = state.pool.get().await?;
    let rows = crate::db::outbox::backlog(&mut conn).await?;
    Ok(rows
        .into_iter()
        .map(|row| BacklogCount {
            channel: row.channel,
            state: row.state,
            messages: row.messages,
        })
        .collect())
}

async fn not_found() -> HttpResponse {
    HttpResponse::NotFound()
        .content_type("text/plain; charset=utf-8")
        .body("only /metrics is served here\n")
}

/// The metrics server: one worker, `GET /metrics` and nothing else, sharing the API's state
/// (the same registry and pool). It does not handle signals: the caller stops it with the API.
pub fn serve_metrics(state: AppState, listener: TcpListener) -> std::io::Result<Server> {
    let server = HttpServer::new(move || {
        App::new()
            .app_data(web::Data::new(state.clone()))
            .route("/metrics", web::get().to(scrape))
            .default_service(web::to(not_found))
    })
    .listen(listener)?
    .workers(1)
    .disable_signals()
    .shutdown_timeout(1);
    Ok(server.run())
}
