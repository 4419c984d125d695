//! The `Idempotency-Key` header, required where the contract says (checkout, refunds).
use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest};
use futures_util::future::{ready, Ready};

use crate::web::error::AppError;

pub const HEADER: &str = "Idempotency-Key";

/// 1 to 255 visible ASCII characters (a UUID is typical).
pub struct IdempotencyKey(pub String);

impl FromRequest for IdempotencyKey {
    type Error = AppError;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let key = req.headers().get(HEADER).and_then(|v| v.to_str().ok()).map(str::trim);
        ready(match key {
            Some(k) if !k.is_empty() && k.len() <= 255 && k.bytes().all(|b| b.is_ascii_graphic()) => {
                Ok(IdempotencyKey(k.to_string()))
            }
            Some(_) => Err(AppError::BadRequest("Idempotency-Key must be 1 to 255 visible ASCII characters.".into())),
            None => Err(AppError::BadRequest("This request needs an Idempotency-Key header.".into())),
        })
    }
}
