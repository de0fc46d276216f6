//! Accounts: sign-up, sign-in with throttling, sessions.

use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set, SqlErr,
};
use time::OffsetDateTime;
use uuid::Uuid;

use super::audit::{self, AuditEvent, RequestMeta};
use crate::auth::password::PasswordHasher;
use crate::auth::principal::AccountSummary;
use crate::domain::{AccountType, DisplayName, Email, PartnerStatus, Password, hash_session_key};
use crate::entities::{account, session, sign_in_failure};
use crate::error::AppError;
use crate::time_fmt::now;

/// How far back failed sign-ins count towards the throttle.
pub const THROTTLE_WINDOW: time::Duration = time::Duration::minutes(15);

#[derive(Debug)]
pub struct NewAccount {
    pub display_name: DisplayName,
    pub email: Email,
    pub password: Password,
    pub account_type: AccountType,
    pub company_name: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum SignUpError {
    #[error("an account with this email already exists")]
    EmailTaken,
    #[error(transparent)]
    App(#[from] AppError),
}

pub async fn create_account(
    db: &DatabaseConnection,
    hasher: &PasswordHasher,
    new: NewAccount,
    meta: &RequestMeta,
) -> Result<AccountSummary, SignUpError> {
    let password_hash = hasher
        .hash(new.password)
        .await
        .map_err(AppError::Unexpected)?;
    let now = now();
    let model = account::ActiveModel {
        id: Set(Uuid::now_v7()),
        email: Set(new.email.as_str().to_owned()),
        display_name: Set(new.display_name.as_str().to_owned()),
        password_hash: Set(password_hash),
        account_type: Set(new.account_type.as_str().to_owned()),
        company_name: Set(new.company_name),
        partner_status: Set(PartnerStatus::None.as_str().to_owned()),
        partner_note: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(db)
    .await
    .map_err(|e| match e.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(_)) => SignUpError::EmailTaken,
        _ => SignUpError::App(e.into()),
    })?;
    audit::record_with(db, model.id, AuditEvent::AccountCreated, "", meta)
        .await
        .map_err(AppError::from)?;
    Ok(AccountSummary::try_from(model).map_err(AppError::Unexpected)?)
}

#[derive(Debug, thiserror::Error)]
pub enum SignInError {
    #[error("email or password is incorrect")]
    InvalidCredentials,
    #[error("too many failed attempts")]
    Throttled { retry_after_secs: u64 },
    #[error(transparent)]
    App(#[from] AppError),
}

pub struct ThrottleLimits {
    pub per_account: u64,
    pub per_ip: u64,
}

/// Checks the password. Unknown emails and wrong passwords take the same
/// time and give the same error; failures are throttled per email (known
/// or not, so the throttle reveals nothing) and per client IP.
pub async fn authenticate(
    db: &DatabaseConnection,
    hasher: &PasswordHasher,
    email: &str,
    password: String,
    limits: &ThrottleLimits,
    meta: &RequestMeta,
) -> Result<AccountSummary, SignInError> {
    let email_hash = hash_session_key(&email.trim().to_lowercase());
    let ip = meta.ip.clone().unwrap_or_default();
    let now = now();
    // The attempt is recorded before the password is checked, so parallel
    // guesses each see the others: the (max+1)th is refused however fast
    // they arrive. A successful attempt removes its own record.
    let attempt = sign_in_failure::ActiveModel {
        id: Set(Uuid::now_v7()),
        email_hash: Set(email_hash.clone()),
        ip: Set(ip.clone()),
        created_at: Set(now),
    }
    .insert(db)
    .await
    .map_err(AppError::from)?;
    let forget_attempt = || async {
        sign_in_failure::Entity::delete_by_id(attempt.id)
            .exec(db)
            .await
            .map_err(AppError::from)
    };
    let since = now - THROTTLE_WINDOW;
    for (column, value, max) in [
        (
            sign_in_failure::Column::EmailHash,
            email_hash.clone(),
            limits.per_account,
        ),
        (sign_in_failure::Column::Ip, ip.clone(), limits.per_ip),
    ] {
        let recent = sign_in_failure::Entity::find()
            .filter(column.eq(value))
            .filter(sign_in_failure::Column::CreatedAt.gt(since))
            .order_by_desc(sign_in_failure::Column::CreatedAt)
            .limit(max + 1)
            .all(db)
            .await
            .map_err(AppError::from)?;
        if recent.len() as u64 > max {
            // Refused attempts do not extend the wait.
            forget_attempt().await?;
            let oldest = recent.iter().map(|f| f.created_at).min().unwrap_or(now);
            let retry = (oldest + THROTTLE_WINDOW - now).whole_seconds().max(1) as u64;
            return Err(SignInError::Throttled {
                retry_after_secs: retry,
            });
        }
    }

    let found = match Email::parse(email) {
        Ok(email) => account::Entity::find()
            .filter(account::Column::Email.eq(email.as_str()))
            .one(db)
            .await
            .map_err(AppError::from)?,
        Err(_) => None,
    };
    let stored = found.as_ref().map(|a| a.password_hash.clone());
    let valid = hasher
        .verify(password, stored)
        .await
        .map_err(AppError::Unexpected)?;
    match found {
        Some(model) if valid => {
            forget_attempt().await?;
            audit::record_with(db, model.id, AuditEvent::SignedIn, "", meta)
                .await
                .map_err(AppError::from)?;
            Ok(AccountSummary::try_from(model).map_err(AppError::Unexpected)?)
        }
        found => {
            if let Some(model) = found {
                // Off the response path: an extra write only for real
                // accounts would let response times tell them apart.
                let (db, meta) = (db.clone(), meta.clone());
                tokio::spawn(async move {
                    if let Err(e) = audit::record_with(
                        &db,
                        model.id,
                        AuditEvent::SignInFailed,
                        "wrong password",
                        &meta,
                    )
                    .await
                    {
                        tracing::warn!(error = %e, "recording a failed sign-in");
                    }
                });
            }
            Err(SignInError::InvalidCredentials)
        }
    }
}

pub async fn find_summary(
    db: &DatabaseConnection,
    id: Uuid,
) -> Result<Option<AccountSummary>, AppError> {
    match account::Entity::find_by_id(id).one(db).await? {
        Some(model) => Ok(Some(AccountSummary::try_from(model)?)),
        None => Ok(None),
    }
}

#[derive(Debug, Clone)]
pub struct ActiveSession {
    pub public_id: String,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub created_at: OffsetDateTime,
    pub last_seen_at: OffsetDateTime,
}

/// Public id kept in the session state, to mark "this device" in the list.
pub const SESSION_PUBLIC_ID: &str = "sid";

pub async fn active_sessions(
    db: &DatabaseConnection,
    account_id: Uuid,
) -> Result<Vec<ActiveSession>, AppError> {
    let rows = session::Entity::find()
        .filter(session::Column::AccountId.eq(account_id))
        .filter(session::Column::ExpiresAt.gt(now()))
        .order_by_desc(session::Column::LastSeenAt)
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let state: std::collections::HashMap<String, String> =
                serde_json::from_str(&row.state).unwrap_or_default();
            ActiveSession {
                public_id: state
                    .get(SESSION_PUBLIC_ID)
                    .and_then(|v| serde_json::from_str(v).ok())
                    .unwrap_or_default(),
                ip: row.ip,
                user_agent: row.user_agent,
                created_at: row.created_at,
                last_seen_at: row.last_seen_at,
            }
        })
        .collect())
}

/// "Sign out everywhere": deletes every session of the account.
pub async fn revoke_all_sessions(
    db: &DatabaseConnection,
    account_id: Uuid,
    meta: &RequestMeta,
) -> Result<u64, AppError> {
    let deleted = session::Entity::delete_many()
        .filter(session::Column::AccountId.eq(account_id))
        .exec(db)
        .await?
        .rows_affected;
    audit::record_with(
        db,
        account_id,
        AuditEvent::SessionsRevoked,
        format!("{deleted} session(s) ended"),
        meta,
    )
    .await?;
    Ok(deleted)
}

/// Sets an account's partner status (used by partner review).
pub async fn set_partner_status<C: sea_orm::ConnectionTrait>(
    db: &C,
    account_id: Uuid,
    status: PartnerStatus,
    note: Option<String>,
) -> Result<(), AppError> {
    account::Entity::update_many()
        .col_expr(account::Column::PartnerStatus, Expr::value(status.as_str()))
        .col_expr(account::Column::PartnerNote, Expr::value(note))
        .col_expr(account::Column::UpdatedAt, Expr::value(now()))
        .filter(account::Column::Id.eq(account_id))
        .exec(db)
        .await?;
    Ok(())
}
