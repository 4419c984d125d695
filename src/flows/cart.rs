//! Opening a cart, adding to it, changing and taking out lines and codes: what `/cart` and
//! `/api/v1/carts…` share, on the writers' connections.
//! A line that carries a physical SIM's code is an attempt at guessing one, limited like sign-ins.
use std::sync::Arc;

use super::{throttle, Shop};
use crate::db::DbError;
use crate::domain::accounts::attempts::{Attempt, ClientIp};
use crate::domain::accounts::AccountError;
use crate::domain::cart::{commands, CartError, CartView, ItemInput};
use crate::domain::promotions::CouponRefusal;
use crate::domain::shared::{AccountId, CartId, CartItemId, Code};

/// Whether a refusal was about the typed code (a wrong or used one): only those count.
fn code_refused(result: &Result<CartView, CartError>) -> bool {
    match result {
        Err(CartError::SimCodeUsed) => true,
        Err(CartError::Invalid(e)) => {
            e.fields().get("activation_code").is_some_and(|v| v.iter().any(|m| m.code == Code::SimCodeWrong))
        }
        _ => false,
    }
}

/// Counting attempts fails only by being limited or by the database.
fn from_attempts(e: AccountError) -> CartError {
    match e {
        AccountError::Throttled { retry_after_secs } => CartError::Throttled { retry_after_secs },
        AccountError::Internal(db) => CartError::Internal(db),
        _ => CartError::Internal(DbError::Cancelled),
    }
}

/// Opens a cart: `owner`'s, or a guest's.
///
/// # Errors
/// A database failure.
pub async fn create_cart(shop: &Shop, owner: Option<AccountId>) -> Result<CartView, CartError> {
    let rules = shop.rules.clone();
    shop.db.write(move |conn| commands::create_cart(conn, owner, &rules)).await
}

/// Sets a line's quantity as typed.
///
/// # Errors
/// As `commands::set_quantity`.
pub async fn set_quantity(
    shop: &Shop,
    cart: CartId,
    caller: Option<AccountId>,
    item: CartItemId,
    quantity: Option<String>,
) -> Result<CartView, CartError> {
    let (rules, now) = (shop.rules.clone(), shop.now());
    shop.db.write(move |conn| commands::set_quantity(conn, cart, caller, item, quantity.as_deref(), &rules, now)).await
}

/// Takes a code off the cart.
///
/// # Errors
/// As `commands::remove_coupon`.
pub async fn remove_coupon(
    shop: &Shop,
    cart: CartId,
    caller: Option<AccountId>,
    code: String,
) -> Result<CartView, CartError> {
    let (rules, now) = (shop.rules.clone(), shop.now());
    shop.db.write(move |conn| commands::remove_coupon(conn, cart, caller, &code, &rules, now)).await
}

/// Adds a line to the cart `caller` may change.
///
/// # Errors
/// As `commands::add_item`, and `Throttled` after too many wrong SIM codes.
pub async fn add_item(
    shop: &Shop,
    cart: CartId,
    caller: Option<AccountId>,
    input: ItemInput,
    ip: ClientIp,
) -> Result<CartView, CartError> {
    let typed = input.activation_code.as_deref().is_some_and(|c| !c.trim().is_empty());
    let guess = typed.then(|| Attempt::sim_code(&guesser(cart, caller), ip, &shop.limits));
    let (rules, now, known) = (shop.rules.clone(), shop.now(), Arc::clone(&shop.products));
    let add = shop.db.write(move |conn| commands::add_item(conn, cart, caller, &input, &known, &rules, now));
    throttle::code_guess(shop, guess, add, code_refused).await.map_err(from_attempts)?
}

/// Who guesses: the customer, or a guest's cart.
fn guesser(cart: CartId, caller: Option<AccountId>) -> String {
    caller.map_or_else(|| format!("cart:{cart}"), |a| a.to_string())
}

/// Applies a coupon code to the cart `caller` may change. Unknown codes are guesses, limited
/// per shopper and address like sign-ins, so generated codes cannot be found by trying.
///
/// # Errors
/// As `commands::apply_coupon`, and `Throttled` after too many unknown codes.
pub async fn apply_coupon(
    shop: &Shop,
    cart: CartId,
    caller: Option<AccountId>,
    code: String,
    ip: ClientIp,
) -> Result<CartView, CartError> {
    let guess = (!code.trim().is_empty()).then(|| Attempt::coupon(&guesser(cart, caller), ip, &shop.limits));
    let (rules, now) = (shop.rules.clone(), shop.now());
    let apply = shop.db.write(move |conn| commands::apply_coupon(conn, cart, caller, &code, &rules, now));
    let unknown = |r: &Result<CartView, CartError>| matches!(r, Err(CartError::Coupon(CouponRefusal::Unknown)));
    throttle::code_guess(shop, guess, apply, unknown).await.map_err(from_attempts)?
}

/// Takes a line out of the cart (a held number is free at once).
///
/// # Errors
/// As `commands::remove_item`.
pub async fn remove_item(
    shop: &Shop,
    cart: CartId,
    caller: Option<AccountId>,
    item: CartItemId,
) -> Result<CartView, CartError> {
    let (rules, now) = (shop.rules.clone(), shop.now());
    shop.db.write(move |conn| commands::remove_item(conn, cart, caller, item, &rules, now)).await
}
