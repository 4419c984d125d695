//! Cart reads: a cart costs two statements (the cart, its priced lines) whatever its size.
use diesel::prelude::*;
use diesel::sql_types::Uuid as SqlUuid;

use super::model::{CartRow, LineRow};
use super::rules;
use super::state::CartStatus;
use super::types::{CartLine, CartView, PickupOption};
use super::CartError;
use crate::db::prepared;
use crate::db::schema::carts;
use crate::domain::catalog::queries::branch_from_row;
use crate::domain::catalog::{model::BranchRow, ProductKind};
use crate::domain::promotions::{self, CodeTerms, CouponCode, Discounts};
use crate::domain::shared::{AccountId, CartId};
use crate::domain::shared::{Localized, Money, ShopRules};
use crate::domain::telco::Msisdn;
use chrono::{DateTime, Utc};

pub(crate) fn find_row(conn: &mut PgConnection, id: CartId) -> Result<Option<CartRow>, CartError> {
    Ok(carts::table.find(id).select(CartRow::as_select()).first(conn).optional()?)
}

/// The statement text that reads cart items with what the catalog and the number pool say of
/// them (`LineRow`'s columns, then `$extra` columns): the items are `$items` (a relation with
/// `cart_items`' columns, or the table itself), named `ci`; `$rest` follows the joins. A cart
/// holds a few lines, so each is looked up by key (`OFFSET 0` keeps the lookups apart): the
/// statement is prepared, and its generic plan, made from statistics that cannot know how few
/// lines one cart has (hundreds, just after carts were loaded in bulk), hash-joined whole
/// tables instead.
macro_rules! priced_lines {
    ($extra:literal, $items:literal, $rest:literal) => {
        concat!(
            "SELECT ci.id, ci.product_id, ci.quantity, ci.msisdn, ci.amount, ci.number, ci.activation, \
                    ci.sim_card_id, p.kind, p.slug, p.name_mn, p.name_en, p.price, p.active, \
                    CASE WHEN n.status = 'held' AND n.held_by = ci.cart_id THEN n.held_until END AS hold_until, \
                    CASE WHEN p.kind = 'esim' THEN (SELECT min(t.price) FROM products t \
                              WHERE t.kind = 'number' AND t.active AND t.attributes ->> 'tier' = n.tier) \
                         WHEN p.kind = 'number' AND ci.activation = 'esim' THEN (SELECT min(e.price) FROM products e \
                              WHERE e.kind = 'esim' AND e.active) END AS extra_price",
            $extra,
            " FROM ",
            $items,
            " ci JOIN LATERAL (SELECT p.kind, p.slug, p.name_mn, p.name_en, p.price, p.active FROM products p \
                               WHERE p.id = ci.product_id OFFSET 0) p ON true \
                 LEFT JOIN LATERAL (SELECT n.status, n.held_by, n.held_until, n.tier FROM numbers n \
                                    WHERE n.msisdn = ci.number OFFSET 0) n ON true ",
            $rest
        )
    };
}
pub(crate) use priced_lines;

/// A cart's lines with what the catalog and the number pool say of them, in the order added.
pub(crate) fn load_lines(conn: &mut PgConnection, cart_id: CartId) -> Result<Vec<LineRow>, CartError> {
    Ok(prepared(priced_lines!("", "cart_items", "WHERE ci.cart_id = $1 ORDER BY ci.created_at, ci.id"))
        .bind::<SqlUuid, _>(cart_id)
        .load(conn)?)
}

