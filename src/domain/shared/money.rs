//! Money in Mongolian tögrög: a `Decimal`, never a float.
use std::fmt;

use rust_decimal::Decimal;
use serde::ser::SerializeStruct;
use serde::{Serialize, Serializer};

use super::{Code, FieldErrors};

pub const CURRENCY: &str = "MNT";

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, Hash)]
pub struct Money(Decimal);

impl Money {
    pub const ZERO: Money = Money(Decimal::ZERO);

    pub fn mnt(amount: Decimal) -> Self {
        Money(amount)
    }

    pub fn amount(self) -> Decimal {
        self.0
    }

    /// The amount as the contract writes it: a decimal string with two decimals.
    pub fn amount_string(self) -> String {
        let mut d = self.0.round_dp(2);
        d.rescale(2);
        d.to_string()
    }

    /// How a shopper reads it: `₮12,500`, or `₮12,500.50` when there are tögrög fractions.
    pub fn display(self) -> String {
        let mut d = self.0.round_dp(2);
        let whole = d.fract().is_zero();
        d.rescale(if whole { 0 } else { 2 });
        let s = d.abs().to_string();
        let (int, frac) = s.split_once('.').map_or((s.as_str(), None), |(i, f)| (i, Some(f)));
        let mut out = String::with_capacity(s.len() + 8);
        if d.is_sign_negative() && !d.is_zero() {
            out.push('-');
        }
        out.push('₮');
        for (i, c) in int.chars().enumerate() {
            if i > 0 && (int.len() - i) % 3 == 0 {
                out.push(',');
            }
            out.push(c);
        }
        if let Some(f) = frac {
            out.push('.');
            out.push_str(f);
        }
        out
    }
}

/// An amount of tögrög as typed (`"12500"`, `12500.00`): whole tögrög, above zero.
///
/// # Errors
/// A field error on `field`.
pub fn parse_amount(raw: &str, field: &str) -> Result<Money, FieldErrors> {
    let bad = || FieldErrors::single(field, Code::WholeTugrik);
    let d: Decimal = raw.trim().parse().map_err(|_| bad())?;
    if d <= Decimal::ZERO || !d.fract().is_zero() || d > Decimal::from(100_000_000) {
        return Err(bad());
    }
    Ok(Money::mnt(d.round_dp(2)))
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.display())
    }
}

impl Serialize for Money {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut s = serializer.serialize_struct("Money", 2)?;
        s.serialize_field("amount", &self.amount_string())?;
        s.serialize_field("currency", CURRENCY)?;
        s.end()
    }
}

/// Reads what `Serialize` writes (stored outcomes are read back): tögrög only.
impl<'de> serde::Deserialize<'de> for Money {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(serde::Deserialize)]
        struct Wire {
            amount: Decimal,
            currency: String,
        }
        let wire = Wire::deserialize(deserializer)?;
        if wire.currency != CURRENCY {
            return Err(serde::de::Error::custom(format!("not tögrög: {}", wire.currency)));
        }
        Ok(Money::mnt(wire.amount))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn m(s: &str) -> Result<Money, rust_decimal::Error> {
        Ok(Money::mnt(Decimal::from_str(s)?))
    }

    #[test]
    fn shows_tugrik_with_thousands_separators() -> Result<(), rust_decimal::Error> {
        assert_eq!(m("12500")?.display(), "₮12,500");
        assert_eq!(m("12500.00")?.display(), "₮12,500");
        assert_eq!(m("1234567.5")?.display(), "₮1,234,567.50");
        assert_eq!(m("500")?.display(), "₮500");
        assert_eq!(m("0")?.display(), "₮0");
        assert_eq!(m("-1000")?.display(), "-₮1,000");
        Ok(())
    }

    #[test]
    fn serializes_as_the_contract_says() -> Result<(), Box<dyn std::error::Error>> {
        let json = serde_json::to_string(&m("12500")?)?;
        assert_eq!(json, r#"{"amount":"12500.00","currency":"MNT"}"#);
        assert_eq!(m("3.456")?.amount_string(), "3.46");
        assert_eq!(serde_json::from_str::<Money>(&json)?, m("12500")?, "read back as written");
        assert!(serde_json::from_str::<Money>(r#"{"amount":"1","currency":"USD"}"#).is_err());
        Ok(())
    }
}
