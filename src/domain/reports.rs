//! Read models over several capabilities' tables for staff: the dashboard's figures. Reads
//! only; each figure is one indexed statement, whatever the number of orders.
use chrono::{DateTime, Datelike, Duration, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Numeric, Text, Timestamptz};
use rust_decimal::Decimal;

use crate::db::{prepared, DbError};
use crate::domain::catalog::ProductKind;
use crate::domain::orders::OrderStatus;
use crate::domain::shared::{shop_local, Localized, Money};

/// Where today and this week (from Monday) began on the shop's clock (UTC+8), as moments.
pub fn day_and_week_start(now: DateTime<Utc>) -> (DateTime<Utc>, DateTime<Utc>) {
    let local = shop_local(now);
    let midnight = local.date().and_hms_opt(0, 0, 0).unwrap_or(local);
    let day = DateTime::<Utc>::from_naive_utc_and_offset(midnight, Utc) - Duration::hours(8);
    let week = day - Duration::days(i64::from(local.weekday().num_days_from_monday()));
    (day, week)
}

#[derive(Debug, Clone, PartialEq)]
pub struct TopProduct {
    pub name: Localized,
    pub units: i64,
    pub revenue: Money,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LowStock {
    pub branch: Localized,
    pub product: Localized,
    pub quantity: i32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Dashboard {
    /// What paid orders placed today brought in, less refunds.
    pub revenue_today: Money,
    pub revenue_week: Money,
    pub orders_today: i64,
    pub orders_week: i64,
    pub by_status: Vec<(OrderStatus, i64)>,
    /// Best sellers of the last 30 days by units, paid orders only.
    pub top_products: Vec<TopProduct>,
    /// Devices a branch that sells or ships holds `LOW_STOCK` or fewer of.
    pub low_stock: Vec<LowStock>,
    pub jobs_failed: i64,
    pub jobs_dead: i64,
}

/// At or below this many units a device shows as low at a branch.
pub const LOW_STOCK: i32 = 3;

/// The dashboard's figures at `now`.
///
/// # Errors
/// A database failure.
pub fn dashboard(conn: &mut PgConnection, now: DateTime<Utc>) -> Result<Dashboard, DbError> {
    #[derive(QueryableByName)]
    struct Sums {
        #[diesel(sql_type = Numeric)]
        revenue_today: Decimal,
        #[diesel(sql_type = Numeric)]
        revenue_week: Decimal,
        #[diesel(sql_type = BigInt)]
        orders_today: i64,
        #[diesel(sql_type = BigInt)]
        orders_week: i64,
    }
    #[derive(QueryableByName)]
    struct ByStatus {
        #[diesel(sql_type = Text)]
        status: OrderStatus,
        #[diesel(sql_type = BigInt)]
        n: i64,
    }
    #[derive(QueryableByName)]
    struct Top {
        #[diesel(sql_type = Text)]
        name_mn: String,
        #[diesel(sql_type = Text)]
        name_en: String,
        #[diesel(sql_type = BigInt)]
        units: i64,
        #[diesel(sql_type = Numeric)]
        revenue: Decimal,
    }
    #[derive(QueryableByName)]
    struct Low {
        #[diesel(sql_type = Text)]
        branch_mn: String,
        #[diesel(sql_type = Text)]
        branch_en: String,
        #[diesel(sql_type = Text)]
        product_mn: String,
        #[diesel(sql_type = Text)]
        product_en: String,
        #[diesel(sql_type = Integer)]
        quantity: i32,
    }
    #[derive(QueryableByName)]
    struct Jobs {
        #[diesel(sql_type = BigInt)]
        failed: i64,
        #[diesel(sql_type = BigInt)]
        dead: i64,
    }
    let (day, week) = day_and_week_start(now);
    let sums: Sums = prepared(
        "SELECT coalesce(sum(total - refunded_total) FILTER (WHERE created_at >= $1 AND paid), 0) AS revenue_today, \
                coalesce(sum(total - refunded_total) FILTER (WHERE paid), 0) AS revenue_week, \
                count(*) FILTER (WHERE created_at >= $1) AS orders_today, count(*) AS orders_week \
         FROM (SELECT total, refunded_total, created_at, payment_status IN ('paid', 'partially_refunded') AS paid \
               FROM orders WHERE created_at >= $2) o",
    )
    .bind::<Timestamptz, _>(day)
    .bind::<Timestamptz, _>(week)
    .get_result(conn)?;
    let by_status: Vec<ByStatus> =
        prepared("SELECT status, count(*) AS n FROM orders GROUP BY status ORDER BY status").load(conn)?;
    let top: Vec<Top> = prepared(
        "SELECT i.name_mn, i.name_en, sum(i.quantity)::bigint AS units, sum(i.total - i.discount) AS revenue \
         FROM orders o JOIN order_items i ON i.order_id = o.id \
         WHERE o.created_at >= $1 AND o.payment_status IN ('paid', 'partially_refunded') \
         GROUP BY i.product_id, i.name_mn, i.name_en ORDER BY units DESC, revenue DESC LIMIT 5",
    )
    .bind::<Timestamptz, _>(now - Duration::days(30))
    .load(conn)?;
    let low: Vec<Low> = prepared(
        "SELECT b.name_mn AS branch_mn, b.name_en AS branch_en, p.name_mn AS product_mn, p.name_en AS product_en, \
                coalesce(s.quantity, 0) AS quantity \
         FROM branches b CROSS JOIN products p \
         LEFT JOIN stock s ON s.branch_id = b.id AND s.product_id = p.id \
         WHERE p.kind = $1 AND p.active AND (b.pickup OR b.delivery_warehouse) AND coalesce(s.quantity, 0) <= $2 \
         ORDER BY coalesce(s.quantity, 0), b.position, p.position, p.slug LIMIT 20",
    )
    .bind::<Text, _>(ProductKind::Device)
    .bind::<Integer, _>(LOW_STOCK)
    .load(conn)?;
    let jobs: Jobs = prepared(
        "SELECT count(*) FILTER (WHERE status = 'failed') AS failed, count(*) FILTER (WHERE status = 'dead') AS dead \
         FROM jobs WHERE status IN ('failed', 'dead')",
    )
    .get_result(conn)?;
    Ok(Dashboard {
        revenue_today: Money::mnt(sums.revenue_today),
        revenue_week: Money::mnt(sums.revenue_week),
        orders_today: sums.orders_today,
        orders_week: sums.orders_week,
        by_status: by_status.into_iter().map(|s| (s.status, s.n)).collect(),
        top_products: top
            .into_iter()
            .map(|t| TopProduct {
                name: Localized { mn: t.name_mn, en: t.name_en },
                units: t.units,
                revenue: Money::mnt(t.revenue),
            })
            .collect(),
        low_stock: low
            .into_iter()
            .map(|l| LowStock {
                branch: Localized { mn: l.branch_mn, en: l.branch_en },
                product: Localized { mn: l.product_mn, en: l.product_en },
                quantity: l.quantity,
            })
            .collect(),
        jobs_failed: jobs.failed,
        jobs_dead: jobs.dead,
    })
}

/// An order placed or paid, as the dashboard's live feed shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct FeedEvent {
    /// The order event's id: the feed's cursor.
    pub id: i64,
    pub order_id: crate::domain::shared::OrderId,
    pub number: String,
    /// `PendingPayment` for a placed order, `Paid` for a payment.
    pub status: OrderStatus,
    pub total: Money,
    pub at: DateTime<Utc>,
}

/// Orders placed and paid since event `after` (and up to `limit` of them), oldest first. The
/// timeline's ids are the cursor: one range read of its primary key.
///
/// # Errors
/// A database failure.
pub fn feed_after(conn: &mut PgConnection, after: i64, limit: i64) -> Result<Vec<FeedEvent>, DbError> {
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = BigInt)]
        id: i64,
        #[diesel(sql_type = diesel::sql_types::Uuid)]
        order_id: crate::domain::shared::OrderId,
        #[diesel(sql_type = Text)]
        number: String,
        #[diesel(sql_type = Text)]
        status: OrderStatus,
        #[diesel(sql_type = Numeric)]
        total: Decimal,
        #[diesel(sql_type = Timestamptz)]
        at: DateTime<Utc>,
    }
    let rows: Vec<Row> = prepared(
        "SELECT e.id, e.order_id, o.number, e.to_status AS status, o.total, e.at \
         FROM order_events e JOIN orders o ON o.id = e.order_id \
         WHERE e.id > $1 AND e.to_status IN ($2, $3) ORDER BY e.id LIMIT $4",
    )
    .bind::<BigInt, _>(after)
    .bind::<Text, _>(OrderStatus::PendingPayment)
    .bind::<Text, _>(OrderStatus::Paid)
    .bind::<BigInt, _>(limit)
    .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|r| FeedEvent {
            id: r.id,
            order_id: r.order_id,
            number: r.number,
            status: r.status,
            total: Money::mnt(r.total),
            at: r.at,
        })
        .collect())
}

