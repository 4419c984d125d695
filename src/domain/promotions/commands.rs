//! Campaign writes: staff create campaigns and codes; an order reserves its codes, and its
//! payment, cancellation, expiry or refund moves their uses along.
use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Array, Nullable, Numeric, Text, Timestamptz, Uuid as SqlUuid};
use rust_decimal::Decimal;

use super::model::CampaignRow;
use super::rules::{self, GENERATED_LENGTH};
use super::types::{
    Campaign, CampaignInput, CodePolicy, CodeRecord, CodeRequest, CodeStatus, CodeTerms, CouponCode, CouponRefusal,
    DiscountType, RedemptionStatus,
};
use super::PromotionError;
use crate::db::schema::{accounts, campaigns, coupon_codes, products};
use crate::db::{prepared, DbError};
use crate::domain::audit::{self, AuditAction, Subject};
use crate::domain::catalog::ProductKind;
use crate::domain::jobs::enqueue_job;
use crate::domain::mails::CouponMail;
use crate::domain::shared::money::parse_amount;
use crate::domain::shared::{AccountId, CampaignId, Code, CouponCodeId, FieldError, FieldErrors, Lang, Money};
use crate::domain::shared::{OrderId, ProductId};

/// The most codes one request makes.
pub const MAX_CODES_PER_REQUEST: i64 = 10_000;
/// The most customers one request assigns codes to.
pub const MAX_ASSIGN_PER_REQUEST: usize = 10_000;

fn trimmed(raw: Option<&String>) -> Option<&str> {
    raw.map(|s| s.trim()).filter(|s| !s.is_empty())
}

/// A moment as staff type it: RFC 3339 (`2026-12-31T23:59:00+08:00`), or a date and time
/// (`2026-12-31T23:59`, `2026-12-31 23:59`) or a date alone, read on the shop's clock
/// (Ulaanbaatar, UTC+8; a date alone is its midnight).
fn parse_moment(raw: &str) -> Option<DateTime<Utc>> {
    if let Ok(at) = DateTime::parse_from_rfc3339(raw) {
        return Some(at.with_timezone(&Utc));
    }
    let local = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S"]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(raw, f).ok())
        .or_else(|| NaiveDate::parse_from_str(raw, "%Y-%m-%d").ok().and_then(|d| d.and_hms_opt(0, 0, 0)))?;
    let ulaanbaatar = chrono::FixedOffset::east_opt(8 * 3600)?;
    ulaanbaatar.from_local_datetime(&local).single().map(|at| at.with_timezone(&Utc))
}

/// A campaign's fields checked, all errors at once: its terms' columns, as a new campaign is
/// written and a changed one is set (an absent limit clears the column).
#[derive(Insertable, AsChangeset)]
#[diesel(table_name = campaigns, treat_none_as_null = true)]
struct Checked {
    name: String,
    discount_type: DiscountType,
    discount_value: Decimal,
    #[diesel(column_name = code_policy)]
    policy: CodePolicy,
    max_redemptions: Option<i32>,
    budget: Option<Decimal>,
    min_subtotal: Option<Decimal>,
    #[diesel(column_name = applies_kinds)]
    kinds: Option<Vec<String>>,
    #[diesel(column_name = applies_products)]
    products: Option<Vec<ProductId>>,
    stackable: bool,
    starts_at: Option<DateTime<Utc>>,
    ends_at: Option<DateTime<Utc>>,
}

