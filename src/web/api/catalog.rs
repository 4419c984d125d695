//! Catalog endpoints: categories, products, availability, branches.
use actix_web::{web, HttpResponse};
use serde::Deserialize;

use super::dto::{AvailabilityDto, BranchDto, CategoryDto, ProductDto, ProductPage};
use crate::domain::catalog::{queries, ProductRef};
use crate::web::catalog_query::ProductsQuery;
use crate::web::error::{AppError, Problem};
use crate::web::extract::CurrentLang;
use crate::web::render::json_ok;
use crate::web::state::AppState;

/// Only the language: for endpoints that take no other query.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LangQuery {
    /// Language of names: mn (default) or en; `Accept-Language` is used when absent.
    pub lang: Option<String>,
}

/// All categories.
#[utoipa::path(get, path = "/api/v1/categories", tag = "catalog", params(LangQuery),
    responses((status = 200, description = "Every category, parents before children", body = [CategoryDto])))]
pub async fn list_categories(state: web::Data<AppState>, lang: CurrentLang) -> Result<HttpResponse, AppError> {
    let tree = state.shop.db.run(|conn| Ok::<_, AppError>(queries::list_categories(conn)?)).await?;
    let body: Vec<CategoryDto> = tree.categories.iter().map(|c| CategoryDto::new(c, lang.0)).collect();
    json_ok(&body)
}

/// Products, filtered, searched and paginated.
///
/// Active products in shop order. Every word of `q` must be found, case-insensitively, in the
/// product's names (either language) or slug, its category's or its kind's, or through a kept
/// synonym or transliteration (`утас` → phones, `роутер` → routers, `багц` → plans and packs);
/// a word of four letters or more that no product on sale has is taken as a typo and matches
/// near spellings (`samsng`). A search lists the nearest first unless `sort` says otherwise.
/// `category` includes child categories; an unknown category matches nothing. A page past the
/// end has no items but still tells the total.
#[utoipa::path(get, path = "/api/v1/products", tag = "catalog", params(ProductsQuery),
    responses(
        (status = 200, description = "A page of active products in shop order", body = ProductPage),
        (status = 422, description = "A filter or page parameter is invalid", body = Problem, content_type = "application/problem+json")))]
pub async fn list_products(
    state: web::Data<AppState>,
    lang: CurrentLang,
    query: web::Query<ProductsQuery>,
) -> Result<HttpResponse, AppError> {
    let filter = query.parse()?;
    let page = state.shop.db.run(move |conn| Ok::<_, AppError>(queries::list_products(conn, &filter)?)).await?;
    json_ok(&ProductPage::new(&page, lang.0))
}

/// One product, by id or slug.
///
/// Anything that is neither a UUID nor a well-formed slug is 404, as is an inactive product.
#[utoipa::path(get, path = "/api/v1/products/{id_or_slug}", tag = "catalog",
    params(("id_or_slug" = String, Path, description = "The product's UUID or slug"), LangQuery),
    responses(
        (status = 200, body = ProductDto),
        (status = 404, description = "No such active product", body = Problem, content_type = "application/problem+json")))]
pub async fn get_product(
    state: web::Data<AppState>,
    lang: CurrentLang,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let by = ProductRef::parse(&path.into_inner())?;
    let product = state.shop.db.run(move |conn| Ok::<_, AppError>(queries::get_product(conn, &by)?)).await?;
    json_ok(&ProductDto::new(&product, lang.0))
}

/// Stock of a device at every branch, the delivery warehouse included.
///
/// One entry per branch in branch order, `quantity` 0 where the branch holds none. Kinds
/// without stock (everything but devices) answer an empty list.
#[utoipa::path(get, path = "/api/v1/products/{id}/availability", tag = "catalog",
    params(("id" = String, Path, description = "The product's UUID (a slug is accepted too)"), LangQuery),
    responses(
        (status = 200, description = "One entry per branch for devices; an empty list for kinds without stock", body = [AvailabilityDto]),
        (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn product_availability(
    state: web::Data<AppState>,
    lang: CurrentLang,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let by = ProductRef::parse(&path.into_inner())?;
    let stock = state
        .shop
        .db
        .run(move |conn| {
            let product = queries::get_product(conn, &by)?;
            Ok::<_, AppError>(queries::availability(conn, &product)?)
        })
        .await?;
    let body: Vec<AvailabilityDto> = stock.iter().map(|s| AvailabilityDto::new(s, lang.0)).collect();
    json_ok(&body)
}

/// All branches.
#[utoipa::path(get, path = "/api/v1/branches", tag = "catalog", params(LangQuery),
    responses((status = 200, description = "Every branch; exactly one is the delivery warehouse", body = [BranchDto])))]
pub async fn list_branches(state: web::Data<AppState>, lang: CurrentLang) -> Result<HttpResponse, AppError> {
    let branches = state.shop.db.run(|conn| Ok::<_, AppError>(queries::list_branches(conn)?)).await?;
    let body: Vec<BranchDto> = branches.iter().map(|b| BranchDto::new(b, lang.0)).collect();
    json_ok(&body)
}
