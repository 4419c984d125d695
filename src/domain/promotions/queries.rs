//! Campaign reads: a code with its terms, staff's lists and statistics, a customer's codes.
use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Bool, Date, Nullable, Numeric, Text, Timestamptz, Uuid as SqlUuid};
use rust_decimal::Decimal;

use super::model::CampaignRow;
use super::types::{
    Campaign, CampaignStats, CodeRecord, CodeStatus, CodeTerms, CouponCode, DayCount, MyCode, MyCodeStatus,
    RedemptionStatus,
};
use super::PromotionError;
use crate::db::prepared;
use crate::db::schema::campaigns;
use crate::domain::shared::{AccountId, CampaignId, CouponCodeId, Money, Page, PageRequest};

/// A campaign.
///
/// # Errors
/// `NotFound`.
pub fn find_campaign(conn: &mut PgConnection, id: CampaignId) -> Result<Campaign, PromotionError> {
    let row: Option<CampaignRow> = campaigns::table.find(id).select(CampaignRow::as_select()).first(conn).optional()?;
    row.map(|r| r.campaign()).ok_or(PromotionError::NotFound)
}

#[derive(QueryableByName)]
struct CodeTermsRow {
    #[diesel(sql_type = SqlUuid)]
    code_id: CouponCodeId,
    #[diesel(sql_type = Text)]
    code: String,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    owner: Option<AccountId>,
    #[diesel(embed)]
    campaign: CampaignRow,
    #[diesel(sql_type = Bool)]
    used: bool,
}

impl CodeTermsRow {
    fn split(self) -> (CodeTerms, bool) {
        let terms = CodeTerms {
            code_id: self.code_id,
            code: CouponCode::from_stored(self.code),
            owner: self.owner,
            terms: self.campaign.terms(),
        };
        (terms, self.used)
    }
}

/// The columns of a code with its campaign, and whether customer `$2` has a live use of it.
macro_rules! code_terms_sql {
    ($where:literal, $tail:literal) => {
        concat!(
            "SELECT c.id AS code_id, c.code, c.account_id AS owner, k.id, k.name, k.discount_type, k.discount_value, \
                    k.code_policy, k.max_redemptions, k.budget, k.min_subtotal, k.applies_kinds, k.applies_products, \
                    k.stackable, k.starts_at, k.ends_at, k.uses, k.discount_used, k.created_by, k.created_at, \
                    EXISTS (SELECT 1 FROM coupon_redemptions r WHERE r.code_id = c.id AND r.account_id = $2 \
                            AND r.status <> 'released') AS used \
             FROM coupon_codes c JOIN campaigns k ON k.id = c.campaign_id WHERE ",
            $where,
            $tail
        )
    };
}

/// A code as typed, with its campaign's terms and whether `caller` already used it.
///
/// # Errors
/// A database failure.
pub fn find_code(
    conn: &mut PgConnection,
    code: &CouponCode,
    caller: Option<AccountId>,
) -> Result<Option<(CodeTerms, bool)>, PromotionError> {
    let row: Option<CodeTermsRow> = prepared(code_terms_sql!("c.code = $1", ""))
        .bind::<Text, _>(code.as_str())
        .bind::<Nullable<SqlUuid>, _>(caller)
        .get_result(conn)
        .optional()?;
    Ok(row.map(CodeTermsRow::split))
}

/// Codes by id, in the order given (missing ones left out), each with its terms and whether
/// `caller` already used it. With `lock`, their campaigns' rows are locked for the caller's
/// transaction (in campaign order, so two checkouts never wait on each other in a circle): the
/// limit and the budget are then read and changed by one order at a time.
///
/// # Errors
/// A database failure.
pub fn code_terms(
    conn: &mut PgConnection,
    ids: &[CouponCodeId],
    caller: Option<AccountId>,
    lock: bool,
) -> Result<Vec<(CodeTerms, bool)>, PromotionError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let text = if lock {
        code_terms_sql!("c.id = ANY($1)", " ORDER BY k.id FOR UPDATE OF k")
    } else {
        code_terms_sql!("c.id = ANY($1)", "")
    };
    let rows: Vec<CodeTermsRow> =
        prepared(text).bind::<Array<SqlUuid>, _>(ids).bind::<Nullable<SqlUuid>, _>(caller).load(conn)?;
    let mut found: Vec<(CodeTerms, bool)> = rows.into_iter().map(CodeTermsRow::split).collect();
    found.sort_by_key(|(c, _)| ids.iter().position(|id| *id == c.code_id));
    Ok(found)
}

/// A page size that holds every code of a campaign (a CSV download).
pub const ALL_CODES: u32 = 1_000_000;

#[derive(QueryableByName)]
struct CodeRecordRow {
    #[diesel(sql_type = Text)]
    code: String,
    #[diesel(sql_type = Text)]
    status: String,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    customer_id: Option<AccountId>,
    #[diesel(sql_type = Nullable<Text>)]
    customer_email: Option<String>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    redeemed_at: Option<DateTime<Utc>>,
    #[diesel(sql_type = BigInt)]
    total: i64,
}

