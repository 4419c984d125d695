//! `place_order`: one transaction from cart to order.
use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Integer, Uuid as SqlUuid};
use uuid::Uuid;

use super::types::{FulfillmentInput, PlaceOrder, Placed};
use super::CheckoutError;
use crate::db::schema::{accounts, branches, carts, order_items, orders};
use crate::domain::accounts::addresses;
use crate::domain::accounts::{tokens, Email};
use crate::domain::cart::model::CartRow;
use crate::domain::cart::queries::{load_lines, price_line};
use crate::domain::cart::{rules, CartError, CartLine};
use crate::domain::catalog::ProductKind;
use crate::domain::idempotency::{self, IdempotencyKey, Once, Refusals, Scope};
use crate::domain::mails::OrderNews;
use crate::domain::orders::commands::record_event;
use crate::domain::orders::model::OrderRow;
use crate::domain::orders::{mail, queries as order_queries, Actor, DeliveryAddress, OrderStatus};
use crate::domain::payments::commands::open_attempt;
use crate::domain::shared::{FieldErrors, Money, ShopRules};

enum Choice {
    Nothing,
    Delivery { address: DeliveryAddress, warehouse: Uuid },
    Pickup { branch: Uuid },
}

fn parse_choice(
    conn: &mut PgConnection,
    input: &FulfillmentInput,
    caller: Option<Uuid>,
) -> Result<Choice, CheckoutError> {
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
                    let saved = saved
                        .ok_or_else(|| FieldErrors::single("fulfillment.address_id", "is not one of your addresses"))?;
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
                .ok_or_else(|| FieldErrors::single("fulfillment.method", "delivery is not offered at the moment"))?;
            Ok(Choice::Delivery { address, warehouse })
        }
        "pickup" => {
            let branch = input
                .branch_id
                .as_deref()
                .and_then(|s| Uuid::parse_str(s.trim()).ok())
                .ok_or_else(|| FieldErrors::single("fulfillment.branch_id", "choose a branch to pick up from"))?;
            let offers_pickup: Option<bool> =
                branches::table.find(branch).select(branches::pickup).first(conn).optional()?;
            if offers_pickup != Some(true) {
                return Err(FieldErrors::single("fulfillment.branch_id", "is not a branch you can pick up from").into());
            }
            Ok(Choice::Pickup { branch })
        }
        "" => Err(FieldErrors::single("fulfillment.method", "is required: delivery or pickup").into()),
        _ => Err(FieldErrors::single("fulfillment.method", "must be delivery or pickup").into()),
    }
}

