//! Settings from the command line and the environment. Every flag also reads
//! an `ATJ_*` variable; secrets live in [`Secret`], whose `Debug` is redacted.

use std::{net::SocketAddr, path::PathBuf, str::FromStr, time::Duration};

use anyhow::{Context, bail};
use clap::{Args, FromArgMatches, Parser, Subcommand, ValueEnum};

use crate::domain::Permission;

#[derive(Parser, Debug)]
#[command(
    name = "autotechjobs",
    version,
    about = "AutoTechJobs developer portal and /v1 API"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Log filter (tracing `EnvFilter` syntax).
    #[arg(long, env = "ATJ_LOG", default_value = "info", global = true)]
    pub log: String,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Serve the portal and the API (the default).
    Serve(ServeArgs),
    /// Apply database migrations and exit.
    Migrate(DatabaseArgs),
    /// Manage accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
}

impl Default for Command {
    fn default() -> Self {
        let matches = <ServeArgs as Args>::augment_args(clap::Command::new("serve"))
            .get_matches_from(["serve"]);
        Command::Serve(ServeArgs::from_arg_matches(&matches).expect("serve defaults parse"))
    }
}

#[derive(Subcommand, Debug)]
pub enum UserCommand {
    /// Create an account; the password is read from standard input.
    Create(CreateUserArgs),
}

#[derive(Args, Debug, Clone)]
pub struct DatabaseArgs {
    #[arg(long, env = "ATJ_DATABASE_URL", default_value = DEFAULT_DATABASE_URL)]
    pub database_url: String,
}

pub const DEFAULT_DATABASE_URL: &str = "sqlite://autotechjobs.db?mode=rwc";

#[derive(Args, Debug, Clone)]
pub struct CreateUserArgs {
    #[command(flatten)]
    pub database: DatabaseArgs,
    #[arg(long)]
    pub email: String,
    #[arg(long)]
    pub name: String,
    #[arg(long, value_enum)]
    pub account_type: CliAccountType,
    #[arg(long)]
    pub company: Option<String>,
}

#[derive(ValueEnum, Debug, Clone, Copy)]
pub enum CliAccountType {
    Developer,
    Candidate,
    Employer,
    Admin,
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum CookieSecure {
    Auto,
    True,
    False,
}

#[derive(Args, Debug, Clone)]
pub struct ServeArgs {
    #[arg(long, env = "ATJ_BIND", default_value = "127.0.0.1:8080")]
    pub bind: String,
    #[command(flatten)]
    pub database: DatabaseArgs,
    /// 64 bytes as hex; in development it is generated and kept beside the database.
    #[arg(long, env = "ATJ_SESSION_SECRET", hide_env_values = true)]
    pub session_secret: Option<String>,
    #[arg(long, env = "ATJ_COOKIE_SECURE", value_enum, default_value = "auto")]
    pub cookie_secure: CookieSecure,
    #[arg(long, env = "ATJ_DEMO_DATA", default_value = "true", action = clap::ArgAction::Set)]
    pub demo_data: bool,
    #[arg(
        long,
        env = "ATJ_RATE_LIMITS",
        default_value = "read_only=60,standard=300,partner=1200"
    )]
    pub rate_limits: RateLimits,
    /// Session idle timeout in seconds.
    #[arg(long, env = "ATJ_SESSION_IDLE_SECS", default_value_t = 12 * 3600, hide = true)]
    pub session_idle_secs: u64,
    /// Session absolute lifetime in seconds.
    #[arg(long, env = "ATJ_SESSION_ABSOLUTE_SECS", default_value_t = 7 * 24 * 3600, hide = true)]
    pub session_absolute_secs: u64,
    /// Failed sign-ins allowed per account (email) in the throttle window.
    #[arg(
        long,
        env = "ATJ_SIGN_IN_MAX_PER_ACCOUNT",
        default_value_t = 5,
        hide = true
    )]
    pub sign_in_max_per_account: u64,
    /// Failed sign-ins allowed per client IP in the throttle window.
    #[arg(
        long,
        env = "ATJ_SIGN_IN_MAX_PER_IP",
        default_value_t = 30,
        hide = true
    )]
    pub sign_in_max_per_ip: u64,
    /// Concurrent password hashes (argon2 runs on the blocking pool).
    #[arg(long, env = "ATJ_HASH_CONCURRENCY", default_value_t = 2, hide = true)]
    pub hash_concurrency: usize,
    /// Take the client address from `Forwarded`/`X-Forwarded-For`: only
    /// behind a proxy that sets them.
    #[arg(long, env = "ATJ_TRUST_FORWARDED", default_value = "false", action = clap::ArgAction::Set)]
    pub trust_forwarded: bool,
    /// Maximum database connections.
    #[arg(
        long,
        env = "ATJ_DB_MAX_CONNECTIONS",
        default_value_t = 16,
        hide = true
    )]
    pub db_max_connections: u32,
}

/// Requests per minute per key, per permission level.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimits {
    pub read_only: u32,
    pub standard: u32,
    pub partner: u32,
}

impl RateLimits {
    pub fn for_permission(&self, permission: Permission) -> u32 {
        match permission {
            Permission::ReadOnly => self.read_only,
            Permission::Standard => self.standard,
            Permission::Partner => self.partner,
        }
    }
}

impl FromStr for RateLimits {
    type Err = String;

