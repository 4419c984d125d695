//! The OpenAPI document, generated from the handlers' annotations.
use utoipa::OpenApi;

use super::catalog;
use super::dto::{AvailabilityDto, BranchDto, CategoryDto, MoneySchema, ProductDto, ProductPage};
use crate::web::error::Problem;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Storefront API",
        version = "1.0.0",
        description = "The JSON API of the operator's shop for partner apps and headless clients. \
            Money is `{amount, currency}` with the amount as a decimal string in MNT. Errors are \
            RFC 9457 problem+json with a stable `code` and, for 422, `errors` per field. Names and \
            descriptions come in Mongolian unless `?lang=en` or `Accept-Language: en` asks otherwise."
    ),
    paths(
        catalog::list_categories,
        catalog::list_products,
        catalog::get_product,
        catalog::product_availability,
        catalog::list_branches,
    ),
    components(schemas(MoneySchema, CategoryDto, ProductDto, ProductPage, AvailabilityDto, BranchDto, Problem)),
    tags((name = "catalog", description = "Categories, products, stock per branch, branches"))
)]
pub struct ApiDoc;

pub fn document_json() -> String {
    ApiDoc::openapi().to_pretty_json().unwrap_or_else(|_| "{}".into())
}
