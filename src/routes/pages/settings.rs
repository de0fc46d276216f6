use actix_web::HttpResponse;

use crate::auth::guards::GuardError;
use crate::views::pages::{Profile, When};
use crate::views::{PageCtx, ok};

pub async fn profile(ctx: PageCtx) -> Result<HttpResponse, GuardError> {
    let account = ctx.require_user()?.account.clone();
    let member_since = When::of(account.created_at);
    ok(&Profile {
        ctx,
        account,
        member_since,
    })
    .map_err(GuardError::Page)
}