fn check(conn: &mut PgConnection, input: &CampaignInput) -> Result<Checked, PromotionError> {
    let mut errors = FieldErrors::new();
    let name = match trimmed(input.name.as_ref()) {
        None => {
            errors.add("name", Code::Required);
            None
        }
        Some(n) if n.chars().count() > 200 => {
            errors.add("name", FieldError::from(Code::TooLong).with("max", 200));
            None
        }
        Some(n) if n.chars().any(char::is_control) => {
            errors.add("name", Code::ControlCharacters);
            None
        }
        Some(n) => Some(n.to_string()),
    };
    let discount_type = match trimmed(input.discount_type.as_ref()) {
        None => {
            errors.add("discount.type", Code::Required);
            None
        }
        Some(t) => DiscountType::parse(t).or_else(|| {
            errors.add("discount.type", Code::DiscountType);
            None
        }),
    };
    let discount_value = match (trimmed(input.discount_value.as_ref()), discount_type) {
        (None, _) => {
            errors.add("discount.value", Code::Required);
            None
        }
        (Some(raw), Some(DiscountType::Percent)) => match raw.parse::<Decimal>() {
            Ok(v) if v > Decimal::ZERO && v <= Decimal::ONE_HUNDRED && v.scale() <= 2 => Some(v),
            _ => {
                errors.add("discount.value", Code::PercentRange);
                None
            }
        },
        (Some(raw), _) => parse_amount(raw, "discount.value").map(|m| m.amount()).map_err(|e| errors.extend(e)).ok(),
    };
    let policy = match trimmed(input.code_policy.as_ref()) {
        None => {
            errors.add("code_policy", Code::Required);
            None
        }
        Some(p) => CodePolicy::parse(p).or_else(|| {
            errors.add("code_policy", Code::CodePolicy);
            None
        }),
    };
    let max_redemptions = trimmed(input.max_redemptions.as_ref()).and_then(|raw| match raw.parse::<i32>() {
        Ok(n) if n > 0 => Some(n),
        _ => {
            errors.add("max_redemptions", Code::WholeNumber);
            None
        }
    });
    let budget = trimmed(input.budget.as_ref())
        .and_then(|raw| parse_amount(raw, "budget").map(|m| m.amount()).map_err(|e| errors.extend(e)).ok());
    // A minimum of nothing is no minimum.
    let min_subtotal = trimmed(input.min_subtotal.as_ref())
        .filter(|raw| raw.parse::<Decimal>().map_or(true, |d| !d.is_zero()))
        .and_then(|raw| parse_amount(raw, "min_subtotal").map(|m| m.amount()).map_err(|e| errors.extend(e)).ok());
    let kinds = input.kinds.as_ref().filter(|k| !k.is_empty()).map(|kinds| {
        kinds
            .iter()
            .filter_map(|k| match ProductKind::parse(k.trim()) {
                Some(kind) => Some(kind.as_str().to_string()),
                None => {
                    errors.add("applies_to.kinds", Code::UnknownKind);
                    None
                }
            })
            .collect::<Vec<_>>()
    });
    let products = match input.product_ids.as_ref().filter(|p| !p.is_empty()) {
        None => None,
        Some(raw) => {
            let ids: Vec<ProductId> = raw.iter().filter_map(|p| ProductId::parse(p)).collect();
            let known: i64 = products::table.filter(products::id.eq_any(&ids)).count().get_result(conn)?;
            let mut distinct = ids.clone();
            distinct.sort();
            distinct.dedup();
            if ids.len() != raw.len() || usize::try_from(known).ok() != Some(distinct.len()) {
                errors.add("applies_to.product_ids", Code::UnknownProduct);
            }
            Some(distinct)
        }
    };
    let mut moment = |raw: Option<&String>, field: &str| {
        trimmed(raw).and_then(|r| {
            let at = parse_moment(r);
            if at.is_none() {
                errors.add(field, Code::Timestamp);
            }
            at
        })
    };
    let starts_at = moment(input.starts_at.as_ref(), "starts_at");
    let ends_at = moment(input.ends_at.as_ref(), "ends_at");
    if let (Some(s), Some(e)) = (starts_at, ends_at) {
        if e <= s {
            errors.add("ends_at", Code::EndsBeforeStart);
        }
    }
    let (Some(name), Some(discount_type), Some(discount_value), Some(policy)) =
        (name, discount_type, discount_value, policy)
    else {
        return Err(errors.into());
    };
    errors.into_result()?;
    Ok(Checked {
        name,
        discount_type,
        discount_value,
        policy,
        max_redemptions,
        budget,
        min_subtotal,
        kinds,
        products,
        stackable: input.stackable.unwrap_or(false),
        starts_at,
        ends_at,
    })
}

