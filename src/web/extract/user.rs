//! Who is browsing: the cookie names a server-side session, checked against the database on
//! every request, so a session that was signed out, outlived its lifetime or whose account's
//! epoch moved on (password changed, signed out everywhere) is over at once.
use actix_session::SessionExt;
use actix_web::dev::Payload;
use actix_web::{web, FromRequest, HttpRequest};
use futures_util::future::LocalBoxFuture;

use crate::domain::accounts::{sessions, Account};
use crate::web::error::AppError;
use crate::web::session;
use crate::web::state::AppState;

async fn current(req: &HttpRequest) -> Result<Option<Account>, AppError> {
    let session = req.get_session();
    let Some((secret, epoch)) = session::signed_in(&session) else {
        // A cookie from before server-side sessions, or none: nobody is signed in.
        if session::display_name(&session).is_some() {
            session::sign_out(&session);
        }
        return Ok(None);
    };
    let state = req.app_data::<web::Data<AppState>>().cloned().ok_or(AppError::Internal("no state".into()))?;
    let now = state.shop.now();
    let account = state.shop.db.run(move |conn| Ok::<_, AppError>(sessions::account_of(conn, &secret, now)?)).await?;
    match account {
        Some(a) if a.session_epoch == epoch => Ok(Some(a)),
        _ => {
            session::sign_out(&session);
            Ok(None)
        }
    }
}

fn sign_in_first(req: &HttpRequest) -> AppError {
    let mut next = req.path().to_string();
    if !req.query_string().is_empty() {
        next.push('?');
        next.push_str(req.query_string());
    }
    AppError::SignInRequired { next }
}

/// The signed-in account, if any.
pub struct Visitor(pub Option<Account>);

impl FromRequest for Visitor {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move { current(&req).await.map(Visitor) })
    }
}

/// A signed-in account; a guest is sent to `/login` and brought back afterwards.
pub struct SignedIn(pub Account);

impl FromRequest for SignedIn {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move { current(&req).await?.map(SignedIn).ok_or_else(|| sign_in_first(&req)) })
    }
}

/// Staff or admin: a guest is sent to `/login`, a customer gets 403.
pub struct StaffUser(pub Account);

impl FromRequest for StaffUser {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            match current(&req).await? {
                Some(a) if a.role.is_staff() => Ok(StaffUser(a)),
                Some(_) => Err(AppError::Forbidden),
                None => Err(sign_in_first(&req)),
            }
        })
    }
}

/// An admin: a guest is sent to `/login`, a customer or `staff` gets 403.
pub struct AdminUser(pub Account);

impl FromRequest for AdminUser {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            match current(&req).await? {
                Some(a) if a.role == crate::domain::accounts::Role::Admin => Ok(AdminUser(a)),
                Some(_) => Err(AppError::Forbidden),
                None => Err(sign_in_first(&req)),
            }
        })
    }
}
