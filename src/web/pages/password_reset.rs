//! `/password-reset`: ask for a link by email, then choose a new password through it.
use std::time::{Duration, Instant};

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::forms::FormErrors;
use crate::domain::accounts::attempts::Attempt;
use crate::domain::accounts::{password, reset, Email, Password};
use crate::domain::shared::FieldErrors;
use crate::flows::throttle;
use crate::web::error::AppError;
use crate::web::extract::Caller;
use crate::web::render::{html, html_with, see_other, Chrome};
use crate::web::state::AppState;

/// Asking for a link takes at least this long whether or not the email has an account, so
/// the time of the answer does not tell either.
const MIN_ANSWER_TIME: Duration = Duration::from_millis(250);

#[derive(Template)]
#[template(path = "shop/password_reset.html")]
pub struct RequestPage {
    pub ctx: Chrome,
    pub csrf: String,
    pub email: String,
    pub sent: bool,
    pub errors: FormErrors,
}

#[derive(Deserialize)]
pub struct RequestForm {
    pub email: Option<String>,
}

pub async fn show_request(mut ctx: Chrome, session: Session) -> Result<HttpResponse, AppError> {
    let csrf = ctx.form_token(&session);
    html(&RequestPage { ctx, csrf, email: String::new(), sent: false, errors: FormErrors(FieldErrors::new()) })
}

pub async fn request(
    state: web::Data<AppState>,
    caller: Caller,
    mut ctx: Chrome,
    session: Session,
    form: web::Form<RequestForm>,
) -> Result<HttpResponse, AppError> {
    let started = Instant::now();
    let raw = form.into_inner().email.unwrap_or_default();
    let email = match Email::parse(&raw, "email") {
        Ok(e) => e,
        Err(errors) => {
            let csrf = ctx.form_token(&session);
            let page = RequestPage { ctx, csrf, email: raw, sent: false, errors: FormErrors(errors) };
            return html_with(StatusCode::UNPROCESSABLE_ENTITY, &page);
        }
    };
    let attempt = Attempt::reset(email.as_str(), caller.0, &state.shop.limits);
    throttle::reserve(&state.shop, &attempt).await?;
    let lang = ctx.lang;
    let address = email.as_str().to_string();
    let now = state.shop.now();
    let queued = state.shop.db.run(move |conn| Ok::<_, AppError>(reset::request(conn, &address, lang, now)?)).await?;
    if queued {
        state.shop.wake_jobs();
    }
    if let Some(rest) = MIN_ANSWER_TIME.checked_sub(started.elapsed()) {
        actix_web::rt::time::sleep(rest).await;
    }
    let csrf = ctx.form_token(&session);
    html(&RequestPage { ctx, csrf, email: email.as_str().into(), sent: true, errors: FormErrors(FieldErrors::new()) })
}

#[derive(Template)]
#[template(path = "shop/password_reset_choose.html")]
pub struct ChoosePage {
    pub ctx: Chrome,
    pub csrf: String,
    pub token: String,
    pub errors: FormErrors,
}

#[derive(Deserialize)]
pub struct ChooseForm {
    pub password: Option<String>,
}

/// The link from the email: a form for the new password, or 410 when the link is spent.
pub async fn show_choose(
    state: web::Data<AppState>,
    mut ctx: Chrome,
    session: Session,
    token: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let token = token.into_inner();
    let t = token.clone();
    let now = state.shop.now();
    let valid = state.shop.db.run(move |conn| Ok::<_, AppError>(reset::is_valid(conn, &t, now)?)).await?;
    if !valid {
        return Err(AppError::Gone);
    }
    let csrf = ctx.form_token(&session);
    html(&ChoosePage { ctx, csrf, token, errors: FormErrors(FieldErrors::new()) })
}

/// Sets the new password, spends the link, ends other sessions, and signs the user in.
pub async fn choose(
    state: web::Data<AppState>,
    mut ctx: Chrome,
    session: Session,
    token: web::Path<String>,
    form: web::Form<ChooseForm>,
) -> Result<HttpResponse, AppError> {
    let token = token.into_inner();
    let pw = match Password::parse(form.password.as_deref().unwrap_or(""), "password", None) {
        Ok(p) => p,
        Err(errors) => {
            let csrf = ctx.form_token(&session);
            return html_with(
                StatusCode::UNPROCESSABLE_ENTITY,
                &ChoosePage { ctx, csrf, token, errors: FormErrors(errors) },
            );
        }
    };
    let password_hash = state.shop.password_work.run(move || password::hash(pw.expose())).await??;
    let now = state.shop.now();
    let account =
        state.shop.db.run(move |conn| Ok::<_, AppError>(reset::complete(conn, &token, &password_hash, now)?)).await?;
    super::login::begin_session(&state, &session, &account).await?;
    Ok(see_other("/account"))
}
