//! Jobs: search, read, post, edit, close, and the partner change feed.

use sea_orm::sea_query::{Expr, ExprTrait, Func};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, DatabaseConnection, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect,
};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::domain::{EmploymentType, JobStatus, WorkMode};
use crate::entities::job;
use crate::error::AppError;
use crate::time_fmt::now;

/// A job's editable fields, already validated.
#[derive(Debug, Clone)]
pub struct JobDraft {
    pub title: String,
    pub company: String,
    pub location: String,
    pub work_mode: WorkMode,
    pub employment_type: EmploymentType,
    pub salary_min: Option<i32>,
    pub salary_max: Option<i32>,
    pub description: String,
}

/// A partial edit, already validated.
#[derive(Debug, Clone, Default)]
pub struct JobChanges {
    pub title: Option<String>,
    pub company: Option<String>,
    pub location: Option<String>,
    pub work_mode: Option<WorkMode>,
    pub employment_type: Option<EmploymentType>,
    pub salary_min: Option<i32>,
    pub salary_max: Option<i32>,
    pub description: Option<String>,
    pub status: Option<JobStatus>,
}

#[derive(Debug, Clone, Default)]
pub struct JobFilter {
    pub q: Option<String>,
    pub location: Option<String>,
    pub work_mode: Option<WorkMode>,
    pub page: u64,
    pub per_page: u64,
}

fn like_pattern(text: &str) -> String {
    let escaped = text
        .to_lowercase()
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

fn contains_ci(column: job::Column, text: &str) -> sea_orm::sea_query::SimpleExpr {
    Expr::expr(Func::lower(Expr::col(column)))
        .like(sea_orm::sea_query::LikeExpr::new(like_pattern(text)).escape('\\'))
}

/// Open jobs matching the filter, newest first, with the total count.
pub async fn search(
    db: &DatabaseConnection,
    filter: &JobFilter,
) -> Result<(Vec<job::Model>, u64), AppError> {
    let mut condition = Condition::all().add(job::Column::Status.eq(JobStatus::Open.as_str()));
    if let Some(q) = filter.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        condition = condition.add(
            Condition::any()
                .add(contains_ci(job::Column::Title, q))
                .add(contains_ci(job::Column::Company, q))
                .add(contains_ci(job::Column::Description, q)),
        );
    }
    if let Some(location) = filter
        .location
        .as_deref()
        .map(str::trim)
        .filter(|l| !l.is_empty())
    {
        condition = condition.add(contains_ci(job::Column::Location, location));
    }
    if let Some(mode) = filter.work_mode {
        condition = condition.add(job::Column::WorkMode.eq(mode.as_str()));
    }
    let query = job::Entity::find().filter(condition);
    let total = query.clone().count(db).await?;
    let jobs = query
        .order_by_desc(job::Column::CreatedAt)
        .order_by_desc(job::Column::Id)
        .offset((Ord::max(filter.page, 1) - 1) * filter.per_page)
        .limit(filter.per_page)
        .all(db)
        .await?;
    Ok((jobs, total))
}

/// Any job by id; closed jobs are readable too.
pub async fn find(db: &DatabaseConnection, id: Uuid) -> Result<job::Model, AppError> {
    job::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)
}

/// A job of this employer's; anyone else's is "not found".
pub async fn find_own(
    db: &DatabaseConnection,
    employer_id: Uuid,
    id: Uuid,
) -> Result<job::Model, AppError> {
    job::Entity::find_by_id(id)
        .filter(job::Column::EmployerId.eq(employer_id))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)
}

