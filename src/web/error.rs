//! `AppError`: the one error a handler returns. Each capability's error maps into it here,
//! with one match from kind to status and a stable snake_case `code`. It renders as RFC 9457
//! problem+json; outside `/api` the `html_errors` middleware turns it into a page in the
//! visitor's language.
use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

use crate::db::DbError;
use crate::domain::accounts::AccountError;
use crate::domain::cart::CartError;
use crate::domain::catalog::CatalogError;
use crate::domain::checkout::CheckoutError;
use crate::domain::idempotency::IdempotencyError;
use crate::domain::jobs::JobError;
use crate::domain::orders::OrderError;
use crate::domain::payments::PaymentError;
use crate::domain::promotions::{CouponRefusal, PromotionError, RefusalKind};
use crate::domain::shared::{Code, FieldErrors, Lang};
use crate::domain::telco::owned::ActivationError;
use crate::i18n::Tr;
use crate::telemetry::FailureCause;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    #[error("{0}")]
    BadRequest(String),
    #[error("invalid input")]
    Invalid(FieldErrors),
    #[error("method not allowed")]
    MethodNotAllowed,
    #[error("authentication required")]
    Unauthorized,
    #[error("forbidden")]
    Forbidden,
    /// A link that worked once and no longer does (a used or expired reset link).
    #[error("gone")]
    Gone,
    #[error("too many attempts")]
    TooManyRequests { retry_after_secs: u64 },
    /// A page that needs a signed-in visitor: 303 to `/login?next=…`.
    #[error("sign in required")]
    SignInRequired { next: String },
    /// A business conflict with its stable code (`email_taken`, `out_of_stock`, …).
    #[error("{code}: {detail}")]
    Conflict { code: &'static str, detail: String },
    #[error("payload too large")]
    PayloadTooLarge,
    #[error("internal error: {0}")]
    Internal(String),
    #[error("service unavailable: {0}")]
    Unavailable(String),
    /// Any other answer with its own status and stable code (`account_required` is a 422,
    /// `signature_invalid` a 400).
    #[error("{code}: {detail}")]
    Coded { status: StatusCode, code: &'static str, detail: String },
}

impl AppError {
    pub fn coded(status: StatusCode, code: &'static str, detail: impl Into<String>) -> Self {
        AppError::Coded { status, code, detail: detail.into() }
    }

    pub fn status_code_u16(&self) -> u16 {
        ResponseError::status_code(self).as_u16()
    }

    pub fn conflict(code: &'static str, detail: impl Into<String>) -> Self {
        AppError::Conflict { code, detail: detail.into() }
    }
}

/// Every `code` a problem can carry. Each has a `problem.<code>` text in both catalogs, which
/// the error page shows (a test holds them together).
pub const PROBLEM_CODES: &[&str] = &[
    "not_found",
    "bad_request",
    "validation_failed",
    "method_not_allowed",
    "unauthorized",
    "forbidden",
    "sign_in_required",
    "rate_limited",
    "link_expired",
    "payload_too_large",
    "internal_error",
    "service_unavailable",
    "email_taken",
    "cart_closed",
    "out_of_stock",
    "account_required",
    "product_unavailable",
    "illegal_transition",
    "signature_invalid",
    "webhook_stale",
    "amount_mismatch",
    "not_payable",
    "not_refundable",
    "number_taken",
    "number_lost",
    "sim_code_used",
    "number_active",
    "coupon_unknown",
    "coupon_not_yours",
    "coupon_used",
    "coupon_used_up",
];

/// What the error pages (and the API's rendering in the request's language) need to know about
/// an error after it became a response.
#[derive(Debug, Clone)]
pub struct ErrorInfo {
    pub status: StatusCode,
    pub code: &'static str,
    pub fields: FieldErrors,
    pub problem: Problem,
}

/// The problem+json body.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Problem {
    /// A URI naming the kind of problem, `/problems/{code}`.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// Stable machine-readable code, such as `not_found` or `validation_failed`.
    pub code: String,
    /// For 422: messages per field, in the request's language (`Accept-Language`, `?lang=`).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub errors: Option<std::collections::BTreeMap<String, Vec<String>>>,
    /// For 422: the same errors as stable codes with their parameters, for clients to act on
    /// (`{"password": [{"code": "too_short", "params": {"min": "10"}}]}`).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub error_codes: Option<FieldErrors>,
}

