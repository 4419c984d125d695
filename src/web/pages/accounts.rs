//! `/register`, `/login`, `/logout`, `/account`: signing in and out with the session cookie.
use actix_session::Session;
use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use crate::domain::accounts::commands::{self, Register};
use crate::domain::accounts::{password, queries, AccountError, Email, Password};
use crate::domain::shared::FieldErrors;
use crate::web::error::AppError;
use crate::web::extract::SignedIn;
use crate::web::limits;
use crate::web::render::{html, html_with, Chrome};
use crate::web::session;
use crate::web::state::AppState;

/// Where to go after signing in: a local path only, never another site.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') && !n.contains("://") => {
            n.to_string()
        }
        _ => "/account".into(),
    }
}

fn see_other(to: &str) -> HttpResponse {
    HttpResponse::SeeOther().insert_header((header::LOCATION, to)).finish()
}

/// Field errors as the form shows them: the first message per field, in the page's language
/// where we have a translation.
pub struct FormErrors(pub FieldErrors);

impl FormErrors {
    pub fn get(&self, field: &str) -> Option<&str> {
        self.0.fields().get(field).and_then(|m| m.first()).map(String::as_str)
    }
}

#[derive(Default, Deserialize)]
pub struct LoginForm {
    pub email: Option<String>,
    pub password: Option<String>,
    pub next: Option<String>,
}

#[derive(Template)]
#[template(path = "shop/login.html")]
pub struct LoginPage {
    pub ctx: Chrome,
    pub csrf: String,
    pub email: String,
    pub next: String,
    pub failed: bool,
    /// Set when too many attempts were made: minutes until the next one is allowed.
    pub wait_minutes: Option<u64>,
}

#[derive(Deserialize)]
pub struct NextQuery {
    pub next: Option<String>,
}

pub async fn show_login(
    mut ctx: Chrome,
    session: Session,
    query: web::Query<NextQuery>,
) -> Result<HttpResponse, AppError> {
    let csrf = session::csrf_or_new(&session);
    ctx.csrf = Some(csrf.clone());
    html(&LoginPage {
        ctx,
        csrf,
        email: String::new(),
        next: safe_next(query.next.as_deref()),
        failed: false,
        wait_minutes: None,
    })
}

pub async fn login(
    state: web::Data<AppState>,
    req: HttpRequest,
    mut ctx: Chrome,
    session: Session,
    form: web::Form<LoginForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let email = form.email.unwrap_or_default().trim().to_lowercase();
    let pw = form.password.unwrap_or_default();
    let next = safe_next(form.next.as_deref());
    let attempt = limits::login_attempt(&req, &state, &email);
    let reserved = match limits::reserve(&state, &attempt).await {
        Ok(id) => id,
        Err(AppError::TooManyRequests { retry_after_secs }) => {
            let csrf = session::csrf_or_new(&session);
            ctx.csrf = Some(csrf.clone());
            let page =
                LoginPage { ctx, csrf, email, next, failed: false, wait_minutes: Some(retry_after_secs.div_ceil(60)) };
            let mut res = html_with(StatusCode::TOO_MANY_REQUESTS, &page)?;
            res.headers_mut().insert(header::RETRY_AFTER, retry_after_secs.into());
            return Ok(res);
        }
        Err(e) => return Err(e),
    };
    let lookup = email.clone();
    let found = state.db.run(move |conn| Ok::<_, AppError>(queries::credentials(conn, &lookup)?)).await?;
    let (account, hash) = match found {
        Some((a, h)) => (Some(a), Some(h)),
        None => (None, None),
    };
    let ok = !pw.is_empty() && state.password_work.run(move || password::check(hash.as_deref(), &pw)).await?;
    match account.filter(|_| ok) {
        Some(account) => {
            limits::forgive(&state, &attempt, reserved).await?;
            session::sign_in(&session, &account);
            Ok(see_other(&next))
        }
        None => {
            let csrf = session::csrf_or_new(&session);
            ctx.csrf = Some(csrf.clone());
            html_with(
                StatusCode::UNPROCESSABLE_ENTITY,
                &LoginPage { ctx, csrf, email, next, failed: true, wait_minutes: None },
            )
        }
    }
}

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

