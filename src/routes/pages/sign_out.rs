use actix_session::Session;
use actix_web::{HttpRequest, HttpResponse, web};

use crate::auth::csrf::CsrfForm;
use crate::auth::guards::session_principal;
use crate::error::PageError;
use crate::services::audit::{self, AuditEvent, RequestMeta};
use crate::state::AppState;
use crate::views::see_other;

#[derive(serde::Deserialize)]
pub struct Empty {}

pub async fn submit(
    req: HttpRequest,
    session: Session,
    state: web::Data<AppState>,
    _form: CsrfForm<Empty>,
) -> Result<HttpResponse, PageError> {
    if let Some(principal) = session_principal(&req).await? {
        audit::record_with(
            &state.db,
            principal.account.id,
            AuditEvent::SignedOut,
            "",
            &RequestMeta::from_request(&req),
        )
        .await?;
    }
    // Deletes the server-side session: the old cookie is worthless.
    session.purge();
    Ok(see_other("/"))
}
