//! `/register`: a new customer account, signed in at once.
use super::forms::SummaryLine;
use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::forms::FormErrors;
use super::login::begin_session;
use crate::domain::accounts::commands::Registration;
use crate::domain::accounts::AccountError;
use crate::domain::shared::{Code, FieldErrors};
use crate::flows;
use crate::web::error::AppError;
use crate::web::extract::Caller;
use crate::web::render::{html, html_with, see_other, Chrome};
use crate::web::state::AppState;

#[derive(Default, Deserialize)]
pub struct RegisterForm {
    pub email: Option<String>,
    pub name: Option<String>,
    pub password: Option<String>,
}

#[derive(Template)]
#[template(path = "shop/register.html")]
pub struct RegisterPage {
    pub ctx: Chrome,
    pub csrf: String,
    pub email: String,
    pub name: String,
    pub errors: FormErrors,
}

impl RegisterPage {
    /// What the error summary at the top of the form lists.
    pub fn error_summary(&self) -> Vec<SummaryLine> {
        self.errors.summary(self.ctx.tr, "")
    }
}

pub async fn show_register(mut ctx: Chrome, session: Session) -> Result<HttpResponse, AppError> {
    let csrf = ctx.form_token(&session);
    html(&RegisterPage { ctx, csrf, email: String::new(), name: String::new(), errors: FormErrors(FieldErrors::new()) })
}

pub async fn register(
    state: web::Data<AppState>,
    caller: Caller,
    mut ctx: Chrome,
    session: Session,
    form: web::Form<RegisterForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let registered = match Registration::parse(form.email.as_deref(), form.name.as_deref(), form.password.as_deref()) {
        Ok(input) => match flows::accounts::register(&state.shop, input, caller.0).await {
            Err(AccountError::EmailTaken) => Err(FieldErrors::single("email", Code::EmailTaken)),
            other => Ok(other?),
        },
        Err(errors) => Err(errors),
    };
    match registered {
        Ok(account) => {
            begin_session(&state, &session, &account).await?;
            Ok(see_other("/account"))
        }
        Err(errors) => {
            let csrf = ctx.form_token(&session);
            let email = form.email.unwrap_or_default();
            let page =
                RegisterPage { ctx, csrf, email, name: form.name.unwrap_or_default(), errors: FormErrors(errors) };
            html_with(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
    }
}
