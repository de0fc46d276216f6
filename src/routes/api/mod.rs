//! The /v1 JSON API. Every error is problem+json.

pub mod v1;

use actix_web::error::{JsonPayloadError, PathError, QueryPayloadError};
use actix_web::{HttpRequest, web};

use crate::error::{FieldError, Problem, ProblemCode};

/// Request bodies: JSON only, at most 64 KiB.
pub const BODY_LIMIT: usize = 64 * 1024;

pub fn json_config() -> web::JsonConfig {
    web::JsonConfig::default()
        .limit(BODY_LIMIT)
        .content_type_required(true)
        .error_handler(|err, _req| {
            let problem = match &err {
                JsonPayloadError::ContentType => Problem::new(
                    ProblemCode::UnsupportedMediaType,
                    "Send the body as JSON with Content-Type: application/json.",
                ),
                JsonPayloadError::Overflow { .. }
                | JsonPayloadError::OverflowKnownLength { .. } => Problem::new(
                    ProblemCode::PayloadTooLarge,
                    "Request bodies are limited to 64 KiB.",
                ),
                JsonPayloadError::Deserialize(e) => {
                    Problem::new(ProblemCode::InvalidBody, describe_json_error(e))
                }
                _ => Problem::new(
                    ProblemCode::InvalidBody,
                    "The request body could not be read as JSON.",
                ),
            };
            problem.into()
        })
}

/// serde's message names the offending field without echoing any input.
fn describe_json_error(e: &serde_json::Error) -> String {
    let message = e.to_string();
    let message = message.split(" at line ").next().unwrap_or(&message);
    format!("The JSON body is invalid: {message}.")
}

pub fn query_config() -> web::QueryConfig {
    web::QueryConfig::default().error_handler(|err, _req| {
        let detail = match &err {
            QueryPayloadError::Deserialize(e) => format!("A query parameter is invalid: {e}."),
            _ => "The query string is invalid.".to_owned(),
        };
        Problem::new(ProblemCode::InvalidQuery, detail).into()
    })
}

pub fn path_config() -> web::PathConfig {
    web::PathConfig::default().error_handler(|_err: PathError, _req| {
        Problem::new(ProblemCode::NotFound, "No such resource.").into()
    })
}

pub async fn not_found(req: HttpRequest) -> Result<actix_web::HttpResponse, Problem> {
    let known = ["/v1/me", "/v1/jobs", "/v1/applications", "/v1/partner/jobs"];
    if known.iter().any(|p| req.path() == *p)
        || req.path().starts_with("/v1/jobs/")
        || req.path().starts_with("/v1/applications/")
    {
        Err(Problem::new(
            ProblemCode::MethodNotAllowed,
            format!("{} is not allowed here.", req.method()),
        ))
    } else {
        Err(Problem::new(
            ProblemCode::NotFound,
            "No such route. See /v1/openapi.json.",
        ))
    }
}

/// validator's errors as a problem with one entry per field.
pub fn validation_problem(errors: validator::ValidationErrors) -> Problem {
    let mut fields: Vec<FieldError> = errors
        .field_errors()
        .into_iter()
        .flat_map(|(field, errs)| {
            errs.iter().map(move |e| FieldError {
                field: field.to_string(),
                message: e
                    .message
                    .as_ref()
                    .map(|m| m.to_string())
                    .unwrap_or_else(|| format!("is invalid ({})", e.code)),
            })
        })
        .collect();
    fields.sort_by(|a, b| a.field.cmp(&b.field));
    Problem::validation(fields)
}
