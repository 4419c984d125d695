//! Catalog reads. Each costs a fixed number of statements whatever the page size.
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool};
use uuid::Uuid;

use super::model::{BranchRow, CategoryRow, ProductRow};
use super::types::{
    Branch, BranchStock, Category, CategoryTree, KindCount, Product, ProductFilter, ProductKind, ProductRef,
};
use super::CatalogError;
use crate::db::schema::{branches, categories, products, stock};
use crate::domain::shared::{Localized, Money, Page};

/// Devices are available while some branch holds one; other kinds have no stock to run out of.
const AVAILABLE: &str = "(products.kind <> 'device' OR EXISTS (SELECT 1 FROM stock s \
                         WHERE s.product_id = products.id AND s.quantity > 0))";

type ProductColumns = (
    products::id,
    products::slug,
    products::kind,
    products::category_id,
    products::name_mn,
    products::name_en,
    products::description_mn,
    products::description_en,
    products::price,
    products::attributes,
    products::featured,
    diesel::expression::SqlLiteral<Bool>,
);

fn product_columns() -> ProductColumns {
    (
        products::id,
        products::slug,
        products::kind,
        products::category_id,
        products::name_mn,
        products::name_en,
        products::description_mn,
        products::description_en,
        products::price,
        products::attributes,
        products::featured,
        sql::<Bool>(AVAILABLE),
    )
}

impl ProductRow {
    fn into_product(self) -> Option<Product> {
        let Some(kind) = ProductKind::parse(&self.kind) else {
            // The column's CHECK makes this unreachable; skip rather than fail a page.
            tracing::error!(product = %self.id, kind = %self.kind, "product with unknown kind");
            return None;
        };
        Some(Product {
            id: self.id,
            slug: self.slug,
            kind,
            category_id: self.category_id,
            name: Localized { mn: self.name_mn, en: self.name_en },
            description: Localized { mn: self.description_mn, en: self.description_en },
            price: Money::mnt(self.price),
            attributes: self.attributes,
            featured: self.featured,
            available: self.available,
        })
    }
}

/// Every category in display order.
pub fn list_categories(conn: &mut PgConnection) -> Result<CategoryTree, CatalogError> {
    let rows: Vec<CategoryRow> = categories::table
        .select(CategoryRow::as_select())
        .order((categories::position, categories::slug))
        .load(conn)?;
    Ok(CategoryTree {
        categories: rows
            .into_iter()
            .map(|r| Category {
                id: r.id,
                slug: r.slug,
                parent_id: r.parent_id,
                name: Localized { mn: r.name_mn, en: r.name_en },
            })
            .collect(),
    })
}

/// One page of active products matching `filter`, in shop order (position, then slug).
/// The category filter includes child categories; an unknown category finds nothing.
/// One statement: the total comes from a window count over the same scan.
pub fn list_products(
    conn: &mut PgConnection,
    tree: &CategoryTree,
    filter: &ProductFilter,
) -> Result<Page<Product>, CatalogError> {
    let page = filter.page;
    let empty = || Page { items: Vec::new(), page: page.page, per_page: page.per_page, total: 0 };
    let mut query = products::table.filter(products::active.eq(true)).into_boxed();
    if let Some(slug) = &filter.category {
        let ids = tree.with_descendants(slug);
        if ids.is_empty() {
            return Ok(empty());
        }
        query = query.filter(products::category_id.eq_any(ids));
    }
    if let Some(kind) = filter.kind {
        query = query.filter(products::kind.eq(kind.as_str()));
    }
    for pattern in filter.search_patterns() {
        query = query.filter(products::search_text.like(pattern));
    }
    let rows: Vec<(ProductRow, i64)> = query
        .select((product_columns(), sql::<BigInt>("count(*) OVER ()")))
        .order((products::position, products::slug))
        .limit(page.limit())
        .offset(page.offset())
        .load(conn)?;
    let total = match rows.first() {
        Some((_, total)) => *total,
        // Past the last page the window count has no row to ride on; count separately.
        None if page.page > 1 => count_products(conn, tree, filter)?,
        None => 0,
    };
    Ok(Page {
        items: rows.into_iter().filter_map(|(row, _)| row.into_product()).collect(),
        page: page.page,
        per_page: page.per_page,
        total,
    })
}

