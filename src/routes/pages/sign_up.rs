use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use crate::auth::csrf::CsrfForm;
use crate::domain::{AccountType, DisplayName, Email, Password};
use crate::error::PageError;
use crate::services::accounts::{self, NewAccount, SignUpError};
use crate::services::audit::RequestMeta;
use crate::state::AppState;
use crate::views::pages::{FormErrors, SignUp, SignUpValues};
use crate::views::{PageCtx, ok, render, see_other, set_flash};

use super::sign_in::start_session;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SignUpForm {
    display_name: String,
    email: String,
    password: String,
    account_type: String,
    company_name: String,
}

pub async fn form(req: HttpRequest, ctx: PageCtx) -> Result<HttpResponse, PageError> {
    if ctx.user.is_some() {
        return Ok(see_other("/account/settings/developer"));
    }
    ok(&SignUp {
        ctx: ctx.with_csrf(&req)?,
        values: SignUpValues::default(),
        errors: FormErrors::default(),
    })
}

impl SignUpForm {
    fn parse(self) -> Result<NewAccount, (SignUpValues, FormErrors)> {
        let mut errors = FormErrors::default();
        let display_name = DisplayName::parse(&self.display_name)
            .map_err(|e| errors.add("display_name", e))
            .ok();
        let email = Email::parse(&self.email)
            .map_err(|e| errors.add("email", e))
            .ok();
        let password = Password::parse(self.password)
            .map_err(|e| errors.add("password", e))
            .ok();
        let account_type = self
            .account_type
            .parse::<AccountType>()
            .ok()
            .filter(|t| AccountType::SELF_SERVICE.contains(t));
        if account_type.is_none() {
            errors.add("account_type", "Choose developer, candidate or employer.");
        }
        let company = self.company_name.trim().to_owned();
        if company.chars().count() > 100 {
            errors.add("company_name", "Use at most 100 characters.");
        }
        if account_type == Some(AccountType::Employer) && company.is_empty() {
            errors.add(
                "company_name",
                "Employers need a company name: it is shown on your jobs.",
            );
        }
        let values = SignUpValues {
            display_name: self.display_name,
            email: self.email,
            account_type: self.account_type,
            company_name: self.company_name,
        };
        match (display_name, email, password, account_type) {
            (Some(display_name), Some(email), Some(password), Some(account_type))
                if errors.is_empty() =>
            {
                Ok(NewAccount {
                    display_name,
                    email,
                    password,
                    account_type,
                    company_name: (!company.is_empty()).then_some(company),
                })
            }
            _ => Err((values, errors)),
        }
    }
}

pub async fn submit(
    req: HttpRequest,
    ctx: PageCtx,
    session: Session,
    state: web::Data<AppState>,
    CsrfForm(form): CsrfForm<SignUpForm>,
) -> Result<HttpResponse, PageError> {
    let ctx = ctx.with_csrf(&req)?;
    let invalid = |ctx, values, errors| {
        render(
            StatusCode::UNPROCESSABLE_ENTITY,
            &SignUp {
                ctx,
                values,
                errors,
            },
        )
    };
    let new = match form.parse() {
        Ok(new) => new,
        Err((values, errors)) => return invalid(ctx, values, errors),
    };
    let values = SignUpValues {
        display_name: new.display_name.as_str().to_owned(),
        email: new.email.as_str().to_owned(),
        account_type: new.account_type.as_str().to_owned(),
        company_name: new.company_name.clone().unwrap_or_default(),
    };
    let meta = RequestMeta::from_request(&req);
    match accounts::create_account(&state.db, &state.hasher, new, &meta).await {
        Ok(account) => {
            start_session(&session, &account, &meta)?;
            set_flash(
                &session,
                "success",
                format!(
                    "Welcome, {}! Generate your first API key below.",
                    account.display_name
                ),
            );
            Ok(see_other("/account/settings/developer"))
        }
        Err(SignUpError::EmailTaken) => {
            let mut errors = FormErrors::default();
            errors.add(
                "email",
                "An account with this email already exists. Sign in instead.",
            );
            invalid(ctx, values, errors)
        }
        Err(SignUpError::App(e)) => Err(PageError(e)),
    }
}