/// Staff create a campaign.
///
/// # Errors
/// `Invalid` naming each wrong field.
pub fn create_campaign(
    conn: &mut PgConnection,
    input: &CampaignInput,
    staff: AccountId,
    now: DateTime<Utc>,
) -> Result<Campaign, PromotionError> {
    conn.transaction(|conn| create_in(conn, input, staff, now))
}

fn create_in(
    conn: &mut PgConnection,
    input: &CampaignInput,
    staff: AccountId,
    now: DateTime<Utc>,
) -> Result<Campaign, PromotionError> {
    let c = check(conn, input)?;
    let row: CampaignRow = diesel::insert_into(campaigns::table)
        .values((&c, campaigns::created_by.eq(staff), campaigns::created_at.eq(now), campaigns::updated_at.eq(now)))
        .returning(CampaignRow::as_returning())
        .get_result(conn)?;
    let after = terms_json(&row);
    audit::record(
        conn,
        staff,
        AuditAction::CampaignCreated,
        &Subject::new("campaign", row.id),
        None,
        Some(after),
        now,
    )?;
    Ok(row.campaign())
}

/// What the audit log keeps of a campaign's terms.
fn terms_json(row: &CampaignRow) -> serde_json::Value {
    serde_json::json!({"name": row.name, "discount_type": row.discount_type.as_str(),
        "discount_value": row.discount_value, "code_policy": row.code_policy.as_str(),
        "max_redemptions": row.max_redemptions, "budget": row.budget, "min_subtotal": row.min_subtotal,
        "applies_kinds": row.applies_kinds, "applies_products": row.applies_products, "stackable": row.stackable,
        "starts_at": row.starts_at, "ends_at": row.ends_at})
}

/// Staff change a campaign's terms; its codes and what it has been used for stay. Carts and
/// orders placed from now on are weighed by the new terms. The code policy is fixed once the
/// campaign has codes (they were made under it). Products left out (`product_ids: None`) stay
/// the ones the campaign applies to.
///
/// # Errors
/// `NotFound`; `Invalid` naming each wrong field.
pub fn update_campaign(
    conn: &mut PgConnection,
    id: CampaignId,
    input: &CampaignInput,
    staff: AccountId,
    now: DateTime<Utc>,
) -> Result<Campaign, PromotionError> {
    conn.transaction(|conn| {
        let before: CampaignRow = campaigns::table
            .find(id)
            .select(CampaignRow::as_select())
            .for_update()
            .first(conn)
            .optional()?
            .ok_or(PromotionError::NotFound)?;
        let mut c = check(conn, input)?;
        if input.product_ids.is_none() {
            c.products.clone_from(&before.applies_products);
        }
        if c.policy != before.code_policy {
            let codes: i64 = coupon_codes::table.filter(coupon_codes::campaign_id.eq(id)).count().get_result(conn)?;
            if codes > 0 {
                return Err(FieldErrors::single("code_policy", Code::PolicyFixed).into());
            }
        }
        let after: CampaignRow = diesel::update(campaigns::table.find(id))
            .set((&c, campaigns::updated_at.eq(now)))
            .returning(CampaignRow::as_returning())
            .get_result(conn)?;
        audit::record(
            conn,
            staff,
            AuditAction::CampaignUpdated,
            &Subject::new("campaign", id),
            Some(terms_json(&before)),
            Some(terms_json(&after)),
            now,
        )?;
        Ok(after.campaign())
    })
}

/// A customer named by id or email.
struct Customer {
    id: AccountId,
    email: String,
}

