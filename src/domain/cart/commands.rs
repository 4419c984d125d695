//! Cart writes. Each locks its cart row first, so two requests changing one cart queue up.
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Text, Uuid as SqlUuid};

use super::model::CartRow;
use super::model::LineRow;
use super::queries::{
    coupons_of, customer_of, find_row, load_lines, price_line, priced_lines, view, view_of, view_with,
};
use super::rules::{self, MAX_LINES, MAX_QUANTITY};
use super::state::CartStatus;
use super::types::{CartLine, CartView, ItemInput};
use super::CartError;
use crate::db::prepared;
use crate::db::schema::{cart_items, carts};
use crate::domain::catalog::{
    queries as catalog, CatalogError, Product, ProductAttributes, ProductKind, ProductMemory, ProductRef,
};
use crate::domain::promotions::{self, CouponCode, CouponRefusal};
use crate::domain::shared::SimCardId;
use crate::domain::shared::{AccountId, CartId, CartItemId, CouponCodeId, ProductId};
use crate::domain::shared::{Code, FieldError};
use crate::domain::shared::{FieldErrors, Money, ShopRules};
use crate::domain::telco::lifecycle::Hold;
use crate::domain::telco::sims::{self, CardLookup};
use crate::domain::telco::{self, Activation, Msisdn, SimCode};

/// The condition, in a statement that updates cart `$1` and reads its lines, that the row it
/// locked is the version its snapshot saw (their `xmin` is the same). Every change to a cart's
/// lines changes the cart's row, so the lines the snapshot holds are then the cart's; a
/// statement that waited for the lock of a change reads with the snapshot it started with,
/// which misses that change, and so updates nothing.
macro_rules! as_seen {
    () => {
        "carts.xmin = (SELECT seen.xmin FROM carts seen WHERE seen.id = $1)"
    };
}

/// Opens a cart: a customer's when `owner` is given, else a guest's.
pub fn create_cart(conn: &mut PgConnection, owner: Option<AccountId>, shop: &ShopRules) -> Result<CartView, CartError> {
    let row: CartRow = diesel::insert_into(carts::table)
        .values(carts::account_id.eq(owner))
        .returning(CartRow::as_returning())
        .get_result(conn)?;
    // A new cart has no codes, so no moment is looked at.
    Ok(view_of(&row, Vec::new(), &[], owner, shop, DateTime::UNIX_EPOCH))
}

/// Opens the cart of id `id` for `owner` if there is none yet: a "buy now" form makes its cart's
/// id from its idempotency key, so sending the form again finds the same cart (and the order it
/// became). Returns whether the cart is new.
///
/// # Errors
/// `NotFound` when the id is another shopper's cart.
pub fn open_cart_with_id(conn: &mut PgConnection, id: CartId, owner: Option<AccountId>) -> Result<bool, CartError> {
    let created = diesel::insert_into(carts::table)
        .values((carts::id.eq(id), carts::account_id.eq(owner)))
        .on_conflict(carts::id)
        .do_nothing()
        .execute(conn)?;
    if created == 0 && find_row(conn, id)?.is_none_or(|c| c.account_id != owner) {
        return Err(CartError::NotFound);
    }
    Ok(created == 1)
}

/// Throws away a "buy now" cart whose order was refused, so it never shows up as the
/// customer's cart; a cart that became an order stays.
///
/// # Errors
/// A database failure.
pub fn discard_open(conn: &mut PgConnection, id: CartId, owner: Option<AccountId>) -> Result<(), CartError> {
    diesel::delete(carts::table.filter(
        carts::id.eq(id).and(carts::status.eq(CartStatus::Open)).and(carts::account_id.is_not_distinct_from(owner)),
    ))
    .execute(conn)?;
    Ok(())
}

/// Locks an open cart `caller` may change and marks it used, in one statement: the row the
/// change is decided on comes back with the lock.
fn lock_and_touch(conn: &mut PgConnection, id: CartId, caller: Option<AccountId>) -> Result<CartRow, CartError> {
    let row: CartRow = diesel::update(carts::table.find(id))
        .set(carts::updated_at.eq(diesel::dsl::now))
        .returning(CartRow::as_returning())
        .get_result(conn)
        .optional()?
        .filter(|c| c.visible_to(caller))
        .ok_or(CartError::NotFound)?;
    if row.status != CartStatus::Open {
        return Err(CartError::Closed);
    }
    Ok(row)
}

