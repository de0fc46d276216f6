//! The security log: every key event, sign-in, session revocation and
//! partner decision, shown to the account on its Security tab.

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::entities::audit_event;
use crate::time_fmt::now;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditEvent {
    SignedIn,
    SignInFailed,
    SignedOut,
    SessionsRevoked,
    KeyCreated,
    KeyRevealed,
    KeyRevoked,
    KeyRolled,
    ExpiredKeyUsed,
    RevokedKeyUsed,
    KeyUsedFromNewIp,
    PartnerRequested,
    PartnerApproved,
    PartnerRejected,
    PartnerRevoked,
    AccountCreated,
}

impl AuditEvent {
    pub fn as_str(self) -> &'static str {
        match self {
            AuditEvent::SignedIn => "sign_in",
            AuditEvent::SignInFailed => "sign_in_failed",
            AuditEvent::SignedOut => "sign_out",
            AuditEvent::SessionsRevoked => "sessions_revoked",
            AuditEvent::KeyCreated => "key_created",
            AuditEvent::KeyRevealed => "key_revealed",
            AuditEvent::KeyRevoked => "key_revoked",
            AuditEvent::KeyRolled => "key_rolled",
            AuditEvent::ExpiredKeyUsed => "expired_key_used",
            AuditEvent::RevokedKeyUsed => "revoked_key_used",
            AuditEvent::KeyUsedFromNewIp => "key_new_ip",
            AuditEvent::PartnerRequested => "partner_requested",
            AuditEvent::PartnerApproved => "partner_approved",
            AuditEvent::PartnerRejected => "partner_rejected",
            AuditEvent::PartnerRevoked => "partner_revoked",
            AuditEvent::AccountCreated => "account_created",
        }
    }

    pub fn label(code: &str) -> &'static str {
        match code {
            "sign_in" => "Signed in",
            "sign_in_failed" => "Failed sign-in attempt",
            "sign_out" => "Signed out",
            "sessions_revoked" => "Signed out everywhere",
            "key_created" => "API key created",
            "key_revealed" => "API key shown (once)",
            "key_revoked" => "API key revoked",
            "key_rolled" => "API key rolled",
            "expired_key_used" => "Expired API key used",
            "revoked_key_used" => "Revoked API key used",
            "key_new_ip" => "API key used from a different IP address",
            "partner_requested" => "Partner access requested",
            "partner_approved" => "Partner access approved",
            "partner_rejected" => "Partner access rejected",
            "partner_revoked" => "Partner access revoked",
            "account_created" => "Account created",
            _ => "Event",
        }
    }

    pub fn is_warning(code: &str) -> bool {
        matches!(
            code,
            "sign_in_failed"
                | "expired_key_used"
                | "revoked_key_used"
                | "key_new_ip"
                | "key_revoked"
        )
    }
}

/// Where a request came from, for the log.
#[derive(Debug, Clone, Default)]
pub struct RequestMeta {
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

/// The client's address: the TCP peer, unless the server is configured to
/// sit behind a proxy it trusts (`--trust-forwarded`); a `Forwarded` or
/// `X-Forwarded-For` header from anyone else is the client's own claim.
pub fn client_ip(
    peer: Option<std::net::SocketAddr>,
    info: &actix_web::dev::ConnectionInfo,
    trust_forwarded: bool,
) -> Option<String> {
    if trust_forwarded {
        info.realip_remote_addr().map(str::to_owned)
    } else {
        peer.map(|p| p.ip().to_string())
    }
}

impl RequestMeta {
    pub fn from_request(req: &actix_web::HttpRequest) -> Self {
        let trust = req
            .app_data::<actix_web::web::Data<crate::state::AppState>>()
            .is_some_and(|s| s.settings.trust_forwarded);
        RequestMeta {
            ip: client_ip(req.peer_addr(), &req.connection_info(), trust),
            user_agent: req
                .headers()
                .get(actix_web::http::header::USER_AGENT)
                .and_then(|v| v.to_str().ok())
                .map(|ua| ua.chars().take(300).collect()),
        }
    }
}

pub async fn record_with<C: ConnectionTrait>(
    db: &C,
    account_id: Uuid,
    event: AuditEvent,
    detail: impl Into<String>,
    meta: &RequestMeta,
) -> Result<(), sea_orm::DbErr> {
    audit_event::ActiveModel {
        id: Set(Uuid::now_v7()),
        account_id: Set(account_id),
        event: Set(event.as_str().to_owned()),
        detail: Set(detail.into()),
        ip: Set(meta.ip.clone()),
        user_agent: Set(meta.user_agent.clone()),
        created_at: Set(now()),
    }
    .insert(db)
    .await?;
    Ok(())
}

#[derive(Debug, Clone)]
pub struct LogEntry {
    pub event: String,
    pub detail: String,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub at: OffsetDateTime,
}

pub struct LogPage {
    pub entries: Vec<LogEntry>,
    pub page: u64,
    pub pages: u64,
}

pub const LOG_PAGE_SIZE: u64 = 25;

pub async fn list(
    db: &DatabaseConnection,
    account_id: Uuid,
    page: u64,
) -> Result<LogPage, sea_orm::DbErr> {
    let query = audit_event::Entity::find()
        .filter(audit_event::Column::AccountId.eq(account_id))
        .order_by_desc(audit_event::Column::CreatedAt)
        .order_by_desc(audit_event::Column::Id);
    let total = query.clone().count(db).await?;
    let pages = total.div_ceil(LOG_PAGE_SIZE).max(1);
    let page = page.clamp(1, pages);
    let entries = query
        .offset((page - 1) * LOG_PAGE_SIZE)
        .limit(LOG_PAGE_SIZE)
        .all(db)
        .await?
        .into_iter()
        .map(|e| LogEntry {
            event: e.event,
            detail: e.detail,
            ip: e.ip,
            user_agent: e.user_agent,
            at: e.created_at,
        })
        .collect();
    Ok(LogPage {
        entries,
        page,
        pages,
    })
}
