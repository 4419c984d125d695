//! `/register`, `/login`, `/logout`, `/account`: signing in and out with the session cookie.
use actix_session::Session;
use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;
use uuid::Uuid;

use crate::domain::accounts::addresses::{self, Address, AddressInput};
use crate::domain::accounts::commands::{self, Register};
use crate::domain::accounts::{password, queries, Account, AccountError, Email, Password};
use crate::domain::orders::{queries as order_queries, OrderFilter};
use crate::domain::shared::{FieldErrors, PageRequest};
use crate::web::error::AppError;
use crate::web::extract::SignedIn;
use crate::web::filters;
use crate::web::limits;
use crate::web::render::{html, html_with, see_other, Chrome};
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
            let csrf = ctx.form_token(&session);
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
            super::cart::adopt_cart(&state, &session, account.id).await?;
            Ok(see_other(&next))
        }
        None => {
            let csrf = ctx.form_token(&session);
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
    let csrf = ctx.form_token(&session);
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
            super::cart::adopt_cart(&state, &session, account.id).await?;
            Ok(see_other("/account"))
        }
        Err(errors) => {
            let csrf = ctx.form_token(&session);
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

#[derive(Default, Deserialize)]
pub struct AddressForm {
    pub name: Option<String>,
    pub phone: Option<String>,
    pub city: Option<String>,
    pub district: Option<String>,
    pub line1: Option<String>,
    pub line2: Option<String>,
    pub is_default: Option<String>,
}

impl AddressForm {
    pub fn input(&self) -> AddressInput {
        AddressInput {
            name: self.name.clone(),
            phone: self.phone.clone(),
            city: self.city.clone(),
            district: self.district.clone(),
            line1: self.line1.clone(),
            line2: self.line2.clone(),
            is_default: self.is_default.is_some(),
        }
    }

    fn from_address(a: &Address) -> Self {
        AddressForm {
            name: Some(a.name.clone()),
            phone: Some(a.phone.clone()),
            city: Some(a.city.clone()),
            district: Some(a.district.clone()),
            line1: Some(a.line1.clone()),
            line2: a.line2.clone(),
            is_default: a.is_default.then(|| "on".into()),
        }
    }

    pub fn value(&self, field: &str) -> &str {
        let v = match field {
            "name" => &self.name,
            "phone" => &self.phone,
            "city" => &self.city,
            "district" => &self.district,
            "line1" => &self.line1,
            "line2" => &self.line2,
            _ => &None,
        };
        v.as_deref().unwrap_or("")
    }
}

#[derive(Template)]
#[template(path = "shop/account.html")]
pub struct AccountPage {
    pub ctx: Chrome,
    pub csrf: String,
    pub name: String,
    pub email: String,
    pub staff: bool,
    pub notice: Option<String>,
    pub addresses: Vec<Address>,
    pub profile_errors: FormErrors,
    pub password_errors: FormErrors,
    pub address: AddressForm,
    pub address_errors: FormErrors,
    pub orders: Vec<super::orders::OrderView>,
}

/// Which form on the account page failed, with its errors.
enum Failed {
    None,
    Profile(FieldErrors, String),
    Password(FieldErrors),
    Address(FieldErrors, AddressForm),
}

async fn account_page(
    state: &web::Data<AppState>,
    mut ctx: Chrome,
    session: &Session,
    account: Account,
    failed: Failed,
) -> Result<HttpResponse, AppError> {
    let csrf = ctx.form_token(session);
    let owner = account.id;
    let (addresses, orders) = state
        .db
        .run(move |conn| {
            let book = addresses::list(conn, owner)?;
            let filter = OrderFilter { account: Some(owner), status: None };
            let orders = order_queries::list_orders(conn, filter, PageRequest { page: 1, per_page: 100 })?;
            Ok::<_, AppError>((book, orders.items))
        })
        .await?;
    let empty = || FormErrors(FieldErrors::new());
    let order_views = orders.iter().map(|o| super::orders::OrderView::new(&ctx, o)).collect();
    let mut page = AccountPage {
        notice: session::take_flash(session).map(|k| ctx.t_dynamic(&k).to_string()),
        ctx,
        csrf,
        name: account.name,
        email: account.email,
        staff: account.role.is_staff(),
        addresses,
        profile_errors: empty(),
        password_errors: empty(),
        address: AddressForm::default(),
        address_errors: empty(),
        orders: order_views,
    };
    let status = match failed {
        Failed::None => StatusCode::OK,
        Failed::Profile(e, name) => {
            page.profile_errors = FormErrors(e);
            page.name = name;
            StatusCode::UNPROCESSABLE_ENTITY
        }
        Failed::Password(e) => {
            page.password_errors = FormErrors(e);
            StatusCode::UNPROCESSABLE_ENTITY
        }
        Failed::Address(e, form) => {
            page.address_errors = FormErrors(e);
            page.address = form;
            StatusCode::UNPROCESSABLE_ENTITY
        }
    };
    html_with(status, &page)
}

fn back_to_account(session: &Session, notice: &'static str) -> HttpResponse {
    session::flash(session, notice);
    see_other("/account")
}

pub async fn show_account(
    state: web::Data<AppState>,
    ctx: Chrome,
    session: Session,
    user: SignedIn,
) -> Result<HttpResponse, AppError> {
    account_page(&state, ctx, &session, user.0, Failed::None).await
}

#[derive(Deserialize)]
pub struct ProfileForm {
    pub name: Option<String>,
}

pub async fn update_profile(
    state: web::Data<AppState>,
    ctx: Chrome,
    session: Session,
    user: SignedIn,
    form: web::Form<ProfileForm>,
) -> Result<HttpResponse, AppError> {
    let raw = form.into_inner().name.unwrap_or_default();
    let name = match commands::parse_name(&raw, "name") {
        Ok(n) => n,
        Err(e) => return account_page(&state, ctx, &session, user.0, Failed::Profile(e, raw)).await,
    };
    let id = user.0.id;
    let account = state.db.run(move |conn| Ok::<_, AppError>(commands::rename(conn, id, &name)?)).await?;
    session::sign_in_again(&session, &account);
    Ok(back_to_account(&session, "account.saved"))
}

#[derive(Deserialize)]
pub struct PasswordForm {
    pub current_password: Option<String>,
    pub new_password: Option<String>,
}

pub async fn change_password(
    state: web::Data<AppState>,
    ctx: Chrome,
    session: Session,
    user: SignedIn,
    form: web::Form<PasswordForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let account = user.0;
    match set_new_password(
        &state,
        &account,
        form.current_password.unwrap_or_default(),
        form.new_password.unwrap_or_default(),
    )
    .await
    {
        Ok(updated) => {
            session::sign_in_again(&session, &updated);
            Ok(back_to_account(&session, "account.password_changed"))
        }
        Err(AppError::Invalid(e)) => account_page(&state, ctx, &session, account, Failed::Password(e)).await,
        Err(e) => Err(e),
    }
}

/// Checks the current password and sets the new one (the rule both the page and the API use).
pub async fn set_new_password(
    state: &web::Data<AppState>,
    account: &Account,
    current: String,
    new: String,
) -> Result<Account, AppError> {
    let email = Email::parse(&account.email, "email").ok();
    let new = Password::parse(&new, "new_password", email.as_ref())?;
    let id = account.id;
    let stored = state.db.run(move |conn| Ok::<_, AppError>(queries::password_hash(conn, id)?)).await?;
    let ok = state.password_work.run(move || password::check(stored.as_deref(), &current)).await?;
    if !ok {
        return Err(FieldErrors::single("current_password", "is not your current password").into());
    }
    let hash = state.password_work.run(move || password::hash(new.expose())).await??;
    state.db.run(move |conn| Ok::<_, AppError>(commands::change_password(conn, id, &hash)?)).await
}

pub async fn add_address(
    state: web::Data<AppState>,
    ctx: Chrome,
    session: Session,
    user: SignedIn,
    form: web::Form<AddressForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let input = match form.input().parse() {
        Ok(i) => i,
        Err(e) => return account_page(&state, ctx, &session, user.0, Failed::Address(e, form)).await,
    };
    let owner = user.0.id;
    match state.db.run(move |conn| addresses::add(conn, owner, &input)).await {
        Ok(_) => Ok(back_to_account(&session, "account.address_saved")),
        Err(AccountError::Invalid(e)) => account_page(&state, ctx, &session, user.0, Failed::Address(e, form)).await,
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "shop/address_edit.html")]
pub struct AddressEditPage {
    pub ctx: Chrome,
    pub csrf: String,
    pub id: Uuid,
    pub address: AddressForm,
    pub address_errors: FormErrors,
}

fn owned(id: &str) -> Result<Uuid, AppError> {
    Uuid::parse_str(id).map_err(|_| AppError::NotFound)
}

pub async fn show_address(
    state: web::Data<AppState>,
    mut ctx: Chrome,
    session: Session,
    user: SignedIn,
    id: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let id = owned(&id)?;
    let owner = user.0.id;
    let list = state.db.run(move |conn| Ok::<_, AppError>(addresses::list(conn, owner)?)).await?;
    let address = list.iter().find(|a| a.id == id).ok_or(AppError::NotFound)?;
    let csrf = ctx.form_token(&session);
    html(&AddressEditPage {
        ctx,
        csrf,
        id,
        address: AddressForm::from_address(address),
        address_errors: FormErrors(FieldErrors::new()),
    })
}

pub async fn update_address(
    state: web::Data<AppState>,
    mut ctx: Chrome,
    session: Session,
    user: SignedIn,
    id: web::Path<String>,
    form: web::Form<AddressForm>,
) -> Result<HttpResponse, AppError> {
    let id = owned(&id)?;
    let form = form.into_inner();
    let input = match form.input().parse() {
        Ok(i) => i,
        Err(e) => {
            let csrf = ctx.form_token(&session);
            let page = AddressEditPage { ctx, csrf, id, address: form, address_errors: FormErrors(e) };
            return html_with(StatusCode::UNPROCESSABLE_ENTITY, &page);
        }
    };
    let owner = user.0.id;
    state.db.run(move |conn| Ok::<_, AppError>(addresses::update(conn, owner, id, &input)?)).await?;
    Ok(back_to_account(&session, "account.address_saved"))
}

pub async fn delete_address(
    state: web::Data<AppState>,
    session: Session,
    user: SignedIn,
    id: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let id = owned(&id)?;
    let owner = user.0.id;
    state.db.run(move |conn| Ok::<_, AppError>(addresses::remove(conn, owner, id)?)).await?;
    Ok(back_to_account(&session, "account.address_removed"))
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
