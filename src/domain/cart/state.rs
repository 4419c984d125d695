//! A cart's states: open while the shopper fills it; then checked out (it became an order) or
//! merged (a guest's cart joined the customer's at sign-in). Only an open cart changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, diesel::expression::AsExpression, diesel::deserialize::FromSqlRow)]
#[diesel(sql_type = diesel::sql_types::Text)]
pub enum CartStatus {
    Open,
    CheckedOut,
    Merged,
}

impl CartStatus {
    pub const ALL: [CartStatus; 3] = [CartStatus::Open, CartStatus::CheckedOut, CartStatus::Merged];

    pub fn as_str(self) -> &'static str {
        match self {
            CartStatus::Open => "open",
            CartStatus::CheckedOut => "checked_out",
            CartStatus::Merged => "merged",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == s)
    }

    /// Open is the only state a cart leaves, and it leaves it once.
    pub fn can_move_to(self, to: CartStatus) -> bool {
        self == CartStatus::Open && to != CartStatus::Open
    }
}

crate::db::text_enum!(CartStatus, "cart status");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_an_open_cart_closes_and_only_once() {
        assert!(CartStatus::Open.can_move_to(CartStatus::CheckedOut));
        assert!(CartStatus::Open.can_move_to(CartStatus::Merged));
        for closed in [CartStatus::CheckedOut, CartStatus::Merged] {
            assert!(CartStatus::ALL.iter().all(|to| !closed.can_move_to(*to)), "{closed:?}");
        }
        for s in CartStatus::ALL {
            assert_eq!(CartStatus::parse(s.as_str()), Some(s));
        }
    }
}
