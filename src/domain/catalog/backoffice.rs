//! What staff read and change of the catalog beyond a single product: the product list with
//! hidden ones, categories with how many products each holds, and category changes (audited).
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Nullable, Numeric, Text, Uuid as SqlUuid};
use rust_decimal::Decimal;
use serde::Serialize;
use uuid::Uuid;

use super::admin::{find_product, slug_from, text, AdminProduct};
use super::types::{is_slug, ProductKind};
use super::CatalogError;
use crate::db::prepared;
use crate::db::schema::categories;
use crate::domain::audit::{self, AuditAction, Subject};
use crate::domain::shared::{like_literal, AccountId, Code, FieldErrors, Page, PageRequest, ProductId};

/// Which products the list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Shown {
    #[default]
    All,
    OnSale,
    Hidden,
}

impl Shown {
    pub fn parse(s: &str) -> Self {
        match s {
            "on_sale" => Shown::OnSale,
            "hidden" => Shown::Hidden,
            _ => Shown::All,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Shown::All => "all",
            Shown::OnSale => "on_sale",
            Shown::Hidden => "hidden",
        }
    }

    fn active(self) -> Option<bool> {
        match self {
            Shown::All => None,
            Shown::OnSale => Some(true),
            Shown::Hidden => Some(false),
        }
    }
}

/// A line of the staff product list.
#[derive(Debug, Clone, PartialEq, QueryableByName)]
pub struct ProductLine {
    #[diesel(sql_type = SqlUuid)]
    pub id: ProductId,
    #[diesel(sql_type = Text)]
    pub slug: String,
    #[diesel(sql_type = Text)]
    pub kind: ProductKind,
    #[diesel(sql_type = Text)]
    pub name_mn: String,
    #[diesel(sql_type = Text)]
    pub name_en: String,
    #[diesel(sql_type = Text)]
    pub category_mn: String,
    #[diesel(sql_type = Text)]
    pub category_en: String,
    #[diesel(sql_type = Numeric)]
    pub price: Decimal,
    #[diesel(sql_type = Bool)]
    pub active: bool,
    #[diesel(sql_type = Bool)]
    pub featured: bool,
    /// Units over every branch; devices only.
    #[diesel(sql_type = Nullable<BigInt>)]
    pub stock: Option<i64>,
    #[diesel(sql_type = BigInt)]
    total: i64,
}

/// Products as staff find them: by name in either language or slug, kind and whether on sale;
/// hidden ones included.
///
/// # Errors
/// A database failure.
pub fn list_products(
    conn: &mut PgConnection,
    q: Option<&str>,
    kind: Option<ProductKind>,
    shown: Shown,
    page: PageRequest,
) -> Result<Page<ProductLine>, CatalogError> {
    let q = q.map(str::trim).filter(|q| !q.is_empty()).map(|q| like_literal(&q.to_lowercase()));
    let rows: Vec<ProductLine> = prepared(
        "SELECT p.id, p.slug, p.kind, p.name_mn, p.name_en, c.name_mn AS category_mn, c.name_en AS category_en, \
                p.price, p.active, p.featured, \
                CASE WHEN p.kind = 'device' THEN \
                  (SELECT coalesce(sum(s.quantity), 0)::bigint FROM stock s WHERE s.product_id = p.id) END AS stock, \
                count(*) OVER () AS total \
         FROM products p JOIN categories c ON c.id = p.category_id \
         WHERE ($1::text IS NULL OR lower(p.name_mn) LIKE '%' || $1 || '%' OR lower(p.name_en) LIKE '%' || $1 || '%' \
                OR p.slug LIKE '%' || $1 || '%') \
           AND ($2::text IS NULL OR p.kind = $2) AND ($3::bool IS NULL OR p.active = $3) \
         ORDER BY p.kind, p.position, p.slug LIMIT $4 OFFSET $5",
    )
    .bind::<Nullable<Text>, _>(q)
    .bind::<Nullable<Text>, _>(kind.map(ProductKind::as_str))
    .bind::<Nullable<Bool>, _>(shown.active())
    .bind::<BigInt, _>(page.limit())
    .bind::<BigInt, _>(page.offset())
    .load(conn)?;
    let total = rows.first().map_or(0, |r| r.total);
    Ok(Page { items: rows, page: page.page, per_page: page.per_page, total })
}