/// Takes the devices of an order from one branch: one conditional statement per product (lines
/// of one product added up first), in product order so concurrent orders never deadlock. The
/// database refuses to go below zero; a product short of stock fails the whole order.
fn reserve(conn: &mut PgConnection, lines: &[CartLine], branch: Uuid) -> Result<(), CheckoutError> {
    let mut wanted: BTreeMap<Uuid, (i32, &str)> = BTreeMap::new();
    for line in lines.iter().filter(|l| l.kind.is_physical()) {
        let entry = wanted.entry(line.product_id).or_insert((0, line.name.en.as_str()));
        entry.0 += line.quantity;
    }
    for (product, (quantity, name)) in wanted {
        let taken = diesel::sql_query(
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
    conn.transaction(|conn| {
        let cart: CartRow = carts::table
            .find(input.cart_id)
            .select(CartRow::as_select())
            .for_update()
            .first(conn)
            .optional()?
            .filter(|c| c.visible_to(input.caller))
            .ok_or(CartError::NotFound)?;
        if cart.status != "open" {
            return Err(CartError::Closed.into());
        }
        let lines: Vec<CartLine> = load_lines(conn, cart.id)?.into_iter().filter_map(price_line).collect();
        if lines.is_empty() {
            return Err(FieldErrors::single("cart", "is empty").into());
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
            Some(id) => Some(accounts::table.find(id).select(accounts::email).first::<String>(conn)?),
            None => match input.email.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
                None => {
                    errors.add("email", "is required to send your order");
                    None
                }
                Some(raw) => {
                    Email::parse(raw, "email").map(|e| e.as_str().to_string()).map_err(|e| errors.extend(e)).ok()
                }
            },
        };
        let needs_shipping = lines.iter().any(|l| l.kind.is_physical());
        let choice = if needs_shipping {
            match parse_choice(conn, &input.fulfillment, input.caller) {
                Ok(c) => Some(c),
                Err(CheckoutError::Invalid(e)) => {
                    errors.extend(e);
                    None
                }
                Err(other) => return Err(other),
            }
        } else {
            Some(Choice::Nothing)
        };
        let (Some(email), Some(choice)) = (email, choice) else { return Err(errors.into()) };
        errors.into_result()?;
        let subtotal = Money::mnt(lines.iter().map(|l| l.total.amount()).sum());
        let (method, branch, address, shipping) = match &choice {
            Choice::Nothing => (None, None, None, Money::ZERO),
            Choice::Delivery { address, warehouse } => {
                (Some("delivery"), Some(*warehouse), Some(address.to_json()), rules::delivery_fee(subtotal, shop))
            }
            Choice::Pickup { branch } => (Some("pickup"), Some(*branch), None, Money::ZERO),
        };
        if let Some(branch) = branch {
            reserve(conn, &lines, branch)?;
        }
        let totals = rules::totals(lines.iter().map(|l| l.total), Money::ZERO, shipping);
        let token = tokens::random_secret().map_err(|e| CheckoutError::NoRandomness(e.to_string()))?;
        let row: OrderRow = diesel::insert_into(orders::table)
            .values((
                orders::account_id.eq(input.caller),
                orders::cart_id.eq(cart.id),
                orders::email.eq(&email),
                orders::lang.eq(input.lang.code()),
                orders::fulfillment_method.eq(method),
                orders::branch_id.eq(branch),
                orders::delivery_address.eq(address),
                orders::subtotal.eq(totals.subtotal.amount()),
                orders::discount.eq(totals.discount.amount()),
                orders::shipping.eq(totals.shipping.amount()),
                orders::total.eq(totals.total.amount()),
                orders::access_token.eq(&token),
                orders::stock_released.eq(branch.is_none()),
                orders::expires_at.eq(now + shop.order_expiry),
                orders::created_at.eq(now),
                orders::updated_at.eq(now),
            ))
            .returning(OrderRow::as_returning())
            .get_result(conn)?;
        let items: Vec<_> = lines
            .iter()
            .enumerate()
            .map(|(i, l)| {
                (
                    order_items::order_id.eq(row.id),
                    order_items::product_id.eq(l.product_id),
                    order_items::kind.eq(l.kind.as_str()),
                    order_items::name_mn.eq(l.name.mn.clone()),
                    order_items::name_en.eq(l.name.en.clone()),
                    order_items::quantity.eq(l.quantity),
                    order_items::unit_price.eq(l.unit_price.amount()),
                    order_items::total.eq(l.total.amount()),
                    order_items::msisdn.eq(l.msisdn.as_ref().map(|m| m.as_str().to_string())),
                    order_items::position.eq(i32::try_from(i).unwrap_or(i32::MAX)),
                )
            })
            .collect();
        diesel::insert_into(order_items::table).values(items).execute(conn)?;
        record_event(conn, row.id, None, OrderStatus::PendingPayment, Actor::Customer(input.caller), None, now)?;
        let payment = open_attempt(conn, &row, provider)?;
        diesel::update(carts::table.find(cart.id))
            .set((carts::status.eq("checked_out"), carts::updated_at.eq(now)))
            .execute(conn)?;
        let order = order_queries::load(conn, row)?;
        mail::enqueue(conn, OrderNews::Placed, &order, &order.id.to_string(), now)?;
        Ok(Placed { order, payment })
    })
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
    let once = Once { scope: Scope::checkout(input.caller, input.cart_id), key: key.clone(), refusals };
    idempotency::run(conn, &once, &input.fingerprint(), |conn| place_order(conn, input, provider, shop, now))
}
