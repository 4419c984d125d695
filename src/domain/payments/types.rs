//! Payment read models, states and provider events.
use chrono::{DateTime, Utc};

use crate::domain::idempotency::Fingerprint;
use crate::domain::shared::Money;
use crate::domain::shared::{AccountId, OrderId, PaymentId};

/// `pending` → `succeeded` | `failed`; `succeeded` → `refunded`. A late success after a failure
/// still counts (the money moved); a failure after a success changes nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
#[derive(diesel::expression::AsExpression, diesel::deserialize::FromSqlRow)]
#[diesel(sql_type = diesel::sql_types::Text)]
pub enum PaymentState {
    Pending,
    Succeeded,
    Failed,
    Refunded,
}

impl PaymentState {
    pub const ALL: [PaymentState; 4] =
        [PaymentState::Pending, PaymentState::Succeeded, PaymentState::Failed, PaymentState::Refunded];

    pub fn as_str(self) -> &'static str {
        match self {
            PaymentState::Pending => "pending",
            PaymentState::Succeeded => "succeeded",
            PaymentState::Failed => "failed",
            PaymentState::Refunded => "refunded",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// Whether a provider's word `outcome` may still change a payment in this state.
    pub fn accepts(self, outcome: Outcome) -> bool {
        match outcome {
            Outcome::Succeeded => matches!(self, PaymentState::Pending | PaymentState::Failed),
            Outcome::Failed => self == PaymentState::Pending,
        }
    }
}

crate::db::text_enum!(PaymentState, "payment state");

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Succeeded,
    Failed,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Succeeded => "succeeded",
            Outcome::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "succeeded" => Some(Outcome::Succeeded),
            "failed" => Some(Outcome::Failed),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Payment {
    pub id: PaymentId,
    pub order_id: OrderId,
    pub provider: String,
    pub status: PaymentState,
    pub amount: Money,
    pub refunded_amount: Money,
    pub created_at: DateTime<Utc>,
}

/// Money the shop gives back, to be paid out by the provider that took it: queued in the
/// transaction that records the refund, so it is paid out exactly once even if the provider is
/// remote and down for a while (the job retries; staff see a dead one).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ProviderRefund {
    /// The shop's name for this refund: the provider pays each one out once.
    pub refund_id: uuid::Uuid,
    pub payment_id: PaymentId,
    pub provider: String,
    pub amount: rust_decimal::Decimal,
}

pub const PROVIDER_REFUND: &str = "provider_refund";

impl crate::domain::jobs::JobKind for ProviderRefund {
    const QUEUE: crate::domain::jobs::Queue = crate::domain::jobs::Queue::Payments;
    const KINDS: &'static [&'static str] = &[PROVIDER_REFUND];

    fn kind(&self) -> &'static str {
        PROVIDER_REFUND
    }

    fn dedup_key(&self) -> Option<String> {
        Some(format!("{PROVIDER_REFUND}:{}", self.refund_id))
    }
}

/// Staff give money back: all that is left (no `amount`) or part of it, for a reason.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Refund {
    pub order_id: OrderId,
    pub amount: Option<Money>,
    pub reason: String,
    /// Who gives it (the key's owner; not part of what the request asks).
    #[serde(skip)]
    pub staff: AccountId,
}

impl Refund {
    pub fn fingerprint(&self) -> Fingerprint {
        Fingerprint::of("refund", self)
    }
}

/// A provider's signed word about a payment, once its signature has been checked.
#[derive(Debug, Clone, PartialEq)]
pub struct WebhookEvent {
    pub id: String,
    pub payment_id: PaymentId,
    pub outcome: Outcome,
    pub amount: Money,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn late_or_repeated_words_change_nothing_twice() {
        assert!(PaymentState::Pending.accepts(Outcome::Succeeded) && PaymentState::Pending.accepts(Outcome::Failed));
        assert!(PaymentState::Failed.accepts(Outcome::Succeeded));
        assert!(!PaymentState::Failed.accepts(Outcome::Failed));
        assert!(
            !PaymentState::Succeeded.accepts(Outcome::Failed) && !PaymentState::Succeeded.accepts(Outcome::Succeeded)
        );
        assert!(!PaymentState::Refunded.accepts(Outcome::Succeeded));
    }
}