/// A product as its edit form opens.
///
/// # Errors
/// `ProductNotFound`.
pub fn product(conn: &mut PgConnection, id: ProductId) -> Result<AdminProduct, CatalogError> {
    find_product(conn, id)?.ok_or(CatalogError::ProductNotFound)
}

/// A category with the number of products filed under it.
#[derive(Debug, Clone, PartialEq, Serialize, QueryableByName)]
pub struct CategoryLine {
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
    #[diesel(sql_type = Text)]
    pub slug: String,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    pub parent_id: Option<Uuid>,
    #[diesel(sql_type = Text)]
    pub name_mn: String,
    #[diesel(sql_type = Text)]
    pub name_en: String,
    #[diesel(sql_type = diesel::sql_types::Integer)]
    pub position: i32,
    #[diesel(sql_type = BigInt)]
    pub products: i64,
}

/// Every category in display order, each with its product count.
///
/// # Errors
/// A database failure.
pub fn list_categories(conn: &mut PgConnection) -> Result<Vec<CategoryLine>, CatalogError> {
    Ok(prepared(
        "SELECT c.id, c.slug, c.parent_id, c.name_mn, c.name_en, c.position, \
                (SELECT count(*) FROM products p WHERE p.category_id = c.id) AS products \
         FROM categories c ORDER BY c.position, c.slug",
    )
    .load(conn)?)
}

/// A category as staff send it.
#[derive(Debug, Clone, Default)]
pub struct CategoryInput {
    pub name_mn: Option<String>,
    pub name_en: Option<String>,
    pub slug: Option<String>,
    /// A parent category's id, or empty for a top-level one.
    pub parent: Option<String>,
    pub position: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Queryable, Selectable)]
#[diesel(table_name = categories, check_for_backend(diesel::pg::Pg))]
pub struct AdminCategory {
    pub id: Uuid,
    pub slug: String,
    pub parent_id: Option<Uuid>,
    pub name_mn: String,
    pub name_en: String,
    pub position: i32,
}

struct CheckedCategory {
    name_mn: String,
    name_en: String,
    slug: String,
    parent_id: Option<Uuid>,
    position: i32,
}

fn check_category(
    conn: &mut PgConnection,
    input: &CategoryInput,
    this: Option<&AdminCategory>,
) -> Result<CheckedCategory, CatalogError> {
    let mut errors = FieldErrors::new();
    let name_mn = text(input.name_mn.as_ref(), "name.mn", 100, true, &mut errors);
    let name_en = text(input.name_en.as_ref(), "name.en", 100, true, &mut errors);
    let slug = match input.slug.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) if is_slug(s) => Some(s.to_string()),
        Some(_) => {
            errors.add("slug", Code::Slug);
            None
        }
        None => this.map(|c| c.slug.clone()).or_else(|| name_en.as_deref().map(slug_from).filter(|s| is_slug(s))),
    };
    if let Some(s) = &slug {
        let mut q = categories::table.filter(categories::slug.eq(s)).into_boxed();
        if let Some(c) = this {
            q = q.filter(categories::id.ne(c.id));
        }
        if q.select(categories::id).first::<Uuid>(conn).optional()?.is_some() {
            errors.add("slug", Code::SlugTaken);
        }
    } else if name_en.is_some() {
        errors.add("slug", Code::Required);
    }
    let parent_id = match input.parent.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
        None => None,
        Some(raw) => {
            let found = match Uuid::parse_str(raw) {
                Ok(id) => categories::table.find(id).select(categories::id).first::<Uuid>(conn).optional()?,
                Err(_) => None,
            };
            match found {
                // A category under itself (or under one of its own children) would loop the menu.
                Some(p) if this.is_some_and(|c| c.id == p || is_below(conn, p, c.id).unwrap_or(true)) => {
                    errors.add("parent", Code::UnknownCategory);
                    None
                }
                Some(p) => Some(p),
                None => {
                    errors.add("parent", Code::UnknownCategory);
                    None
                }
            }
        }
    };
    let position = match input.position.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
        None => this.map_or(0, |c| c.position),
        Some(p) => p.parse::<i32>().ok().filter(|n| (0..=1_000_000).contains(n)).unwrap_or_else(|| {
            errors.add("position", Code::WholeNumber);
            0
        }),
    };
    match (name_mn, name_en, slug, errors.is_empty()) {
        (Some(name_mn), Some(name_en), Some(slug), true) => {
            Ok(CheckedCategory { name_mn, name_en, slug, parent_id, position })
        }
        _ => Err(CatalogError::Invalid(errors)),
    }
}

