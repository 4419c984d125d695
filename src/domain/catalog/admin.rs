//! Staff change the catalog: products of every kind, branches, and stock per branch. Each change
//! is checked field by field, written with its audit record in one transaction, and a stock
//! change also as a movement with its reason.
use chrono::{DateTime, NaiveTime, Utc};
use diesel::prelude::*;
use rust_decimal::Decimal;
use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

use super::model::BranchRow;
use super::types::{is_slug, ProductAttributes, ProductKind};
use super::CatalogError;
use crate::db::schema::{branches, categories, products, stock, stock_movements};
use crate::domain::audit::{self, AuditAction, Subject};
use crate::domain::shared::money::parse_amount;
use crate::domain::shared::{AccountId, Code, FieldError, FieldErrors, Localized, ProductId};

/// A product as staff see and change it: both languages, hidden or not.
#[derive(Debug, Clone, PartialEq, Serialize, Queryable, Selectable)]
#[diesel(table_name = products, check_for_backend(diesel::pg::Pg))]
pub struct AdminProduct {
    pub id: ProductId,
    pub slug: String,
    pub kind: ProductKind,
    pub category_id: Uuid,
    pub name_mn: String,
    pub name_en: String,
    pub description_mn: String,
    pub description_en: String,
    pub price: Decimal,
    pub attributes: Value,
    pub featured: bool,
    pub active: bool,
    pub position: i32,
}

impl AdminProduct {
    pub fn name(&self) -> Localized {
        Localized { mn: self.name_mn.clone(), en: self.name_en.clone() }
    }
}

/// A product's fields as staff send them, before they are checked; `None` leaves a field as it
/// is (on a change) or is missing (on a new product).
#[derive(Debug, Clone, Default)]
pub struct ProductInput {
    pub name_mn: Option<String>,
    pub name_en: Option<String>,
    pub slug: Option<String>,
    pub kind: Option<String>,
    /// A category's slug or id.
    pub category: Option<String>,
    pub price: Option<String>,
    pub description_mn: Option<String>,
    pub description_en: Option<String>,
    pub attributes: Option<Value>,
    pub active: Option<bool>,
    pub featured: Option<bool>,
    pub position: Option<String>,
}

pub(super) fn text(
    raw: Option<&String>,
    field: &str,
    max: usize,
    required: bool,
    errors: &mut FieldErrors,
) -> Option<String> {
    let t = raw.map(|s| s.trim().to_string());
    match t {
        None if required => {
            errors.add(field, Code::Required);
            None
        }
        Some(t) if t.is_empty() && required => {
            errors.add(field, Code::Required);
            None
        }
        Some(t) if t.chars().count() > max => {
            errors.add(field, FieldError::from(Code::TooLong).with("max", max));
            None
        }
        Some(t) if t.chars().any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t') => {
            errors.add(field, Code::ControlCharacters);
            None
        }
        other => other,
    }
}

/// A slug made from a name: lower-case ASCII letters and digits, words joined by hyphens.
pub fn slug_from(name: &str) -> String {
    let mut slug = String::new();
    for c in name.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
    }
    slug.trim_end_matches('-').chars().take(100).collect::<String>().trim_end_matches('-').to_string()
}

fn category_id(conn: &mut PgConnection, raw: &str) -> Result<Option<Uuid>, CatalogError> {
    let raw = raw.trim();
    let found = match Uuid::parse_str(raw) {
        Ok(id) => categories::table.find(id).select(categories::id).first(conn).optional()?,
        Err(_) => categories::table.filter(categories::slug.eq(raw)).select(categories::id).first(conn).optional()?,
    };
    Ok(found)
}

