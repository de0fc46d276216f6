//! /v1/jobs: search and read for every key; post, edit and close for
//! employers' standard keys, on their own jobs only.

use actix_web::http::header;
use actix_web::web::Bytes;
use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::Validate;

use super::authorize;
use crate::auth::guards::ApiPrincipal;
use crate::auth::policy::Action;
use crate::domain::{EmploymentType, JobStatus, WorkMode};
use crate::entities::job;
use crate::error::{AppError, Problem, ProblemCode};
use crate::routes::api::validation_problem;
use crate::services::jobs::{self, JobChanges, JobDraft, JobFilter, SearchCache};
use crate::state::AppState;

pub use super::MAX_PER_PAGE;

#[derive(Serialize, ToSchema)]
pub struct Job {
    pub id: Uuid,
    pub title: String,
    pub company: String,
    pub location: String,
    #[schema(value_type = WorkMode)]
    pub work_mode: String,
    #[schema(value_type = EmploymentType)]
    pub employment_type: String,
    /// GBP per year
    pub salary_min: Option<i32>,
    /// GBP per year
    pub salary_max: Option<i32>,
    pub description: String,
    #[schema(value_type = JobStatus)]
    pub status: String,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: time::OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: time::OffsetDateTime,
}

impl From<job::Model> for Job {
    fn from(m: job::Model) -> Self {
        Job {
            id: m.id,
            title: m.title,
            company: m.company,
            location: m.location,
            work_mode: m.work_mode,
            employment_type: m.employment_type,
            salary_min: m.salary_min,
            salary_max: m.salary_max,
            description: m.description,
            status: m.status,
            created_at: m.created_at,
            updated_at: m.updated_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct JobList {
    pub data: Vec<Job>,
    pub page: u64,
    pub per_page: u64,
    pub total: u64,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct JobQuery {
    /// Words to find in the title, company or description.
    pub q: Option<String>,
    /// Part of the location, e.g. `Coventry`.
    pub location: Option<String>,
    pub work_mode: Option<WorkMode>,
    /// 1-based page number.
    #[param(minimum = 1)]
    pub page: Option<u64>,
    /// Results per page, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub per_page: Option<u64>,
}

/// Search open jobs, newest first.
#[utoipa::path(get, path = "/v1/jobs", tag = "Jobs", params(JobQuery),
    responses((status = 200, body = JobList), (status = 400, description = "Invalid query", body = crate::error::ProblemBody), (status = 401, body = crate::error::ProblemBody), (status = 429, body = crate::error::ProblemBody)),
    security(("bearer" = [])))]
pub async fn list(
    ApiPrincipal(principal): ApiPrincipal,
    state: web::Data<AppState>,
    query: web::Query<JobQuery>,
) -> Result<HttpResponse, Problem> {
    authorize(&principal, Action::ListJobs)?;
    let super::Paging { page, per_page } = super::paging(query.page, query.per_page)?;
    for (name, value) in [("q", &query.q), ("location", &query.location)] {
        if value.as_ref().is_some_and(|v| v.chars().count() > 200) {
            return Err(Problem::new(
                ProblemCode::InvalidQuery,
                format!("{name} must be at most 200 characters."),
            ));
        }
    }
    let filter = JobFilter {
        q: query.q.clone(),
        location: query.location.clone(),
        work_mode: query.work_mode,
        page,
        per_page,
    };
    let key = SearchCache::key(&filter);
    if let Some(body) = state.job_search.get(&key) {
        return Ok(json_body(body));
    }
    let generation = state.job_search.generation();
    let (jobs, total) = jobs::search(&state.db, &filter).await?;
    let list = JobList {
        data: jobs.into_iter().map(Job::from).collect(),
        page,
        per_page,
        total,
    };
    let body = Bytes::from(serde_json::to_vec(&list).map_err(|e| AppError::Unexpected(e.into()))?);
    state.job_search.put(key, body.clone(), generation);
    Ok(json_body(body))
}

fn json_body(body: Bytes) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((
            header::CONTENT_TYPE,
            header::HeaderValue::from_static("application/json"),
        ))
        .body(body)
}

/// A persisted write changes what searches return.
fn wrote(state: &AppState, principal: &crate::auth::Principal) {
    if !principal.is_test_key() {
        state.job_search.clear();
    }
}

fn parse_id(raw: &str) -> Result<Uuid, Problem> {
    Uuid::parse_str(raw).map_err(|_| Problem::new(ProblemCode::NotFound, "No such job."))
}

/// Read one job (open or closed).
#[utoipa::path(get, path = "/v1/jobs/{id}", tag = "Jobs", params(("id" = Uuid, Path)),
    responses((status = 200, body = Job), (status = 404, body = crate::error::ProblemBody)),
    security(("bearer" = [])))]
