//! The admin area: partner requests. Everyone but admins gets 404.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use uuid::Uuid;

use crate::auth::csrf::CsrfForm;
use crate::auth::guards::AdminOnly;
use crate::domain::PartnerStatus;
use crate::error::{AppError, PageError};
use crate::services::audit::RequestMeta;
use crate::services::partners::{self, Decision};
use crate::state::AppState;
use crate::views::pages::{AdminQueue, QueueRow, When};
use crate::views::{PageCtx, ok, see_other, set_flash};

pub async fn index(_admin: AdminOnly) -> HttpResponse {
    see_other("/admin/partner-requests")
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct QueueQuery {
    status: String,
}

pub async fn queue(
    _admin: AdminOnly,
    ctx: PageCtx,
    state: web::Data<AppState>,
    query: web::Query<QueueQuery>,
) -> Result<HttpResponse, PageError> {
    let status = query
        .status
        .parse::<PartnerStatus>()
        .ok()
        .filter(|s| *s != PartnerStatus::None);
    let rows = partners::queue(&state.db, status)
        .await?
        .into_iter()
        .map(|item| QueueRow {
            requested: When::of(item.request.created_at),
            decided: item.request.decided_at.map(When::of),
            item,
        })
        .collect();
    let filters = [
        ("", "All"),
        ("pending", "Pending"),
        ("approved", "Approved"),
        ("rejected", "Rejected"),
    ]
    .into_iter()
    .map(|(v, l)| (v.to_owned(), l.to_owned()))
    .collect();
    ok(&AdminQueue {
        ctx,
        rows,
        filter: status.map(|s| s.as_str().to_owned()).unwrap_or_default(),
        filters,
        error: None,
    })
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DecisionForm {
    note: String,
}

pub async fn decide(
    req: HttpRequest,
    AdminOnly(admin): AdminOnly,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    CsrfForm(form): CsrfForm<DecisionForm>,
) -> Result<HttpResponse, PageError> {
    let (id, decision) = path.into_inner();
    let id = Uuid::parse_str(&id).map_err(|_| PageError(AppError::NotFound))?;
    let decision = match decision.as_str() {
        "approve" => Decision::Approve,
        "reject" => Decision::Reject,
        "revoke" => Decision::Revoke,
        _ => return Err(PageError(AppError::NotFound)),
    };
    let note =
        Some(form.note.trim().chars().take(500).collect::<String>()).filter(|n| !n.is_empty());
    let session = actix_session::SessionExt::get_session(&req);
    match partners::decide(
        &state,
        &admin.account,
        id,
        decision,
        note,
        &RequestMeta::from_request(&req),
    )
    .await
    {
        Ok(request) => {
            let verb = match decision {
                Decision::Approve => "Approved",
                Decision::Reject => "Rejected",
                Decision::Revoke => "Revoked partner status of",
            };
            set_flash(&session, "success", format!("{verb} {}.", request.company));
        }
        Err(AppError::Validation(message)) | Err(AppError::Conflict(message)) => {
            set_flash(&session, "error", message);
        }
        Err(e) => return Err(PageError(e)),
    }
    Ok(see_other("/admin/partner-requests"))
}
