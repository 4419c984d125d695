//! The number pool: the search shoppers pick a number with, and the import staff fill it with.
//! A number may be sold while it is `available`, or `held` by a cart whose hold ran out (no
//! sweeper is needed for a hold to end).
use std::collections::HashSet;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Nullable, Text, Timestamptz};

use super::types::Msisdn;
use crate::db::prepared;
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

/// Totals above this are not counted on: a broad search says "more than 200, type more
/// digits" (counting further would cost more than the page itself, and a shopper narrows the
/// search long before paging through ten pages of numbers).
pub const COUNT_CAP: i64 = 200;

/// A page of the search, what it found in all (up to `COUNT_CAP`), and what activating on an
/// eSIM adds to a number's price (`None` while the eSIM pool is empty).
#[derive(Debug, Clone)]
pub struct NumberResults {
    pub page: Page<NumberOffer>,
    /// The total is `COUNT_CAP` and more match.
    pub total_capped: bool,
    pub esim_price: Option<Money>,
}

#[derive(QueryableByName)]
struct ResultRow {
    #[diesel(sql_type = Nullable<Text>)]
    msisdn: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    tier: Option<Tier>,
    #[diesel(sql_type = Nullable<diesel::sql_types::Uuid>)]
    product_id: Option<ProductId>,
    #[diesel(sql_type = Nullable<diesel::sql_types::Numeric>)]
    price: Option<rust_decimal::Decimal>,
    #[diesel(sql_type = BigInt)]
    total: i64,
    #[diesel(sql_type = Nullable<diesel::sql_types::Numeric>)]
    esim_price: Option<rust_decimal::Decimal>,
}

