//! The number pool: the search shoppers pick a number with, and the import staff fill it with.
//! A number may be sold while it is `available`, or `held` by a cart whose hold ran out (no
//! sweeper is needed for a hold to end).
use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Nullable, Text, Timestamptz};

use super::types::Msisdn;
use crate::db::DbError;
use crate::domain::catalog::Tier;
use crate::domain::shared::{Code, FieldError, FieldErrors, Money, Page, PageRequest, ProductId};

/// What a shopper typed: digits, with `*` for any digits. With a `*` the pattern is anchored
/// at both ends (`88*11` starts with 88 and ends with 11; `*2233` ends with 2233); without one
/// it matches numbers containing the digits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NumberPattern {
    like: String,
}

impl NumberPattern {
    /// `None` for an empty query (every number).
    ///
    /// # Errors
    /// `number_pattern` on `field` for anything but digits and `*`, or more than 8 digits.
    pub fn parse(raw: &str, field: &str) -> Result<Option<Self>, FieldErrors> {
        let q: String = raw.chars().filter(|c| !c.is_whitespace() && *c != '-').collect();
        if q.is_empty() || q.chars().all(|c| c == '*') {
            return Ok(None);
        }
        let digits = q.chars().filter(char::is_ascii_digit).count();
        if digits > 8 || !q.chars().all(|c| c.is_ascii_digit() || c == '*') {
            return Err(FieldErrors::single(field, Code::NumberPattern));
        }
        let mut like = String::with_capacity(q.len() + 2);
        if !q.contains('*') {
            like.push('%');
        }
        for c in q.chars() {
            // Runs of `*` are one wildcard.
            if c != '*' || !like.ends_with('%') {
                like.push(if c == '*' { '%' } else { c });
            }
        }
        if !q.contains('*') {
            like.push('%');
        }
        Ok(Some(Self { like }))
    }

    /// The `LIKE` pattern over the digits.
    pub fn like(&self) -> &str {
        &self.like
    }
}

/// A search of the pool, parsed: the pattern, the tier and the page.
#[derive(Debug, Clone)]
pub struct NumberSearch {
    pub pattern: Option<NumberPattern>,
    pub tier: Option<Tier>,
    pub page: PageRequest,
}

impl NumberSearch {
    /// Parses the raw query values (`q`, `tier`, `page`, `per_page`).
    ///
    /// # Errors
    /// A field error per wrong value, all at once.
    pub fn parse(
        q: Option<&str>,
        tier: Option<&str>,
        page: Option<&str>,
        per_page: Option<&str>,
    ) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let pattern = NumberPattern::parse(q.unwrap_or(""), "q").map_err(|e| errors.extend(e)).ok();
        let tier = match tier.map(str::trim).filter(|t| !t.is_empty()) {
            None => Some(None),
            Some(t) => {
                let parsed = Tier::parse(&t.to_ascii_lowercase());
                if parsed.is_none() {
                    errors.add("tier", Code::Tier);
                }
                parsed.map(Some)
            }
        };
        let page = PageRequest::parse(page, per_page).map_err(|e| errors.extend(e)).ok();
        match (pattern, tier, page) {
            (Some(pattern), Some(tier), Some(page)) => Ok(Self { pattern, tier, page }),
            _ => Err(errors),
        }
    }
}

/// A number a shopper may choose, at its tier's price.
#[derive(Debug, Clone, PartialEq)]
pub struct NumberOffer {
    pub msisdn: Msisdn,
    pub tier: Tier,
    pub price: Money,
    /// The tier's number product, which a cart line for this number names.
    pub product_id: ProductId,
    /// Golden numbers (gold and platinum) stand out.
    pub golden: bool,
}

/// Each tier's number product and price, for tiers on sale.
fn tier_prices(conn: &mut PgConnection) -> Result<HashMap<Tier, (ProductId, Money)>, DbError> {
    use crate::db::schema::products;
    let rows: Vec<(ProductId, Option<String>, rust_decimal::Decimal)> = products::table
        .filter(products::kind.eq("number").and(products::active.eq(true)))
        .order(products::price)
        .select((products::id, diesel::dsl::sql::<Nullable<Text>>("attributes ->> 'tier'"), products::price))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .rev()
        .filter_map(|(id, tier, price)| Some((Tier::parse(tier.as_deref()?)?, (id, Money::mnt(price)))))
        .collect())
}

