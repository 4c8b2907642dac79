//! Approve, reject, cancel or edit many registrations in one request, each with its own result.

use super::*;

/// What a bulk request does to each registration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum BulkAction {
    Approve,
    Reject,
    Cancel,
    /// Apply `patch` to each (e.g. a category or a unit for many delegates at once).
    Edit,
}

/// One action on many registrations; each succeeds or fails on its own.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BulkRequest {
    pub action: BulkAction,
    #[schema(min_items = 1, max_items = 500)]
    pub registration_ids: Vec<Uuid>,
    /// The changes, with `edit`.
    pub patch: Option<PersonPatch>,
}

/// The outcome for one registration of a bulk request.
#[derive(Debug, Serialize, ToSchema)]
pub struct BulkResult {
    pub registration_id: Uuid,
    /// `ok`, or the stable error code (`not_found`, `illegal_status_transition`, `capacity_reached`).
    pub code: String,
    /// The registration after the action, when it succeeded.
    pub registration: Option<OrganizerRegistration>,
}

/// Applies one action to many registrations in order, each in its own savepoint, under one
/// lock of the conference row.
pub async fn bulk(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    conference_id: Uuid,
    request: BulkRequest,
) -> ApiResult<Vec<BulkResult>> {
    if request.registration_ids.is_empty() || request.registration_ids.len() > 500 {
        return Err(ApiError::validation(vec![crate::error::FieldError::new(
            "registration_ids",
            crate::error::FieldCode::InvalidLength,
            "send 1 to 500 registration ids",
        )]));
    }
    let action = match request.action {
        BulkAction::Approve => Some(Action::Approve),
        BulkAction::Reject => Some(Action::Reject),
        BulkAction::Cancel => Some(Action::Cancel),
        BulkAction::Edit => None,
    };
    if let Some(patch) = &request.patch {
        check_patch(patch)?;
    }
    if action.is_none() && request.patch.is_none() {
        return Err(ApiError::validation(vec![crate::error::FieldError::new(
            "patch",
            crate::error::FieldCode::Required,
            "an edit needs the changes in `patch`",
        )]));
    }
    retrying_transaction!(conn, async |conn| {
        let conference = load(
            conn,
            conference_id,
            Some(actor),
            Access::Private,
            Lock::Update,
        )
        .await?;
        // Registrations before sessions, in id order: the lock order sign-ups also follow.
        db::registrations::lock_many(conn, conference_id, &request.registration_ids).await?;
        let mut results = Vec::with_capacity(request.registration_ids.len());
        for id in request.registration_ids.iter().copied() {
            let outcome = conn
                .transaction::<_, ApiError, _>(async |conn| {
                    let current = db::registrations::find(conn, conference_id, id, true)
                        .await?
                        .ok_or_else(|| ApiError::not_found("registration not found"))?;
                    match (action, &request.patch) {
                        (Some(action), _) => apply(conn, &current, action).await,
                        (None, Some(patch)) => {
                            edit_locked(conn, &conference, &current, None, patch.clone()).await
                        }
                        (None, None) => Err(ApiError::internal("bulk edit without a patch")),
                    }
                })
                .await;
            results.push(match outcome {
                Ok(row) => BulkResult {
                    registration_id: id,
                    code: "ok".to_owned(),
                    registration: Some(
                        present_row(conn, row, &conference.code).await?.value.into(),
                    ),
                },
                Err(error) if error.is_client_error() => BulkResult {
                    registration_id: id,
                    code: error.code().to_owned(),
                    registration: None,
                },
                Err(error) => return Err(error),
            });
        }
        Ok(results)
    })
}