/// The search as one statement: the tiers on sale with their listing and price, the page, the
/// total up to `$8`, and the eSIM's price. `$1` now, `$2` the tiers asked for, `$3`–`$4` the
/// range of the indexed expression `$range`, `$5` the whole pattern (a filter), `$6`/`$7` limit
/// and offset. With `ordered` the page walks the digits' own order. `walked` is `ordered` under limits the planner
/// cannot see, for a range that is every number: a plan for "the first 20 of a million" looks
/// cheaper than the cached plan for any page, so with visible limits that search was planned
/// anew on every call, and planning cost three times the walk (a narrow range is the other way
/// round: its cached plan wins only while the limits are seen). With `windows`, `$3`–`$4` is
/// the range of the first four digits looked for.
macro_rules! search_sql {
    ($range:literal, ordered) => {
        search_sql!(@ordered $range, "msisdn", "$6", "$7", "$8")
    };
    ($range:literal, walked) => {
        search_sql!(@ordered $range, "msisdn", "(SELECT $6::bigint)", "(SELECT $7::bigint)", "(SELECT $8::bigint)")
    };
    (@ordered $range:literal, $order:literal, $limit:literal, $offset:literal, $cap:literal) => {
        search_sql!(@body concat!(
            "p AS (SELECT msisdn, tier FROM numbers WHERE ", search_sql!(@where $range),
            " ORDER BY ", $order, " LIMIT ", $limit, " OFFSET ", $offset, "), \
             c AS (SELECT count(*) AS total FROM (SELECT 1 FROM numbers WHERE ", search_sql!(@where $range),
            " ORDER BY ", $order, " LIMIT ", $cap, ") x)"))
    };
    (windows) => {
        search_sql!(@windowed search_sql!(@windows ""),
            search_sql!(@windows " ORDER BY msisdn LIMIT $6::bigint + $7::bigint"))
    };
    (three) => {
        search_sql!(@windowed search_sql!(@threes ""),
            search_sql!(@threes " ORDER BY msisdn LIMIT $6::bigint + $7::bigint"))
    };
    (@windowed $all:expr, $cut:expr) => {
        // Each number is found once, at the first place the digits occur in it. The page merges
        // the five walks in number order, each cut at the page's end (a walk under a limit is
        // known to come out in number order; a bare one is sorted first); the count stops at its
        // cap.
        // The values every walk compares with are read from `k`, so each is sent once.
        search_sql!(@body concat!(
            "k AS (SELECT $1::timestamptz AS now, $3::text AS lo, $4::text AS hi, btrim($5, '%') AS digits), \
             w AS NOT MATERIALIZED (", $all, "), p AS (SELECT msisdn, tier FROM (", $cut, ") pw ORDER BY msisdn LIMIT $6 OFFSET $7), \
             c AS (SELECT count(*) AS total FROM (SELECT 1 FROM w LIMIT $8) x)"))
    };
    (@windows $cut:literal) => {
        concat!(
            search_sql!(@first $cut), " UNION ALL ",
            search_sql!(@window "substr(msisdn, 2, 4) = (SELECT lo FROM k)", "2", $cut), " UNION ALL ",
            search_sql!(@window "substr(msisdn, 3, 4) = (SELECT lo FROM k)", "3", $cut), " UNION ALL ",
            search_sql!(@window "substr(msisdn, 4, 4) = (SELECT lo FROM k)", "4", $cut), " UNION ALL ",
            search_sql!(@window "substr(msisdn, 5, 4) = (SELECT lo FROM k)", "5", $cut))
    };
    (@first $cut:literal) => {
        // The first place is a range of the digits' own order, whatever is looked for.
        search_sql!(@window "msisdn >= (SELECT lo FROM k) AND msisdn < (SELECT hi FROM k)", "1", $cut)
    };
    (@threes $cut:literal) => {
        // Three digits start a range of each window (not in number order: each walk is sorted,
        // ~1,000 numbers), or end the number (the endings' index, in order).
        concat!(
            search_sql!(@first $cut), " UNION ALL ",
            search_sql!(@window "substr(msisdn, 2, 4) >= (SELECT lo FROM k) AND substr(msisdn, 2, 4) < (SELECT hi FROM k)", "2", $cut), " UNION ALL ",
            search_sql!(@window "substr(msisdn, 3, 4) >= (SELECT lo FROM k) AND substr(msisdn, 3, 4) < (SELECT hi FROM k)", "3", $cut), " UNION ALL ",
            search_sql!(@window "substr(msisdn, 4, 4) >= (SELECT lo FROM k) AND substr(msisdn, 4, 4) < (SELECT hi FROM k)", "4", $cut), " UNION ALL ",
            search_sql!(@window "substr(msisdn, 5, 4) >= (SELECT lo FROM k) AND substr(msisdn, 5, 4) < (SELECT hi FROM k)", "5", $cut), " UNION ALL ",
            search_sql!(@window "right(msisdn, 2) = (SELECT right(digits, 2) FROM k) AND substr(msisdn, 6, 1) = (SELECT left(digits, 1) FROM k)", "6", $cut))
    };
    (@window $range:literal, $at:literal, $cut:literal) => {
        concat!("(SELECT msisdn, tier FROM numbers WHERE status IN ('available', 'held') \
                 AND (status = 'available' OR held_until <= (SELECT now FROM k)) \
                 AND tier = ANY (ARRAY(SELECT tier FROM t)) AND ", $range,
                " AND strpos(msisdn, (SELECT digits FROM k)) = ", $at, $cut, ")")
    };
    (@open) => {
        "status IN ('available', 'held') AND (status = 'available' OR held_until <= $1) \
         AND tier = ANY (ARRAY(SELECT tier FROM t))"
    };
    (@where $range:literal) => {
        // `msisdn || ''` keeps the whole pattern a filter: on the bare column a prepared plan
        // may look the pattern up in another index of the digits instead of walking the range.
        concat!(search_sql!(@open), " AND ", $range, " AND (msisdn || '') LIKE $5")
    };
    (@body $middle:expr) => {
        concat!(
            "WITH t AS (SELECT DISTINCT ON (attributes ->> 'tier') attributes ->> 'tier' AS tier, id, price \
                FROM products WHERE kind = 'number' AND active AND attributes ->> 'tier' = ANY($2) \
                ORDER BY attributes ->> 'tier', price, id), ",
            $middle,
            " SELECT p.msisdn, p.tier, t.id AS product_id, t.price, c.total, \
                    CASE WHEN EXISTS (SELECT 1 FROM esim_profiles WHERE status = 'available') \
                         THEN (SELECT min(price) FROM products WHERE kind = 'esim' AND active) END AS esim_price \
             FROM c LEFT JOIN (p JOIN t ON t.tier = p.tier) ON true ORDER BY p.msisdn"
        )
    };
}

