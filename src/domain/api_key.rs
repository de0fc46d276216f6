//! API key format: `atj_live_` or `atj_test_`, 32 base62 characters from the
//! OS CSPRNG (~190 bits), then the 6-character base62 CRC32 of everything
//! before it. The checksum lets the server (and secret scanners) reject a
//! mistyped or made-up key without a database query.

use rand::Rng;
use rand::TryRngCore;
use rand::rngs::OsRng;
use sha2::{Digest, Sha256};

use super::string_enum;

const BASE62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const SECRET_LEN: usize = 32;
const CHECKSUM_LEN: usize = 6;
const PREFIX_LEN: usize = "atj_live_".len();
pub const KEY_LEN: usize = PREFIX_LEN + SECRET_LEN + CHECKSUM_LEN;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Permission {
    ReadOnly,
    Standard,
    Partner,
}
string_enum!(Permission { ReadOnly => "read_only", Standard => "standard", Partner => "partner" });

impl Permission {
    pub fn label(self) -> &'static str {
        match self {
            Permission::ReadOnly => "Read-only",
            Permission::Standard => "Standard",
            Permission::Partner => "Partner",
        }
    }
    pub fn summary(self) -> &'static str {
        match self {
            Permission::ReadOnly => "Can only read data, no write operations",
            Permission::Standard => "Read and write access to your own data",
            Permission::Partner => "Extended access for integration partners",
        }
    }
    pub fn available_to(self) -> &'static str {
        match self {
            Permission::ReadOnly => "All users",
            Permission::Standard => "Registered employers and candidates",
            Permission::Partner => "Approved partners",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Environment {
    Live,
    Test,
}
string_enum!(Environment { Live => "live", Test => "test" });

impl Environment {
    fn prefix(self) -> &'static str {
        match self {
            Environment::Live => "atj_live_",
            Environment::Test => "atj_test_",
        }
    }
}

/// A key's description: 1–100 characters after trimming, no control characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyDescription(String);

impl KeyDescription {
    pub fn parse(raw: &str) -> Result<Self, &'static str> {
        let text = raw.trim();
        match text.chars().count() {
            0 => Err("Describe what the key is for, e.g. \u{201c}Production App\u{201d}."),
            n if n > 100 => Err("Use at most 100 characters."),
            _ if text.chars().any(char::is_control) => {
                Err("Remove line breaks and control characters.")
            }
            _ => Ok(KeyDescription(text.to_owned())),
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum KeyFormatError {
    #[error("the key does not have the AutoTechJobs key format")]
    Format,
    #[error("the key's checksum does not match")]
    Checksum,
}

/// A plaintext API key. `Debug` and `Display` never print it; only
/// [`ApiKeySecret::expose`] does, for the one response that reveals it.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKeySecret {
    text: String,
    environment: Environment,
}

impl ApiKeySecret {
    pub fn generate(environment: Environment) -> Self {
        let mut rng = OsRng.unwrap_err();
        let mut text = String::with_capacity(KEY_LEN);
        text.push_str(environment.prefix());
        for _ in 0..SECRET_LEN {
            text.push(BASE62[rng.random_range(0..BASE62.len())] as char);
        }
        let checksum = base62_checksum(&text);
        text.push_str(&checksum);
        ApiKeySecret { text, environment }
    }

    /// Checks the shape and the checksum; touches nothing else.
    pub fn parse(candidate: &str) -> Result<Self, KeyFormatError> {
        if candidate.len() != KEY_LEN || !candidate.is_ascii() {
            return Err(KeyFormatError::Format);
        }
        let environment = if candidate.starts_with("atj_live_") {
            Environment::Live
        } else if candidate.starts_with("atj_test_") {
            Environment::Test
        } else {
            return Err(KeyFormatError::Format);
        };
        let body = &candidate[PREFIX_LEN..];
        if !body.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(KeyFormatError::Format);
        }
        let (signed, checksum) = candidate.split_at(KEY_LEN - CHECKSUM_LEN);
        let expected = base62_checksum(signed);
        if !bool::from(subtle::ConstantTimeEq::ct_eq(
            expected.as_bytes(),
            checksum.as_bytes(),
        )) {
            return Err(KeyFormatError::Checksum);
        }
        Ok(ApiKeySecret {
            text: candidate.to_owned(),
            environment,
        })
    }