/// A campaign's codes, oldest first: a personal code with its customer (`assigned` until an
/// order uses it); a shared code once per customer who used it (`redeemed`), or once as
/// `unused` while nobody has. A use counts from the moment its order is placed until the order
/// is cancelled or expires.
///
/// # Errors
/// `NotFound` for no such campaign.
pub fn list_codes(
    conn: &mut PgConnection,
    campaign: CampaignId,
    status: Option<CodeStatus>,
    page: PageRequest,
) -> Result<Page<CodeRecord>, PromotionError> {
    find_campaign(conn, campaign)?;
    let rows: Vec<CodeRecordRow> = prepared(
        "WITH rows AS ( \
           SELECT c.code, c.created_at, \
                  CASE WHEN u.id IS NOT NULL THEN 'redeemed' WHEN c.account_id IS NOT NULL THEN 'assigned' \
                       ELSE 'unused' END AS status, \
                  coalesce(u.account_id, c.account_id) AS customer_id, \
                  coalesce(u.redeemed_at, u.created_at) AS redeemed_at, u.created_at AS used_at \
           FROM coupon_codes c \
           LEFT JOIN coupon_redemptions u ON u.code_id = c.id AND u.status <> 'released' \
           WHERE c.campaign_id = $1) \
         SELECT r.code, r.status, r.customer_id, a.email AS customer_email, r.redeemed_at, \
                count(*) OVER () AS total \
         FROM rows r LEFT JOIN accounts a ON a.id = r.customer_id \
         WHERE $2::text IS NULL OR r.status = $2 \
         ORDER BY r.created_at, r.code, r.used_at NULLS FIRST LIMIT $3 OFFSET $4",
    )
    .bind::<SqlUuid, _>(campaign)
    .bind::<Nullable<Text>, _>(status.map(CodeStatus::as_str))
    .bind::<BigInt, _>(page.limit())
    .bind::<BigInt, _>(page.offset())
    .load(conn)?;
    let total = match rows.first() {
        Some(r) => r.total,
        None if page.page > 1 => count_codes(conn, campaign, status)?,
        None => 0,
    };
    let items = rows
        .into_iter()
        .map(|r| CodeRecord {
            code: CouponCode::from_stored(r.code),
            status: CodeStatus::parse(&r.status).unwrap_or(CodeStatus::Unused),
            customer_id: r.customer_id,
            customer_email: r.customer_email,
            redeemed_at: r.redeemed_at,
        })
        .collect();
    Ok(Page { items, page: page.page, per_page: page.per_page, total })
}

fn count_codes(
    conn: &mut PgConnection,
    campaign: CampaignId,
    status: Option<CodeStatus>,
) -> Result<i64, PromotionError> {
    #[derive(QueryableByName)]
    struct Count {
        #[diesel(sql_type = BigInt)]
        n: i64,
    }
    let c: Count = prepared(
        "SELECT count(*) AS n FROM coupon_codes c \
         LEFT JOIN coupon_redemptions u ON u.code_id = c.id AND u.status <> 'released' \
         WHERE c.campaign_id = $1 AND ($2::text IS NULL OR \
               CASE WHEN u.id IS NOT NULL THEN 'redeemed' WHEN c.account_id IS NOT NULL THEN 'assigned' \
                    ELSE 'unused' END = $2)",
    )
    .bind::<SqlUuid, _>(campaign)
    .bind::<Nullable<Text>, _>(status.map(CodeStatus::as_str))
    .get_result(conn)?;
    Ok(c.n)
}