/// A price in whole tögrög, held with two decimals as the column stores it.
fn price(raw: &str, errors: &mut FieldErrors) -> Option<Decimal> {
    // Some listings cost nothing (an ordinary number's tier).
    let amount = if raw.trim().parse::<Decimal>().is_ok_and(|d| d.is_zero()) {
        Some(Decimal::ZERO)
    } else {
        parse_amount(raw, "price").map(|m| m.amount()).map_err(|e| errors.extend(e)).ok()
    };
    amount.map(|mut d| {
        d.rescale(2);
        d
    })
}

fn position(raw: Option<&String>, errors: &mut FieldErrors) -> Option<i32> {
    raw.and_then(|p| match p.trim().parse::<i32>() {
        Ok(n) if (0..=1_000_000).contains(&n) => Some(n),
        _ => {
            errors.add("position", Code::WholeNumber);
            None
        }
    })
}

/// Checks a kind's attributes and writes them back in their stored shape.
fn attributes(kind: ProductKind, raw: &Value, errors: &mut FieldErrors) -> Option<Value> {
    if !raw.is_object() {
        errors.add("attributes", Code::JsonObject);
        return None;
    }
    let mut raw = raw.clone();
    // A device's specs may come as lines of `name: value` (the admin's text box), stored as the
    // object they describe.
    if kind == ProductKind::Device {
        if let Some(Value::String(lines)) = raw.get("specs").cloned() {
            match specs_from_lines(&lines) {
                Some(specs) => raw["specs"] = specs,
                None => {
                    errors.add("attributes.specs", Code::SpecLine);
                    return None;
                }
            }
        }
    }
    match ProductAttributes::from_json(kind, &raw) {
        Ok(_) => Some(raw),
        Err(e) => {
            errors.extend(e);
            None
        }
    }
}

/// `network: 5G` a line, blank lines skipped; `None` when a line has no name or no value.
fn specs_from_lines(lines: &str) -> Option<Value> {
    let mut specs = serde_json::Map::new();
    for line in lines.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let (name, value) = line.split_once(':')?;
        let (name, value) = (name.trim(), value.trim());
        if name.is_empty() || value.is_empty() {
            return None;
        }
        specs.insert(name.to_string(), Value::String(value.to_string()));
    }
    Some(Value::Object(specs))
}

fn slug_taken(conn: &mut PgConnection, slug: &str, except: Option<ProductId>) -> Result<bool, CatalogError> {
    let mut q = products::table.filter(products::slug.eq(slug)).into_boxed();
    if let Some(id) = except {
        q = q.filter(products::id.ne(id));
    }
    Ok(q.select(products::id).first::<ProductId>(conn).optional()?.is_some())
}

pub(super) fn find_product(conn: &mut PgConnection, id: ProductId) -> Result<Option<AdminProduct>, CatalogError> {
    Ok(products::table.find(id).select(AdminProduct::as_select()).first(conn).optional()?)
}

fn json<T: Serialize>(v: &T) -> Option<Value> {
    serde_json::to_value(v).ok()
}

