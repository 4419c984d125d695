//! What can go wrong with an order.
use super::state::OrderStatus;
use crate::db::DbError;
use crate::domain::shared::FieldErrors;

/// Refusals (all but `Internal`) are kept under an idempotency key and given again on a retry.
#[derive(Debug, thiserror::Error, serde::Serialize, serde::Deserialize)]
pub enum OrderError {
    /// No such order, or not the caller's to see.
    #[error("order not found")]
    NotFound,
    /// A move the state table does not allow from where the order is.
    #[error("an order that is {from} cannot become {to}")]
    IllegalTransition { from: OrderStatus, to: OrderStatus },
    #[error("invalid input")]
    Invalid(FieldErrors),
    /// The system gave no randomness for a link's secret (never on a working machine).
    #[error("no randomness for a secret: {0}")]
    #[serde(skip)]
    NoRandomness(String),
    #[error(transparent)]
    #[serde(skip)]
    Internal(#[from] DbError),
}

impl From<diesel::result::Error> for OrderError {
    fn from(e: diesel::result::Error) -> Self {
        OrderError::Internal(DbError::Query(e))
    }
}

impl From<FieldErrors> for OrderError {
    fn from(e: FieldErrors) -> Self {
        OrderError::Invalid(e)
    }
}