/// Every number (`['', '~')`), in order.
const EVERY: &str = search_sql!("msisdn >= $3 AND msisdn < $4", walked);
/// Every number of one tier, in order. The tier is written into each statement: planned for a
/// tier bound as a parameter, the cached plan walked every number to find a rare tier's few
/// (0.6 s for platinum at a million), where the tier's own index holds them.
fn by_tier(tier: Tier) -> &'static str {
    match tier {
        Tier::Ordinary => search_sql!("tier = 'ordinary' AND msisdn >= $3 AND msisdn < $4", ordered),
        Tier::Silver => search_sql!("tier = 'silver' AND msisdn >= $3 AND msisdn < $4", ordered),
        Tier::Gold => search_sql!("tier = 'gold' AND msisdn >= $3 AND msisdn < $4", ordered),
        Tier::Platinum => search_sql!("tier = 'platinum' AND msisdn >= $3 AND msisdn < $4", ordered),
    }
}
/// A prefix range of the byte-ordered digits.
const BY_DIGITS: &str = search_sql!("msisdn >= $3 AND msisdn < $4", ordered);
/// At least four digits of end (and any start): the numbers with those last four, in order,
/// from the start's range.
const BY_LAST_FOUR: &str = search_sql!("substr(msisdn, 5, 4) = right($5, 4) AND msisdn >= $3 AND msisdn < $4", ordered);
/// Two or three digits of end (and any start): the numbers with those last two, in order, from
/// the start's range.
const BY_ENDS: &str = search_sql!("right(msisdn, 2) = right($5, 2) AND msisdn >= $3 AND msisdn < $4", ordered);
/// Four or more digits anywhere: their first four where each may start (`$3`), then the rest.
const BY_WINDOWS: &str = search_sql!(windows);
/// Three digits anywhere: the ranges they start in each window, and the numbers they end.
const BY_THREE: &str = search_sql!(three);

/// The digits a contains search looks up by their place in the number (`numbers_open_window*`).
const WINDOW: usize = 4;

/// How a pattern is looked up, and the range `[lo, hi)` of its index.
enum Lookup {
    Every,
    Tier(Tier),
    Digits,
    LastFour,
    Ends,
    Windows,
    Three,
}

/// The range of strings starting with `prefix` (`"88"` → `["88", "89")`); digits only.
fn range_of(prefix: &str) -> (String, String) {
    if prefix.is_empty() {
        return (String::new(), "~".into());
    }
    let mut hi = prefix.to_string();
    let last = hi.pop().unwrap_or('0');
    if last == '9' {
        hi.push_str("9~");
    } else {
        hi.push(char::from(last as u8 + 1));
    }
    (prefix.to_string(), hi)
}

/// Chooses the narrower index for a pattern. A prefix's first two digits are one of the
/// operator's few prefixes, so they narrow little; each further digit, and each digit of a
/// suffix, narrows tenfold.
fn lookup(pattern: Option<&NumberPattern>, tier: Option<Tier>) -> (Lookup, String, String) {
    // Nothing narrows but the tier: walk that tier's numbers, or every number.
    let broad = || {
        let (lo, hi) = range_of("");
        (tier.map_or(Lookup::Every, Lookup::Tier), lo, hi)
    };
    let Some(like) = pattern.map(NumberPattern::like) else { return broad() };
    let prefix: String = like.chars().take_while(char::is_ascii_digit).collect();
    let suffix: String =
        if like.ends_with('%') { String::new() } else { like.chars().rev().take_while(char::is_ascii_digit).collect() };
    let anywhere = like
        .strip_prefix('%')
        .and_then(|l| l.strip_suffix('%'))
        .filter(|d| d.chars().all(|c| c.is_ascii_digit()))
        .unwrap_or("");
    let prefix_strength = prefix.len().saturating_sub(1);
    let (lo, hi) = range_of(&prefix);
    if suffix.len() >= WINDOW {
        (Lookup::LastFour, lo, hi)
    } else if suffix.len() >= 2 && suffix.len() > prefix_strength {
        (Lookup::Ends, lo, hi)
    } else if !prefix.is_empty() {
        (Lookup::Digits, lo, hi)
    } else if anywhere.len() >= WINDOW {
        let (lo, hi) = range_of(&anywhere[..WINDOW]);
        (Lookup::Windows, lo, hi)
    } else if anywhere.len() == WINDOW - 1 {
        let (lo, hi) = range_of(anywhere);
        (Lookup::Three, lo, hi)
    } else {
        // A short suffix, fewer digits anywhere, or digits between stars: a walk with the
        // pattern as a filter.
        broad()
    }
}