/// Staff add a product of any kind.
///
/// # Errors
/// `Invalid` naming every wrong field (a taken slug, an unknown category, attributes that do
/// not fit the kind).
pub fn create_product(
    conn: &mut PgConnection,
    input: &ProductInput,
    staff: AccountId,
    now: DateTime<Utc>,
) -> Result<AdminProduct, CatalogError> {
    conn.transaction(|conn| {
        let mut errors = FieldErrors::new();
        let name_mn = text(input.name_mn.as_ref(), "name.mn", 200, true, &mut errors);
        let name_en = text(input.name_en.as_ref(), "name.en", 200, true, &mut errors);
        let description_mn = text(input.description_mn.as_ref(), "description.mn", 5000, false, &mut errors);
        let description_en = text(input.description_en.as_ref(), "description.en", 5000, false, &mut errors);
        let kind = match input.kind.as_deref().map(str::trim).filter(|k| !k.is_empty()) {
            None => {
                errors.add("kind", Code::Required);
                None
            }
            Some(k) => ProductKind::parse(k).or_else(|| {
                errors.add("kind", Code::UnknownKind);
                None
            }),
        };
        let slug = match input.slug.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            Some(s) if is_slug(s) => Some(s.to_string()),
            Some(_) => {
                errors.add("slug", Code::Slug);
                None
            }
            None => name_en.as_deref().map(slug_from).filter(|s| is_slug(s)).or_else(|| {
                if name_en.is_some() {
                    errors.add("slug", Code::Required);
                }
                None
            }),
        };
        if let Some(s) = &slug {
            if slug_taken(conn, s, None)? {
                errors.add("slug", Code::SlugTaken);
            }
        }
        let category = match input.category.as_deref().filter(|c| !c.trim().is_empty()) {
            None => {
                errors.add("category", Code::Required);
                None
            }
            Some(c) => category_id(conn, c)?.or_else(|| {
                errors.add("category", Code::UnknownCategory);
                None
            }),
        };
        let price = match input.price.as_deref() {
            None => {
                errors.add("price", Code::Required);
                None
            }
            Some(raw) => price(raw, &mut errors),
        };
        let attrs = match kind {
            Some(k) => {
                attributes(k, input.attributes.as_ref().unwrap_or(&Value::Object(Default::default())), &mut errors)
            }
            None => None,
        };
        let position = position(input.position.as_ref(), &mut errors);
        let (Some(name_mn), Some(name_en), Some(kind), Some(slug), Some(category), Some(price), Some(attrs)) =
            (name_mn, name_en, kind, slug, category, price, attrs)
        else {
            return Err(CatalogError::Invalid(errors));
        };
        if !errors.is_empty() {
            return Err(CatalogError::Invalid(errors));
        }
        let id = ProductId::random();
        diesel::insert_into(products::table)
            .values((
                products::id.eq(id),
                products::slug.eq(&slug),
                products::kind.eq(kind),
                products::category_id.eq(category),
                products::name_mn.eq(&name_mn),
                products::name_en.eq(&name_en),
                products::description_mn.eq(description_mn.unwrap_or_default()),
                products::description_en.eq(description_en.unwrap_or_default()),
                products::price.eq(price),
                products::attributes.eq(&attrs),
                products::featured.eq(input.featured.unwrap_or(false)),
                products::active.eq(input.active.unwrap_or(true)),
                products::position.eq(position.unwrap_or(0)),
                products::created_at.eq(now),
                products::updated_at.eq(now),
            ))
            .execute(conn)?;
        let product = find_product(conn, id)?.ok_or(CatalogError::ProductNotFound)?;
        audit::record(
            conn,
            staff,
            AuditAction::ProductCreated,
            &Subject::new("product", id),
            None,
            json(&product),
            now,
        )?;
        Ok(product)
    })
}