    fn from_str(spec: &str) -> Result<Self, Self::Err> {
        let mut limits = RateLimits {
            read_only: 60,
            standard: 300,
            partner: 1200,
        };
        for part in spec.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (name, value) = part
                .split_once('=')
                .ok_or_else(|| format!("expected level=number, got {part:?}"))?;
            let value: u32 = value
                .trim()
                .parse()
                .ok()
                .filter(|v| *v > 0)
                .ok_or_else(|| {
                    format!("{name}: expected a positive number of requests per minute")
                })?;
            match name.trim() {
                "read_only" => limits.read_only = value,
                "standard" => limits.standard = value,
                "partner" => limits.partner = value,
                other => return Err(format!("unknown permission level {other:?}")),
            }
        }
        Ok(limits)
    }
}

/// A value that must never be printed.
#[derive(Clone)]
pub struct Secret<T>(T);

impl<T> Secret<T> {
    pub fn new(value: T) -> Self {
        Secret(value)
    }
    pub fn expose(&self) -> &T {
        &self.0
    }
}

impl<T> std::fmt::Debug for Secret<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<redacted>")
    }
}

#[derive(Debug, Clone)]
pub struct Settings {
    pub bind: String,
    pub database_url: String,
    pub session_secret: Secret<Vec<u8>>,
    pub cookie_secure: bool,
    pub demo_data: bool,
    pub rate_limits: RateLimits,
    pub session_idle: Duration,
    pub session_absolute: Duration,
    pub sign_in_max_per_account: u64,
    pub sign_in_max_per_ip: u64,
    pub hash_concurrency: usize,
    pub db_max_connections: u32,
    pub trust_forwarded: bool,
}

impl ServeArgs {
    pub fn into_settings(self) -> anyhow::Result<Settings> {
        let session_secret = match &self.session_secret {
            Some(hex_secret) => parse_secret(hex_secret)?,
            None => dev_session_secret(&self.database.database_url)?,
        };
        let cookie_secure = match self.cookie_secure {
            CookieSecure::True => true,
            CookieSecure::False => false,
            CookieSecure::Auto => !binds_loopback(&self.bind),
        };
        Ok(Settings {
            bind: self.bind,
            database_url: self.database.database_url,
            session_secret,
            cookie_secure,
            demo_data: self.demo_data,
            rate_limits: self.rate_limits,
            session_idle: Duration::from_secs(self.session_idle_secs.max(1)),
            session_absolute: Duration::from_secs(self.session_absolute_secs.max(1)),
            sign_in_max_per_account: self.sign_in_max_per_account.max(1),
            sign_in_max_per_ip: self.sign_in_max_per_ip.max(1),
            hash_concurrency: self.hash_concurrency.max(1),
            db_max_connections: self.db_max_connections.max(2),
            trust_forwarded: self.trust_forwarded,
        })
    }
}

fn binds_loopback(bind: &str) -> bool {
    match bind.parse::<SocketAddr>() {
        Ok(addr) => addr.ip().is_loopback(),
        Err(_) => bind.starts_with("localhost:"),
    }
}

fn parse_secret(hex_secret: &str) -> anyhow::Result<Secret<Vec<u8>>> {
    let bytes = hex::decode(hex_secret.trim())
        .context("the session secret must be hexadecimal (128 hex digits)")?;
    if bytes.len() < 64 {
        bail!("the session secret must be at least 64 bytes (128 hex digits)");
    }
    Ok(Secret::new(bytes))
}

/// Development convenience: a secret generated once and kept beside the
/// SQLite file, so sessions survive restarts. Production passes one.
fn dev_session_secret(database_url: &str) -> anyhow::Result<Secret<Vec<u8>>> {
    let path = secret_path_for(database_url);
    if let Ok(existing) = std::fs::read_to_string(&path) {
        return parse_secret(&existing)
            .with_context(|| format!("reading the session secret in {}", path.display()));
    }
    let mut bytes = vec![0u8; 64];
    crate::domain::fill_random(&mut bytes);
    write_private_file(&path, &hex::encode(&bytes))
        .with_context(|| format!("writing the session secret to {}", path.display()))?;
    tracing::warn!(
        path = %path.display(),
        "no --session-secret given: generated a development secret; set ATJ_SESSION_SECRET in production"
    );
    Ok(Secret::new(bytes))
}

fn secret_path_for(database_url: &str) -> PathBuf {
    let file = database_url
        .strip_prefix("sqlite://")
        .map(|rest| rest.split('?').next().unwrap_or(rest))
        .filter(|f| !f.is_empty() && !f.starts_with(':'))
        .unwrap_or("autotechjobs.db");
    PathBuf::from(format!("{file}.session-secret"))
}

fn write_private_file(path: &PathBuf, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)?.write_all(contents.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rate_limit_spec_parses_and_rejects_nonsense() {
        let limits: RateLimits = "read_only=1,partner=9".parse().unwrap();
        assert_eq!(
            (limits.read_only, limits.standard, limits.partner),
            (1, 300, 9)
        );
        assert!("read_only=0".parse::<RateLimits>().is_err());
        assert!("admin=5".parse::<RateLimits>().is_err());
        assert!("standard".parse::<RateLimits>().is_err());
    }

    #[test]
    fn auto_cookie_security_is_off_only_on_loopback() {
        assert!(binds_loopback("127.0.0.1:8080"));
        assert!(binds_loopback("[::1]:8080"));
        assert!(!binds_loopback("0.0.0.0:8080"));
    }

    #[test]
    fn secret_debug_is_redacted() {
        assert_eq!(format!("{:?}", Secret::new("hunter2")), "<redacted>");
    }
}
