//! Shared application state, cloned into every worker as `web::Data`.

use std::sync::Arc;

use sea_orm::DatabaseConnection;

use crate::auth::password::PasswordHasher;
use crate::configuration::Settings;
use crate::docs::DocsSite;
use crate::rate_limit::RateLimiter;
use crate::services::api_keys::KeyCache;
use crate::usage::UsageRecorder;

#[derive(Clone)]
pub struct AppState {
    pub db: DatabaseConnection,
    pub settings: Arc<Settings>,
    pub hasher: PasswordHasher,
    pub key_cache: KeyCache,
    pub rate_limiter: Arc<RateLimiter>,
    pub usage: UsageRecorder,
    pub docs: Arc<DocsSite>,
    pub job_search: crate::services::jobs::SearchCache,
}
