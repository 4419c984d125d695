//! What can go wrong reading or changing the catalog.
use crate::db::DbError;
use crate::domain::shared::FieldErrors;

#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error("product not found")]
    ProductNotFound,
    #[error("category not found")]
    CategoryNotFound,
    #[error("branch not found")]
    BranchNotFound,
    #[error("invalid input")]
    Invalid(FieldErrors),
    #[error(transparent)]
    Internal(#[from] DbError),
}

impl From<diesel::result::Error> for CatalogError {
    fn from(e: diesel::result::Error) -> Self {
        CatalogError::Internal(DbError::Query(e))
    }
}