/// What a campaign did, in two statements: the totals, and redemptions per day.
///
/// # Errors
/// `NotFound` for no such campaign.
pub fn stats(conn: &mut PgConnection, campaign: CampaignId) -> Result<CampaignStats, PromotionError> {
    #[derive(QueryableByName)]
    struct Totals {
        #[diesel(sql_type = Bool)]
        found: bool,
        #[diesel(sql_type = BigInt)]
        codes_issued: i64,
        #[diesel(sql_type = BigInt)]
        codes_assigned: i64,
        #[diesel(sql_type = BigInt)]
        redemptions: i64,
        #[diesel(sql_type = BigInt)]
        reserved: i64,
        #[diesel(sql_type = BigInt)]
        unique_customers: i64,
        #[diesel(sql_type = Numeric)]
        discount_total: Decimal,
        #[diesel(sql_type = Numeric)]
        revenue: Decimal,
    }
    #[derive(QueryableByName)]
    struct Day {
        #[diesel(sql_type = Date)]
        day: NaiveDate,
        #[diesel(sql_type = BigInt)]
        redemptions: i64,
    }
    let t: Totals = prepared(
        "SELECT EXISTS (SELECT 1 FROM campaigns WHERE id = $1) AS found, \
                (SELECT count(*) FROM coupon_codes WHERE campaign_id = $1) AS codes_issued, \
                (SELECT count(*) FROM coupon_codes WHERE campaign_id = $1 AND account_id IS NOT NULL) AS codes_assigned, \
                count(*) FILTER (WHERE r.status = $2) AS redemptions, \
                count(*) FILTER (WHERE r.status = $3) AS reserved, \
                count(DISTINCT coalesce(r.account_id::text, lower(o.email))) FILTER (WHERE r.status = $2) \
                    AS unique_customers, \
                coalesce(sum(r.discount) FILTER (WHERE r.status = $2), 0) AS discount_total, \
                coalesce(sum(o.total - o.refunded_total) FILTER (WHERE r.status = $2), 0) AS revenue \
         FROM coupon_redemptions r JOIN orders o ON o.id = r.order_id WHERE r.campaign_id = $1",
    )
    .bind::<SqlUuid, _>(campaign)
    .bind::<Text, _>(RedemptionStatus::Redeemed)
    .bind::<Text, _>(RedemptionStatus::Reserved)
    .get_result(conn)?;
    if !t.found {
        return Err(PromotionError::NotFound);
    }
    let days: Vec<Day> = prepared(
        "SELECT (redeemed_at AT TIME ZONE 'Asia/Ulaanbaatar')::date AS day, count(*) AS redemptions \
         FROM coupon_redemptions WHERE campaign_id = $1 AND status = $2 GROUP BY 1 ORDER BY 1",
    )
    .bind::<SqlUuid, _>(campaign)
    .bind::<Text, _>(RedemptionStatus::Redeemed)
    .load(conn)?;
    Ok(CampaignStats {
        codes_issued: t.codes_issued,
        codes_assigned: t.codes_assigned,
        redemptions: t.redemptions,
        reserved: t.reserved,
        unique_customers: t.unique_customers,
        discount_total: Money::mnt(t.discount_total),
        revenue: Money::mnt(t.revenue),
        per_day: days.into_iter().map(|d| DayCount { day: d.day, redemptions: d.redemptions }).collect(),
    })
}

/// The personal codes given to a customer, newest first, each available, used or expired.
///
/// # Errors
/// A database failure.
pub fn my_codes(
    conn: &mut PgConnection,
    account: AccountId,
    now: DateTime<Utc>,
) -> Result<Vec<MyCode>, PromotionError> {
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = Text)]
        code: String,
        #[diesel(embed)]
        campaign: CampaignRow,
        #[diesel(sql_type = Bool)]
        used: bool,
    }
    // The customer is both whose codes (`$1`) and whose uses (`$2`) are read.
    let rows: Vec<Row> =
        prepared(code_terms_sql!("c.account_id = $1", " ORDER BY c.assigned_at DESC, c.code LIMIT 100"))
            .bind::<SqlUuid, _>(account)
            .bind::<Nullable<SqlUuid>, _>(Some(account))
            .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let t = r.campaign.terms();
            let status = if r.used {
                MyCodeStatus::Used
            } else if t.ends_at.is_some_and(|e| now >= e) {
                MyCodeStatus::Expired
            } else {
                MyCodeStatus::Available
            };
            MyCode {
                code: CouponCode::from_stored(r.code),
                campaign: t.name,
                discount_type: t.discount_type,
                discount_value: t.discount_value,
                ends_at: t.ends_at,
                status,
            }
        })
        .collect())
}

/// Campaigns newest first, with how many codes each has.
///
/// # Errors
/// A database failure.
pub fn list_campaigns(conn: &mut PgConnection, page: PageRequest) -> Result<Page<(Campaign, i64)>, PromotionError> {
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(embed)]
        campaign: CampaignRow,
        #[diesel(sql_type = BigInt)]
        codes: i64,
        #[diesel(sql_type = BigInt)]
        total: i64,
    }
    let rows: Vec<Row> = prepared(
        "SELECT k.id, k.name, k.discount_type, k.discount_value, k.code_policy, k.max_redemptions, k.budget, \
                k.min_subtotal, k.applies_kinds, k.applies_products, k.stackable, k.starts_at, k.ends_at, k.uses, \
                k.discount_used, k.created_by, k.created_at, \
                (SELECT count(*) FROM coupon_codes c WHERE c.campaign_id = k.id) AS codes, count(*) OVER () AS total \
         FROM campaigns k ORDER BY k.created_at DESC, k.id LIMIT $1 OFFSET $2",
    )
    .bind::<BigInt, _>(page.limit())
    .bind::<BigInt, _>(page.offset())
    .load(conn)?;
    let total = rows.first().map_or(0, |r| r.total);
    let items = rows.into_iter().map(|r| (r.campaign.campaign(), r.codes)).collect();
    Ok(Page { items, page: page.page, per_page: page.per_page, total })
}
