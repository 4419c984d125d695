//! Answers kept under an `Idempotency-Key`: what a handler's domain call answered, as stored and
//! replayed. Answers to the caller's mistakes (4xx) are kept like successes; failures on our side
//! are not, so a retry may still succeed.
use actix_web::http::{header, StatusCode};
use actix_web::HttpResponse;

use crate::domain::idempotency::Stored;
use crate::web::error::AppError;

/// Turns a domain call's outcome into the answer to store.
///
/// # Errors
/// A server-side failure, which is not stored.
pub fn to_stored<T: serde::Serialize>(status: StatusCode, outcome: Result<T, AppError>) -> Result<Stored, AppError> {
    match outcome {
        Ok(body) => Ok(Stored {
            status: status.as_u16(),
            body: serde_json::to_string(&body).map_err(|e| AppError::Internal(format!("json: {e}")))?,
        }),
        Err(e) if e.status_code_u16() < 500 && !matches!(e, AppError::SignInRequired { .. }) => {
            let body = serde_json::to_string(&e.problem()).map_err(|e| AppError::Internal(format!("json: {e}")))?;
            Ok(Stored { status: e.status_code_u16(), body })
        }
        Err(e) => Err(e),
    }
}

/// The stored answer as a response, the first time and every time after.
pub fn respond(stored: Stored) -> HttpResponse {
    let status = StatusCode::from_u16(stored.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let content_type = if status.is_success() { "application/json" } else { "application/problem+json" };
    HttpResponse::build(status).insert_header((header::CONTENT_TYPE, content_type)).body(stored.body)
}
