//! The two ways in. Pages: [`SignedIn`] / [`AdminOnly`] read the session.
//! /v1: [`bearer_guard`] reads the `Authorization` header and nothing else.
//! Both yield a [`Principal`].

use std::borrow::Cow;
use std::future::Future;
use std::pin::Pin;

use actix_session::SessionExt;
use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::{StatusCode, header};
use actix_web::middleware::Next;
use actix_web::{FromRequest, HttpMessage, HttpRequest, HttpResponse, ResponseError, web};
use uuid::Uuid;

use super::principal::{Credential, Principal};
use super::session_store::ACCOUNT_ID;

use crate::domain::{ApiKeySecret, KeyFormatError};
use crate::error::{AppError, PageError, Problem, ProblemCode};
use crate::rate_limit::Decision;
use crate::services::{accounts, api_keys};
use crate::state::AppState;

/// A signed-in account, from the session. Anonymous visitors are sent to
/// the sign-in page and brought back afterwards.
pub struct SignedIn(pub Principal);

/// A signed-in administrator. Everyone else gets 404: the admin area does
/// not admit to existing.
pub struct AdminOnly(pub Principal);

#[derive(Debug)]
pub struct SignInRequired {
    next: String,
}

impl SignInRequired {
    pub fn new(next: String) -> Self {
        SignInRequired { next }
    }
}

impl std::fmt::Display for SignInRequired {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("sign-in required")
    }
}

impl ResponseError for SignInRequired {
    fn status_code(&self) -> StatusCode {
        StatusCode::SEE_OTHER
    }
    fn error_response(&self) -> HttpResponse {
        let target = format!(
            "/sign-in?{}",
            serde_urlencoded::to_string([("next", &self.next)]).unwrap_or_default()
        );
        HttpResponse::SeeOther()
            .insert_header((header::LOCATION, target))
            .finish()
    }
}

pub enum GuardError {
    SignIn(SignInRequired),
    Page(PageError),
}

impl std::fmt::Debug for GuardError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            GuardError::SignIn(e) => e.fmt(f),
            GuardError::Page(e) => e.fmt(f),
        }
    }
}

impl std::fmt::Display for GuardError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self, f)
    }
}

impl ResponseError for GuardError {
    fn status_code(&self) -> StatusCode {
        match self {
            GuardError::SignIn(e) => e.status_code(),
            GuardError::Page(e) => e.status_code(),
        }
    }
    fn error_response(&self) -> HttpResponse {
        match self {
            GuardError::SignIn(e) => e.error_response(),
            GuardError::Page(e) => e.error_response(),
        }
    }
}

/// The signed-in account behind this request's session, if any.
pub async fn session_principal(req: &HttpRequest) -> Result<Option<Principal>, AppError> {
    let session = req.get_session();
    if session.contains_key(super::session_store::STORE_UNAVAILABLE) {
        return Err(AppError::Unavailable(anyhow::anyhow!(
            "the session store is unavailable"
        )));
    }
    let Some(account_id) = session.get::<Uuid>(ACCOUNT_ID).ok().flatten() else {
        return Ok(None);
    };
    let state = req
        .app_data::<web::Data<AppState>>()
        .ok_or_else(|| AppError::Unexpected(anyhow::anyhow!("application state missing")))?;
    match accounts::find_summary(&state.db, account_id).await? {
        Some(account) => Ok(Some(Principal {
            account,
            credential: Credential::Session,
        })),
        None => {
            // The account is gone: forget it.
            session.purge();
            Ok(None)
        }
    }
}

fn next_for(req: &HttpRequest) -> String {
    // A GET can come back here; a POST's target would be replayed without its form.
    if req.method() == actix_web::http::Method::GET {
        req.uri()
            .path_and_query()
            .map(|pq| pq.as_str().to_owned())
            .unwrap_or_else(|| "/".into())
    } else {
        "/account/settings/developer".into()
    }
}

