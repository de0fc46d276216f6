//! One error type, two faces: [`PageError`] renders the HTML error page,
//! [`Problem`] renders RFC 9457 problem+json for /v1. Both log the whole
//! chain and show the user none of it.

use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::HashMap;

use actix_web::web::Bytes;
use actix_web::{HttpResponse, ResponseError, http::StatusCode, http::header};
use sea_orm::DbErr;
use serde::Serialize;

#[derive(thiserror::Error)]
pub enum AppError {
    #[error("{0}")]
    Validation(String),
    #[error("not signed in")]
    Unauthorized,
    #[error("{0}")]
    Forbidden(String),
    #[error("not found")]
    NotFound,
    #[error("{0}")]
    Conflict(String),
    #[error("too many requests")]
    RateLimited { retry_after_secs: u64 },
    #[error("a dependency is unavailable")]
    Unavailable(#[source] anyhow::Error),
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

impl std::fmt::Debug for AppError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        error_chain_fmt(self, f)
    }
}

impl From<DbErr> for AppError {
    fn from(err: DbErr) -> Self {
        if is_unavailable(&err) {
            AppError::Unavailable(err.into())
        } else {
            AppError::Unexpected(err.into())
        }
    }
}

/// Errors that mean "the database cannot serve us right now": the caller
/// should retry, and we answer 503 rather than 500.
pub fn is_unavailable(err: &DbErr) -> bool {
    match err {
        DbErr::ConnectionAcquire(_) | DbErr::Conn(_) => true,
        other => {
            let text = other.to_string().to_lowercase();
            [
                "database is locked",
                "disk is full",
                "disk i/o error",
                "readonly database",
                "read-only",
                "connection refused",
                "connection reset",
                "broken pipe",
                "terminating connection",
                "pool timed out",
                "unable to open database",
                "closed",
            ]
            .iter()
            .any(|needle| text.contains(needle))
        }
    }
}

pub fn error_chain_fmt(
    e: &impl std::error::Error,
    f: &mut std::fmt::Formatter<'_>,
) -> std::fmt::Result {
    writeln!(f, "{e}")?;
    let mut current = e.source();
    while let Some(cause) = current {
        writeln!(f, "Caused by:\n\t{cause}")?;
        current = cause.source();
    }
    Ok(())
}

impl AppError {
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Unauthorized => StatusCode::UNAUTHORIZED,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Unexpected(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn log(&self) {
        match self {
            AppError::Unexpected(_) => tracing::error!(error = ?self, "request failed"),
            AppError::Unavailable(_) => tracing::warn!(error = ?self, "dependency unavailable"),
            _ => tracing::debug!(error = %self, "request refused"),
        }
    }
}

/// Every problem `code` the API can answer with. The Errors documentation
/// page is generated from this list, so the two cannot drift.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProblemCode {
    MissingCredentials,
    InvalidRequest,
    InvalidToken,
    InsufficientScope,
    NotFound,
    MethodNotAllowed,
    InvalidBody,
    InvalidQuery,
    ValidationFailed,
    UnsupportedMediaType,
    PayloadTooLarge,
    Conflict,
    RateLimited,
    ServiceUnavailable,
    InternalError,
}

