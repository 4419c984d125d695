//! `/api/v1/auth/*` and `/api/v1/me`: registration, bearer tokens, the caller's account.
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::Utc;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::domain::accounts::commands::{self, Register};
use crate::domain::accounts::{password, queries, tokens, Account, Email, Password};
use crate::domain::shared::FieldErrors;
use crate::web::error::{AppError, Problem};
use crate::web::extract::auth::bearer;
use crate::web::extract::ApiAccount;
use crate::web::limits;
use crate::web::render::{json, json_ok};
use crate::web::state::AppState;

#[derive(Debug, Deserialize, ToSchema)]
pub struct RegisterBody {
    #[schema(example = "bat@example.mn")]
    pub email: Option<String>,
    /// At least 10 characters, not a common password.
    pub password: Option<String>,
    pub name: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct TokenBody {
    pub email: Option<String>,
    pub password: Option<String>,
}

/// `{id, email, name}`, plus the role (`customer`, `staff` or `admin`).
#[derive(Serialize, ToSchema)]
pub struct AccountDto<'a> {
    pub id: Uuid,
    pub email: &'a str,
    pub name: &'a str,
    #[schema(example = "customer")]
    pub role: &'static str,
}

impl<'a> AccountDto<'a> {
    pub fn new(a: &'a Account) -> Self {
        Self { id: a.id, email: &a.email, name: &a.name, role: a.role.as_str() }
    }
}

#[derive(Serialize, ToSchema)]
pub struct TokenDto {
    pub access_token: String,
    #[schema(example = "Bearer")]
    pub token_type: &'static str,
    /// Seconds until the token stops working.
    pub expires_in: i64,
}

fn required<'a>(value: &'a Option<String>, field: &str, errors: &mut FieldErrors) -> Option<&'a str> {
    match value.as_deref() {
        Some(v) if !v.trim().is_empty() => Some(v),
        _ => {
            errors.add(field, "is required");
            None
        }
    }
}

/// Create a customer account.
///
/// The password is hashed with argon2id before anything is stored; a taken email is 409.
#[utoipa::path(post, path = "/api/v1/auth/register", tag = "accounts", request_body = RegisterBody,
    responses(
        (status = 201, description = "The new customer", body = AccountDto),
        (status = 409, description = "Email taken", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many registrations from this address (100 an hour); see Retry-After", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid email, weak password or missing name", body = Problem, content_type = "application/problem+json")))]
pub async fn register(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Json<RegisterBody>,
) -> Result<HttpResponse, AppError> {
    let mut errors = FieldErrors::new();
    let email = required(&body.email, "email", &mut errors)
        .and_then(|e| Email::parse(e, "email").map_err(|e| merge(&mut errors, e)).ok());
    let name = required(&body.name, "name", &mut errors)
        .and_then(|n| commands::parse_name(n, "name").map_err(|e| merge(&mut errors, e)).ok());
    let pw = required(&body.password, "password", &mut errors)
        .and_then(|p| Password::parse(p, "password", email.as_ref()).map_err(|e| merge(&mut errors, e)).ok());
    errors.into_result()?;
    let (Some(email), Some(name), Some(pw)) = (email, name, pw) else {
        return Err(AppError::Internal("parsed".into()));
    };
    limits::reserve(&state, &limits::register_attempt(&req, &state)).await?;
    let password_hash = state.password_work.run(move || password::hash(pw.expose())).await??;
    let account = state
        .db
        .run(move |conn| Ok::<_, AppError>(commands::register(conn, &Register { email, name, password_hash })?))
        .await?;
    json(actix_web::http::StatusCode::CREATED, &AccountDto::new(&account))
}

fn merge(into: &mut FieldErrors, from: FieldErrors) {
    for (field, messages) in from.fields() {
        for m in messages {
            into.add(field, m.clone());
        }
    }
}

/// Exchange an email and password for a bearer token.
///
/// Staff sign in here too; their token also opens `/api/v1/admin/*`. A wrong password and an
/// unknown email get the same 401 after the same work.
#[utoipa::path(post, path = "/api/v1/auth/token", tag = "accounts", request_body = TokenBody,
    responses(
        (status = 200, body = TokenDto),
        (status = 401, description = "Wrong email or password", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many failed attempts for this account (10 in 15 minutes) or address (50 in 15 minutes); see Retry-After", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Email or password missing", body = Problem, content_type = "application/problem+json")))]
pub async fn issue_token(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Json<TokenBody>,
) -> Result<HttpResponse, AppError> {
    let mut errors = FieldErrors::new();
    let email = required(&body.email, "email", &mut errors).map(|e| e.trim().to_lowercase());
    let pw = required(&body.password, "password", &mut errors).map(str::to_string);
    errors.into_result()?;
    let (Some(email), Some(pw)) = (email, pw) else { return Err(AppError::Internal("parsed".into())) };
    let attempt = limits::login_attempt(&req, &state, &email);
    let reserved = limits::reserve(&state, &attempt).await?;
    let found = state.db.run(move |conn| Ok::<_, AppError>(queries::credentials(conn, &email)?)).await?;
    let (account, hash) = match found {
        Some((a, h)) => (Some(a), Some(h)),
        None => (None, None),
    };
    let ok = state.password_work.run(move || password::check(hash.as_deref(), &pw)).await?;
    let account = account.filter(|_| ok).ok_or(AppError::Unauthorized)?;
    limits::forgive(&state, &attempt, reserved).await?;
    let now = Utc::now();
    let issued = state.db.run(move |conn| Ok::<_, AppError>(tokens::issue(conn, account.id, now)?)).await?;
    json_ok(&TokenDto {
        access_token: issued.token,
        token_type: "Bearer",
        expires_in: (issued.expires_at - now).num_seconds(),
    })
}

/// Revoke the bearer token of this request (sign out of this client).
#[utoipa::path(delete, path = "/api/v1/auth/token", tag = "accounts",
    responses((status = 204, description = "The token no longer works"),
        (status = 401, body = Problem, content_type = "application/problem+json")))]
pub async fn revoke_token(
    state: web::Data<AppState>,
    req: HttpRequest,
    _caller: ApiAccount,
) -> Result<HttpResponse, AppError> {
    let token = bearer(&req).ok_or(AppError::Unauthorized)?;
    state.db.run(move |conn| Ok::<_, AppError>(tokens::revoke(conn, &token, Utc::now())?)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The signed-in caller's account.
#[utoipa::path(get, path = "/api/v1/me", tag = "accounts", security(("bearer" = [])),
    responses((status = 200, body = AccountDto), (status = 401, body = Problem, content_type = "application/problem+json")))]
pub async fn me(caller: ApiAccount) -> Result<HttpResponse, AppError> {
    json_ok(&AccountDto::new(&caller.0))
}
