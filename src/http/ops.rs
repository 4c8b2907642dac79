//! Liveness and readiness probes.

use actix_web::{HttpResponse, get, web};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(healthz).service(readyz);
}

/// Probe result.
#[derive(Serialize, ToSchema)]
pub struct Health {
    /// `ok` when healthy.
    #[schema(example = "ok")]
    pub status: String,
}

/// Liveness: the process answers.
#[utoipa::path(tag = "operations", responses((status = 200, description = "The process is alive", body = Health)))]
#[get("/healthz")]
async fn healthz() -> web::Json<Health> {
    web::Json(Health {
        status: "ok".into(),
    })
}

/// Readiness: the database answers and every migration this binary knows is applied.
#[utoipa::path(
    tag = "operations",
    responses(
        (status = 200, description = "Ready to serve", body = Health),
        (status = 503, description = "Database unreachable (`database_unavailable`) or migrations pending (`not_ready`)", body = crate::error::Problem,
         content_type = "application/problem+json", headers(("Retry-After" = u64, description = "Seconds to wait"))),
    )
)]
#[get("/readyz")]
async fn readyz(state: web::Data<AppState>) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let expected = state.expected_migrations.as_ref().clone();
    let applied = crate::db::applied_migrations(&mut conn, &expected)
        .await
        .map_err(|e| match e {
            // No migrations table yet: the database answers but is not migrated.
            diesel::result::Error::DatabaseError(..) => {
                ApiError::not_ready("the database is not migrated; run `hoithao migrate`")
            }
            other => ApiError::unavailable(other),
        })?;
    if applied < expected.len() {
        return Err(ApiError::not_ready(
            "migrations are pending; run `hoithao migrate`",
        ));
    }
    Ok(HttpResponse::Ok().json(Health {
        status: "ok".into(),
    }))
}
