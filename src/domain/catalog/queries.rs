//! Catalog reads. Each costs a fixed number of statements whatever the page size.
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Double, Text};

use super::model::{BranchRow, CategoryRow, ProductRow, SummaryRow};
use super::types::{
    AttributesJson, Branch, BranchStock, Category, CategoryTree, KindCount, Product, ProductFilter, ProductKind,
    ProductRef, ProductSort, ProductSummary,
};
use super::CatalogError;
use crate::db::schema::{branches, categories, products, stock};
use crate::db::{fixed, Fixed};
use crate::domain::shared::{Localized, Money, Page};

/// Devices are available while some branch holds one; eSIMs and services (an eSIM re-issue)
/// while the eSIM pool has a profile; other kinds have no stock to run out of.
const AVAILABLE: &str = "(CASE products.kind \
        WHEN 'device' THEN EXISTS (SELECT 1 FROM stock s WHERE s.product_id = products.id AND s.quantity > 0) \
        WHEN 'esim' THEN EXISTS (SELECT 1 FROM esim_profiles e WHERE e.status = 'available') \
        WHEN 'service' THEN EXISTS (SELECT 1 FROM esim_profiles e WHERE e.status = 'available') \
        ELSE true END)";

type SummaryColumns = (
    products::id,
    products::slug,
    products::kind,
    products::name_mn,
    products::name_en,
    products::price,
    products::featured,
    products::cover,
    Fixed<Bool>,
);

fn summary_columns() -> SummaryColumns {
    (
        products::id,
        products::slug,
        products::kind,
        products::name_mn,
        products::name_en,
        products::price,
        products::featured,
        products::cover,
        fixed::<Bool>(AVAILABLE),
    )
}

type ProductColumns =
    (SummaryColumns, products::category_id, products::description_mn, products::description_en, Fixed<Text>);

fn product_columns() -> ProductColumns {
    (
        summary_columns(),
        products::category_id,
        products::description_mn,
        products::description_en,
        // Passed through to the API as it is stored; parsed only where details are shown.
        fixed::<Text>("products.attributes::text"),
    )
}

impl SummaryRow {
    fn into_summary(self) -> Option<ProductSummary> {
        Some(ProductSummary {
            id: self.id,
            slug: self.slug,
            kind: self.kind,
            name: Localized { mn: self.name_mn, en: self.name_en },
            price: Money::mnt(self.price),
            featured: self.featured,
            cover: self.cover.and_then(|c| super::images::cover_from_json(self.id, c)),
            available: self.available,
        })
    }
}

