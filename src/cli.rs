//! The `migrate` and `user create` commands.

use std::io::Read;

use anyhow::{Context, bail};

use crate::auth::password::PasswordHasher;
use crate::configuration::{CliAccountType, CreateUserArgs};
use crate::domain::{AccountType, DisplayName, Email, Password};
use crate::services::accounts::{self, NewAccount, SignUpError};
use crate::services::audit::RequestMeta;

pub async fn migrate(database_url: &str) -> anyhow::Result<()> {
    let db = crate::db::connect(database_url, 2).await?;
    crate::db::migrate(&db).await?;
    println!(
        "Migrations applied to {}",
        crate::db::redact_url(database_url)
    );
    Ok(())
}

/// Creates an account; the password comes from standard input (never argv,
/// which other users of the machine can read).
pub async fn create_user(args: CreateUserArgs) -> anyhow::Result<()> {
    let mut password = String::new();
    std::io::stdin()
        .read_to_string(&mut password)
        .context("reading the password from standard input")?;
    let password = password.trim_end_matches(['\r', '\n']).to_owned();
    let password = Password::parse(password).map_err(|e| anyhow::anyhow!("password: {e}"))?;
    let email = Email::parse(&args.email).map_err(|e| anyhow::anyhow!("--email: {e}"))?;
    let display_name =
        DisplayName::parse(&args.name).map_err(|e| anyhow::anyhow!("--name: {e}"))?;
    let account_type = match args.account_type {
        CliAccountType::Developer => AccountType::Developer,
        CliAccountType::Candidate => AccountType::Candidate,
        CliAccountType::Employer => AccountType::Employer,
        CliAccountType::Admin => AccountType::Admin,
    };
    let company_name = args
        .company
        .map(|c| c.trim().to_owned())
        .filter(|c| !c.is_empty());
    if account_type == AccountType::Employer && company_name.is_none() {
        bail!("--company is required for employers");
    }
    let db = crate::db::connect(&args.database.database_url, 2).await?;
    crate::db::migrate(&db).await?;
    let new = NewAccount {
        display_name,
        email,
        password,
        account_type,
        company_name,
    };
    match accounts::create_account(&db, &PasswordHasher::new(1), new, &RequestMeta::default()).await
    {
        Ok(account) => {
            println!(
                "Created {} account {} ({})",
                account.account_type, account.email, account.id
            );
            Ok(())
        }
        Err(SignUpError::EmailTaken) => {
            bail!("an account with email {} already exists", args.email)
        }
        Err(SignUpError::App(e)) => Err(anyhow::anyhow!("{e:?}")),
    }
}