impl AppError {
    pub fn code(&self) -> &'static str {
        match self {
            AppError::NotFound => "not_found",
            AppError::BadRequest(_) => "bad_request",
            AppError::Invalid(_) => "validation_failed",
            AppError::MethodNotAllowed => "method_not_allowed",
            AppError::Unauthorized => "unauthorized",
            AppError::Forbidden => "forbidden",
            AppError::SignInRequired { .. } => "sign_in_required",
            AppError::TooManyRequests { .. } => "rate_limited",
            AppError::Gone => "link_expired",
            AppError::Conflict { code, .. } => code,
            AppError::PayloadTooLarge => "payload_too_large",
            AppError::Internal(_) => "internal_error",
            AppError::Unavailable(_) => "service_unavailable",
            AppError::Coded { code, .. } => code,
        }
    }

    fn title(&self) -> &'static str {
        match self {
            AppError::NotFound => "Not found",
            AppError::BadRequest(_) => "Bad request",
            AppError::Invalid(_) => "Invalid input",
            AppError::MethodNotAllowed => "Method not allowed",
            AppError::Unauthorized => "Unauthorized",
            AppError::Forbidden => "Forbidden",
            AppError::SignInRequired { .. } => "Sign in required",
            AppError::TooManyRequests { .. } => "Too many requests",
            AppError::Gone => "Gone",
            AppError::Conflict { .. } => "Conflict",
            AppError::PayloadTooLarge => "Payload too large",
            AppError::Internal(_) => "Internal server error",
            AppError::Unavailable(_) => "Service unavailable",
            AppError::Coded { status, .. } => status.canonical_reason().unwrap_or("Error"),
        }
    }

    fn detail(&self) -> String {
        match self {
            AppError::NotFound => "The resource does not exist.".into(),
            AppError::BadRequest(msg) => msg.clone(),
            AppError::Invalid(errors) => {
                let fields: Vec<&str> = errors.fields().keys().map(String::as_str).collect();
                format!("Invalid value for: {}.", fields.join(", "))
            }
            AppError::MethodNotAllowed => "This resource does not accept that method.".into(),
            AppError::Unauthorized => "A valid bearer token is required.".into(),
            AppError::Forbidden => "You are not allowed to do this.".into(),
            AppError::SignInRequired { .. } => "Sign in to continue.".into(),
            AppError::TooManyRequests { retry_after_secs } => {
                format!("Too many attempts; try again in {retry_after_secs} seconds.")
            }
            AppError::Gone => "This link has been used or has expired.".into(),
            AppError::Conflict { detail, .. } => detail.clone(),
            AppError::PayloadTooLarge => "The request body is too large.".into(),
            // Never the inner message: it may name tables or hosts.
            AppError::Internal(_) => "Something went wrong on our side.".into(),
            AppError::Unavailable(_) => "The service is temporarily unavailable.".into(),
            AppError::Coded { detail, .. } => detail.clone(),
        }
    }

    /// The problem answer, its field errors written in `lang`.
    pub fn problem(&self, lang: Lang) -> Problem {
        let fields = match self {
            AppError::Invalid(e) => Some(e.clone()),
            _ => None,
        };
        Problem {
            kind: format!("/problems/{}", self.code()),
            title: self.title().into(),
            status: self.status_code().as_u16(),
            detail: self.detail(),
            code: self.code().into(),
            errors: fields.as_ref().map(|f| Tr(lang).fields(f)),
            error_codes: fields,
        }
    }
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        match self {
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            AppError::Unauthorized => StatusCode::UNAUTHORIZED,
            AppError::Forbidden => StatusCode::FORBIDDEN,
            AppError::SignInRequired { .. } => StatusCode::SEE_OTHER,
            AppError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::Gone => StatusCode::GONE,
            AppError::Conflict { .. } => StatusCode::CONFLICT,
            AppError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            AppError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Coded { status, .. } => *status,
        }
    }

    fn error_response(&self) -> HttpResponse {
        if let AppError::SignInRequired { next } = self {
            let query = serde_urlencoded::to_string([("next", next.as_str())]).unwrap_or_default();
            return HttpResponse::SeeOther().insert_header((header::LOCATION, format!("/login?{query}"))).finish();
        }
        // Written in the default language; the error middleware writes the field errors again
        // in the request's.
        let problem = self.problem(Lang::default());
        let body = serde_json::to_string(&problem).unwrap_or_else(|_| "{}".into());
        let mut builder = HttpResponse::build(self.status_code());
        builder.insert_header((header::CONTENT_TYPE, "application/problem+json"));
        match self {
            AppError::Unauthorized => {
                builder.insert_header((header::WWW_AUTHENTICATE, "Bearer"));
            }
            AppError::TooManyRequests { retry_after_secs } => {
                builder.insert_header((header::RETRY_AFTER, retry_after_secs.to_string()));
            }
            _ => {}
        }
        let mut res = builder.body(body);
        if let AppError::Internal(cause) | AppError::Unavailable(cause) = self {
            // Logged on the request's own line, with its request id (see `telemetry`).
            res.extensions_mut().insert(FailureCause(cause.clone()));
        }
        res.extensions_mut().insert(ErrorInfo {
            status: self.status_code(),
            code: self.code(),
            fields: problem.error_codes.clone().unwrap_or_default(),
            problem,
        });
        res
    }
}

