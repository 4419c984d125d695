//! Error pages: any error answer outside `/api` becomes a page in the visitor's language
//! (or a fragment for htmx); inside `/api` every error is problem+json.
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{header, StatusCode};
use actix_web::middleware::Next;
use actix_web::{HttpMessage, HttpResponse};
use askama::Template;

use crate::domain::shared::Lang;
use crate::i18n::Tr;
use crate::telemetry::{FailureCause, RequestId};
use crate::web::error::{AppError, ErrorInfo, Problem};
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

/// The page's heading, by the kind of answer; its text comes from the problem's code.
fn title_key(status: StatusCode) -> &'static str {
    match status.as_u16() {
        404 => "error.not_found.title",
        422 => "error.invalid.title",
        400 => "error.bad_request.title",
        401 | 403 => "error.forbidden.title",
        405 => "error.method.title",
        409 => "error.conflict.title",
        410 => "error.gone.title",
        413 => "error.too_large.title",
        429 => "error.too_many.title",
        _ => "error.server.title",
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
    let lang = req_lang(&res);
    if is_api {
        if content_type.starts_with("application/problem+json") {
            return Ok(in_language(res, lang));
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
    let cause = res.response().extensions().get::<FailureCause>().cloned();
    let (req, _) = res.into_parts();
    let reference =
        if status.is_server_error() { req.extensions().get::<RequestId>().map(|r| r.0.clone()) } else { None };
    let ctx = Chrome::new(lang, req.path(), req.query_string());
    let code = info.as_ref().map_or_else(|| problem_for(status).code(), |i| i.code);
    let (title, text) = (title_key(status), format!("problem.{code}"));
    let fields: Vec<(String, Vec<String>)> =
        info.map(|i| ctx.tr.fields(&i.fields).into_iter().collect()).unwrap_or_default();
    let fragment = req.headers().get("hx-request").is_some_and(|v| v.as_bytes() == b"true");
    let rendered = if fragment {
        html_with(
            status,
            &ErrorFragment { title: ctx.t(title), text: ctx.t(&text), ctx, status: status.as_u16(), fields, reference },
        )
    } else {
        html_with(
            status,
            &ErrorPage { title: ctx.t(title), text: ctx.t(&text), ctx, status: status.as_u16(), fields, reference },
        )
    };
    let mut out = rendered.unwrap_or_else(|e| {
        tracing::error!(error = %e, "error page failed to render");
        HttpResponse::build(status).content_type("text/plain; charset=utf-8").body("Error")
    });
    if let Some(cause) = cause {
        out.extensions_mut().insert(cause);
    }
    Ok(ServiceResponse::new(req, out))
}

fn req_lang<B>(res: &ServiceResponse<B>) -> Lang {
    res.request().extensions().get::<CurrentLang>().map_or(Lang::default(), |l| l.0)
}

/// A problem answer with its field errors written again in the request's language (the error
/// itself could not know it); any other answer as it is.
fn in_language<B: MessageBody + 'static>(res: ServiceResponse<B>, lang: Lang) -> ServiceResponse<BoxBody> {
    let Some(info) = res.response().extensions().get::<ErrorInfo>().cloned() else {
        return res.map_into_boxed_body();
    };
    if info.fields.is_empty() || lang == Lang::default() {
        return res.map_into_boxed_body();
    }
    let problem = Problem { errors: Some(Tr(lang).fields(&info.fields)), ..info.problem.clone() };
    let Ok(body) = serde_json::to_string(&problem) else { return res.map_into_boxed_body() };
    let (req, old) = res.into_parts();
    let mut out = HttpResponse::build(old.status());
    for (name, value) in old.headers() {
        if name != header::CONTENT_LENGTH {
            out.append_header((name.clone(), value.clone()));
        }
    }
    let mut out = out.body(body);
    out.extensions_mut().insert(info);
    ServiceResponse::new(req, out)
}

/// Anything no route matched.
pub async fn not_found() -> Result<actix_web::HttpResponse, AppError> {
    Err(AppError::NotFound)
}
