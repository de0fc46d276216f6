//! API keys: minting, listing, revoking, rolling, and authenticating them.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, Set, SqlErr, TransactionTrait,
};
use time::OffsetDateTime;
use uuid::Uuid;

use super::audit::{self, AuditEvent, RequestMeta};
use crate::auth::policy;
use crate::auth::principal::{AccountSummary, Credential, Principal};
use crate::domain::{ApiKeySecret, Environment, KeyDescription, Permission};
use crate::entities::{account, api_key, api_key_usage};
use crate::error::AppError;
use crate::state::AppState;
use crate::time_fmt::now;
use crate::usage::day_key;

/// Expiry choices offered on the generate form, in days; 0 = never.
pub const EXPIRY_CHOICES: [u16; 5] = [7, 30, 90, 365, 0];
pub const DEFAULT_EXPIRY_DAYS: u16 = 90;
/// Grace choices for rolling, in hours.
pub const GRACE_CHOICES: [u16; 4] = [0, 1, 24, 72];
/// How long an authenticated key may be served from memory. Other
/// instances see a revocation within this time; this instance at once.
const CACHE_TTL: Duration = Duration::from_millis(900);
const EXPIRING_SOON: time::Duration = time::Duration::days(7);
const UNUSED_WARNING: time::Duration = time::Duration::days(90);

#[derive(Debug, Clone)]
pub struct NewKey {
    pub description: KeyDescription,
    pub permission: Permission,
    pub expires_in_days: u16,
    pub environment: Environment,
    /// The one-time token of the form that asked for the key.
    pub nonce: String,
}

#[derive(Debug, thiserror::Error)]
pub enum MintError {
    /// The same form was submitted twice; the first submission made the key.
    #[error("this form was already submitted")]
    AlreadySubmitted,
    #[error(transparent)]
    App(#[from] AppError),
}

impl From<sea_orm::DbErr> for MintError {
    fn from(err: sea_orm::DbErr) -> Self {
        match err.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(_)) => MintError::AlreadySubmitted,
            _ => MintError::App(err.into()),
        }
    }
}

/// A freshly minted key: the plaintext, for the one response that shows it.
pub struct Minted {
    pub secret: ApiKeySecret,
    pub key: api_key::Model,
}

fn expiry_for(days: u16, from: OffsetDateTime) -> Option<OffsetDateTime> {
    (days > 0).then(|| from + time::Duration::days(days.into()))
}

/// Everything a new key row needs besides its secret.
struct KeySpec<'a> {
    account_id: Uuid,
    description: &'a str,
    permission: Permission,
    environment: Environment,
    expires_at: Option<OffsetDateTime>,
    nonce: &'a str,
    rolled_from: Option<Uuid>,
}

async fn insert_key<C: ConnectionTrait>(db: &C, spec: KeySpec<'_>) -> Result<Minted, MintError> {
    let KeySpec {
        account_id,
        description,
        permission,
        environment,
        expires_at,
        nonce,
        rolled_from,
    } = spec;
    let secret = ApiKeySecret::generate(environment);
    let key = api_key::ActiveModel {
        id: Set(Uuid::now_v7()),
        account_id: Set(account_id),
        key_hash: Set(secret.hash()),
        hint: Set(secret.hint()),
        description: Set(description.to_owned()),
        permission: Set(permission.as_str().to_owned()),
        environment: Set(environment.as_str().to_owned()),
        creation_nonce: Set(nonce.to_owned()),
        rolled_from: Set(rolled_from),
        created_at: Set(now()),
        expires_at: Set(expires_at),
        revoked_at: Set(None),
        revoked_reason: Set(None),
        last_used_at: Set(None),
        last_used_ip: Set(None),
        use_count: Set(0),
    }
    .insert(db)
    .await?;
    Ok(Minted { secret, key })
}

