//! Why an order could not be placed.
use crate::db::DbError;
use crate::domain::cart::CartError;
use crate::domain::shared::FieldErrors;

#[derive(Debug, thiserror::Error)]
pub enum CheckoutError {
    #[error(transparent)]
    Cart(#[from] CartError),
    /// Numbers, eSIMs and services are sold only to signed-in customers.
    #[error("this cart needs a signed-in customer")]
    AccountRequired,
    /// Not enough of a device at the branch the order would take it from.
    #[error("not enough stock of {0}")]
    OutOfStock(String),
    /// A product was withdrawn from sale while it sat in the cart.
    #[error("{0} is no longer sold")]
    ProductUnavailable(String),
    #[error("invalid input")]
    Invalid(FieldErrors),
    /// The system gave no randomness for the tracking link's secret (never on a working machine).
    #[error("no randomness: {0}")]
    NoRandomness(String),
    #[error(transparent)]
    Internal(#[from] DbError),
}

impl From<diesel::result::Error> for CheckoutError {
    fn from(e: diesel::result::Error) -> Self {
        CheckoutError::Internal(DbError::Query(e))
    }
}

impl From<FieldErrors> for CheckoutError {
    fn from(e: FieldErrors) -> Self {
        CheckoutError::Invalid(e)
    }
}
