//! Substitutions: the list of who replaced whom in a conference, for organizers.

use actix_web::{get, web};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::auth::Actor;
use crate::domain::substitutions::{self, Substitution, SubstitutionQuery};
use crate::error::{ApiResult, Problem};
use crate::state::AppState;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list_substitutions);
}

/// A page of substitutions.
#[derive(Serialize, ToSchema)]
pub struct SubstitutionPage {
    pub items: Vec<Substitution>,
    /// Cursor for the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

/// List substitutions
///
/// Who replaced whom on a seat, oldest first: the replaced person's name, position and unit,
/// the new person's name, when, and by whom (`invitation`: the unit's contact through its
/// link; `door`: a device, for a walk-in). No contact details; a registration's own view
/// carries those. Filters combine; `district_id` includes the district's communes and offices.
#[utoipa::path(
    tag = "registrations",
    params(("conference_id" = Uuid, Path, description = "Conference id"), SubstitutionQuery),
    responses(
        (status = 200, description = "A page of substitutions", body = SubstitutionPage),
        (status = 400, description = "Malformed filter or cursor (`invalid_query_parameter`, `invalid_cursor`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not a conference the caller organizes (`not_found`)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/conferences/{conference_id}/substitutions")]
async fn list_substitutions(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<Uuid>,
    query: web::Query<SubstitutionQuery>,
) -> ApiResult<web::Json<SubstitutionPage>> {
    let (items, next_cursor) = substitutions::list(
        &mut *state.pool.get().await?,
        &actor,
        path.into_inner(),
        query.into_inner(),
    )
    .await?;
    Ok(web::Json(SubstitutionPage { items, next_cursor }))
}