impl FromRequest for SignedIn {
    type Error = GuardError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            match session_principal(&req).await {
                Ok(Some(principal)) => Ok(SignedIn(principal)),
                Ok(None) => Err(GuardError::SignIn(SignInRequired {
                    next: next_for(&req),
                })),
                Err(e) => Err(GuardError::Page(PageError(e))),
            }
        })
    }
}

impl FromRequest for AdminOnly {
    type Error = GuardError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let signed_in = SignedIn::from_request(req, payload);
        Box::pin(async move {
            let SignedIn(principal) = signed_in.await.map_err(|e| match e {
                GuardError::SignIn(_) => GuardError::Page(PageError(AppError::NotFound)),
                other => other,
            })?;
            if super::policy::may_review_partner_requests(principal.account.account_type) {
                Ok(AdminOnly(principal))
            } else {
                Err(GuardError::Page(PageError(AppError::NotFound)))
            }
        })
    }
}

/// The caller of a /v1 route, put in the request by [`bearer_guard`].
pub struct ApiPrincipal(pub std::sync::Arc<Principal>);

impl FromRequest for ApiPrincipal {
    type Error = Problem;
    type Future = std::future::Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(
            req.extensions()
                .get::<std::sync::Arc<Principal>>()
                .cloned()
                .map(ApiPrincipal)
                .ok_or_else(|| {
                    Problem::new(ProblemCode::MissingCredentials, "An API key is required.")
                }),
        )
    }
}

const REALM: &str = "Bearer realm=\"AutoTechJobs API\"";

/// RFC 6750 errors: the `WWW-Authenticate` header says what went wrong.
pub fn bearer_problem(code: ProblemCode, detail: impl Into<Cow<'static, str>>) -> Problem {
    let detail = detail.into();
    let challenge = |detail: &str| {
        let text = match code {
            ProblemCode::InvalidRequest
            | ProblemCode::InvalidToken
            | ProblemCode::InsufficientScope => {
                format!(
                    "{REALM}, error=\"{}\", error_description=\"{detail}\"",
                    code.as_str()
                )
            }
            _ => REALM.to_owned(),
        };
        header::HeaderValue::try_from(text).unwrap_or(header::HeaderValue::from_static(REALM))
    };
    let value = match &detail {
        // Static details (every refusal before the database) are formatted once per thread.
        Cow::Borrowed(text) => STATIC_CHALLENGES.with(|cache| {
            cache
                .borrow_mut()
                .entry((code, text.as_ptr() as usize))
                .or_insert_with(|| challenge(text))
                .clone()
        }),
        Cow::Owned(text) => challenge(text),
    };
    Problem::new(code, detail).with_header_value(header::WWW_AUTHENTICATE, value)
}

thread_local! {
    static STATIC_CHALLENGES: std::cell::RefCell<std::collections::HashMap<(ProblemCode, usize), header::HeaderValue>> =
        std::cell::RefCell::new(std::collections::HashMap::new());
}

/// Refused before any work: a key in the query string would end up in
/// logs, proxies and browser history.
fn key_in_query(req: &ServiceRequest) -> bool {
    req.query_string().split('&').any(|pair| {
        let name = pair.split('=').next().unwrap_or("");
        matches!(
            name.to_ascii_lowercase().as_str(),
            "api_key" | "apikey" | "key" | "access_token" | "token"
        )
    })
}

