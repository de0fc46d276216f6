//! Version 1 of the API, one file per resource.

pub mod applications;
pub mod jobs;
pub mod me;
pub mod openapi;
pub mod partner;

use crate::auth::Principal;
use crate::auth::guards::bearer_problem;
use crate::auth::policy::Action;
use crate::error::{Problem, ProblemCode};
pub use crate::services::applications::Paging;

pub const MAX_PER_PAGE: u64 = 100;
pub const DEFAULT_PER_PAGE: u64 = 20;

/// `page` and `per_page` of every paginated list.
#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// 1-based page number.
    #[param(minimum = 1)]
    pub page: Option<u64>,
    /// Results per page, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub per_page: Option<u64>,
}

impl PageQuery {
    pub fn paging(&self) -> Result<Paging, Problem> {
        paging(self.page, self.per_page)
    }
}

/// Validated paging: `per_page` 1–100, `page` 1–100,000.
pub fn paging(page: Option<u64>, per_page: Option<u64>) -> Result<Paging, Problem> {
    let per_page = per_page.unwrap_or(DEFAULT_PER_PAGE);
    if !(1..=MAX_PER_PAGE).contains(&per_page) {
        return Err(Problem::new(
            ProblemCode::InvalidQuery,
            "per_page must be between 1 and 100.",
        ));
    }
    let page = page.unwrap_or(1);
    if !(1..=100_000).contains(&page) {
        return Err(Problem::new(
            ProblemCode::InvalidQuery,
            "page must be between 1 and 100000.",
        ));
    }
    Ok(Paging { page, per_page })
}

/// Refuses the action unless the policy table allows it for this caller.
pub fn authorize(principal: &Principal, action: Action) -> Result<(), Problem> {
    if principal.may(action) {
        Ok(())
    } else {
        Err(bearer_problem(
            ProblemCode::InsufficientScope,
            format!(
                "{} needs a different permission level or account type; this key is {} on {} account.",
                action.route(),
                principal.permission().label(),
                match principal.account.account_type {
                    crate::domain::AccountType::Employer | crate::domain::AccountType::Admin =>
                        format!(
                            "an {}",
                            principal.account.account_type.label().to_lowercase()
                        ),
                    other => format!("a {}", other.label().to_lowercase()),
                }
            ),
        ))
    }
}