/// Why a cart `caller` wanted to change could not be: none (or not theirs), closed, or full;
/// `None` when the cart is open to `caller` and has room for a line, so nothing refused it.
fn refused(conn: &mut PgConnection, id: CartId, caller: Option<AccountId>) -> Option<CartError> {
    match find_row(conn, id) {
        Ok(Some(row)) if row.visible_to(caller) && row.status != CartStatus::Open => Some(CartError::Closed),
        Ok(Some(row)) if row.visible_to(caller) => match line_count(conn, id) {
            Ok(n) if n >= MAX_LINES => Some(full()),
            Ok(_) => None,
            Err(e) => Some(e),
        },
        Ok(_) => Some(CartError::NotFound),
        Err(e) => Some(e),
    }
}

fn line_count(conn: &mut PgConnection, id: CartId) -> Result<i64, CartError> {
    Ok(cart_items::table.filter(cart_items::cart_id.eq(id)).count().get_result(conn)?)
}

/// A cart holds at most `MAX_LINES` lines.
fn full() -> CartError {
    FieldErrors::single("cart", FieldError::from(Code::CartFull).with("max", MAX_LINES)).into()
}

/// The most of one device a single branch could hand over (pickup) or ship (the warehouse).
fn best_branch_stock(conn: &mut PgConnection, product: ProductId) -> Result<i64, CartError> {
    #[derive(QueryableByName)]
    struct Best {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        quantity: i64,
    }
    let best: Best = prepared(
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
/// now: stock is reserved when the order is placed. A line that is not a device is added in one
/// statement that also locks the open cart (so a checkout under way is waited for).
///
/// # Errors
/// `NotFound`, `Closed` (before any field error), `Invalid` naming the field, `OutOfStock`.
pub fn add_item(
    conn: &mut PgConnection,
    cart_id: CartId,
    caller: Option<AccountId>,
    input: &ItemInput,
    known: &ProductMemory,
    shop: &ShopRules,
    now: DateTime<Utc>,
) -> Result<CartView, CartError> {
    let remembered = product_id(input).ok().and_then(|id| known.recall(id));
    if let Some(product) = remembered {
        if let Some(added) = add_as_remembered(conn, cart_id, caller, input, &product, shop, now)? {
            return Ok(added);
        }
    }
    let product = match product_of(conn, input) {
        Ok(p) => p,
        Err(CartError::Invalid(e)) => return Err(cart_refusal_first(conn, cart_id, caller, e)),
        Err(e) => return Err(e),
    };
    known.keep(&product);
    match product.summary.kind {
        ProductKind::Device => {
            let row = conn.transaction(|conn| {
                let row = lock_and_touch(conn, cart_id, caller)?;
                add_device(conn, cart_id, &product, input)?;
                Ok::<_, CartError>(row)
            })?;
            view(conn, &row, caller, shop, now)
        }
        ProductKind::TopUp | ProductKind::DataPack | ProductKind::Plan => {
            let line = match service_line(&product, input, shop) {
                Ok(line) => line,
                Err(e) => return Err(cart_refusal_first(conn, cart_id, caller, e)),
            };
            let (row, lines) = insert_if_open(conn, cart_id, caller, &product, &line)?;
            view_with(conn, &row, lines, caller, shop, now)
        }
        ProductKind::Number | ProductKind::Esim => {
            let line = match number_line(conn, &product, input, shop) {
                Ok(line) => line,
                Err(CartError::Invalid(e)) => return Err(cart_refusal_first(conn, cart_id, caller, e)),
                Err(e) => return Err(e),
            };
            let row = conn.transaction(|conn| {
                let row = lock_and_touch(conn, cart_id, caller)?;
                add_number(conn, &row, &product, &line, shop, now)?;
                Ok::<_, CartError>(row)
            })?;
            view(conn, &row, caller, shop, now)
        }
        ProductKind::Service => {
            let line = match reissue_line(conn, &product, input, caller, shop) {
                Ok(line) => line,
                Err(CartError::Invalid(e)) => return Err(cart_refusal_first(conn, cart_id, caller, e)),
                Err(e) => return Err(e),
            };
            let (row, lines) = insert_if_open(conn, cart_id, caller, &product, &line)?;
            view_with(conn, &row, lines, caller, shop, now)
        }
    }
}

/// Adds a top-up, data pack or plan checked against the product as remembered, in the one
/// statement that also checks the product is still so; `None` when anything is not as it
/// should be (a line the remembered terms refuse, a cart that refuses, a product changed),
/// for the whole way with the product read afresh to tell what.
fn add_as_remembered(
    conn: &mut PgConnection,
    cart_id: CartId,
    caller: Option<AccountId>,
    input: &ItemInput,
    product: &Product,
    shop: &ShopRules,
    now: DateTime<Utc>,
) -> Result<Option<CartView>, CartError> {
    if !matches!(product.summary.kind, ProductKind::TopUp | ProductKind::DataPack | ProductKind::Plan) {
        return Ok(None);
    }
    let Ok(line) = service_line(product, input, shop) else { return Ok(None) };
    match try_insert(conn, cart_id, caller, product, &line)? {
        Some((row, lines)) => Ok(Some(view_with(conn, &row, lines, caller, shop, now)?)),
        None => Ok(None),
    }
}

/// Checks an eSIM re-issue: one of it, for a number of ours that the customer (when signed in;
/// a guest's cart is checked at checkout) has on an eSIM, with a profile in the pool to give.
fn reissue_line(
    conn: &mut PgConnection,
    product: &Product,
    input: &ItemInput,
    caller: Option<AccountId>,
    shop: &ShopRules,
) -> Result<ServiceLine, CartError> {
    if !matches!(product.details(), Some(ProductAttributes::Service { service }) if service == "esim_reissue") {
        return Err(FieldErrors::single("product_id", Code::NotSoldOnline).into());
    }
    let mut errors = FieldErrors::new();
    only_one(input, &mut errors);
    let msisdn = our_number(input.msisdn.as_deref(), "msisdn", Code::MsisdnRequired, shop, &mut errors);
    errors.into_result()?;
    let msisdn = msisdn.ok_or_else(|| FieldErrors::single("msisdn", Code::MsisdnRequired))?;
    if let Some(owner) = caller {
        if !telco::owned::owns_esim(conn, owner, &msisdn)? {
            return Err(FieldErrors::single("msisdn", Code::NotYourEsim).into());
        }
    }
    if !sims::esim_in_stock(conn)? {
        return Err(CartError::OutOfStock(product.summary.name.en.clone()));
    }
    Ok(ServiceLine { msisdn, amount: None })
}

/// What a number or eSIM line holds once checked.
struct NumberLine {
    number: Msisdn,
    activation: Activation,
    sim_card: Option<SimCardId>,
}

/// Checks a number or eSIM line: one of it, one of our numbers, how it is activated, and for a
/// physical SIM a code that names a card still unused. An eSIM (as a product, or as how a number
/// is activated) needs a profile in the pool.
fn number_line(
    conn: &mut PgConnection,
    product: &Product,
    input: &ItemInput,
    shop: &ShopRules,
) -> Result<NumberLine, CartError> {
    let mut errors = FieldErrors::new();
    only_one(input, &mut errors);
    let number = our_number(input.number.as_deref(), "number", Code::Required, shop, &mut errors);
    let activation = if product.summary.kind == ProductKind::Esim {
        Some(Activation::Esim)
    } else {
        match input.activation.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            Some(raw) => Activation::parse(&raw.to_ascii_lowercase()).or_else(|| {
                errors.add("activation", Code::Activation);
                None
            }),
            None => {
                errors.add("activation", Code::Activation);
                None
            }
        }
    };
    let code = match (activation, input.activation_code.as_deref().map(str::trim).filter(|s| !s.is_empty())) {
        (Some(Activation::Physical), None) => {
            errors.add("activation_code", Code::Required);
            None
        }
        (Some(Activation::Physical), Some(raw)) => {
            SimCode::parse(raw, "activation_code").map_err(|e| errors.extend(e)).ok()
        }
        _ => None,
    };
    errors.into_result()?;
    let (Some(number), Some(activation)) = (number, activation) else {
        return Err(FieldErrors::single("number", Code::Required).into());
    };
    let tier = telco::lifecycle::tier_of(conn, &number)?;
    let Some(tier) = tier else { return Err(FieldErrors::single("number", Code::NumberUnknown).into()) };
    if let Some(ProductAttributes::Number { tier: listed }) = product.details() {
        if listed != tier {
            return Err(FieldErrors::single("number", Code::NumberTier).into());
        }
    }
    let sim_card = match code {
        Some(code) => match sims::find_card(conn, &code, &shop.inventory_key)? {
            CardLookup::Free(card) => Some(card),
            CardLookup::Used => return Err(CartError::SimCodeUsed),
            CardLookup::Unknown => return Err(FieldErrors::single("activation_code", Code::SimCodeWrong).into()),
        },
        None => None,
    };
    if activation == Activation::Esim && !sims::esim_in_stock(conn)? {
        return Err(CartError::OutOfStock(product.summary.name.en.clone()));
    }
    Ok(NumberLine { number, activation, sim_card })
}

/// Holds a checked number for the locked cart and adds its line. A customer who already has as
/// many numbers as one person may is told now rather than at checkout.
fn add_number(
    conn: &mut PgConnection,
    cart: &CartRow,
    product: &Product,
    line: &NumberLine,
    shop: &ShopRules,
    now: DateTime<Utc>,
) -> Result<(), CartError> {
    if line_count(conn, cart.id)? >= MAX_LINES {
        return Err(full());
    }
    let in_cart = load_lines(conn, cart.id)?;
    if in_cart.iter().any(|l| l.number.as_deref() == Some(line.number.as_str())) {
        return Err(FieldErrors::single("number", Code::NumberInCart).into());
    }
    if let Some(owner) = cart.account_id {
        let numbers_in_cart = in_cart.iter().filter(|l| l.number.is_some()).count() as i64;
        if telco::lifecycle::count_of(conn, owner)? + numbers_in_cart >= shop.max_numbers_per_person {
            return Err(too_many_numbers(shop));
        }
    }
    match telco::lifecycle::hold(conn, &line.number, cart.id, now + shop.number_hold, now)? {
        Hold::Held { .. } => {}
        Hold::Taken => return Err(CartError::NumberTaken(line.number.as_str().to_string())),
        Hold::Unknown => return Err(FieldErrors::single("number", Code::NumberUnknown).into()),
    }
    diesel::insert_into(cart_items::table)
        .values((
            cart_items::cart_id.eq(cart.id),
            cart_items::product_id.eq(product.summary.id),
            cart_items::quantity.eq(1),
            cart_items::number.eq(line.number.as_str()),
            cart_items::activation.eq(line.activation),
            cart_items::sim_card_id.eq(line.sim_card),
        ))
        .execute(conn)?;
    Ok(())
}

/// One person may have at most so many numbers.
pub(crate) fn too_many_numbers(shop: &ShopRules) -> CartError {
    FieldErrors::single("number", FieldError::from(Code::TooManyNumbers).with("max", shop.max_numbers_per_person))
        .into()
}

/// The product a line names, on sale.
fn product_of(conn: &mut PgConnection, input: &ItemInput) -> Result<Product, CartError> {
    match catalog::get_product(conn, &ProductRef::Id(product_id(input)?)) {
        Ok(p) => Ok(p),
        Err(CatalogError::Internal(e)) => Err(e.into()),
        Err(_) => Err(FieldErrors::single("product_id", Code::NotOnSale).into()),
    }
}

/// The product a line names, as typed.
fn product_id(input: &ItemInput) -> Result<ProductId, FieldErrors> {
    input
        .product_id
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| FieldErrors::single("product_id", Code::Required))
        .and_then(|s| ProductId::parse(s).ok_or_else(|| FieldErrors::single("product_id", Code::ProductId)))
}

