//! Parsed account inputs and the account read model.
use std::collections::HashSet;
use std::fmt;
use std::sync::OnceLock;

use crate::domain::shared::AccountId;
use crate::domain::shared::FieldErrors;
use crate::domain::shared::{Code, FieldError};

/// An email address: trimmed, lower-cased, with one `@` between a local part and a dotted domain.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Email(String);

impl Email {
    /// # Errors
    /// A field error on `field` when it is no plausible address.
    pub fn parse(raw: &str, field: &str) -> Result<Self, FieldErrors> {
        let email = raw.trim().to_lowercase();
        let ok = email.len() <= 254
            && email.split_once('@').is_some_and(|(local, domain)| {
                !local.is_empty()
                    && local.len() <= 64
                    && !domain.contains('@')
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
                    && !domain.contains("..")
            })
            && !email.chars().any(|c| c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | ',' | ';'));
        if ok {
            Ok(Email(email))
        } else {
            Err(FieldErrors::single(field, Code::Email))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Email({})", self.0)
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

pub const MIN_PASSWORD_CHARS: usize = 10;
pub const MAX_PASSWORD_CHARS: usize = 256;

fn common_passwords() -> &'static HashSet<&'static str> {
    static SET: OnceLock<HashSet<&'static str>> = OnceLock::new();
    SET.get_or_init(|| {
        include_str!("common-passwords.txt").lines().filter(|l| !l.is_empty() && !l.starts_with('#')).collect()
    })
}

/// A new password that meets the policy: 10 to 256 characters, not a common password, not
/// the account's email. Never printed.
#[derive(Clone)]
pub struct Password(String);

impl Password {
    /// # Errors
    /// A field error on `field` saying which rule it breaks.
    pub fn parse(raw: &str, field: &str, email: Option<&Email>) -> Result<Self, FieldErrors> {
        let chars = raw.chars().count();
        let lower = raw.to_lowercase();
        let broken: Option<FieldError> = if chars < MIN_PASSWORD_CHARS {
            Some(FieldError::from(Code::TooShort).with("min", MIN_PASSWORD_CHARS))
        } else if chars > MAX_PASSWORD_CHARS {
            Some(FieldError::from(Code::TooLong).with("max", MAX_PASSWORD_CHARS))
        } else if common_passwords().contains(lower.as_str())
            || lower.chars().all(|c| c == lower.chars().next().unwrap_or(' '))
        {
            Some(Code::PasswordCommon.into())
        } else if email
            .is_some_and(|e| lower.contains(e.as_str()) || lower == e.as_str().split('@').next().unwrap_or(""))
        {
            Some(Code::PasswordHasEmail.into())
        } else {
            None
        };
        match broken {
            Some(e) => Err(FieldErrors::single(field, e)),
            None => Ok(Password(raw.to_string())),
        }
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(***)")
    }
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, diesel::expression::AsExpression, diesel::deserialize::FromSqlRow,
)]
#[diesel(sql_type = diesel::sql_types::Text)]
pub enum Role {
    Customer,
    Staff,
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Customer => "customer",
            Role::Staff => "staff",
            Role::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "customer" => Some(Role::Customer),
            "staff" => Some(Role::Staff),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }

    /// Staff and admins run the shop: `/admin` and `/api/v1/admin/*`.
    pub fn is_staff(self) -> bool {
        matches!(self, Role::Staff | Role::Admin)
    }
}

crate::db::text_enum!(Role, "account role");

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub id: AccountId,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub session_epoch: i32,
}

impl Account {
    /// How the account is named on pages: its name, or its email when it has none (a staff
    /// account made without `--name`).
    pub fn display_name(&self) -> &str {
        if self.name.trim().is_empty() {
            &self.email
        } else {
            &self.name
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_normalised_and_checked() -> Result<(), Box<dyn std::error::Error>> {
        assert_eq!(Email::parse("  Bat@Example.MN ", "email")?.as_str(), "bat@example.mn");
        for bad in ["", "bat", "bat@", "@example.mn", "bat@example", "a@b@c.mn", "bat@.mn", "bat @x.mn", "b<a>@x.mn"] {
            assert!(Email::parse(bad, "email").is_err(), "{bad:?}");
        }
        Ok(())
    }

    #[test]
    fn passwords_follow_the_policy() -> Result<(), Box<dyn std::error::Error>> {
        let email = Email::parse("bat@example.mn", "email")?;
        assert!(Password::parse("Tsagaan-Sar-2026!", "password", Some(&email)).is_ok());
        let reason =
            |p: &str| Password::parse(p, "password", Some(&email)).unwrap_err().fields()["password"][0].clone();
        assert_eq!(reason("short1!"), FieldError::from(Code::TooShort).with("min", 10));
        assert_eq!(reason("1234567890").code, Code::PasswordCommon);
        assert_eq!(reason("Password123").code, Code::PasswordCommon, "the check ignores case");
        assert_eq!(reason("qwertyuiop").code, Code::PasswordCommon);
        assert_eq!(reason("aaaaaaaaaaaa").code, Code::PasswordCommon);
        assert_eq!(reason("bat@example.mn!!").code, Code::PasswordHasEmail);
        assert_eq!(reason(&"x1".repeat(200)), FieldError::from(Code::TooLong).with("max", 256));
        assert!(!format!("{:?}", Password::parse("Tsagaan-Sar-2026!", "p", None)?).contains("Tsagaan"));
        Ok(())
    }

    #[test]
    fn the_common_list_is_loaded() {
        assert!(common_passwords().len() > 2000);
    }
}
