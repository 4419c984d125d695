//! Diesel rows of the campaign tables.
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use rust_decimal::Decimal;

use super::types::{Campaign, CodePolicy, DiscountType, Terms};
use crate::db::schema::campaigns;
use crate::domain::catalog::ProductKind;
use crate::domain::shared::{AccountId, CampaignId, Money, ProductId};

#[derive(Debug, Clone, Queryable, Selectable, QueryableByName)]
#[diesel(table_name = campaigns, check_for_backend(diesel::pg::Pg))]
pub struct CampaignRow {
    pub id: CampaignId,
    pub name: String,
    pub discount_type: DiscountType,
    pub discount_value: Decimal,
    pub code_policy: CodePolicy,
    pub max_redemptions: Option<i32>,
    pub budget: Option<Decimal>,
    pub min_subtotal: Option<Decimal>,
    pub applies_kinds: Option<Vec<String>>,
    pub applies_products: Option<Vec<ProductId>>,
    pub stackable: bool,
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
    pub uses: i32,
    pub discount_used: Decimal,
    pub created_by: Option<AccountId>,
    pub created_at: DateTime<Utc>,
}

impl CampaignRow {
    pub fn terms(&self) -> Terms {
        Terms {
            campaign_id: self.id,
            name: self.name.clone(),
            discount_type: self.discount_type,
            discount_value: self.discount_value,
            policy: self.code_policy,
            max_redemptions: self.max_redemptions,
            budget: self.budget.map(Money::mnt),
            min_subtotal: self.min_subtotal.map(Money::mnt),
            // Kinds were checked when the campaign was written; one no longer known reaches nothing.
            kinds: self.applies_kinds.as_ref().map(|k| k.iter().filter_map(|s| ProductKind::parse(s)).collect()),
            products: self.applies_products.clone(),
            stackable: self.stackable,
            starts_at: self.starts_at,
            ends_at: self.ends_at,
            uses: self.uses,
            discount_used: Money::mnt(self.discount_used),
        }
    }

    pub fn campaign(&self) -> Campaign {
        Campaign { terms: self.terms(), created_at: self.created_at }
    }
}