fn customers(conn: &mut PgConnection, named: &[String]) -> Result<Vec<Customer>, PromotionError> {
    let mut errors = FieldErrors::new();
    let ids: Vec<AccountId> = named.iter().filter_map(|n| AccountId::parse(n)).collect();
    let emails: Vec<String> =
        named.iter().filter(|n| AccountId::parse(n).is_none()).map(|n| n.trim().to_lowercase()).collect();
    #[derive(QueryableByName)]
    struct Found {
        #[diesel(sql_type = SqlUuid)]
        id: AccountId,
        #[diesel(sql_type = Text)]
        email: String,
    }
    let found: Vec<Found> = prepared("SELECT id, email FROM accounts WHERE id = ANY($1) OR lower(email) = ANY($2)")
        .bind::<Array<SqlUuid>, _>(&ids)
        .bind::<Array<Text>, _>(&emails)
        .load(conn)?;
    let found: Vec<(AccountId, String)> = found.into_iter().map(|f| (f.id, f.email)).collect();
    let mut out: Vec<Customer> = Vec::with_capacity(named.len());
    for (i, n) in named.iter().enumerate() {
        let hit = match AccountId::parse(n) {
            Some(id) => found.iter().find(|(a, _)| *a == id),
            None => found.iter().find(|(_, e)| e.to_lowercase() == n.trim().to_lowercase()),
        };
        match hit {
            Some((id, email)) if !out.iter().any(|c| c.id == *id) => {
                out.push(Customer { id: *id, email: email.clone() })
            }
            Some(_) => {}
            None => errors.add(&format!("assign_to[{i}]"), Code::CustomerUnknown),
        }
    }
    errors.into_result()?;
    Ok(out)
}

/// Random bytes for `n` generated codes.
fn random_bytes(n: usize) -> Result<Vec<u8>, PromotionError> {
    let mut bytes = vec![0u8; n * GENERATED_LENGTH];
    getrandom::fill(&mut bytes).map_err(|e| PromotionError::NoRandomness(e.to_string()))?;
    Ok(bytes)
}

/// Writes codes (those already taken by any campaign are skipped) and returns the ones written.
fn insert_codes(
    conn: &mut PgConnection,
    campaign: CampaignId,
    codes: &[String],
    owners: &[Option<AccountId>],
    now: DateTime<Utc>,
) -> Result<Vec<(CouponCodeId, String, Option<AccountId>)>, PromotionError> {
    #[derive(QueryableByName)]
    struct Written {
        #[diesel(sql_type = SqlUuid)]
        id: CouponCodeId,
        #[diesel(sql_type = Text)]
        code: String,
        #[diesel(sql_type = Nullable<SqlUuid>)]
        account_id: Option<AccountId>,
    }
    let rows: Vec<Written> = prepared(
        "INSERT INTO coupon_codes (campaign_id, code, account_id, assigned_at, created_at) \
         SELECT $1, c.code, c.owner, CASE WHEN c.owner IS NOT NULL THEN $4 END, $4 \
         FROM unnest($2::text[], $3::uuid[]) WITH ORDINALITY AS c(code, owner, n) ORDER BY c.n \
         ON CONFLICT (code) DO NOTHING RETURNING id, code, account_id",
    )
    .bind::<SqlUuid, _>(campaign)
    .bind::<Array<Text>, _>(codes)
    .bind::<Array<Nullable<SqlUuid>>, _>(owners)
    .bind::<Timestamptz, _>(now)
    .load(conn)?;
    Ok(rows.into_iter().map(|w| (w.id, w.code, w.account_id)).collect())
}

/// Generated codes, one per owner: new random ones where a code was taken (by chance, one in
/// about a trillion per code).
fn generate(
    conn: &mut PgConnection,
    campaign: CampaignId,
    prefix: &str,
    owners: Vec<Option<AccountId>>,
    now: DateTime<Utc>,
) -> Result<Vec<(CouponCodeId, String, Option<AccountId>)>, PromotionError> {
    let mut written = Vec::with_capacity(owners.len());
    let mut wanted = owners;
    for _ in 0..5 {
        if wanted.is_empty() {
            break;
        }
        let bytes = random_bytes(wanted.len())?;
        let mut codes: Vec<String> = bytes.chunks(GENERATED_LENGTH).map(|r| rules::generated(prefix, r)).collect();
        // Two equal codes in one batch: the second is made again.
        let mut seen = std::collections::HashSet::with_capacity(codes.len());
        for code in &mut codes {
            if !seen.insert(code.clone()) {
                code.clear();
            }
        }
        let (batch, owners): (Vec<String>, Vec<Option<AccountId>>) =
            codes.into_iter().zip(wanted.iter().copied()).filter(|(c, _)| !c.is_empty()).unzip();
        let got = insert_codes(conn, campaign, &batch, &owners, now)?;
        let mut left = wanted.clone();
        for (_, _, owner) in &got {
            if let Some(at) = left.iter().position(|o| o == owner) {
                left.remove(at);
            }
        }
        written.extend(got);
        wanted = left;
    }
    if !wanted.is_empty() {
        return Err(PromotionError::NoRandomness("generated codes kept colliding".into()));
    }
    Ok(written)
}