impl ProblemCode {
    pub const ALL: &'static [ProblemCode] = &[
        ProblemCode::MissingCredentials,
        ProblemCode::InvalidRequest,
        ProblemCode::InvalidToken,
        ProblemCode::InsufficientScope,
        ProblemCode::NotFound,
        ProblemCode::MethodNotAllowed,
        ProblemCode::InvalidBody,
        ProblemCode::InvalidQuery,
        ProblemCode::ValidationFailed,
        ProblemCode::UnsupportedMediaType,
        ProblemCode::PayloadTooLarge,
        ProblemCode::Conflict,
        ProblemCode::RateLimited,
        ProblemCode::ServiceUnavailable,
        ProblemCode::InternalError,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ProblemCode::MissingCredentials => "missing_credentials",
            ProblemCode::InvalidRequest => "invalid_request",
            ProblemCode::InvalidToken => "invalid_token",
            ProblemCode::InsufficientScope => "insufficient_scope",
            ProblemCode::NotFound => "not_found",
            ProblemCode::MethodNotAllowed => "method_not_allowed",
            ProblemCode::InvalidBody => "invalid_body",
            ProblemCode::InvalidQuery => "invalid_query",
            ProblemCode::ValidationFailed => "validation_failed",
            ProblemCode::UnsupportedMediaType => "unsupported_media_type",
            ProblemCode::PayloadTooLarge => "payload_too_large",
            ProblemCode::Conflict => "conflict",
            ProblemCode::RateLimited => "rate_limited",
            ProblemCode::ServiceUnavailable => "service_unavailable",
            ProblemCode::InternalError => "internal_error",
        }
    }

    pub fn status(self) -> StatusCode {
        match self {
            ProblemCode::MissingCredentials | ProblemCode::InvalidToken => StatusCode::UNAUTHORIZED,
            ProblemCode::InvalidRequest | ProblemCode::InvalidBody | ProblemCode::InvalidQuery => {
                StatusCode::BAD_REQUEST
            }
            ProblemCode::InsufficientScope => StatusCode::FORBIDDEN,
            ProblemCode::NotFound => StatusCode::NOT_FOUND,
            ProblemCode::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ProblemCode::ValidationFailed => StatusCode::UNPROCESSABLE_ENTITY,
            ProblemCode::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ProblemCode::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ProblemCode::Conflict => StatusCode::CONFLICT,
            ProblemCode::RateLimited => StatusCode::TOO_MANY_REQUESTS,
            ProblemCode::ServiceUnavailable => StatusCode::SERVICE_UNAVAILABLE,
            ProblemCode::InternalError => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            ProblemCode::MissingCredentials => "API key required",
            ProblemCode::InvalidRequest => "Malformed authentication",
            ProblemCode::InvalidToken => "Invalid API key",
            ProblemCode::InsufficientScope => "Insufficient permission",
            ProblemCode::NotFound => "Not found",
            ProblemCode::MethodNotAllowed => "Method not allowed",
            ProblemCode::InvalidBody => "Invalid request body",
            ProblemCode::InvalidQuery => "Invalid query parameter",
            ProblemCode::ValidationFailed => "Validation failed",
            ProblemCode::UnsupportedMediaType => "Unsupported media type",
            ProblemCode::PayloadTooLarge => "Request body too large",
            ProblemCode::Conflict => "Conflict",
            ProblemCode::RateLimited => "Rate limit exceeded",
            ProblemCode::ServiceUnavailable => "Service unavailable",
            ProblemCode::InternalError => "Internal error",
        }
    }

    /// What a client should do about it (shown on the Errors page).
    pub fn advice(self) -> &'static str {
        match self {
            ProblemCode::MissingCredentials => {
                "Send your key in the header `Authorization: Bearer YOUR_API_KEY`."
            }
            ProblemCode::InvalidRequest => {
                "The Authorization header is not `Bearer <key>`, or a key was sent in the query string. Send the key only in the Authorization header."
            }
            ProblemCode::InvalidToken => {
                "The key is unknown, mistyped, revoked or expired. Check it on the Developer tab and generate a new one if needed."
            }
            ProblemCode::InsufficientScope => {
                "The key's permission level or your account type does not allow this action. Use a key with a higher permission level, if your account may have one."
            }
            ProblemCode::NotFound => {
                "The resource does not exist or does not belong to your account. Check the id."
            }
            ProblemCode::MethodNotAllowed => {
                "This route does not accept that HTTP method; see the API reference."
            }
            ProblemCode::InvalidBody => {
                "The body is not valid JSON for this route, or contains a field the route does not accept (such as `id`, `employer_id` or `status` on create). Send only documented fields."
            }
            ProblemCode::InvalidQuery => {
                "A query parameter is malformed or out of range (for example `per_page` above 100, or a bad cursor)."
            }
            ProblemCode::ValidationFailed => {
                "A field's value breaks a rule; `errors` lists each field with its message. Fix the values and retry."
            }
            ProblemCode::UnsupportedMediaType => {
                "Send request bodies as JSON with `Content-Type: application/json`."
            }
            ProblemCode::PayloadTooLarge => "Request bodies are limited to 64 KiB. Send less.",
            ProblemCode::Conflict => {
                "The request conflicts with the current state: for example, applying twice to one job, applying to a closed job, or withdrawing an application twice."
            }
            ProblemCode::RateLimited => {
                "Your key sent more requests this minute than its limit. Wait for the number of seconds in `Retry-After`, then retry."
            }
            ProblemCode::ServiceUnavailable => {
                "A temporary problem on our side. Retry after the `Retry-After` seconds with exponential backoff."
            }
            ProblemCode::InternalError => {
                "An unexpected error on our side. Retry later; if it persists, contact support with the `X-Request-Id` header value."
            }
        }
    }
}

