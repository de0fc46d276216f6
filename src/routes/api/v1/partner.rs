//! The partner feed: every job, open or closed, in change order.

use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use utoipa::{IntoParams, ToSchema};

use super::authorize;
use super::jobs::{Job, MAX_PER_PAGE};
use crate::auth::guards::ApiPrincipal;
use crate::auth::policy::Action;
use crate::error::{Problem, ProblemCode};
use crate::services::jobs::{self, FeedCursor};
use crate::state::AppState;

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FeedQuery {
    /// Only jobs changed at or after this time (RFC 3339).
    pub updated_since: Option<String>,
    /// `next_cursor` from the previous page.
    pub cursor: Option<String>,
    /// Jobs per page, 1 to 100 (default 100).
    #[param(minimum = 1, maximum = 100)]
    pub per_page: Option<u64>,
}

#[derive(Serialize, ToSchema)]
pub struct JobFeed {
    /// Jobs in (`updated_at`, `id`) order.
    pub data: Vec<Job>,
    /// Pass as `cursor` for the next page. At the end of the feed it is
    /// the position reached: keep it and poll with it to receive later
    /// changes. `null` only when the feed is empty.
    pub next_cursor: Option<String>,
    /// More jobs are waiting right now: fetch the next page at once.
    pub has_more: bool,
}

/// Every job, including closed ones, ordered by (`updated_at`, `id`), with
/// cursor pagination. A job changed while you page appears again later
/// with its new version; no job is skipped. Partner keys only.
#[utoipa::path(get, path = "/v1/partner/jobs", tag = "Partner", params(FeedQuery),
    responses((status = 200, body = JobFeed), (status = 400, body = crate::error::ProblemBody), (status = 403, body = crate::error::ProblemBody)),
    security(("bearer" = [])))]
pub async fn jobs(
    ApiPrincipal(principal): ApiPrincipal,
    state: web::Data<AppState>,
    query: web::Query<FeedQuery>,
) -> Result<HttpResponse, Problem> {
    authorize(&principal, Action::ReadPartnerFeed)?;
    let per_page = query.per_page.unwrap_or(MAX_PER_PAGE);
    if !(1..=MAX_PER_PAGE).contains(&per_page) {
        return Err(Problem::new(
            ProblemCode::InvalidQuery,
            "per_page must be between 1 and 100.",
        ));
    }
    let since = match query.updated_since.as_deref() {
        Some(text) => Some(OffsetDateTime::parse(text, &Rfc3339).map_err(|_| {
            Problem::new(
                ProblemCode::InvalidQuery,
                "updated_since must be an RFC 3339 time, e.g. 2026-12-01T00:00:00Z.",
            )
        })?),
        None => None,
    };
    let cursor = match query.cursor.as_deref() {
        Some(text) => Some(FeedCursor::decode(text).ok_or_else(|| {
            Problem::new(
                ProblemCode::InvalidQuery,
                "cursor is not one this API issued.",
            )
        })?),
        None => None,
    };
    let page = jobs::feed(&state.db, since, cursor, per_page).await?;
    let has_more = page.len() as u64 == per_page;
    let next_cursor = page
        .last()
        .map(|j| {
            FeedCursor {
                updated_at: j.updated_at,
                id: j.id,
            }
            .encode()
        })
        .or_else(|| query.cursor.clone());
    Ok(HttpResponse::Ok().json(JobFeed {
        data: page.into_iter().map(Job::from).collect(),
        next_cursor,
        has_more,
    }))
}