/// A missing or closed cart is reported before what is wrong with the line.
fn cart_refusal_first(
    conn: &mut PgConnection,
    cart_id: CartId,
    caller: Option<AccountId>,
    errors: FieldErrors,
) -> CartError {
    match find_row(conn, cart_id) {
        Ok(Some(row)) if row.visible_to(caller) && row.status == CartStatus::Open => CartError::Invalid(errors),
        Ok(Some(row)) if row.visible_to(caller) => CartError::Closed,
        Ok(_) => CartError::NotFound,
        Err(e) => e,
    }
}

/// A device line: its quantity joins a line of the same device, within what one branch holds.
fn add_device(conn: &mut PgConnection, cart_id: CartId, product: &Product, input: &ItemInput) -> Result<(), CartError> {
    let product_id = product.summary.id;
    let quantity = rules::parse_quantity(input.quantity.as_deref(), 1)?;
    let existing: Option<(CartItemId, i32)> = cart_items::table
        .filter(cart_items::cart_id.eq(cart_id).and(cart_items::product_id.eq(product_id)))
        .select((cart_items::id, cart_items::quantity))
        .order(cart_items::created_at)
        .first(conn)
        .optional()?;
    let wanted = i64::from(quantity) + existing.map_or(0, |(_, q)| i64::from(q));
    if wanted > MAX_QUANTITY {
        return Err(
            FieldErrors::single("quantity", FieldError::from(Code::QuantityMax).with("max", MAX_QUANTITY)).into()
        );
    }
    if best_branch_stock(conn, product_id)? < wanted {
        return Err(CartError::OutOfStock(product.summary.name.en.clone()));
    }
    let wanted = i32::try_from(wanted).unwrap_or(i32::MAX);
    if existing.is_none() && line_count(conn, cart_id)? >= MAX_LINES {
        return Err(full());
    }
    match existing {
        Some((line, _)) => {
            diesel::update(cart_items::table.find(line))
                .set((cart_items::quantity.eq(wanted), cart_items::updated_at.eq(diesel::dsl::now)))
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
    Ok(())
}

/// A line of one: any quantity but 1 is refused.
fn only_one(input: &ItemInput, errors: &mut FieldErrors) {
    if rules::parse_quantity(input.quantity.as_deref(), 1).ok() != Some(1) {
        errors.add("quantity", Code::OnlyOne);
    }
}

/// One of our numbers as typed in `field` (`missing` when none was).
fn our_number(
    raw: Option<&str>,
    field: &str,
    missing: Code,
    shop: &ShopRules,
    errors: &mut FieldErrors,
) -> Option<Msisdn> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => {
            errors.add(field, missing);
            None
        }
        Some(raw) => Msisdn::parse(raw, field, &shop.own_prefixes).map_err(|e| errors.extend(e)).ok(),
    }
}

