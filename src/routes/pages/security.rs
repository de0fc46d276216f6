//! Account settings → Security: active sessions and the security log.

use actix_session::Session;
use actix_web::{HttpRequest, HttpResponse, web};

use crate::auth::csrf::CsrfForm;
use crate::auth::guards::{GuardError, SignedIn};
use crate::error::PageError;
use crate::services::accounts::{self, SESSION_PUBLIC_ID};
use crate::services::audit::{self, RequestMeta};
use crate::state::AppState;
use crate::views::pages::{LogRow, Security, SessionRow};
use crate::views::{PageCtx, ok, see_other};

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct PageQuery {
    page: Option<u64>,
}

pub async fn show(
    ctx: PageCtx,
    session: Session,
    state: web::Data<AppState>,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, GuardError> {
    let principal = ctx.require_user()?.clone();
    let result = async {
        let current = session
            .get::<String>(SESSION_PUBLIC_ID)
            .ok()
            .flatten()
            .unwrap_or_default();
        let sessions = accounts::active_sessions(&state.db, principal.account.id)
            .await?
            .iter()
            .map(|s| SessionRow::from_session(s, &current))
            .collect();
        let log = audit::list(&state.db, principal.account.id, query.page.unwrap_or(1)).await?;
        ok(&Security {
            ctx,
            sessions,
            log: log.entries.iter().map(LogRow::from_entry).collect(),
            page: log.page,
            pages: log.pages,
        })
    }
    .await;
    result.map_err(GuardError::Page)
}

#[derive(serde::Deserialize)]
pub struct Empty {}

pub async fn revoke_all(
    req: HttpRequest,
    session: Session,
    SignedIn(principal): SignedIn,
    state: web::Data<AppState>,
    _form: CsrfForm<Empty>,
) -> Result<HttpResponse, PageError> {
    accounts::revoke_all_sessions(
        &state.db,
        principal.account.id,
        &RequestMeta::from_request(&req),
    )
    .await?;
    session.purge();
    Ok(see_other("/sign-in"))
}
