//! The mails the shop sends, as typed job payloads: written in the transaction of the change
//! that causes them (`jobs::enqueue_job`), read by the mail performer. Each carries what the
//! message shows but never a link's secret: the performer mints the link as it sends the mail,
//! so nothing secret waits in the queue and a mail sent again (a staff retry of a dead job)
//! carries a link that works.
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::domain::jobs::{JobKind, Queue};
use crate::domain::shared::OrderId;
use crate::domain::shared::{AccountId, Lang};

/// The link to choose a new password, for `account`: minted when the mail is sent, an hour
/// from then, and sent to the account's address of that moment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PasswordResetMail {
    pub account_id: AccountId,
    /// The address it was asked for (what staff see in the queue).
    pub to: String,
    pub lang: Lang,
}

pub const PASSWORD_RESET: &str = "password_reset";

impl JobKind for PasswordResetMail {
    const QUEUE: Queue = Queue::Mail;
    const KINDS: &'static [&'static str] = &[PASSWORD_RESET];

    fn kind(&self) -> &'static str {
        PASSWORD_RESET
    }
}

/// A number bought to activate later is still inactive a few days before its deadline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NumberReminderMail {
    pub to: String,
    pub lang: Lang,
    pub name: String,
    pub msisdn: String,
    /// The deadline's date, as shown (Ulaanbaatar time).
    pub activate_by: String,
}

pub const NUMBER_REMINDER: &str = "number_activation_reminder";

impl JobKind for NumberReminderMail {
    const QUEUE: Queue = Queue::Mail;
    const KINDS: &'static [&'static str] = &[NUMBER_REMINDER];

    fn kind(&self) -> &'static str {
        NUMBER_REMINDER
    }

    fn dedup_key(&self) -> Option<String> {
        Some(format!("{NUMBER_REMINDER}:{}:{}", self.msisdn, self.activate_by))
    }
}

/// A personal coupon code sent to its customer: the link opens the shop's cart with the code
/// applied (the code is no bearer secret: only its customer, signed in, can use it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CouponMail {
    pub to: String,
    pub lang: Lang,
    pub code: String,
    pub campaign: String,
    /// As shown: `10%` or `₮5,000`.
    pub discount: String,
    /// As shown, when the campaign has a minimum.
    pub min_subtotal: Option<String>,
    pub ends_at: Option<chrono::DateTime<chrono::Utc>>,
}

pub const COUPON: &str = "coupon_code";

impl JobKind for CouponMail {
    const QUEUE: Queue = Queue::Mail;
    const KINDS: &'static [&'static str] = &[COUPON];

    fn kind(&self) -> &'static str {
        COUPON
    }

    fn dedup_key(&self) -> Option<String> {
        Some(format!("{COUPON}:{}", self.code))
    }
}

/// What an order mail tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OrderNews {
    /// The order is placed (and awaits payment).
    #[default]
    Placed,
    /// A payment attempt was declined; the order can still be paid.
    PaymentFailed,
    Shipped,
    ReadyForPickup,
    /// Everything was done by the operator (credited, activated, started).
    Fulfilled,
    /// The operator refused a line for good: it was refunded.
    NotDelivered,
}

impl OrderNews {
    pub const ALL: [OrderNews; 6] = [
        OrderNews::Placed,
        OrderNews::PaymentFailed,
        OrderNews::Shipped,
        OrderNews::ReadyForPickup,
        OrderNews::Fulfilled,
        OrderNews::NotDelivered,
    ];

    /// The job kind it is queued as.
    pub fn kind(self) -> &'static str {
        match self {
            OrderNews::Placed => "order_confirmation",
            OrderNews::PaymentFailed => "payment_failed",
            OrderNews::Shipped => "order_shipped",
            OrderNews::ReadyForPickup => "order_ready_for_pickup",
            OrderNews::Fulfilled => "order_fulfilled",
            OrderNews::NotDelivered => "order_not_delivered",
        }
    }

    pub fn from_kind(kind: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|n| n.kind() == kind)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrderMailItem {
    pub name_mn: String,
    pub name_en: String,
    pub quantity: i32,
    /// As shown: `₮12,500`.
    pub total: String,
    pub msisdn: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrderMailBranch {
    pub name_mn: String,
    pub name_en: String,
    pub address_mn: String,
    pub address_en: String,
    /// In English (the name it had before the Mongolian was kept too).
    pub opening_hours: String,
    /// Mails queued before hours were kept in both languages have none.
    #[serde(default)]
    pub opening_hours_mn: Option<String>,
}

/// A mail about an order: the same content for every piece of news, amounts as shown.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrderMail {
    /// Stored as the job's kind, not in its payload.
    #[serde(skip)]
    pub news: OrderNews,
    /// What makes the news unique (the order, or a payment attempt): never mailed twice.
    #[serde(skip)]
    pub once_per: Option<String>,
    pub to: String,
    pub lang: Lang,
    pub order_id: OrderId,
    pub number: String,
    pub items: Vec<OrderMailItem>,
    pub subtotal: String,
    pub shipping: String,
    pub discount: String,
    pub total: String,
    pub vat: String,
    pub branch: Option<OrderMailBranch>,
    pub tracking: Option<String>,
}

impl JobKind for OrderMail {
    const QUEUE: Queue = Queue::Mail;
    const KINDS: &'static [&'static str] = &[
        "order_confirmation",
        "payment_failed",
        "order_shipped",
        "order_ready_for_pickup",
        "order_fulfilled",
        "order_not_delivered",
    ];

    fn kind(&self) -> &'static str {
        self.news.kind()
    }

    fn dedup_key(&self) -> Option<String> {
        self.once_per.as_ref().map(|once| format!("{}:{once}", self.news.kind()))
    }

    fn decode(kind: &str, payload: Value) -> Result<Self, serde_json::Error> {
        let news = OrderNews::from_kind(kind)
            .ok_or_else(|| <serde_json::Error as serde::de::Error>::custom(format!("no order news {kind:?}")))?;
        Ok(OrderMail { news, ..serde_json::from_value(payload)? })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_order_news_has_a_kind_of_its_own() {
        for news in OrderNews::ALL {
            assert_eq!(OrderNews::from_kind(news.kind()), Some(news));
            assert!(OrderMail::KINDS.contains(&news.kind()));
        }
    }

    #[test]
    fn a_missing_field_fails_to_read_instead_of_becoming_empty() {
        let payload = serde_json::json!({"to": "bat@example.mn", "lang": "en"});
        let err = PasswordResetMail::decode(PASSWORD_RESET, payload).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(err.contains("account_id"), "{err}");
    }
}
