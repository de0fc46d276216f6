//! One `Principal` for both ways in: a signed-in session or an API key.

use uuid::Uuid;

use super::policy::{self, Action};
use crate::domain::{AccountType, Environment, PartnerStatus, Permission};
use crate::entities::account;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountSummary {
    pub id: Uuid,
    pub email: String,
    pub display_name: String,
    pub account_type: AccountType,
    pub company_name: Option<String>,
    pub partner_status: PartnerStatus,
    pub created_at: time::OffsetDateTime,
}

impl TryFrom<account::Model> for AccountSummary {
    type Error = anyhow::Error;

    fn try_from(model: account::Model) -> Result<Self, Self::Error> {
        Ok(AccountSummary {
            id: model.id,
            account_type: model.account_type.parse().map_err(anyhow::Error::msg)?,
            partner_status: model.partner_status.parse().map_err(anyhow::Error::msg)?,
            email: model.email,
            display_name: model.display_name,
            company_name: model.company_name,
            created_at: model.created_at,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credential {
    Session,
    ApiKey {
        key_id: Uuid,
        description: String,
        /// The level the key was minted with.
        granted: Permission,
        environment: Environment,
        expires_at: Option<time::OffsetDateTime>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub account: AccountSummary,
    pub credential: Credential,
}

impl Principal {
    /// The level this caller acts at now (see [`policy::effective_permission`]).
    pub fn permission(&self) -> Permission {
        let ceiling =
            policy::permission_ceiling(self.account.account_type, self.account.partner_status);
        match &self.credential {
            Credential::Session => ceiling,
            Credential::ApiKey { granted, .. } => (*granted).min(ceiling),
        }
    }

    pub fn may(&self, action: Action) -> bool {
        policy::allows(self.account.account_type, self.permission(), action)
    }

    pub fn is_test_key(&self) -> bool {
        matches!(
            self.credential,
            Credential::ApiKey {
                environment: Environment::Test,
                ..
            }
        )
    }

    pub fn key_id(&self) -> Option<Uuid> {
        match &self.credential {
            Credential::ApiKey { key_id, .. } => Some(*key_id),
            Credential::Session => None,
        }
    }
}
