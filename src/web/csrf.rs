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
        None if let Some(boundary) = multipart_boundary(&req) => {
            let body = match read_capped(&mut req, MULTIPART_LIMIT).await {
                Ok(body) => body,
                Err(e) => return Ok(req.error_response(e)),
            };
            let token = first_part_token(&body, &boundary);
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

/// The largest multipart body read (an image upload and its few fields).
pub const MULTIPART_LIMIT: usize = crate::domain::catalog::images::MAX_BYTES + 64 * 1024;

fn multipart_boundary(req: &ServiceRequest) -> Option<String> {
    let ct = req.headers().get(header::CONTENT_TYPE)?.to_str().ok()?;
    if !ct.starts_with("multipart/form-data") {
        return None;
    }
    ct.split(';')
        .filter_map(|p| p.trim().strip_prefix("boundary="))
        .map(|b| b.trim_matches('"').to_string())
        .find(|b| !b.is_empty() && b.len() <= 200)
}

async fn read_capped(req: &mut ServiceRequest, cap: usize) -> Result<Bytes, AppError> {
    use actix_web::HttpMessage;
    use futures_util::StreamExt;
    let mut payload = req.take_payload();
    let mut body = actix_web::web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|_| AppError::BadRequest("The request body could not be read.".into()))?;
        if body.len() + chunk.len() > cap {
            return Err(AppError::PayloadTooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

/// The `_csrf` field when it is the form's first part, as browsers send a form's fields in
/// their order (the upload forms put it first).
fn first_part_token(body: &[u8], boundary: &str) -> Option<String> {
    let start = format!("--{boundary}\r\n");
    let rest = body.strip_prefix(start.as_bytes())?;
    let head_end = rest.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = std::str::from_utf8(&rest[..head_end]).ok()?;
    let names_csrf = head.lines().any(|l| {
        l.to_ascii_lowercase().starts_with("content-disposition:") && l.contains(&format!("name=\"{FIELD}\""))
    });
    if !names_csrf {
        return None;
    }
    let value = &rest[head_end + 4..];
    let end = format!("\r\n--{boundary}");
    let len = value.windows(end.len()).position(|w| w == end.as_bytes())?;
    std::str::from_utf8(&value[..len]).ok().filter(|t| t.len() <= 200).map(str::to_string)
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
    fn the_token_is_read_from_a_multipart_form_s_first_part_only() {
        let body = b"--XyZ\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\ntok123\r\n--XyZ\r\nContent-Disposition: form-data; name=\"image\"; filename=\"a.png\"\r\n\r\n...\r\n--XyZ--\r\n";
        assert_eq!(first_part_token(body, "XyZ").as_deref(), Some("tok123"));
        let later = b"--XyZ\r\nContent-Disposition: form-data; name=\"alt\"\r\n\r\nx\r\n--XyZ\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\ntok\r\n--XyZ--";
        assert_eq!(first_part_token(later, "XyZ"), None);
        assert_eq!(first_part_token(body, "Other"), None);
    }

    #[test]
    fn comparison_is_exact() {
        assert!(same("abc", "abc"));
        assert!(!same("abc", "abd") && !same("abc", "ab") && !same("", "a"));
    }
}
