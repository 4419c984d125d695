//! Coupon campaigns: staff's campaigns and codes, what a code takes off a cart, and each use of
//! a code by an order (reserved when placed, redeemed when paid, released when cancelled or
//! expired). Below the cart, checkout and orders, which call it; it calls none of them.
pub mod commands;
pub mod error;
pub mod model;
pub mod queries;
pub mod rules;
pub mod types;

pub use error::PromotionError;
pub use rules::{Applied, Discounts, Line};
pub use types::{
    Campaign, CampaignInput, CampaignStats, CodePolicy, CodeRecord, CodeRequest, CodeStatus, CodeTerms, CouponCode,
    CouponRefusal, DayCount, DiscountType, MyCode, MyCodeStatus, RefusalKind, Terms,
};