/// What a top-up, data pack or plan line holds once checked.
struct ServiceLine {
    msisdn: Msisdn,
    amount: Option<Money>,
}

/// Checks a top-up, data pack or plan line: one of it, for one of our numbers, and for a
/// free-amount top-up an amount within its bounds.
fn service_line(product: &Product, input: &ItemInput, shop: &ShopRules) -> Result<ServiceLine, FieldErrors> {
    let details = product.details();
    let mut errors = FieldErrors::new();
    only_one(input, &mut errors);
    let msisdn = our_number(input.msisdn.as_deref(), "msisdn", Code::MsisdnRequired, shop, &mut errors);
    let amount = match (&details, input.amount.as_deref().map(str::trim).filter(|s| !s.is_empty())) {
        (Some(ProductAttributes::TopUp { free_amount: true, min_amount, max_amount }), Some(raw)) => {
            match rules::parse_amount(raw, "amount") {
                Ok(a) if min_amount.is_some_and(|min| a < min) || max_amount.is_some_and(|max| a > max) => {
                    let min = min_amount.unwrap_or(Money::mnt(1.into())).display();
                    let error = match max_amount {
                        Some(max) => FieldError::from(Code::AmountRange).with("min", min).with("max", max.display()),
                        None => FieldError::from(Code::AmountAtLeast).with("min", min),
                    };
                    errors.add("amount", error);
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
            errors.add("amount", Code::AmountRequired);
            None
        }
        (_, Some(_)) => {
            errors.add("amount", Code::AmountFixed);
            None
        }
        (_, None) => None,
    };
    errors.into_result()?;
    let msisdn = msisdn.ok_or_else(|| FieldErrors::single("msisdn", Code::MsisdnRequired))?;
    Ok(ServiceLine { msisdn, amount })
}

/// Adds a one-off line to the cart if it is open and `caller`'s, marking the cart used, in one
/// statement that also reads the cart's lines back: its `UPDATE` takes the cart's row lock, so
/// a checkout that holds the cart is waited for and a cart it closed is not written to.
fn insert_if_open(
    conn: &mut PgConnection,
    cart_id: CartId,
    caller: Option<AccountId>,
    product: &Product,
    line: &ServiceLine,
) -> Result<(CartRow, Vec<LineRow>), CartError> {
    if let Some(added) = try_insert(conn, cart_id, caller, product, line)? {
        return Ok(added);
    }
    if let Some(refusal) = refused(conn, cart_id, caller) {
        return Err(refusal);
    }
    // Open, with room, and still not added: another change of the cart came in between. Again,
    // holding the cart's lock first, so the line count is read after that change. Refused then
    // by nothing about the cart, the product changed since it was read a moment ago.
    conn.transaction(|conn| {
        lock_and_touch(conn, cart_id, caller)?;
        try_insert(conn, cart_id, caller, product, line)?.ok_or_else(|| {
            refused(conn, cart_id, caller).unwrap_or_else(|| FieldErrors::single("product_id", Code::NotOnSale).into())
        })
    })
}

/// Adds the line in one statement that also locks the open cart, unless the cart is full or the
/// product is no longer on sale as `product` says (its kind and details), and gives back the
/// cart's lines with the new one; or adds nothing (and gives back nothing) when the cart is not
/// as the statement's snapshot saw it (`as_seen`: without it, racing adds to a cart one line
/// short of full all landed, each counting the lines before the others').
fn try_insert(
    conn: &mut PgConnection,
    cart_id: CartId,
    caller: Option<AccountId>,
    product: &Product,
    line: &ServiceLine,
) -> Result<Option<(CartRow, Vec<LineRow>)>, CartError> {
    #[derive(QueryableByName)]
    struct Added {
        #[diesel(embed)]
        line: LineRow,
        #[diesel(sql_type = diesel::sql_types::Nullable<SqlUuid>)]
        owner: Option<AccountId>,
        #[diesel(sql_type = diesel::sql_types::Array<SqlUuid>)]
        coupon_ids: Vec<CouponCodeId>,
    }
    let mut added: Vec<Added> = prepared(concat!(
        "WITH c AS (UPDATE carts SET updated_at = now() \
             WHERE id = $1 AND status = $2 AND (account_id IS NULL OR account_id = $3) AND ",
        as_seen!(),
        " AND (SELECT count(*) FROM cart_items WHERE cart_id = $1) < $7 \
               AND EXISTS (SELECT 1 FROM products p WHERE p.id = $4 AND p.active AND p.kind = $8 \
                                                     AND p.attributes::text = $9) \
             RETURNING id, account_id, coupon_ids), \
         ins AS (INSERT INTO cart_items (cart_id, product_id, quantity, msisdn, amount) \
             SELECT c.id, $4, 1, $5, $6 FROM c RETURNING *) ",
        priced_lines!(
            ", c.account_id AS owner, c.coupon_ids",
            "(SELECT * FROM cart_items WHERE cart_id = $1 UNION ALL SELECT * FROM ins)",
            "CROSS JOIN c ORDER BY ci.created_at, ci.id"
        )
    ))
    .bind::<SqlUuid, _>(cart_id)
    .bind::<Text, _>(CartStatus::Open)
    .bind::<diesel::sql_types::Nullable<SqlUuid>, _>(caller)
    .bind::<SqlUuid, _>(product.summary.id)
    .bind::<Text, _>(line.msisdn.as_str())
    .bind::<diesel::sql_types::Nullable<diesel::sql_types::Numeric>, _>(line.amount.map(|a| a.amount()))
    .bind::<diesel::sql_types::BigInt, _>(MAX_LINES)
    .bind::<Text, _>(product.summary.kind)
    .bind::<Text, _>(product.attributes.as_str())
    .load(conn)?;
    let Some(first) = added.first() else { return Ok(None) };
    let row = CartRow {
        id: cart_id,
        account_id: first.owner,
        status: CartStatus::Open,
        coupon_ids: first.coupon_ids.clone(),
    };
    Ok(Some((row, added.drain(..).map(|a| a.line).collect())))
}

/// Sets a line's quantity (1 to 99; lines other than devices stay at 1).
///
/// # Errors
/// `NotFound`, `Closed`, `Invalid`, `OutOfStock`.
pub fn set_quantity(
    conn: &mut PgConnection,
    cart_id: CartId,
    caller: Option<AccountId>,
    item_id: CartItemId,
    raw_quantity: Option<&str>,
    shop: &ShopRules,
    now: DateTime<Utc>,
) -> Result<CartView, CartError> {
    let row = conn.transaction(|conn| {
        let row = lock_and_touch(conn, cart_id, caller)?;
        if raw_quantity.map(str::trim).is_none_or(str::is_empty) {
            return Err(FieldErrors::single("quantity", Code::Required).into());
        }
        let quantity = rules::parse_quantity(raw_quantity, 1)?;
        let line = load_lines(conn, cart_id)?.into_iter().find(|l| l.id == item_id).ok_or(CartError::NotFound)?;
        if line.kind != ProductKind::Device && quantity != 1 {
            return Err(FieldErrors::single("quantity", Code::OnlyOne).into());
        }
        if line.kind == ProductKind::Device
            && quantity > line.quantity
            && best_branch_stock(conn, line.product_id)? < i64::from(quantity)
        {
            return Err(CartError::OutOfStock(line.name_en));
        }
        diesel::update(cart_items::table.find(item_id))
            .set((cart_items::quantity.eq(quantity), cart_items::updated_at.eq(diesel::dsl::now)))
            .execute(conn)?;
        Ok::<_, CartError>(row)
    })?;
    view(conn, &row, caller, shop, now)
}

/// Removes a line.
///
/// # Errors
/// `NotFound`, `Closed`.
pub fn remove_item(
    conn: &mut PgConnection,
    cart_id: CartId,
    caller: Option<AccountId>,
    item_id: CartItemId,
    shop: &ShopRules,
    now: DateTime<Utc>,
) -> Result<CartView, CartError> {
    let row = conn.transaction(|conn| {
        let row = lock_and_touch(conn, cart_id, caller)?;
        let removed: Option<Option<String>> =
            diesel::delete(cart_items::table.filter(cart_items::id.eq(item_id).and(cart_items::cart_id.eq(cart_id))))
                .returning(cart_items::number)
                .get_result(conn)
                .optional()?;
        match removed {
            None => return Err(CartError::NotFound),
            Some(Some(number)) => telco::lifecycle::release_hold(conn, &number, cart_id, now)?,
            Some(None) => {}
        }
        Ok::<_, CartError>(row)
    })?;
    view(conn, &row, caller, shop, now)
}

/// At sign-in: a guest's cart joins the customer's latest open cart (devices in both add up, up
/// to 99), or becomes the customer's cart when there is none. Returns the cart to keep using.
///
/// # Errors
/// Only database failures.
pub fn merge_on_sign_in(
    conn: &mut PgConnection,
    guest_cart: Option<CartId>,
    account: AccountId,
) -> Result<Option<CartId>, CartError> {
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
                .set((carts::account_id.eq(account), carts::updated_at.eq(diesel::dsl::now)))
                .execute(conn)?;
            return Ok(Some(guest_row.id));
        };
        lock_and_touch(conn, target, Some(account))?;
        // Devices already in the customer's cart take the guest's quantity; the rest moves over.
        prepared(
            "UPDATE cart_items t SET quantity = least(t.quantity + g.quantity, 99), updated_at = now() \
             FROM cart_items g JOIN products p ON p.id = g.product_id \
             WHERE g.cart_id = $1 AND t.cart_id = $2 AND t.product_id = g.product_id AND p.kind = $3",
        )
        .bind::<SqlUuid, _>(guest_row.id)
        .bind::<SqlUuid, _>(target)
        .bind::<Text, _>(ProductKind::Device)
        .execute(conn)?;
        prepared(
            "UPDATE cart_items g SET cart_id = $2 FROM products p WHERE p.id = g.product_id AND g.cart_id = $1 \
             AND NOT (p.kind = $3 AND EXISTS \
                 (SELECT 1 FROM cart_items t WHERE t.cart_id = $2 AND t.product_id = g.product_id)) \
             AND NOT (g.number IS NOT NULL AND EXISTS \
                 (SELECT 1 FROM cart_items t WHERE t.cart_id = $2 AND t.number = g.number))",
        )
        .bind::<SqlUuid, _>(guest_row.id)
        .bind::<SqlUuid, _>(target)
        .bind::<Text, _>(ProductKind::Device)
        .execute(conn)?;
        telco::lifecycle::move_holds(conn, guest_row.id, target)?;
        // The guest's codes join the customer's (each once); checkout weighs them for the customer.
        prepared(
            "UPDATE carts t SET coupon_ids = t.coupon_ids || \
                 ARRAY(SELECT x FROM unnest(g.coupon_ids) x WHERE NOT x = ANY(t.coupon_ids)) \
             FROM carts g WHERE t.id = $2 AND g.id = $1",
        )
        .bind::<SqlUuid, _>(guest_row.id)
        .bind::<SqlUuid, _>(target)
        .execute(conn)?;
        diesel::update(carts::table.find(guest_row.id)).set(carts::status.eq(CartStatus::Merged)).execute(conn)?;
        Ok(Some(target))
    })
}

