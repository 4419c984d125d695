//! Types every capability speaks: money, languages, pages of results, field errors.
pub mod clock;
pub mod ids;
pub mod lang;
pub mod money;
pub mod page;
pub mod settings;
pub mod validation;

pub use clock::{shop_local, Clock, FixedClock, SystemClock};
pub use ids::{
    AccountId, CampaignId, CartId, CartItemId, CouponCodeId, EsimProfileId, OrderId, OrderItemId, PaymentId, ProductId,
    SimCardId,
};
pub use lang::{Lang, Localized};
pub use money::Money;
pub use page::{Page, PageRequest};
pub use settings::ShopRules;
pub use validation::{Code, FieldError, FieldErrors};

/// Text to match as it is inside a `LIKE` pattern: its own `%`, `_` and backslash are escaped.
pub fn like_literal(text: &str) -> String {
    text.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
}