/// An RFC 9457 problem, the face of every /v1 error.
#[derive(Debug)]
pub struct Problem {
    pub code: ProblemCode,
    pub detail: Cow<'static, str>,
    pub field_errors: Vec<FieldError>,
    pub headers: Vec<(header::HeaderName, header::HeaderValue)>,
}

thread_local! {
    /// Bodies of problems whose detail is a static string, by code and
    /// detail address: refusing a flood of bad keys costs no serialisation.
    static STATIC_BODIES: RefCell<HashMap<(ProblemCode, usize), Bytes>> = RefCell::new(HashMap::new());
}

#[derive(Debug, Serialize, Clone, utoipa::ToSchema)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ProblemBody<'a> {
    /// `/docs/errors#<code>`
    #[serde(rename = "type")]
    pub kind: String,
    pub title: &'a str,
    pub status: u16,
    pub detail: &'a str,
    pub code: &'a str,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    pub errors: &'a [FieldError],
}

impl Problem {
    pub fn new(code: ProblemCode, detail: impl Into<Cow<'static, str>>) -> Self {
        Problem {
            code,
            detail: detail.into(),
            field_errors: Vec::new(),
            headers: Vec::new(),
        }
    }

    pub fn with_header(mut self, name: header::HeaderName, value: impl Into<String>) -> Self {
        if let Ok(value) = header::HeaderValue::try_from(value.into()) {
            self.headers.push((name, value));
        }
        self
    }

    pub fn with_header_value(
        mut self,
        name: header::HeaderName,
        value: header::HeaderValue,
    ) -> Self {
        self.headers.push((name, value));
        self
    }

    fn body(&self) -> Bytes {
        let render = || {
            let body = ProblemBody {
                kind: format!("/docs/errors#{}", self.code.as_str()),
                title: self.code.title(),
                status: self.code.status().as_u16(),
                detail: &self.detail,
                code: self.code.as_str(),
                errors: &self.field_errors,
            };
            Bytes::from(serde_json::to_vec(&body).unwrap_or_default())
        };
        match &self.detail {
            Cow::Borrowed(detail) if self.field_errors.is_empty() => STATIC_BODIES.with(|cache| {
                cache
                    .borrow_mut()
                    .entry((self.code, detail.as_ptr() as usize))
                    .or_insert_with(render)
                    .clone()
            }),
            _ => render(),
        }
    }

    pub fn validation(errors: Vec<FieldError>) -> Self {
        let detail = match errors.as_slice() {
            [one] => format!("{}: {}", one.field, one.message),
            _ => format!("{} fields are invalid.", errors.len()),
        };
        Problem {
            field_errors: errors,
            ..Problem::new(ProblemCode::ValidationFailed, detail)
        }
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code.as_str(), self.detail)
    }
}

impl ResponseError for Problem {
    fn status_code(&self) -> StatusCode {
        self.code.status()
    }

    fn error_response(&self) -> HttpResponse {
        let mut response = HttpResponse::build(self.status_code());
        response.insert_header((
            header::CONTENT_TYPE,
            header::HeaderValue::from_static("application/problem+json"),
        ));
        response.insert_header((
            header::CACHE_CONTROL,
            header::HeaderValue::from_static("no-store"),
        ));
        for (name, value) in &self.headers {
            response.insert_header((name.clone(), value.clone()));
        }
        response.body(self.body())
    }
}

impl From<AppError> for Problem {
    fn from(err: AppError) -> Self {
        err.log();
        match err {
            AppError::Validation(detail) => Problem::new(ProblemCode::ValidationFailed, detail),
            AppError::Unauthorized => {
                Problem::new(ProblemCode::InvalidToken, "The API key is not valid.")
            }
            AppError::Forbidden(detail) => Problem::new(ProblemCode::InsufficientScope, detail),
            AppError::NotFound => Problem::new(ProblemCode::NotFound, "No such resource."),
            AppError::Conflict(detail) => Problem::new(ProblemCode::Conflict, detail),
            AppError::RateLimited { retry_after_secs } => {
                Problem::new(ProblemCode::RateLimited, "Too many requests.")
                    .with_header(header::RETRY_AFTER, retry_after_secs.to_string())
            }
            AppError::Unavailable(_) => Problem::new(
                ProblemCode::ServiceUnavailable,
                "The service is temporarily unavailable. Please retry shortly.",
            )
            .with_header(header::RETRY_AFTER, "5"),
            AppError::Unexpected(_) => Problem::new(
                ProblemCode::InternalError,
                "Something went wrong on our side.",
            ),
        }
    }
}

