//! Askama template → `HttpResponse`, in one place; and the page chrome every layout needs.
use std::future::{ready, Ready};

use actix_web::dev::Payload;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{FromRequest, HttpRequest, HttpResponse};
use askama::Template;

use super::error::AppError;
use super::extract::lang::CurrentLang;
use crate::domain::shared::{FieldError, Lang};
use crate::i18n::Tr;

/// What the base layout shows around every page: language, the switcher's link, translations.
#[derive(Debug, Clone)]
pub struct Chrome {
    pub lang: Lang,
    pub tr: Tr,
    /// The current URL in the other language.
    pub switch_href: String,
    /// The session's CSRF token, sent by htmx on every request (`hx-headers`) and by the
    /// header's sign-out form.
    pub csrf: Option<String>,
    /// Who is signed in, as the session remembers them (display only; access is checked
    /// against the database).
    pub user_name: Option<String>,
    /// Units in the session's cart, for the header's badge.
    pub cart_count: i64,
    /// The shop's clock when the request came (what holds and deadlines are shown against).
    pub now: chrono::DateTime<chrono::Utc>,
}

impl Chrome {
    pub fn new(lang: Lang, path: &str, query: &str) -> Self {
        let mut kept: Vec<&str> = query.split('&').filter(|p| !p.is_empty() && !p.starts_with("lang=")).collect();
        let other = format!("lang={}", lang.other().code());
        kept.push(&other);
        // A path that starts with two slashes (or `/\`) would make a link to another site
        // (`//evil.example/x`): the link names this site's path with one leading slash.
        let path = format!("/{}", path.trim_start_matches(['/', '\\']));
        Self {
            lang,
            tr: Tr(lang),
            switch_href: format!("{path}?{}", kept.join("&")),
            csrf: None,
            user_name: None,
            cart_count: 0,
            now: chrono::Utc::now(),
        }
    }

    pub fn support_phone(&self) -> &'static str {
        &crate::i18n::brand::get().phone
    }

    /// The support number as a `tel:` link wants it: digits only.
    pub fn support_phone_digits(&self) -> String {
        self.support_phone().chars().filter(|c| c.is_ascii_digit() || *c == '+').collect()
    }

    pub fn support_email(&self) -> &'static str {
        &crate::i18n::brand::get().email
    }

    pub fn t(&self, key: &str) -> &'static str {
        self.tr.t(key)
    }

    /// A translation for a key held in data (a flash notice), the key itself if unknown.
    pub fn t_dynamic<'a>(&self, key: &'a str) -> &'a str {
        self.tr.t_or(key, key)
    }

    /// A field error in the page's language.
    pub fn field(&self, error: &FieldError) -> String {
        self.tr.field(error)
    }

    pub fn fill(&self, key: &str, args: &[(&str, &str)]) -> String {
        self.tr.fill(key, args)
    }

    pub fn asset(&self, path: &str) -> String {
        super::assets::url(path)
    }

    /// The session's CSRF token for a page with a form, made now if the session has none; the
    /// chrome then also hands it to htmx.
    pub fn form_token(&mut self, session: &actix_session::Session) -> String {
        let token = super::session::csrf_or_new(session);
        self.csrf = Some(token.clone());
        token
    }

    /// `hx-headers` for the body: htmx then sends the CSRF token with every request.
    pub fn hx_headers(&self) -> Option<String> {
        self.csrf.as_ref().map(|t| serde_json::json!({ super::csrf::HEADER: t }).to_string())
    }

    pub fn other_lang(&self) -> &'static str {
        self.lang.other().code()
    }
}

impl FromRequest for Chrome {
    type Error = actix_web::Error;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let lang = match CurrentLang::from_request(req, payload).into_inner() {
            Ok(CurrentLang(l)) => l,
            Err(_) => Lang::default(),
        };
        let mut chrome = Chrome::new(lang, req.path(), req.query_string());
        let session = actix_session::SessionExt::get_session(req);
        chrome.csrf = super::session::csrf(&session);
        chrome.user_name = super::session::display_name(&session);
        chrome.cart_count = super::session::cart_count(&session);
        if let Some(state) = req.app_data::<actix_web::web::Data<super::state::AppState>>() {
            chrome.now = state.shop.now();
        }
        ready(Ok(chrome))
    }
}

/// Post/Redirect/Get: 303 to `to`.
pub fn see_other(to: &str) -> HttpResponse {
    HttpResponse::SeeOther().insert_header((header::LOCATION, to)).finish()
}

/// Renders a template as an HTML response with `status`.
pub fn html_with<T: Template>(status: actix_web::http::StatusCode, tpl: &T) -> Result<HttpResponse, AppError> {
    let body = tpl.render()?;
    Ok(HttpResponse::build(status)
        .insert_header((header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8")))
        .body(body))
}

pub fn html<T: Template>(tpl: &T) -> Result<HttpResponse, AppError> {
    html_with(actix_web::http::StatusCode::OK, tpl)
}

/// A JSON answer, serialized into a buffer sized for a typical page of products so it is not
/// regrown and copied several times.
pub fn json<T: serde::Serialize>(status: actix_web::http::StatusCode, body: &T) -> Result<HttpResponse, AppError> {
    let mut buf = Vec::with_capacity(8 * 1024);
    serde_json::to_writer(&mut buf, body).map_err(|e| AppError::Internal(format!("json: {e}")))?;
    Ok(HttpResponse::build(status)
        .insert_header((header::CONTENT_TYPE, HeaderValue::from_static("application/json")))
        .body(buf))
}

pub fn json_ok<T: serde::Serialize>(body: &T) -> Result<HttpResponse, AppError> {
    json(actix_web::http::StatusCode::OK, body)
}

/// The whole page, or for an htmx request just the fragment it swaps in; caches are told the
/// answer depends on `HX-Request`.
pub fn page_or_fragment<P: Template, F: Template>(
    wants_fragment: bool,
    page: impl FnOnce() -> P,
    fragment: impl FnOnce() -> F,
) -> Result<HttpResponse, AppError> {
    page_or_fragment_with(actix_web::http::StatusCode::OK, wants_fragment, page, fragment)
}

/// `page_or_fragment` with another status (a search with a wrong parameter is 422).
pub fn page_or_fragment_with<P: Template, F: Template>(
    status: actix_web::http::StatusCode,
    wants_fragment: bool,
    page: impl FnOnce() -> P,
    fragment: impl FnOnce() -> F,
) -> Result<HttpResponse, AppError> {
    let mut res = if wants_fragment { html_with(status, &fragment())? } else { html_with(status, &page())? };
    res.headers_mut().insert(header::VARY, HeaderValue::from_static("HX-Request"));
    Ok(res)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn switch_link_keeps_the_query_and_flips_the_language() {
        assert_eq!(
            Chrome::new(Lang::Mn, "/products", "kind=device&lang=mn&page=2").switch_href,
            "/products?kind=device&page=2&lang=en"
        );
        assert_eq!(Chrome::new(Lang::En, "/", "").switch_href, "/?lang=mn");
    }
}