/// What activating a number on an eSIM adds to its price: the eSIM product's price, while the
/// pool has a profile to give (`None`: eSIMs cannot be had now).
///
/// # Errors
/// A database error.
pub fn esim_offer(conn: &mut PgConnection) -> Result<Option<Money>, DbError> {
    #[derive(QueryableByName)]
    struct Price {
        #[diesel(sql_type = Nullable<diesel::sql_types::Numeric>)]
        price: Option<rust_decimal::Decimal>,
    }
    let row: Price = diesel::sql_query(
        "SELECT CASE WHEN EXISTS (SELECT 1 FROM esim_profiles WHERE status = 'available') \
                THEN (SELECT min(price) FROM products WHERE kind = 'esim' AND active) END AS price",
    )
    .get_result(conn)?;
    Ok(row.price.map(Money::mnt))
}

#[derive(QueryableByName)]
struct OfferRow {
    #[diesel(sql_type = Text)]
    msisdn: String,
    #[diesel(sql_type = Text)]
    tier: Tier,
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    total: i64,
}

/// The numbers that may be sold now, of `tiers`, whose digits match `$3`.
const OPEN: &str = "FROM numbers WHERE status IN ('available', 'held') \
     AND (status = 'available' OR held_until <= $1) AND tier = ANY($2)";

/// The column a pattern is matched on and the `LIKE` to match: a suffix pattern on the
/// reversed digits, which its own index serves.
fn matched(pattern: Option<&NumberPattern>) -> (&'static str, String) {
    match pattern.map(NumberPattern::like) {
        Some(p) if p.starts_with('%') && !p.ends_with('%') => ("reverse(msisdn)", p.chars().rev().collect()),
        Some(p) => ("msisdn", p.to_string()),
        None => ("msisdn", "%".to_string()),
    }
}

/// Available numbers matching `pattern` and `tier`, in order, a page at a time, each with its
/// tier's price. Only tiers on sale are offered. Two or three statements whatever the page's
/// size (the count is left out when the page is the last).
///
/// # Errors
/// A database error.
pub fn search(
    conn: &mut PgConnection,
    search: &NumberSearch,
    now: DateTime<Utc>,
) -> Result<Page<NumberOffer>, DbError> {
    let NumberSearch { pattern, tier, page } = search;
    let (pattern, tier, page) = (pattern.as_ref(), *tier, *page);
    let prices = tier_prices(conn)?;
    let tiers: Vec<&str> = Tier::ALL
        .into_iter()
        .filter(|t| tier.is_none_or(|only| only == *t) && prices.contains_key(t))
        .map(Tier::as_str)
        .collect();
    let (column, like) = matched(pattern);
    // The page stops after its rows (the byte-ordered index serves the order); the total is
    // counted apart, and not at all when the page shows that there is no more.
    // A pattern that does not start with digits matches few numbers scattered over the order:
    // they are found by their own index first and then sorted, instead of walking the order.
    let sql = if like.starts_with('%') || column != "msisdn" {
        format!(
            "WITH m AS MATERIALIZED (SELECT msisdn, tier {OPEN} AND {column} LIKE $3) \
             SELECT msisdn, tier FROM m ORDER BY msisdn LIMIT $4 OFFSET $5"
        )
    } else {
        format!("SELECT msisdn, tier {OPEN} AND {column} LIKE $3 ORDER BY msisdn LIMIT $4 OFFSET $5")
    };
    let rows: Vec<OfferRow> = diesel::sql_query(sql)
        .bind::<Timestamptz, _>(now)
        .bind::<Array<Text>, _>(&tiers)
        .bind::<Text, _>(&like)
        .bind::<BigInt, _>(page.limit())
        .bind::<BigInt, _>(page.offset())
        .load(conn)?;
    let shown = i64::try_from(rows.len()).unwrap_or(i64::MAX);
    let total = if !rows.is_empty() && shown < page.limit() {
        page.offset() + shown
    } else {
        diesel::sql_query(format!("SELECT count(*) AS total {OPEN} AND {column} LIKE $3"))
            .bind::<Timestamptz, _>(now)
            .bind::<Array<Text>, _>(&tiers)
            .bind::<Text, _>(&like)
            .get_result::<Count>(conn)?
            .total
    };
    let items = rows
        .into_iter()
        .filter_map(|r| {
            let (product_id, price) = *prices.get(&r.tier)?;
            Some(NumberOffer {
                product_id,
                golden: matches!(r.tier, Tier::Gold | Tier::Platinum),
                msisdn: Msisdn::from_stored(r.msisdn),
                tier: r.tier,
                price,
            })
        })
        .collect();
    Ok(Page { items, page: page.page, per_page: page.per_page, total })
}

/// One line of an import that was refused, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineError {
    /// 1-based: the file's line for CSV, the array position for JSON.
    pub line: usize,
    pub field: &'static str,
    pub error: FieldError,
}

/// What an import did: numbers added, numbers already in the pool (left as they are), and the
/// lines refused.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportReport {
    pub imported: u64,
    pub skipped: u64,
    pub errors: Vec<LineError>,
}

