//! Business rules. Services take a database connection and know nothing of HTTP.

pub mod accounts;
pub mod api_keys;
pub mod applications;
pub mod audit;
pub mod jobs;
pub mod partners;