/// Staff change a product: only the fields given; hiding it is `active: false`. A new kind
/// needs attributes that fit it.
///
/// # Errors
/// `ProductNotFound`; `Invalid` naming every wrong field.
pub fn update_product(
    conn: &mut PgConnection,
    id: ProductId,
    input: &ProductInput,
    staff: AccountId,
    now: DateTime<Utc>,
) -> Result<AdminProduct, CatalogError> {
    conn.transaction(|conn| {
        let before = products::table
            .find(id)
            .select(AdminProduct::as_select())
            .for_update()
            .first(conn)
            .optional()?
            .ok_or(CatalogError::ProductNotFound)?;
        let mut errors = FieldErrors::new();
        let mut after = before.clone();
        if input.name_mn.is_some() {
            after.name_mn = text(input.name_mn.as_ref(), "name.mn", 200, true, &mut errors).unwrap_or_default();
        }
        if input.name_en.is_some() {
            after.name_en = text(input.name_en.as_ref(), "name.en", 200, true, &mut errors).unwrap_or_default();
        }
        if input.description_mn.is_some() {
            after.description_mn =
                text(input.description_mn.as_ref(), "description.mn", 5000, false, &mut errors).unwrap_or_default();
        }
        if input.description_en.is_some() {
            after.description_en =
                text(input.description_en.as_ref(), "description.en", 5000, false, &mut errors).unwrap_or_default();
        }
        if let Some(k) = input.kind.as_deref() {
            match ProductKind::parse(k.trim()) {
                Some(kind) => after.kind = kind,
                None => errors.add("kind", Code::UnknownKind),
            }
        }
        if let Some(s) = input.slug.as_deref().map(str::trim) {
            if !is_slug(s) {
                errors.add("slug", Code::Slug);
            } else if slug_taken(conn, s, Some(id))? {
                errors.add("slug", Code::SlugTaken);
            } else {
                after.slug = s.to_string();
            }
        }
        if let Some(c) = input.category.as_deref() {
            match category_id(conn, c)? {
                Some(cat) => after.category_id = cat,
                None => errors.add("category", Code::UnknownCategory),
            }
        }
        if let Some(raw) = input.price.as_deref() {
            if let Some(p) = price(raw, &mut errors) {
                after.price = p;
            }
        }
        // The attributes are checked whenever the kind or they change.
        if input.attributes.is_some() || after.kind != before.kind {
            let raw = input.attributes.clone().unwrap_or_else(|| before.attributes.clone());
            if let Some(a) = attributes(after.kind, &raw, &mut errors) {
                after.attributes = a;
            }
        }
        if let Some(p) = position(input.position.as_ref(), &mut errors) {
            after.position = p;
        }
        after.active = input.active.unwrap_or(after.active);
        after.featured = input.featured.unwrap_or(after.featured);
        if !errors.is_empty() {
            return Err(CatalogError::Invalid(errors));
        }
        diesel::update(products::table.find(id))
            .set((
                products::slug.eq(&after.slug),
                products::kind.eq(after.kind),
                products::category_id.eq(after.category_id),
                products::name_mn.eq(&after.name_mn),
                products::name_en.eq(&after.name_en),
                products::description_mn.eq(&after.description_mn),
                products::description_en.eq(&after.description_en),
                products::price.eq(after.price),
                products::attributes.eq(&after.attributes),
                products::featured.eq(after.featured),
                products::active.eq(after.active),
                products::position.eq(after.position),
                products::updated_at.eq(now),
            ))
            .execute(conn)?;
        audit::record(
            conn,
            staff,
            AuditAction::ProductUpdated,
            &Subject::new("product", id),
            json(&before),
            json(&after),
            now,
        )?;
        Ok(after)
    })
}

/// A branch as staff send it.
#[derive(Debug, Clone, Default)]
pub struct BranchInput {
    pub name_mn: Option<String>,
    pub name_en: Option<String>,
    pub address_mn: Option<String>,
    pub address_en: Option<String>,
    pub opening_hours_mn: Option<String>,
    pub opening_hours_en: Option<String>,
    pub slug: Option<String>,
    pub pickup: Option<bool>,
    pub delivery_warehouse: Option<bool>,
    /// `5`, `6` or `7`: the days it opens, counted from Monday.
    pub open_days: Option<String>,
    /// `HH:MM`, Ulaanbaatar time; both empty clear the hours, both absent keep them.
    pub opens_at: Option<String>,
    pub closes_at: Option<String>,
}

/// A branch as written.
pub type AdminBranch = BranchRow;

/// A branch's checked texts, the columns a new branch is written with and a change sets.
#[derive(Insertable, AsChangeset)]
#[diesel(table_name = branches, treat_none_as_null = true)]
struct CheckedBranch {
    slug: String,
    name_mn: String,
    name_en: String,
    address_mn: String,
    address_en: String,
    opening_hours_mn: String,
    opening_hours_en: String,
    open_days: i16,
    opens_at: Option<NaiveTime>,
    closes_at: Option<NaiveTime>,
}