/// A line of an import, as written.
#[derive(Debug, Clone)]
pub struct ImportLine {
    pub line: usize,
    pub msisdn: String,
    pub tier: String,
}

/// Reads two-column CSV, with or without a header line (its first column named `header`);
/// blank lines are skipped. Each line comes with its 1-based number in the file.
pub fn csv_pairs(text: &str, header: &str) -> Vec<(usize, String, String)> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .filter(|(i, l)| !(*i == 0 && l.trim().to_ascii_lowercase().starts_with(header)))
        .map(|(i, l)| {
            let (a, b) = l.split_once(',').unwrap_or((l, ""));
            (i + 1, a.trim().trim_matches('"').to_string(), b.trim().trim_matches('"').to_string())
        })
        .collect()
}

/// Batches written in one statement each: large pools (a million numbers) import in seconds.
const IMPORT_BATCH: usize = 20_000;

/// Adds the valid lines' numbers to the pool, available, in one transaction; numbers already
/// in it are left as they are (`skipped`). Lines with a bad number, a foreign prefix, an unknown
/// tier or a number already on an earlier line are reported and skipped.
///
/// # Errors
/// A database error (nothing is imported then).
pub fn import(
    conn: &mut PgConnection,
    lines: &[ImportLine],
    own_prefixes: &[String],
    now: DateTime<Utc>,
) -> Result<ImportReport, DbError> {
    let mut report = ImportReport::default();
    let mut seen = HashSet::new();
    let mut valid: Vec<(String, Tier)> = Vec::with_capacity(lines.len());
    for l in lines {
        let msisdn = match Msisdn::parse(&l.msisdn, "msisdn", own_prefixes) {
            Ok(m) => m,
            Err(e) => {
                let error = e.fields().get("msisdn").and_then(|v| v.first().cloned());
                report.errors.push(LineError {
                    line: l.line,
                    field: "msisdn",
                    error: error.unwrap_or(Code::Phone.into()),
                });
                continue;
            }
        };
        let Some(tier) = Tier::parse(&l.tier) else {
            report.errors.push(LineError { line: l.line, field: "tier", error: Code::Tier.into() });
            continue;
        };
        if !seen.insert(msisdn.as_str().to_string()) {
            report.errors.push(LineError { line: l.line, field: "msisdn", error: Code::DuplicateLine.into() });
            continue;
        }
        valid.push((msisdn.as_str().to_string(), tier));
    }
    conn.transaction(|conn| {
        for batch in valid.chunks(IMPORT_BATCH) {
            let msisdns: Vec<&str> = batch.iter().map(|(m, _)| m.as_str()).collect();
            let tiers: Vec<&str> = batch.iter().map(|(_, t)| t.as_str()).collect();
            let inserted = diesel::sql_query(
                "INSERT INTO numbers (msisdn, tier, created_at, updated_at) \
                 SELECT m, t, $3, $3 FROM unnest($1::text[], $2::text[]) AS l(m, t) \
                 ON CONFLICT (msisdn) DO NOTHING",
            )
            .bind::<Array<Text>, _>(msisdns)
            .bind::<Array<Text>, _>(tiers)
            .bind::<Timestamptz, _>(now)
            .execute(conn)?;
            report.imported += inserted as u64;
            report.skipped += (batch.len() - inserted) as u64;
        }
        Ok::<_, DbError>(())
    })?;
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_are_anchored_with_a_star_and_contain_without() {
        let like = |q: &str| NumberPattern::parse(q, "q").map(|p| p.map(|p| p.like().to_string()));
        assert_eq!(like("88*11"), Ok(Some("88%11".into())));
        assert_eq!(like("*2233"), Ok(Some("%2233".into())));
        assert_eq!(like("8811*"), Ok(Some("8811%".into())));
        assert_eq!(like("2233"), Ok(Some("%2233%".into())));
        assert_eq!(like("88**11"), Ok(Some("88%11".into())));
        assert_eq!(like(" 8811-2233 "), Ok(Some("%88112233%".into())));
        assert_eq!(like(""), Ok(None));
        assert_eq!(like("*"), Ok(None));
        for bad in ["88a1", "881122334", "%", "_1"] {
            assert!(like(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn csv_reads_with_or_without_a_header() {
        let lines = csv_pairs("msisdn,tier\n88112233,gold\n\n\"89118911\", Platinum\n", "msisdn");
        assert_eq!(lines, [(2, "88112233".into(), "gold".into()), (4, "89118911".into(), "Platinum".into())]);
        assert_eq!(csv_pairs("88112233,ordinary", "msisdn")[0].0, 1);
    }
}