/// The newest order event's id (0 for none): where a new listener's feed starts.
///
/// # Errors
/// A database failure.
pub fn feed_start(conn: &mut PgConnection) -> Result<i64, DbError> {
    #[derive(QueryableByName)]
    struct Max {
        #[diesel(sql_type = BigInt)]
        id: i64,
    }
    let m: Max = prepared("SELECT coalesce(max(id), 0)::bigint AS id FROM order_events").get_result(conn)?;
    Ok(m.id)
}

/// A customer as staff find them.
#[derive(Debug, Clone, PartialEq)]
pub struct CustomerRow {
    pub id: crate::domain::shared::AccountId,
    pub email: String,
    pub name: String,
    pub registered: DateTime<Utc>,
    pub orders: i64,
}

/// Customers whose email starts with `q` or whose name holds it (all of them without `q`),
/// newest first, with how many orders each placed.
///
/// # Errors
/// A database failure.
pub fn customers(
    conn: &mut PgConnection,
    q: Option<&str>,
    page: crate::domain::shared::PageRequest,
) -> Result<crate::domain::shared::Page<CustomerRow>, DbError> {
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::Uuid)]
        id: crate::domain::shared::AccountId,
        #[diesel(sql_type = Text)]
        email: String,
        #[diesel(sql_type = Text)]
        name: String,
        #[diesel(sql_type = Timestamptz)]
        created_at: DateTime<Utc>,
        #[diesel(sql_type = BigInt)]
        orders: i64,
        #[diesel(sql_type = BigInt)]
        total: i64,
    }
    let q = q.map(str::trim).filter(|q| !q.is_empty()).map(|q| q.to_lowercase());
    // LIKE's own signs are taken as they are.
    let plain = q.as_deref().map(crate::domain::shared::like_literal);
    let rows: Vec<Row> = prepared(
        "SELECT a.id, a.email, a.name, a.created_at, \
                (SELECT count(*) FROM orders o WHERE o.account_id = a.id) AS orders, count(*) OVER () AS total \
         FROM accounts a WHERE a.role = 'customer' \
           AND ($1::text IS NULL OR a.email LIKE $1 || '%' OR lower(a.name) LIKE '%' || $1 || '%') \
         ORDER BY a.created_at DESC, a.id LIMIT $2 OFFSET $3",
    )
    .bind::<diesel::sql_types::Nullable<Text>, _>(plain)
    .bind::<BigInt, _>(page.limit())
    .bind::<BigInt, _>(page.offset())
    .load(conn)?;
    let total = rows.first().map_or(0, |r| r.total);
    let items = rows
        .into_iter()
        .map(|r| CustomerRow { id: r.id, email: r.email, name: r.name, registered: r.created_at, orders: r.orders })
        .collect();
    Ok(crate::domain::shared::Page { items, page: page.page, per_page: page.per_page, total })
}

