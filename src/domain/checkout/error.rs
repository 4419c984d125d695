//! Why an order could not be placed.
use crate::db::DbError;
use crate::domain::cart::CartError;
use crate::domain::idempotency::{IdempotencyError, Refusal};
use crate::domain::promotions::{CouponRefusal, PromotionError};
use crate::domain::shared::FieldErrors;

/// Refusals (all but `Internal`) are kept under an idempotency key and given again on a retry.
#[derive(Debug, thiserror::Error, serde::Serialize, serde::Deserialize)]
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
    /// A number's hold ran out and someone else took it before the order was placed.
    #[error("number {0} was taken")]
    NumberLost(String),
    /// A code the cart carries cannot be used (any more), and why.
    #[error("coupon refused: {0:?}")]
    Coupon(CouponRefusal),
    /// The SIM card of a line's code was used meanwhile.
    #[error("a SIM code was used")]
    SimCodeUsed,
    #[error("invalid input")]
    Invalid(FieldErrors),
    /// The system gave no randomness for the tracking link's secret (never on a working machine).
    #[error("no randomness: {0}")]
    #[serde(skip)]
    NoRandomness(String),
    /// No payment provider is configured: nothing can be paid.
    #[error("no payment provider is configured")]
    #[serde(skip)]
    PaymentsUnavailable,
    #[error(transparent)]
    #[serde(skip)]
    Once(#[from] IdempotencyError),
    #[error(transparent)]
    #[serde(skip)]
    Internal(#[from] DbError),
}

impl Refusal for CheckoutError {
    fn is_refusal(&self) -> bool {
        !matches!(
            self,
            CheckoutError::Internal(_)
                | CheckoutError::NoRandomness(_)
                | CheckoutError::Once(_)
                | CheckoutError::PaymentsUnavailable
                | CheckoutError::Cart(CartError::Internal(_))
        )
    }
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

impl From<PromotionError> for CheckoutError {
    fn from(e: PromotionError) -> Self {
        match e {
            PromotionError::Refused(refusal) => CheckoutError::Coupon(refusal),
            PromotionError::Invalid(fields) => CheckoutError::Invalid(fields),
            PromotionError::NotFound => CheckoutError::Coupon(CouponRefusal::Unknown),
            PromotionError::NoRandomness(msg) => CheckoutError::NoRandomness(msg),
            PromotionError::Internal(db) => CheckoutError::Internal(db),
        }
    }
}