/// Staff add codes to a campaign: one named code (shared campaigns), `count` generated ones
/// (shared campaigns; unassigned personal codes), or one generated code for each customer named
/// (personal campaigns), mailed to them when `send_email`. The codes come back as written.
///
/// # Errors
/// `NotFound`; `Invalid` for a wrong code or count, a request the policy does not allow, an
/// unknown customer (`assign_to[i]`), or a code that exists already (`code`).
pub fn add_codes(
    conn: &mut PgConnection,
    campaign: CampaignId,
    request: &CodeRequest,
    staff: AccountId,
    now: DateTime<Utc>,
) -> Result<Vec<CodeRecord>, PromotionError> {
    conn.transaction(|conn| {
        let row: CampaignRow = campaigns::table
            .find(campaign)
            .select(CampaignRow::as_select())
            .first(conn)
            .optional()?
            .ok_or(PromotionError::NotFound)?;
        let written = match request {
            CodeRequest::One(raw) => {
                if row.code_policy == CodePolicy::Personal {
                    return Err(FieldErrors::single("code", Code::SharedOnly).into());
                }
                let code = CouponCode::parse(raw).ok_or_else(|| FieldErrors::single("code", Code::CouponCode))?;
                let got = insert_codes(conn, campaign, &[code.as_str().to_string()], &[None], now)?;
                if got.is_empty() {
                    return Err(FieldErrors::single("code", Code::CodeTaken).into());
                }
                got
            }
            CodeRequest::Generate { count, prefix } => {
                if !(1..=MAX_CODES_PER_REQUEST).contains(count) {
                    return Err(FieldErrors::single(
                        "count",
                        FieldError::from(Code::CodeCount).with("max", MAX_CODES_PER_REQUEST),
                    )
                    .into());
                }
                let prefix = match prefix.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
                    None => String::new(),
                    // The prefix and the random part must make a valid code together.
                    Some(p) => CouponCode::parse(&format!("{p}AAAAAAAA"))
                        .filter(|c| c.as_str().len() <= 32)
                        .map(|c| c.as_str()[..c.as_str().len() - GENERATED_LENGTH].to_string())
                        .ok_or_else(|| FieldErrors::single("prefix", Code::CouponCode))?,
                };
                let n = usize::try_from(*count).unwrap_or(0);
                generate(conn, campaign, &prefix, vec![None; n], now)?
            }
            CodeRequest::Assign { customers: named, send_email } => {
                if row.code_policy != CodePolicy::Personal {
                    return Err(FieldErrors::single("assign_to", Code::PersonalOnly).into());
                }
                if named.is_empty() {
                    return Err(FieldErrors::single("assign_to", Code::Required).into());
                }
                if named.len() > MAX_ASSIGN_PER_REQUEST {
                    return Err(FieldErrors::single(
                        "assign_to",
                        FieldError::from(Code::CodeCount).with("max", MAX_ASSIGN_PER_REQUEST),
                    )
                    .into());
                }
                let found = customers(conn, named)?;
                let got = generate(conn, campaign, "", found.iter().map(|c| Some(c.id)).collect(), now)?;
                if *send_email {
                    let terms = row.terms();
                    for (_, code, owner) in &got {
                        let Some(customer) = found.iter().find(|c| Some(c.id) == *owner) else { continue };
                        let mail = CouponMail {
                            to: customer.email.clone(),
                            lang: Lang::default(),
                            code: code.clone(),
                            campaign: terms.name.clone(),
                            discount: terms.shown_discount(),
                            min_subtotal: terms.min_subtotal.map(Money::display),
                            ends_at: terms.ends_at,
                        };
                        enqueue_job(conn, &mail, now)?;
                    }
                }
                got
            }
        };
        let how = match request {
            CodeRequest::One(_) => serde_json::json!({"named": written.first().map(|(_, c, _)| c)}),
            CodeRequest::Generate { .. } => serde_json::json!({"generated": written.len()}),
            CodeRequest::Assign { send_email, .. } => {
                serde_json::json!({"assigned": written.len(), "mailed": *send_email})
            }
        };
        audit::record(conn, staff, AuditAction::CodesMade, &Subject::new("campaign", campaign), None, Some(how), now)?;
        let emails: Vec<(AccountId, String)> = {
            let owners: Vec<AccountId> = written.iter().filter_map(|(_, _, o)| *o).collect();
            if owners.is_empty() {
                Vec::new()
            } else {
                accounts::table
                    .filter(accounts::id.eq_any(&owners))
                    .select((accounts::id, accounts::email))
                    .load(conn)?
            }
        };
        Ok(written
            .into_iter()
            .map(|(_, code, owner)| CodeRecord {
                code: CouponCode::from_stored(code),
                status: if owner.is_some() { CodeStatus::Assigned } else { CodeStatus::Unused },
                customer_id: owner,
                customer_email: owner.and_then(|o| emails.iter().find(|(a, _)| *a == o).map(|(_, e)| e.clone())),
                redeemed_at: None,
            })
            .collect())
    })
}

