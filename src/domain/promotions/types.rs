//! Campaigns, codes and their uses, as the rest of the shop sees them.
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

use crate::domain::catalog::ProductKind;
use crate::domain::shared::{AccountId, CampaignId, Code, CouponCodeId, Money, ProductId};

/// How a campaign lowers a price.
#[derive(Debug, Clone, Copy, PartialEq, Eq, diesel::expression::AsExpression, diesel::deserialize::FromSqlRow)]
#[diesel(sql_type = diesel::sql_types::Text)]
pub enum DiscountType {
    /// `value` percent of what the code applies to.
    Percent,
    /// `value` tögrög off what the code applies to (never more than it).
    Fixed,
}

impl DiscountType {
    pub const ALL: [DiscountType; 2] = [DiscountType::Percent, DiscountType::Fixed];

    pub fn as_str(self) -> &'static str {
        match self {
            DiscountType::Percent => "percent",
            DiscountType::Fixed => "fixed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|d| d.as_str() == s)
    }
}

crate::db::text_enum!(DiscountType, "discount type");

/// Who may use a campaign's codes, and how often.
#[derive(Debug, Clone, Copy, PartialEq, Eq, diesel::expression::AsExpression, diesel::deserialize::FromSqlRow)]
#[diesel(sql_type = diesel::sql_types::Text)]
pub enum CodePolicy {
    /// Each code belongs to one customer and is used once.
    Personal,
    /// Shared codes any signed-in customer may use once.
    OncePerCustomer,
    /// Shared codes anyone may use, up to the campaign's `max_redemptions`.
    Limited,
}

impl CodePolicy {
    pub const ALL: [CodePolicy; 3] = [CodePolicy::Personal, CodePolicy::OncePerCustomer, CodePolicy::Limited];

    pub fn as_str(self) -> &'static str {
        match self {
            CodePolicy::Personal => "personal",
            CodePolicy::OncePerCustomer => "once_per_customer",
            CodePolicy::Limited => "limited",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == s)
    }
}

crate::db::text_enum!(CodePolicy, "code policy");

/// A code's use by an order: reserved when the order is placed, redeemed when it is paid,
/// released (given back) when it is cancelled or expires, refunded (still used, no longer
/// counted in the statistics) when it is refunded in full.
#[derive(Debug, Clone, Copy, PartialEq, Eq, diesel::expression::AsExpression, diesel::deserialize::FromSqlRow)]
#[diesel(sql_type = diesel::sql_types::Text)]
pub enum RedemptionStatus {
    Reserved,
    Redeemed,
    Released,
    Refunded,
}

impl RedemptionStatus {
    pub const ALL: [RedemptionStatus; 4] = [
        RedemptionStatus::Reserved,
        RedemptionStatus::Redeemed,
        RedemptionStatus::Released,
        RedemptionStatus::Refunded,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RedemptionStatus::Reserved => "reserved",
            RedemptionStatus::Redeemed => "redeemed",
            RedemptionStatus::Released => "released",
            RedemptionStatus::Refunded => "refunded",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

crate::db::text_enum!(RedemptionStatus, "redemption status");

/// A code as staff list it: not given to anyone, given to a customer, or used by an order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeStatus {
    Unused,
    Assigned,
    Redeemed,
}

impl CodeStatus {
    pub const ALL: [CodeStatus; 3] = [CodeStatus::Unused, CodeStatus::Assigned, CodeStatus::Redeemed];

    pub fn as_str(self) -> &'static str {
        match self {
            CodeStatus::Unused => "unused",
            CodeStatus::Assigned => "assigned",
            CodeStatus::Redeemed => "redeemed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

/// A personal code as its customer sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MyCodeStatus {
    Available,
    Used,
    Expired,
}

impl MyCodeStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            MyCodeStatus::Available => "available",
            MyCodeStatus::Used => "used",
            MyCodeStatus::Expired => "expired",
        }
    }
}

/// A code as typed by a shopper or staff: trimmed, inner spaces dropped, upper-case.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CouponCode(String);

impl CouponCode {
    /// `None` when it cannot be a code (3 to 32 letters, digits or dashes, not starting with a dash).
    pub fn parse(raw: &str) -> Option<Self> {
        let code: String = raw.chars().filter(|c| !c.is_whitespace()).flat_map(char::to_uppercase).collect();
        let ok = (3..=32).contains(&code.len())
            && code.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-')
            && !code.starts_with('-');
        ok.then_some(CouponCode(code))
    }

    /// A code read back from the database, where only valid codes are stored.
    pub fn from_stored(code: String) -> Self {
        CouponCode(code)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for CouponCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// What a campaign's codes take off, and from what.
#[derive(Debug, Clone, PartialEq)]
pub struct Terms {
    pub campaign_id: CampaignId,
    pub name: String,
    pub discount_type: DiscountType,
    pub discount_value: Decimal,
    pub policy: CodePolicy,
    pub max_redemptions: Option<i32>,
    pub budget: Option<Money>,
    pub min_subtotal: Option<Money>,
    /// `None`: every kind.
    pub kinds: Option<Vec<ProductKind>>,
    /// `None`: every product.
    pub products: Option<Vec<ProductId>>,
    pub stackable: bool,
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
    /// Uses by live orders and the discount they took: what the limit and budget are held to.
    pub uses: i32,
    pub discount_used: Money,
}

impl Terms {
    /// The discount as shown anywhere, in any language: `10%` or `₮5,000`.
    pub fn shown_discount(&self) -> String {
        shown_discount(self.discount_type, self.discount_value)
    }
}

/// `10%` or `₮5,000`.
pub fn shown_discount(kind: DiscountType, value: Decimal) -> String {
    match kind {
        DiscountType::Percent => format!("{}%", value.normalize()),
        DiscountType::Fixed => Money::mnt(value).display(),
    }
}

/// A campaign as staff see it.
#[derive(Debug, Clone, PartialEq)]
pub struct Campaign {
    pub terms: Terms,
    pub created_at: DateTime<Utc>,
}

/// A code with its campaign's terms, as a cart or a checkout weighs it.
#[derive(Debug, Clone, PartialEq)]
pub struct CodeTerms {
    pub code_id: CouponCodeId,
    pub code: CouponCode,
    /// A personal code's customer.
    pub owner: Option<AccountId>,
    pub terms: Terms,
}

/// Why a code cannot be used (now, on this cart, by this shopper).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum CouponRefusal {
    Unknown,
    NotStarted,
    Expired,
    NotYours,
    SignInRequired,
    AlreadyUsed,
    UsedUp,
    NotApplicable,
    BelowMinimum { min: Decimal },
    OnePerOrder,
}

/// How an answer refuses a code: not found, a conflict, or invalid for this cart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefusalKind {
    NotFound,
    Conflict,
    Invalid,
}

