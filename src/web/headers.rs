//! The security headers every document and API answer carries.
use actix_web::middleware::DefaultHeaders;

pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
     img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; \
     form-action 'self'; frame-ancestors 'none'";

/// Strict headers on every response; no inline script anywhere makes the CSP possible.
pub fn security_headers(production: bool) -> DefaultHeaders {
    let headers = DefaultHeaders::new()
        .add(("Content-Security-Policy", CONTENT_SECURITY_POLICY))
        .add(("X-Content-Type-Options", "nosniff"))
        .add(("Referrer-Policy", "strict-origin-when-cross-origin"))
        .add(("X-Frame-Options", "DENY"))
        .add(("Cross-Origin-Opener-Policy", "same-origin"))
        .add(("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()"));
    if production {
        headers.add(("Strict-Transport-Security", "max-age=63072000; includeSubDomains"))
    } else {
        headers
    }
}

/// Answers that are one person's (their account, their cart and orders, a tracking page, a
/// bearer token) must not be kept by a browser's or a proxy's cache.
const PERSONAL: [&str; 12] = [
    "/account",
    "/cart",
    "/checkout",
    "/orders/",
    "/payments/",
    "/password-reset",
    "/admin",
    "/api/v1/auth/",
    "/api/v1/me",
    "/api/v1/carts",
    "/api/v1/orders",
    "/api/v1/admin",
];

/// Whether the answer to `path` is personal.
pub fn is_personal(path: &str) -> bool {
    PERSONAL.iter().any(|p| path.starts_with(p))
}

/// Middleware: `Cache-Control: no-store` on personal answers that set no caching of their own.
pub async fn no_store_for_personal(
    req: actix_web::dev::ServiceRequest,
    next: actix_web::middleware::Next<impl actix_web::body::MessageBody>,
) -> Result<actix_web::dev::ServiceResponse<impl actix_web::body::MessageBody>, actix_web::Error> {
    use actix_web::http::header::{HeaderValue, CACHE_CONTROL};
    let personal = is_personal(req.path());
    let mut res = next.call(req).await?;
    if personal && !res.headers().contains_key(CACHE_CONTROL) {
        res.headers_mut().insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    Ok(res)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn personal_answers_are_named_by_their_paths() {
        for p in ["/account", "/orders/x", "/api/v1/auth/token", "/api/v1/me/addresses", "/cart"] {
            assert!(is_personal(p), "{p}");
        }
        for p in ["/", "/products", "/api/v1/products", "/static/css/app.css"] {
            assert!(!is_personal(p), "{p}");
        }
    }
}
