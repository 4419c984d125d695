//! What htmx tells us about a request: whether it wants a fragment or the whole page.
use std::future::{ready, Ready};

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest};

#[derive(Debug, Clone, Copy, Default)]
pub struct Htmx {
    pub request: bool,
    /// htmx restoring history after a cache miss wants the whole page.
    pub history_restore: bool,
}

impl Htmx {
    pub fn wants_fragment(self) -> bool {
        self.request && !self.history_restore
    }
}

fn is_true(req: &HttpRequest, name: &str) -> bool {
    req.headers().get(name).is_some_and(|v| v.as_bytes() == b"true")
}

impl FromRequest for Htmx {
    type Error = actix_web::Error;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Ok(Htmx {
            request: is_true(req, "hx-request"),
            history_restore: is_true(req, "hx-history-restore-request"),
        }))
    }
}
