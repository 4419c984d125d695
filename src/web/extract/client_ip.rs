//! The caller's address, for rate limits: the TCP peer, or behind a trusted proxy the hop that
//! proxy appended to `X-Forwarded-For`.
use std::net::IpAddr;

use actix_web::dev::Payload;
use actix_web::{web, FromRequest, HttpRequest};
use futures_util::future::{ready, Ready};

use crate::domain::accounts::attempts::ClientIp;
use crate::web::error::AppError;
use crate::web::state::AppState;

/// The caller's address as rate limits count it.
pub struct Caller(pub ClientIp);

/// The TCP peer; or, behind a proxy we trust, the address that proxy appended to
/// `X-Forwarded-For`: the rightmost entry that is not one of our own proxies
/// (`TRUSTED_PROXIES`). The entries to its left are the caller's to write, so they never count.
pub fn client_ip(req: &HttpRequest, trust_forwarded_for: bool, trusted_proxies: &[IpAddr]) -> ClientIp {
    if trust_forwarded_for {
        let hops: Vec<&str> = req
            .headers()
            .get_all("x-forwarded-for")
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .collect();
        let appended =
            hops.into_iter().rev().find(|hop| hop.parse::<IpAddr>().map_or(true, |ip| !trusted_proxies.contains(&ip)));
        if let Some(hop) = appended.filter(|h| !h.is_empty() && h.len() <= 64) {
            return hop.parse::<IpAddr>().map_or_else(|_| ClientIp(hop.to_string()), ClientIp::of);
        }
    }
    req.peer_addr().map_or_else(|| ClientIp("unknown".into()), |a| ClientIp::of(a.ip()))
}

impl FromRequest for Caller {
    type Error = AppError;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let ip = match req.app_data::<web::Data<AppState>>() {
            Some(state) => client_ip(req, state.config.trust_forwarded_for, &state.config.trusted_proxies),
            None => client_ip(req, false, &[]),
        };
        ready(Ok(Caller(ip)))
    }
}