/// Whether `id` sits somewhere below `ancestor`.
fn is_below(conn: &mut PgConnection, id: Uuid, ancestor: Uuid) -> Result<bool, CatalogError> {
    #[derive(QueryableByName)]
    struct Found {
        #[diesel(sql_type = Bool)]
        below: bool,
    }
    let found: Found = prepared(
        "WITH RECURSIVE up(id, parent_id, depth) AS ( \
           SELECT id, parent_id, 0 FROM categories WHERE id = $1 \
           UNION ALL SELECT c.id, c.parent_id, up.depth + 1 FROM categories c JOIN up ON c.id = up.parent_id \
           WHERE up.depth < 50) \
         SELECT EXISTS (SELECT 1 FROM up WHERE parent_id = $2) AS below",
    )
    .bind::<SqlUuid, _>(id)
    .bind::<SqlUuid, _>(ancestor)
    .get_result(conn)?;
    Ok(found.below)
}

/// Staff add a category.
///
/// # Errors
/// `Invalid` naming every wrong field.
pub fn create_category(
    conn: &mut PgConnection,
    input: &CategoryInput,
    staff: AccountId,
    now: DateTime<Utc>,
) -> Result<AdminCategory, CatalogError> {
    conn.transaction(|conn| {
        let c = check_category(conn, input, None)?;
        let made: AdminCategory = diesel::insert_into(categories::table)
            .values((
                categories::id.eq(Uuid::new_v4()),
                categories::slug.eq(&c.slug),
                categories::parent_id.eq(c.parent_id),
                categories::name_mn.eq(&c.name_mn),
                categories::name_en.eq(&c.name_en),
                categories::position.eq(c.position),
                categories::created_at.eq(now),
            ))
            .returning(AdminCategory::as_returning())
            .get_result(conn)?;
        let after = serde_json::to_value(&made).ok();
        audit::record(conn, staff, AuditAction::CategoryCreated, &Subject::new("category", made.id), None, after, now)?;
        Ok(made)
    })
}

/// Staff rename, move or reorder a category.
///
/// # Errors
/// `Invalid` naming every wrong field, or `CategoryNotFound`.
pub fn update_category(
    conn: &mut PgConnection,
    id: Uuid,
    input: &CategoryInput,
    staff: AccountId,
    now: DateTime<Utc>,
) -> Result<AdminCategory, CatalogError> {
    conn.transaction(|conn| {
        let before: AdminCategory = categories::table
            .find(id)
            .select(AdminCategory::as_select())
            .for_update()
            .first(conn)
            .optional()?
            .ok_or(CatalogError::CategoryNotFound)?;
        let c = check_category(conn, input, Some(&before))?;
        let after: AdminCategory = diesel::update(categories::table.find(id))
            .set((
                categories::slug.eq(&c.slug),
                categories::parent_id.eq(c.parent_id),
                categories::name_mn.eq(&c.name_mn),
                categories::name_en.eq(&c.name_en),
                categories::position.eq(c.position),
            ))
            .returning(AdminCategory::as_returning())
            .get_result(conn)?;
        audit::record(
            conn,
            staff,
            AuditAction::CategoryUpdated,
            &Subject::new("category", id),
            serde_json::to_value(&before).ok(),
            serde_json::to_value(&after).ok(),
            now,
        )?;
        Ok(after)
    })
}

/// A device's stock at every branch, in the branches' order.
#[derive(Debug, Clone, PartialEq)]
pub struct StockLine {
    pub product_id: ProductId,
    pub slug: String,
    pub name_mn: String,
    pub name_en: String,
    pub active: bool,
    pub quantities: Vec<i32>,
}

/// Devices by branch: one page of devices, each with a quantity per branch (0 where none).
#[derive(Debug, Clone)]
pub struct StockGrid {
    pub branches: Vec<super::model::BranchRow>,
    pub lines: Page<StockLine>,
}

