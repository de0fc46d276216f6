//! The API description, built from the route annotations so the reference
//! documentation and the server cannot drift.

use std::sync::LazyLock;

use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::routes::api::v1::{applications, jobs, me, partner};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "AutoTechJobs API",
        version = "1.0.0",
        description = "Jobs, applications and the partner feed of AutoTechJobs, the UK jobs board for automotive technology. Authenticate with `Authorization: Bearer YOUR_API_KEY`."
    ),
    servers((url = "https://api.autotechjobs.co.uk")),
    paths(
        me::show,
        jobs::list, jobs::show, jobs::create, jobs::update, jobs::close,
        applications::apply, applications::list_own, applications::list_for_job, applications::withdraw,
        partner::jobs,
    ),
    components(schemas(crate::error::ProblemBody, crate::error::FieldError)),
    modifiers(&BearerAuth, &ProblemResponses),
    tags(
        (name = "Account", description = "The caller's account and key"),
        (name = "Jobs", description = "Search, read and manage jobs"),
        (name = "Applications", description = "Apply to jobs and manage applications"),
        (name = "Partner", description = "Partner-only feeds"),
    )
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
    }
}

/// Every error is `application/problem+json`, and every guarded route can
/// answer 400/401 (the bearer guard), 429 (the rate limiter) and 503 (the
/// database away): say so on each operation instead of repeating it in
/// every annotation.
struct ProblemResponses;

impl Modify for ProblemResponses {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};
        let problem = || {
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("ProblemBody")))
                .build()
        };
        let common = [
            (
                "400",
                "Malformed Authorization header, or a key in the query string (`invalid_request`)",
            ),
            (
                "401",
                "Missing, unknown, revoked or expired API key (`missing_credentials`, `invalid_token`)",
            ),
            (
                "429",
                "Rate limit exceeded (`rate_limited`); see `Retry-After`",
            ),
            (
                "503",
                "Temporarily unavailable (`service_unavailable`); see `Retry-After`",
            ),
        ];
        for item in openapi.paths.paths.values_mut() {
            let operations = [
                &mut item.get,
                &mut item.post,
                &mut item.put,
                &mut item.patch,
                &mut item.delete,
            ];
            for operation in operations.into_iter().flatten() {
                let responses = &mut operation.responses.responses;
                for (status, response) in responses.iter_mut() {
                    if let RefOr::T(response) = response
                        && status.starts_with(['4', '5'])
                    {
                        response.content.shift_remove("application/json");
                        response
                            .content
                            .insert("application/problem+json".into(), problem());
                    }
                }
                let with_body: &[(&str, &str)] = if operation.request_body.is_some() {
                    &[
                        ("413", "Body larger than 64 KiB (`payload_too_large`)"),
                        (
                            "415",
                            "Body not sent as `application/json` (`unsupported_media_type`)",
                        ),
                    ]
                } else {
                    &[]
                };
                let responses = &mut operation.responses.responses;
                for &(status, description) in common.iter().chain(with_body) {
                    responses.entry(status.into()).or_insert_with(|| {
                        RefOr::T(
                            ResponseBuilder::new()
                                .description(description)
                                .content("application/problem+json", problem())
                                .build(),
                        )
                    });
                }
            }
        }
    }
}

static DOCUMENT: LazyLock<utoipa::openapi::OpenApi> = LazyLock::new(ApiDoc::openapi);
static JSON: LazyLock<String> =
    LazyLock::new(|| DOCUMENT.to_pretty_json().unwrap_or_else(|_| "{}".into()));

pub fn document() -> &'static utoipa::openapi::OpenApi {
    &DOCUMENT
}

pub fn json() -> &'static str {
    &JSON
}
