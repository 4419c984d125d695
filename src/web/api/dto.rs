//! Wire shapes of the API, as the contract names them.
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::domain::catalog::{AttributesJson, Branch, BranchStock, Category, Product};
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
pub struct CategoryDto<'a> {
    pub id: Uuid,
    pub slug: &'a str,
    pub name: &'a str,
    pub parent_id: Option<Uuid>,
}

impl<'a> CategoryDto<'a> {
    pub fn new(c: &'a Category, lang: Lang) -> Self {
        Self { id: c.id, slug: &c.slug, name: c.name.get(lang), parent_id: c.parent_id }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ProductDto<'a> {
    pub id: Uuid,
    pub slug: &'a str,
    /// device, number, esim, data_pack, top_up, plan or service.
    #[schema(example = "device")]
    pub kind: &'static str,
    pub name: &'a str,
    pub description: &'a str,
    pub category_id: Uuid,
    #[schema(value_type = MoneySchema)]
    pub price: Money,
    /// By kind: device `{specs}`; number `{tier}`; esim `{}`; top_up `{free_amount, min_amount?,
    /// max_amount?}`; data_pack `{data_mb, validity_days}`; plan `{minutes, sms, data_mb, units,
    /// validity_days}`; service `{service}`.
    #[schema(value_type = Object)]
    pub attributes: &'a AttributesJson,
    /// Can be bought now: a device in stock at some branch; other kinds always.
    pub available: bool,
}

impl<'a> ProductDto<'a> {
    pub fn new(p: &'a Product, lang: Lang) -> Self {
        let s = &p.summary;
        Self {
            id: s.id,
            slug: &s.slug,
            kind: s.kind.as_str(),
            name: s.name.get(lang),
            description: p.description.get(lang),
            category_id: p.category_id,
            price: s.price,
            attributes: &p.attributes,
            available: s.available,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ProductPage<'a> {
    pub items: Vec<ProductDto<'a>>,
    pub page: u32,
    pub per_page: u32,
    pub total: i64,
}

impl<'a> ProductPage<'a> {
    pub fn new(page: &'a Page<Product>, lang: Lang) -> Self {
        Self {
            items: page.items.iter().map(|p| ProductDto::new(p, lang)).collect(),
            page: page.page,
            per_page: page.per_page,
            total: page.total,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct AvailabilityDto<'a> {
    pub branch_id: Uuid,
    pub branch_name: &'a str,
    pub quantity: i32,
    /// Whether shoppers may collect at this branch.
    pub pickup: bool,
}

impl<'a> AvailabilityDto<'a> {
    pub fn new(s: &'a BranchStock, lang: Lang) -> Self {
        Self {
            branch_id: s.branch.id,
            branch_name: s.branch.name.get(lang),
            quantity: s.quantity,
            pickup: s.branch.pickup,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct BranchDto<'a> {
    pub id: Uuid,
    pub name: &'a str,
    pub address: &'a str,
    pub opening_hours: &'a str,
    pub pickup: bool,
    /// Exactly one branch ships home deliveries.
    pub delivery_warehouse: bool,
}

impl<'a> BranchDto<'a> {
    pub fn new(b: &'a Branch, lang: Lang) -> Self {
        Self {
            id: b.id,
            name: b.name.get(lang),
            address: b.address.get(lang),
            opening_hours: &b.opening_hours,
            pickup: b.pickup,
            delivery_warehouse: b.delivery_warehouse,
        }
    }
}
