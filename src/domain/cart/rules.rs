//! Pure cart arithmetic and input rules.
use rust_decimal::Decimal;

use super::types::Totals;
use crate::domain::shared::{Code, FieldError};
use crate::domain::shared::{FieldErrors, Money, ShopRules};

pub const MAX_QUANTITY: i64 = 99;
/// The most lines a cart holds (a device's line counts once, whatever its quantity).
pub const MAX_LINES: i64 = 100;

/// A quantity as typed: a whole number from 1 to 99; `default` when none is given.
///
/// # Errors
/// A field error on `quantity`.
pub fn parse_quantity(raw: Option<&str>, default: i32) -> Result<i32, FieldErrors> {
    let Some(raw) = raw.map(str::trim).filter(|s| !s.is_empty()) else { return Ok(default) };
    // A JSON 2.0 is still a whole number; 2.5, -1, 0 and 1e9 are not quantities.
    let parsed = raw.parse::<i64>().ok().or_else(|| {
        raw.parse::<Decimal>().ok().filter(|d| d.fract().is_zero()).and_then(|d| d.trunc().to_string().parse().ok())
    });
    match parsed {
        Some(n) if (1..=MAX_QUANTITY).contains(&n) => Ok(i32::try_from(n).unwrap_or(1)),
        _ => Err(FieldErrors::single("quantity", FieldError::from(Code::QuantityRange).with("max", MAX_QUANTITY))),
    }
}

pub use crate::domain::shared::money::parse_amount;

pub fn line_total(unit: Money, quantity: i32) -> Money {
    Money::mnt(unit.amount() * Decimal::from(quantity))
}

/// The delivery fee for a subtotal: free from the threshold on.
pub fn delivery_fee(subtotal: Money, rules: &ShopRules) -> Money {
    match rules.free_delivery_from {
        Some(free_from) if subtotal >= free_from => Money::ZERO,
        _ => rules.delivery_fee,
    }
}

/// The VAT a price includes (10% on top of the net price, so 1/11 of the gross), to the
/// tögrög fraction; receipts show it.
pub fn vat_included(gross: Money) -> Money {
    Money::mnt((gross.amount() / Decimal::from(11)).round_dp(2))
}

/// Subtotal, discount, shipping and total; no total goes below zero.
pub fn totals(line_totals: impl IntoIterator<Item = Money>, discount: Money, shipping: Money) -> Totals {
    let subtotal = Money::mnt(line_totals.into_iter().map(Money::amount).sum());
    let discount = Money::mnt(discount.amount().min(subtotal.amount()).max(Decimal::ZERO));
    let total = Money::mnt((subtotal.amount() - discount.amount() + shipping.amount()).max(Decimal::ZERO));
    Totals { subtotal, discount, shipping, total }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(n: i64) -> Money {
        Money::mnt(Decimal::from(n))
    }

    #[test]
    fn quantities_are_whole_numbers_from_1_to_99() -> Result<(), FieldErrors> {
        assert_eq!(parse_quantity(None, 1)?, 1);
        assert_eq!(parse_quantity(Some("3"), 1)?, 3);
        assert_eq!(parse_quantity(Some("2.0"), 1)?, 2);
        assert_eq!(parse_quantity(Some("99"), 1)?, 99);
        for bad in ["0", "-1", "100", "2.5", "1e9", "abc", "99999999999999999999"] {
            assert!(parse_quantity(Some(bad), 1).is_err(), "{bad}");
        }
        Ok(())
    }

    #[test]
    fn amounts_are_whole_positive_tugrik() -> Result<(), FieldErrors> {
        assert_eq!(parse_amount("12500", "amount")?, m(12500));
        assert_eq!(parse_amount(" 12500.00 ", "amount")?, m(12500));
        for bad in ["0", "-5", "12.5", "x", "1000000000"] {
            assert!(parse_amount(bad, "amount").is_err(), "{bad}");
        }
        Ok(())
    }

    #[test]
    fn delivery_is_free_from_the_threshold() {
        let rules = ShopRules::default();
        assert_eq!(delivery_fee(m(199_999), &rules), m(5000));
        assert_eq!(delivery_fee(m(200_000), &rules), Money::ZERO);
        let never = ShopRules { free_delivery_from: None, ..ShopRules::default() };
        assert_eq!(delivery_fee(m(1_000_000), &never), m(5000));
    }

    #[test]
    fn vat_is_one_eleventh_of_a_gross_price() -> Result<(), rust_decimal::Error> {
        assert_eq!(vat_included(m(194_000)), Money::mnt("17636.36".parse()?));
        assert_eq!(vat_included(m(11_000)), m(1000));
        assert_eq!(vat_included(Money::ZERO), Money::ZERO);
        Ok(())
    }

    #[test]
    fn totals_add_up_and_never_go_below_zero() {
        let t = totals([line_total(m(89_000), 2), m(5000)], m(1000), m(5000));
        assert_eq!((t.subtotal, t.discount, t.shipping, t.total), (m(183_000), m(1000), m(5000), m(187_000)));
        let t = totals([m(5000)], m(9000), Money::ZERO);
        assert_eq!((t.discount, t.total), (m(5000), Money::ZERO));
    }
}