/// The stock grid staff edit: two queries (the page of devices, then their stock), whatever
/// the page's size.
///
/// # Errors
/// A database failure.
pub fn stock_grid(conn: &mut PgConnection, q: Option<&str>, page: PageRequest) -> Result<StockGrid, CatalogError> {
    use crate::db::schema::stock;
    let branches = branches(conn)?;
    let devices = list_products(conn, q, Some(ProductKind::Device), Shown::All, page)?;
    let ids: Vec<ProductId> = devices.items.iter().map(|d| d.id).collect();
    let held: Vec<(ProductId, Uuid, i32)> = stock::table
        .filter(stock::product_id.eq_any(&ids))
        .select((stock::product_id, stock::branch_id, stock::quantity))
        .load(conn)?;
    let items = devices
        .items
        .into_iter()
        .map(|d| StockLine {
            quantities: branches
                .iter()
                .map(|b| held.iter().find(|(p, br, _)| *p == d.id && *br == b.id).map_or(0, |h| h.2))
                .collect(),
            product_id: d.id,
            slug: d.slug,
            name_mn: d.name_mn,
            name_en: d.name_en,
            active: d.active,
        })
        .collect();
    Ok(StockGrid {
        branches,
        lines: Page { items, page: devices.page, per_page: devices.per_page, total: devices.total },
    })
}

/// A stock change as staff see it later: who, when, what and why.
#[derive(Debug, Clone, PartialEq, QueryableByName)]
pub struct Movement {
    #[diesel(sql_type = diesel::sql_types::Timestamptz)]
    pub at: DateTime<Utc>,
    #[diesel(sql_type = Nullable<Text>)]
    pub actor: Option<String>,
    #[diesel(sql_type = Text)]
    pub product_mn: String,
    #[diesel(sql_type = Text)]
    pub product_en: String,
    #[diesel(sql_type = Text)]
    pub branch_mn: String,
    #[diesel(sql_type = Text)]
    pub branch_en: String,
    #[diesel(sql_type = diesel::sql_types::Integer)]
    pub delta: i32,
    #[diesel(sql_type = diesel::sql_types::Integer)]
    pub quantity_after: i32,
    #[diesel(sql_type = Text)]
    pub reason: String,
    #[diesel(sql_type = BigInt)]
    total: i64,
}

/// Stock movements, newest first.
///
/// # Errors
/// A database failure.
pub fn movements(conn: &mut PgConnection, page: PageRequest) -> Result<Page<Movement>, CatalogError> {
    let rows: Vec<Movement> = prepared(
        "SELECT m.at, a.email AS actor, p.name_mn AS product_mn, p.name_en AS product_en, \
                b.name_mn AS branch_mn, b.name_en AS branch_en, m.delta, m.quantity_after, m.reason, \
                count(*) OVER () AS total \
         FROM stock_movements m JOIN products p ON p.id = m.product_id JOIN branches b ON b.id = m.branch_id \
         LEFT JOIN accounts a ON a.id = m.actor_id \
         ORDER BY m.id DESC LIMIT $1 OFFSET $2",
    )
    .bind::<BigInt, _>(page.limit())
    .bind::<BigInt, _>(page.offset())
    .load(conn)?;
    let total = rows.first().map_or(0, |r| r.total);
    Ok(Page { items: rows, page: page.page, per_page: page.per_page, total })
}

/// Every branch with all its fields, in display order.
///
/// # Errors
/// A database failure.
pub fn branches(conn: &mut PgConnection) -> Result<Vec<super::model::BranchRow>, CatalogError> {
    use crate::db::schema::branches;
    Ok(branches::table
        .select(super::model::BranchRow::as_select())
        .order((branches::position, branches::slug))
        .load(conn)?)
}

/// A branch as its form opens.
///
/// # Errors
/// `BranchNotFound`.
pub fn branch(conn: &mut PgConnection, id: Uuid) -> Result<super::model::BranchRow, CatalogError> {
    use crate::db::schema::branches;
    branches::table
        .find(id)
        .select(super::model::BranchRow::as_select())
        .first(conn)
        .optional()?
        .ok_or(CatalogError::BranchNotFound)
}
