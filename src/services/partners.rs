//! Partner access: accounts ask, administrators decide.

use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, Set, TransactionTrait,
};
use time::OffsetDateTime;
use uuid::Uuid;

use super::accounts::set_partner_status;
use super::audit::{self, AuditEvent, RequestMeta};
use crate::auth::policy;
use crate::auth::principal::AccountSummary;
use crate::domain::PartnerStatus;
use crate::entities::{account, api_key, partner_request};
use crate::error::AppError;
use crate::state::AppState;
use crate::time_fmt::now;

/// How long a rejected account waits before asking again.
pub const RETRY_AFTER_REJECTION: time::Duration = time::Duration::days(14);

#[derive(Debug, Clone)]
pub struct PartnerApplication {
    pub company: String,
    pub website: String,
    pub use_case: String,
}

/// The account's latest request, if any.
pub async fn latest_request(
    db: &DatabaseConnection,
    account_id: Uuid,
) -> Result<Option<partner_request::Model>, AppError> {
    Ok(partner_request::Entity::find()
        .filter(partner_request::Column::AccountId.eq(account_id))
        .order_by_desc(partner_request::Column::CreatedAt)
        .one(db)
        .await?)
}

/// When a rejected account may ask again (`None`: it may now).
pub fn may_ask_again_at(
    latest: Option<&partner_request::Model>,
    now: OffsetDateTime,
) -> Option<OffsetDateTime> {
    let latest = latest?;
    if latest.status != PartnerStatus::Rejected.as_str() {
        return None;
    }
    let at = latest.decided_at.unwrap_or(latest.created_at) + RETRY_AFTER_REJECTION;
    (at > now).then_some(at)
}

pub async fn request_access(
    state: &AppState,
    account: &AccountSummary,
    application: PartnerApplication,
    meta: &RequestMeta,
) -> Result<partner_request::Model, AppError> {
    if !policy::may_request_partner_access(account.account_type, account.partner_status) {
        return Err(AppError::Conflict(match account.partner_status {
            PartnerStatus::Pending => "Your request is already waiting for review.".into(),
            PartnerStatus::Approved => "Your account already has partner access.".into(),
            _ => "This account cannot request partner access.".into(),
        }));
    }
    let now = now();
    let latest = latest_request(&state.db, account.id).await?;
    if let Some(at) = may_ask_again_at(latest.as_ref(), now) {
        return Err(AppError::Conflict(format!(
            "You can ask again from {}.",
            crate::time_fmt::exact(at)
        )));
    }
    let txn = state.db.begin().await?;
    // Claim the pending state first: of two racing requests only one
    // finds the account not yet pending.
    let claimed = account::Entity::update_many()
        .col_expr(
            account::Column::PartnerStatus,
            Expr::value(PartnerStatus::Pending.as_str()),
        )
        .col_expr(account::Column::UpdatedAt, Expr::value(now))
        .filter(account::Column::Id.eq(account.id))
        .filter(account::Column::PartnerStatus.is_in([
            PartnerStatus::None.as_str(),
            PartnerStatus::Rejected.as_str(),
        ]))
        .exec(&txn)
        .await?;
    if claimed.rows_affected == 0 {
        return Err(AppError::Conflict(
            "Your request is already waiting for review.".into(),
        ));
    }
    let request = partner_request::ActiveModel {
        id: Set(Uuid::now_v7()),
        account_id: Set(account.id),
        company: Set(application.company),
        website: Set(application.website),
        use_case: Set(application.use_case),
        status: Set(PartnerStatus::Pending.as_str().to_owned()),
        reviewer_id: Set(None),
        reviewer_note: Set(None),
        created_at: Set(now),
        decided_at: Set(None),
    }
    .insert(&txn)
    .await?;
    audit::record_with(
        &txn,
        account.id,
        AuditEvent::PartnerRequested,
        request.company.clone(),
        meta,
    )
    .await?;
    txn.commit().await?;
    state.key_cache.invalidate_account(account.id);
    Ok(request)
}

/// A request in the admin queue, with what a reviewer needs beside it.
#[derive(Debug, Clone)]
pub struct QueueItem {
    pub request: partner_request::Model,
    pub account: account::Model,
    pub active_keys: u64,
    pub requests_30d: i64,
}

