//! Accounts, login and its throttle.

use crate::domain::retrying_transaction;

use chrono::{DateTime, Utc};
use diesel_async::AsyncConnection;
use diesel_async::AsyncPgConnection;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::config::AuthSettings;
use crate::db::DbPool;
use crate::db::{self, accounts::AccountRow};
use crate::domain::actor::Actor;
pub use crate::domain::actor::Role;
use crate::domain::pagination;
use crate::domain::password::PasswordHasher;
use crate::domain::text::{Validator, like_contains, query_text};
use crate::error::{ApiError, ApiResult, ErrorCode, FieldCode};

/// An account that can log in.
#[derive(Debug, Serialize, ToSchema)]
pub struct Account {
    pub id: Uuid,
    #[schema(example = "organizer@example.vn")]
    pub email: String,
    #[schema(example = "Trung tâm Khuyến công")]
    pub display_name: String,
    pub role: Role,
    /// Whether the account is disabled (its tokens are refused).
    pub disabled: bool,
    pub disabled_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl TryFrom<AccountRow> for Account {
    type Error = ApiError;
    fn try_from(row: AccountRow) -> ApiResult<Self> {
        Ok(Account {
            id: row.id,
            email: row.email,
            display_name: row.display_name,
            role: row.role.parse().map_err(ApiError::internal)?,
            disabled: row.disabled_at.is_some(),
            disabled_at: row.disabled_at,
            created_at: row.created_at,
            updated_at: row.updated_at,
        })
    }
}

/// A new account.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAccount {
    #[schema(example = "organizer@example.vn", max_length = 254)]
    pub email: String,
    #[schema(example = "Nguyễn Minh Trung", max_length = 200)]
    pub display_name: String,
    /// At least 10 characters.
    #[schema(example = "a long passphrase", min_length = 10, max_length = 256)]
    pub password: String,
    /// Defaults to `organizer`.
    #[serde(default)]
    pub role: Option<Role>,
}

/// Email and password.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    #[schema(example = "organizer@example.vn", max_length = 254)]
    pub email: String,
    #[schema(example = "a long passphrase", max_length = 256)]
    pub password: String,
}

/// Filters of the account list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AccountQuery {
    /// Page size (1-500, default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
    /// Opaque cursor from a previous page's `next_cursor`: pass it back unchanged (its form
    /// may change between versions; an altered one is a 400 `invalid_cursor`).
    #[param(max_length = 200)]
    pub cursor: Option<String>,
    pub role: Option<Role>,
    pub disabled: Option<bool>,
    /// Case-insensitive text contained in the email or display name.
    #[param(max_length = 200)]
    pub q: Option<String>,
}

pub use crate::domain::contact::normalize_email;

/// Hashes the password before taking a connection from `pool`, so none is held while hashing.
pub async fn create(
    pool: &DbPool,
    passwords: &PasswordHasher,
    input: NewAccount,
) -> ApiResult<Account> {
    let mut v = Validator::new();
    let email = normalize_email(&input.email);
    if email.is_none() {
        v.push("email", FieldCode::InvalidFormat, "not an email address");
    }
    let display_name = v.required_line("display_name", &input.display_name, 200);
    let length = input.password.chars().count();
    if !(10..=256).contains(&length) {
        v.push(
            "password",
            FieldCode::InvalidLength,
            "password must be 10 to 256 characters",
        );
    }
    v.finish()?;
    let email = email.unwrap_or_default();
    let hash = passwords
        .hash_limited(input.password)
        .await
        .map_err(|_| busy())?
        .map_err(|e| ApiError::internal(e.to_string()))?;
    let mut conn = pool.get().await?;
    let row = db::accounts::insert(
        &mut conn,
        db::accounts::NewAccountRow {
            id: Uuid::now_v7(),
            email: &email,
            display_name: &display_name,
            password_hash: &hash,
            role: input.role.unwrap_or(Role::Organizer).as_str(),
        },
    )
    .await?;
    row.try_into()
}

pub async fn get(conn: &mut AsyncPgConnection, id: Uuid) -> ApiResult<Account> {
    db::accounts::find(conn, id)
        .await?
        .ok_or_else(|| ApiError::not_found("account not found"))?
        .try_into()
}

