//! Account settings → Developer: generate, reveal once, list, revoke, roll.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use uuid::Uuid;

use crate::auth::csrf::CsrfForm;
use crate::auth::guards::{GuardError, SignedIn};
use crate::auth::{Principal, policy};
use crate::domain::{Environment, KeyDescription, Permission, random_token};
use crate::error::{AppError, PageError};
use crate::services::api_keys::{
    self, DEFAULT_EXPIRY_DAYS, EXPIRY_CHOICES, GRACE_CHOICES, MintError, Minted, NewKey,
};
use crate::services::audit::RequestMeta;
use crate::services::partners;
use crate::state::AppState;
use crate::time_fmt::now;
use crate::views::pages::{
    Choice, Developer, FormErrors, KeyFormValues, KeyRevealed, KeyRow, PartnerPanel, RevokeConfirm,
    RollConfirm, When,
};
use crate::views::{PageCtx, no_store, ok, render, see_other, set_flash};

const ALREADY_SUBMITTED: &str = "That form was already submitted, so no new key was created. A key is shown only once: if you didn\u{2019}t copy it, revoke it and generate a new one.";

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct KeyForm {
    description: String,
    permission: String,
    expires_in_days: String,
    environment: String,
    form_token: String,
}

fn or_default<'a>(value: &'a str, default: &'a str) -> &'a str {
    match value.trim() {
        "" => default,
        given => given,
    }
}

/// The form's one-time token. Our forms always send one, so a resubmitted
/// form mints nothing; a client that posts without it gets a fresh nonce
/// (and no duplicate protection).
fn form_nonce(token: &str) -> Result<String, &'static str> {
    match token.trim() {
        "" => Ok(random_token(16)),
        t if (16..=64).contains(&t.len()) && t.bytes().all(|b| b.is_ascii_hexdigit()) => {
            Ok(t.to_owned())
        }
        _ => Err("This form is out of date. Please fill it in again."),
    }
}

fn expiry_label(days: u16) -> String {
    match days {
        0 => "Never".into(),
        365 => "1 year".into(),
        d => format!("{d} days"),
    }
}

pub async fn partner_panel(
    state: &AppState,
    principal: &Principal,
) -> Result<PartnerPanel, AppError> {
    let latest = partners::latest_request(&state.db, principal.account.id).await?;
    let now = now();
    let ask_again = partners::may_ask_again_at(latest.as_ref(), now);
    Ok(PartnerPanel {
        status: principal.account.partner_status.as_str().to_owned(),
        can_request: policy::may_request_partner_access(
            principal.account.account_type,
            principal.account.partner_status,
        ) && ask_again.is_none(),
        requested: latest.as_ref().map(|r| When::of(r.created_at)),
        decided: latest.as_ref().and_then(|r| r.decided_at).map(When::of),
        ask_again: ask_again.map(When::of),
        latest,
    })
}

async fn developer_page(
    state: &AppState,
    ctx: PageCtx,
    principal: &Principal,
    values: KeyFormValues,
    errors: FormErrors,
) -> Result<Developer, AppError> {
    let listings = api_keys::list_keys(&state.db, principal.account.id).await?;
    let (active, inactive): (Vec<_>, Vec<_>) = listings.iter().partition(|l| l.status.usable());
    let ceiling = policy::permission_ceiling(
        principal.account.account_type,
        principal.account.partner_status,
    );
    let grantable = policy::grantable_permissions(
        principal.account.account_type,
        principal.account.partner_status,
    );
    let chosen_permission = if values.permission.is_empty() {
        "read_only"
    } else {
        values.permission.as_str()
    };
    let permissions = Permission::ALL
        .iter()
        .map(|p| Choice {
            value: p.as_str().into(),
            label: p.label().into(),
            hint: if grantable.contains(p) {
                p.summary().into()
            } else {
                format!(
                    "{} — available to {}",
                    p.summary(),
                    p.available_to().to_lowercase()
                )
            },
            selected: p.as_str() == chosen_permission,
            disabled: !grantable.contains(p),
        })
        .collect();
    let chosen_expiry = if values.expires_in_days.is_empty() {
        DEFAULT_EXPIRY_DAYS.to_string()
    } else {
        values.expires_in_days.clone()
    };
    let expiries = EXPIRY_CHOICES
        .iter()
        .map(|d| Choice {
            value: d.to_string(),
            label: expiry_label(*d),
            hint: String::new(),
            selected: d.to_string() == chosen_expiry,
            disabled: false,
        })
        .collect();
    let chosen_env = if values.environment.is_empty() {
        "live"
    } else {
        values.environment.as_str()
    };
    let environments = [
        (Environment::Live, "Live", "Real data; use in production."),
        (
            Environment::Test,
            "Test",
            "Reads real data; writes are checked but never saved.",
        ),
    ]
    .into_iter()
    .map(|(env, label, hint)| Choice {
        value: env.as_str().into(),
        label: label.into(),
        hint: hint.into(),
        selected: env.as_str() == chosen_env,
        disabled: false,
    })
    .collect();
    Ok(Developer {
        partner: partner_panel(state, principal).await?,
        ctx,
        active_keys: active
            .into_iter()
            .map(|l| KeyRow::from_listing(l).with_ceiling(ceiling))
            .collect(),
        inactive_keys: inactive.into_iter().map(KeyRow::from_listing).collect(),
        permissions,
        expiries,
        environments,
        values,
        errors,
        form_token: random_token(16),
    })
}

