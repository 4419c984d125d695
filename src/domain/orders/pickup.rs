//! The pickup code: six digits the shopper gets in the "ready for pickup" mail (and sees on the
//! order's page) and tells at the counter, where staff type it to hand the order over. It is
//! derived from the order's id under the shop's secret key, so it is never stored and no queue
//! or table holds it: whoever has the key and the id can compute it, nobody else can guess it
//! better than one in a million.
use crate::domain::shared::{Code, FieldErrors, OrderId};
use crate::domain::telco::InventoryKey;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PickupCode(String);

impl PickupCode {
    pub fn of(order: OrderId, key: &InventoryKey) -> Self {
        let digest = key.digest(&format!("pickup-code:{order}"));
        let n = u32::from_be_bytes([digest[0], digest[1], digest[2], digest[3]]) % 1_000_000;
        PickupCode(format!("{n:06}"))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `123 456` as printed in mail and on the page.
    pub fn display(&self) -> String {
        format!("{} {}", &self.0[..3], &self.0[3..])
    }
}

/// What staff typed at the counter, checked against the order's code.
#[derive(Debug, Clone, Copy)]
pub struct Handover<'a> {
    pub typed: &'a str,
    pub key: &'a InventoryKey,
}

impl Handover<'_> {
    /// # Errors
    /// `pickup_code`: `required` when nothing was typed, `pickup_code` when it is not this
    /// order's code.
    pub fn check(&self, order: OrderId) -> Result<(), FieldErrors> {
        let typed: String = self.typed.chars().filter(|c| !c.is_whitespace() && *c != '-').collect();
        if typed.is_empty() {
            return Err(FieldErrors::single("pickup_code", Code::Required));
        }
        let expected = PickupCode::of(order, self.key);
        let same = typed.len() == expected.0.len()
            && typed.bytes().zip(expected.0.bytes()).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0;
        if same {
            Ok(())
        } else {
            Err(FieldErrors::single("pickup_code", Code::PickupCode))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_is_six_digits_fixed_per_order_and_key_and_checked_as_typed() {
        let key = InventoryKey::new(b"a test key of some length, 32 bytes+");
        let order = OrderId::random();
        let code = PickupCode::of(order, &key);
        assert_eq!(code.as_str().len(), 6);
        assert!(code.as_str().bytes().all(|b| b.is_ascii_digit()));
        assert_eq!(PickupCode::of(order, &key), code, "the same every time");
        assert_ne!(PickupCode::of(OrderId::random(), &key), code);
        let spaced = code.display();
        assert!(Handover { typed: &spaced, key: &key }.check(order).is_ok(), "typed as printed");
        let wrong = format!("{:06}", (code.as_str().parse::<u32>().unwrap() + 1) % 1_000_000);
        let err = Handover { typed: &wrong, key: &key }.check(order).unwrap_err();
        assert_eq!(err.fields()["pickup_code"][0].code, Code::PickupCode);
        let err = Handover { typed: " ", key: &key }.check(order).unwrap_err();
        assert_eq!(err.fields()["pickup_code"][0].code, Code::Required);
    }
}