impl From<DbError> for AppError {
    fn from(e: DbError) -> Self {
        match e {
            DbError::Pool(_) | DbError::Connect(_) => AppError::Unavailable(e.to_string()),
            _ => AppError::Internal(e.to_string()),
        }
    }
}

impl From<FieldErrors> for AppError {
    fn from(e: FieldErrors) -> Self {
        AppError::Invalid(e)
    }
}

impl From<CatalogError> for AppError {
    fn from(e: CatalogError) -> Self {
        match e {
            CatalogError::ProductNotFound | CatalogError::CategoryNotFound | CatalogError::BranchNotFound => {
                AppError::NotFound
            }
            CatalogError::Invalid(fields) => AppError::Invalid(fields),
            CatalogError::Internal(db) => db.into(),
        }
    }
}

impl From<AccountError> for AppError {
    fn from(e: AccountError) -> Self {
        match e {
            AccountError::Invalid(fields) => AppError::Invalid(fields),
            AccountError::EmailTaken => {
                AppError::Conflict { code: "email_taken", detail: "An account with this email exists.".into() }
            }
            AccountError::NotFound => AppError::NotFound,
            AccountError::WrongCredentials => AppError::Unauthorized,
            AccountError::Throttled { retry_after_secs } => AppError::TooManyRequests { retry_after_secs },
            AccountError::ResetInvalid => AppError::Gone,
            AccountError::Hashing(msg) => AppError::Internal(msg),
            AccountError::Internal(db) => db.into(),
        }
    }
}

impl From<CartError> for AppError {
    fn from(e: CartError) -> Self {
        match e {
            CartError::NotFound => AppError::NotFound,
            CartError::Closed => {
                AppError::conflict("cart_closed", "This cart has become an order and can no longer change.")
            }
            CartError::OutOfStock(name) => AppError::conflict("out_of_stock", format!("Not enough {name} in stock.")),
            CartError::NumberTaken(number) => AppError::conflict(
                "number_taken",
                format!("The number {number} is held in another cart or sold: choose another one."),
            ),
            CartError::SimCodeUsed => {
                AppError::conflict("sim_code_used", "This SIM card's code was already used to activate a number.")
            }
            CartError::Throttled { retry_after_secs } => AppError::TooManyRequests { retry_after_secs },
            CartError::Coupon(refusal) => coupon_refused(refusal, "code"),
            CartError::Invalid(fields) => AppError::Invalid(fields),
            CartError::Internal(db) => db.into(),
        }
    }
}

/// A refused coupon code: 404 unknown, 409 used up or not the shopper's, 422 (on `field`) not
/// applicable to this cart.
pub fn coupon_refused(refusal: CouponRefusal, field: &str) -> AppError {
    match refusal.kind() {
        RefusalKind::NotFound => AppError::coded(StatusCode::NOT_FOUND, "coupon_unknown", "There is no such code."),
        RefusalKind::Conflict => {
            let (code, detail) = match refusal {
                CouponRefusal::NotYours => ("coupon_not_yours", "This code was given to another customer."),
                CouponRefusal::SignInRequired => ("coupon_not_yours", "This code is for signed-in customers."),
                CouponRefusal::AlreadyUsed => ("coupon_used", "This code was already used by this customer."),
                _ => ("coupon_used_up", "This campaign's codes are used up."),
            };
            AppError::conflict(code, detail)
        }
        RefusalKind::Invalid => FieldErrors::single(field, refusal.field_error()).into(),
    }
}