pub async fn list(
    conn: &mut AsyncPgConnection,
    query: AccountQuery,
) -> ApiResult<(Vec<Account>, Option<String>)> {
    let limit = pagination::fetch_limit(query.limit)?;
    let after = pagination::decode(query.cursor.as_deref())?;
    // Emails and names as typed: lower-cased, not accent-folded (there is no folded column).
    let pattern = query_text(query.q.as_deref())?.map(|q| like_contains(&q.to_lowercase()));
    let role = query.role.map(Role::as_str);
    let rows = db::accounts::list(
        conn,
        db::accounts::AccountFilter {
            after,
            role,
            disabled: query.disabled,
            email_pattern: pattern.as_deref(),
            limit,
        },
    )
    .await?;
    let (rows, next) = pagination::finish(rows, limit, |row| (row.created_at, row.id));
    let items = rows
        .into_iter()
        .map(Account::try_from)
        .collect::<ApiResult<Vec<_>>>()?;
    Ok((items, next))
}

pub async fn set_disabled(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    id: Uuid,
    disabled: bool,
) -> ApiResult<Account> {
    if disabled && actor.account_id == id {
        return Err(ApiError::conflict(
            ErrorCode::CannotDisableSelf,
            "an admin cannot disable their own account",
        ));
    }
    let row = retrying_transaction!(conn, async |conn| {
        if disabled {
            // Locking every enabled admin serialises concurrent disables, so two admins
            // disabling each other cannot leave none.
            let admins = db::accounts::lock_enabled_admins(conn).await?;
            if admins.len() == 1 && admins.contains(&id) {
                return Err(ApiError::conflict(
                    ErrorCode::LastAdmin,
                    "the last enabled admin cannot be disabled",
                ));
            }
        }
        db::accounts::set_disabled(conn, id, disabled)
            .await?
            .ok_or_else(|| ApiError::not_found("account not found"))
    })?;
    row.try_into()
}

/// Checks the password, honouring three limits: per client IP (across accounts), per account
/// from one IP (low: one guesser is stopped quickly), and per account from every IP together
/// (high: guesses spread over many addresses are bounded, while one attacker's address cannot
/// lock the owner out from theirs). Each attempt is counted atomically before the password is
/// checked, so parallel guesses cannot slip past a limit. Unknown emails and wrong passwords
/// fail the same way and take the same time.
pub async fn login(
    pool: &DbPool,
    settings: &AuthSettings,
    passwords: &PasswordHasher,
    input: LoginRequest,
    client_ip: &str,
) -> ApiResult<Account> {
    let email = normalize_email(&input.email);
    let account = email.as_deref().unwrap_or("-invalid-");
    let account_key = format!("account:{account}");
    let account_ip_key = format!("account-ip:{account}|{client_ip}");
    let ip_key = format!("ip:{client_ip}");
    let window = i64::try_from(settings.login_window_secs).unwrap_or(900);

    let mut conn = pool.get().await?;
    for (key, limit) in [
        (&ip_key, settings.login_max_failures_per_ip),
        (
            &account_ip_key,
            settings.login_max_failures_per_account_and_ip,
        ),
        (&account_key, settings.login_max_failures_per_account),
    ] {
        let (attempts, window_started_at) =
            db::throttle::record_attempt(&mut conn, key, window).await?;
        if i64::from(attempts) > i64::from(limit) {
            let window_ends = window_started_at + chrono::Duration::seconds(window);
            let retry_after = (window_ends - Utc::now()).num_seconds().max(1);
            return Err(ApiError::too_many_requests(
                u64::try_from(retry_after).unwrap_or(1),
            ));
        }
    }
    let account = match &email {
        Some(email) if input.password.len() <= 1024 => {
            db::accounts::find_by_email(&mut conn, email).await?
        }
        _ => None,
    };
    // Do not hold a connection while hashing.
    drop(conn);

    let stored = account.as_ref().map(|a| a.password_hash.clone());
    let verified = passwords
        .verify_limited(input.password, stored)
        .await
        .map_err(|_| busy())?;

    let account = match account {
        Some(account) if verified => account,
        _ => {
            return Err(ApiError::unauthorized(
                ErrorCode::InvalidCredentials,
                "the email or password is incorrect",
            ));
        }
    };
    if account.disabled_at.is_some() {
        return Err(ApiError::unauthorized(
            ErrorCode::AccountDisabled,
            "this account is disabled",
        ));
    }
    let mut conn = pool.get().await?;
    db::throttle::clear(&mut conn, &account_key).await?;
    db::throttle::clear(&mut conn, &account_ip_key).await?;
    db::throttle::forgive_one(&mut conn, &ip_key).await?;
    account.try_into()
}

fn busy() -> ApiError {
    ApiError::too_many_requests(2)
}