pub async fn show(
    ApiPrincipal(principal): ApiPrincipal,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, Problem> {
    authorize(&principal, Action::ReadJob)?;
    let job = jobs::find(&state.db, parse_id(&id)?).await?;
    Ok(HttpResponse::Ok().json(Job::from(job)))
}

fn validate_salaries(min: Option<i32>, max: Option<i32>) -> Result<(), Problem> {
    if let (Some(min), Some(max)) = (min, max)
        && min > max
    {
        return Err(Problem::validation(vec![crate::error::FieldError {
            field: "salary_min".into(),
            message: "must not exceed salary_max".into(),
        }]));
    }
    Ok(())
}

/// A new job. `id`, `employer_id`, `status` and other server-owned fields
/// are refused.
#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewJob {
    #[validate(length(min = 3, max = 150, message = "must be 3 to 150 characters"))]
    pub title: String,
    /// Defaults to your account's company name.
    #[validate(length(min = 1, max = 100, message = "must be 1 to 100 characters"))]
    pub company: Option<String>,
    #[validate(length(min = 2, max = 100, message = "must be 2 to 100 characters"))]
    pub location: String,
    pub work_mode: WorkMode,
    pub employment_type: EmploymentType,
    #[validate(range(min = 0, max = 1_000_000, message = "must be between 0 and 1,000,000"))]
    pub salary_min: Option<i32>,
    #[validate(range(min = 0, max = 1_000_000, message = "must be between 0 and 1,000,000"))]
    pub salary_max: Option<i32>,
    #[validate(length(min = 20, max = 20_000, message = "must be 20 to 20,000 characters"))]
    pub description: String,
}

/// Post a job (employers, standard keys or above).
#[utoipa::path(post, path = "/v1/jobs", tag = "Jobs", request_body = NewJob,
    responses((status = 201, body = Job), (status = 400, body = crate::error::ProblemBody), (status = 403, body = crate::error::ProblemBody), (status = 413, body = crate::error::ProblemBody), (status = 415, body = crate::error::ProblemBody), (status = 422, body = crate::error::ProblemBody)),
    security(("bearer" = [])))]
pub async fn create(
    ApiPrincipal(principal): ApiPrincipal,
    state: web::Data<AppState>,
    body: web::Json<NewJob>,
) -> Result<HttpResponse, Problem> {
    authorize(&principal, Action::CreateJob)?;
    let body = body.into_inner().trimmed();
    body.validate().map_err(validation_problem)?;
    validate_salaries(body.salary_min, body.salary_max)?;
    let company = body
        .company
        .map(|c| c.trim().to_owned())
        .or_else(|| principal.account.company_name.clone())
        .unwrap_or_else(|| principal.account.display_name.clone());
    let draft = JobDraft {
        title: body.title.trim().to_owned(),
        company,
        location: body.location.trim().to_owned(),
        work_mode: body.work_mode,
        employment_type: body.employment_type,
        salary_min: body.salary_min,
        salary_max: body.salary_max,
        description: body.description.trim().to_owned(),
    };
    let job = jobs::create(
        &state.db,
        principal.account.id,
        draft,
        !principal.is_test_key(),
    )
    .await?;
    wrote(&state, &principal);
    Ok(HttpResponse::Created()
        .insert_header(("location", format!("/v1/jobs/{}", job.id)))
        .json(Job::from(job)))
}

fn trim(text: &mut String) {
    let trimmed = text.trim();
    if trimmed.len() != text.len() {
        *text = trimmed.to_owned();
    }
}

