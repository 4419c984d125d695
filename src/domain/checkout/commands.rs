//! `place_order`: one transaction from cart to order.
use std::collections::BTreeMap;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Integer, Uuid as SqlUuid};
use uuid::Uuid;

use super::types::{FulfillmentInput, PlaceOrder, Placed};
use super::CheckoutError;
use crate::db::schema::branches;
use crate::db::{prepared, WithWrites};
use crate::domain::accounts::{self, addresses, Email};
use crate::domain::cart::{self, rules, CartLine};
use crate::domain::catalog::ProductKind;
use crate::domain::idempotency::{self, IdempotencyKey, Once, Refusals, Scope};
use crate::domain::mails::OrderNews;
use crate::domain::orders::{self, DeliveryAddress, NewFulfillment, NewOrder, OrderToken};
use crate::domain::payments::attempts;
use crate::domain::promotions;
use crate::domain::shared::{AccountId, CartId, OrderId, ProductId};
use crate::domain::shared::{Code, FieldError, FieldErrors, Money, ShopRules};
use crate::domain::telco::{self, Activation};

fn parse_choice(
    conn: &mut PgConnection,
    input: &FulfillmentInput,
    caller: Option<AccountId>,
) -> Result<NewFulfillment, CheckoutError> {
    let method = input.method.as_deref().map(str::trim).unwrap_or("");
    match method {
        "delivery" => {
            let from_book = input.address_id.as_deref().map(str::trim).filter(|s| !s.is_empty());
            let address = match (from_book, caller) {
                (Some(id), Some(owner)) => {
                    let saved = match Uuid::parse_str(id) {
                        Ok(id) => addresses::find(conn, owner, id)?,
                        Err(_) => None,
                    };
                    let saved =
                        saved.ok_or_else(|| FieldErrors::single("fulfillment.address_id", Code::NotYourAddress))?;
                    DeliveryAddress::from(saved)
                }
                _ => {
                    let typed = input.address.clone().unwrap_or_default().parse().map_err(|e| {
                        let mut prefixed = FieldErrors::new();
                        for (field, messages) in e.fields() {
                            for m in messages {
                                prefixed.add(&format!("fulfillment.address.{field}"), m.clone());
                            }
                        }
                        prefixed
                    })?;
                    DeliveryAddress::from(typed)
                }
            };
            let warehouse: Uuid = branches::table
                .filter(branches::delivery_warehouse.eq(true))
                .select(branches::id)
                .first(conn)
                .optional()?
                .ok_or_else(|| FieldErrors::single("fulfillment.method", Code::NoDelivery))?;
            Ok(NewFulfillment::Delivery { address, warehouse })
        }
        "pickup" => {
            let branch = input
                .branch_id
                .as_deref()
                .and_then(|s| Uuid::parse_str(s.trim()).ok())
                .ok_or_else(|| FieldErrors::single("fulfillment.branch_id", Code::ChooseBranch))?;
            let offers_pickup: Option<bool> =
                branches::table.find(branch).select(branches::pickup).first(conn).optional()?;
            if offers_pickup != Some(true) {
                return Err(FieldErrors::single("fulfillment.branch_id", Code::NotPickupBranch).into());
            }
            Ok(NewFulfillment::Pickup { branch })
        }
        "" => Err(FieldErrors::single("fulfillment.method", Code::ChooseMethod).into()),
        _ => Err(FieldErrors::single("fulfillment.method", Code::Method).into()),
    }
}

/// Takes the devices of an order from one branch: one conditional statement per product (lines
/// of one product added up first), in product order so concurrent orders never deadlock. The
/// database refuses to go below zero; a product short of stock fails the whole order.
fn reserve(conn: &mut PgConnection, lines: &[CartLine], branch: Uuid) -> Result<(), CheckoutError> {
    let mut wanted: BTreeMap<ProductId, (i32, &str)> = BTreeMap::new();
    for line in lines.iter().filter(|l| l.kind.is_physical()) {
        let entry = wanted.entry(line.product_id).or_insert((0, line.name.en.as_str()));
        entry.0 += line.quantity;
    }
    for (product, (quantity, name)) in wanted {
        let taken = prepared(
            "UPDATE stock SET quantity = quantity - $3, updated_at = now() \
             WHERE product_id = $1 AND branch_id = $2 AND quantity >= $3",
        )
        .bind::<SqlUuid, _>(product)
        .bind::<SqlUuid, _>(branch)
        .bind::<Integer, _>(quantity)
        .execute(conn)?;
        if taken == 0 {
            return Err(CheckoutError::OutOfStock(name.to_string()));
        }
    }
    Ok(())
}