pub async fn show_register(mut ctx: Chrome, session: Session) -> Result<HttpResponse, AppError> {
    let csrf = session::csrf_or_new(&session);
    ctx.csrf = Some(csrf.clone());
    html(&RegisterPage { ctx, csrf, email: String::new(), name: String::new(), errors: FormErrors(FieldErrors::new()) })
}

fn parse_registration(form: &RegisterForm) -> Result<(Email, String, Password), FieldErrors> {
    let mut errors = FieldErrors::new();
    let email = Email::parse(form.email.as_deref().unwrap_or(""), "email").map_err(|e| errors.extend(e)).ok();
    let name = commands::parse_name(form.name.as_deref().unwrap_or(""), "name").map_err(|e| errors.extend(e)).ok();
    let pw = Password::parse(form.password.as_deref().unwrap_or(""), "password", email.as_ref())
        .map_err(|e| errors.extend(e))
        .ok();
    match (email, name, pw) {
        (Some(e), Some(n), Some(p)) if errors.is_empty() => Ok((e, n, p)),
        _ => Err(errors),
    }
}

pub async fn register(
    state: web::Data<AppState>,
    req: HttpRequest,
    mut ctx: Chrome,
    session: Session,
    form: web::Form<RegisterForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let result = match parse_registration(&form) {
        Err(errors) => Err(errors),
        Ok((email, name, pw)) => {
            limits::reserve(&state, &limits::register_attempt(&req, &state)).await?;
            let password_hash = state.password_work.run(move || password::hash(pw.expose())).await??;
            let input = Register { email, name, password_hash };
            match state.db.run(move |conn| commands::register(conn, &input)).await {
                Ok(account) => Ok(account),
                Err(AccountError::EmailTaken) => Err(FieldErrors::single("email", ctx.t("register.email_taken"))),
                Err(e) => return Err(e.into()),
            }
        }
    };
    match result {
        Ok(account) => {
            session::sign_in(&session, &account);
            Ok(see_other("/account"))
        }
        Err(errors) => {
            let csrf = session::csrf_or_new(&session);
            ctx.csrf = Some(csrf.clone());
            let page = RegisterPage {
                ctx,
                csrf,
                email: form.email.unwrap_or_default(),
                name: form.name.unwrap_or_default(),
                errors: FormErrors(errors),
            };
            html_with(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
    }
}

pub async fn logout(session: Session) -> HttpResponse {
    session::sign_out(&session);
    see_other("/")
}

#[derive(Template)]
#[template(path = "shop/account.html")]
pub struct AccountPage {
    pub ctx: Chrome,
    pub csrf: String,
    pub name: String,
    pub email: String,
    pub staff: bool,
}

pub async fn show_account(mut ctx: Chrome, session: Session, user: SignedIn) -> Result<HttpResponse, AppError> {
    let csrf = session::csrf_or_new(&session);
    ctx.csrf = Some(csrf.clone());
    let a = user.0;
    html(&AccountPage { ctx, csrf, name: a.name, email: a.email, staff: a.role.is_staff() })
}

/// Ends every session and API token of the account, this one included.
pub async fn sign_out_everywhere(
    state: web::Data<AppState>,
    session: Session,
    user: SignedIn,
) -> Result<HttpResponse, AppError> {
    let id = user.0.id;
    state.db.run(move |conn| Ok::<_, AppError>(commands::sign_out_everywhere(conn, id)?)).await?;
    session::sign_out(&session);
    Ok(see_other("/login"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_are_followed_after_sign_in() {
        assert_eq!(safe_next(Some("/admin?x=1")), "/admin?x=1");
        for bad in ["//evil.example", "https://evil.example", "/\\evil.example", "evil", ""] {
            assert_eq!(safe_next(Some(bad)), "/account", "{bad}");
        }
        assert_eq!(safe_next(None), "/account");
    }
}