pub async fn queue(
    db: &DatabaseConnection,
    status: Option<PartnerStatus>,
) -> Result<Vec<QueueItem>, AppError> {
    let mut query = partner_request::Entity::find();
    if let Some(status) = status {
        query = query.filter(partner_request::Column::Status.eq(status.as_str()));
    }
    let mut requests = query
        .order_by_asc(partner_request::Column::CreatedAt)
        .all(db)
        .await?;
    // Pending first, oldest first within each status.
    requests.sort_by_key(|r| (r.status != PartnerStatus::Pending.as_str(), r.created_at));
    let mut items = Vec::with_capacity(requests.len());
    let since = crate::usage::day_key(now() - time::Duration::days(30));
    for request in requests {
        let Some(account) = account::Entity::find_by_id(request.account_id)
            .one(db)
            .await?
        else {
            continue;
        };
        let keys = api_key::Entity::find()
            .filter(api_key::Column::AccountId.eq(account.id))
            .filter(api_key::Column::RevokedAt.is_null())
            .all(db)
            .await?;
        let key_ids: Vec<Uuid> = keys.iter().map(|k| k.id).collect();
        let requests_30d = if key_ids.is_empty() {
            0
        } else {
            crate::entities::api_key_usage::Entity::find()
                .filter(crate::entities::api_key_usage::Column::KeyId.is_in(key_ids))
                .filter(crate::entities::api_key_usage::Column::Day.gte(since.clone()))
                .all(db)
                .await?
                .iter()
                .map(|u| u.requests)
                .sum()
        };
        items.push(QueueItem {
            active_keys: keys.len() as u64,
            requests_30d,
            request,
            account,
        });
    }
    Ok(items)
}

pub async fn pending_count(db: &DatabaseConnection) -> Result<u64, AppError> {
    Ok(partner_request::Entity::find()
        .filter(partner_request::Column::Status.eq(PartnerStatus::Pending.as_str()))
        .count(db)
        .await?)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Approve,
    Reject,
    /// Withdraw a partner status granted earlier.
    Revoke,
}

pub async fn decide(
    state: &AppState,
    reviewer: &AccountSummary,
    request_id: Uuid,
    decision: Decision,
    note: Option<String>,
    meta: &RequestMeta,
) -> Result<partner_request::Model, AppError> {
    let request = partner_request::Entity::find_by_id(request_id)
        .one(&state.db)
        .await?
        .ok_or(AppError::NotFound)?;
    let (from, to, event) = match decision {
        Decision::Approve => (
            PartnerStatus::Pending,
            PartnerStatus::Approved,
            AuditEvent::PartnerApproved,
        ),
        Decision::Reject => (
            PartnerStatus::Pending,
            PartnerStatus::Rejected,
            AuditEvent::PartnerRejected,
        ),
        Decision::Revoke => (
            PartnerStatus::Approved,
            PartnerStatus::Rejected,
            AuditEvent::PartnerRevoked,
        ),
    };
    if decision != Decision::Approve && note.as_deref().is_none_or(|n| n.trim().is_empty()) {
        return Err(AppError::Validation(
            "Write a note for the applicant explaining the decision.".into(),
        ));
    }
    if request.status != from.as_str() {
        return Err(AppError::Conflict(
            "This request was already decided.".into(),
        ));
    }
    let txn = state.db.begin().await?;
    let updated = partner_request::Entity::update_many()
        .col_expr(partner_request::Column::Status, Expr::value(to.as_str()))
        .col_expr(
            partner_request::Column::ReviewerId,
            Expr::value(Some(reviewer.id)),
        )
        .col_expr(
            partner_request::Column::ReviewerNote,
            Expr::value(note.clone()),
        )
        .col_expr(partner_request::Column::DecidedAt, Expr::value(Some(now())))
        .filter(partner_request::Column::Id.eq(request.id))
        .filter(partner_request::Column::Status.eq(from.as_str()))
        .exec(&txn)
        .await?;
    if updated.rows_affected == 0 {
        return Err(AppError::Conflict(
            "This request was already decided.".into(),
        ));
    }
    set_partner_status(&txn, request.account_id, to, note.clone()).await?;
    let detail = match &note {
        Some(n) if !n.trim().is_empty() => format!("by {}: {n}", reviewer.display_name),
        _ => format!("by {}", reviewer.display_name),
    };
    audit::record_with(&txn, request.account_id, event, detail.clone(), meta).await?;
    if reviewer.id != request.account_id {
        audit::record_with(
            &txn,
            reviewer.id,
            event,
            format!("request {} ({})", request.id, request.company),
            meta,
        )
        .await?;
    }
    txn.commit().await?;
    // Partner keys of this account change level on their next request.
    state.key_cache.invalidate_account(request.account_id);
    partner_request::Entity::find_by_id(request.id)
        .one(&state.db)
        .await?
        .ok_or(AppError::NotFound)
}
