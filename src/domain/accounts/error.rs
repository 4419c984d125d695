//! What can go wrong with accounts.
use crate::db::DbError;
use crate::domain::shared::FieldErrors;

#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error("invalid input")]
    Invalid(FieldErrors),
    #[error("email already registered")]
    EmailTaken,
    #[error("account not found")]
    NotFound,
    /// Wrong email or password: the same answer for both, after the same work.
    #[error("wrong email or password")]
    WrongCredentials,
    /// Too many attempts from this address or for this account; try again after a while.
    #[error("too many attempts")]
    Throttled { retry_after_secs: u64 },
    #[error("the reset link is unknown, used or expired")]
    ResetInvalid,
    #[error("password hashing failed: {0}")]
    Hashing(String),
    #[error(transparent)]
    Internal(#[from] DbError),
}

impl From<diesel::result::Error> for AccountError {
    fn from(e: diesel::result::Error) -> Self {
        AccountError::Internal(DbError::Query(e))
    }
}

impl From<FieldErrors> for AccountError {
    fn from(e: FieldErrors) -> Self {
        AccountError::Invalid(e)
    }
}
