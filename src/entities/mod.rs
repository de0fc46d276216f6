//! SeaORM models, one per table. Enumerations are stored as their snake_case
//! text and parsed into `domain` types by the services.

pub mod account;
pub mod api_key;
pub mod api_key_usage;
pub mod application;
pub mod audit_event;
pub mod job;
pub mod partner_request;
pub mod session;
pub mod sign_in_failure;
