//! `/healthz` (the process answers) and `/readyz` (the database answers too, and the job
//! runner, where this process runs one, still runs: without it no mail leaves and no unpaid
//! order expires).
use actix_web::{web, HttpResponse};

use crate::web::error::AppError;
use crate::web::state::AppState;

pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().content_type("text/plain; charset=utf-8").body("ok")
}

pub async fn readyz(state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    state.shop.db.ping().await.map_err(|e| AppError::Unavailable(e.to_string()))?;
    if state.jobs.as_ref().is_some_and(|jobs| !jobs.is_running()) {
        return Err(AppError::Unavailable("the job runner has stopped".into()));
    }
    Ok(HttpResponse::Ok().content_type("text/plain; charset=utf-8").body("ready"))
}
