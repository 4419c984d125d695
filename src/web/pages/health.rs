//! `/healthz` (the process answers) and `/readyz` (the database answers too).
use actix_web::{web, HttpResponse};

use crate::web::error::AppError;
use crate::web::state::AppState;

pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().content_type("text/plain; charset=utf-8").body("ok")
}

pub async fn readyz(state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    state.shop.db.ping().await.map_err(|e| AppError::Unavailable(e.to_string()))?;
    Ok(HttpResponse::Ok().content_type("text/plain; charset=utf-8").body("ready"))
}
