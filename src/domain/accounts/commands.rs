//! Account writes. Each public function opens its own transaction; password hashes are made
//! by the caller beforehand (hashing is slow and must not hold a connection).
use chrono::{DateTime, Utc};
use diesel::prelude::*;

use super::model::{AccountRow, NewAccountRow};
use super::queries::find_by_email;
use super::types::{Account, Email, Password, Role};
use super::AccountError;
use crate::db::schema::accounts;
use crate::domain::shared::AccountId;
use crate::domain::shared::FieldErrors;
use crate::domain::shared::{Code, FieldError};

/// Creates a staff account, or updates the role, password and (when given) name of the account
/// with that email; changing the password signs out its other sessions.
///
/// # Errors
/// A database error.
pub fn upsert_staff(
    conn: &mut PgConnection,
    email: &Email,
    password_hash: &str,
    role: Role,
    name: Option<&str>,
) -> Result<(Account, bool), AccountError> {
    conn.transaction(|conn| {
        if let Some(existing) = find_by_email(conn, email.as_str())? {
            let row: AccountRow = diesel::update(accounts::table.find(existing.id))
                .set((
                    accounts::role.eq(role),
                    accounts::password_hash.eq(password_hash),
                    accounts::name.eq(name.unwrap_or(&existing.name)),
                    accounts::session_epoch.eq(accounts::session_epoch + 1),
                    accounts::updated_at.eq(diesel::dsl::now),
                ))
                .returning(AccountRow::as_returning())
                .get_result(conn)?;
            return Ok((row.into_account(), false));
        }
        let row: AccountRow = diesel::insert_into(accounts::table)
            .values(NewAccountRow { email: email.as_str(), name: name.unwrap_or(""), password_hash, role })
            .returning(AccountRow::as_returning())
            .get_result(conn)?;
        Ok((row.into_account(), true))
    })
}

/// A shopper's registration, parsed.
#[derive(Debug)]
pub struct Register {
    pub email: Email,
    pub name: String,
    pub password_hash: String,
}

/// What a new customer gives, parsed: the one parser for the registration page and the API.
#[derive(Debug)]
pub struct Registration {
    pub email: Email,
    pub name: String,
    pub password: Password,
}

impl Registration {
    /// Every field is checked, and every error reported at once (`is required` for a missing one).
    ///
    /// # Errors
    /// Field errors on `email`, `name` and `password`.
    pub fn parse(email: Option<&str>, name: Option<&str>, password: Option<&str>) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let mut field = |raw: Option<&str>, name: &str| match raw {
            Some(v) if !v.trim().is_empty() => Some(v.to_string()),
            _ => {
                errors.add(name, Code::Required);
                None
            }
        };
        let (raw_email, raw_name, raw_password) =
            (field(email, "email"), field(name, "name"), field(password, "password"));
        let email = raw_email.and_then(|e| Email::parse(&e, "email").map_err(|e| errors.extend(e)).ok());
        let name = raw_name.and_then(|n| parse_name(&n, "name").map_err(|e| errors.extend(e)).ok());
        let password = raw_password
            .and_then(|p| Password::parse(&p, "password", email.as_ref()).map_err(|e| errors.extend(e)).ok());
        match (email, name, password) {
            (Some(email), Some(name), Some(password)) if errors.is_empty() => Ok(Self { email, name, password }),
            _ => Err(errors),
        }
    }
}

/// Parses a display name: trimmed, 1 to 200 characters, no control characters.
///
/// # Errors
/// A field error on `field`.
pub fn parse_name(raw: &str, field: &str) -> Result<String, FieldErrors> {
    let name = raw.trim();
    if name.is_empty() {
        return Err(FieldErrors::single(field, Code::Required));
    }
    if name.chars().count() > 200 || name.chars().any(char::is_control) {
        return Err(FieldErrors::single(field, FieldError::from(Code::TooLong).with("max", 200)));
    }
    Ok(name.to_string())
}

