//! Password reset: a link mailed to the account's address that works once, for an hour from
//! when it is sent. Asking for one answers the same whether or not the address has an account.
//! The link is minted by the mail as it goes out (`issue`), so a mail sent again after an
//! outage carries a link that works, and no secret waits in the queue.
use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;

use super::model::AccountRow;
use super::queries::{find_account, find_by_email};
use super::tokens::{digest, random_secret, revoke_all};
use super::types::Account;
use super::AccountError;
use crate::db::schema::{accounts, password_resets};
use crate::domain::jobs;
use crate::domain::mails::PasswordResetMail;
use crate::domain::shared::AccountId;
use crate::domain::shared::Lang;

pub const RESET_LIFETIME: Duration = Duration::hours(1);

/// Starts a reset for `email` (normalised) if it names an account: queues the mail that will
/// carry the link. Returns whether a mail was queued.
///
/// # Errors
/// A database error.
pub fn request(conn: &mut PgConnection, email: &str, lang: Lang, now: DateTime<Utc>) -> Result<bool, AccountError> {
    let Some(account) = find_by_email(conn, email)? else { return Ok(false) };
    let mail = PasswordResetMail { account_id: account.id, to: account.email, lang };
    jobs::enqueue_job(conn, &mail, now)?;
    Ok(true)
}

/// A reset link as a mail carries it: the account as it is now, and the link's secret.
pub struct ResetLink {
    pub account: Account,
    pub token: String,
}

impl std::fmt::Debug for ResetLink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ResetLink").field("account", &self.account.id).finish_non_exhaustive()
    }
}

/// A new link for `account`, working for an hour from `now`; `None` when the account is gone.
///
/// # Errors
/// A database error.
pub fn issue(
    conn: &mut PgConnection,
    account: AccountId,
    now: DateTime<Utc>,
) -> Result<Option<ResetLink>, AccountError> {
    let Some(account) = find_account(conn, account)? else { return Ok(None) };
    let token = random_secret()?;
    diesel::insert_into(password_resets::table)
        .values((
            password_resets::account_id.eq(account.id),
            password_resets::token_hash.eq(digest(&token)),
            password_resets::created_at.eq(now),
            password_resets::expires_at.eq(now + RESET_LIFETIME),
        ))
        .execute(conn)?;
    Ok(Some(ResetLink { account, token }))
}

/// Takes back a link whose mail could not be sent.
///
/// # Errors
/// A database error.
pub fn withdraw(conn: &mut PgConnection, token: &str) -> Result<(), AccountError> {
    diesel::delete(password_resets::table.filter(password_resets::token_hash.eq(digest(token)))).execute(conn)?;
    Ok(())
}

/// Whether a reset link still works (unused, not expired).
pub fn is_valid(conn: &mut PgConnection, token: &str, now: DateTime<Utc>) -> Result<bool, AccountError> {
    let live = password_resets::table
        .filter(password_resets::token_hash.eq(digest(token)))
        .filter(password_resets::used_at.is_null())
        .filter(password_resets::expires_at.gt(now))
        .select(password_resets::id);
    Ok(diesel::select(diesel::dsl::exists(live)).get_result(conn)?)
}

/// Uses a reset link: sets the new password, spends this and every other open link of the
/// account, and ends its other sessions and API tokens.
///
/// # Errors
/// `ResetInvalid` when the link is unknown, used or expired (also when two tabs race: only
/// one wins).
pub fn complete(
    conn: &mut PgConnection,
    token: &str,
    password_hash: &str,
    now: DateTime<Utc>,
) -> Result<Account, AccountError> {
    conn.transaction(|conn| {
        // Spending the link is one conditional update, so of two racing tabs only one wins.
        let account_id: AccountId = diesel::update(password_resets::table)
            .filter(password_resets::token_hash.eq(digest(token)))
            .filter(password_resets::used_at.is_null())
            .filter(password_resets::expires_at.gt(now))
            .set(password_resets::used_at.eq(now))
            .returning(password_resets::account_id)
            .get_result(conn)
            .optional()?
            .ok_or(AccountError::ResetInvalid)?;
        diesel::update(password_resets::table.filter(password_resets::account_id.eq(account_id)))
            .filter(password_resets::used_at.is_null())
            .set(password_resets::used_at.eq(now))
            .execute(conn)?;
        let row: AccountRow = diesel::update(accounts::table.find(account_id))
            .set((
                accounts::password_hash.eq(password_hash),
                accounts::session_epoch.eq(accounts::session_epoch + 1),
                accounts::updated_at.eq(now),
            ))
            .returning(AccountRow::as_returning())
            .get_result(conn)?;
        revoke_all(conn, account_id, now)?;
        Ok(row.into_account())
    })
}
