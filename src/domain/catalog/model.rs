//! Diesel rows of the catalog tables; they never leave the capability.
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use rust_decimal::Decimal;
use serde_json::Value;
use uuid::Uuid;

use super::types::ProductKind;
use crate::db::schema::{branches, categories, products, stock};
use crate::domain::shared::ProductId;

#[derive(Queryable, Selectable)]
#[diesel(table_name = categories, check_for_backend(diesel::pg::Pg))]
pub struct CategoryRow {
    pub id: Uuid,
    pub slug: String,
    pub parent_id: Option<Uuid>,
    pub name_mn: String,
    pub name_en: String,
}

/// The columns of a product card, with its computed availability.
#[derive(Queryable)]
pub struct SummaryRow {
    pub id: ProductId,
    pub slug: String,
    pub kind: ProductKind,
    pub name_mn: String,
    pub name_en: String,
    pub price: Decimal,
    pub featured: bool,
    pub cover: Option<Value>,
    pub available: bool,
}

/// A card's columns plus the details, `attributes` read as JSON text.
#[derive(Queryable)]
pub struct ProductRow {
    pub summary: SummaryRow,
    pub category_id: Uuid,
    pub description_mn: String,
    pub description_en: String,
    pub attributes: String,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, Queryable, QueryableByName, Selectable)]
#[diesel(table_name = branches, check_for_backend(diesel::pg::Pg))]
pub struct BranchRow {
    pub id: Uuid,
    pub slug: String,
    pub name_mn: String,
    pub name_en: String,
    pub address_mn: String,
    pub address_en: String,
    pub opening_hours_en: String,
    pub opening_hours_mn: String,
    pub pickup: bool,
    pub delivery_warehouse: bool,
    pub open_days: i16,
    pub opens_at: Option<chrono::NaiveTime>,
    pub closes_at: Option<chrono::NaiveTime>,
}

#[derive(Insertable)]
#[diesel(table_name = categories)]
pub struct NewCategoryRow<'a> {
    pub id: Uuid,
    pub slug: &'a str,
    pub parent_id: Option<Uuid>,
    pub name_mn: &'a str,
    pub name_en: &'a str,
    pub position: i32,
}

#[derive(Insertable)]
#[diesel(table_name = products)]
pub struct NewProductRow<'a> {
    pub id: ProductId,
    pub slug: &'a str,
    pub kind: &'a str,
    pub category_id: Uuid,
    pub name_mn: &'a str,
    pub name_en: &'a str,
    pub description_mn: &'a str,
    pub description_en: &'a str,
    pub price: Decimal,
    pub attributes: Value,
    pub featured: bool,
    pub position: i32,
}

#[derive(Insertable)]
#[diesel(table_name = branches)]
pub struct NewBranchRow<'a> {
    pub id: Uuid,
    pub slug: &'a str,
    pub name_mn: &'a str,
    pub name_en: &'a str,
    pub address_mn: &'a str,
    pub address_en: &'a str,
    pub opening_hours_mn: &'a str,
    pub opening_hours_en: &'a str,
    pub pickup: bool,
    pub delivery_warehouse: bool,
    pub position: i32,
    pub open_days: i16,
    pub opens_at: Option<chrono::NaiveTime>,
    pub closes_at: Option<chrono::NaiveTime>,
}

#[derive(Insertable)]
#[diesel(table_name = stock)]
pub struct NewStockRow {
    pub product_id: ProductId,
    pub branch_id: Uuid,
    pub quantity: i32,
    pub updated_at: DateTime<Utc>,
}
