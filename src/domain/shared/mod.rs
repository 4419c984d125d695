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
