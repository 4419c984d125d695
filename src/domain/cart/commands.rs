//! Cart writes. Each locks its cart row first, so two requests changing one cart queue up.
use chrono::Utc;
use diesel::prelude::*;
use diesel::sql_types::{Text, Uuid as SqlUuid};
use uuid::Uuid;

use super::model::CartRow;
use super::queries::{find_row, load_lines, view_of};
use super::rules::{self, MAX_QUANTITY};
use super::state::CartStatus;
use super::types::{CartLine, CartView, ItemInput};
use super::CartError;
use crate::db::schema::{cart_items, carts};
use crate::domain::catalog::{queries as catalog, ProductAttributes, ProductKind, ProductRef};
use crate::domain::shared::{FieldErrors, ShopRules};
use crate::domain::telco::Msisdn;

/// Opens a cart: a customer's when `owner` is given, else a guest's.
pub fn create_cart(conn: &mut PgConnection, owner: Option<Uuid>, shop: &ShopRules) -> Result<CartView, CartError> {
    let row: CartRow = diesel::insert_into(carts::table)
        .values(carts::account_id.eq(owner))
        .returning(CartRow::as_returning())
        .get_result(conn)?;
    Ok(view_of(&row, Vec::new(), shop))
}

/// Locks an open cart `caller` may change.
fn lock_open(conn: &mut PgConnection, id: Uuid, caller: Option<Uuid>) -> Result<CartRow, CartError> {
    let row: CartRow = carts::table
        .find(id)
        .select(CartRow::as_select())
        .for_update()
        .first(conn)
        .optional()?
        .filter(|c| c.visible_to(caller))
        .ok_or(CartError::NotFound)?;
    if row.status != CartStatus::Open {
        return Err(CartError::Closed);
    }
    Ok(row)
}

fn touch(conn: &mut PgConnection, id: Uuid) -> Result<(), CartError> {
    diesel::update(carts::table.find(id)).set(carts::updated_at.eq(Utc::now())).execute(conn)?;
    Ok(())
}

fn reload(conn: &mut PgConnection, id: Uuid, shop: &ShopRules) -> Result<CartView, CartError> {
    let row = find_row(conn, id)?.ok_or(CartError::NotFound)?;
    let lines = load_lines(conn, id)?;
    Ok(view_of(&row, lines, shop))
}

/// The most of one device a single branch could hand over (pickup) or ship (the warehouse).
fn best_branch_stock(conn: &mut PgConnection, product: Uuid) -> Result<i64, CartError> {
    #[derive(QueryableByName)]
    struct Best {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        quantity: i64,
    }
    let best: Best = diesel::sql_query(
        "SELECT coalesce(max(s.quantity), 0)::bigint AS quantity FROM stock s JOIN branches b ON b.id = s.branch_id \
         WHERE s.product_id = $1 AND (b.pickup OR b.delivery_warehouse)",
    )
    .bind::<SqlUuid, _>(product)
    .get_result(conn)?;
    Ok(best.quantity)
}

