//! Who is calling, and what may they do.
//!
//! Both guards — the session guard for pages and the bearer-key guard for
//! /v1 — yield the same [`Principal`]; every rule about who may do what is in
//! [`policy`].

pub mod csrf;
pub mod guards;
pub mod password;
pub mod policy;
pub mod principal;
pub mod session_store;

pub use principal::{AccountSummary, Credential, Principal};
