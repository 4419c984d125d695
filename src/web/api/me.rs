//! `/api/v1/me…` beyond the contract's `GET /me`: the caller's name, password and address book,
//! through the same domain calls as `/account`.
use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::auth::AccountDto;
use crate::domain::accounts::addresses::{self, Address, AddressInput};
use crate::domain::accounts::commands;
use crate::flows;
use crate::web::address_fields::AddressFields;
use crate::web::error::{AppError, Problem};
use crate::web::extract::{ApiAccount, Caller};
use crate::web::render::{json, json_ok};
use crate::web::state::AppState;

#[derive(Deserialize, ToSchema)]
pub struct ProfileBody {
    pub name: Option<String>,
}

/// Change the caller's name.
#[utoipa::path(patch, path = "/api/v1/me", tag = "accounts", request_body = ProfileBody, security(("bearer" = [])),
    responses((status = 200, body = AccountDto), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn update_me(
    state: web::Data<AppState>,
    caller: ApiAccount,
    body: web::Json<ProfileBody>,
) -> Result<HttpResponse, AppError> {
    let name = commands::parse_name(body.name.as_deref().unwrap_or(""), "name")?;
    let id = caller.0.id;
    let account = state.shop.db.run(move |conn| Ok::<_, AppError>(commands::rename(conn, id, &name)?)).await?;
    json_ok(&AccountDto::new(&account))
}

#[derive(Deserialize, ToSchema)]
pub struct PasswordBody {
    pub current_password: Option<String>,
    pub new_password: Option<String>,
}

/// Change the caller's password. Every session and token of the account ends, this one too:
/// sign in again for a new token.
#[utoipa::path(post, path = "/api/v1/me/password", tag = "accounts", request_body = PasswordBody, security(("bearer" = [])),
    responses((status = 204, description = "Changed; all tokens revoked"),
        (status = 422, description = "Wrong current password or weak new one", body = Problem, content_type = "application/problem+json")))]
pub async fn change_password(
    state: web::Data<AppState>,
    caller: ApiAccount,
    ip: Caller,
    body: web::Json<PasswordBody>,
) -> Result<HttpResponse, AppError> {
    let body = body.into_inner();
    let (current, new) = (body.current_password.unwrap_or_default(), body.new_password.unwrap_or_default());
    flows::accounts::change_password(&state.shop, &caller.0, current, new, ip.0).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Deserialize, ToSchema)]
pub struct AddressBody {
    #[serde(flatten)]
    pub address: AddressFields,
    #[serde(default)]
    pub is_default: bool,
}

impl AddressBody {
    fn input(self) -> AddressInput {
        self.address.input(self.is_default)
    }
}

#[derive(Serialize, ToSchema)]
pub struct AddressDto<'a> {
    pub id: Uuid,
    pub name: &'a str,
    pub phone: &'a str,
    pub city: &'a str,
    pub district: &'a str,
    pub line1: &'a str,
    pub line2: Option<&'a str>,
    pub is_default: bool,
}

impl<'a> AddressDto<'a> {
    fn new(a: &'a Address) -> Self {
        Self {
            id: a.id,
            name: &a.name,
            phone: &a.phone,
            city: &a.city,
            district: &a.district,
            line1: &a.line1,
            line2: a.line2.as_deref(),
            is_default: a.is_default,
        }
    }
}

/// The caller's delivery addresses, the default first.
#[utoipa::path(get, path = "/api/v1/me/addresses", tag = "accounts", security(("bearer" = [])),
    responses((status = 200, body = [AddressDto])))]
pub async fn list_addresses(state: web::Data<AppState>, caller: ApiAccount) -> Result<HttpResponse, AppError> {
    let owner = caller.0.id;
    let list = state.shop.db.run(move |conn| Ok::<_, AppError>(addresses::list(conn, owner)?)).await?;
    json_ok(&list.iter().map(AddressDto::new).collect::<Vec<_>>())
}

/// Save a delivery address (at most 20); the first one becomes the default.
#[utoipa::path(post, path = "/api/v1/me/addresses", tag = "accounts", request_body = AddressBody, security(("bearer" = [])),
    responses((status = 201, body = AddressDto), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn add_address(
    state: web::Data<AppState>,
    caller: ApiAccount,
    body: web::Json<AddressBody>,
) -> Result<HttpResponse, AppError> {
    let input = body.into_inner().input().parse()?;
    let owner = caller.0.id;
    let address = state.shop.db.run(move |conn| Ok::<_, AppError>(addresses::add(conn, owner, &input)?)).await?;
    json(actix_web::http::StatusCode::CREATED, &AddressDto::new(&address))
}

/// Replace one of the caller's addresses (another customer's is 404).
#[utoipa::path(put, path = "/api/v1/me/addresses/{id}", tag = "accounts", request_body = AddressBody, security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses((status = 200, body = AddressDto), (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn update_address(
    state: web::Data<AppState>,
    caller: ApiAccount,
    id: web::Path<String>,
    body: web::Json<AddressBody>,
) -> Result<HttpResponse, AppError> {
    let id = crate::web::extract::path_id(&id)?;
    let input = body.into_inner().input().parse()?;
    let owner = caller.0.id;
    let address = state.shop.db.run(move |conn| Ok::<_, AppError>(addresses::update(conn, owner, id, &input)?)).await?;
    json_ok(&AddressDto::new(&address))
}

/// Remove one of the caller's addresses (another customer's is 404).
#[utoipa::path(delete, path = "/api/v1/me/addresses/{id}", tag = "accounts", security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses((status = 204), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn delete_address(
    state: web::Data<AppState>,
    caller: ApiAccount,
    id: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let id = crate::web::extract::path_id(&id)?;
    let owner = caller.0.id;
    state.shop.db.run(move |conn| Ok::<_, AppError>(addresses::remove(conn, owner, id)?)).await?;
    Ok(HttpResponse::NoContent().finish())
}
