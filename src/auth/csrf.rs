//! CSRF protection for every form.
//!
//! Each session holds a random token; every form carries it in a hidden
//! `csrf_token` field; [`CsrfForm`] refuses a POST whose token is missing or
//! wrong before the handler runs. [`reject_cross_site`] (middleware) also
//! refuses any POST whose `Origin` or `Sec-Fetch-Site` says cross-site.

use std::future::Future;
use std::pin::Pin;

use actix_session::{Session, SessionExt};
use actix_web::body::MessageBody;
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{FromRequest, HttpRequest, http::Method, http::header, web};
use serde::de::DeserializeOwned;
use subtle::ConstantTimeEq;

use crate::domain::random_token;
use crate::error::{AppError, PageError};

const SESSION_KEY: &str = "csrf";
const FORM_LIMIT: usize = 64 * 1024;

/// The session's CSRF token, created on first use.
pub fn token(session: &Session) -> Result<String, AppError> {
    if let Ok(Some(existing)) = session.get::<String>(SESSION_KEY) {
        return Ok(existing);
    }
    let fresh = random_token(32);
    session
        .insert(SESSION_KEY, &fresh)
        .map_err(|e| AppError::Unexpected(anyhow::anyhow!("storing the CSRF token: {e}")))?;
    Ok(fresh)
}

fn matches(session: &Session, submitted: Option<&str>) -> bool {
    let expected = session.get::<String>(SESSION_KEY).ok().flatten();
    match (expected, submitted) {
        (Some(expected), Some(submitted)) => expected.as_bytes().ct_eq(submitted.as_bytes()).into(),
        _ => false,
    }
}

/// A url-encoded form whose `csrf_token` matched the session's.
pub struct CsrfForm<T>(pub T);

#[derive(serde::Deserialize)]
struct TokenField {
    csrf_token: Option<String>,
}

fn forbidden() -> PageError {
    PageError(AppError::Forbidden(
        "This form has expired or did not come from this site. Go back, reload the page and try again.".into(),
    ))
}

impl<T: DeserializeOwned + 'static> FromRequest for CsrfForm<T> {
    type Error = PageError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let session = req.get_session();
        let is_form = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
        let body = web::Bytes::from_request(req, payload);
        Box::pin(async move {
            let body = body
                .await
                .map_err(|_| PageError(AppError::Validation("The form is too large.".into())))?;
            let token: TokenField =
                serde_urlencoded::from_bytes(&body).unwrap_or(TokenField { csrf_token: None });
            if !is_form || !matches(&session, token.csrf_token.as_deref()) {
                tracing::warn!("POST refused: CSRF token missing or wrong");
                return Err(forbidden());
            }
            serde_urlencoded::from_bytes(&body)
                .map(CsrfForm)
                .map_err(|e| {
                    PageError(AppError::Validation(format!(
                        "The form could not be read: {e}"
                    )))
                })
        })
    }
}

/// The body limit forms are read with.
pub fn payload_config() -> web::PayloadConfig {
    web::PayloadConfig::new(FORM_LIMIT)
}

/// Refuses state-changing requests that a browser marks as cross-site.
pub async fn reject_cross_site(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    if req.method() != Method::GET && req.method() != Method::HEAD && is_cross_site(&req) {
        tracing::warn!("POST refused: cross-site origin");
        return Err(forbidden().into());
    }
    next.call(req).await
}

fn is_cross_site(req: &ServiceRequest) -> bool {
    let headers = req.headers();
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok())
        && site.eq_ignore_ascii_case("cross-site")
    {
        return true;
    }
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    if origin == "null" {
        return true;
    }
    let host = req.connection_info().host().to_owned();
    let origin_host = origin
        .strip_prefix("https://")
        .or_else(|| origin.strip_prefix("http://"))
        .unwrap_or(origin);
    !origin_host.eq_ignore_ascii_case(&host)
}