/// A line priced from the catalog: a free-amount top-up costs what the shopper chose.
pub(crate) fn price_line(row: LineRow) -> CartLine {
    // An eSIM costs its own price and its number's tier's, whichever listing it was bought by.
    let unit_price = Money::mnt(row.amount.unwrap_or(row.price) + row.extra_price.unwrap_or_default());
    CartLine {
        id: row.id,
        product_id: row.product_id,
        kind: row.kind,
        slug: row.slug,
        name: Localized { mn: row.name_mn, en: row.name_en },
        quantity: row.quantity,
        unit_price,
        total: rules::line_total(unit_price, row.quantity),
        msisdn: row.msisdn.map(Msisdn::from_stored),
        number: row.number.map(Msisdn::from_stored),
        activation: row.activation,
        hold_expires_at: row.hold_until,
        sim_card: row.sim_card_id,
        active: row.active,
        discount: Money::ZERO,
    }
}

/// The codes a cart carries, with their terms and whether `customer` already used each.
pub(crate) fn coupons_of(
    conn: &mut PgConnection,
    row: &CartRow,
    customer: Option<AccountId>,
) -> Result<Vec<(CodeTerms, bool)>, CartError> {
    if row.coupon_ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(promotions::queries::code_terms(conn, &row.coupon_ids, customer, false)?)
}

/// What the codes take off these lines for `customer`, now.
pub fn weigh_codes(
    coupons: &[(CodeTerms, bool)],
    lines: &[CartLine],
    customer: Option<AccountId>,
    now: DateTime<Utc>,
) -> Discounts {
    if coupons.is_empty() {
        return Discounts { per_line: vec![Money::ZERO; lines.len()], ..Discounts::default() };
    }
    let terms: Vec<CodeTerms> = coupons.iter().map(|(c, _)| c.clone()).collect();
    let used: Vec<CouponCode> = coupons.iter().filter(|(_, used)| *used).map(|(c, _)| c.code.clone()).collect();
    let lines: Vec<promotions::Line> =
        lines.iter().map(|l| promotions::Line { product_id: l.product_id, kind: l.kind, total: l.total }).collect();
    promotions::rules::weigh(&terms, &lines, customer, &used, now)
}

/// Whose a cart's codes are weighed for: its customer, or whoever signed in uses a guest's cart.
pub(crate) fn customer_of(row: &CartRow, caller: Option<AccountId>) -> Option<AccountId> {
    row.account_id.or(caller)
}

/// A cart priced now: its lines, what its codes take off them, and the totals.
pub(crate) fn view_of(
    row: &CartRow,
    mut lines: Vec<CartLine>,
    coupons: &[(CodeTerms, bool)],
    customer: Option<AccountId>,
    rules_: &ShopRules,
    now: DateTime<Utc>,
) -> CartView {
    let discounts = weigh_codes(coupons, &lines, customer, now);
    for (line, share) in lines.iter_mut().zip(&discounts.per_line) {
        line.discount = *share;
    }
    let needs_shipping = lines.iter().any(|l| l.kind.is_physical());
    let subtotal = Money::mnt(lines.iter().map(|l| l.total.amount()).sum());
    let shipping = if needs_shipping { rules::delivery_fee(subtotal, rules_) } else { Money::ZERO };
    let totals = rules::totals(lines.iter().map(|l| l.total), discounts.total, shipping);
    CartView {
        id: row.id,
        account_id: row.account_id,
        open: row.status == CartStatus::Open,
        lines,
        coupons: discounts.codes.iter().map(|a| a.code.as_str().to_string()).collect(),
        coupon_lines: discounts.codes,
        totals,
        needs_shipping,
    }
}

/// A cart read and priced, its codes weighed (a third statement only when it carries codes).
pub(crate) fn view(
    conn: &mut PgConnection,
    row: &CartRow,
    caller: Option<AccountId>,
    shop: &ShopRules,
    now: DateTime<Utc>,
) -> Result<CartView, CartError> {
    let lines = load_lines(conn, row.id)?;
    view_with(conn, row, lines, caller, shop, now)
}