impl From<PromotionError> for AppError {
    fn from(e: PromotionError) -> Self {
        match e {
            PromotionError::NotFound => AppError::NotFound,
            PromotionError::Invalid(fields) => AppError::Invalid(fields),
            PromotionError::Refused(refusal) => coupon_refused(refusal, "code"),
            PromotionError::NoRandomness(msg) => AppError::Internal(msg),
            PromotionError::Internal(db) => db.into(),
        }
    }
}

impl From<JobError> for AppError {
    fn from(e: JobError) -> Self {
        match e {
            JobError::NotFound => AppError::NotFound,
            JobError::NotRetryable(status) => AppError::Conflict {
                code: "job_not_retryable",
                detail: format!("The job is {status}; only failed or dead jobs are retried."),
            },
            JobError::Internal(db) => db.into(),
        }
    }
}

impl From<ActivationError> for AppError {
    fn from(e: ActivationError) -> Self {
        match e {
            ActivationError::NotFound => AppError::NotFound,
            ActivationError::AlreadyActive => {
                AppError::conflict("number_active", "This number is active already, or being activated.")
            }
            ActivationError::CodeWrong => FieldErrors::single("activation_code", Code::SimCodeWrong).into(),
            ActivationError::CodeUsed => {
                AppError::conflict("sim_code_used", "This SIM card's code was already used to activate a number.")
            }
            ActivationError::NoEsim => AppError::conflict("out_of_stock", "No eSIM can be had now; try again later."),
            ActivationError::Invalid(fields) => AppError::Invalid(fields),
            ActivationError::Throttled { retry_after_secs } => AppError::TooManyRequests { retry_after_secs },
            ActivationError::Internal(msg) => AppError::Internal(msg),
        }
    }
}

impl From<CheckoutError> for AppError {
    fn from(e: CheckoutError) -> Self {
        match e {
            CheckoutError::Cart(c) => c.into(),
            CheckoutError::AccountRequired => AppError::coded(
                StatusCode::UNPROCESSABLE_ENTITY,
                "account_required",
                "Numbers, eSIMs and services are sold to signed-in customers: sign in and check out again.",
            ),
            CheckoutError::OutOfStock(name) => AppError::conflict(
                "out_of_stock",
                format!("Not enough {name} in stock where the order would come from."),
            ),
            CheckoutError::ProductUnavailable(name) => {
                AppError::conflict("product_unavailable", format!("{name} is no longer sold; remove it from the cart."))
            }
            CheckoutError::NumberLost(number) => AppError::conflict(
                "number_lost",
                format!("The hold on {number} ran out and someone else took it: remove it and choose another number."),
            ),
            CheckoutError::SimCodeUsed => {
                AppError::conflict("sim_code_used", "A SIM card's code in the cart was used meanwhile.")
            }
            CheckoutError::Coupon(refusal) => coupon_refused(refusal, "coupons"),
            CheckoutError::Invalid(fields) => AppError::Invalid(fields),
            CheckoutError::NoRandomness(msg) => AppError::Internal(msg),
            CheckoutError::PaymentsUnavailable => AppError::Unavailable("no payment provider is configured".into()),
            CheckoutError::Once(e) => e.into(),
            CheckoutError::Internal(db) => db.into(),
        }
    }
}

impl From<OrderError> for AppError {
    fn from(e: OrderError) -> Self {
        match e {
            OrderError::NotFound => AppError::NotFound,
            OrderError::IllegalTransition { from, to } => {
                AppError::conflict("illegal_transition", format!("An order that is {from} cannot become {to}."))
            }
            OrderError::Invalid(fields) => AppError::Invalid(fields),
            OrderError::NoRandomness(msg) => AppError::Internal(msg),
            OrderError::Internal(db) => db.into(),
        }
    }
}

impl From<PaymentError> for AppError {
    fn from(e: PaymentError) -> Self {
        match e {
            PaymentError::NotFound => AppError::NotFound,
            PaymentError::SignatureInvalid => {
                AppError::coded(StatusCode::BAD_REQUEST, "signature_invalid", "The webhook signature does not match.")
            }
            PaymentError::Stale => AppError::coded(
                StatusCode::BAD_REQUEST,
                "webhook_stale",
                "The webhook timestamp is more than five minutes from now.",
            ),
            PaymentError::AmountMismatch => AppError::coded(
                StatusCode::UNPROCESSABLE_ENTITY,
                "amount_mismatch",
                "The event's amount is not the payment's amount.",
            ),
            PaymentError::NotPayable(status) => {
                AppError::conflict("not_payable", format!("The order is {status} and cannot be paid."))
            }
            PaymentError::NotRefundable(status) => {
                AppError::conflict("not_refundable", format!("The order is {status} and holds no payment to refund."))
            }
            PaymentError::Invalid(fields) => AppError::Invalid(fields),
            PaymentError::Order(o) => o.into(),
            PaymentError::PaymentsUnavailable => AppError::Unavailable("no payment provider is configured".into()),
            PaymentError::Once(e) => e.into(),
            PaymentError::Internal(db) => db.into(),
        }
    }
}