pub async fn show(ctx: PageCtx, state: web::Data<AppState>) -> Result<HttpResponse, GuardError> {
    let principal = ctx.require_user()?.clone();
    let page = developer_page(
        &state,
        ctx,
        &principal,
        KeyFormValues::default(),
        FormErrors::default(),
    )
    .await
    .map_err(|e| GuardError::Page(PageError(e)))?;
    ok(&page).map_err(GuardError::Page)
}

impl KeyForm {
    fn parse(&self, grantable: &[Permission]) -> Result<NewKey, FormErrors> {
        let mut errors = FormErrors::default();
        let description = KeyDescription::parse(&self.description)
            .map_err(|e| errors.add("description", e))
            .ok();
        // Absent fields take the form's defaults: read-only, 90 days, live.
        let permission = match or_default(&self.permission, "read_only").parse::<Permission>() {
            Ok(p) if grantable.contains(&p) => Some(p),
            Ok(p) => {
                errors.add(
                    "permission",
                    format!(
                        "Your account cannot create {} keys: they are available to {}.",
                        p.label(),
                        p.available_to().to_lowercase()
                    ),
                );
                None
            }
            Err(_) => {
                errors.add("permission", "Choose a permission level.");
                None
            }
        };
        let expires_in_days = match or_default(&self.expires_in_days, "90").parse::<u16>() {
            Ok(d) if EXPIRY_CHOICES.contains(&d) => Some(d),
            _ => {
                errors.add("expires_in_days", "Choose 7, 30, 90 or 365 days, or never.");
                None
            }
        };
        let environment = or_default(&self.environment, "live")
            .parse::<Environment>()
            .map_err(|_| errors.add("environment", "Choose live or test."))
            .ok();
        let nonce = match form_nonce(&self.form_token) {
            Ok(nonce) => nonce,
            Err(message) => {
                errors.add("description", message);
                String::new()
            }
        };
        match (description, permission, expires_in_days, environment) {
            (Some(description), Some(permission), Some(expires_in_days), Some(environment))
                if errors.is_empty() =>
            {
                Ok(NewKey {
                    description,
                    permission,
                    expires_in_days,
                    environment,
                    nonce,
                })
            }
            _ => Err(errors),
        }
    }

    fn values(&self) -> KeyFormValues {
        KeyFormValues {
            description: self.description.clone(),
            permission: self.permission.clone(),
            expires_in_days: self.expires_in_days.clone(),
            environment: self.environment.clone(),
        }
    }
}

/// The one response that shows the plaintext key.
fn reveal(
    ctx: PageCtx,
    minted: Minted,
    rolled_from: Option<String>,
) -> Result<HttpResponse, PageError> {
    let listing = api_keys::KeyListing {
        status: api_keys::KeyStatus::of(&minted.key, now()),
        daily: vec![0; api_keys::SPARK_DAYS as usize],
        unused_long: false,
        replaces: None,
        replaced_by: None,
        key: minted.key,
    };
    let page = KeyRevealed {
        ctx,
        secret: minted.secret.expose().to_owned(),
        key: KeyRow::from_listing(&listing),
        rolled_from,
        env_var_example: "export ATJ_API_KEY=\"paste-your-key-here\"".into(),
    };
    Ok(no_store(ok(&page)?))
}

pub async fn create_key(
    req: HttpRequest,
    ctx: PageCtx,
    SignedIn(principal): SignedIn,
    state: web::Data<AppState>,
    CsrfForm(form): CsrfForm<KeyForm>,
) -> Result<HttpResponse, PageError> {
    let grantable = policy::grantable_permissions(
        principal.account.account_type,
        principal.account.partner_status,
    );
    let new = match form.parse(&grantable) {
        Ok(new) => new,
        Err(errors) => {
            let page = developer_page(&state, ctx, &principal, form.values(), errors).await?;
            return render(StatusCode::UNPROCESSABLE_ENTITY, &page);
        }
    };
    let meta = RequestMeta::from_request(&req);
    match api_keys::create_key(&state.db, &principal.account, new, &meta).await {
        Ok(minted) => reveal(ctx, minted, None),
        Err(MintError::AlreadySubmitted) => {
            set_flash(&req_session(&req), "info", ALREADY_SUBMITTED);
            Ok(see_other("/account/settings/developer"))
        }
        Err(MintError::App(e)) => Err(PageError(e)),
    }
}

