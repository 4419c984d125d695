//! Order reads: one order costs four statements (order, branch, items, timeline); a page of
//! orders three (the page, their branches, their items), whatever its size.
use std::collections::HashMap;

use diesel::prelude::*;
use rust_decimal::Decimal;
use uuid::Uuid;

use super::links::{self, Lock};
use super::model::{OrderEventRow, OrderItemRow, OrderRow};
use super::types::{
    BranchInfo, DeliveryAddress, Fulfillment, MethodFilter, Order, OrderAccess, OrderEvent, OrderFilter, OrderItem,
};
use super::OrderError;
use crate::db::schema::{branches, order_events, order_items, orders};
use crate::db::DbError;
use crate::domain::cart::Totals;
use crate::domain::shared::OrderId;
use crate::domain::shared::{Localized, Money, Page, PageRequest};
use crate::domain::telco::Msisdn;

fn item_from_row(r: OrderItemRow) -> OrderItem {
    OrderItem {
        id: r.id,
        product_id: r.product_id,
        kind: r.kind,
        name: Localized { mn: r.name_mn, en: r.name_en },
        quantity: r.quantity,
        unit_price: Money::mnt(r.unit_price),
        total: Money::mnt(r.total),
        msisdn: r.msisdn.map(Msisdn::from_stored),
        fulfillment_status: r.fulfillment_status,
        number: r.number.map(Msisdn::from_stored),
        activation: r.activation,
        discount: Money::mnt(r.discount),
    }
}

type BranchCols = (Uuid, String, String, String, String, String, String);

fn branch_info((id, name_mn, name_en, address_mn, address_en, hours_mn, hours_en): BranchCols) -> BranchInfo {
    BranchInfo {
        id,
        name: Localized { mn: name_mn, en: name_en },
        address: Localized { mn: address_mn, en: address_en },
        opening_hours: Localized { mn: hours_mn, en: hours_en },
    }
}

pub(crate) fn load_branches(conn: &mut PgConnection, ids: &[Uuid]) -> Result<HashMap<Uuid, BranchInfo>, DbError> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<BranchCols> = branches::table
        .filter(branches::id.eq_any(ids))
        .select((
            branches::id,
            branches::name_mn,
            branches::name_en,
            branches::address_mn,
            branches::address_en,
            branches::opening_hours_mn,
            branches::opening_hours_en,
        ))
        .load(conn)?;
    Ok(rows.into_iter().map(|r| (r.0, branch_info(r))).collect())
}

pub(crate) fn assemble(
    row: OrderRow,
    branches: &HashMap<Uuid, BranchInfo>,
    items: Vec<OrderItem>,
    events: Vec<OrderEvent>,
) -> Order {
    let branch = row.branch_id.and_then(|id| branches.get(&id).cloned());
    let address: Option<DeliveryAddress> = row.delivery_address.clone().and_then(|v| serde_json::from_value(v).ok());
    let fulfillment = match (row.fulfillment_method.as_deref(), branch, address) {
        (Some("delivery"), Some(from), Some(address)) => Fulfillment::Delivery { address, from },
        (Some("pickup"), Some(branch), _) => Fulfillment::Pickup { branch },
        _ => Fulfillment::None,
    };
    Order {
        id: row.id,
        status: row.status,
        number: row.number,
        account_id: row.account_id,
        email: row.email,
        lang: row.lang,
        payment_status: row.payment_status,
        items,
        totals: Totals {
            subtotal: Money::mnt(row.subtotal),
            discount: Money::mnt(row.discount),
            shipping: Money::mnt(row.shipping),
            total: Money::mnt(row.total),
        },
        refunded_total: Money::mnt(row.refunded_total),
        fulfillment,
        tracking_number: row.tracking_number,
        created_at: row.created_at,
        expires_at: row.expires_at,
        events,
        coupons: Vec::new(),
    }
}

/// The codes each of these orders used, in the order they were applied (only orders with a
/// discount carry codes, so the others cost nothing).
fn codes_of(conn: &mut PgConnection, orders: &[&OrderRow]) -> Result<HashMap<OrderId, Vec<String>>, DbError> {
    #[derive(QueryableByName)]
    struct Used {
        #[diesel(sql_type = diesel::sql_types::Uuid)]
        order_id: OrderId,
        #[diesel(sql_type = diesel::sql_types::Text)]
        code: String,
    }
    let ids: Vec<OrderId> = orders.iter().filter(|o| o.discount > Decimal::ZERO).map(|o| o.id).collect();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let used: Vec<Used> = crate::db::prepared(
        "SELECT r.order_id, c.code FROM coupon_redemptions r JOIN coupon_codes c ON c.id = r.code_id \
         WHERE r.order_id = ANY($1) ORDER BY r.order_id, r.created_at, c.code",
    )
    .bind::<diesel::sql_types::Array<diesel::sql_types::Uuid>, _>(&ids)
    .load(conn)?;
    let mut by_order: HashMap<OrderId, Vec<String>> = HashMap::new();
    for u in used {
        by_order.entry(u.order_id).or_default().push(u.code);
    }
    Ok(by_order)
}

