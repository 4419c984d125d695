//! The order's states and the moves between them, as data: the one place that says which
//! transitions are legal. Anything else is refused (409), never applied silently.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
#[derive(diesel::expression::AsExpression, diesel::deserialize::FromSqlRow)]
#[diesel(sql_type = diesel::sql_types::Text)]
pub enum OrderStatus {
    PendingPayment,
    Paid,
    Fulfilling,
    Shipped,
    ReadyForPickup,
    Completed,
    Cancelled,
    Refunded,
}

use OrderStatus::*;

/// `(from, to)`: every legal move.
const MOVES: &[(OrderStatus, OrderStatus)] = &[
    (PendingPayment, Paid),
    (PendingPayment, Cancelled),
    (Paid, Fulfilling),
    (Paid, Shipped),
    (Paid, ReadyForPickup),
    (Paid, Completed),
    (Paid, Refunded),
    (Fulfilling, Shipped),
    (Fulfilling, ReadyForPickup),
    (Fulfilling, Completed),
    (Fulfilling, Refunded),
    (Shipped, Completed),
    (Shipped, Refunded),
    (ReadyForPickup, Completed),
    (ReadyForPickup, Refunded),
    (Completed, Refunded),
];

impl std::fmt::Display for OrderStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl OrderStatus {
    pub const ALL: [OrderStatus; 8] =
        [PendingPayment, Paid, Fulfilling, Shipped, ReadyForPickup, Completed, Cancelled, Refunded];

    pub fn as_str(self) -> &'static str {
        match self {
            PendingPayment => "pending_payment",
            Paid => "paid",
            Fulfilling => "fulfilling",
            Shipped => "shipped",
            ReadyForPickup => "ready_for_pickup",
            Completed => "completed",
            Cancelled => "cancelled",
            Refunded => "refunded",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }

    pub fn can_move_to(self, to: OrderStatus) -> bool {
        MOVES.contains(&(self, to))
    }

    /// The states `to` may be reached from: the `WHERE status IN (…)` of a conditional update.
    pub fn sources_of(to: OrderStatus) -> Vec<&'static str> {
        MOVES.iter().filter(|(_, t)| *t == to).map(|(f, _)| f.as_str()).collect()
    }

    /// Stock taken for the order is still in the shop (not handed over or sent).
    pub fn goods_still_here(self) -> bool {
        matches!(self, PendingPayment | Paid | Fulfilling | ReadyForPickup)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
#[derive(diesel::expression::AsExpression, diesel::deserialize::FromSqlRow)]
#[diesel(sql_type = diesel::sql_types::Text)]
pub enum PaymentStatus {
    Unpaid,
    Paid,
    PartiallyRefunded,
    Refunded,
}

impl PaymentStatus {
    pub const ALL: [PaymentStatus; 4] =
        [PaymentStatus::Unpaid, PaymentStatus::Paid, PaymentStatus::PartiallyRefunded, PaymentStatus::Refunded];

    pub fn as_str(self) -> &'static str {
        match self {
            PaymentStatus::Unpaid => "unpaid",
            PaymentStatus::Paid => "paid",
            PaymentStatus::PartiallyRefunded => "partially_refunded",
            PaymentStatus::Refunded => "refunded",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
#[derive(diesel::expression::AsExpression, diesel::deserialize::FromSqlRow)]
#[diesel(sql_type = diesel::sql_types::Text)]
pub enum FulfillmentStatus {
    Pending,
    InProgress,
    Done,
    Failed,
}

impl FulfillmentStatus {
    pub const ALL: [FulfillmentStatus; 4] =
        [FulfillmentStatus::Pending, FulfillmentStatus::InProgress, FulfillmentStatus::Done, FulfillmentStatus::Failed];

    pub fn as_str(self) -> &'static str {
        match self {
            FulfillmentStatus::Pending => "pending",
            FulfillmentStatus::InProgress => "in_progress",
            FulfillmentStatus::Done => "done",
            FulfillmentStatus::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

crate::db::text_enum!(OrderStatus, "order status");
crate::db::text_enum!(PaymentStatus, "payment status");
crate::db::text_enum!(FulfillmentStatus, "fulfilment status");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for s in OrderStatus::ALL {
            assert_eq!(OrderStatus::parse(s.as_str()), Some(s));
        }
        for s in PaymentStatus::ALL {
            assert_eq!(PaymentStatus::parse(s.as_str()), Some(s));
        }
        for s in FulfillmentStatus::ALL {
            assert_eq!(FulfillmentStatus::parse(s.as_str()), Some(s));
        }
    }

    #[test]
    fn only_unpaid_orders_cancel_and_finished_ones_stay_finished() {
        assert!(PendingPayment.can_move_to(Cancelled));
        for paid in [Paid, Fulfilling, Shipped, ReadyForPickup, Completed] {
            assert!(!paid.can_move_to(Cancelled), "{paid:?}");
            assert!(paid.can_move_to(Refunded), "{paid:?}");
        }
        for end in [Cancelled, Refunded] {
            assert!(OrderStatus::ALL.iter().all(|to| !end.can_move_to(*to)), "{end:?}");
        }
        assert!(!PendingPayment.can_move_to(Shipped) && !Shipped.can_move_to(ReadyForPickup));
        assert_eq!(OrderStatus::sources_of(Cancelled), ["pending_payment"]);
    }
}