fn req_session(req: &HttpRequest) -> actix_session::Session {
    actix_session::SessionExt::get_session(req)
}

async fn own_key_row(
    state: &AppState,
    principal: &Principal,
    id: Uuid,
) -> Result<KeyRow, AppError> {
    let key = api_keys::find_own_key(&state.db, principal.account.id, id).await?;
    let listing = api_keys::KeyListing {
        status: api_keys::KeyStatus::of(&key, now()),
        daily: Vec::new(),
        unused_long: false,
        replaces: None,
        replaced_by: None,
        key,
    };
    Ok(KeyRow::from_listing(&listing))
}

fn parse_id(raw: &str) -> Result<Uuid, PageError> {
    Uuid::parse_str(raw).map_err(|_| PageError(AppError::NotFound))
}

pub async fn confirm_revoke(
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, GuardError> {
    let principal = ctx.require_user()?.clone();
    let result = async {
        let key = own_key_row(&state, &principal, parse_id(&path)?).await?;
        if !key.usable {
            return Err(PageError(AppError::Conflict(
                "This key is no longer active.".into(),
            )));
        }
        ok(&RevokeConfirm { ctx, key })
    }
    .await;
    result.map_err(GuardError::Page)
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RevokeForm {
    reason: String,
}

pub async fn revoke_key(
    req: HttpRequest,
    SignedIn(principal): SignedIn,
    state: web::Data<AppState>,
    path: web::Path<String>,
    CsrfForm(form): CsrfForm<RevokeForm>,
) -> Result<HttpResponse, PageError> {
    let id = parse_id(&path)?;
    let meta = RequestMeta::from_request(&req);
    let key = api_keys::revoke_key(&state, principal.account.id, id, &form.reason, &meta).await?;
    set_flash(
        &req_session(&req),
        "success",
        format!(
            "Revoked \u{201c}{}\u{201d} ({}). It stops working on its next request.",
            key.description, key.hint
        ),
    );
    Ok(see_other("/account/settings/developer"))
}

pub async fn confirm_roll(
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, GuardError> {
    let principal = ctx.require_user()?.clone();
    let result = async {
        let key = own_key_row(&state, &principal, parse_id(&path)?).await?;
        if !key.usable {
            return Err(PageError(AppError::Conflict(
                "Only an active key can be rolled.".into(),
            )));
        }
        let graces = GRACE_CHOICES
            .iter()
            .map(|h| Choice {
                value: h.to_string(),
                label: match h {
                    0 => "Immediately".to_owned(),
                    1 => "After 1 hour".to_owned(),
                    h => format!("After {h} hours"),
                },
                hint: String::new(),
                selected: *h == 24,
                disabled: false,
            })
            .collect();
        ok(&RollConfirm {
            ctx,
            key,
            graces,
            form_token: random_token(16),
        })
    }
    .await;
    result.map_err(GuardError::Page)
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RollForm {
    grace_hours: String,
    form_token: String,
}

pub async fn roll_key(
    req: HttpRequest,
    ctx: PageCtx,
    SignedIn(principal): SignedIn,
    state: web::Data<AppState>,
    path: web::Path<String>,
    CsrfForm(form): CsrfForm<RollForm>,
) -> Result<HttpResponse, PageError> {
    let id = parse_id(&path)?;
    let grace = form
        .grace_hours
        .trim()
        .parse::<u16>()
        .ok()
        .filter(|h| GRACE_CHOICES.contains(h))
        .ok_or_else(|| {
            PageError(AppError::Validation(
                "Choose a grace period of 0, 1, 24 or 72 hours.".into(),
            ))
        })?;
    let nonce =
        form_nonce(&form.form_token).map_err(|m| PageError(AppError::Validation(m.into())))?;
    let meta = RequestMeta::from_request(&req);
    let old = api_keys::find_own_key(&state.db, principal.account.id, id).await?;
    match api_keys::roll_key(&state, &principal.account, id, grace, &nonce, &meta).await {
        Ok(minted) => reveal(
            ctx,
            minted,
            Some(format!("{} ({})", old.description, old.hint)),
        ),
        Err(MintError::AlreadySubmitted) => {
            set_flash(&req_session(&req), "info", ALREADY_SUBMITTED);
            Ok(see_other("/account/settings/developer"))
        }
        Err(MintError::App(e)) => Err(PageError(e)),
    }
}