impl From<IdempotencyError> for AppError {
    fn from(e: IdempotencyError) -> Self {
        match e {
            IdempotencyError::KeyReused => AppError::Invalid(FieldErrors::single("Idempotency-Key", Code::KeyReused)),
            IdempotencyError::Unreadable(msg) => AppError::Internal(msg),
            IdempotencyError::Internal(db) => db.into(),
        }
    }
}

impl From<diesel::result::Error> for AppError {
    fn from(e: diesel::result::Error) -> Self {
        DbError::Query(e).into()
    }
}

impl From<askama::Error> for AppError {
    fn from(e: askama::Error) -> Self {
        AppError::Internal(format!("template: {e}"))
    }
}

/// Turns actix's own extractor failures (a query string or JSON body it cannot read) into our
/// problem answers instead of its plain-text ones.
pub fn query_error(err: actix_web::error::QueryPayloadError, _: &actix_web::HttpRequest) -> actix_web::Error {
    AppError::BadRequest(format!("The query string could not be read: {err}")).into()
}

pub fn json_error(err: actix_web::error::JsonPayloadError, _: &actix_web::HttpRequest) -> actix_web::Error {
    use actix_web::error::JsonPayloadError as J;
    match err {
        J::Overflow { .. } | J::OverflowKnownLength { .. } => AppError::PayloadTooLarge.into(),
        J::ContentType => AppError::BadRequest("Send the body as application/json.".into()).into(),
        other => AppError::BadRequest(format!("The JSON body could not be read: {other}")).into(),
    }
}

pub fn form_error(err: actix_web::error::UrlencodedError, _: &actix_web::HttpRequest) -> actix_web::Error {
    use actix_web::error::UrlencodedError as U;
    match err {
        U::Overflow { .. } => AppError::PayloadTooLarge.into(),
        _ => AppError::BadRequest("The form could not be read.".into()).into(),
    }
}

pub fn path_error(_: actix_web::error::PathError, _: &actix_web::HttpRequest) -> actix_web::Error {
    AppError::NotFound.into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::orders::OrderStatus;

    #[test]
    fn every_code_an_error_can_carry_is_a_known_problem_code() {
        let errors: Vec<AppError> = vec![
            AppError::NotFound,
            AppError::BadRequest(String::new()),
            AppError::Invalid(FieldErrors::new()),
            AppError::MethodNotAllowed,
            AppError::Unauthorized,
            AppError::Forbidden,
            AppError::Gone,
            AppError::TooManyRequests { retry_after_secs: 1 },
            AppError::SignInRequired { next: String::new() },
            AppError::PayloadTooLarge,
            AppError::Internal(String::new()),
            AppError::Unavailable(String::new()),
            AccountError::EmailTaken.into(),
            CartError::Closed.into(),
            CartError::OutOfStock(String::new()).into(),
            CheckoutError::AccountRequired.into(),
            CheckoutError::OutOfStock(String::new()).into(),
            CheckoutError::ProductUnavailable(String::new()).into(),
            OrderError::IllegalTransition { from: OrderStatus::Paid, to: OrderStatus::Cancelled }.into(),
            PaymentError::SignatureInvalid.into(),
            PaymentError::Stale.into(),
            PaymentError::AmountMismatch.into(),
            PaymentError::NotPayable(OrderStatus::Paid).into(),
            PaymentError::NotRefundable(OrderStatus::Cancelled).into(),
        ];
        for e in errors {
            assert!(PROBLEM_CODES.contains(&e.code()), "{}", e.code());
        }
    }

    #[test]
    fn field_errors_are_written_in_the_language_asked_for_and_keep_their_codes() {
        let e = AppError::Invalid(FieldErrors::single("email", Code::Required));
        let mn = e.problem(Lang::Mn);
        let en = e.problem(Lang::En);
        assert_eq!(en.errors.as_ref().map(|f| f["email"].clone()), Some(vec!["is required".to_string()]));
        assert_ne!(mn.errors, en.errors);
        assert_eq!(mn.error_codes, en.error_codes);
    }
}