/// What checking a cart out gives the order: its priced lines and the codes it carries.
#[derive(Debug)]
pub struct CheckedOut {
    pub lines: Vec<CartLine>,
    pub coupon_ids: Vec<CouponCodeId>,
}

/// The cart becomes an order: closes the open cart `caller` may use (taking its row lock for the
/// rest of the caller's transaction, so it cannot change meanwhile) and prices its lines from
/// the catalog. If the order is refused, the caller's rollback opens the cart again.
///
/// # Errors
/// `NotFound` (or another customer's), `Closed`.
pub fn check_out(
    conn: &mut PgConnection,
    cart_id: CartId,
    caller: Option<AccountId>,
    now: chrono::DateTime<Utc>,
) -> Result<CheckedOut, CartError> {
    if let Some(closed) = close_and_read(conn, cart_id, caller, now)? {
        return Ok(closed);
    }
    // It closed nothing: the cart is not open to `caller`, changed while the statement waited
    // for it, or is empty. Again, holding the cart's lock first, so it is as the statement
    // sees it; still nothing then is an empty cart, which the caller refuses (its rollback
    // undoes the touch).
    let row = lock_and_touch(conn, cart_id, caller)?;
    Ok(close_and_read(conn, cart_id, caller, now)?
        .unwrap_or(CheckedOut { lines: Vec::new(), coupon_ids: row.coupon_ids }))
}

