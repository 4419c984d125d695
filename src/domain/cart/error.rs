//! What can go wrong with a cart.
use crate::db::DbError;
use crate::domain::shared::FieldErrors;

/// Refusals (all but `Internal`) are kept under an idempotency key and given again on a retry.
#[derive(Debug, thiserror::Error, serde::Serialize, serde::Deserialize)]
pub enum CartError {
    /// No such cart or line, or one that belongs to somebody else.
    #[error("cart not found")]
    NotFound,
    /// The cart became an order (or was merged) and can no longer change.
    #[error("cart is closed")]
    Closed,
    #[error("not enough stock of {0}")]
    OutOfStock(String),
    #[error("invalid input")]
    Invalid(FieldErrors),
    #[error(transparent)]
    #[serde(skip)]
    Internal(#[from] DbError),
}

impl From<diesel::result::Error> for CartError {
    fn from(e: diesel::result::Error) -> Self {
        CartError::Internal(DbError::Query(e))
    }
}

impl From<FieldErrors> for CartError {
    fn from(e: FieldErrors) -> Self {
        CartError::Invalid(e)
    }
}
