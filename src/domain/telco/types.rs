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
