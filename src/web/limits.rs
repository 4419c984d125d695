//! Applying the configured rate limits to sign-in and registration, from any presentation.
use actix_web::{web, HttpRequest};
use chrono::Utc;

use super::error::AppError;
use super::state::AppState;
use crate::domain::accounts::attempts::{self, Attempt, AttemptKind, Verdict};

/// The caller's address: the TCP peer, or the first `X-Forwarded-For` hop when the
/// configuration trusts a proxy in front of us.
pub fn client_ip(req: &HttpRequest, state: &AppState) -> String {
    if state.config.trust_forwarded_for {
        if let Some(first) = req
            .headers()
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .map(str::trim)
            .filter(|v| !v.is_empty() && v.len() <= 64)
        {
            return first.to_string();
        }
    }
    req.peer_addr().map_or_else(|| "unknown".into(), |a| a.ip().to_string())
}

pub fn login_attempt(req: &HttpRequest, state: &AppState, email: &str) -> Attempt {
    Attempt {
        kind: AttemptKind::Login,
        account: Some((email.to_string(), state.config.login_limit_per_account)),
        ip: client_ip(req, state),
        ip_limit: state.config.login_limit_per_ip,
    }
}

pub fn register_attempt(req: &HttpRequest, state: &AppState) -> Attempt {
    Attempt {
        kind: AttemptKind::Register,
        account: None,
        ip: client_ip(req, state),
        ip_limit: state.config.register_limit_per_ip,
    }
}

/// Reserves a place for the attempt, or answers 429 with `Retry-After`.
pub async fn reserve(state: &web::Data<AppState>, attempt: &Attempt) -> Result<i64, AppError> {
    let a = attempt.clone();
    match state.db.run(move |conn| Ok::<_, AppError>(attempts::reserve(conn, &a, Utc::now())?)).await? {
        Verdict::Allowed(id) => Ok(id),
        Verdict::Limited { retry_after_secs } => Err(AppError::TooManyRequests { retry_after_secs }),
    }
}

/// The reserved attempt succeeded: the account's failures are forgiven.
pub async fn forgive(state: &web::Data<AppState>, attempt: &Attempt, id: i64) -> Result<(), AppError> {
    let a = attempt.clone();
    state.db.run(move |conn| Ok::<_, AppError>(attempts::succeeded(conn, &a, id)?)).await
}
