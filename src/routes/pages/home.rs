use actix_web::{HttpResponse, web};

use crate::error::PageError;
use crate::services::jobs::{self, JobFilter};
use crate::state::AppState;
use crate::views::{PageCtx, ok, pages::Landing};

pub async fn show(ctx: PageCtx, state: web::Data<AppState>) -> Result<HttpResponse, PageError> {
    let filter = JobFilter {
        per_page: 1,
        page: 1,
        ..JobFilter::default()
    };
    let (_, job_count) = jobs::search(&state.db, &filter).await?;
    ok(&Landing { ctx, job_count })
}