/// Available numbers matching `pattern` and `tier`, in order, a page at a time, each with its
/// tier's price (only tiers on sale are offered), the total up to `COUNT_CAP`, and the eSIM's
/// price: one statement, prepared once per connection.
///
/// # Errors
/// A database error.
pub fn search(conn: &mut PgConnection, search: &NumberSearch, now: DateTime<Utc>) -> Result<NumberResults, DbError> {
    let NumberSearch { pattern, tier, page } = search;
    let tiers: Vec<&str> =
        Tier::ALL.into_iter().filter(|t| tier.is_none_or(|only| only == *t)).map(Tier::as_str).collect();
    let like = pattern.as_ref().map_or_else(|| "%".to_string(), |p| p.like().to_string());
    let (how, lo, hi) = lookup(pattern.as_ref(), *tier);
    // The same parameters for both ways of sending the statement.
    macro_rules! with_params {
        ($statement:expr) => {
            $statement
                .bind::<Timestamptz, _>(now)
                .bind::<Array<Text>, _>(tiers)
                .bind::<Text, _>(lo)
                .bind::<Text, _>(hi)
                .bind::<Text, _>(like)
                .bind::<BigInt, _>(page.limit())
                .bind::<BigInt, _>(page.offset())
                .bind::<BigInt, _>(COUNT_CAP + 1)
                .load(conn)?
        };
    }
    let rows: Vec<ResultRow> = match how {
        Lookup::Every => with_params!(prepared(EVERY)),
        Lookup::Tier(only) => with_params!(prepared(by_tier(only))),
        Lookup::Digits => with_params!(prepared(BY_DIGITS)),
        Lookup::LastFour => with_params!(prepared(BY_LAST_FOUR)),
        Lookup::Ends => with_params!(prepared(BY_ENDS)),
        Lookup::Windows => with_params!(prepared(BY_WINDOWS)),
        Lookup::Three => with_params!(prepared(BY_THREE)),
    };
    let total = rows.first().map_or(0, |r| r.total);
    let esim_price = rows.first().and_then(|r| r.esim_price).map(Money::mnt);
    let items = rows
        .into_iter()
        .filter_map(|r| {
            let tier = r.tier?;
            Some(NumberOffer {
                golden: matches!(tier, Tier::Gold | Tier::Platinum),
                msisdn: Msisdn::from_stored(r.msisdn?),
                tier,
                price: Money::mnt(r.price?),
                product_id: r.product_id?,
            })
        })
        .collect();
    Ok(NumberResults {
        page: Page { items, page: page.page, per_page: page.per_page, total: total.min(COUNT_CAP) },
        total_capped: total > COUNT_CAP,
        esim_price,
    })
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

impl ImportLine {
    /// The lines of a `msisdn,tier` CSV (a header line allowed), tiers in lower case.
    pub fn from_csv(text: &str) -> Vec<ImportLine> {
        csv_pairs(text, "msisdn")
            .into_iter()
            .map(|(line, msisdn, tier)| ImportLine { line, msisdn, tier: tier.to_ascii_lowercase() })
            .collect()
    }
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
    // In number order the indexes grow at their ends instead of at random pages all over them.
    valid.sort_unstable_by(|a, b| a.0.cmp(&b.0));
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
    fn a_pattern_takes_its_narrowest_index() {
        let how = |q: &str| {
            let p = NumberPattern::parse(q, "q").ok().flatten();
            let (how, lo, hi) = lookup(p.as_ref(), None);
            let name = match how {
                Lookup::Every => "every",
                Lookup::Tier(_) => "tier",
                Lookup::Digits => "digits",
                Lookup::LastFour => "last four",
                Lookup::Ends => "ends",
                Lookup::Windows => "windows",
                Lookup::Three => "three",
            };
            (name, lo, hi)
        };
        assert_eq!(how(""), ("every", String::new(), "~".to_string()));
        assert_eq!(how("8811*"), ("digits", "8811".into(), "8812".into()));
        assert_eq!(how("88*11"), ("ends", "88".into(), "89".into()), "the end's two digits, from the start's range");
        assert_eq!(how("*211"), ("ends", String::new(), "~".into()));
        assert_eq!(how("8*1"), ("digits", "8".into(), "9".into()));
        assert_eq!(how("*9"), ("every", String::new(), "~".into()));
        assert_eq!(how("8811*9"), ("digits", "8811".into(), "8812".into()));
        assert_eq!(how("*2239"), ("last four", String::new(), "~".into()));
        assert_eq!(how("88*12239"), ("last four", "88".into(), "89".into()));
        assert_eq!(how("8811*2239"), ("last four", "8811".into(), "8812".into()));
        assert_eq!(how("2233"), ("windows", "2233".into(), "2234".into()));
        assert_eq!(how("22339"), ("windows", "2233".into(), "2234".into()), "the first four digits, then the rest");
        assert_eq!(how("223"), ("three", "223".into(), "224".into()));
        assert_eq!(how("22"), ("every", String::new(), "~".to_string()));
        assert_eq!(how("*22*33*"), ("every", String::new(), "~".to_string()));
    }

    #[test]
    fn csv_reads_with_or_without_a_header() {
        let lines = csv_pairs("msisdn,tier\n88112233,gold\n\n\"89118911\", Platinum\n", "msisdn");
        assert_eq!(lines, [(2, "88112233".into(), "gold".into()), (4, "89118911".into(), "Platinum".into())]);
        assert_eq!(csv_pairs("88112233,ordinary", "msisdn")[0].0, 1);
    }
}
