use super::string_enum;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AccountType {
    Developer,
    Candidate,
    Employer,
    Admin,
}
string_enum!(AccountType { Developer => "developer", Candidate => "candidate", Employer => "employer", Admin => "admin" });

impl AccountType {
    /// The types anyone may sign up as; admins come from the CLI.
    pub const SELF_SERVICE: &'static [AccountType] = &[
        AccountType::Developer,
        AccountType::Candidate,
        AccountType::Employer,
    ];

    pub fn label(self) -> &'static str {
        match self {
            AccountType::Developer => "Developer",
            AccountType::Candidate => "Candidate",
            AccountType::Employer => "Employer",
            AccountType::Admin => "Administrator",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PartnerStatus {
    None,
    Pending,
    Approved,
    Rejected,
}
string_enum!(PartnerStatus { None => "none", Pending => "pending", Approved => "approved", Rejected => "rejected" });

/// A normalised (trimmed, lower-cased) email address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Result<Self, &'static str> {
        let email = raw.trim().to_lowercase();
        if email.is_empty() {
            return Err("Enter your email address.");
        }
        if email.len() > 254 || !validator::ValidateEmail::validate_email(&email) {
            return Err("Enter an email address like name@example.co.uk.");
        }
        Ok(Email(email))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A person's display name: 1–80 characters after trimming.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisplayName(String);

impl DisplayName {
    pub fn parse(raw: &str) -> Result<Self, &'static str> {
        let name = raw.trim();
        match name.chars().count() {
            0 => Err("Enter your name."),
            n if n > 80 => Err("Use at most 80 characters."),
            _ if name.chars().any(char::is_control) => Err("Remove control characters."),
            _ => Ok(DisplayName(name.to_owned())),
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A new password: 12–128 characters, no composition rules, not a common one.
/// `Debug` never prints it.
#[derive(Clone)]
pub struct Password(String);

/// Passwords seen most often in breach corpora that are 12+ characters long
/// (shorter ones are refused by length already).
const COMMON_PASSWORDS: &[&str] = &[
    "123456789012",
    "1234567890123",
    "12345678901234",
    "123456789abc",
    "1q2w3e4r5t6y",
    "1qaz2wsx3edc",
    "aaaaaaaaaaaa",
    "abc123456789",
    "abcdefghijkl",
    "administrator",
    "changeme1234",
    "iloveyou1234",
    "letmein12345",
    "password1234",
    "password12345",
    "password123456",
    "password!123",
    "passw0rd1234",
    "qwerty123456",
    "qwertyuiop12",
    "qwertyuiopasdf",
    "trustno1trustno1",
    "welcome12345",
    "welcome123456",
    "zaq12wsxcde3",
    "qazwsxedcrfv",
    "princess1234",
    "football1234",
    "baseball1234",
    "superman1234",
    "monkey123456",
    "dragon123456",
    "sunshine1234",
    "starwars1234",
    "whatever1234",
    "000000000000",
    "111111111111",
    "121212121212",
    "123123123123",
    "987654321098",
    "mustang12345",
    "shadow123456",
    "master123456",
    "michael12345",
    "jennifer1234",
    "autotechjobs",
    "autotechjobs1",
    "autotechjobs123",
    "correcthorsebatterystaple",
    "passwordpassword",
    "qwertyqwerty",
    "asdfghjkl123",
    "asdfasdfasdf",
    "1234qwerasdf",
];

impl Password {
    pub fn parse(raw: String) -> Result<Self, &'static str> {
        let length = raw.chars().count();
        if length < 12 {
            return Err(
                "Use at least 12 characters. A few unrelated words make a strong password.",
            );
        }
        if length > 128 {
            return Err("Use at most 128 characters.");
        }
        let lowered = raw.to_lowercase();
        if COMMON_PASSWORDS.contains(&lowered.as_str()) {
            return Err("This password is too common. Choose one that is harder to guess.");
        }
        Ok(Password(raw))
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_rules() {
        assert!(Password::parse("short".into()).is_err());
        assert!(Password::parse("x".repeat(129)).is_err());
        assert!(Password::parse("x".repeat(128)).is_ok());
        assert!(Password::parse("Password1234".into()).is_err());
        assert!(Password::parse("gearbox torque silver".into()).is_ok());
        assert!(
            !format!(
                "{:?}",
                Password::parse("gearbox torque silver".into()).unwrap()
            )
            .contains("gearbox")
        );
    }

    #[test]
    fn email_is_normalised() {
        assert_eq!(
            Email::parse(" A@Example.COM ").unwrap().as_str(),
            "a@example.com"
        );
        assert!(Email::parse("not-an-email").is_err());
    }
}
