//! The configured rate limits, applied to an attempt before its slow work (a password check).
use super::Shop;
use crate::domain::accounts::attempts::{self, Attempt, Verdict};
use crate::domain::accounts::AccountError;

/// Reserves a place for the attempt.
///
/// # Errors
/// `Throttled` with the seconds to wait; a database failure.
pub async fn reserve(shop: &Shop, attempt: &Attempt) -> Result<i64, AccountError> {
    let a = attempt.clone();
    let now = shop.now();
    match shop.db.write(move |conn| attempts::reserve(conn, &a, now)).await? {
        Verdict::Allowed(id) => Ok(id),
        Verdict::Limited { retry_after_secs } => Err(AccountError::Throttled { retry_after_secs }),
    }
}

/// The reserved attempt succeeded: the account's failures are forgiven.
///
/// # Errors
/// A database failure.
pub async fn forgive(shop: &Shop, attempt: &Attempt, id: i64) -> Result<(), AccountError> {
    let a = attempt.clone();
    shop.db.write(move |conn| attempts::succeeded(conn, &a, id)).await
}

/// Runs `attempt` as a guess of a secret code (a physical SIM's, a coupon's) when `guess` names
/// one: limited like sign-ins, and counted only when `wrong` says the code was refused (a right
/// code, or a refusal for another reason, is settled).
///
/// # Errors
/// `Throttled` before the attempt runs; a database failure. The attempt's own result is inside.
pub async fn code_guess<T, E>(
    shop: &Shop,
    guess: Option<Attempt>,
    attempt: impl std::future::Future<Output = Result<T, E>>,
    wrong: impl Fn(&Result<T, E>) -> bool,
) -> Result<Result<T, E>, AccountError> {
    let reserved = match &guess {
        Some(a) => Some(reserve(shop, a).await?),
        None => None,
    };
    let result = attempt.await;
    if let Some(id) = reserved.filter(|_| !wrong(&result)) {
        shop.db.write(move |conn| attempts::settle(conn, id)).await?;
    }
    Ok(result)
}
