//! Integration tests: the real server over real HTTP, on SQLite by default
//! and on PostgreSQL when `ATJ_TEST_DATABASE_URL` is set.

mod helpers;
mod process;
mod webdriver;

mod accounts;
mod api_auth;
mod api_resources;
mod browser;
mod cli;
mod csrf;
mod docs;
mod durability;
mod headers;
mod keys;
mod partner;
mod permissions;
mod secrets;
