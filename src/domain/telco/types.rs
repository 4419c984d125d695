//! Telco newtypes.
use std::fmt;

use crate::domain::shared::FieldErrors;
use crate::domain::shared::{Code, FieldError};

/// A subscriber number of this operator: 8 national digits starting with one of its prefixes.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct Msisdn(String);

impl Msisdn {
    /// Accepts `88112233`, `8811 2233` and `+976 8811-2233`.
    ///
    /// # Errors
    /// A field error on `field`: not 8 digits, or a number of another operator.
    pub fn parse(raw: &str, field: &str, own_prefixes: &[String]) -> Result<Self, FieldErrors> {
        let digits = crate::domain::accounts::addresses::parse_phone(raw, field)
            .map_err(|_| FieldErrors::single(field, Code::Phone))?;
        if !own_prefixes.iter().any(|p| digits.starts_with(p.as_str())) {
            return Err(FieldErrors::single(
                field,
                FieldError::from(Code::NotOurNumber).with("prefixes", own_prefixes.join(", ")),
            ));
        }
        Ok(Msisdn(digits))
    }

    /// A number read back from the database, where a CHECK keeps it 8 digits.
    pub fn from_stored(digits: String) -> Self {
        Msisdn(digits)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `8811 2233`, as shoppers write it.
    pub fn display(&self) -> String {
        if self.0.len() == 8 {
            format!("{} {}", &self.0[..4], &self.0[4..])
        } else {
            self.0.clone()
        }
    }
}

impl fmt::Debug for Msisdn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Msisdn({})", self.0)
    }
}

impl fmt::Display for Msisdn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Declares a state enum stored as text: its variants with their stored names, `as_str`,
/// `parse` and the column mapping.
macro_rules! stored_enum {
    ($(#[$doc:meta])* $name:ident, $what:literal, { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(
            Debug,
            Clone,
            Copy,
            PartialEq,
            Eq,
            Hash,
            serde::Serialize,
            serde::Deserialize,
            diesel::expression::AsExpression,
            diesel::deserialize::FromSqlRow,
        )]
        #[diesel(sql_type = diesel::sql_types::Text)]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $($variant),+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }

            pub fn parse(s: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|v| v.as_str() == s)
            }
        }

        crate::db::text_enum!($name, $what);
    };
}

stored_enum!(
    /// Where a number is in its life: `available`, `held` by a cart until its hold ends,
    /// `reserved` by a placed unpaid order, `sold` (owned, not yet active), `active` on a SIM or
    /// eSIM, or `retired` by staff.
    NumberStatus, "number status", {
        Available => "available",
        Held => "held",
        Reserved => "reserved",
        Sold => "sold",
        Active => "active",
        Retired => "retired",
    }
);

stored_enum!(
    /// How a bought number is to be activated: later from the account, now with an eSIM, or now
    /// with a physical SIM whose code the shopper typed.
    Activation, "activation", {
        Later => "later",
        Esim => "esim",
        Physical => "physical",
    }
);

stored_enum!(
    /// The kind of SIM an active number is on.
    SimKind, "SIM kind", {
        Esim => "esim",
        Physical => "physical",
    }
);

stored_enum!(
    /// A physical SIM card in the pool: `available`, `reserved` by a placed order, `used` by the
    /// number it activated, or `retired`.
    SimCardStatus, "SIM card status", {
        Available => "available",
        Reserved => "reserved",
        Used => "used",
        Retired => "retired",
    }
);

stored_enum!(
    /// An eSIM profile in the pool: `available`, `reserved` by a placed order, `assigned` to a
    /// number, or `revoked` (re-issued or withdrawn).
    EsimStatus, "eSIM profile status", {
        Available => "available",
        Reserved => "reserved",
        Assigned => "assigned",
        Revoked => "revoked",
    }
);

impl Activation {
    /// The SIM a number activated this way ends up on (`None` for later).
    pub fn sim(self) -> Option<SimKind> {
        match self {
            Activation::Later => None,
            Activation::Esim => Some(SimKind::Esim),
            Activation::Physical => Some(SimKind::Physical),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_must_be_ours() -> Result<(), FieldErrors> {
        let ours: Vec<String> = ["80", "86", "88", "89"].map(String::from).to_vec();
        assert_eq!(Msisdn::parse("+976 8811-2233", "msisdn", &ours)?.as_str(), "88112233");
        assert_eq!(Msisdn::parse("8011 2233", "msisdn", &ours)?.display(), "8011 2233");
        let other = Msisdn::parse("99112233", "msisdn", &ours).unwrap_err();
        assert_eq!(other.fields()["msisdn"][0].code, Code::NotOurNumber);
        assert_eq!(other.fields()["msisdn"][0].params["prefixes"], "80, 86, 88, 89");
        assert!(Msisdn::parse("8811223", "msisdn", &ours).is_err());
        Ok(())
    }
}
