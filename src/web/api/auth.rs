//! `/api/v1/auth/*` and `/api/v1/me`: registration, bearer tokens, the caller's account.
use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::domain::accounts::commands::Registration;
use crate::domain::accounts::{tokens, Account};
use crate::domain::shared::Code;
use crate::domain::shared::FieldErrors;
use crate::flows;
use crate::web::error::{AppError, Problem};
use crate::web::extract::auth::bearer;
use crate::web::extract::{ApiAccount, Caller};
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
        Self { id: a.id.into(), email: &a.email, name: &a.name, role: a.role.as_str() }
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
    caller: Caller,
    body: web::Json<RegisterBody>,
) -> Result<HttpResponse, AppError> {
    let input = Registration::parse(body.email.as_deref(), body.name.as_deref(), body.password.as_deref())?;
    let account = flows::accounts::register(&state.shop, input, caller.0).await?;
    json(actix_web::http::StatusCode::CREATED, &AccountDto::new(&account))
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
    caller: Caller,
    body: web::Json<TokenBody>,
) -> Result<HttpResponse, AppError> {
    let mut errors = FieldErrors::new();
    for (field, value) in [("email", &body.email), ("password", &body.password)] {
        if value.as_deref().is_none_or(|v| v.trim().is_empty()) {
            errors.add(field, Code::Required);
        }
    }
    errors.into_result()?;
    let body = body.into_inner();
    let email = body.email.unwrap_or_default();
    let (_, issued) =
        flows::accounts::issue_token(&state.shop, &email, body.password.unwrap_or_default(), caller.0).await?;
    json_ok(&TokenDto {
        access_token: issued.token,
        token_type: "Bearer",
        expires_in: (issued.expires_at - state.shop.now()).num_seconds(),
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
    let now = state.shop.now();
    state.shop.db.run(move |conn| Ok::<_, AppError>(tokens::revoke(conn, &token, now)?)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The signed-in caller's account.
#[utoipa::path(get, path = "/api/v1/me", tag = "accounts", security(("bearer" = [])),
    responses((status = 200, body = AccountDto), (status = 401, body = Problem, content_type = "application/problem+json")))]
pub async fn me(caller: ApiAccount) -> Result<HttpResponse, AppError> {
    json_ok(&AccountDto::new(&caller.0))
}