/// Adds a line. A device already in the cart gets the quantities added up; a top-up, data pack
/// or plan needs the number it is for (one of ours); a free-amount top-up needs its amount
/// within the product's bounds. The stock check here only says whether the shop could sell it
/// now: stock is reserved when the order is placed.
///
/// # Errors
/// `NotFound`, `Closed`, `Invalid` naming the field, `OutOfStock`.
pub fn add_item(
    conn: &mut PgConnection,
    cart_id: Uuid,
    caller: Option<Uuid>,
    input: &ItemInput,
    shop: &ShopRules,
) -> Result<CartView, CartError> {
    conn.transaction(|conn| {
        lock_open(conn, cart_id, caller)?;
        let product_id = input
            .product_id
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .ok_or_else(|| FieldErrors::single("product_id", "is required"))
            .and_then(|s| Uuid::parse_str(s).map_err(|_| FieldErrors::single("product_id", "must be a product id")))?;
        let product = catalog::get_product(conn, &ProductRef::Id(product_id))
            .map_err(|_| FieldErrors::single("product_id", "is no product on sale"))?;
        let kind = product.summary.kind;
        let details = product.details();
        match kind {
            ProductKind::Device => {
                let quantity = rules::parse_quantity(input.quantity.as_deref(), 1)?;
                let existing: Option<(Uuid, i32)> = cart_items::table
                    .filter(cart_items::cart_id.eq(cart_id).and(cart_items::product_id.eq(product_id)))
                    .select((cart_items::id, cart_items::quantity))
                    .order(cart_items::created_at)
                    .first(conn)
                    .optional()?;
                let wanted = i64::from(quantity) + existing.map_or(0, |(_, q)| i64::from(q));
                if wanted > MAX_QUANTITY {
                    return Err(FieldErrors::single("quantity", format!("at most {MAX_QUANTITY} of one item")).into());
                }
                if best_branch_stock(conn, product_id)? < wanted {
                    return Err(CartError::OutOfStock(product.summary.name.en.clone()));
                }
                let wanted = i32::try_from(wanted).unwrap_or(i32::MAX);
                match existing {
                    Some((line, _)) => {
                        diesel::update(cart_items::table.find(line))
                            .set((cart_items::quantity.eq(wanted), cart_items::updated_at.eq(Utc::now())))
                            .execute(conn)?;
                    }
                    None => {
                        diesel::insert_into(cart_items::table)
                            .values((
                                cart_items::cart_id.eq(cart_id),
                                cart_items::product_id.eq(product_id),
                                cart_items::quantity.eq(wanted),
                            ))
                            .execute(conn)?;
                    }
                }
            }
            ProductKind::TopUp | ProductKind::DataPack | ProductKind::Plan => {
                let mut errors = FieldErrors::new();
                if rules::parse_quantity(input.quantity.as_deref(), 1).ok() != Some(1) {
                    errors.add("quantity", "must be 1 for this product");
                }
                let msisdn = match input.msisdn.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
                    None => {
                        errors.add("msisdn", "is required: the number to credit");
                        None
                    }
                    Some(raw) => Msisdn::parse(raw, "msisdn", &shop.own_prefixes).map_err(|e| errors.extend(e)).ok(),
                };
                let amount = match (&details, input.amount.as_deref().map(str::trim).filter(|s| !s.is_empty())) {
                    (Some(ProductAttributes::TopUp { free_amount: true, min_amount, max_amount }), Some(raw)) => {
                        match rules::parse_amount(raw, "amount") {
                            Ok(a) if min_amount.is_some_and(|min| a < min) || max_amount.is_some_and(|max| a > max) => {
                                let (lo, hi) = (min_amount.map(|m| m.display()), max_amount.map(|m| m.display()));
                                errors.add(
                                    "amount",
                                    format!(
                                        "must be from {} to {}",
                                        lo.unwrap_or_else(|| "₮1".into()),
                                        hi.unwrap_or_else(|| "any amount".into())
                                    ),
                                );
                                None
                            }
                            Ok(a) => Some(a),
                            Err(e) => {
                                errors.extend(e);
                                None
                            }
                        }
                    }
                    (Some(ProductAttributes::TopUp { free_amount: true, .. }), None) => {
                        errors.add("amount", "is required for this top-up");
                        None
                    }
                    (_, Some(_)) => {
                        errors.add("amount", "is fixed for this product; leave it out");
                        None
                    }
                    (_, None) => None,
                };
                errors.into_result()?;
                diesel::insert_into(cart_items::table)
                    .values((
                        cart_items::cart_id.eq(cart_id),
                        cart_items::product_id.eq(product_id),
                        cart_items::quantity.eq(1),
                        cart_items::msisdn.eq(msisdn.as_ref().map(Msisdn::as_str)),
                        cart_items::amount.eq(amount.map(|a| a.amount())),
                    ))
                    .execute(conn)?;
            }
            ProductKind::Number | ProductKind::Esim | ProductKind::Service => {
                return Err(FieldErrors::single("product_id", "cannot be bought online yet").into());
            }
        }
        touch(conn, cart_id)?;
        reload(conn, cart_id, shop)
    })
}

/// Sets a line's quantity (1 to 99; lines other than devices stay at 1).
///
/// # Errors
/// `NotFound`, `Closed`, `Invalid`, `OutOfStock`.
pub fn set_quantity(
    conn: &mut PgConnection,
    cart_id: Uuid,
    caller: Option<Uuid>,
    item_id: Uuid,
    raw_quantity: Option<&str>,
    shop: &ShopRules,
) -> Result<CartView, CartError> {
    conn.transaction(|conn| {
        lock_open(conn, cart_id, caller)?;
        if raw_quantity.map(str::trim).is_none_or(str::is_empty) {
            return Err(FieldErrors::single("quantity", "is required").into());
        }
        let quantity = rules::parse_quantity(raw_quantity, 1)?;
        let line = load_lines(conn, cart_id)?.into_iter().find(|l| l.id == item_id).ok_or(CartError::NotFound)?;
        if line.kind != ProductKind::Device && quantity != 1 {
            return Err(FieldErrors::single("quantity", "must be 1 for this product").into());
        }
        if line.kind == ProductKind::Device
            && quantity > line.quantity
            && best_branch_stock(conn, line.product_id)? < i64::from(quantity)
        {
            return Err(CartError::OutOfStock(line.name_en));
        }
        diesel::update(cart_items::table.find(item_id))
            .set((cart_items::quantity.eq(quantity), cart_items::updated_at.eq(Utc::now())))
            .execute(conn)?;
        touch(conn, cart_id)?;
        reload(conn, cart_id, shop)
    })
}

