//! actix-session store backed by the `sessions` table. Only the SHA-256 of
//! a session key is stored, so a copy of the database cannot be replayed as
//! cookies. Absolute lifetime is enforced here; the idle timeout is the TTL.

use std::collections::HashMap;
use std::time::Duration as StdDuration;

use actix_session::storage::{LoadError, SaveError, SessionKey, SessionStore, UpdateError};
use actix_web::cookie::time::Duration;
use anyhow::Context;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Set};
use uuid::Uuid;

use crate::domain::{hash_session_key, random_token};
use crate::entities::session;
use crate::time_fmt::now;

/// Session state keys the store copies into columns.
pub const ACCOUNT_ID: &str = "account_id";
pub const CLIENT_IP: &str = "ip";
pub const USER_AGENT: &str = "user_agent";
/// Present in a loaded session when the store could not be read. The
/// session middleware turns a load error into a bare 500 outside our error
/// pages; instead the request proceeds and the guards answer 503.
pub const STORE_UNAVAILABLE: &str = "__store_unavailable";

fn unavailable_state() -> State {
    HashMap::from([(STORE_UNAVAILABLE.to_owned(), "true".to_owned())])
}

#[derive(Clone)]
pub struct DbSessionStore {
    db: DatabaseConnection,
    absolute: StdDuration,
}

impl DbSessionStore {
    pub fn new(db: DatabaseConnection, absolute: StdDuration) -> Self {
        DbSessionStore { db, absolute }
    }
}

type State = HashMap<String, String>;

fn column<T: serde::de::DeserializeOwned>(state: &State, key: &str) -> Option<T> {
    state.get(key).and_then(|v| serde_json::from_str(v).ok())
}

fn expiry(ttl: &Duration) -> time::OffsetDateTime {
    now() + time::Duration::seconds(Ord::max(ttl.whole_seconds(), 1))
}

impl SessionStore for DbSessionStore {
    async fn load(&self, session_key: &SessionKey) -> Result<Option<State>, LoadError> {
        let key_hash = hash_session_key(session_key.as_ref());
        let row = match session::Entity::find_by_id(key_hash.clone())
            .one(&self.db)
            .await
        {
            Ok(row) => row,
            Err(e) => {
                tracing::warn!(error = %e, "loading a session failed");
                return Ok(Some(unavailable_state()));
            }
        };
        let Some(row) = row else { return Ok(None) };
        let now = now();
        let absolute_end = row.created_at + self.absolute;
        if row.expires_at <= now || absolute_end <= now {
            session::Entity::delete_by_id(key_hash)
                .exec(&self.db)
                .await
                .map_err(|e| LoadError::Other(e.into()))?;
            return Ok(None);
        }
        serde_json::from_str(&row.state)
            .map(Some)
            .map_err(|e| LoadError::Deserialization(e.into()))
    }

    async fn save(&self, state: State, ttl: &Duration) -> Result<SessionKey, SaveError> {
        if state.contains_key(STORE_UNAVAILABLE) {
            return Err(SaveError::Other(anyhow::anyhow!(
                "the session store is unavailable"
            )));
        }
        let key = random_token(32);
        let body = serde_json::to_string(&state).map_err(|e| SaveError::Serialization(e.into()))?;
        let now = now();
        session::ActiveModel {
            key_hash: Set(hash_session_key(&key)),
            account_id: Set(column::<Uuid>(&state, ACCOUNT_ID)),
            state: Set(body),
            ip: Set(column(&state, CLIENT_IP)),
            user_agent: Set(column(&state, USER_AGENT)),
            created_at: Set(now),
            last_seen_at: Set(now),
            expires_at: Set(expiry(ttl)),
        }
        .insert(&self.db)
        .await
        .map_err(|e| SaveError::Other(e.into()))?;
        SessionKey::try_from(key).map_err(|e| SaveError::Other(e.into()))
    }

    async fn update(
        &self,
        session_key: SessionKey,
        state: State,
        ttl: &Duration,
    ) -> Result<SessionKey, UpdateError> {
        if state.contains_key(STORE_UNAVAILABLE) {
            // Never persist the marker; the stored session is untouched.
            return Ok(session_key);
        }
        let key_hash = hash_session_key(session_key.as_ref());
        let body =
            serde_json::to_string(&state).map_err(|e| UpdateError::Serialization(e.into()))?;
        let result = session::Entity::update_many()
            .col_expr(session::Column::State, Expr::value(body))
            .col_expr(
                session::Column::AccountId,
                Expr::value(column::<Uuid>(&state, ACCOUNT_ID)),
            )
            .col_expr(session::Column::ExpiresAt, Expr::value(expiry(ttl)))
            .col_expr(session::Column::LastSeenAt, Expr::value(now()))
            .filter(session::Column::KeyHash.eq(key_hash))
            .exec(&self.db)
            .await
            .map_err(|e| UpdateError::Other(e.into()))?;
        // Zero rows: the session was deleted meanwhile (signed out, or
        // "sign out everywhere"). Writing it back would undo that, so the
        // cookie keeps pointing at nothing and the next request is anonymous.
        if result.rows_affected == 0 {
            tracing::debug!("not recreating a session deleted during the request");
        }
        Ok(session_key)
    }

    async fn update_ttl(&self, session_key: &SessionKey, ttl: &Duration) -> anyhow::Result<()> {
        let now = now();
        // Extending at most once a minute keeps page views from each costing a write.
        let result = session::Entity::update_many()
            .col_expr(session::Column::ExpiresAt, Expr::value(expiry(ttl)))
            .col_expr(session::Column::LastSeenAt, Expr::value(now))
            .filter(session::Column::KeyHash.eq(hash_session_key(session_key.as_ref())))
            .filter(session::Column::LastSeenAt.lt(now - time::Duration::minutes(1)))
            .exec(&self.db)
            .await;
        // Extending the idle timeout is best effort: failing it must not
        // fail a page that was otherwise served.
        if let Err(e) = result {
            tracing::warn!(error = %e, "extending a session failed");
        }
        Ok(())
    }

    async fn delete(&self, session_key: &SessionKey) -> anyhow::Result<()> {
        session::Entity::delete_by_id(hash_session_key(session_key.as_ref()))
            .exec(&self.db)
            .await
            .context("deleting a session")?;
        Ok(())
    }
}

/// Removes expired sessions and old sign-in failures; run periodically.
pub async fn purge_expired(db: &DatabaseConnection, absolute: StdDuration) -> anyhow::Result<u64> {
    let now = now();
    let expired = session::Entity::delete_many()
        .filter(
            session::Column::ExpiresAt
                .lte(now)
                .or(session::Column::CreatedAt.lte(now - absolute)),
        )
        .exec(db)
        .await?
        .rows_affected;
    crate::entities::sign_in_failure::Entity::delete_many()
        .filter(
            crate::entities::sign_in_failure::Column::CreatedAt.lte(now - time::Duration::days(1)),
        )
        .exec(db)
        .await?;
    Ok(expired)
}
