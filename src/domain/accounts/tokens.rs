//! Opaque bearer tokens: 32 random bytes shown once to the client, kept only as a SHA-256.
//! They expire, and signing out or changing the password revokes them.
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use sha2::{Digest, Sha256};

use super::model::AccountRow;
use super::types::Account;
use super::AccountError;
use crate::db::schema::{accounts, api_tokens};
use crate::domain::shared::AccountId;

/// How long a token works.
pub const TOKEN_LIFETIME: Duration = Duration::days(30);

/// A token as handed to the client, once.
#[derive(Debug)]
pub struct IssuedToken {
    pub token: String,
    pub expires_at: DateTime<Utc>,
}

/// 32 bytes from the operating system's generator, as URL-safe base64.
///
/// # Errors
/// `Hashing` when the system has no randomness to give (never on a working machine).
pub fn random_secret() -> Result<String, AccountError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| AccountError::Hashing(e.to_string()))?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

pub fn digest(secret: &str) -> Vec<u8> {
    Sha256::digest(secret.as_bytes()).to_vec()
}

/// Issues a new token for `account_id`.
///
/// # Errors
/// A database error.
pub fn issue(conn: &mut PgConnection, account_id: AccountId, now: DateTime<Utc>) -> Result<IssuedToken, AccountError> {
    let token = random_secret()?;
    let expires_at = now + TOKEN_LIFETIME;
    diesel::insert_into(api_tokens::table)
        .values((
            api_tokens::account_id.eq(account_id),
            api_tokens::token_hash.eq(digest(&token)),
            api_tokens::created_at.eq(now),
            api_tokens::expires_at.eq(expires_at),
        ))
        .execute(conn)?;
    Ok(IssuedToken { token, expires_at })
}

/// The account a live (unexpired, unrevoked) token belongs to.
pub fn authenticate(conn: &mut PgConnection, token: &str, now: DateTime<Utc>) -> Result<Option<Account>, AccountError> {
    Ok(api_tokens::table
        .inner_join(accounts::table)
        .filter(api_tokens::token_hash.eq(digest(token)))
        .filter(api_tokens::revoked_at.is_null())
        .filter(api_tokens::expires_at.gt(now))
        .filter(accounts::disabled_at.is_null())
        .select(AccountRow::as_select())
        .first(conn)
        .optional()?
        .map(AccountRow::into_account))
}

/// Revokes one token (signing out of that client). Revoking twice changes nothing.
pub fn revoke(conn: &mut PgConnection, token: &str, now: DateTime<Utc>) -> Result<bool, AccountError> {
    let n = diesel::update(api_tokens::table.filter(api_tokens::token_hash.eq(digest(token))))
        .filter(api_tokens::revoked_at.is_null())
        .set(api_tokens::revoked_at.eq(now))
        .execute(conn)?;
    Ok(n > 0)
}

/// Revokes every live token of an account (password changed, signed out everywhere).
pub fn revoke_all(conn: &mut PgConnection, account_id: AccountId, now: DateTime<Utc>) -> Result<usize, AccountError> {
    Ok(diesel::update(api_tokens::table.filter(api_tokens::account_id.eq(account_id)))
        .filter(api_tokens::revoked_at.is_null())
        .set(api_tokens::revoked_at.eq(now))
        .execute(conn)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_random_and_digests_fixed_length() -> Result<(), Box<dyn std::error::Error>> {
        let a = random_secret()?;
        let b = random_secret()?;
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        assert_eq!(digest(&a).len(), 32);
        assert_eq!(digest(&a), digest(&a));
        Ok(())
    }
}