/// Records the uses of an order's codes in the order's transaction, after their campaigns were
/// locked (`queries::code_terms` with `lock`) and weighed: each code's use with its discount,
/// and its campaign's counters. The database refuses a second live use of a personal code or of
/// a once-per-customer code by one customer, and counters past the limit or the budget.
///
/// # Errors
/// `Refused(AlreadyUsed | UsedUp)`.
pub fn reserve(
    conn: &mut PgConnection,
    order: OrderId,
    customer: Option<AccountId>,
    uses: &[(&CodeTerms, Money)],
    now: DateTime<Utc>,
) -> Result<(), PromotionError> {
    #[derive(QueryableByName)]
    struct Outcome {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        counted: i64,
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        recorded: i64,
    }
    for (code, discount) in uses {
        let t = &code.terms;
        let outcome: Outcome = prepared(
            "WITH k AS (UPDATE campaigns SET uses = uses + 1, discount_used = discount_used + $5, updated_at = $6 \
                 WHERE id = $1 AND (max_redemptions IS NULL OR uses < max_redemptions) \
                   AND (budget IS NULL OR discount_used + $5 <= budget) RETURNING id), \
                  r AS (INSERT INTO coupon_redemptions (campaign_id, code_id, order_id, account_id, policy, discount, \
                           created_at) \
                 SELECT k.id, $2, $3, $4, $7, $5, $6 FROM k ON CONFLICT DO NOTHING RETURNING 1) \
             SELECT (SELECT count(*) FROM k) AS counted, (SELECT count(*) FROM r) AS recorded",
        )
        .bind::<SqlUuid, _>(t.campaign_id)
        .bind::<SqlUuid, _>(code.code_id)
        .bind::<SqlUuid, _>(order)
        .bind::<Nullable<SqlUuid>, _>(customer)
        .bind::<Numeric, _>(discount.amount())
        .bind::<Timestamptz, _>(now)
        .bind::<Text, _>(t.policy)
        .get_result(conn)?;
        if outcome.counted == 0 {
            return Err(PromotionError::Refused(CouponRefusal::UsedUp));
        }
        if outcome.recorded == 0 {
            return Err(PromotionError::Refused(CouponRefusal::AlreadyUsed));
        }
    }
    Ok(())
}

/// The order was paid: its codes' uses are redeemed.
///
/// # Errors
/// A database failure.
pub fn redeem_order(conn: &mut PgConnection, order: OrderId, now: DateTime<Utc>) -> Result<(), DbError> {
    prepared("UPDATE coupon_redemptions SET status = $2, redeemed_at = $3 WHERE order_id = $1 AND status = $4")
        .bind::<SqlUuid, _>(order)
        .bind::<Text, _>(RedemptionStatus::Redeemed)
        .bind::<Timestamptz, _>(now)
        .bind::<Text, _>(RedemptionStatus::Reserved)
        .execute(conn)?;
    Ok(())
}

