//! Applications: candidates apply and withdraw; employers read those to
//! their own jobs.

use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

use super::{PageQuery, authorize};
use crate::auth::guards::ApiPrincipal;
use crate::auth::policy::Action;
use crate::entities::application;
use crate::error::{Problem, ProblemCode};
use crate::routes::api::validation_problem;
use crate::services::applications as service;
use crate::state::AppState;

#[derive(Serialize, ToSchema)]
pub struct Application {
    pub id: Uuid,
    pub job_id: Uuid,
    /// The job's title, when the job still exists.
    pub job_title: Option<String>,
    /// The candidate's name (shown to the employer).
    pub candidate_name: Option<String>,
    pub cover_letter: String,
    /// submitted or withdrawn
    pub status: String,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: time::OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: time::OffsetDateTime,
}

impl Application {
    fn new(
        m: application::Model,
        job_title: Option<String>,
        candidate_name: Option<String>,
    ) -> Self {
        Application {
            id: m.id,
            job_id: m.job_id,
            job_title,
            candidate_name,
            cover_letter: m.cover_letter,
            status: m.status,
            created_at: m.created_at,
            updated_at: m.updated_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ApplicationList {
    pub data: Vec<Application>,
    pub page: u64,
    pub per_page: u64,
    pub total: u64,
}

#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewApplication {
    #[validate(length(min = 20, max = 5_000, message = "must be 20 to 5,000 characters"))]
    pub cover_letter: String,
}

fn parse_id(raw: &str) -> Result<Uuid, Problem> {
    Uuid::parse_str(raw).map_err(|_| Problem::new(ProblemCode::NotFound, "No such resource."))
}

/// Apply to an open job (candidates, standard keys or above).
#[utoipa::path(post, path = "/v1/jobs/{id}/applications", tag = "Applications", params(("id" = Uuid, Path)), request_body = NewApplication,
    responses((status = 201, body = Application), (status = 403, body = crate::error::ProblemBody), (status = 404, body = crate::error::ProblemBody), (status = 409, body = crate::error::ProblemBody), (status = 422, body = crate::error::ProblemBody)),
    security(("bearer" = [])))]
pub async fn apply(
    ApiPrincipal(principal): ApiPrincipal,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: web::Json<NewApplication>,
) -> Result<HttpResponse, Problem> {
    authorize(&principal, Action::Apply)?;
    let job_id = parse_id(&id)?;
    let mut body = body.into_inner();
    body.cover_letter = body.cover_letter.trim().to_owned();
    body.validate().map_err(validation_problem)?;
    let app = service::apply(
        &state.db,
        principal.account.id,
        job_id,
        body.cover_letter,
        !principal.is_test_key(),
    )
    .await?;
    let title = crate::services::jobs::find(&state.db, job_id)
        .await
        .ok()
        .map(|j| j.title);
    Ok(HttpResponse::Created().json(Application::new(
        app,
        title,
        Some(principal.account.display_name.clone()),
    )))
}

/// Your applications, newest first (candidates).
#[utoipa::path(get, path = "/v1/applications", tag = "Applications", params(PageQuery),
    responses((status = 200, body = ApplicationList), (status = 403, body = crate::error::ProblemBody)),
    security(("bearer" = [])))]
pub async fn list_own(
    ApiPrincipal(principal): ApiPrincipal,
    state: web::Data<AppState>,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, Problem> {
    authorize(&principal, Action::ListOwnApplications)?;
    let paging = query.paging()?;
    let (rows, total) =
        service::list_for_candidate(&state.db, principal.account.id, paging).await?;
    let data = rows
        .into_iter()
        .map(|(a, job)| {
            Application::new(
                a,
                job.map(|j| j.title),
                Some(principal.account.display_name.clone()),
            )
        })
        .collect();
    Ok(HttpResponse::Ok().json(ApplicationList {
        data,
        page: paging.page,
        per_page: paging.per_page,
        total,
    }))
}

/// Applications to one of your jobs (employers).
#[utoipa::path(get, path = "/v1/jobs/{id}/applications", tag = "Applications", params(("id" = Uuid, Path), PageQuery),
    responses((status = 200, body = ApplicationList), (status = 403, body = crate::error::ProblemBody), (status = 404, body = crate::error::ProblemBody)),
    security(("bearer" = [])))]
pub async fn list_for_job(
    ApiPrincipal(principal): ApiPrincipal,
    state: web::Data<AppState>,
    id: web::Path<String>,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, Problem> {
    authorize(&principal, Action::ListJobApplications)?;
    let job_id = parse_id(&id)?;
    let paging = query.paging()?;
    let job = crate::services::jobs::find_own(&state.db, principal.account.id, job_id).await?;
    let (rows, total) =
        service::list_for_job(&state.db, principal.account.id, job_id, paging).await?;
    let data = rows
        .into_iter()
        .map(|(a, candidate)| {
            Application::new(
                a,
                Some(job.title.clone()),
                candidate.map(|c| c.display_name),
            )
        })
        .collect();
    Ok(HttpResponse::Ok().json(ApplicationList {
        data,
        page: paging.page,
        per_page: paging.per_page,
        total,
    }))
}

/// Withdraw one of your applications.
#[utoipa::path(delete, path = "/v1/applications/{id}", tag = "Applications", params(("id" = Uuid, Path)),
    responses((status = 200, body = Application), (status = 403, body = crate::error::ProblemBody), (status = 404, body = crate::error::ProblemBody), (status = 409, body = crate::error::ProblemBody)),
    security(("bearer" = [])))]
pub async fn withdraw(
    ApiPrincipal(principal): ApiPrincipal,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, Problem> {
    authorize(&principal, Action::WithdrawApplication)?;
    let app = service::withdraw(
        &state.db,
        principal.account.id,
        parse_id(&id)?,
        !principal.is_test_key(),
    )
    .await?;
    Ok(HttpResponse::Ok().json(Application::new(
        app,
        None,
        Some(principal.account.display_name.clone()),
    )))
}