impl From<DbErr> for Problem {
    fn from(err: DbErr) -> Self {
        AppError::from(err).into()
    }
}

/// The HTML face: renders `error.html` in the layout with the right status.
pub struct PageError(pub AppError);

impl<E: Into<AppError>> From<E> for PageError {
    fn from(err: E) -> Self {
        PageError(err.into())
    }
}

impl std::fmt::Debug for PageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&self.0, f)
    }
}

impl std::fmt::Display for PageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(&self.0, f)
    }
}

impl ResponseError for PageError {
    fn status_code(&self) -> StatusCode {
        self.0.status()
    }

    fn error_response(&self) -> HttpResponse {
        self.0.log();
        let status = self.status_code();
        let (title, message) = match &self.0 {
            AppError::Validation(msg) => ("Check your input", msg.clone()),
            AppError::Unauthorized => ("Sign in required", "Please sign in to continue.".into()),
            AppError::Forbidden(msg) => ("Not allowed", msg.clone()),
            AppError::NotFound => (
                "Page not found",
                "We couldn\u{2019}t find that page. It may have moved, or the link may be wrong."
                    .into(),
            ),
            AppError::Conflict(msg) => ("Already done", msg.clone()),
            AppError::RateLimited { retry_after_secs } => (
                "Too many attempts",
                format!(
                    "Please wait {} before trying again.",
                    crate::time_fmt::wait_text(*retry_after_secs)
                ),
            ),
            AppError::Unavailable(_) => (
                "Temporarily unavailable",
                "The service is temporarily unavailable. Please try again in a few moments.".into(),
            ),
            AppError::Unexpected(_) => (
                "Something went wrong",
                "An unexpected error happened on our side. Please try again.".into(),
            ),
        };
        let mut response = crate::views::render_error_page(status, title, &message);
        match &self.0 {
            AppError::RateLimited { retry_after_secs } => {
                response.headers_mut().insert(
                    header::RETRY_AFTER,
                    header::HeaderValue::from(*retry_after_secs),
                );
            }
            AppError::Unavailable(_) => {
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, header::HeaderValue::from_static("5"));
            }
            _ => {}
        }
        response
    }
}

/// Gives a face to errors raised outside our handlers (the framework's own
/// 404/405, a session store failure): HTML for pages, problem+json for /v1.
/// Responses we rendered ourselves already have a content type and pass.
pub fn bare_error_page<B>(
    res: actix_web::dev::ServiceResponse<B>,
) -> actix_web::Result<actix_web::middleware::ErrorHandlerResponse<B>> {
    use actix_web::middleware::ErrorHandlerResponse;
    let rendered_by_us = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html") || v.starts_with("application/problem+json"));
    if rendered_by_us {
        return Ok(ErrorHandlerResponse::Response(res.map_into_left_body()));
    }
    let status = res.status();
    let is_api = res.request().path().starts_with("/v1");
    let (req, _) = res.into_parts();
    let response = if is_api {
        let code = match status {
            StatusCode::NOT_FOUND => ProblemCode::NotFound,
            StatusCode::METHOD_NOT_ALLOWED => ProblemCode::MethodNotAllowed,
            StatusCode::PAYLOAD_TOO_LARGE => ProblemCode::PayloadTooLarge,
            StatusCode::UNSUPPORTED_MEDIA_TYPE => ProblemCode::UnsupportedMediaType,
            s if s.is_client_error() => ProblemCode::InvalidBody,
            _ => ProblemCode::ServiceUnavailable,
        };
        Problem::new(code, code.title()).error_response()
    } else {
        let err = match status {
            StatusCode::NOT_FOUND | StatusCode::METHOD_NOT_ALLOWED => AppError::NotFound,
            StatusCode::FORBIDDEN => AppError::Forbidden("You can\u{2019}t do that here.".into()),
            s if s.is_client_error() => {
                AppError::Validation("The request could not be understood.".into())
            }
            // Server errors raised outside handlers come from the session
            // store, that is the database: answer 503, not 500.
            _ => AppError::Unavailable(anyhow::anyhow!("{status} raised outside a handler")),
        };
        PageError(err).error_response()
    };
    Ok(ErrorHandlerResponse::Response(
        actix_web::dev::ServiceResponse::new(req, response).map_into_right_body(),
    ))
}
