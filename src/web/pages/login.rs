//! `/login` and `/logout`: signing in and out with the session cookie.
use actix_session::Session;
use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::cart_session::adopt_cart;
use super::forms::NextQuery;
use crate::domain::accounts::{Account, AccountError};
use crate::flows;
use crate::web::error::AppError;
use crate::web::extract::Caller;
use crate::web::render::{html, html_with, see_other, Chrome};
use crate::web::session;
use crate::web::state::AppState;

/// Where to go after signing in: a path of this site only, judged as a browser reads it.
/// Browsers drop tabs and newlines anywhere in a URL and read `\` as `/` (WHATWG URL), so
/// `/\t/evil.example` and `/\\evil.example` lead to another site: a control character or a
/// path that starts with two slashes once read that way goes to `/account` instead. (A control
/// character could not be sent in a `Location` header either.)
pub fn safe_next(next: Option<&str>) -> String {
    let local = |n: &str| {
        let read = n.replace('\\', "/");
        !n.chars().any(char::is_control) && read.starts_with('/') && !read.starts_with("//") && !read.contains("://")
    };
    match next {
        Some(n) if local(n) => n.to_string(),
        _ => "/account".into(),
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

pub async fn show_login(
    mut ctx: Chrome,
    session: Session,
    query: web::Query<NextQuery>,
) -> Result<HttpResponse, AppError> {
    let csrf = ctx.form_token(&session);
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
    caller: Caller,
    mut ctx: Chrome,
    session: Session,
    form: web::Form<LoginForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let email = form.email.unwrap_or_default();
    let next = safe_next(form.next.as_deref());
    let signed_in = flows::accounts::sign_in(&state.shop, &email, form.password.unwrap_or_default(), caller.0).await;
    let email = email.trim().to_lowercase();
    let (status, wait) = match signed_in {
        Ok(account) => {
            begin_session(&state, &session, &account).await?;
            return Ok(see_other(&next));
        }
        Err(AccountError::WrongCredentials) => (StatusCode::UNPROCESSABLE_ENTITY, None),
        Err(AccountError::Throttled { retry_after_secs }) => (StatusCode::TOO_MANY_REQUESTS, Some(retry_after_secs)),
        Err(e) => return Err(e.into()),
    };
    let csrf = ctx.form_token(&session);
    let page = LoginPage { ctx, csrf, email, next, failed: wait.is_none(), wait_minutes: wait.map(|s| s.div_ceil(60)) };
    let mut res = html_with(status, &page)?;
    if let Some(secs) = wait {
        res.headers_mut().insert(header::RETRY_AFTER, secs.into());
    }
    Ok(res)
}

/// Ends the session on the server too: a copy of the cookie taken before stops working.
pub async fn logout(state: web::Data<AppState>, session: Session) -> Result<HttpResponse, AppError> {
    if let Some(secret) = session::secret(&session) {
        flows::accounts::end_session(&state.shop, secret).await?;
    }
    session::sign_out(&session);
    Ok(see_other("/"))
}

/// Signs `account` in on this browser: a server-side session, a renewed cookie, and the
/// guest's cart joined to the customer's (after sign-in, registration or a password reset).
pub(super) async fn begin_session(state: &AppState, session: &Session, account: &Account) -> Result<(), AppError> {
    let secret = flows::accounts::start_session(&state.shop, account.id).await?;
    session::sign_in(session, account, &secret);
    adopt_cart(state, session, account.id).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_are_followed_after_sign_in() {
        assert_eq!(safe_next(Some("/admin?x=1")), "/admin?x=1");
        let bad = ["//evil.example", "https://evil.example", "/\\evil.example", "evil", "", "/\t/evil.example/x"];
        let bad = bad.into_iter().chain(["/\n/evil.example", "/\r\n/evil", "/a\u{0}b", "/\u{7f}", "\\/evil.example"]);
        for bad in bad {
            assert_eq!(safe_next(Some(bad)), "/account", "{bad}");
        }
        assert_eq!(safe_next(None), "/account");
    }
}
