//! Account reads.
use diesel::prelude::*;

use super::model::AccountRow;
use super::types::Account;
use super::AccountError;
use crate::db::schema::accounts;
use crate::domain::shared::AccountId;

impl AccountRow {
    pub(super) fn into_account(self) -> Account {
        Account { id: self.id, email: self.email, name: self.name, role: self.role, session_epoch: self.session_epoch }
    }
}

/// The account with `id`, if any.
pub fn find_account(conn: &mut PgConnection, id: AccountId) -> Result<Option<Account>, AccountError> {
    Ok(accounts::table.find(id).select(AccountRow::as_select()).first(conn).optional()?.map(AccountRow::into_account))
}

/// The account with `email` and its stored password hash, for a sign-in to check.
pub fn credentials(conn: &mut PgConnection, email: &str) -> Result<Option<(Account, String)>, AccountError> {
    // A disabled account is checked like an unknown one: the same decoy work, then refused.
    let enabled: Option<AccountRow> = accounts::table
        .filter(accounts::email.eq(email).and(accounts::disabled_at.is_null()))
        .select(AccountRow::as_select())
        .first(conn)
        .optional()?;
    Ok(enabled.map(|row| {
        let hash = row.password_hash.clone();
        (row.into_account(), hash)
    }))
}

/// The account with `email` (already normalised) and its stored hash, if any.
pub(super) fn find_by_email(conn: &mut PgConnection, email: &str) -> Result<Option<AccountRow>, AccountError> {
    Ok(accounts::table.filter(accounts::email.eq(email)).select(AccountRow::as_select()).first(conn).optional()?)
}

/// The stored password hash of an account, to check its current password.
pub fn password_hash(conn: &mut PgConnection, id: AccountId) -> Result<Option<String>, AccountError> {
    Ok(accounts::table.find(id).select(accounts::password_hash).first(conn).optional()?)
}

/// The email of an account that must exist (the signed-in caller's).
///
/// # Errors
/// A database failure, or `NotFound` as a query error for an account that is gone.
pub fn email_of(conn: &mut PgConnection, id: AccountId) -> Result<String, crate::db::DbError> {
    Ok(accounts::table.find(id).select(accounts::email).first(conn)?)
}
