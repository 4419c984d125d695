//! The caller's address, for rate limits: the TCP peer, or behind a trusted proxy the hop that
//! proxy appended to `X-Forwarded-For`.
use actix_web::dev::Payload;
use actix_web::{web, FromRequest, HttpRequest};
use futures_util::future::{ready, Ready};

use crate::domain::accounts::attempts::ClientIp;
use crate::web::error::AppError;
use crate::web::state::AppState;

/// The caller's address as rate limits count it.
pub struct Caller(pub ClientIp);

/// The TCP peer, or the first `X-Forwarded-For` hop when the configuration trusts a proxy in
/// front of us.
pub fn client_ip(req: &HttpRequest, trust_forwarded_for: bool) -> ClientIp {
    if trust_forwarded_for {
        if let Some(first) = req
            .headers()
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .map(str::trim)
            .filter(|v| !v.is_empty() && v.len() <= 64)
        {
            return ClientIp(first.to_string());
        }
    }
    ClientIp(req.peer_addr().map_or_else(|| "unknown".into(), |a| a.ip().to_string()))
}

impl FromRequest for Caller {
    type Error = AppError;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let trust = req.app_data::<web::Data<AppState>>().is_some_and(|s| s.config.trust_forwarded_for);
        ready(Ok(Caller(client_ip(req, trust))))
    }
}