/// The hours a program reads: the open days and the two times, or neither time.
fn check_times(
    input: &BranchInput,
    this: Option<&BranchRow>,
    errors: &mut FieldErrors,
) -> (i16, Option<NaiveTime>, Option<NaiveTime>) {
    let days = match input.open_days.as_deref().map(str::trim) {
        None | Some("") => this.map_or(7, |b| b.open_days),
        Some(raw) => match raw.parse::<i16>() {
            Ok(d) if (5..=7).contains(&d) => d,
            _ => {
                errors.add("open_days", Code::OpenDays);
                7
            }
        },
    };
    if input.opens_at.is_none() && input.closes_at.is_none() {
        return (days, this.and_then(|b| b.opens_at), this.and_then(|b| b.closes_at));
    }
    let mut time = |raw: &Option<String>, field: &str| match raw.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(raw) => NaiveTime::parse_from_str(raw, "%H:%M")
            .or_else(|_| NaiveTime::parse_from_str(raw, "%H:%M:%S"))
            .map_err(|_| errors.add(field, Code::TimeOfDay))
            .ok(),
    };
    let (opens, closes) = (time(&input.opens_at, "opens_at"), time(&input.closes_at, "closes_at"));
    match (opens, closes) {
        (Some(o), Some(c)) if o >= c => errors.add("closes_at", Code::EndsBeforeStart),
        (Some(_), None) if input.closes_at.as_deref().is_none_or(|c| c.trim().is_empty()) => {
            errors.add("closes_at", Code::Required)
        }
        (None, Some(_)) if input.opens_at.as_deref().is_none_or(|c| c.trim().is_empty()) => {
            errors.add("opens_at", Code::Required)
        }
        _ => {}
    }
    (days, opens, closes)
}

/// Checks a branch's fields; on a change (`this`) the fields not sent keep their values.
fn check_branch(
    conn: &mut PgConnection,
    input: &BranchInput,
    this: Option<&BranchRow>,
) -> Result<CheckedBranch, CatalogError> {
    let mut errors = FieldErrors::new();
    let mut field = |raw: &Option<String>, name: &str, max: usize, kept: Option<&String>| match raw {
        None if kept.is_some() => kept.cloned(),
        raw => text(raw.as_ref(), name, max, true, &mut errors),
    };
    let name_mn = field(&input.name_mn, "name.mn", 200, this.map(|b| &b.name_mn));
    let name_en = field(&input.name_en, "name.en", 200, this.map(|b| &b.name_en));
    let address_mn = field(&input.address_mn, "address.mn", 500, this.map(|b| &b.address_mn));
    let address_en = field(&input.address_en, "address.en", 500, this.map(|b| &b.address_en));
    let hours_mn = field(&input.opening_hours_mn, "opening_hours.mn", 200, this.map(|b| &b.opening_hours_mn));
    let hours_en = field(&input.opening_hours_en, "opening_hours.en", 200, this.map(|b| &b.opening_hours_en));
    let slug = match input.slug.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) if is_slug(s) => Some(s.to_string()),
        Some(_) => {
            errors.add("slug", Code::Slug);
            None
        }
        None => this.map(|b| b.slug.clone()).or_else(|| name_en.as_deref().map(slug_from).filter(|s| is_slug(s))),
    };
    let (open_days, opens_at, closes_at) = check_times(input, this, &mut errors);
    if let Some(s) = &slug {
        let mut q = branches::table.filter(branches::slug.eq(s)).into_boxed();
        if let Some(b) = this {
            q = q.filter(branches::id.ne(b.id));
        }
        if q.select(branches::id).first::<Uuid>(conn).optional()?.is_some() {
            errors.add("slug", Code::SlugTaken);
        }
    }
    match (name_mn, name_en, address_mn, address_en, hours_mn, hours_en, slug) {
        (
            Some(name_mn),
            Some(name_en),
            Some(address_mn),
            Some(address_en),
            Some(opening_hours_mn),
            Some(opening_hours_en),
            Some(slug),
        ) if errors.is_empty() => Ok(CheckedBranch {
            slug,
            name_mn,
            name_en,
            address_mn,
            address_en,
            opening_hours_mn,
            opening_hours_en,
            open_days,
            opens_at,
            closes_at,
        }),
        _ => {
            if errors.is_empty() {
                errors.add("slug", Code::Required);
            }
            Err(CatalogError::Invalid(errors))
        }
    }
}