/// A number a customer has, as staff see it (no SIM or eSIM secret).
#[derive(Debug, Clone, PartialEq, QueryableByName)]
pub struct CustomerNumber {
    #[diesel(sql_type = Text)]
    pub msisdn: String,
    #[diesel(sql_type = Text)]
    pub tier: String,
    #[diesel(sql_type = Text)]
    pub status: String,
    #[diesel(sql_type = diesel::sql_types::Nullable<Text>)]
    pub sim: Option<String>,
}

/// The numbers a customer owns.
///
/// # Errors
/// A database failure.
pub fn customer_numbers(
    conn: &mut PgConnection,
    customer: crate::domain::shared::AccountId,
) -> Result<Vec<CustomerNumber>, DbError> {
    Ok(prepared("SELECT msisdn, tier, status, sim FROM numbers WHERE owner_id = $1 ORDER BY msisdn")
        .bind::<diesel::sql_types::Uuid, _>(customer)
        .load(conn)?)
}

/// How full the pools are: numbers for sale by tier, SIM cards and eSIM profiles left.
#[derive(Debug, Clone, PartialEq)]
pub struct PoolLevels {
    pub numbers: Vec<(String, i64)>,
    pub sim_cards: i64,
    pub esim_profiles: i64,
}

/// Below this many, a pool shows a warning.
pub const LOW_POOL: i64 = 20;

/// Pools are counted up to here (one more means "more than"): exact where a warning matters,
/// without counting a million numbers on every visit.
pub const POOL_COUNT_CAP: i64 = 1_000;