/// Builds the row a draft would become; `persist` decides whether it is
/// written (test keys see the same answer without the write).
pub async fn create(
    db: &DatabaseConnection,
    employer_id: Uuid,
    draft: JobDraft,
    persist: bool,
) -> Result<job::Model, AppError> {
    let now = now();
    let model = job::Model {
        id: Uuid::now_v7(),
        employer_id,
        title: draft.title,
        company: draft.company,
        location: draft.location,
        work_mode: draft.work_mode.as_str().to_owned(),
        employment_type: draft.employment_type.as_str().to_owned(),
        salary_min: draft.salary_min,
        salary_max: draft.salary_max,
        description: draft.description,
        status: JobStatus::Open.as_str().to_owned(),
        created_at: now,
        updated_at: now,
    };
    if persist {
        Ok(job::ActiveModel::from(model).insert(db).await?)
    } else {
        Ok(model)
    }
}

pub fn apply_changes(job: &mut job::Model, changes: JobChanges) -> Result<(), AppError> {
    if let Some(v) = changes.title {
        job.title = v;
    }
    if let Some(v) = changes.company {
        job.company = v;
    }
    if let Some(v) = changes.location {
        job.location = v;
    }
    if let Some(v) = changes.work_mode {
        job.work_mode = v.as_str().to_owned();
    }
    if let Some(v) = changes.employment_type {
        job.employment_type = v.as_str().to_owned();
    }
    if let Some(v) = changes.salary_min {
        job.salary_min = Some(v);
    }
    if let Some(v) = changes.salary_max {
        job.salary_max = Some(v);
    }
    if let Some(v) = changes.description {
        job.description = v;
    }
    if let Some(v) = changes.status {
        job.status = v.as_str().to_owned();
    }
    if let (Some(min), Some(max)) = (job.salary_min, job.salary_max)
        && min > max
    {
        return Err(AppError::Validation(
            "salary_min: must not exceed salary_max".into(),
        ));
    }
    Ok(())
}

pub async fn update(
    db: &DatabaseConnection,
    employer_id: Uuid,
    id: Uuid,
    changes: JobChanges,
    persist: bool,
) -> Result<job::Model, AppError> {
    let mut job = find_own(db, employer_id, id).await?;
    apply_changes(&mut job, changes)?;
    job.updated_at = now();
    if persist {
        save(db, &job).await?;
    }
    Ok(job)
}

pub async fn close(
    db: &DatabaseConnection,
    employer_id: Uuid,
    id: Uuid,
    persist: bool,
) -> Result<job::Model, AppError> {
    update(
        db,
        employer_id,
        id,
        JobChanges {
            status: Some(JobStatus::Closed),
            ..JobChanges::default()
        },
        persist,
    )
    .await
}

async fn save(db: &DatabaseConnection, job: &job::Model) -> Result<(), AppError> {
    let mut active: job::ActiveModel = job.clone().into();
    for column in [
        job::Column::Title,
        job::Column::Company,
        job::Column::Location,
        job::Column::WorkMode,
        job::Column::EmploymentType,
        job::Column::SalaryMin,
        job::Column::SalaryMax,
        job::Column::Description,
        job::Column::Status,
        job::Column::UpdatedAt,
    ] {
        active.reset(column);
    }
    active.update(db).await?;
    Ok(())
}

/// A position in the partner feed: after the job (`updated_at`, `id`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FeedCursor {
    pub updated_at: OffsetDateTime,
    pub id: Uuid,
}

impl FeedCursor {
    pub fn encode(&self) -> String {
        let micros = self.updated_at.unix_timestamp_nanos() / 1_000;
        hex::encode(format!("{micros}.{}", self.id.simple()))
    }

    pub fn decode(text: &str) -> Option<Self> {
        let raw = String::from_utf8(hex::decode(text).ok()?).ok()?;
        let (micros, id) = raw.split_once('.')?;
        let micros: i128 = micros.parse().ok()?;
        Some(FeedCursor {
            updated_at: OffsetDateTime::from_unix_timestamp_nanos(micros.checked_mul(1_000)?)
                .ok()?,
            id: Uuid::parse_str(id).ok()?,
        })
    }
}

/// How old a change must be before the feed serves it. A write takes its
/// `updated_at` before it commits; serving only settled changes means a
/// slow commit can never land behind a cursor that has already passed it.
pub const FEED_SETTLE: time::Duration = time::Duration::seconds(2);

