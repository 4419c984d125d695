//! Catalog endpoints: categories, products, availability, branches.
use actix_web::{web, HttpResponse};
use serde::Deserialize;

use super::dto::{AvailabilityDto, BranchDto, CategoryDto, ProductDto, ProductPage};
use crate::domain::catalog::{queries, ProductRef};
use crate::web::error::{AppError, Problem};
use crate::web::extract::CurrentLang;
use crate::web::pages::catalog::ProductsQuery;
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
    let tree = state.db.run(|conn| Ok::<_, AppError>(queries::list_categories(conn)?)).await?;
    let body: Vec<CategoryDto> = tree.categories.iter().map(|c| CategoryDto::new(c, lang.0)).collect();
    Ok(HttpResponse::Ok().json(body))
}

/// Products, filtered, searched and paginated.
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
    let page = state
        .db
        .run(move |conn| {
            let tree = queries::list_categories(conn)?;
            Ok::<_, AppError>(queries::list_products(conn, &tree, &filter)?)
        })
        .await?;
    Ok(HttpResponse::Ok().json(ProductPage::new(&page, lang.0)))
}

/// One product, by id or slug.
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
    let product = state.db.run(move |conn| Ok::<_, AppError>(queries::get_product(conn, &by)?)).await?;
    Ok(HttpResponse::Ok().json(ProductDto::new(&product, lang.0)))
}

/// Stock of a device at every branch, the delivery warehouse included.
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
        .db
        .run(move |conn| {
            let product = queries::get_product(conn, &by)?;
            Ok::<_, AppError>(queries::availability(conn, &product)?)
        })
        .await?;
    let body: Vec<AvailabilityDto> = stock.iter().map(|s| AvailabilityDto::new(s, lang.0)).collect();
    Ok(HttpResponse::Ok().json(body))
}

/// All branches.
#[utoipa::path(get, path = "/api/v1/branches", tag = "catalog", params(LangQuery),
    responses((status = 200, description = "Every branch; exactly one is the delivery warehouse", body = [BranchDto])))]
pub async fn list_branches(state: web::Data<AppState>, lang: CurrentLang) -> Result<HttpResponse, AppError> {
    let branches = state.db.run(|conn| Ok::<_, AppError>(queries::list_branches(conn)?)).await?;
    let body: Vec<BranchDto> = branches.iter().map(|b| BranchDto::new(b, lang.0)).collect();
    Ok(HttpResponse::Ok().json(body))
}