impl ProductRow {
    fn into_product(self) -> Option<Product> {
        Some(Product {
            summary: self.summary.into_summary()?,
            category_id: self.category_id,
            description: Localized { mn: self.description_mn, en: self.description_en },
            attributes: AttributesJson::new(self.attributes),
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

/// Active products matching `filter`'s category (with all its descendants, found by the
/// database in the same statement), kind and search words.
fn matching(filter: &ProductFilter) -> products::BoxedQuery<'static, Pg> {
    let mut query = products::table.filter(products::active.eq(true)).into_boxed();
    if let Some(slug) = &filter.category {
        query = query.filter(
            fixed::<Bool>(
                "products.category_id IN (WITH RECURSIVE sub(id) AS (SELECT id FROM categories WHERE slug = $1 \
                 UNION ALL SELECT c.id FROM categories c JOIN sub ON c.parent_id = sub.id) SELECT id FROM sub)",
            )
            .bind::<Text, _>(slug.clone()),
        );
    }
    if let Some(kind) = filter.kind {
        query = query.filter(products::kind.eq(kind));
    }
    if let Some(min) = filter.min_price {
        query = query.filter(products::price.ge(min));
    }
    if let Some(max) = filter.max_price {
        query = query.filter(products::price.le(max));
    }
    if filter.in_stock {
        query = query.filter(fixed::<Bool>(AVAILABLE));
    }
    // Each word is found in the product's names or slug, its category's (and the parent's)
    // names or slug, or its kind; or through a synonym that means one of those; or, when the
    // word is four letters or more and no product on sale has it either way, as a near spelling
    // of a word there (trigram word similarity): a word the catalog knows is taken as written,
    // one it does not as a typo. (The near spelling, weighed for every product, was half of
    // a search's cost; it is now weighed only for a word that found nothing.)
    // `products.search_doc` holds its names and slug, its kind, its category's and that
    // category's parent's names and slugs, lower-cased, kept by triggers (migration
    // `store_the_search_document`). The synonyms are an array, looked up once per statement:
    // `LIKE ANY (SELECT …)` ran its subquery again for every product.
    for word in filter.search_words() {
        let pattern = format!("%{}%", crate::domain::shared::like_literal(&word));
        query = query.filter(fixed::<Bool>(WORD_MATCHES).bind::<Text, _>(pattern).bind::<Text, _>(word));
    }
    query
}

/// Whether the document `$doc` has the search word as written (`$1`, a `LIKE` pattern of it) or
/// through a synonym of it (`$2`, the word).
macro_rules! has_word {
    ($doc:literal) => {
        concat!(
            "(",
            $doc,
            " LIKE $1 OR ",
            $doc,
            " LIKE ANY (ARRAY(SELECT '%' || s.means || '%' FROM search_synonyms s WHERE s.term = $2)))"
        )
    };
}

/// A product matches a search word (see `matching`): has it, or, for a word of four letters or
/// more that no product on sale has, a near spelling of it.
const WORD_MATCHES: &str = concat!(
    "(",
    has_word!("products.search_doc"),
    " OR (char_length($2) >= 4 AND NOT EXISTS (SELECT 1 FROM products x WHERE x.active AND ",
    has_word!("x.search_doc"),
    ") AND word_similarity($2, products.search_doc) >= 0.5))"
);

/// The listing order: the staff-set position, then the slug, so pages never overlap.
const SHOP_ORDER: (products::position, products::slug) = (products::position, products::slug);
const WINDOW_TOTAL: &str = "count(*) OVER ()";

/// Turns rows carrying a window total into a page; past the last page there is no row to carry
/// the total, so it is counted separately (the one case with a second statement).
fn finish_page<R, T>(
    conn: &mut PgConnection,
    filter: &ProductFilter,
    rows: Vec<(R, i64)>,
    convert: fn(R) -> Option<T>,
) -> Result<Page<T>, CatalogError> {
    let total = match rows.first() {
        Some((_, total)) => *total,
        None if filter.page.page > 1 => matching(filter).count().get_result(conn)?,
        None => 0,
    };
    Ok(Page {
        items: rows.into_iter().filter_map(|(row, _)| convert(row)).collect(),
        page: filter.page.page,
        per_page: filter.page.per_page,
        total,
    })
}

/// The page `filter` asks for, in the listing's order: a search lists the products whose names
/// come nearest first, anything else the shop's order.
fn page_of(filter: &ProductFilter) -> products::BoxedQuery<'static, Pg> {
    let words = filter.search_words();
    let query = matching(filter);
    let query = match filter.sort {
        ProductSort::PriceAsc => query.order(products::price.asc()),
        ProductSort::PriceDesc => query.order(products::price.desc()),
        ProductSort::Newest => query.order(products::created_at.desc()),
        ProductSort::Popular => query.order(products::sold.desc()),
        ProductSort::Shop if !words.is_empty() => {
            let near = fixed::<Double>("word_similarity($1, products.search_text)").bind::<Text, _>(words.join(" "));
            query.order(near.desc())
        }
        // Without a search, the kinds come grouped in their order, then the staff's order.
        // (`products.kind_rank` follows `ProductKind::ALL`; migration `list_kinds_in_order`.)
        ProductSort::Shop if filter.kind.is_none() => query.order(products::kind_rank),
        ProductSort::Shop => query.order(products::position),
    };
    let query = query.then_order_by(SHOP_ORDER);
    query.limit(filter.page.limit()).offset(filter.page.offset())
}

/// One page of active products matching `filter`, with descriptions and attributes (the API).
/// The category filter includes descendant categories; an unknown category finds nothing.
/// One statement, whatever the page size.
pub fn list_products(conn: &mut PgConnection, filter: &ProductFilter) -> Result<Page<Product>, CatalogError> {
    let rows: Vec<(ProductRow, i64)> =
        page_of(filter).select((product_columns(), fixed::<BigInt>(WINDOW_TOTAL))).load(conn)?;
    finish_page(conn, filter, rows, ProductRow::into_product)
}

/// What `/top-up` offers, in one statement: top-ups, data packs and plans on sale, by kind and
/// in the shop's order.
///
/// # Errors
/// A database failure.
pub fn recharge_offers(conn: &mut PgConnection) -> Result<Vec<Product>, CatalogError> {
    let rows: Vec<ProductRow> = products::table
        .filter(products::active.eq(true))
        .filter(products::kind.eq_any([ProductKind::TopUp, ProductKind::DataPack, ProductKind::Plan]))
        .select(product_columns())
        .order((products::kind, products::position, products::slug))
        .load(conn)?;
    Ok(rows.into_iter().filter_map(ProductRow::into_product).collect())
}

/// The same page as `list_products`, as cards (the shop's list page).
pub fn list_product_cards(
    conn: &mut PgConnection,
    filter: &ProductFilter,
) -> Result<Page<ProductSummary>, CatalogError> {
    let rows: Vec<(SummaryRow, i64)> =
        page_of(filter).select((summary_columns(), fixed::<BigInt>(WINDOW_TOTAL))).load(conn)?;
    finish_page(conn, filter, rows, SummaryRow::into_summary)
}

/// Up to `limit` featured products for the home page.
pub fn list_featured(conn: &mut PgConnection, limit: i64) -> Result<Vec<ProductSummary>, CatalogError> {
    let rows: Vec<SummaryRow> = products::table
        .filter(products::active.eq(true).and(products::featured.eq(true)))
        .select(summary_columns())
        .order(SHOP_ORDER)
        .limit(limit)
        .load(conn)?;
    Ok(rows.into_iter().filter_map(SummaryRow::into_summary).collect())
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
pub fn list_by_kind(conn: &mut PgConnection, kind: ProductKind) -> Result<Vec<ProductSummary>, CatalogError> {
    let rows: Vec<SummaryRow> = products::table
        .filter(products::active.eq(true).and(products::kind.eq(kind)))
        .select(summary_columns())
        .order(SHOP_ORDER)
        .limit(100)
        .load(conn)?;
    Ok(rows.into_iter().filter_map(SummaryRow::into_summary).collect())
}

pub(crate) fn branch_from_row(r: BranchRow) -> Branch {
    Branch {
        id: r.id,
        slug: r.slug,
        name: Localized { mn: r.name_mn, en: r.name_en },
        address: Localized { mn: r.address_mn, en: r.address_en },
        opening_hours: Localized { mn: r.opening_hours_mn, en: r.opening_hours_en },
        pickup: r.pickup,
        delivery_warehouse: r.delivery_warehouse,
        hours: match (r.opens_at, r.closes_at) {
            (Some(opens), Some(closes)) => super::types::Hours::new(r.open_days, opens, closes),
            _ => None,
        },
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
    if !product.summary.kind.is_physical() {
        return Ok(Vec::new());
    }
    let rows: Vec<(BranchRow, Option<i32>)> = branches::table
        .left_join(stock::table.on(stock::branch_id.eq(branches::id).and(stock::product_id.eq(product.summary.id))))
        .select((BranchRow::as_select(), stock::quantity.nullable()))
        .order((branches::position, branches::slug))
        .load(conn)?;
    Ok(rows.into_iter().map(|(b, q)| BranchStock { branch: branch_from_row(b), quantity: q.unwrap_or(0) }).collect())
}
