//! What can go wrong with a cart.
use crate::db::DbError;
use crate::domain::promotions::{CouponRefusal, PromotionError};
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
    /// Another cart holds the number, or it was sold.
    #[error("number {0} is taken")]
    NumberTaken(String),
    /// The SIM card of this code already activated a number (or is on an order).
    #[error("this SIM code was used")]
    SimCodeUsed,
    /// Too many wrong SIM codes: try again after this many seconds.
    #[error("too many attempts")]
    Throttled { retry_after_secs: u64 },
    /// A coupon code that cannot be used here, and why.
    #[error("coupon refused: {0:?}")]
    Coupon(CouponRefusal),
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

impl From<PromotionError> for CartError {
    fn from(e: PromotionError) -> Self {
        match e {
            PromotionError::Refused(refusal) => CartError::Coupon(refusal),
            PromotionError::Invalid(fields) => CartError::Invalid(fields),
            PromotionError::NotFound => CartError::Coupon(CouponRefusal::Unknown),
            PromotionError::Internal(db) => CartError::Internal(db),
            PromotionError::NoRandomness(_) => CartError::Internal(DbError::Cancelled),
        }
    }
}