/// Closes the open cart `caller` may use and reads its priced lines, in one statement, when the
/// cart has lines and is as the statement's snapshot saw it (`as_seen`: after waiting for a
/// line being added, it would read the lines without that one); `None` when it closed nothing.
fn close_and_read(
    conn: &mut PgConnection,
    cart_id: CartId,
    caller: Option<AccountId>,
    now: chrono::DateTime<Utc>,
) -> Result<Option<CheckedOut>, CartError> {
    use diesel::sql_types::{Array, Nullable, Timestamptz};
    #[derive(QueryableByName)]
    struct ClosedLine {
        #[diesel(embed)]
        line: LineRow,
        #[diesel(sql_type = Array<SqlUuid>)]
        coupon_ids: Vec<CouponCodeId>,
    }
    let closed: Vec<ClosedLine> = prepared(concat!(
        "WITH c AS (UPDATE carts SET status = $2, updated_at = $3 \
             WHERE id = $1 AND status = $4 AND (account_id IS NULL OR account_id = $5) AND ",
        as_seen!(),
        " AND EXISTS (SELECT 1 FROM cart_items WHERE cart_id = $1) RETURNING coupon_ids) ",
        priced_lines!(
            ", c.coupon_ids",
            "cart_items",
            "CROSS JOIN c WHERE ci.cart_id = $1 ORDER BY ci.created_at, ci.id"
        )
    ))
    .bind::<SqlUuid, _>(cart_id)
    .bind::<Text, _>(CartStatus::CheckedOut)
    .bind::<Timestamptz, _>(now)
    .bind::<Text, _>(CartStatus::Open)
    .bind::<Nullable<SqlUuid>, _>(caller)
    .load(conn)?;
    let Some(coupon_ids) = closed.first().map(|c| c.coupon_ids.clone()) else { return Ok(None) };
    Ok(Some(CheckedOut { lines: closed.into_iter().map(|c| price_line(c.line)).collect(), coupon_ids }))
}

