//! The `/products` query string, which the product list page and `GET /api/v1/products` share.
use serde::Deserialize;

use crate::domain::catalog::ProductFilter;
use crate::web::error::AppError;

/// The raw `/products` query; parsed by the domain into a `ProductFilter`.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProductsQuery {
    /// Category slug; includes its child categories.
    pub category: Option<String>,
    /// Product kind: device, number, esim, data_pack, top_up, plan or service.
    pub kind: Option<String>,
    /// Search words, matched against both names and the slug.
    pub q: Option<String>,
    /// Page number, from 1.
    pub page: Option<String>,
    /// Items per page, 1 to 100 (default 20).
    pub per_page: Option<String>,
    /// Language of names and descriptions: mn (default) or en.
    pub lang: Option<String>,
}

impl ProductsQuery {
    pub fn parse(&self) -> Result<ProductFilter, AppError> {
        Ok(ProductFilter::parse(
            self.category.as_deref(),
            self.kind.as_deref(),
            self.q.as_deref(),
            self.page.as_deref(),
            self.per_page.as_deref(),
        )?)
    }
}
