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
    modifiers(&BearerAuth),
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

static DOCUMENT: LazyLock<utoipa::openapi::OpenApi> = LazyLock::new(ApiDoc::openapi);
static JSON: LazyLock<String> =
    LazyLock::new(|| DOCUMENT.to_pretty_json().unwrap_or_else(|_| "{}".into()));

pub fn document() -> &'static utoipa::openapi::OpenApi {
    &DOCUMENT
}

pub fn json() -> &'static str {
    &JSON
}
