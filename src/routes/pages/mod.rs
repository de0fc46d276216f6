//! HTML pages, one file per page or action.

pub mod admin;
pub mod developer;
pub mod docs;
pub mod home;
pub mod partner;
pub mod security;
pub mod settings;
pub mod sign_in;
pub mod sign_out;
pub mod sign_up;

use crate::error::{AppError, PageError};

pub async fn not_found() -> Result<actix_web::HttpResponse, PageError> {
    Err(PageError(AppError::NotFound))
}