/// Applies a coupon code to the cart `caller` may change: it must be usable by the cart's
/// customer now and take something off these lines, beside the codes already there (only
/// stackable campaigns' codes go together). Applying a code the cart has changes nothing.
///
/// # Errors
/// `NotFound`, `Closed`, `Invalid` for an empty code, `Coupon` with the refusal.
pub fn apply_coupon(
    conn: &mut PgConnection,
    cart_id: CartId,
    caller: Option<AccountId>,
    raw: &str,
    shop: &ShopRules,
    now: DateTime<Utc>,
) -> Result<CartView, CartError> {
    conn.transaction(|conn| {
        let mut row = lock_and_touch(conn, cart_id, caller)?;
        if raw.trim().is_empty() {
            return Err(FieldErrors::single("code", Code::Required).into());
        }
        let code = CouponCode::parse(raw).ok_or(CartError::Coupon(CouponRefusal::Unknown))?;
        let customer = customer_of(&row, caller);
        let (found, used) =
            promotions::queries::find_code(conn, &code, customer)?.ok_or(CartError::Coupon(CouponRefusal::Unknown))?;
        let mut coupons = coupons_of(conn, &row, customer)?;
        let lines: Vec<CartLine> = load_lines(conn, cart_id)?.into_iter().map(price_line).collect();
        if !row.coupon_ids.contains(&found.code_id) {
            coupons.push((found.clone(), used));
            let weighed = super::queries::weigh_codes(&coupons, &lines, customer, now);
            // An empty cart keeps a code it cannot weigh yet (a mail's link opens the shop with
            // the code before anything is chosen); everything else about the code is checked.
            let waits = |r: &CouponRefusal| {
                lines.is_empty() && matches!(r, CouponRefusal::NotApplicable | CouponRefusal::BelowMinimum { .. })
            };
            if let Some(refusal) = weighed.codes.last().and_then(|a| a.refusal).filter(|r| !waits(r)) {
                return Err(CartError::Coupon(refusal));
            }
            prepared("UPDATE carts SET coupon_ids = array_append(coupon_ids, $2) WHERE id = $1")
                .bind::<SqlUuid, _>(cart_id)
                .bind::<SqlUuid, _>(found.code_id)
                .execute(conn)?;
            row.coupon_ids.push(found.code_id);
        }
        Ok(view_of(&row, lines, &coupons, customer, shop, now))
    })
}

/// Takes a code off the cart.
///
/// # Errors
/// `NotFound` (also for a code the cart does not carry), `Closed`.
pub fn remove_coupon(
    conn: &mut PgConnection,
    cart_id: CartId,
    caller: Option<AccountId>,
    raw: &str,
    shop: &ShopRules,
    now: DateTime<Utc>,
) -> Result<CartView, CartError> {
    let row = conn.transaction(|conn| {
        let mut row = lock_and_touch(conn, cart_id, caller)?;
        let code = CouponCode::parse(raw).ok_or(CartError::NotFound)?;
        let coupons = coupons_of(conn, &row, customer_of(&row, caller))?;
        let id = coupons.iter().find(|(c, _)| c.code == code).map(|(c, _)| c.code_id).ok_or(CartError::NotFound)?;
        prepared("UPDATE carts SET coupon_ids = array_remove(coupon_ids, $2) WHERE id = $1")
            .bind::<SqlUuid, _>(cart_id)
            .bind::<SqlUuid, _>(id)
            .execute(conn)?;
        row.coupon_ids.retain(|c| *c != id);
        Ok::<_, CartError>(row)
    })?;
    view(conn, &row, caller, shop, now)
}
