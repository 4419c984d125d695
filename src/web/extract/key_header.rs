//! The `Idempotency-Key` header, required where the contract says (checkout, refunds).
use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest};
use futures_util::future::{ready, Ready};

use crate::domain::idempotency::IdempotencyKey;
use crate::web::error::AppError;

pub const HEADER: &str = "Idempotency-Key";

/// The header's key: 1 to 255 visible ASCII characters (a UUID is typical); missing or
/// malformed is 400.
pub struct KeyHeader(pub IdempotencyKey);

impl FromRequest for KeyHeader {
    type Error = AppError;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let raw = req.headers().get(HEADER).map(|v| v.to_str().ok().unwrap_or(""));
        ready(match raw.map(IdempotencyKey::parse) {
            Some(Some(key)) => Ok(KeyHeader(key)),
            Some(None) => {
                Err(AppError::BadRequest("Idempotency-Key must be 1 to 255 visible ASCII characters.".into()))
            }
            None => Err(AppError::BadRequest("This request needs an Idempotency-Key header.".into())),
        })
    }
}