/// Removes a line.
///
/// # Errors
/// `NotFound`, `Closed`.
pub fn remove_item(
    conn: &mut PgConnection,
    cart_id: Uuid,
    caller: Option<Uuid>,
    item_id: Uuid,
    shop: &ShopRules,
) -> Result<CartView, CartError> {
    conn.transaction(|conn| {
        lock_open(conn, cart_id, caller)?;
        let n =
            diesel::delete(cart_items::table.filter(cart_items::id.eq(item_id).and(cart_items::cart_id.eq(cart_id))))
                .execute(conn)?;
        if n == 0 {
            return Err(CartError::NotFound);
        }
        touch(conn, cart_id)?;
        reload(conn, cart_id, shop)
    })
}

/// At sign-in: a guest's cart joins the customer's latest open cart (devices in both add up, up
/// to 99), or becomes the customer's cart when there is none. Returns the cart to keep using.
///
/// # Errors
/// Only database failures.
pub fn merge_on_sign_in(
    conn: &mut PgConnection,
    guest_cart: Option<Uuid>,
    account: Uuid,
) -> Result<Option<Uuid>, CartError> {
    conn.transaction(|conn| {
        let own = super::queries::find_open_cart_of(conn, account)?;
        let Some(guest) = guest_cart else { return Ok(own) };
        let guest_row: Option<CartRow> = carts::table
            .find(guest)
            .select(CartRow::as_select())
            .for_update()
            .first(conn)
            .optional()?
            .filter(|c| c.status == CartStatus::Open && c.account_id.is_none());
        let Some(guest_row) = guest_row else { return Ok(own) };
        let Some(target) = own.filter(|id| *id != guest_row.id) else {
            diesel::update(carts::table.find(guest_row.id))
                .set((carts::account_id.eq(account), carts::updated_at.eq(Utc::now())))
                .execute(conn)?;
            return Ok(Some(guest_row.id));
        };
        lock_open(conn, target, Some(account))?;
        // Devices already in the customer's cart take the guest's quantity; the rest moves over.
        diesel::sql_query(
            "UPDATE cart_items t SET quantity = least(t.quantity + g.quantity, 99), updated_at = now() \
             FROM cart_items g JOIN products p ON p.id = g.product_id \
             WHERE g.cart_id = $1 AND t.cart_id = $2 AND t.product_id = g.product_id AND p.kind = $3",
        )
        .bind::<SqlUuid, _>(guest_row.id)
        .bind::<SqlUuid, _>(target)
        .bind::<Text, _>(ProductKind::Device)
        .execute(conn)?;
        diesel::sql_query(
            "UPDATE cart_items g SET cart_id = $2 FROM products p WHERE p.id = g.product_id AND g.cart_id = $1 \
             AND NOT (p.kind = $3 AND EXISTS \
                 (SELECT 1 FROM cart_items t WHERE t.cart_id = $2 AND t.product_id = g.product_id))",
        )
        .bind::<SqlUuid, _>(guest_row.id)
        .bind::<SqlUuid, _>(target)
        .bind::<Text, _>(ProductKind::Device)
        .execute(conn)?;
        diesel::update(carts::table.find(guest_row.id)).set(carts::status.eq(CartStatus::Merged)).execute(conn)?;
        touch(conn, target)?;
        Ok(Some(target))
    })
}

/// Locks an open cart for checkout and prices its lines from the catalog; the cart stays locked
/// until the caller's transaction ends, so it cannot change while it becomes an order.
///
/// # Errors
/// `NotFound` (or another customer's), `Closed`.
pub fn lock_for_checkout(
    conn: &mut PgConnection,
    cart_id: Uuid,
    caller: Option<Uuid>,
) -> Result<Vec<CartLine>, CartError> {
    lock_open(conn, cart_id, caller)?;
    Ok(load_lines(conn, cart_id)?.into_iter().map(super::queries::price_line).collect())
}

/// The cart became an order: it is closed for good (in the caller's transaction).
///
/// # Errors
/// A database failure.
pub fn check_out(conn: &mut PgConnection, cart_id: Uuid, now: chrono::DateTime<Utc>) -> Result<(), CartError> {
    diesel::update(carts::table.find(cart_id).filter(carts::status.eq(CartStatus::Open)))
        .set((carts::status.eq(CartStatus::CheckedOut), carts::updated_at.eq(now)))
        .execute(conn)?;
    Ok(())
}