/// Mints a key. The permission may not exceed what the account may have.
pub async fn create_key(
    db: &DatabaseConnection,
    account: &AccountSummary,
    new: NewKey,
    meta: &RequestMeta,
) -> Result<Minted, MintError> {
    let grantable = policy::grantable_permissions(account.account_type, account.partner_status);
    if !grantable.contains(&new.permission) {
        return Err(AppError::Forbidden(format!(
            "Your account cannot create {} keys.",
            new.permission.label()
        ))
        .into());
    }
    let txn = db.begin().await.map_err(AppError::from)?;
    let minted = insert_key(
        &txn,
        KeySpec {
            account_id: account.id,
            description: new.description.as_str(),
            permission: new.permission,
            environment: new.environment,
            expires_at: expiry_for(new.expires_in_days, now()),
            nonce: &new.nonce,
            rolled_from: None,
        },
    )
    .await?;
    let detail = format!("{} ({})", minted.key.description, minted.key.hint);
    audit::record_with(
        &txn,
        account.id,
        AuditEvent::KeyCreated,
        detail.clone(),
        meta,
    )
    .await
    .map_err(AppError::from)?;
    audit::record_with(&txn, account.id, AuditEvent::KeyRevealed, detail, meta)
        .await
        .map_err(AppError::from)?;
    txn.commit().await.map_err(AppError::from)?;
    Ok(minted)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyStatus {
    Active,
    ExpiringSoon,
    Expired,
    Revoked,
}

impl KeyStatus {
    pub fn of(key: &api_key::Model, now: OffsetDateTime) -> Self {
        if key.revoked_at.is_some() {
            KeyStatus::Revoked
        } else {
            match key.expires_at {
                Some(at) if at <= now => KeyStatus::Expired,
                Some(at) if at - now <= EXPIRING_SOON => KeyStatus::ExpiringSoon,
                _ => KeyStatus::Active,
            }
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            KeyStatus::Active => "active",
            KeyStatus::ExpiringSoon => "expiring",
            KeyStatus::Expired => "expired",
            KeyStatus::Revoked => "revoked",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            KeyStatus::Active => "Active",
            KeyStatus::ExpiringSoon => "Expiring soon",
            KeyStatus::Expired => "Expired",
            KeyStatus::Revoked => "Revoked",
        }
    }

    pub fn usable(self) -> bool {
        matches!(self, KeyStatus::Active | KeyStatus::ExpiringSoon)
    }
}

/// A key as the Developer tab lists it.
#[derive(Debug, Clone)]
pub struct KeyListing {
    pub key: api_key::Model,
    pub status: KeyStatus,
    /// Requests per day for the last 30 days, oldest first.
    pub daily: Vec<i64>,
    pub unused_long: bool,
    pub replaces: Option<String>,
    pub replaced_by: Option<String>,
}

pub const SPARK_DAYS: i64 = 30;

pub async fn list_keys(
    db: &DatabaseConnection,
    account_id: Uuid,
) -> Result<Vec<KeyListing>, AppError> {
    let keys = api_key::Entity::find()
        .filter(api_key::Column::AccountId.eq(account_id))
        .order_by_desc(api_key::Column::CreatedAt)
        .all(db)
        .await?;
    let now = now();
    let first_day = day_key(now - time::Duration::days(SPARK_DAYS - 1));
    let ids: Vec<Uuid> = keys.iter().map(|k| k.id).collect();
    let mut usage: HashMap<Uuid, HashMap<String, i64>> = HashMap::new();
    if !ids.is_empty() {
        for row in api_key_usage::Entity::find()
            .filter(api_key_usage::Column::KeyId.is_in(ids))
            .filter(api_key_usage::Column::Day.gte(first_day))
            .all(db)
            .await?
        {
            usage
                .entry(row.key_id)
                .or_default()
                .insert(row.day, row.requests);
        }
    }
    let hints: HashMap<Uuid, String> = keys
        .iter()
        .map(|k| (k.id, format!("{} ({})", k.description, k.hint)))
        .collect();
    let successors: HashMap<Uuid, Uuid> = keys
        .iter()
        .filter_map(|k| k.rolled_from.map(|from| (from, k.id)))
        .collect();
    Ok(keys
        .iter()
        .map(|key| {
            let days = usage.get(&key.id);
            let daily = (0..SPARK_DAYS)
                .rev()
                .map(|back| {
                    let day = day_key(now - time::Duration::days(back));
                    days.and_then(|d| d.get(&day)).copied().unwrap_or(0)
                })
                .collect();
            let status = KeyStatus::of(key, now);
            let last_activity = key.last_used_at.unwrap_or(key.created_at);
            KeyListing {
                status,
                daily,
                unused_long: status.usable() && now - last_activity >= UNUSED_WARNING,
                replaces: key.rolled_from.and_then(|id| hints.get(&id).cloned()),
                replaced_by: successors
                    .get(&key.id)
                    .and_then(|id| hints.get(id).cloned()),
                key: key.clone(),
            }
        })
        .collect())
}

/// One of the account's keys; another account's key is "not found".
pub async fn find_own_key(
    db: &DatabaseConnection,
    account_id: Uuid,
    key_id: Uuid,
) -> Result<api_key::Model, AppError> {
    api_key::Entity::find_by_id(key_id)
        .filter(api_key::Column::AccountId.eq(account_id))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)
}

