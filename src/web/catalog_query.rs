//! The `/products` query string, which the product list page and `GET /api/v1/products` share.
use serde::Deserialize;

use crate::domain::catalog::{ProductFilter, RawRefinements};
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
    /// Order: price_asc, price_desc, newest or popular (default: the shop's order, nearest
    /// first for a search; an extension).
    pub sort: Option<String>,
    /// Lowest and highest price in tögrög, VAT included (extensions).
    pub min_price: Option<String>,
    pub max_price: Option<String>,
    /// `1`: only what can be bought now (an extension).
    pub in_stock: Option<String>,
    /// Language of names and descriptions: mn (default) or en.
    pub lang: Option<String>,
}

impl ProductsQuery {
    pub fn parse(&self) -> Result<ProductFilter, AppError> {
        Ok(ProductFilter::parse_refined(
            self.category.as_deref(),
            self.kind.as_deref(),
            self.q.as_deref(),
            self.page.as_deref(),
            self.per_page.as_deref(),
            RawRefinements {
                sort: self.sort.as_deref(),
                min_price: self.min_price.as_deref(),
                max_price: self.max_price.as_deref(),
                in_stock: self.in_stock.as_deref(),
            },
        )?)
    }
}
