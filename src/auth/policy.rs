//! The one table of who may do what. Deny by default: an action is allowed
//! only where a rule below says so. The Permissions documentation page is
//! rendered from [`Action::ALL`] and [`allows`], so it cannot drift.

use crate::domain::{AccountType, PartnerStatus, Permission};

/// Everything a caller can ask of the /v1 API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    ReadAccount,
    ListJobs,
    ReadJob,
    CreateJob,
    UpdateJob,
    CloseJob,
    ListJobApplications,
    Apply,
    ListOwnApplications,
    WithdrawApplication,
    ReadPartnerFeed,
}

impl Action {
    pub const ALL: &'static [Action] = &[
        Action::ReadAccount,
        Action::ListJobs,
        Action::ReadJob,
        Action::CreateJob,
        Action::UpdateJob,
        Action::CloseJob,
        Action::ListJobApplications,
        Action::Apply,
        Action::ListOwnApplications,
        Action::WithdrawApplication,
        Action::ReadPartnerFeed,
    ];

    /// The route that performs it, as the API reference names it.
    pub fn route(self) -> &'static str {
        match self {
            Action::ReadAccount => "GET /v1/me",
            Action::ListJobs => "GET /v1/jobs",
            Action::ReadJob => "GET /v1/jobs/{id}",
            Action::CreateJob => "POST /v1/jobs",
            Action::UpdateJob => "PATCH /v1/jobs/{id}",
            Action::CloseJob => "DELETE /v1/jobs/{id}",
            Action::ListJobApplications => "GET /v1/jobs/{id}/applications",
            Action::Apply => "POST /v1/jobs/{id}/applications",
            Action::ListOwnApplications => "GET /v1/applications",
            Action::WithdrawApplication => "DELETE /v1/applications/{id}",
            Action::ReadPartnerFeed => "GET /v1/partner/jobs",
        }
    }

    pub fn description(self) -> &'static str {
        match self {
            Action::ReadAccount => "Read your account and key summary",
            Action::ListJobs => "Search open jobs",
            Action::ReadJob => "Read a job",
            Action::CreateJob => "Post a job",
            Action::UpdateJob => "Edit one of your jobs",
            Action::CloseJob => "Close one of your jobs",
            Action::ListJobApplications => "Read applications to your jobs",
            Action::Apply => "Apply to a job",
            Action::ListOwnApplications => "List your applications",
            Action::WithdrawApplication => "Withdraw one of your applications",
            Action::ReadPartnerFeed => "Partner feed: every job, changed since a time",
        }
    }
}

/// May an account of this type, through a key of this (effective)
/// permission, perform this action? Ownership (your jobs, your
/// applications) is checked by the services on top of this.
pub fn allows(account_type: AccountType, permission: Permission, action: Action) -> bool {
    use AccountType::*;
    use Action::*;
    use Permission::*;
    match action {
        ReadAccount | ListJobs | ReadJob => true,
        CreateJob | UpdateJob | CloseJob => account_type == Employer && permission >= Standard,
        ListJobApplications => account_type == Employer,
        Apply | WithdrawApplication => account_type == Candidate && permission >= Standard,
        ListOwnApplications => account_type == Candidate,
        ReadPartnerFeed => permission == Partner,
    }
}

/// The highest permission a key of this account may have right now.
pub fn permission_ceiling(account_type: AccountType, partner: PartnerStatus) -> Permission {
    if partner == PartnerStatus::Approved {
        Permission::Partner
    } else if matches!(account_type, AccountType::Candidate | AccountType::Employer) {
        Permission::Standard
    } else {
        Permission::ReadOnly
    }
}

/// A key works at the lower of the level it was minted with and what its
/// account may have today: a revoked partner status downgrades partner keys
/// on the next request.
pub fn effective_permission(
    key_permission: Permission,
    account_type: AccountType,
    partner: PartnerStatus,
) -> Permission {
    key_permission.min(permission_ceiling(account_type, partner))
}

/// Levels an account may choose when generating a key, lowest first.
pub fn grantable_permissions(account_type: AccountType, partner: PartnerStatus) -> Vec<Permission> {
    let ceiling = permission_ceiling(account_type, partner);
    Permission::ALL
        .iter()
        .copied()
        .filter(|p| *p <= ceiling)
        .collect()
}

pub fn may_review_partner_requests(account_type: AccountType) -> bool {
    account_type == AccountType::Admin
}

pub fn may_request_partner_access(account_type: AccountType, partner: PartnerStatus) -> bool {
    account_type != AccountType::Admin
        && matches!(partner, PartnerStatus::None | PartnerStatus::Rejected)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ceilings_follow_the_seed_table() {
        use AccountType::*;
        use PartnerStatus as P;
        assert_eq!(permission_ceiling(Developer, P::None), Permission::ReadOnly);
        assert_eq!(permission_ceiling(Candidate, P::None), Permission::Standard);
        assert_eq!(
            permission_ceiling(Employer, P::Pending),
            Permission::Standard
        );
        assert_eq!(
            permission_ceiling(Developer, P::Approved),
            Permission::Partner
        );
        assert_eq!(
            effective_permission(Permission::Partner, Employer, P::Rejected),
            Permission::Standard
        );
    }

    #[test]
    fn writes_need_standard() {
        assert!(!allows(
            AccountType::Employer,
            Permission::ReadOnly,
            Action::CreateJob
        ));
        assert!(allows(
            AccountType::Employer,
            Permission::Standard,
            Action::CreateJob
        ));
        assert!(!allows(
            AccountType::Candidate,
            Permission::Partner,
            Action::CreateJob
        ));
        assert!(!allows(
            AccountType::Employer,
            Permission::Standard,
            Action::ReadPartnerFeed
        ));
    }
}
