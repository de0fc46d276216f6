use actix_web::HttpResponse;
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::Credential;
use crate::auth::guards::ApiPrincipal;
use crate::auth::policy::Action;
use crate::error::Problem;

use super::authorize;

#[derive(Serialize, ToSchema)]
pub struct MeAccount {
    pub id: uuid::Uuid,
    pub display_name: String,
    /// developer, candidate, employer or admin
    pub account_type: String,
    /// none, pending, approved or rejected
    pub partner_status: String,
}

#[derive(Serialize, ToSchema)]
pub struct MeKey {
    pub id: uuid::Uuid,
    pub description: String,
    /// The level the key acts at now: read_only, standard or partner.
    pub permission: String,
    /// live or test
    pub environment: String,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub expires_at: Option<time::OffsetDateTime>,
}

#[derive(Serialize, ToSchema)]
pub struct Me {
    pub account: MeAccount,
    pub key: MeKey,
}

/// The account and key behind this request.
#[utoipa::path(get, path = "/v1/me", tag = "Account",
    responses((status = 200, body = Me), (status = 401, description = "Missing or invalid key", body = crate::error::ProblemBody)),
    security(("bearer" = [])))]
pub async fn show(ApiPrincipal(principal): ApiPrincipal) -> Result<HttpResponse, Problem> {
    authorize(&principal, Action::ReadAccount)?;
    let Credential::ApiKey {
        key_id,
        description,
        environment,
        expires_at,
        ..
    } = &principal.credential
    else {
        return Err(Problem::new(
            crate::error::ProblemCode::MissingCredentials,
            "An API key is required.",
        ));
    };
    let body = Me {
        account: MeAccount {
            id: principal.account.id,
            display_name: principal.account.display_name.clone(),
            account_type: principal.account.account_type.as_str().into(),
            partner_status: principal.account.partner_status.as_str().into(),
        },
        key: MeKey {
            id: *key_id,
            description: description.clone(),
            permission: principal.permission().as_str().into(),
            environment: environment.as_str().into(),
            expires_at: *expires_at,
        },
    };
    Ok(HttpResponse::Ok().json(body))
}
