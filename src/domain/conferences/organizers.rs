//! Who organizes a conference: listed, added and removed by its organizers (never the last).

use super::{Access, Lock, ensure_editable, load};
use crate::db;
use crate::db::ids::{AccountId, ConferenceId};
use crate::domain::actor::Actor;
use crate::domain::retrying_transaction;
use crate::error::{ApiError, ApiResult, ErrorCode};
use chrono::{DateTime, Utc};
use diesel_async::{AsyncConnection, AsyncPgConnection};
use serde::Serialize;
use utoipa::ToSchema;

/// An organizer of a conference.
#[derive(Debug, Serialize, ToSchema)]
pub struct Organizer {
    #[schema(value_type = uuid::Uuid)]
    pub account_id: AccountId,
    pub email: String,
    pub display_name: String,
    pub added_at: DateTime<Utc>,
}

pub async fn organizers(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    id: ConferenceId,
) -> ApiResult<Vec<Organizer>> {
    load(conn, id.into(), Some(actor), Access::Manage, Lock::None).await?;
    let rows = db::conferences::list_organizers(conn, id).await?;
    Ok(rows
        .into_iter()
        .map(|r| Organizer {
            account_id: r.account_id,
            email: r.email,
            display_name: r.display_name,
            added_at: r.added_at,
        })
        .collect())
}

pub async fn add_organizer(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    id: ConferenceId,
    account_id: AccountId,
) -> ApiResult<()> {
    retrying_transaction!(conn, async |conn| {
        let conference = load(conn, id.into(), Some(actor), Access::Manage, Lock::Update).await?;
        ensure_editable(&conference)?;
        let account = db::accounts::find(conn, account_id.into()).await?;
        match account {
            Some(account) if account.disabled_at.is_none() => {
                db::conferences::add_organizer(conn, id, account_id).await?;
                Ok(())
            }
            Some(_) => Err(ApiError::conflict(
                ErrorCode::AccountDisabled,
                "a disabled account cannot organize a conference",
            )),
            None => Err(ApiError::not_found("account not found")),
        }
    })
}

pub async fn remove_organizer(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    id: ConferenceId,
    account_id: AccountId,
) -> ApiResult<()> {
    retrying_transaction!(conn, async |conn| {
        // The row lock serialises concurrent removals, so the last organizer cannot be removed twice over.
        load(conn, id.into(), Some(actor), Access::Manage, Lock::Update).await?;
        if db::conferences::remove_organizer(conn, id, account_id).await? == 0 {
            return Err(ApiError::not_found(
                "this account does not organize the conference",
            ));
        }
        if db::conferences::count_organizers(conn, id.into()).await? == 0 {
            return Err(ApiError::conflict(
                ErrorCode::LastOrganizer,
                "a conference keeps at least one organizer",
            ));
        }
        Ok(())
    })
}
