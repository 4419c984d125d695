//! Browser sessions the server knows: the cookie carries a random secret and the database its
//! digest, so signing out ends a session for good (a copied cookie stops working) and a
//! session lives at most `SESSION_LIFETIME`, whatever the cookie claims.
use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;

use super::model::AccountRow;
use super::tokens::{digest, random_secret};
use super::types::Account;
use super::AccountError;
use crate::db::schema::{accounts, browser_sessions};
use crate::domain::shared::AccountId;

/// How long a browser session lasts from sign-in.
pub const SESSION_LIFETIME: Duration = Duration::days(14);

/// A session's secret, as the cookie carries it; never printed.
#[derive(Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct SessionSecret(String);

impl std::fmt::Debug for SessionSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SessionSecret(***)")
    }
}

/// Starts a session for `account`.
///
/// # Errors
/// A database failure, or no randomness.
pub fn start(conn: &mut PgConnection, account: AccountId, now: DateTime<Utc>) -> Result<SessionSecret, AccountError> {
    let secret = random_secret()?;
    diesel::insert_into(browser_sessions::table)
        .values((
            browser_sessions::secret_hash.eq(digest(&secret)),
            browser_sessions::account_id.eq(account),
            browser_sessions::created_at.eq(now),
            browser_sessions::expires_at.eq(now + SESSION_LIFETIME),
        ))
        .execute(conn)?;
    Ok(SessionSecret(secret))
}

/// The account of a live session (not ended, not past its lifetime).
///
/// # Errors
/// A database failure.
pub fn account_of(
    conn: &mut PgConnection,
    secret: &SessionSecret,
    now: DateTime<Utc>,
) -> Result<Option<Account>, AccountError> {
    Ok(browser_sessions::table
        .inner_join(accounts::table)
        .filter(browser_sessions::secret_hash.eq(digest(&secret.0)))
        .filter(browser_sessions::ended_at.is_null())
        .filter(browser_sessions::expires_at.gt(now))
        .filter(accounts::disabled_at.is_null())
        .select(AccountRow::as_select())
        .first(conn)
        .optional()?
        .map(AccountRow::into_account))
}

/// Ends one session (signing out). Ending it twice changes nothing.
///
/// # Errors
/// A database failure.
pub fn end(conn: &mut PgConnection, secret: &SessionSecret, now: DateTime<Utc>) -> Result<(), AccountError> {
    diesel::update(browser_sessions::table.find(digest(&secret.0)))
        .filter(browser_sessions::ended_at.is_null())
        .set(browser_sessions::ended_at.eq(now))
        .execute(conn)?;
    Ok(())
}

/// Ends every session of an account (signed out everywhere, password changed or reset).
///
/// # Errors
/// A database failure.
pub fn end_all(conn: &mut PgConnection, account: AccountId, now: DateTime<Utc>) -> Result<usize, AccountError> {
    Ok(diesel::update(browser_sessions::table.filter(browser_sessions::account_id.eq(account)))
        .filter(browser_sessions::ended_at.is_null())
        .set(browser_sessions::ended_at.eq(now))
        .execute(conn)?)
}