    pub fn environment(&self) -> Environment {
        self.environment
    }

    /// What is stored and looked up: SHA-256 of the whole key, hex.
    pub fn hash(&self) -> String {
        hex::encode(self.digest())
    }

    /// The raw SHA-256 of the key, for in-memory lookups.
    pub fn digest(&self) -> [u8; 32] {
        Sha256::digest(self.text.as_bytes()).into()
    }

    /// Enough to recognise a key in a list, far too little to use it.
    pub fn hint(&self) -> String {
        let tail = &self.text[KEY_LEN - 4..];
        let head = &self.text[PREFIX_LEN..PREFIX_LEN + 4];
        format!("{}{head}\u{2026}{tail}", self.environment.prefix())
    }

    pub fn expose(&self) -> &str {
        &self.text
    }
}

pub fn hash_key(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

impl std::fmt::Debug for ApiKeySecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ApiKeySecret({}<redacted>)", self.environment.prefix())
    }
}

impl std::fmt::Display for ApiKeySecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}<redacted>", self.environment.prefix())
    }
}

fn base62_checksum(text: &str) -> String {
    let mut value = crc32fast::hash(text.as_bytes()) as u64;
    let mut out = [b'0'; CHECKSUM_LEN];
    for slot in out.iter_mut().rev() {
        *slot = BASE62[(value % 62) as usize];
        value /= 62;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn a_thousand_keys_are_unique_and_valid() {
        let mut seen = HashSet::new();
        for i in 0..1000 {
            let env = if i % 2 == 0 {
                Environment::Live
            } else {
                Environment::Test
            };
            let key = ApiKeySecret::generate(env);
            assert_eq!(key.expose().len(), KEY_LEN);
            assert_eq!(ApiKeySecret::parse(key.expose()).unwrap(), key);
            assert!(seen.insert(key.expose().to_owned()), "duplicate key");
        }
    }

    #[test]
    fn any_single_changed_character_fails_the_check() {
        // Property: for random keys, every position and every other base62
        // character at it is rejected (CRC32 detects all single-symbol errors).
        for _ in 0..20 {
            let key = ApiKeySecret::generate(Environment::Live);
            let original = key.expose().as_bytes().to_vec();
            for pos in PREFIX_LEN..KEY_LEN {
                for &replacement in BASE62.iter() {
                    if replacement == original[pos] {
                        continue;
                    }
                    let mut changed = original.clone();
                    changed[pos] = replacement;
                    let changed = String::from_utf8(changed).unwrap();
                    assert!(ApiKeySecret::parse(&changed).is_err(), "{pos} accepted");
                }
            }
        }
    }

    #[test]
    fn wrong_shapes_are_rejected() {
        let key = ApiKeySecret::generate(Environment::Test);
        let text = key.expose();
        assert_eq!(ApiKeySecret::parse(&text[1..]), Err(KeyFormatError::Format));
        assert_eq!(
            ApiKeySecret::parse(&text.replace("atj_test_", "atj_prod_")),
            Err(KeyFormatError::Format)
        );
        assert_eq!(ApiKeySecret::parse(""), Err(KeyFormatError::Format));
        assert_eq!(
            ApiKeySecret::parse(&"é".repeat(KEY_LEN / 2)),
            Err(KeyFormatError::Format)
        );
    }

    #[test]
    fn secrets_never_print() {
        let key = ApiKeySecret::generate(Environment::Live);
        let secret = &key.expose()[PREFIX_LEN..];
        assert!(!format!("{key:?}").contains(secret));
        assert!(!format!("{key}").contains(secret));
        assert!(!key.hint().contains(secret));
        assert!(key.hint().starts_with("atj_live_"));
    }

    #[test]
    fn description_rules() {
        assert!(KeyDescription::parse("   ").is_err());
        assert!(KeyDescription::parse(&"a".repeat(101)).is_err());
        assert_eq!(
            KeyDescription::parse("  Production App ").unwrap().as_str(),
            "Production App"
        );
        assert!(KeyDescription::parse("a\nb").is_err());
    }
}