/// `view` of lines already read (by the statement that changed them).
pub(crate) fn view_with(
    conn: &mut PgConnection,
    row: &CartRow,
    lines: Vec<LineRow>,
    caller: Option<AccountId>,
    shop: &ShopRules,
    now: DateTime<Utc>,
) -> Result<CartView, CartError> {
    let lines = lines.into_iter().map(price_line).collect();
    let customer = customer_of(row, caller);
    let coupons = coupons_of(conn, row, customer)?;
    Ok(view_of(row, lines, &coupons, customer, shop, now))
}

/// A cart as `caller` may see it.
///
/// # Errors
/// `NotFound` when there is no such cart or it belongs to another customer.
pub fn get_cart(
    conn: &mut PgConnection,
    id: CartId,
    caller: Option<AccountId>,
    shop: &ShopRules,
    now: DateTime<Utc>,
) -> Result<CartView, CartError> {
    let row = find_row(conn, id)?.filter(|c| c.visible_to(caller)).ok_or(CartError::NotFound)?;
    view(conn, &row, caller, shop, now)
}

/// The cart a page session works with: the session's own while it is open and `account` may
/// use it, else the customer's latest open cart, else none yet.
pub fn current_cart(
    conn: &mut PgConnection,
    session_cart: Option<CartId>,
    account: Option<AccountId>,
    shop: &ShopRules,
    now: DateTime<Utc>,
) -> Result<Option<CartView>, CartError> {
    let remembered = match session_cart {
        Some(id) => find_row(conn, id)?.filter(|c| c.status == CartStatus::Open && c.visible_to(account)),
        None => None,
    };
    let row = match (remembered, account) {
        (Some(row), _) => row,
        (None, Some(a)) => match latest_open_row(conn, a)? {
            Some(row) => row,
            None => return Ok(None),
        },
        (None, None) => return Ok(None),
    };
    Ok(Some(view(conn, &row, account, shop, now)?))
}

fn latest_open_row(conn: &mut PgConnection, account: AccountId) -> Result<Option<CartRow>, CartError> {
    Ok(carts::table
        .filter(carts::account_id.eq(account).and(carts::status.eq(CartStatus::Open)))
        .order(carts::updated_at.desc())
        .select(CartRow::as_select())
        .first(conn)
        .optional()?)
}

/// The customer's most recently used open cart.
pub fn find_open_cart_of(conn: &mut PgConnection, account: AccountId) -> Result<Option<CartId>, CartError> {
    Ok(latest_open_row(conn, account)?.map(|row| row.id))
}

/// Branches shoppers may collect from, each saying whether it holds every device line of the
/// cart (lines of one product added up). One statement.
pub fn pickup_options(conn: &mut PgConnection, cart_id: CartId) -> Result<Vec<PickupOption>, CartError> {
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(embed)]
        branch: BranchRow,
        #[diesel(sql_type = diesel::sql_types::Bool)]
        has_stock: bool,
    }
    let rows: Vec<Row> = prepared(
        "SELECT b.id, b.slug, b.name_mn, b.name_en, b.address_mn, b.address_en, b.opening_hours_en, \
                b.opening_hours_mn, b.pickup, \
                b.delivery_warehouse, b.open_days, b.opens_at, b.closes_at, \
                NOT EXISTS (SELECT 1 FROM (SELECT ci.product_id, sum(ci.quantity) AS wanted FROM cart_items ci \
                                JOIN products p ON p.id = ci.product_id \
                                WHERE ci.cart_id = $1 AND p.kind = $2 GROUP BY ci.product_id) need \
                            LEFT JOIN stock s ON s.product_id = need.product_id AND s.branch_id = b.id \
                            WHERE coalesce(s.quantity, 0) < need.wanted) AS has_stock \
         FROM branches b WHERE b.pickup ORDER BY b.position, b.slug",
    )
    .bind::<SqlUuid, _>(cart_id)
    .bind::<diesel::sql_types::Text, _>(ProductKind::Device)
    .load(conn)?;
    Ok(rows.into_iter().map(|r| PickupOption { branch: branch_from_row(r.branch), has_stock: r.has_stock }).collect())
}