/// Every job, open or closed, in (`updated_at`, `id`) order after the
/// cursor. A job edited while a client pages moves to the end of the order,
/// so it is never skipped, and it appears again only with its new version.
pub async fn feed(
    db: &DatabaseConnection,
    updated_since: Option<OffsetDateTime>,
    after: Option<FeedCursor>,
    limit: u64,
) -> Result<Vec<job::Model>, AppError> {
    let mut query = job::Entity::find().filter(job::Column::UpdatedAt.lte(now() - FEED_SETTLE));
    if let Some(since) = updated_since {
        query = query.filter(job::Column::UpdatedAt.gte(crate::time_fmt::canonical_floor(since)));
    }
    if let Some(cursor) = after {
        query = query.filter(
            Condition::any()
                .add(job::Column::UpdatedAt.gt(cursor.updated_at))
                .add(
                    Condition::all()
                        .add(job::Column::UpdatedAt.eq(cursor.updated_at))
                        .add(job::Column::Id.gt(cursor.id)),
                ),
        );
    }
    Ok(query
        .order_by_asc(job::Column::UpdatedAt)
        .order_by_asc(job::Column::Id)
        .limit(limit)
        .all(db)
        .await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursor_round_trips_and_rejects_garbage() {
        let cursor = FeedCursor {
            updated_at: crate::time_fmt::now(),
            id: Uuid::now_v7(),
        };
        assert_eq!(FeedCursor::decode(&cursor.encode()), Some(cursor));
        assert_eq!(FeedCursor::decode("zz"), None);
        assert_eq!(FeedCursor::decode(&hex::encode("1.notauuid")), None);
    }

    #[test]
    fn like_patterns_escape_wildcards() {
        assert_eq!(like_pattern("50%_A"), "%50\\%\\_a%");
    }
}

/// Rendered search results for under a second. Searches are the API's
/// hottest read and change only when a job does: a write at this instance
/// clears the cache at once, and other instances see it within the TTL.
/// The generation counter stops a search that raced a write from storing
/// what it read before the write.
#[derive(Clone, Default)]
pub struct SearchCache {
    entries: std::sync::Arc<
        std::sync::Mutex<
            std::collections::HashMap<String, (std::time::Instant, actix_web::web::Bytes)>,
        >,
    >,
    generation: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

const SEARCH_TTL: std::time::Duration = std::time::Duration::from_secs(1);

impl SearchCache {
    pub fn key(filter: &JobFilter) -> String {
        format!(
            "{}\u{1f}{}\u{1f}{}\u{1f}{}\u{1f}{}",
            filter.q.as_deref().unwrap_or("").trim().to_lowercase(),
            filter
                .location
                .as_deref()
                .unwrap_or("")
                .trim()
                .to_lowercase(),
            filter.work_mode.map(WorkMode::as_str).unwrap_or(""),
            filter.page,
            filter.per_page
        )
    }

    pub fn generation(&self) -> u64 {
        self.generation.load(std::sync::atomic::Ordering::SeqCst)
    }

    pub fn get(&self, key: &str) -> Option<actix_web::web::Bytes> {
        let entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        entries
            .get(key)
            .filter(|(at, _)| at.elapsed() < SEARCH_TTL)
            .map(|(_, body)| body.clone())
    }

    pub fn put(&self, key: String, body: actix_web::web::Bytes, generation: u64) {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        if self.generation() != generation {
            return;
        }
        if entries.len() >= 1_000 {
            entries.retain(|_, (at, _)| at.elapsed() < SEARCH_TTL);
            if entries.len() >= 1_000 {
                entries.clear();
            }
        }
        entries.insert(key, (std::time::Instant::now(), body));
    }

    /// A job changed at this instance.
    pub fn clear(&self) {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        self.generation
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        entries.clear();
    }
}
