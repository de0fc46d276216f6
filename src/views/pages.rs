//! One struct per page.

use std::collections::BTreeMap;

use askama::Template;
use time::OffsetDateTime;

use super::PageCtx;
use crate::auth::principal::AccountSummary;
use crate::domain::Permission;
use crate::entities::partner_request;
use crate::services::accounts::ActiveSession;
use crate::services::api_keys::KeyListing;
use crate::services::audit::LogEntry;
use crate::services::partners::QueueItem;
use crate::time_fmt;

/// Messages for invalid form fields, by field name.
#[derive(Debug, Default, Clone)]
pub struct FormErrors(BTreeMap<&'static str, String>);

impl FormErrors {
    pub fn add(&mut self, field: &'static str, message: impl Into<String>) {
        self.0.entry(field).or_insert_with(|| message.into());
    }
    pub fn get(&self, field: &str) -> Option<&String> {
        self.0.get(field)
    }
    pub fn has(&self, field: &str) -> bool {
        self.0.contains_key(field)
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    pub fn count(&self) -> usize {
        self.0.len()
    }
    pub fn iter(&self) -> impl Iterator<Item = (&&'static str, &String)> {
        self.0.iter()
    }
}

/// A time for a page: relative wording, exact time on hover.
pub struct When {
    pub iso: String,
    pub relative: String,
    pub exact: String,
}

impl When {
    pub fn of(t: OffsetDateTime) -> Self {
        When {
            iso: time_fmt::rfc3339(t),
            relative: time_fmt::relative(t, time_fmt::now()),
            exact: time_fmt::exact(t),
        }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub ctx: PageCtx,
    pub status: u16,
    pub title: String,
    pub message: String,
}

#[derive(Template)]
#[template(path = "index.html")]
pub struct Landing {
    pub ctx: PageCtx,
    pub job_count: u64,
}

#[derive(Debug, Default, Clone)]
pub struct SignUpValues {
    pub display_name: String,
    pub email: String,
    pub account_type: String,
    pub company_name: String,
}

#[derive(Template)]
#[template(path = "sign_up.html")]
pub struct SignUp {
    pub ctx: PageCtx,
    pub values: SignUpValues,
    pub errors: FormErrors,
}

#[derive(Template)]
#[template(path = "sign_in.html")]
pub struct SignIn {
    pub ctx: PageCtx,
    pub email: String,
    pub next: String,
    pub error: Option<String>,
}

#[derive(Template)]
#[template(path = "account/profile.html")]
pub struct Profile {
    pub ctx: PageCtx,
    pub account: AccountSummary,
    pub member_since: When,
}

/// A key row on the Developer tab.
pub struct KeyRow {
    pub id: String,
    pub description: String,
    pub hint: String,
    pub permission: String,
    pub permission_label: String,
    pub environment: String,
    pub status: String,
    pub status_label: String,
    pub created: When,
    pub expires: Option<When>,
    pub last_used: Option<When>,
    pub last_ip: Option<String>,
    pub use_count: i64,
    pub revoked: Option<When>,
    pub revoked_reason: Option<String>,
    pub sparkline: String,
    pub spark_total: i64,
    pub usable: bool,
    pub expiring_soon: bool,
    pub unused_long: bool,
    pub replaces: Option<String>,
    pub replaced_by: Option<String>,
    /// Set when the account may no longer hold this key's level.
    pub acts_as: Option<String>,
}

impl KeyRow {
    /// Notes a key whose level is above what its account may hold now
    /// (partner status withdrawn): it works, at the lower level.
    pub fn with_ceiling(mut self, ceiling: Permission) -> Self {
        if let Ok(granted) = self.permission.parse::<Permission>()
            && granted > ceiling
        {
            self.acts_as = Some(format!(
                "Acts as {} since partner access was withdrawn",
                ceiling.label()
            ));
        }
        self
    }

    pub fn from_listing(listing: &KeyListing) -> Self {
        let key = &listing.key;
        let permission: Permission = key.permission.parse().unwrap_or(Permission::ReadOnly);
        KeyRow {
            id: key.id.to_string(),
            description: key.description.clone(),
            hint: key.hint.clone(),
            permission: permission.as_str().to_owned(),
            permission_label: permission.label().to_owned(),
            environment: key.environment.clone(),
            status: listing.status.as_str().to_owned(),
            status_label: listing.status.label().to_owned(),
            created: When::of(key.created_at),
            expires: key.expires_at.map(When::of),
            last_used: key.last_used_at.map(When::of),
            last_ip: key.last_used_ip.clone(),
            use_count: key.use_count,
            revoked: key.revoked_at.map(When::of),
            revoked_reason: key.revoked_reason.clone(),
            sparkline: sparkline_points(&listing.daily),
            spark_total: listing.daily.iter().sum(),
            usable: listing.status.usable(),
            expiring_soon: listing.status == crate::services::api_keys::KeyStatus::ExpiringSoon,
            unused_long: listing.unused_long,
            replaces: listing.replaces.clone(),
            replaced_by: listing.replaced_by.clone(),
            acts_as: None,
        }
    }
}

/// Points of a 120×24 SVG polyline for daily counts.
pub fn sparkline_points(daily: &[i64]) -> String {
    let max = daily.iter().copied().max().unwrap_or(0).max(1) as f64;
    let step = if daily.len() > 1 {
        118.0 / (daily.len() - 1) as f64
    } else {
        0.0
    };
    daily
        .iter()
        .enumerate()
        .map(|(i, n)| {
            format!(
                "{:.1},{:.1}",
                1.0 + i as f64 * step,
                23.0 - (*n as f64 / max) * 21.0
            )
        })
        .collect::<Vec<_>>()
        .join(" ")
}

pub struct Choice {
    pub value: String,
    pub label: String,
    pub hint: String,
    pub selected: bool,
    pub disabled: bool,
}

#[derive(Debug, Default, Clone)]
pub struct KeyFormValues {
    pub description: String,
    pub permission: String,
    pub expires_in_days: String,
    pub environment: String,
}

pub struct PartnerPanel {
    pub status: String,
    pub can_request: bool,
    pub latest: Option<partner_request::Model>,
    pub requested: Option<When>,
    pub decided: Option<When>,
    pub ask_again: Option<When>,
}

#[derive(Template)]
#[template(path = "account/developer.html")]
pub struct Developer {
    pub ctx: PageCtx,
    pub active_keys: Vec<KeyRow>,
    pub inactive_keys: Vec<KeyRow>,
    pub permissions: Vec<Choice>,
    pub expiries: Vec<Choice>,
    pub environments: Vec<Choice>,
    pub values: KeyFormValues,
    pub errors: FormErrors,
    pub form_token: String,
    pub partner: PartnerPanel,
}

#[derive(Template)]
#[template(path = "account/key_revealed.html")]
pub struct KeyRevealed {
    pub ctx: PageCtx,
    pub secret: String,
    pub key: KeyRow,
    pub rolled_from: Option<String>,
    pub env_var_example: String,
}

#[derive(Template)]
#[template(path = "account/revoke.html")]
pub struct RevokeConfirm {
    pub ctx: PageCtx,
    pub key: KeyRow,
}

#[derive(Template)]
#[template(path = "account/roll.html")]
pub struct RollConfirm {
    pub ctx: PageCtx,
    pub key: KeyRow,
    pub graces: Vec<Choice>,
    pub form_token: String,
}

#[derive(Debug, Default, Clone)]
pub struct PartnerValues {
    pub company: String,
    pub website: String,
    pub use_case: String,
}

#[derive(Template)]
#[template(path = "account/partner.html")]
pub struct PartnerForm {
    pub ctx: PageCtx,
    pub values: PartnerValues,
    pub errors: FormErrors,
    pub partner: PartnerPanel,
}

pub struct SessionRow {
    pub current: bool,
    pub ip: String,
    pub user_agent: String,
    pub signed_in: When,
    pub last_seen: When,
}

pub struct LogRow {
    pub label: String,
    pub warning: bool,
    pub detail: String,
    pub ip: String,
    pub user_agent: String,
    pub at: When,
}

impl LogRow {
    pub fn from_entry(e: &LogEntry) -> Self {
        LogRow {
            label: crate::services::audit::AuditEvent::label(&e.event).to_owned(),
            warning: crate::services::audit::AuditEvent::is_warning(&e.event),
            detail: e.detail.clone(),
            ip: e.ip.clone().unwrap_or_default(),
            user_agent: e.user_agent.clone().unwrap_or_default(),
            at: When::of(e.at),
        }
    }
}

impl SessionRow {
    pub fn from_session(s: &ActiveSession, current_sid: &str) -> Self {
        SessionRow {
            current: !current_sid.is_empty() && s.public_id == current_sid,
            ip: s.ip.clone().unwrap_or_else(|| "unknown".into()),
            user_agent: s
                .user_agent
                .clone()
                .unwrap_or_else(|| "unknown browser".into()),
            signed_in: When::of(s.created_at),
            last_seen: When::of(s.last_seen_at),
        }
    }
}

#[derive(Template)]
#[template(path = "account/security.html")]
pub struct Security {
    pub ctx: PageCtx,
    pub sessions: Vec<SessionRow>,
    pub log: Vec<LogRow>,
    pub page: u64,
    pub pages: u64,
}

pub struct QueueRow {
    pub item: QueueItem,
    pub requested: When,
    pub decided: Option<When>,
}

#[derive(Template)]
#[template(path = "admin/partner_requests.html")]
pub struct AdminQueue {
    pub ctx: PageCtx,
    pub rows: Vec<QueueRow>,
    pub filter: String,
    pub filters: Vec<(String, String)>,
    pub error: Option<String>,
}

pub struct DocLink {
    pub slug: String,
    pub title: String,
    pub current: bool,
}

#[derive(Template)]
#[template(path = "docs/page.html")]
pub struct DocsPage<'a> {
    pub ctx: PageCtx,
    pub title: &'a str,
    pub summary: &'a str,
    pub updated: &'a str,
    pub body: &'a str,
    pub sidebar: Vec<DocLink>,
}
