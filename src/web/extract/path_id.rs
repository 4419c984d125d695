//! Ids in paths: a malformed one names nothing.
use crate::web::error::AppError;

/// A UUID in a path; anything else names nothing (404).
pub fn path_id(raw: &str) -> Result<uuid::Uuid, AppError> {
    uuid::Uuid::parse_str(raw).map_err(|_| AppError::NotFound)
}