impl CouponRefusal {
    pub fn code(self) -> Code {
        match self {
            CouponRefusal::Unknown => Code::CouponUnknown,
            CouponRefusal::NotStarted => Code::CouponNotStarted,
            CouponRefusal::Expired => Code::CouponExpired,
            CouponRefusal::NotYours => Code::CouponNotYours,
            CouponRefusal::SignInRequired => Code::CouponSignIn,
            CouponRefusal::AlreadyUsed => Code::CouponUsed,
            CouponRefusal::UsedUp => Code::CouponUsedUp,
            CouponRefusal::NotApplicable => Code::CouponNotApplicable,
            CouponRefusal::BelowMinimum { .. } => Code::CouponBelowMinimum,
            CouponRefusal::OnePerOrder => Code::CouponOnePerOrder,
        }
    }

    /// The field error a form or a 422 shows for it.
    pub fn field_error(self) -> crate::domain::shared::FieldError {
        let error = crate::domain::shared::FieldError::from(self.code());
        match self {
            CouponRefusal::BelowMinimum { min } => error.with("min", Money::mnt(min).display()),
            _ => error,
        }
    }

    /// The contract: 404 an unknown code, 409 one used up or not the shopper's, 422 one that
    /// does not apply to this cart.
    pub fn kind(self) -> RefusalKind {
        match self {
            CouponRefusal::Unknown => RefusalKind::NotFound,
            CouponRefusal::NotYours
            | CouponRefusal::SignInRequired
            | CouponRefusal::AlreadyUsed
            | CouponRefusal::UsedUp => RefusalKind::Conflict,
            CouponRefusal::NotStarted
            | CouponRefusal::Expired
            | CouponRefusal::NotApplicable
            | CouponRefusal::BelowMinimum { .. }
            | CouponRefusal::OnePerOrder => RefusalKind::Invalid,
        }
    }
}

/// A campaign as staff describe it, before it is checked. Values arrive as text.
#[derive(Debug, Clone, Default)]
pub struct CampaignInput {
    pub name: Option<String>,
    pub discount_type: Option<String>,
    pub discount_value: Option<String>,
    pub code_policy: Option<String>,
    pub max_redemptions: Option<String>,
    pub budget: Option<String>,
    pub min_subtotal: Option<String>,
    pub kinds: Option<Vec<String>>,
    pub product_ids: Option<Vec<String>>,
    pub stackable: Option<bool>,
    pub starts_at: Option<String>,
    pub ends_at: Option<String>,
}

/// What staff ask codes for: one named code, a number of generated ones, or one for each of
/// these customers (ids or emails), optionally mailed to them.
#[derive(Debug, Clone)]
pub enum CodeRequest {
    One(String),
    Generate { count: i64, prefix: Option<String> },
    Assign { customers: Vec<String>, send_email: bool },
}

/// A code as the admin lists it: for a shared code, one row per customer who used it.
#[derive(Debug, Clone, PartialEq)]
pub struct CodeRecord {
    pub code: CouponCode,
    pub status: CodeStatus,
    pub customer_id: Option<AccountId>,
    pub customer_email: Option<String>,
    pub redeemed_at: Option<DateTime<Utc>>,
}

/// A personal code as its customer sees it on `/account`.
#[derive(Debug, Clone, PartialEq)]
pub struct MyCode {
    pub code: CouponCode,
    pub campaign: String,
    pub discount_type: DiscountType,
    pub discount_value: Decimal,
    pub ends_at: Option<DateTime<Utc>>,
    pub status: MyCodeStatus,
}

/// Redemptions of one day (Ulaanbaatar's calendar).
#[derive(Debug, Clone, PartialEq)]
pub struct DayCount {
    pub day: chrono::NaiveDate,
    pub redemptions: i64,
}

/// What a campaign did: redemptions are paid orders that kept their code (a refund in full
/// takes one out); revenue is what those orders were paid less what was refunded.
#[derive(Debug, Clone, PartialEq)]
pub struct CampaignStats {
    pub codes_issued: i64,
    pub codes_assigned: i64,
    pub redemptions: i64,
    /// Orders placed with a code and not yet paid.
    pub reserved: i64,
    pub unique_customers: i64,
    pub discount_total: Money,
    pub revenue: Money,
    pub per_day: Vec<DayCount>,
}

impl CampaignStats {
    /// Redemptions per code issued (0 while none is).
    pub fn redemption_rate(&self) -> Decimal {
        if self.codes_issued == 0 {
            return Decimal::ZERO;
        }
        (Decimal::from(self.redemptions) / Decimal::from(self.codes_issued)).round_dp(4)
    }
}
