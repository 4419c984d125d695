//! Error pages: any error answer outside `/api` becomes a page in the visitor's language
//! (or a fragment for htmx); inside `/api` every error is problem+json.
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{header, StatusCode};
use actix_web::middleware::Next;
use actix_web::{HttpMessage, HttpResponse};
use askama::Template;

use crate::domain::shared::Lang;
use crate::telemetry::RequestId;
use crate::web::error::{AppError, ErrorInfo};
use crate::web::extract::CurrentLang;
use crate::web::render::{html_with, Chrome};

#[derive(Template)]
#[template(path = "errors/error.html")]
pub struct ErrorPage {
    pub ctx: Chrome,
    pub status: u16,
    pub title: &'static str,
    pub text: &'static str,
    pub fields: Vec<(String, Vec<String>)>,
    pub reference: Option<String>,
}

#[derive(Template)]
#[template(path = "errors/_error.html")]
pub struct ErrorFragment {
    pub ctx: Chrome,
    pub status: u16,
    pub title: &'static str,
    pub text: &'static str,
    pub fields: Vec<(String, Vec<String>)>,
    pub reference: Option<String>,
}

fn texts(status: StatusCode) -> (&'static str, &'static str) {
    match status.as_u16() {
        404 => ("error.not_found.title", "error.not_found.text"),
        422 => ("error.invalid.title", "error.invalid.text"),
        400 => ("error.bad_request.title", "error.bad_request.text"),
        401 | 403 => ("error.forbidden.title", "error.forbidden.text"),
        405 => ("error.method.title", "error.method.text"),
        410 => ("error.gone.title", "error.gone.text"),
        413 => ("error.too_large.title", "error.too_large.text"),
        429 => ("error.too_many.title", "error.too_many.text"),
        _ => ("error.server.title", "error.server.text"),
    }
}

/// The problem answer for a status, for errors that did not come from an `AppError`.
fn problem_for(status: StatusCode) -> AppError {
    match status.as_u16() {
        404 => AppError::NotFound,
        405 => AppError::MethodNotAllowed,
        413 => AppError::PayloadTooLarge,
        400..=499 => AppError::BadRequest(status.canonical_reason().unwrap_or("Bad request").into()),
        _ => AppError::Internal(format!("unhandled {status}")),
    }
}

pub async fn html_errors(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let is_api = req.path().starts_with("/api/");
    let res = next.call(req).await?;
    let status = res.status();
    if status.as_u16() < 400 {
        return Ok(res.map_into_boxed_body());
    }
    let content_type = res.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    if is_api {
        if content_type.starts_with("application/problem+json") {
            return Ok(res.map_into_boxed_body());
        }
        let (req, _) = res.into_parts();
        let problem = problem_for(status);
        let mut out = actix_web::ResponseError::error_response(&problem);
        *out.status_mut() = status;
        return Ok(ServiceResponse::new(req, out));
    }
    if content_type.starts_with("text/html") {
        return Ok(res.map_into_boxed_body());
    }
    let info = res.response().extensions().get::<ErrorInfo>().cloned();
    let (req, _) = res.into_parts();
    let lang = req.extensions().get::<CurrentLang>().map_or(Lang::default(), |l| l.0);
    let reference =
        if status.is_server_error() { req.extensions().get::<RequestId>().map(|r| r.0.clone()) } else { None };
    let ctx = Chrome::new(lang, req.path(), req.query_string());
    let (title, text) = texts(status);
    let fields = info.map(|i| i.fields).unwrap_or_default();
    let fragment = req.headers().get("hx-request").is_some_and(|v| v.as_bytes() == b"true");
    let rendered = if fragment {
        html_with(
            status,
            &ErrorFragment { title: ctx.t(title), text: ctx.t(text), ctx, status: status.as_u16(), fields, reference },
        )
    } else {
        html_with(
            status,
            &ErrorPage { title: ctx.t(title), text: ctx.t(text), ctx, status: status.as_u16(), fields, reference },
        )
    };
    let out = rendered.unwrap_or_else(|e| {
        tracing::error!(error = %e, "error page failed to render");
        HttpResponse::build(status).content_type("text/plain; charset=utf-8").body("Error")
    });
    Ok(ServiceResponse::new(req, out))
}

/// Anything no route matched.
pub async fn not_found() -> Result<actix_web::HttpResponse, AppError> {
    Err(AppError::NotFound)
}
