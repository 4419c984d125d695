//! The visitor's language: `?lang=` (remembered in the `lang` cookie), else the cookie, else
//! `Accept-Language`, else Mongolian.
use std::future::{ready, Ready};

use actix_web::body::MessageBody;
use actix_web::cookie::{time::Duration, Cookie, SameSite};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::header;
use actix_web::middleware::Next;
use actix_web::{FromRequest, HttpMessage, HttpRequest};

use crate::domain::shared::Lang;
use crate::web::state::AppState;

pub const COOKIE: &str = "lang";

/// The language resolved for this request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CurrentLang(pub Lang);

/// `?lang=xx` in a raw query string, if it names one of our languages.
pub fn lang_in_query(query: &str) -> Option<Lang> {
    query.split('&').find_map(|pair| pair.strip_prefix("lang=").and_then(Lang::parse))
}

fn resolve(req: &HttpRequest) -> (Lang, bool) {
    if let Some(lang) = lang_in_query(req.query_string()) {
        let remembered = req.cookie(COOKIE).and_then(|c| Lang::parse(c.value()));
        return (lang, remembered != Some(lang));
    }
    if let Some(lang) = req.cookie(COOKIE).and_then(|c| Lang::parse(c.value())) {
        return (lang, false);
    }
    let accepted =
        req.headers().get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()).and_then(Lang::from_accept_language);
    (accepted.unwrap_or_default(), false)
}

/// Middleware: stores the language in the request and remembers a `?lang=` choice in a
/// cookie (pages only; the API never sets cookies).
pub async fn resolve_language(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let (lang, remember) = resolve(req.request());
    req.extensions_mut().insert(CurrentLang(lang));
    let is_api = req.path().starts_with("/api/");
    let secure = req.app_data::<actix_web::web::Data<AppState>>().is_some_and(|s| s.config.is_production());
    let mut res = next.call(req).await?;
    if remember && !is_api {
        let cookie = Cookie::build(COOKIE, lang.code())
            .path("/")
            .max_age(Duration::days(365))
            .same_site(SameSite::Lax)
            .http_only(true)
            .secure(secure)
            .finish();
        // A malformed cookie cannot come from a fixed name and a language code.
        let _ = res.response_mut().add_cookie(&cookie);
    }
    Ok(res)
}

impl FromRequest for CurrentLang {
    type Error = actix_web::Error;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let lang = req.extensions().get::<CurrentLang>().copied().unwrap_or_else(|| CurrentLang(resolve(req).0));
        ready(Ok(lang))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_language_is_found_among_other_parameters() {
        assert_eq!(lang_in_query("kind=device&lang=en"), Some(Lang::En));
        assert_eq!(lang_in_query("lang=mn"), Some(Lang::Mn));
        assert_eq!(lang_in_query("lang=fr&q=x"), None);
        assert_eq!(lang_in_query("slang=en"), None);
    }
}