/// Takes what the order's number lines need, for the order: each number (still this cart's, or
/// free again), the SIM card whose code was typed, an eSIM profile from the pool; and a new
/// profile for each eSIM re-issue of a number the customer has on an eSIM.
fn take_numbers(
    conn: &mut PgConnection,
    lines: &[CartLine],
    caller: Option<AccountId>,
    cart: CartId,
    order: OrderId,
    shop: &ShopRules,
    now: DateTime<Utc>,
) -> Result<(), CheckoutError> {
    for line in lines.iter().filter(|l| l.kind == ProductKind::Service) {
        // An eSIM re-issue is for a number the customer has on an eSIM; it takes a new profile.
        let (Some(msisdn), Some(owner)) = (&line.msisdn, caller) else { continue };
        if !telco::owned::owns_esim(conn, owner, msisdn)? {
            return Err(FieldErrors::single("msisdn", Code::NotYourEsim).into());
        }
        if !telco::sims::reserve_esim(conn, order, msisdn, now)? {
            return Err(CheckoutError::OutOfStock(line.name.en.clone()));
        }
    }
    for line in lines {
        let Some(number) = &line.number else { continue };
        if !telco::lifecycle::reserve(conn, number, cart, order, now + shop.activation_window, now)? {
            return Err(CheckoutError::NumberLost(number.as_str().to_string()));
        }
        if let Some(card) = line.sim_card {
            if !telco::sims::reserve_card(conn, card, order, number, now)? {
                return Err(CheckoutError::SimCodeUsed);
            }
        }
        if line.activation == Some(Activation::Esim) && !telco::sims::reserve_esim(conn, order, number, now)? {
            return Err(CheckoutError::OutOfStock(line.name.en.clone()));
        }
    }
    Ok(())
}

/// Places an order from an open cart: prices every line from the catalog, checks what the cart
/// needs (a customer for numbers and services, an email for guests, delivery or pickup for
/// goods), reserves the devices at the branch they will come from, records the order (awaiting
/// payment until `now + order_expiry`) and its first payment attempt, closes the cart and queues
/// the confirmation mail, all in one transaction.
///
/// # Errors
/// `Cart(NotFound | Closed)`, `Invalid` per field (an empty cart is `cart`), `AccountRequired`,
/// `ProductUnavailable`, `OutOfStock`.
pub fn place_order(
    conn: &mut PgConnection,
    input: &PlaceOrder,
    provider: &str,
    shop: &ShopRules,
    now: DateTime<Utc>,
) -> Result<Placed, CheckoutError> {
    conn.transaction(|conn| Ok(place_in(conn, input, provider, shop, now, None)?.send(conn)?))
}

/// A guest's link, sealed under the idempotency key for the stored answer.
fn seal(link: &OrderToken, key: &IdempotencyKey, scope: Scope) -> Option<String> {
    link.bytes().map(|bytes| URL_SAFE_NO_PAD.encode(key.seal(scope, &bytes)))
}

/// The link a stored answer keeps sealed, opened with the retry's key.
fn unseal(sealed: &str, key: &IdempotencyKey, scope: Scope) -> Option<OrderToken> {
    let bytes: [u8; 32] = URL_SAFE_NO_PAD.decode(sealed).ok()?.try_into().ok()?;
    Some(OrderToken::from_bytes(&key.seal(scope, &bytes)))
}

