//! What can go wrong with an order.
use crate::db::DbError;
use crate::domain::shared::FieldErrors;

#[derive(Debug, thiserror::Error)]
pub enum OrderError {
    /// No such order, or not the caller's to see.
    #[error("order not found")]
    NotFound,
    /// A move the state table does not allow from where the order is.
    #[error("an order that is {from} cannot become {to}")]
    IllegalTransition { from: &'static str, to: &'static str },
    #[error("invalid input")]
    Invalid(FieldErrors),
    #[error(transparent)]
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
