//! Builds the application (shared by `main` and the tests), binds it, and shuts it down gracefully.

use std::net::TcpListener;
use std::sync::Arc;
use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{Server, ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::{Compress, Next, from_fn};
use actix_web::{App, Error, HttpMessage, HttpRequest, HttpServer, web};
use tracing::Instrument;
use utoipa::openapi::OpenApi as OpenApiDoc;
use utoipa_actix_web::AppExt;
use utoipa_swagger_ui::SwaggerUi;
use uuid::Uuid;

use crate::auth::jwt::JwtKeys;
use crate::config::{AuthSettings, DatabaseSettings, Secret, ServeSettings};
use crate::db::{self, BoxError};
use crate::domain::password::PasswordHasher;
use crate::error::ApiError;
use crate::http::middleware::{BodyTimeout, close_when_draining, guard_body};
use crate::state::AppState;

const JWT_SECRET_SETTING: &str = "jwt_secret";
static REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Builds the shared state: pool, signing key (from the environment, or generated once and
/// stored in the database), password hasher.
pub async fn build_state(
    database: &DatabaseSettings,
    jwt_secret: Option<&Secret>,
    auth: &AuthSettings,
    trust_forwarded_for: bool,
    checkin_window_margin: chrono::Duration,
) -> Result<AppState, BoxError> {
    let pool = db::build_pool(database)?;
    // An empty variable (as compose files produce) counts as unset.
    let secret = match jwt_secret.map(Secret::expose).filter(|s| !s.is_empty()) {
        Some(secret) if secret.len() >= 32 => secret.to_owned(),
        Some(_) => return Err("HOITHAO_JWT_SECRET must be at least 32 bytes".into()),
        None => {
            let mut conn = pool.get().await?;
            let generated = random_secret();
            let stored =
                db::settings::get_or_insert(&mut conn, JWT_SECRET_SETTING, &generated).await?;
            tracing::warn!(
                "HOITHAO_JWT_SECRET is not set; using the signing secret stored in the database. \
                 Set it explicitly in production so it can be rotated."
            );
            stored
        }
    };
    if let Some(previous) = auth.jwt_previous_secret.as_ref().map(Secret::expose)
        && !previous.is_empty()
        && previous.len() < 32
    {
        return Err("HOITHAO_JWT_PREVIOUS_SECRET must be at least 32 bytes".into());
    }
    let passwords = PasswordHasher::new(auth.argon2_memory_kib, auth.argon2_iterations)
        .map_err(|e| format!("invalid argon2 parameters: {e}"))?;
    Ok(AppState {
        pool,
        jwt: Arc::new(JwtKeys::new(secret.as_bytes(), auth)?),
        passwords,
        auth: auth.clone(),
        expected_migrations: Arc::new(db::embedded_migration_versions()),
        trust_forwarded_for,
        checkin_window_margin,
        shutdown: crate::shutdown::Shutdown::default(),
        email_configured: false,
        webhook_allow_private: false,
        metrics: Arc::new(crate::metrics::Metrics::new()?),
    })
}

fn random_secret() -> String {
    use base64::Engine;
    let bytes: [u8; 48] = rand::random();
    base64::engine::general_purpose::STANDARD_NO_PAD.encode(bytes)
}

/// Path patterns of the spec and their methods, so that a known path with the wrong method
/// gets 405 with `Allow` instead of 404.
#[derive(Clone)]
pub struct RouteTable(Arc<Vec<(actix_web::dev::ResourceDef, Vec<&'static str>)>>);

impl RouteTable {
    pub fn from_spec(spec: &OpenApiDoc) -> Self {
        let mut table: Vec<_> = spec
            .paths
            .paths
            .iter()
            .map(|(path, item)| {
                let methods = [
                    ("GET", item.get.is_some()),
                    ("PUT", item.put.is_some()),
                    ("POST", item.post.is_some()),
                    ("DELETE", item.delete.is_some()),
                    ("PATCH", item.patch.is_some()),
                ]
                .into_iter()
                .filter_map(|(m, present)| present.then_some(m))
                .collect();
                (actix_web::dev::ResourceDef::new(path.as_str()), methods)
            })
            .collect();
        table.push((
            actix_web::dev::ResourceDef::new("/openapi.json"),
            vec!["GET"],
        ));
        Self(Arc::new(table))
    }

    fn allowed(&self, path: &str) -> Option<String> {
        self.0
            .iter()
            .find(|(def, _)| def.is_match(path))
            .map(|(_, methods)| methods.join(", "))
    }
}

async fn fallback(
    req: HttpRequest,
    routes: web::Data<RouteTable>,
) -> Result<actix_web::HttpResponse, ApiError> {
    match routes.allowed(req.path()) {
        Some(allow) if !allow.is_empty() => Err(ApiError::method_not_allowed(allow)),
        _ => Err(ApiError::not_found("no such route")),
    }
}

/// Echoes a sane `X-Request-Id` or makes one, and runs the request inside a span carrying it,
/// so every log line (errors included) names the request. Logs the route pattern, never the
/// raw path or query, which may carry personal data.
async fn request_context(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let request_id = req
        .headers()
        .get(&REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty() && v.len() <= 128 && v.bytes().all(|b| b.is_ascii_graphic()))
        .map(str::to_owned)
        .unwrap_or_else(|| Uuid::new_v4().to_string());
    req.extensions_mut()
        .insert(crate::http::audit::RequestId(request_id.clone()));
    let span = tracing::info_span!("request", request_id = %request_id, method = %req.method());
    let started = Instant::now();
    let mut response = next.call(req).instrument(span.clone()).await?;
    let status = response.status();
    let route = response
        .request()
        .match_pattern()
        .unwrap_or_else(|| "-".to_owned());
    span.in_scope(|| {
        let elapsed_ms = started.elapsed().as_secs_f64() * 1000.0;
        if status.is_server_error() {
            tracing::error!(%route, status = status.as_u16(), elapsed_ms, "request finished");
        } else {
            tracing::info!(%route, status = status.as_u16(), elapsed_ms, "request finished");
        }
    });
    if let Ok(value) = HeaderValue::from_str(&request_id) {
        response.headers_mut().insert(REQUEST_ID.clone(), value);
    }
    Ok(response)
}

/// The application with every route, middleware and extractor configuration.
pub fn app(
    state: AppState,
    spec: serde_json::Value,
    routes: RouteTable,
    body_limit: usize,
    body_timeout: std::time::Duration,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = Error,
        InitError = (),
    >,
> {
    let (app, _) = App::new()
        .into_utoipa_app()
        .app_data(web::Data::new(state))
        .app_data(web::Data::new(routes))
        .app_data(web::Data::new(BodyTimeout(body_timeout)))
        .app_data(crate::http::json_config(body_limit))
        .app_data(web::PayloadConfig::new(body_limit))
        .app_data(crate::http::path_config())
        .app_data(crate::http::query_config())
        .configure(crate::http::routes)
        .split_for_parts();
    app.service(SwaggerUi::new("/docs/{_:.*}").external_url_unchecked("/openapi.json", spec))
        .service(web::redirect("/docs", "/docs/"))
        .configure(crate::http::web_clients::routes)
        .default_service(web::to(fallback))
        .wrap(from_fn(guard_body))
        .wrap(from_fn(crate::http::audit::name_actor))
        .wrap(Compress::default())
        .wrap(from_fn(close_when_draining))
        .wrap(from_fn(crate::http::metrics::record))
        .wrap(from_fn(request_context))
}

/// Binds the server to a listener; the caller awaits it. The server does not handle signals
/// itself: `stop_on_signal` (or a test) begins the shutdown, so that long-lived streams learn of
/// it before the server stops accepting.
pub fn serve(
    state: AppState,
    settings: &ServeSettings,
    listener: TcpListener,
) -> std::io::Result<Server> {
    let routes = RouteTable::from_spec(&crate::openapi::spec());
    let spec = crate::openapi::spec_json();
    let body_limit = settings.body_limit_bytes;
    let body_timeout = std::time::Duration::from_secs(settings.body_timeout_secs);
    let mut state = state;
    state.webhook_allow_private = settings.webhook_allow_private;
    let mut server = HttpServer::new(move || {
        app(
            state.clone(),
            spec.clone(),
            routes.clone(),
            body_limit,
            body_timeout,
        )
    })
    // Nagle's algorithm is on for accepted sockets unless set otherwise (actix-http leaves it
    // so): a streamed response (bundles, exports, the live feed) whose later chunk follows an
    // unacknowledged first one waits for the client's delayed ACK, 40 ms on Linux.
    .on_connect(|connection, _| {
        if let Some(stream) = connection.downcast_ref::<actix_web::rt::net::TcpStream>() {
            let _ = stream.set_nodelay(true);
        }
    })
    .listen(listener)?
    .disable_signals()
    .shutdown_timeout(settings.shutdown_timeout_secs);
    if let Some(workers) = settings.workers {
        server = server.workers(workers.max(1));
    }
    Ok(server.run())
}

/// On SIGTERM or SIGINT: mark the process as draining (live feeds end, responses close their
/// connections), then stop accepting and let in-flight requests finish within the grace period.
pub async fn stop_on_signal(
    shutdown: crate::shutdown::Shutdown,
    server: actix_web::dev::ServerHandle,
) {
    crate::shutdown::signal().await;
    tracing::info!("shutting down");
    shutdown.begin();
    server.stop(true).await;
}