/// The pools' levels.
///
/// # Errors
/// A database failure.
pub fn pool_levels(conn: &mut PgConnection) -> Result<PoolLevels, DbError> {
    #[derive(QueryableByName)]
    struct Tier {
        #[diesel(sql_type = Text)]
        tier: String,
        #[diesel(sql_type = BigInt)]
        n: i64,
    }
    #[derive(QueryableByName)]
    struct Left {
        #[diesel(sql_type = BigInt)]
        sim_cards: i64,
        #[diesel(sql_type = BigInt)]
        esim_profiles: i64,
    }
    let tiers: Vec<Tier> = prepared(
        "SELECT t.tier, (SELECT count(*) FROM (SELECT 1 FROM numbers n \
                 WHERE n.tier = t.tier AND n.status = 'available' LIMIT $1) AS c) AS n \
         FROM unnest(ARRAY['ordinary', 'silver', 'gold', 'platinum']) AS t(tier)",
    )
    .bind::<BigInt, _>(POOL_COUNT_CAP + 1)
    .load(conn)?;
    let left: Left = prepared(
        "SELECT (SELECT count(*) FROM (SELECT 1 FROM sim_cards WHERE status = 'available' LIMIT $1) c) AS sim_cards, \
                (SELECT count(*) FROM (SELECT 1 FROM esim_profiles WHERE status = 'available' LIMIT $1) c) \
                  AS esim_profiles",
    )
    .bind::<BigInt, _>(POOL_COUNT_CAP + 1)
    .get_result(conn)?;
    Ok(PoolLevels {
        numbers: tiers.into_iter().map(|t| (t.tier, t.n)).collect(),
        sim_cards: left.sim_cards,
        esim_profiles: left.esim_profiles,
    })
}

/// How sales are grouped in a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SalesBy {
    Day,
    Product,
    Kind,
}

impl SalesBy {
    pub const ALL: [SalesBy; 3] = [SalesBy::Day, SalesBy::Product, SalesBy::Kind];

    pub fn as_str(self) -> &'static str {
        match self {
            SalesBy::Day => "day",
            SalesBy::Product => "product",
            SalesBy::Kind => "kind",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|b| b.as_str() == s)
    }
}

/// One row of a sales report: a day (`2026-11-30`), a product (its names) or a kind.
#[derive(Debug, Clone, PartialEq)]
pub struct SalesRow {
    pub key: String,
    pub name: Localized,
    pub orders: i64,
    pub units: i64,
    /// What the lines were paid, after discounts, before refunds and without delivery.
    pub revenue: Money,
}

/// Paid orders' lines placed in `[from, until)`, grouped `by`; days on the shop's calendar,
/// in order; products and kinds by revenue. One statement.
///
/// # Errors
/// A database failure.
pub fn sales(
    conn: &mut PgConnection,
    from: DateTime<Utc>,
    until: DateTime<Utc>,
    by: SalesBy,
) -> Result<Vec<SalesRow>, DbError> {
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = Text)]
        key: String,
        #[diesel(sql_type = Text)]
        name_mn: String,
        #[diesel(sql_type = Text)]
        name_en: String,
        #[diesel(sql_type = BigInt)]
        orders: i64,
        #[diesel(sql_type = BigInt)]
        units: i64,
        #[diesel(sql_type = Numeric)]
        revenue: Decimal,
    }
    macro_rules! sales_sql {
        ($key:literal, $names:literal, $order:literal) => {
            concat!(
                "SELECT ", $key, " AS key, ", $names, ", count(DISTINCT o.id) AS orders, \
                        sum(i.quantity)::bigint AS units, sum(i.total - i.discount) AS revenue \
                 FROM orders o JOIN order_items i ON i.order_id = o.id \
                 WHERE o.created_at >= $1 AND o.created_at < $2 \
                   AND o.payment_status IN ('paid', 'partially_refunded', 'refunded') AND o.status <> 'refunded' \
                 GROUP BY 1 ORDER BY ", $order, " LIMIT 400"
            )
        };
    }
    let text = match by {
        SalesBy::Day => sales_sql!(
            "to_char(o.created_at AT TIME ZONE 'Asia/Ulaanbaatar', 'YYYY-MM-DD')",
            "'' AS name_mn, '' AS name_en",
            "1"
        ),
        SalesBy::Product => {
            sales_sql!("i.product_id::text", "min(i.name_mn) AS name_mn, min(i.name_en) AS name_en", "6 DESC, 1")
        }
        SalesBy::Kind => sales_sql!("i.kind", "'' AS name_mn, '' AS name_en", "6 DESC, 1"),
    };
    let rows: Vec<Row> = prepared(text).bind::<Timestamptz, _>(from).bind::<Timestamptz, _>(until).load(conn)?;
    Ok(rows
        .into_iter()
        .map(|r| SalesRow {
            key: r.key,
            name: Localized { mn: r.name_mn, en: r.name_en },
            orders: r.orders,
            units: r.units,
            revenue: Money::mnt(r.revenue),
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_day_and_the_week_begin_at_midnight_in_ulaanbaatar() {
        // Wednesday 2026-12-02 01:30 in Ulaanbaatar is Tuesday 17:30 UTC.
        let now = DateTime::parse_from_rfc3339("2026-12-01T17:30:00Z").map(|t| t.with_timezone(&Utc));
        let (day, week) = day_and_week_start(now.unwrap_or_default());
        assert_eq!(day.to_rfc3339(), "2026-12-01T16:00:00+00:00");
        assert_eq!(week.to_rfc3339(), "2026-11-29T16:00:00+00:00");
    }
}