fn count_products(conn: &mut PgConnection, tree: &CategoryTree, filter: &ProductFilter) -> Result<i64, CatalogError> {
    let mut query = products::table.filter(products::active.eq(true)).into_boxed();
    if let Some(slug) = &filter.category {
        query = query.filter(products::category_id.eq_any(tree.with_descendants(slug)));
    }
    if let Some(kind) = filter.kind {
        query = query.filter(products::kind.eq(kind.as_str()));
    }
    for pattern in filter.search_patterns() {
        query = query.filter(products::search_text.like(pattern));
    }
    Ok(query.count().get_result(conn)?)
}

/// Up to `limit` featured products for the home page.
pub fn list_featured(conn: &mut PgConnection, limit: i64) -> Result<Vec<Product>, CatalogError> {
    let rows: Vec<ProductRow> = products::table
        .filter(products::active.eq(true).and(products::featured.eq(true)))
        .select(product_columns())
        .order((products::position, products::slug))
        .limit(limit)
        .load(conn)?;
    Ok(rows.into_iter().filter_map(ProductRow::into_product).collect())
}

/// How many active products there are of each kind, in the kinds' order.
pub fn count_by_kind(conn: &mut PgConnection) -> Result<Vec<KindCount>, CatalogError> {
    let rows: Vec<(String, i64)> = products::table
        .filter(products::active.eq(true))
        .group_by(products::kind)
        .select((products::kind, diesel::dsl::count_star()))
        .load(conn)?;
    let mut counts: Vec<KindCount> = rows
        .into_iter()
        .filter_map(|(k, count)| ProductKind::parse(&k).map(|kind| KindCount { kind, count }))
        .collect();
    counts.sort_by_key(|c| c.kind);
    Ok(counts)
}

/// An active product by id or slug.
///
/// # Errors
/// `ProductNotFound` when there is none (or it is inactive).
pub fn get_product(conn: &mut PgConnection, by: &ProductRef) -> Result<Product, CatalogError> {
    let query = products::table.filter(products::active.eq(true)).select(product_columns()).into_boxed();
    let query = match by {
        ProductRef::Id(id) => query.filter(products::id.eq(*id)),
        ProductRef::Slug(slug) => query.filter(products::slug.eq(slug)),
    };
    query.first::<ProductRow>(conn).optional()?.and_then(ProductRow::into_product).ok_or(CatalogError::ProductNotFound)
}

/// Active products of one kind in shop order (a top-up's sibling denominations).
pub fn list_by_kind(conn: &mut PgConnection, kind: ProductKind) -> Result<Vec<Product>, CatalogError> {
    let rows: Vec<ProductRow> = products::table
        .filter(products::active.eq(true).and(products::kind.eq(kind.as_str())))
        .select(product_columns())
        .order((products::position, products::slug))
        .limit(100)
        .load(conn)?;
    Ok(rows.into_iter().filter_map(ProductRow::into_product).collect())
}

fn branch_from_row(r: BranchRow) -> Branch {
    Branch {
        id: r.id,
        slug: r.slug,
        name: Localized { mn: r.name_mn, en: r.name_en },
        address: Localized { mn: r.address_mn, en: r.address_en },
        opening_hours: r.opening_hours,
        pickup: r.pickup,
        delivery_warehouse: r.delivery_warehouse,
    }
}

/// Every branch in display order, the delivery warehouse included.
pub fn list_branches(conn: &mut PgConnection) -> Result<Vec<Branch>, CatalogError> {
    let rows: Vec<BranchRow> =
        branches::table.select(BranchRow::as_select()).order((branches::position, branches::slug)).load(conn)?;
    Ok(rows.into_iter().map(branch_from_row).collect())
}

/// Stock of a product at every branch (0 where the branch holds none), in branch order.
/// Products without stock (everything but devices) have no availability: an empty list.
pub fn availability(conn: &mut PgConnection, product: &Product) -> Result<Vec<BranchStock>, CatalogError> {
    if !product.kind.is_physical() {
        return Ok(Vec::new());
    }
    let rows: Vec<(BranchRow, Option<i32>)> = branches::table
        .left_join(stock::table.on(stock::branch_id.eq(branches::id).and(stock::product_id.eq(product.id))))
        .select((BranchRow::as_select(), stock::quantity.nullable()))
        .order((branches::position, branches::slug))
        .load(conn)?;
    Ok(rows.into_iter().map(|(b, q)| BranchStock { branch: branch_from_row(b), quantity: q.unwrap_or(0) }).collect())
}

/// The product with `id` and its stock per branch, for `/products/{id}/availability`.
///
/// # Errors
/// `ProductNotFound` when there is no such active product.
pub fn product_availability(conn: &mut PgConnection, id: Uuid) -> Result<Vec<BranchStock>, CatalogError> {
    let product = get_product(conn, &ProductRef::Id(id))?;
    availability(conn, &product)
}
