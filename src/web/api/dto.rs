//! Wire shapes of the API, as the contract names them.
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::domain::catalog::{Branch, BranchStock, Category, Product};
use crate::domain::shared::{Lang, Money, Page};

/// `{"amount": "12500.00", "currency": "MNT"}`
#[derive(Serialize, ToSchema)]
#[schema(as = Money)]
pub struct MoneySchema {
    /// Decimal string with two decimals.
    #[schema(example = "12500.00")]
    pub amount: String,
    #[schema(example = "MNT")]
    pub currency: String,
}

#[derive(Serialize, ToSchema)]
pub struct CategoryDto {
    pub id: Uuid,
    pub slug: String,
    pub name: String,
    pub parent_id: Option<Uuid>,
}

impl CategoryDto {
    pub fn new(c: &Category, lang: Lang) -> Self {
        Self { id: c.id, slug: c.slug.clone(), name: c.name.get(lang).into(), parent_id: c.parent_id }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ProductDto {
    pub id: Uuid,
    pub slug: String,
    /// device, number, esim, data_pack, top_up, plan or service.
    #[schema(example = "device")]
    pub kind: &'static str,
    pub name: String,
    pub description: String,
    pub category_id: Uuid,
    #[schema(value_type = MoneySchema)]
    pub price: Money,
    /// By kind: device `{specs}`; number `{tier}`; esim `{}`; top_up `{free_amount, min_amount?,
    /// max_amount?}`; data_pack `{data_mb, validity_days}`; plan `{minutes, sms, data_mb, units,
    /// validity_days}`; service `{service}`.
    #[schema(value_type = Object)]
    pub attributes: Value,
    /// Can be bought now: a device in stock at some branch; other kinds always.
    pub available: bool,
}

impl ProductDto {
    pub fn new(p: &Product, lang: Lang) -> Self {
        Self {
            id: p.id,
            slug: p.slug.clone(),
            kind: p.kind.as_str(),
            name: p.name.get(lang).into(),
            description: p.description.get(lang).into(),
            category_id: p.category_id,
            price: p.price,
            attributes: p.attributes.clone(),
            available: p.available,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ProductPage {
    pub items: Vec<ProductDto>,
    pub page: u32,
    pub per_page: u32,
    pub total: i64,
}

impl ProductPage {
    pub fn new(page: &Page<Product>, lang: Lang) -> Self {
        Self {
            items: page.items.iter().map(|p| ProductDto::new(p, lang)).collect(),
            page: page.page,
            per_page: page.per_page,
            total: page.total,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct AvailabilityDto {
    pub branch_id: Uuid,
    pub branch_name: String,
    pub quantity: i32,
    /// Whether shoppers may collect at this branch.
    pub pickup: bool,
}

impl AvailabilityDto {
    pub fn new(s: &BranchStock, lang: Lang) -> Self {
        Self {
            branch_id: s.branch.id,
            branch_name: s.branch.name.get(lang).into(),
            quantity: s.quantity,
            pickup: s.branch.pickup,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct BranchDto {
    pub id: Uuid,
    pub name: String,
    pub address: String,
    pub opening_hours: String,
    pub pickup: bool,
    /// Exactly one branch ships home deliveries.
    pub delivery_warehouse: bool,
}

impl BranchDto {
    pub fn new(b: &Branch, lang: Lang) -> Self {
        Self {
            id: b.id,
            name: b.name.get(lang).into(),
            address: b.address.get(lang).into(),
            opening_hours: b.opening_hours.clone(),
            pickup: b.pickup,
            delivery_warehouse: b.delivery_warehouse,
        }
    }
}
