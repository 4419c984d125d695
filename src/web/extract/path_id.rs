//! Ids in paths: a malformed one names nothing.
use crate::web::error::AppError;

/// An id in a path, of the type the handler wants; anything but a UUID names nothing (404).
pub fn path_id<T: From<uuid::Uuid>>(raw: &str) -> Result<T, AppError> {
    uuid::Uuid::parse_str(raw).map(T::from).map_err(|_| AppError::NotFound)
}