/// `place_order` in the caller's transaction, but for its last writes (the first payment
/// attempt and the confirmation mail), left to be sent with whatever else commits with them.
fn place_in(
    conn: &mut PgConnection,
    input: &PlaceOrder,
    provider: &str,
    shop: &ShopRules,
    now: DateTime<Utc>,
    once: Option<(&IdempotencyKey, Scope)>,
) -> Result<WithWrites<Placed>, CheckoutError> {
    let cart::commands::CheckedOut { mut lines, coupon_ids } =
        cart::commands::check_out(conn, input.cart_id, input.caller, now)?;
    if lines.is_empty() {
        return Err(FieldErrors::single("cart", Code::CartEmpty).into());
    }
    if let Some(gone) = lines.iter().find(|l| !l.active) {
        return Err(CheckoutError::ProductUnavailable(gone.name.en.clone()));
    }
    let needs_account =
        lines.iter().any(|l| matches!(l.kind, ProductKind::Number | ProductKind::Esim | ProductKind::Service));
    if needs_account && input.caller.is_none() {
        return Err(CheckoutError::AccountRequired);
    }
    // Every missing or wrong field is reported at once.
    let mut errors = FieldErrors::new();
    let email = match input.caller {
        Some(id) => Some(accounts::queries::email_of(conn, id)?),
        None => match input.email.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => {
                errors.add("email", Code::EmailForOrder);
                None
            }
            Some(raw) => Email::parse(raw, "email").map(|e| e.as_str().to_string()).map_err(|e| errors.extend(e)).ok(),
        },
    };
    let needs_shipping = lines.iter().any(|l| l.kind.is_physical());
    let fulfillment = if needs_shipping {
        match parse_choice(conn, &input.fulfillment, input.caller) {
            Ok(c) => Some(c),
            Err(CheckoutError::Invalid(e)) => {
                errors.extend(e);
                None
            }
            Err(other) => return Err(other),
        }
    } else {
        Some(NewFulfillment::Nothing)
    };
    let (Some(email), Some(fulfillment)) = (email, fulfillment) else { return Err(errors.into()) };
    errors.into_result()?;
    // The codes are weighed again under their campaigns' locks (taken before any stock, in
    // campaign order), so the limit and the budget are read by one order at a time.
    let coupons = promotions::queries::code_terms(conn, &coupon_ids, input.caller, true)?;
    let discounts = cart::queries::weigh_codes(&coupons, &lines, input.caller, now);
    if let Some((_, refusal)) = discounts.first_refusal() {
        return Err(CheckoutError::Coupon(refusal));
    }
    for (line, share) in lines.iter_mut().zip(&discounts.per_line) {
        line.discount = *share;
    }
    let subtotal = Money::mnt(lines.iter().map(|l| l.total.amount()).sum());
    let (branch, shipping) = match &fulfillment {
        NewFulfillment::Nothing => (None, Money::ZERO),
        NewFulfillment::Delivery { warehouse, .. } => (Some(*warehouse), rules::delivery_fee(subtotal, shop)),
        NewFulfillment::Pickup { branch } => (Some(*branch), Money::ZERO),
    };
    if let Some(branch) = branch {
        reserve(conn, &lines, branch)?;
    }
    let numbers = lines.iter().filter(|l| l.number.is_some()).count() as i64;
    if let (Some(owner), true) = (input.caller, numbers > 0) {
        // Two carts of one customer checked out at once are counted one after the other.
        telco::lifecycle::lock_owner(conn, owner)?;
        if telco::lifecycle::count_of(conn, owner)? + numbers > shop.max_numbers_per_person {
            return Err(FieldErrors::single(
                "cart",
                FieldError::from(Code::TooManyNumbers).with("max", shop.max_numbers_per_person),
            )
            .into());
        }
    }
    // A guest follows the order by its link; a customer signs in.
    let link = match input.caller {
        None => Some(OrderToken::random().map_err(|e| CheckoutError::NoRandomness(e.to_string()))?),
        Some(_) => None,
    };
    let order = NewOrder {
        link: link.clone(),
        account_id: input.caller,
        cart_id: input.cart_id,
        email,
        lang: input.lang,
        fulfillment,
        totals: rules::totals(lines.iter().map(|l| l.total), discounts.total, shipping),
        expires_at: now + shop.order_expiry,
    };
    let order = orders::commands::create(conn, &order, &lines, now)?;
    take_numbers(conn, &lines, input.caller, input.cart_id, order.id, shop, now)?;
    let uses: Vec<_> = coupons.iter().map(|(c, _)| c).zip(discounts.codes.iter().map(|a| a.amount)).collect();
    promotions::commands::reserve(conn, order.id, input.caller, &uses, now)?;
    let order =
        orders::Order { coupons: discounts.codes.iter().map(|a| a.code.as_str().to_string()).collect(), ..order };
    let WithWrites { value: payment, mut writes } =
        attempts::open(order.id, order.totals.total.amount(), provider, now);
    writes.push(orders::mail::stage(OrderNews::Placed, &order, &order.id.to_string(), now)?);
    let sealed_link = link.as_ref().zip(once).and_then(|(link, (key, scope))| seal(link, key, scope));
    Ok(WithWrites { value: Placed { order, payment, link, sealed_link }, writes })
}

/// `place_order` once per idempotency key of the customer (or, for a guest, of the cart): a
/// retry with the same key and input gets the first order back; with another input, `KeyReused`.
/// With `Refusals::Keep` a refusal is given back the same way.
///
/// # Errors
/// As `place_order`, and `Once(KeyReused)`.
pub fn place_order_once(
    conn: &mut PgConnection,
    key: &IdempotencyKey,
    refusals: Refusals,
    input: &PlaceOrder,
    provider: &str,
    shop: &ShopRules,
    now: DateTime<Utc>,
) -> Result<Placed, CheckoutError> {
    let scope = Scope::checkout(input.caller, input.cart_id);
    let once = Once { scope, key: key.clone(), refusals };
    let mut placed = idempotency::run_with_writes(conn, &once, &input.fingerprint(), |conn| {
        place_in(conn, input, provider, shop, now, Some((key, scope)))
    })?;
    if placed.link.is_none() {
        placed.link = placed.sealed_link.as_deref().and_then(|sealed| unseal(sealed, key, scope));
    }
    Ok(placed)
}
