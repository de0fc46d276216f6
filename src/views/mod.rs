//! Askama views: one struct per page, each holding a [`PageCtx`].

pub mod pages;

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::LazyLock;

use actix_session::{Session, SessionExt};
use actix_web::dev::Payload;
use actix_web::http::{StatusCode, header};
use actix_web::{FromRequest, HttpRequest, HttpResponse};
use askama::Template;
use rust_embed::RustEmbed;
use serde::{Deserialize, Serialize};

use crate::auth::guards::{GuardError, SignInRequired, session_principal};
use crate::auth::{Principal, csrf};
use crate::error::{AppError, PageError};

#[derive(RustEmbed)]
#[folder = "static/"]
pub struct Assets;

/// Content hashes of the embedded assets, for cache-busting URLs.
static ASSET_VERSIONS: LazyLock<HashMap<String, String>> = LazyLock::new(|| {
    Assets::iter()
        .filter_map(|path| {
            let file = Assets::get(&path)?;
            let hash = hex::encode(&file.metadata.sha256_hash()[..6]);
            Some((path.into_owned(), hash))
        })
        .collect()
});

/// `/static/css/app.css?v=<hash>`: the hash changes whenever the file does,
/// so the file can be cached for a year.
pub fn asset(path: &str) -> String {
    match ASSET_VERSIONS.get(path) {
        Some(v) => format!("/static/{path}?v={v}"),
        None => format!("/static/{path}"),
    }
}

pub fn asset_version(path: &str) -> Option<&'static str> {
    ASSET_VERSIONS.get(path).map(String::as_str)
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Flash {
    pub kind: String,
    pub message: String,
}

const FLASH_KEY: &str = "flash";

pub fn set_flash(session: &Session, kind: &str, message: impl Into<String>) {
    let flash = Flash {
        kind: kind.into(),
        message: message.into(),
    };
    if let Err(e) = session.insert(FLASH_KEY, flash) {
        tracing::warn!(error = %e, "could not store a flash message");
    }
}

/// What every page's layout needs: who is signed in, the CSRF token for
/// forms, and a one-time message from the previous action.
pub struct PageCtx {
    pub user: Option<Principal>,
    pub csrf: String,
    pub flash: Option<Flash>,
    pub path: String,
    pub pending_partner_requests: u64,
}

impl PageCtx {
    pub fn require_user(&self) -> Result<&Principal, GuardError> {
        self.user
            .as_ref()
            .ok_or_else(|| GuardError::SignIn(SignInRequired::new(self.path.clone())))
    }

    pub fn is_admin(&self) -> bool {
        self.user.as_ref().is_some_and(|u| {
            crate::auth::policy::may_review_partner_requests(u.account.account_type)
        })
    }

    pub fn nav_current(&self, prefix: &str) -> bool {
        if prefix == "/" {
            self.path == "/"
        } else {
            self.path.starts_with(prefix)
        }
    }

    pub fn asset(&self, path: &str) -> String {
        asset(path)
    }
}

impl FromRequest for PageCtx {
    type Error = PageError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let session = req.get_session();
            let user = session_principal(&req).await?;
            let flash = session.remove_as::<Flash>(FLASH_KEY).and_then(Result::ok);
            // Anonymous visitors get a session (and token) only on pages
            // with forms, which ask for it through `with_csrf`.
            let csrf = if user.is_some() {
                csrf::token(&session)?
            } else {
                String::new()
            };
            let pending_partner_requests = match &user {
                Some(u)
                    if crate::auth::policy::may_review_partner_requests(u.account.account_type) =>
                {
                    let state = req
                        .app_data::<actix_web::web::Data<crate::state::AppState>>()
                        .ok_or_else(|| AppError::Unexpected(anyhow::anyhow!("state missing")))?;
                    crate::services::partners::pending_count(&state.db).await?
                }
                _ => 0,
            };
            Ok(PageCtx {
                user,
                csrf,
                flash,
                path: req.path().to_owned(),
                pending_partner_requests,
            })
        })
    }
}

impl PageCtx {
    /// Makes sure the page has a CSRF token, starting a session if needed.
    pub fn with_csrf(mut self, req: &HttpRequest) -> Result<Self, AppError> {
        if self.csrf.is_empty() {
            self.csrf = csrf::token(&req.get_session())?;
        }
        Ok(self)
    }
}

/// Renders a template as an HTML response.
pub fn render<T: Template>(status: StatusCode, template: &T) -> Result<HttpResponse, PageError> {
    let body = template
        .render()
        .map_err(|e| AppError::Unexpected(anyhow::anyhow!("rendering a template: {e}")))?;
    Ok(HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .body(body))
}

pub fn ok<T: Template>(template: &T) -> Result<HttpResponse, PageError> {
    render(StatusCode::OK, template)
}

/// A response that reveals a secret once: never cached, never stored.
pub fn no_store(mut response: HttpResponse) -> HttpResponse {
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store, max-age=0"),
    );
    response
        .headers_mut()
        .insert(header::PRAGMA, header::HeaderValue::from_static("no-cache"));
    response
}

pub fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, location))
        .finish()
}

/// The error page, rendered without a request (no user in the nav).
pub fn render_error_page(status: StatusCode, title: &str, message: &str) -> HttpResponse {
    let page = pages::ErrorPage {
        ctx: PageCtx {
            user: None,
            csrf: String::new(),
            flash: None,
            path: String::new(),
            pending_partner_requests: 0,
        },
        status: status.as_u16(),
        title: title.to_owned(),
        message: message.to_owned(),
    };
    match page.render() {
        Ok(body) => HttpResponse::build(status)
            .content_type("text/html; charset=utf-8")
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .body(body),
        Err(_) => HttpResponse::build(status)
            .content_type("text/plain; charset=utf-8")
            .body(title.to_owned()),
    }
}