/// Creates a customer account.
///
/// # Errors
/// `EmailTaken` when an account with that email exists.
pub fn register(conn: &mut PgConnection, input: &Register) -> Result<Account, AccountError> {
    let row: Option<AccountRow> = diesel::insert_into(accounts::table)
        .values(NewAccountRow {
            email: input.email.as_str(),
            name: &input.name,
            password_hash: &input.password_hash,
            role: Role::Customer,
        })
        .on_conflict(accounts::email)
        .do_nothing()
        .returning(AccountRow::as_returning())
        .get_result(conn)
        .optional()?;
    row.map(AccountRow::into_account).ok_or(AccountError::EmailTaken)
}

/// Ends every session and token of an account: bumps its session epoch (older cookies stop
/// working) and revokes its API tokens, in one transaction.
///
/// # Errors
/// `NotFound` when there is no such account.
pub fn sign_out_everywhere(
    conn: &mut PgConnection,
    account_id: AccountId,
    now: DateTime<Utc>,
) -> Result<(), AccountError> {
    conn.transaction(|conn| {
        let n = diesel::update(accounts::table.find(account_id))
            .set((accounts::session_epoch.eq(accounts::session_epoch + 1), accounts::updated_at.eq(diesel::dsl::now)))
            .execute(conn)?;
        if n == 0 {
            return Err(AccountError::NotFound);
        }
        super::tokens::revoke_all(conn, account_id, now)?;
        super::sessions::end_all(conn, account_id, now)?;
        Ok(())
    })
}

/// Renames the account.
///
/// # Errors
/// `NotFound` when there is no such account.
pub fn rename(conn: &mut PgConnection, account_id: AccountId, name: &str) -> Result<Account, AccountError> {
    diesel::update(accounts::table.find(account_id))
        .set((accounts::name.eq(name), accounts::updated_at.eq(diesel::dsl::now)))
        .returning(AccountRow::as_returning())
        .get_result(conn)
        .optional()?
        .map(AccountRow::into_account)
        .ok_or(AccountError::NotFound)
}

/// Sets a new password (already checked and hashed by the caller): other sessions end (the
/// epoch moves on) and every API token is revoked. Returns the account with its new epoch,
/// so the caller can keep its own session.
///
/// # Errors
/// `NotFound` when there is no such account.
pub fn change_password(
    conn: &mut PgConnection,
    account_id: AccountId,
    password_hash: &str,
    now: DateTime<Utc>,
) -> Result<Account, AccountError> {
    conn.transaction(|conn| {
        let row: AccountRow = diesel::update(accounts::table.find(account_id))
            .set((
                accounts::password_hash.eq(password_hash),
                accounts::session_epoch.eq(accounts::session_epoch + 1),
                accounts::updated_at.eq(diesel::dsl::now),
            ))
            .returning(AccountRow::as_returning())
            .get_result(conn)
            .optional()?
            .ok_or(AccountError::NotFound)?;
        super::tokens::revoke_all(conn, account_id, now)?;
        Ok(row.into_account())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_registration_reports_every_field_at_once() {
        let errors = Registration::parse(None, Some("  "), Some("short")).err().unwrap_or_default();
        assert_eq!(errors.fields()["email"], [Code::Required.into()]);
        assert_eq!(errors.fields()["name"], [Code::Required.into()]);
        assert_eq!(errors.fields()["password"][0].code, Code::TooShort);
        let errors =
            Registration::parse(Some("bat"), Some("Бат"), Some("bat@example.mn-long")).err().unwrap_or_default();
        assert!(errors.fields().contains_key("email") && !errors.fields().contains_key("name"));
    }

    #[test]
    fn a_good_registration_is_parsed() -> Result<(), FieldErrors> {
        let r = Registration::parse(Some(" Bat@Example.MN "), Some(" Бат "), Some("Tsagaan-Sar-2026!"))?;
        assert_eq!((r.email.as_str(), r.name.as_str()), ("bat@example.mn", "Бат"));
        Ok(())
    }
}