pub async fn revoke_key(
    state: &AppState,
    account_id: Uuid,
    key_id: Uuid,
    reason: &str,
    meta: &RequestMeta,
) -> Result<api_key::Model, AppError> {
    let key = find_own_key(&state.db, account_id, key_id).await?;
    if key.revoked_at.is_some() {
        return Err(AppError::Conflict("This key was already revoked.".into()));
    }
    let reason = match reason.trim() {
        "" => "Revoked by owner".to_owned(),
        text => text.chars().take(200).collect(),
    };
    let txn = state.db.begin().await?;
    api_key::Entity::update_many()
        .col_expr(api_key::Column::RevokedAt, Expr::value(now()))
        .col_expr(api_key::Column::RevokedReason, Expr::value(reason.clone()))
        .filter(api_key::Column::Id.eq(key.id))
        .filter(api_key::Column::RevokedAt.is_null())
        .exec(&txn)
        .await?;
    audit::record_with(
        &txn,
        account_id,
        AuditEvent::KeyRevoked,
        format!("{} ({}): {reason}", key.description, key.hint),
        meta,
    )
    .await?;
    txn.commit().await?;
    state.key_cache.invalidate_key(key.id);
    find_own_key(&state.db, account_id, key_id).await
}

/// Mints a replacement with the same description, permission and
/// environment; the old key keeps working for `grace_hours`, then stops.
pub async fn roll_key(
    state: &AppState,
    account: &AccountSummary,
    key_id: Uuid,
    grace_hours: u16,
    nonce: &str,
    meta: &RequestMeta,
) -> Result<Minted, MintError> {
    let old = find_own_key(&state.db, account.id, key_id).await?;
    let now = now();
    if !KeyStatus::of(&old, now).usable() {
        return Err(AppError::Conflict("Only an active key can be rolled.".into()).into());
    }
    let permission: Permission = old
        .permission
        .parse()
        .map_err(|e: String| AppError::Unexpected(anyhow::anyhow!(e)))?;
    let environment: Environment = old
        .environment
        .parse()
        .map_err(|e: String| AppError::Unexpected(anyhow::anyhow!(e)))?;
    let permission = permission.min(policy::permission_ceiling(
        account.account_type,
        account.partner_status,
    ));
    let lifetime = old.expires_at.map(|at| at - old.created_at);
    let txn = state.db.begin().await.map_err(AppError::from)?;
    let minted = insert_key(
        &txn,
        KeySpec {
            account_id: account.id,
            description: &old.description,
            permission,
            environment,
            expires_at: lifetime.map(|l| now + l),
            nonce,
            rolled_from: Some(old.id),
        },
    )
    .await?;
    if grace_hours == 0 {
        api_key::Entity::update_many()
            .col_expr(api_key::Column::RevokedAt, Expr::value(now))
            .col_expr(api_key::Column::RevokedReason, Expr::value("Rolled"))
            .filter(api_key::Column::Id.eq(old.id))
            .exec(&txn)
            .await
            .map_err(AppError::from)?;
    } else {
        let grace_end = now + time::Duration::hours(grace_hours.into());
        let end = old.expires_at.map_or(grace_end, |at| at.min(grace_end));
        api_key::Entity::update_many()
            .col_expr(api_key::Column::ExpiresAt, Expr::value(end))
            .filter(api_key::Column::Id.eq(old.id))
            .exec(&txn)
            .await
            .map_err(AppError::from)?;
    }
    audit::record_with(
        &txn,
        account.id,
        AuditEvent::KeyRolled,
        format!(
            "{} ({}) replaced by {}; old key {}",
            old.description,
            old.hint,
            minted.key.hint,
            if grace_hours == 0 {
                "stopped at once".to_owned()
            } else {
                format!("works for {grace_hours} more hour(s)")
            }
        ),
        meta,
    )
    .await
    .map_err(AppError::from)?;
    audit::record_with(
        &txn,
        account.id,
        AuditEvent::KeyRevealed,
        format!("{} ({})", minted.key.description, minted.key.hint),
        meta,
    )
    .await
    .map_err(AppError::from)?;
    txn.commit().await.map_err(AppError::from)?;
    state.key_cache.invalidate_key(old.id);
    Ok(minted)
}

#[derive(Clone)]
struct CachedKey {
    principal: Arc<Principal>,
    expires_at: Option<OffsetDateTime>,
    cached_at: Instant,
}

/// Authenticated keys, by hash, for under a second. Any change at this
/// instance (revoke, roll, partner status) invalidates at once; the
/// generation counter stops a lookup that raced an invalidation from
/// caching what it read before it.
#[derive(Clone, Default)]
pub struct KeyCache {
    entries: Arc<RwLock<HashMap<[u8; 32], CachedKey>>>,
    generation: Arc<AtomicU64>,
}

