use actix_session::Session;
use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use crate::auth::csrf::CsrfForm;
use crate::auth::principal::AccountSummary;
use crate::auth::session_store::{ACCOUNT_ID, CLIENT_IP, USER_AGENT};
use crate::domain::random_token;
use crate::error::{AppError, PageError};
use crate::services::accounts::{self, SESSION_PUBLIC_ID, SignInError, ThrottleLimits};
use crate::services::audit::RequestMeta;
use crate::state::AppState;
use crate::views::pages::SignIn;
use crate::views::{PageCtx, ok, render, see_other, set_flash};

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NextQuery {
    next: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SignInForm {
    email: String,
    password: String,
    next: String,
}

/// Only same-site paths: `/account`, never `//evil.example` or `https://…`.
pub fn safe_next(next: &str) -> String {
    let ok = next.starts_with('/')
        && !next.starts_with("//")
        && !next.starts_with("/\\")
        && !next.chars().any(|c| c.is_control() || c == '\\');
    if ok {
        next.to_owned()
    } else {
        "/account/settings/developer".to_owned()
    }
}

pub async fn form(
    req: HttpRequest,
    ctx: PageCtx,
    query: web::Query<NextQuery>,
) -> Result<HttpResponse, PageError> {
    let next = safe_next(&query.next);
    if ctx.user.is_some() {
        return Ok(see_other(&next));
    }
    ok(&SignIn {
        ctx: ctx.with_csrf(&req)?,
        email: String::new(),
        next,
        error: None,
    })
}

/// A fresh session id for the signed-in account (the old id dies).
pub fn start_session(
    session: &Session,
    account: &AccountSummary,
    meta: &RequestMeta,
) -> Result<(), AppError> {
    session.renew();
    let csrf = random_token(32);
    let store = |key: &str, value: serde_json::Value| {
        session
            .insert(key, value)
            .map_err(|e| AppError::Unexpected(anyhow::anyhow!("writing the session: {e}")))
    };
    store(ACCOUNT_ID, serde_json::json!(account.id))?;
    store(SESSION_PUBLIC_ID, serde_json::json!(random_token(8)))?;
    store(CLIENT_IP, serde_json::json!(meta.ip))?;
    store(USER_AGENT, serde_json::json!(meta.user_agent))?;
    // A new token too: one seen before sign-in is not trusted after it.
    store("csrf", serde_json::json!(csrf))?;
    Ok(())
}

const GENERIC_FAILURE: &str = "Incorrect email or password.";

pub async fn submit(
    req: HttpRequest,
    ctx: PageCtx,
    session: Session,
    state: web::Data<AppState>,
    CsrfForm(form): CsrfForm<SignInForm>,
) -> Result<HttpResponse, PageError> {
    let next = safe_next(&form.next);
    let meta = RequestMeta::from_request(&req);
    let limits = ThrottleLimits {
        per_account: state.settings.sign_in_max_per_account,
        per_ip: state.settings.sign_in_max_per_ip,
    };
    let result = accounts::authenticate(
        &state.db,
        &state.hasher,
        &form.email,
        form.password,
        &limits,
        &meta,
    )
    .await;
    let ctx = ctx.with_csrf(&req)?;
    match result {
        Ok(account) => {
            start_session(&session, &account, &meta)?;
            set_flash(
                &session,
                "success",
                format!("Signed in as {}.", account.email),
            );
            Ok(see_other(&next))
        }
        Err(SignInError::InvalidCredentials) => render(
            StatusCode::UNAUTHORIZED,
            &SignIn {
                ctx,
                email: form.email,
                next,
                error: Some(GENERIC_FAILURE.into()),
            },
        ),
        Err(SignInError::Throttled { retry_after_secs }) => {
            let wait = crate::time_fmt::wait_text(retry_after_secs);
            let mut response = render(
                StatusCode::TOO_MANY_REQUESTS,
                &SignIn {
                    ctx,
                    email: form.email,
                    next,
                    error: Some(format!(
                        "Too many failed attempts. Please wait {wait} and try again."
                    )),
                },
            )?;
            response.headers_mut().insert(
                header::RETRY_AFTER,
                header::HeaderValue::from(retry_after_secs),
            );
            Ok(response)
        }
        Err(SignInError::App(e)) => Err(PageError(e)),
    }
}
