//! Account settings → Developer → Request partner access.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use crate::auth::csrf::CsrfForm;
use crate::auth::guards::{GuardError, SignedIn};
use crate::error::{AppError, PageError};
use crate::services::audit::RequestMeta;
use crate::services::partners::{self, PartnerApplication};
use crate::state::AppState;
use crate::views::pages::{FormErrors, PartnerForm, PartnerValues};
use crate::views::{PageCtx, ok, render, see_other, set_flash};

use super::developer::partner_panel;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PartnerFields {
    company: String,
    website: String,
    use_case: String,
}

pub async fn form(ctx: PageCtx, state: web::Data<AppState>) -> Result<HttpResponse, GuardError> {
    let principal = ctx.require_user()?.clone();
    let result = async {
        let partner = partner_panel(&state, &principal).await?;
        let values = PartnerValues {
            company: principal.account.company_name.clone().unwrap_or_default(),
            ..PartnerValues::default()
        };
        ok(&PartnerForm {
            ctx,
            values,
            errors: FormErrors::default(),
            partner,
        })
    }
    .await;
    result.map_err(GuardError::Page)
}

impl PartnerFields {
    fn parse(&self) -> Result<PartnerApplication, FormErrors> {
        let mut errors = FormErrors::default();
        let company = self.company.trim();
        match company.chars().count() {
            0 => errors.add("company", "Enter your company name."),
            n if n > 100 => errors.add("company", "Use at most 100 characters."),
            _ => {}
        }
        let website = self.website.trim();
        let valid_url = (website.starts_with("https://") || website.starts_with("http://"))
            && website.len() <= 200
            && validator::ValidateUrl::validate_url(&website)
            && website.split("://").nth(1).is_some_and(|rest| {
                rest.split('/')
                    .next()
                    .is_some_and(|host| host.contains('.'))
            });
        if !valid_url {
            errors.add(
                "website",
                "Enter your website address, starting with https://.",
            );
        }
        let use_case = self.use_case.trim();
        match use_case.chars().count() {
            n if n < 10 => errors.add("use_case", "Tell us a little more: at least 10 characters."),
            n if n > 2000 => errors.add(
                "use_case",
                format!("Use at most 2,000 characters (you have {n})."),
            ),
            _ => {}
        }
        if errors.is_empty() {
            Ok(PartnerApplication {
                company: company.to_owned(),
                website: website.to_owned(),
                use_case: use_case.to_owned(),
            })
        } else {
            Err(errors)
        }
    }
}

pub async fn submit(
    req: HttpRequest,
    ctx: PageCtx,
    SignedIn(principal): SignedIn,
    state: web::Data<AppState>,
    CsrfForm(fields): CsrfForm<PartnerFields>,
) -> Result<HttpResponse, PageError> {
    let application = match fields.parse() {
        Ok(application) => application,
        Err(errors) => {
            let partner = partner_panel(&state, &principal).await?;
            let values = PartnerValues {
                company: fields.company,
                website: fields.website,
                use_case: fields.use_case,
            };
            return render(
                StatusCode::UNPROCESSABLE_ENTITY,
                &PartnerForm {
                    ctx,
                    values,
                    errors,
                    partner,
                },
            );
        }
    };
    let meta = RequestMeta::from_request(&req);
    match partners::request_access(&state, &principal.account, application, &meta).await {
        Ok(_) => {
            set_flash(
                &actix_session::SessionExt::get_session(&req),
                "success",
                "Your partner request was sent. We\u{2019}ll show the decision here.",
            );
            Ok(see_other("/account/settings/developer#partner"))
        }
        Err(AppError::Conflict(message)) => {
            set_flash(
                &actix_session::SessionExt::get_session(&req),
                "info",
                message,
            );
            Ok(see_other("/account/settings/developer#partner"))
        }
        Err(e) => Err(PageError(e)),
    }
}