impl KeyCache {
    fn get(&self, hash: &[u8; 32]) -> Option<CachedKey> {
        let entries = self.entries.read().unwrap_or_else(|p| p.into_inner());
        entries
            .get(hash)
            .filter(|c| c.cached_at.elapsed() < CACHE_TTL)
            .cloned()
    }

    fn put(&self, hash: [u8; 32], entry: CachedKey, generation: u64) {
        let mut entries = self.entries.write().unwrap_or_else(|p| p.into_inner());
        if self.generation.load(Ordering::SeqCst) != generation {
            return;
        }
        if entries.len() >= 50_000 {
            entries.retain(|_, c| c.cached_at.elapsed() < CACHE_TTL);
        }
        entries.insert(hash, entry);
    }

    fn remove_where(&self, pred: impl Fn(&CachedKey) -> bool) {
        let mut entries = self.entries.write().unwrap_or_else(|p| p.into_inner());
        self.generation.fetch_add(1, Ordering::SeqCst);
        entries.retain(|_, c| !pred(c));
    }

    pub fn invalidate_key(&self, key_id: Uuid) {
        self.remove_where(|c| c.principal.key_id() == Some(key_id));
    }

    pub fn invalidate_account(&self, account_id: Uuid) {
        self.remove_where(|c| c.principal.account.id == account_id);
    }
}

/// Audit writes for refused keys are limited to one per key per minute, so a
/// client hammering with a dead key cannot flood the log.
static REFUSAL_LOGGED: std::sync::LazyLock<std::sync::Mutex<HashMap<Uuid, Instant>>> =
    std::sync::LazyLock::new(Default::default);

fn should_log_refusal(key_id: Uuid) -> bool {
    let mut seen = REFUSAL_LOGGED.lock().unwrap_or_else(|p| p.into_inner());
    if seen.len() > 10_000 {
        seen.retain(|_, at| at.elapsed() < Duration::from_secs(60));
    }
    match seen.get(&key_id) {
        Some(at) if at.elapsed() < Duration::from_secs(60) => false,
        _ => {
            seen.insert(key_id, Instant::now());
            true
        }
    }
}

/// Resolves a well-formed key to its principal, or `None` when the key is
/// unknown, revoked or expired.
pub async fn authenticate(
    state: &AppState,
    secret: &ApiKeySecret,
) -> Result<Option<Arc<Principal>>, AppError> {
    let digest = secret.digest();
    let now = now();
    if let Some(cached) = state.key_cache.get(&digest)
        && cached.expires_at.is_none_or(|at| at > now)
    {
        return Ok(Some(cached.principal));
    }
    let generation = state.key_cache.generation.load(Ordering::SeqCst);
    let hash = hex::encode(digest);
    let Some(key) = api_key::Entity::find()
        .filter(api_key::Column::KeyHash.eq(hash.as_str()))
        .one(&state.db)
        .await?
    else {
        return Ok(None);
    };
    // The lookup was by hash equality in the index; compare again in
    // constant time so no timing depends on how much of the hash matched.
    if !bool::from(subtle::ConstantTimeEq::ct_eq(
        key.key_hash.as_bytes(),
        hash.as_bytes(),
    )) {
        return Ok(None);
    }
    let refusal = match KeyStatus::of(&key, now) {
        KeyStatus::Revoked => Some(AuditEvent::RevokedKeyUsed),
        KeyStatus::Expired => Some(AuditEvent::ExpiredKeyUsed),
        _ => None,
    };
    if let Some(event) = refusal {
        if should_log_refusal(key.id) {
            audit::record_with(
                &state.db,
                key.account_id,
                event,
                format!("{} ({})", key.description, key.hint),
                &RequestMeta::default(),
            )
            .await?;
        }
        return Ok(None);
    }
    let Some(owner) = account::Entity::find_by_id(key.account_id)
        .one(&state.db)
        .await?
    else {
        return Ok(None);
    };
    let principal = Arc::new(Principal {
        account: AccountSummary::try_from(owner)?,
        credential: Credential::ApiKey {
            key_id: key.id,
            description: key.description.clone(),
            granted: key
                .permission
                .parse()
                .map_err(|e: String| AppError::Unexpected(anyhow::anyhow!(e)))?,
            environment: key
                .environment
                .parse()
                .map_err(|e: String| AppError::Unexpected(anyhow::anyhow!(e)))?,
            expires_at: key.expires_at,
        },
    });
    state.key_cache.put(
        digest,
        CachedKey {
            principal: principal.clone(),
            expires_at: key.expires_at,
            cached_at: Instant::now(),
        },
        generation,
    );
    Ok(Some(principal))
}