/// Parses `Authorization: Bearer <key>`: shape and checksum only, no I/O.
fn bearer_key(req: &ServiceRequest) -> Result<ApiKeySecret, Problem> {
    let mut values = req.headers().get_all(header::AUTHORIZATION);
    let Some(value) = values.next() else {
        if key_in_query(req) {
            return Err(bearer_problem(
                ProblemCode::InvalidRequest,
                "API keys are not accepted in the query string. Send the key in the Authorization header.",
            ));
        }
        return Err(bearer_problem(
            ProblemCode::MissingCredentials,
            "Send your API key in the Authorization header: Authorization: Bearer YOUR_API_KEY.",
        ));
    };
    if values.next().is_some() {
        return Err(bearer_problem(
            ProblemCode::InvalidRequest,
            "Send one Authorization header.",
        ));
    }
    let text = value.to_str().map_err(|_| {
        bearer_problem(
            ProblemCode::InvalidRequest,
            "The Authorization header is malformed.",
        )
    })?;
    let (scheme, credentials) = text.split_once(' ').ok_or_else(|| {
        bearer_problem(
            ProblemCode::InvalidRequest,
            "Use the form: Authorization: Bearer YOUR_API_KEY.",
        )
    })?;
    let credentials = credentials.trim();
    if !scheme.eq_ignore_ascii_case("bearer") || credentials.is_empty() || credentials.contains(' ')
    {
        return Err(bearer_problem(
            ProblemCode::InvalidRequest,
            "Use the form: Authorization: Bearer YOUR_API_KEY.",
        ));
    }
    if key_in_query(req) {
        return Err(bearer_problem(
            ProblemCode::InvalidRequest,
            "API keys are not accepted in the query string. Send the key in the Authorization header.",
        ));
    }
    ApiKeySecret::parse(credentials).map_err(|e| {
        let detail = match e {
            KeyFormatError::Format => "The API key is malformed.",
            KeyFormatError::Checksum => "The API key is not valid.",
        };
        bearer_problem(ProblemCode::InvalidToken, detail)
    })
}

/// The one guard in front of every /v1 route except the public OpenAPI
/// document: authenticate, rate-limit, record usage, add the headers.
pub async fn bearer_guard(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    let refuse = |req: ServiceRequest, problem: Problem| {
        let response = problem.error_response();
        Ok(req.into_response(response).map_into_right_body())
    };
    let Some(state) = req.app_data::<web::Data<AppState>>().cloned() else {
        return refuse(
            req,
            AppError::Unexpected(anyhow::anyhow!("state missing")).into(),
        );
    };
    let secret = match bearer_key(&req) {
        Ok(secret) => secret,
        Err(problem) => return refuse(req, problem),
    };
    let principal = match api_keys::authenticate(&state, &secret).await {
        Ok(Some(principal)) => principal,
        Ok(None) => {
            return refuse(
                req,
                bearer_problem(
                    ProblemCode::InvalidToken,
                    "The API key is unknown, revoked or expired.",
                ),
            );
        }
        Err(err) => return refuse(req, Problem::from(err)),
    };
    let key_id = principal.key_id().unwrap_or_default();
    let limit = state
        .settings
        .rate_limits
        .for_permission(principal.permission());
    let decision = state.rate_limiter.check(key_id, limit);
    if !decision.allowed {
        let problem = Problem::new(
            ProblemCode::RateLimited,
            format!("This key may make {limit} requests per minute."),
        )
        .with_header(header::RETRY_AFTER, decision.retry_after_secs.to_string());
        let mut response = refuse(req, problem)?;
        add_rate_headers(response.headers_mut(), &decision);
        return Ok(response);
    }
    // The peer address, unless a trusted proxy names the client.
    let ip = if state.settings.trust_forwarded {
        req.connection_info().realip_remote_addr().and_then(|a| {
            a.parse::<std::net::IpAddr>()
                .ok()
                .or_else(|| a.parse::<std::net::SocketAddr>().ok().map(|s| s.ip()))
        })
    } else {
        req.peer_addr().map(|p| p.ip())
    };
    state.usage.record(key_id, ip);
    let is_test = principal.is_test_key();
    req.extensions_mut().insert(principal);
    let mut response = next.call(req).await?.map_into_left_body();
    add_rate_headers(response.headers_mut(), &decision);
    if is_test {
        response.headers_mut().insert(
            header::HeaderName::from_static("x-atj-test"),
            header::HeaderValue::from_static("1"),
        );
    }
    Ok(response)
}

fn add_rate_headers(headers: &mut header::HeaderMap, decision: &Decision) {
    let pairs = [
        ("x-ratelimit-limit", decision.limit as u64),
        ("x-ratelimit-remaining", decision.remaining as u64),
        ("x-ratelimit-reset", decision.reset_epoch),
    ];
    for (name, value) in pairs {
        headers.insert(
            header::HeaderName::from_static(name),
            header::HeaderValue::from(value),
        );
    }
}