impl NewJob {
    /// Trimmed before validation, so "   ab" is a 2-character title.
    fn trimmed(mut self) -> Self {
        for text in [&mut self.title, &mut self.location, &mut self.description] {
            trim(text);
        }
        if let Some(company) = self.company.as_mut() {
            trim(company);
        }
        self
    }
}

impl JobPatch {
    fn trimmed(mut self) -> Self {
        for text in [
            &mut self.title,
            &mut self.company,
            &mut self.location,
            &mut self.description,
        ]
        .into_iter()
        .flatten()
        {
            trim(text);
        }
        self
    }
}

/// Changes to a job; absent fields stay as they are.
#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct JobPatch {
    #[validate(length(min = 3, max = 150, message = "must be 3 to 150 characters"))]
    pub title: Option<String>,
    #[validate(length(min = 1, max = 100, message = "must be 1 to 100 characters"))]
    pub company: Option<String>,
    #[validate(length(min = 2, max = 100, message = "must be 2 to 100 characters"))]
    pub location: Option<String>,
    pub work_mode: Option<WorkMode>,
    pub employment_type: Option<EmploymentType>,
    #[validate(range(min = 0, max = 1_000_000, message = "must be between 0 and 1,000,000"))]
    pub salary_min: Option<i32>,
    #[validate(range(min = 0, max = 1_000_000, message = "must be between 0 and 1,000,000"))]
    pub salary_max: Option<i32>,
    #[validate(length(min = 20, max = 20_000, message = "must be 20 to 20,000 characters"))]
    pub description: Option<String>,
    /// Reopen (`open`) or close (`closed`) the job.
    pub status: Option<JobStatus>,
}

/// Edit one of your jobs.
#[utoipa::path(patch, path = "/v1/jobs/{id}", tag = "Jobs", params(("id" = Uuid, Path)), request_body = JobPatch,
    responses((status = 200, body = Job), (status = 400, body = crate::error::ProblemBody), (status = 403, body = crate::error::ProblemBody), (status = 404, body = crate::error::ProblemBody), (status = 422, body = crate::error::ProblemBody)),
    security(("bearer" = [])))]
pub async fn update(
    ApiPrincipal(principal): ApiPrincipal,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: web::Json<JobPatch>,
) -> Result<HttpResponse, Problem> {
    authorize(&principal, Action::UpdateJob)?;
    let body = body.into_inner().trimmed();
    body.validate().map_err(validation_problem)?;
    let changes = JobChanges {
        title: body.title.map(|v| v.trim().to_owned()),
        company: body.company.map(|v| v.trim().to_owned()),
        location: body.location.map(|v| v.trim().to_owned()),
        work_mode: body.work_mode,
        employment_type: body.employment_type,
        salary_min: body.salary_min,
        salary_max: body.salary_max,
        description: body.description.map(|v| v.trim().to_owned()),
        status: body.status,
    };
    let job = jobs::update(
        &state.db,
        principal.account.id,
        parse_id(&id)?,
        changes,
        !principal.is_test_key(),
    )
    .await
    .map_err(|e| match e {
        AppError::Validation(detail) => Problem::new(ProblemCode::ValidationFailed, detail),
        other => other.into(),
    })?;
    wrote(&state, &principal);
    Ok(HttpResponse::Ok().json(Job::from(job)))
}

/// Close one of your jobs. It stays readable, with status `closed`.
#[utoipa::path(delete, path = "/v1/jobs/{id}", tag = "Jobs", params(("id" = Uuid, Path)),
    responses((status = 200, body = Job), (status = 403, body = crate::error::ProblemBody), (status = 404, body = crate::error::ProblemBody)),
    security(("bearer" = [])))]
pub async fn close(
    ApiPrincipal(principal): ApiPrincipal,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, Problem> {
    authorize(&principal, Action::CloseJob)?;
    let job = jobs::close(
        &state.db,
        principal.account.id,
        parse_id(&id)?,
        !principal.is_test_key(),
    )
    .await?;
    wrote(&state, &principal);
    Ok(HttpResponse::Ok().json(Job::from(job)))
}
