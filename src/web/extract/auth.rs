//! Who calls the API: a bearer token names an account. Cookies never authenticate the API.
use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{web, FromRequest, HttpRequest};
use futures_util::future::LocalBoxFuture;

use crate::domain::accounts::{tokens, Account};
use crate::web::error::AppError;
use crate::web::state::AppState;

/// The raw token of `Authorization: Bearer <token>`.
pub fn bearer(req: &HttpRequest) -> Option<String> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty() && token.len() <= 256).then(|| token.to_string())
}

async fn account_for(req: &HttpRequest) -> Result<Account, AppError> {
    let token = bearer(req).ok_or(AppError::Unauthorized)?;
    let state = req.app_data::<web::Data<AppState>>().cloned().ok_or(AppError::Internal("no state".into()))?;
    let now = state.shop.now();
    state
        .shop
        .db
        .run(move |conn| Ok::<_, AppError>(tokens::authenticate(conn, &token, now)?))
        .await?
        .ok_or(AppError::Unauthorized)
}

/// A signed-in API caller (401 without a live token).
pub struct ApiAccount(pub Account);

impl FromRequest for ApiAccount {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move { account_for(&req).await.map(ApiAccount) })
    }
}

/// A staff or admin API caller: 401 without a live token, 403 for a customer's.
pub struct ApiStaff(pub Account);

impl FromRequest for ApiStaff {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let account = account_for(&req).await?;
            if account.role.is_staff() {
                Ok(ApiStaff(account))
            } else {
                Err(AppError::Forbidden)
            }
        })
    }
}

/// Middleware for `/api/v1/admin`: nothing under it answers before the caller is known staff.
pub async fn require_api_staff(
    mut req: actix_web::dev::ServiceRequest,
    next: actix_web::middleware::Next<impl actix_web::body::MessageBody + 'static>,
) -> Result<actix_web::dev::ServiceResponse<actix_web::body::BoxBody>, actix_web::Error> {
    match req.extract::<ApiStaff>().await {
        Ok(staff) => {
            actix_web::HttpMessage::extensions_mut(&req).insert(staff.0);
            Ok(next.call(req).await?.map_into_boxed_body())
        }
        Err(e) => Ok(req.error_response(e)),
    }
}

/// An API caller who may be anonymous: no `Authorization` header is a guest; a header with a
/// token that is not live is still 401 (a client should learn its token expired).
pub struct MaybeApiAccount(pub Option<Account>);

impl FromRequest for MaybeApiAccount {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            if req.headers().get(header::AUTHORIZATION).is_none() {
                return Ok(MaybeApiAccount(None));
            }
            account_for(&req).await.map(|a| MaybeApiAccount(Some(a)))
        })
    }
}