/// The order was cancelled or expired unpaid: its codes can be used again and their campaigns
/// get the uses and the discount back.
///
/// # Errors
/// A database failure.
pub fn release_order(conn: &mut PgConnection, order: OrderId, now: DateTime<Utc>) -> Result<(), DbError> {
    prepared(
        "WITH r AS (UPDATE coupon_redemptions SET status = $2, released_at = $3 \
             WHERE order_id = $1 AND status = $4 RETURNING campaign_id, discount), \
              s AS (SELECT campaign_id, count(*)::integer AS n, sum(discount) AS d FROM r GROUP BY campaign_id) \
         UPDATE campaigns k SET uses = k.uses - s.n, discount_used = k.discount_used - s.d, updated_at = $3 \
         FROM s WHERE k.id = s.campaign_id",
    )
    .bind::<SqlUuid, _>(order)
    .bind::<Text, _>(RedemptionStatus::Released)
    .bind::<Timestamptz, _>(now)
    .bind::<Text, _>(RedemptionStatus::Reserved)
    .execute(conn)?;
    Ok(())
}

/// The order was refunded in full: its codes stay used (staff may free them) but no longer
/// count as redemptions in the statistics.
///
/// # Errors
/// A database failure.
pub fn refund_order(conn: &mut PgConnection, order: OrderId, now: DateTime<Utc>) -> Result<(), DbError> {
    prepared("UPDATE coupon_redemptions SET status = $2, released_at = $3 WHERE order_id = $1 AND status IN ($4, $5)")
        .bind::<SqlUuid, _>(order)
        .bind::<Text, _>(RedemptionStatus::Refunded)
        .bind::<Timestamptz, _>(now)
        .bind::<Text, _>(RedemptionStatus::Redeemed)
        .bind::<Text, _>(RedemptionStatus::Reserved)
        .execute(conn)?;
    Ok(())
}

/// Staff free a code an order refunded in full kept used: its uses by refunded orders are
/// released (the customer may use it again) and its campaign gets them and their discount
/// back. Returns how many uses were freed.
///
/// # Errors
/// `NotFound` for no such code in the campaign.
pub fn free_code(
    conn: &mut PgConnection,
    campaign: CampaignId,
    code: &CouponCode,
    staff: AccountId,
    now: DateTime<Utc>,
) -> Result<i64, PromotionError> {
    conn.transaction(|conn| {
        let freed = free_in(conn, campaign, code, now)?;
        let after = serde_json::json!({"code": code.as_str(), "freed": freed});
        audit::record(
            conn,
            staff,
            AuditAction::CodeFreed,
            &Subject::new("campaign", campaign),
            None,
            Some(after),
            now,
        )?;
        Ok(freed)
    })
}

fn free_in(
    conn: &mut PgConnection,
    campaign: CampaignId,
    code: &CouponCode,
    now: DateTime<Utc>,
) -> Result<i64, PromotionError> {
    #[derive(QueryableByName)]
    struct Freed {
        #[diesel(sql_type = diesel::sql_types::Bool)]
        found: bool,
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        freed: i64,
    }
    let freed: Freed = prepared(
        "WITH c AS (SELECT id FROM coupon_codes WHERE campaign_id = $1 AND code = $2), \
              r AS (UPDATE coupon_redemptions SET status = $3, released_at = $4 \
                 WHERE code_id IN (SELECT id FROM c) AND status = $5 RETURNING discount), \
              k AS (UPDATE campaigns SET uses = uses - (SELECT count(*) FROM r)::integer, \
                 discount_used = discount_used - coalesce((SELECT sum(discount) FROM r), 0), updated_at = $4 \
                 WHERE id = $1 AND EXISTS (SELECT 1 FROM r)) \
         SELECT EXISTS (SELECT 1 FROM c) AS found, (SELECT count(*) FROM r) AS freed",
    )
    .bind::<SqlUuid, _>(campaign)
    .bind::<Text, _>(code.as_str())
    .bind::<Text, _>(RedemptionStatus::Released)
    .bind::<Timestamptz, _>(now)
    .bind::<Text, _>(RedemptionStatus::Refunded)
    .get_result(conn)?;
    if !freed.found {
        return Err(PromotionError::NotFound);
    }
    Ok(freed.freed)
}
