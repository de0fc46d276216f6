//! Applications: candidates apply and withdraw; employers read those to
//! their own jobs.

use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, SqlErr,
};
use uuid::Uuid;

use super::jobs;
use crate::domain::JobStatus;
use crate::entities::{account, application, job};
use crate::error::AppError;
use crate::time_fmt::now;

pub const SUBMITTED: &str = "submitted";
pub const WITHDRAWN: &str = "withdrawn";

pub async fn apply(
    db: &DatabaseConnection,
    candidate_id: Uuid,
    job_id: Uuid,
    cover_letter: String,
    persist: bool,
) -> Result<application::Model, AppError> {
    let job = jobs::find(db, job_id).await?;
    if job.status != JobStatus::Open.as_str() {
        return Err(AppError::Conflict(
            "This job is closed to applications.".into(),
        ));
    }
    let existing = application::Entity::find()
        .filter(application::Column::JobId.eq(job_id))
        .filter(application::Column::CandidateId.eq(candidate_id))
        .one(db)
        .await?;
    if existing.is_some() {
        return Err(AppError::Conflict(
            "You have already applied to this job.".into(),
        ));
    }
    let now = now();
    let model = application::Model {
        id: Uuid::now_v7(),
        job_id,
        candidate_id,
        cover_letter,
        status: SUBMITTED.to_owned(),
        created_at: now,
        updated_at: now,
    };
    if !persist {
        return Ok(model);
    }
    application::ActiveModel::from(model)
        .insert(db)
        .await
        .map_err(|e| match e.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(_)) => {
                AppError::Conflict("You have already applied to this job.".into())
            }
            _ => e.into(),
        })
}

/// A page of results: `page` is 1-based.
#[derive(Debug, Clone, Copy)]
pub struct Paging {
    pub page: u64,
    pub per_page: u64,
}

pub async fn list_for_candidate(
    db: &DatabaseConnection,
    candidate_id: Uuid,
    paging: Paging,
) -> Result<(Vec<(application::Model, Option<job::Model>)>, u64), AppError> {
    let query =
        application::Entity::find().filter(application::Column::CandidateId.eq(candidate_id));
    let total = query.clone().count(db).await?;
    let apps = query
        .order_by_desc(application::Column::CreatedAt)
        .order_by_desc(application::Column::Id)
        .offset((paging.page - 1) * paging.per_page)
        .limit(paging.per_page)
        .all(db)
        .await?;
    let ids: Vec<Uuid> = apps.iter().map(|a| a.job_id).collect();
    let jobs: std::collections::HashMap<Uuid, job::Model> = job::Entity::find()
        .filter(job::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|j| (j.id, j))
        .collect();
    let rows = apps
        .into_iter()
        .map(|a| {
            let job = jobs.get(&a.job_id).cloned();
            (a, job)
        })
        .collect();
    Ok((rows, total))
}

/// Applications to one of the employer's jobs; another employer's job is
/// "not found".
pub async fn list_for_job(
    db: &DatabaseConnection,
    employer_id: Uuid,
    job_id: Uuid,
    paging: Paging,
) -> Result<(Vec<(application::Model, Option<account::Model>)>, u64), AppError> {
    jobs::find_own(db, employer_id, job_id).await?;
    let query = application::Entity::find().filter(application::Column::JobId.eq(job_id));
    let total = query.clone().count(db).await?;
    let apps = query
        .order_by_asc(application::Column::CreatedAt)
        .order_by_asc(application::Column::Id)
        .offset((paging.page - 1) * paging.per_page)
        .limit(paging.per_page)
        .all(db)
        .await?;
    let ids: Vec<Uuid> = apps.iter().map(|a| a.candidate_id).collect();
    let candidates: std::collections::HashMap<Uuid, account::Model> = account::Entity::find()
        .filter(account::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|a| (a.id, a))
        .collect();
    let rows = apps
        .into_iter()
        .map(|a| {
            let candidate = candidates.get(&a.candidate_id).cloned();
            (a, candidate)
        })
        .collect();
    Ok((rows, total))
}

pub async fn withdraw(
    db: &DatabaseConnection,
    candidate_id: Uuid,
    id: Uuid,
    persist: bool,
) -> Result<application::Model, AppError> {
    let mut app = application::Entity::find_by_id(id)
        .filter(application::Column::CandidateId.eq(candidate_id))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    if app.status == WITHDRAWN {
        return Err(AppError::Conflict(
            "This application was already withdrawn.".into(),
        ));
    }
    app.status = WITHDRAWN.to_owned();
    app.updated_at = now();
    if persist {
        let mut active: application::ActiveModel = app.clone().into();
        active.reset(application::Column::Status);
        active.reset(application::Column::UpdatedAt);
        active.update(db).await?;
    }
    Ok(app)
}
