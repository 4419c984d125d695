//! Signing in (for a session or a bearer token), registering and changing a password: the
//! sequences `/login`, `/register`, `/account` and `/api/v1/auth/*`, `/api/v1/me/password` share.
use super::{throttle, Shop};
use crate::domain::accounts::attempts::{Attempt, ClientIp};
use crate::domain::accounts::commands::{self, Register, Registration};
use crate::domain::accounts::sessions::{self, SessionSecret};
use crate::domain::accounts::tokens::{self, IssuedToken};
use crate::domain::accounts::{password, queries, Account, AccountError, Email, Password};
use crate::domain::shared::FieldErrors;
use crate::domain::shared::{AccountId, Code};

/// Throttle, look the email up, verify the password (against a decoy when the email is
/// unknown, and even when the password is empty, so every refusal costs the same work), and
/// on success forgive the account's earlier failures.
///
/// # Errors
/// `Throttled`, `WrongCredentials`, or a failure on our side.
pub async fn sign_in(shop: &Shop, email: &str, password: String, ip: ClientIp) -> Result<Account, AccountError> {
    let email = email.trim().to_lowercase();
    // The attempt counts against the email without its control characters, which PostgreSQL
    // could not store (a NUL) and no account's email holds.
    let attempt = Attempt::login(&email.replace(char::is_control, ""), ip, &shop.limits);
    let reserved = throttle::reserve(shop, &attempt).await?;
    // No account's email holds a control character (and PostgreSQL refuses a NUL in text): such
    // an email names nobody, and costs the same decoy check as any unknown one.
    let found = if email.chars().any(char::is_control) {
        None
    } else {
        shop.db.run(move |conn| queries::credentials(conn, &email)).await?
    };
    let (account, hash) = found.map_or((None, None), |(a, h)| (Some(a), Some(h)));
    let ok = shop.password_work.run(move || password::check(hash.as_deref(), &password)).await?;
    let account = account.filter(|_| ok).ok_or(AccountError::WrongCredentials)?;
    throttle::forgive(shop, &attempt, reserved).await?;
    Ok(account)
}

/// `sign_in`, then a bearer token for the account.
///
/// # Errors
/// As `sign_in`.
pub async fn issue_token(
    shop: &Shop,
    email: &str,
    password: String,
    ip: ClientIp,
) -> Result<(Account, IssuedToken), AccountError> {
    let account = sign_in(shop, email, password, ip).await?;
    let (id, now) = (account.id, shop.now());
    let issued = shop.db.write(move |conn| tokens::issue(conn, id, now)).await?;
    Ok((account, issued))
}

/// Throttle by address, hash the password off the async threads, create the customer.
///
/// # Errors
/// `Throttled`, `EmailTaken`, or a failure on our side.
pub async fn register(shop: &Shop, input: Registration, ip: ClientIp) -> Result<Account, AccountError> {
    throttle::reserve(shop, &Attempt::register(ip, &shop.limits)).await?;
    let Registration { email, name, password } = input;
    let password_hash = shop.password_work.run(move || password::hash(password.expose())).await??;
    shop.db.write(move |conn| commands::register(conn, &Register { email, name, password_hash })).await
}

/// Check the new password against the policy and the current one against the stored hash
/// (throttled like signing in, so a stolen session cannot guess it), then store the new hash;
/// every other session and token of the account ends.
///
/// # Errors
/// `Invalid` on `new_password` (the policy) or `current_password` (not the current one);
/// `Throttled`.
pub async fn change_password(
    shop: &Shop,
    account: &Account,
    current: String,
    new: String,
    ip: ClientIp,
) -> Result<Account, AccountError> {
    let email = Email::parse(&account.email, "email").ok();
    let new = Password::parse(&new, "new_password", email.as_ref())?;
    let id = account.id;
    let attempt = Attempt::password_change(id, ip, &shop.limits);
    let reserved = throttle::reserve(shop, &attempt).await?;
    let stored = shop.db.run(move |conn| queries::password_hash(conn, id)).await?;
    let ok = shop.password_work.run(move || password::check(stored.as_deref(), &current)).await?;
    if !ok {
        return Err(FieldErrors::single("current_password", Code::NotCurrentPassword).into());
    }
    throttle::forgive(shop, &attempt, reserved).await?;
    let hash = shop.password_work.run(move || password::hash(new.expose())).await??;
    let now = shop.now();
    shop.db.write(move |conn| commands::change_password(conn, id, &hash, now)).await
}

/// A browser session for a signed-in account, known to the server so signing out ends it.
///
/// # Errors
/// A failure on our side.
pub async fn start_session(shop: &Shop, account: AccountId) -> Result<SessionSecret, AccountError> {
    let now = shop.now();
    shop.db.write(move |conn| sessions::start(conn, account, now)).await
}

/// Ends a browser session (signing out); a copy of its cookie no longer works.
///
/// # Errors
/// A failure on our side.
pub async fn end_session(shop: &Shop, secret: SessionSecret) -> Result<(), AccountError> {
    let now = shop.now();
    shop.db.write(move |conn| sessions::end(conn, &secret, now)).await
}