/// Only one branch ships deliveries: making one the warehouse takes the flag from the other.
fn take_warehouse_flag(conn: &mut PgConnection, except: Option<Uuid>) -> Result<(), CatalogError> {
    let mut q = diesel::update(branches::table).filter(branches::delivery_warehouse.eq(true)).into_boxed();
    if let Some(id) = except {
        q = q.filter(branches::id.ne(id));
    }
    q.set(branches::delivery_warehouse.eq(false)).execute(conn)?;
    Ok(())
}

/// Staff open a branch. Making it the delivery warehouse moves the flag from the one that was.
///
/// # Errors
/// `Invalid` naming every wrong field (a taken slug among them).
pub fn create_branch(
    conn: &mut PgConnection,
    input: &BranchInput,
    staff: AccountId,
    now: DateTime<Utc>,
) -> Result<AdminBranch, CatalogError> {
    conn.transaction(|conn| {
        let b = check_branch(conn, input, None)?;
        let warehouse = input.delivery_warehouse.unwrap_or(false);
        if warehouse {
            take_warehouse_flag(conn, None)?;
        }
        let next: Option<i32> = branches::table.select(diesel::dsl::max(branches::position)).first(conn)?;
        let branch: AdminBranch = diesel::insert_into(branches::table)
            .values((
                &b,
                branches::pickup.eq(input.pickup.unwrap_or(true)),
                branches::delivery_warehouse.eq(warehouse),
                branches::position.eq(next.unwrap_or(0) + 1),
                branches::created_at.eq(now),
            ))
            .returning(AdminBranch::as_returning())
            .get_result(conn)?;
        audit::record(
            conn,
            staff,
            AuditAction::BranchCreated,
            &Subject::new("branch", branch.id),
            None,
            json(&branch),
            now,
        )?;
        Ok(branch)
    })
}

/// Staff change a branch: only the fields given.
///
/// # Errors
/// `BranchNotFound`; `Invalid` naming every wrong field.
pub fn update_branch(
    conn: &mut PgConnection,
    id: Uuid,
    input: &BranchInput,
    staff: AccountId,
    now: DateTime<Utc>,
) -> Result<AdminBranch, CatalogError> {
    conn.transaction(|conn| {
        let before: AdminBranch = branches::table
            .find(id)
            .select(AdminBranch::as_select())
            .for_update()
            .first(conn)
            .optional()?
            .ok_or(CatalogError::BranchNotFound)?;
        let b = check_branch(conn, input, Some(&before))?;
        let warehouse = input.delivery_warehouse.unwrap_or(before.delivery_warehouse);
        if warehouse && !before.delivery_warehouse {
            take_warehouse_flag(conn, Some(id))?;
        }
        let after: AdminBranch = diesel::update(branches::table.find(id))
            .set((
                &b,
                branches::pickup.eq(input.pickup.unwrap_or(before.pickup)),
                branches::delivery_warehouse.eq(warehouse),
            ))
            .returning(AdminBranch::as_returning())
            .get_result(conn)?;
        audit::record(
            conn,
            staff,
            AuditAction::BranchUpdated,
            &Subject::new("branch", id),
            json(&before),
            json(&after),
            now,
        )?;
        Ok(after)
    })
}

/// A branch's stock of a product, as set.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct StockLevel {
    pub product_id: ProductId,
    pub branch_id: Uuid,
    pub quantity: i32,
}

