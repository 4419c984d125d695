//! `/media/{hash}.{ext}`: staff-uploaded pictures, named by the hash of their bytes, so a year's
//! immutable cache is always right; a revalidation is answered 304 without reading the file.
use actix_web::http::header::{self, HeaderValue};
use actix_web::{web, HttpRequest, HttpResponse};

use crate::domain::catalog::images;
use crate::web::error::AppError;
use crate::web::state::AppState;

const FOREVER: &str = "public, max-age=31536000, immutable";

pub async fn serve(
    state: web::Data<AppState>,
    req: HttpRequest,
    name: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let name = name.into_inner();
    let hash = name.split('.').next().unwrap_or_default();
    let etag = format!("\"{hash}\"");
    let Ok(etag_value) = HeaderValue::from_str(&etag) else { return Err(AppError::NotFound) };
    if req.headers().get(header::IF_NONE_MATCH).is_some_and(|v| v.as_bytes() == etag.as_bytes()) {
        return Ok(HttpResponse::NotModified()
            .insert_header((header::ETAG, etag_value))
            .insert_header((header::CACHE_CONTROL, FOREVER))
            .finish());
    }
    let file = state.shop.db.run(move |conn| images::file(conn, &name)).await?.ok_or(AppError::NotFound)?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, file.content_type))
        // Served beside the session-less assets: its own guard against being read as anything else.
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((header::CONTENT_SECURITY_POLICY, "default-src 'none'; sandbox"))
        .insert_header((header::ETAG, etag_value))
        .insert_header((header::CACHE_CONTROL, FOREVER))
        .body(file.bytes))
}
