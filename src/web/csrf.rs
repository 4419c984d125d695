//! CSRF protection: every state-changing request outside `/api` must carry the session's token,
//! in the `X-CSRF-Token` header (htmx sends it) or the `_csrf` form field. Otherwise 403.
//! The JSON API is exempt: it authenticates by bearer token, never by cookie.
use actix_session::SessionExt;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{header, Method};
use actix_web::middleware::Next;
use actix_web::web::Bytes;

use super::error::AppError;
use super::session;

pub const HEADER: &str = "x-csrf-token";
pub const FIELD: &str = "_csrf";

/// Compares in time independent of where the strings differ.
pub fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn needs_token(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

pub async fn protect(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    if !needs_token(req.method()) || req.path().starts_with("/api/") {
        return Ok(next.call(req).await?.map_into_boxed_body());
    }
    let expected = session::csrf(&req.get_session());
    let in_header = req.headers().get(HEADER).and_then(|v| v.to_str().ok()).map(str::to_string);
    let provided = match in_header {
        Some(token) => Some(token),
        None if is_form(&req) => {
            let body = req.extract::<Bytes>().await?;
            let token = serde_urlencoded::from_bytes::<Vec<(String, String)>>(&body)
                .ok()
                .and_then(|pairs| pairs.into_iter().find(|(k, _)| k == FIELD).map(|(_, v)| v));
            // The handler reads the form after us: hand the body back.
            let (_, mut payload) = actix_http::h1::Payload::create(true);
            payload.unread_data(body);
            req.set_payload(payload.into());
            token
        }
        None => None,
    };
    match (expected, provided) {
        (Some(e), Some(p)) if same(&e, &p) => Ok(next.call(req).await?.map_into_boxed_body()),
        _ => Ok(req.error_response(AppError::Forbidden)),
    }
}

fn is_form(req: &ServiceRequest) -> bool {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comparison_is_exact() {
        assert!(same("abc", "abc"));
        assert!(!same("abc", "abd") && !same("abc", "ab") && !same("", "a"));
    }
}