/// Staff set how many of a device a branch holds (a count, a delivery), with why; the change is
/// a stock movement and an audit record. Only devices are stocked.
///
/// # Errors
/// `Invalid` for an unknown product or branch, a product that is no device, or a quantity that
/// is not a whole number from 0 to 1,000,000.
pub fn set_stock(
    conn: &mut PgConnection,
    product: Option<&str>,
    branch: Option<&str>,
    quantity: Option<&str>,
    reason: &str,
    staff: AccountId,
    now: DateTime<Utc>,
) -> Result<StockLevel, CatalogError> {
    let mut errors = FieldErrors::new();
    let product_id = product.and_then(ProductId::parse);
    let branch_id = branch.and_then(|b| Uuid::parse_str(b.trim()).ok());
    let quantity = match quantity.map(str::trim) {
        None | Some("") => {
            errors.add("quantity", Code::Required);
            None
        }
        Some(q) => q.parse::<i32>().ok().filter(|n| (0..=1_000_000).contains(n)).or_else(|| {
            errors.add("quantity", Code::WholeNumber);
            None
        }),
    };
    let reason = reason.trim();
    if reason.chars().count() > 200 || reason.chars().any(char::is_control) {
        errors.add("reason", FieldError::from(Code::TooLong).with("max", 200));
    }
    conn.transaction(|conn| {
        let kind: Option<ProductKind> = match product_id {
            Some(id) => products::table.find(id).select(products::kind).first(conn).optional()?,
            None => None,
        };
        match kind {
            None => errors.add("product_id", Code::UnknownProduct),
            Some(k) if k != ProductKind::Device => errors.add("product_id", Code::NotStocked),
            Some(_) => {}
        }
        let branch_known = match branch_id {
            Some(id) => branches::table.find(id).select(branches::id).first::<Uuid>(conn).optional()?.is_some(),
            None => false,
        };
        if !branch_known {
            errors.add("branch_id", Code::UnknownBranch);
        }
        let (Some(product_id), Some(branch_id), Some(quantity), true) =
            (product_id, branch_id, quantity, errors.is_empty())
        else {
            return Err(CatalogError::Invalid(errors));
        };
        let before: Option<i32> =
            stock::table.find((product_id, branch_id)).select(stock::quantity).for_update().first(conn).optional()?;
        diesel::insert_into(stock::table)
            .values((
                stock::product_id.eq(product_id),
                stock::branch_id.eq(branch_id),
                stock::quantity.eq(quantity),
                stock::updated_at.eq(now),
            ))
            .on_conflict((stock::product_id, stock::branch_id))
            .do_update()
            .set((stock::quantity.eq(quantity), stock::updated_at.eq(now)))
            .execute(conn)?;
        let was = before.unwrap_or(0);
        if was != quantity {
            diesel::insert_into(stock_movements::table)
                .values((
                    stock_movements::product_id.eq(product_id),
                    stock_movements::branch_id.eq(branch_id),
                    stock_movements::delta.eq(quantity - was),
                    stock_movements::quantity_after.eq(quantity),
                    stock_movements::reason.eq(reason),
                    stock_movements::actor_id.eq(staff),
                    stock_movements::at.eq(now),
                ))
                .execute(conn)?;
        }
        let level = StockLevel { product_id, branch_id, quantity };
        let subject = Subject::new("stock", format!("{product_id}/{branch_id}"));
        let before = before.map(|q| StockLevel { quantity: q, ..level });
        audit::record(conn, staff, AuditAction::StockSet, &subject, before.as_ref().and_then(json), json(&level), now)?;
        Ok(level)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_slug_is_made_from_the_english_name() {
        assert_eq!(slug_from("iPhone 16 Pro (256 GB)"), "iphone-16-pro-256-gb");
        assert_eq!(slug_from("  Router -- 5G!  "), "router-5g");
        assert!(is_slug(&slug_from("Samsung Galaxy A55")));
    }
}