/// The whole order with its timeline, read after any change.
pub(crate) fn load(conn: &mut PgConnection, row: OrderRow) -> Result<Order, DbError> {
    let branches = load_branches(conn, &row.branch_id.into_iter().collect::<Vec<_>>())?;
    let items: Vec<OrderItemRow> = order_items::table
        .filter(order_items::order_id.eq(row.id))
        .select(OrderItemRow::as_select())
        .order(order_items::position)
        .load(conn)?;
    let events: Vec<OrderEventRow> = order_events::table
        .filter(order_events::order_id.eq(row.id))
        .select(OrderEventRow::as_select())
        .order(order_events::id)
        .load(conn)?;
    let events = events
        .into_iter()
        .map(|e| OrderEvent { from: e.from_status, to: e.to_status, actor: e.actor, note: e.note, at: e.at })
        .collect();
    let mut codes = codes_of(conn, &[&row])?;
    let coupons = codes.remove(&row.id).unwrap_or_default();
    Ok(Order { coupons, ..assemble(row, &branches, items.into_iter().map(item_from_row).collect(), events) })
}

/// An order as `access` may see it.
///
/// # Errors
/// `NotFound` when there is none or it is not the caller's (another customer's order is
/// indistinguishable from a missing one).
pub fn get_order(conn: &mut PgConnection, id: OrderId, access: &OrderAccess) -> Result<Order, OrderError> {
    let row = links::find(conn, id, access, Lock::None)?;
    Ok(load(conn, row)?)
}

/// The orders a filter keeps, as a query to page or to count.
fn filtered(filter: &OrderFilter) -> orders::BoxedQuery<'static, diesel::pg::Pg> {
    use diesel::dsl::sql;
    use diesel::sql_types::{Bool, Text};
    let mut query = orders::table.into_boxed();
    if let Some(account) = filter.account {
        query = query.filter(orders::account_id.eq(account));
    }
    if let Some(status) = filter.status {
        query = query.filter(orders::status.eq(status));
    }
    match filter.method {
        Some(MethodFilter::Delivery) => query = query.filter(orders::fulfillment_method.eq("delivery")),
        Some(MethodFilter::Pickup) => query = query.filter(orders::fulfillment_method.eq("pickup")),
        Some(MethodFilter::Nothing) => query = query.filter(orders::fulfillment_method.is_null()),
        None => {}
    }
    if let Some(branch) = filter.branch {
        query = query.filter(orders::branch_id.eq(branch));
    }
    if let Some(from) = filter.from {
        query = query.filter(orders::created_at.ge(from));
    }
    if let Some(until) = filter.until {
        query = query.filter(orders::created_at.lt(until));
    }
    if let Some(q) = filter.search.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        let digits: String = q.chars().filter(char::is_ascii_digit).collect();
        let number = if digits.is_empty() || digits.len() > 9 { q.to_uppercase() } else { format!("TS-{digits:0>6}") };
        // The start of an email: LIKE's own signs are taken as they are.
        let email = format!("{}%", crate::domain::shared::like_literal(&q.to_lowercase()));
        let phone = if digits.len() == 8 { digits } else { String::new() };
        query = query.filter(
            sql::<Bool>("(orders.number = ")
                .bind::<Text, _>(number)
                .sql(" OR lower(orders.email) LIKE ")
                .bind::<Text, _>(email)
                .sql(" OR (orders.delivery_address IS NOT NULL AND regexp_replace(orders.delivery_address ->> 'phone', '[^0-9]', '', 'g') = ")
                .bind::<Text, _>(phone)
                .sql("))"),
        );
    }
    query
}

/// Orders newest first: a customer's (`filter.account`) or, for staff, everybody's, optionally
/// of one status. Timelines are left out.
pub fn list_orders(conn: &mut PgConnection, filter: OrderFilter, page: PageRequest) -> Result<Page<Order>, OrderError> {
    // The page walks the newest-first index and stops at its end; the total is counted apart
    // (a count over the window would read every order the filter keeps before the first row).
    let rows: Vec<OrderRow> = filtered(&filter)
        .select(OrderRow::as_select())
        .order((orders::created_at.desc(), orders::id))
        .limit(page.limit())
        .offset(page.offset())
        .load(conn)?;
    let short_first_page = page.page == 1 && (rows.len() as i64) < page.limit();
    let total = if short_first_page { rows.len() as i64 } else { filtered(&filter).count().get_result(conn)? };
    let ids: Vec<OrderId> = rows.iter().map(|r| r.id).collect();
    let branch_ids: Vec<Uuid> = rows.iter().filter_map(|r| r.branch_id).collect();
    let branches = load_branches(conn, &branch_ids)?;
    let mut items: HashMap<OrderId, Vec<OrderItem>> = HashMap::new();
    if !ids.is_empty() {
        let item_rows: Vec<OrderItemRow> = order_items::table
            .filter(order_items::order_id.eq_any(&ids))
            .select(OrderItemRow::as_select())
            .order((order_items::order_id, order_items::position))
            .load(conn)?;
        for r in item_rows {
            items.entry(r.order_id).or_default().push(item_from_row(r));
        }
    }
    let mut codes = codes_of(conn, &rows.iter().collect::<Vec<_>>())?;
    let orders = rows
        .into_iter()
        .map(|row| {
            let its = items.remove(&row.id).unwrap_or_default();
            let coupons = codes.remove(&row.id).unwrap_or_default();
            Order { coupons, ..assemble(row, &branches, its, Vec::new()) }
        })
        .collect();
    Ok(Page { items: orders, page: page.page, per_page: page.per_page, total })
}
