//! What can go wrong with campaigns and codes.
use super::types::CouponRefusal;
use crate::db::DbError;
use crate::domain::shared::FieldErrors;

#[derive(Debug, thiserror::Error)]
pub enum PromotionError {
    /// No such campaign.
    #[error("campaign not found")]
    NotFound,
    #[error("invalid input")]
    Invalid(FieldErrors),
    /// A code that cannot be used here, and why.
    #[error("coupon refused: {0:?}")]
    Refused(CouponRefusal),
    /// The system gave no randomness for generated codes (never on a working machine).
    #[error("no randomness: {0}")]
    NoRandomness(String),
    #[error(transparent)]
    Internal(#[from] DbError),
}

impl From<diesel::result::Error> for PromotionError {
    fn from(e: diesel::result::Error) -> Self {
        PromotionError::Internal(DbError::Query(e))
    }
}

impl From<FieldErrors> for PromotionError {
    fn from(e: FieldErrors) -> Self {
        PromotionError::Invalid(e)
    }
}
