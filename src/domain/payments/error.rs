//! What can go wrong with a payment or a provider's event.
use crate::db::DbError;
use crate::domain::idempotency::{IdempotencyError, Refusal};
use crate::domain::orders::{OrderError, OrderStatus};
use crate::domain::shared::FieldErrors;

/// Refusals (all but `Internal`) are kept under an idempotency key and given again on a retry.
#[derive(Debug, thiserror::Error, serde::Serialize, serde::Deserialize)]
pub enum PaymentError {
    #[error("payment not found")]
    NotFound,
    /// The signature does not match the body: forged or altered.
    #[error("webhook signature is invalid")]
    SignatureInvalid,
    /// The signed timestamp is too far from now: a replay of an old event.
    #[error("webhook timestamp is outside the tolerance")]
    Stale,
    /// The event names another amount than the payment's.
    #[error("webhook amount does not match the payment")]
    AmountMismatch,
    /// Paying an order that is paid, cancelled or refunded.
    #[error("the order is {0} and cannot be paid")]
    NotPayable(OrderStatus),
    /// Refunding an order that holds no payment to give back.
    #[error("the order is {0} and has nothing to refund")]
    NotRefundable(OrderStatus),
    #[error("invalid input")]
    Invalid(FieldErrors),
    #[error(transparent)]
    Order(#[from] OrderError),
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

impl Refusal for PaymentError {
    fn is_refusal(&self) -> bool {
        !matches!(
            self,
            PaymentError::Internal(_)
                | PaymentError::Once(_)
                | PaymentError::PaymentsUnavailable
                | PaymentError::Order(OrderError::Internal(_))
        )
    }
}

impl From<diesel::result::Error> for PaymentError {
    fn from(e: diesel::result::Error) -> Self {
        PaymentError::Internal(DbError::Query(e))
    }
}

impl From<FieldErrors> for PaymentError {
    fn from(e: FieldErrors) -> Self {
        PaymentError::Invalid(e)
    }
}
