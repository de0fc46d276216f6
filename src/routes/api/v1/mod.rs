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

/// Refuses the action unless the policy table allows it for this caller.
pub fn authorize(principal: &Principal, action: Action) -> Result<(), Problem> {
    if principal.may(action) {
        Ok(())
    } else {
        Err(bearer_problem(
            ProblemCode::InsufficientScope,
            &format!(
                "{} needs a different permission level or account type; this key is {} on a {} account.",
                action.route(),
                principal.permission().label(),
                principal.account.account_type.label().to_lowercase()
            ),
        ))
    }
}
