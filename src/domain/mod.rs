//! Types that parse, never half-valid. Past a handler nothing is a raw
//! `String` that might be invalid.

mod account;
mod api_key;
mod job;

pub use account::{AccountType, DisplayName, Email, PartnerStatus, Password};
pub use api_key::{ApiKeySecret, Environment, KeyDescription, KeyFormatError, Permission};
pub use job::{EmploymentType, JobStatus, WorkMode};

use rand::TryRngCore;
use rand::rngs::OsRng;

/// Fills `buf` from the operating system's CSPRNG.
pub fn fill_random(buf: &mut [u8]) {
    // The OS generator failing is not recoverable: no key may be minted.
    OsRng
        .try_fill_bytes(buf)
        .expect("the operating system's random number generator failed");
}

/// A random token, URL-safe (hex), of `bytes` bytes of entropy.
pub fn random_token(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    fill_random(&mut buf);
    hex::encode(buf)
}

/// Implements `as_str`, `Display` and `FromStr` for a string-backed enum.
macro_rules! string_enum {
    ($ty:ident { $($variant:ident => $text:literal),+ $(,)? }) => {
        impl $ty {
            pub const ALL: &'static [$ty] = &[$($ty::$variant),+];
            pub fn as_str(self) -> &'static str {
                match self { $($ty::$variant => $text),+ }
            }
        }
        impl std::fmt::Display for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
        impl std::str::FromStr for $ty {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($text => Ok($ty::$variant),)+
                    other => Err(format!("unknown {}: {other:?}", stringify!($ty))),
                }
            }
        }
        impl serde::Serialize for $ty {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }
        impl<'de> serde::Deserialize<'de> for $ty {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let text = String::deserialize(d)?;
                text.parse().map_err(|_| {
                    let allowed = [$($text),+].join(", ");
                    serde::de::Error::custom(format!("must be one of: {allowed}"))
                })
            }
        }
    };
}
pub(crate) use string_enum;

/// What the sessions table stores instead of the session key itself.
pub fn hash_session_key(key: &str) -> String {
    api_key::hash_key(key)
}
