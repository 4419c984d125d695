//! The number search the `/numbers` page and `GET /api/v1/numbers` both run, and the import
//! staff run (the API today, the admin pages next).
use super::{throttle, Shop};
use diesel::Connection;

use crate::db::DbError;
use crate::domain::accounts::attempts::{Attempt, ClientIp};
use crate::domain::accounts::AccountError;
use crate::domain::audit::{self, AuditAction, Subject};
use crate::domain::shared::Money;
use crate::domain::shared::{AccountId, OrderId, ProductId};
use crate::domain::telco::lifecycle::{self, NumberRecord};
use crate::domain::telco::numbers::{self, ImportLine, ImportReport, NumberResults, NumberSearch};
use crate::domain::telco::owned::{self, ActivationError, OwnedNumber, SimChoice};
use crate::domain::telco::sims::{self, Pool, PoolLine};
use crate::domain::telco::{EsimCode, Msisdn};

/// The numbers a shopper may choose now that match `search`, with the eSIM's price beside them.
///
/// # Errors
/// A database error.
pub async fn search(shop: &Shop, search: NumberSearch) -> Result<NumberResults, DbError> {
    let now = shop.now();
    shop.db.run(move |conn| numbers::search(conn, &search, now)).await
}

/// Adds the valid lines' numbers to the pool, with the shop's own prefixes.
///
/// # Errors
/// A database error (nothing is imported then).
pub async fn import(shop: &Shop, lines: Vec<ImportLine>, staff: AccountId) -> Result<ImportReport, DbError> {
    let (prefixes, now) = (shop.rules.own_prefixes.clone(), shop.now());
    shop.db
        .run(move |conn| {
            conn.transaction(|conn| {
                let report = numbers::import(conn, &lines, &prefixes, now)?;
                audit_import(conn, AuditAction::NumbersImported, "numbers", &report, staff, now)?;
                Ok(report)
            })
        })
        .await
}

/// What importing these lines would do, without doing it: the import runs in a transaction
/// that is rolled back, so the report (refused lines, numbers already in the pool) is exactly
/// what the real import will say.
///
/// # Errors
/// A database error.
pub async fn preview_import(shop: &Shop, lines: Vec<ImportLine>) -> Result<ImportReport, DbError> {
    let (prefixes, now) = (shop.rules.own_prefixes.clone(), shop.now());
    dry_run(shop, move |conn| numbers::import(conn, &lines, &prefixes, now)).await
}

/// What importing these SIM cards or eSIM profiles would do, rolled back as `preview_import`.
///
/// # Errors
/// A database error.
pub async fn preview_pool_import(shop: &Shop, pool: Pool, lines: Vec<PoolLine>) -> Result<ImportReport, DbError> {
    let (key, now) = (shop.rules.inventory_key.clone(), shop.now());
    dry_run(shop, move |conn| sims::import(conn, pool, &lines, &key, now)).await
}

/// Runs an import in a transaction that is always rolled back, and says what it did.
async fn dry_run(
    shop: &Shop,
    import: impl FnOnce(&mut diesel::PgConnection) -> Result<ImportReport, DbError> + Send + 'static,
) -> Result<ImportReport, DbError> {
    shop.db
        .run(move |conn| {
            let mut report = None;
            let rolled_back = conn.transaction::<(), DbError, _>(|conn| {
                report = Some(import(conn)?);
                Err(DbError::Cancelled)
            });
            match (report, rolled_back) {
                (Some(r), _) => Ok(r),
                (None, Err(e)) => Err(e),
                (None, Ok(())) => Err(DbError::Cancelled),
            }
        })
        .await
}

/// What an import did, in the audit trail.
fn audit_import(
    conn: &mut diesel::PgConnection,
    action: AuditAction,
    pool: &'static str,
    report: &ImportReport,
    staff: AccountId,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), DbError> {
    let after = serde_json::json!({"imported": report.imported, "skipped": report.skipped,
        "refused": report.errors.len()});
    audit::record(conn, staff, action, &Subject::new("pool", pool), None, Some(after), now)
}

/// Adds the valid lines' SIM cards or eSIM profiles to their pool, under the shop's key.
///
/// # Errors
/// A database error (nothing is imported then).
pub async fn import_pool(
    shop: &Shop,
    pool: Pool,
    lines: Vec<PoolLine>,
    staff: AccountId,
) -> Result<ImportReport, DbError> {
    let (key, now) = (shop.rules.inventory_key.clone(), shop.now());
    let (action, name) = match pool {
        Pool::SimCards => (AuditAction::SimCardsImported, "sim_cards"),
        Pool::EsimProfiles => (AuditAction::EsimProfilesImported, "esim_profiles"),
    };
    shop.db
        .run(move |conn| {
            conn.transaction(|conn| {
                let report = sims::import(conn, pool, &lines, &key, now)?;
                audit_import(conn, action, name, &report, staff, now)?;
                Ok(report)
            })
        })
        .await
}

/// The customer's numbers.
///
/// # Errors
/// A database error.
pub async fn my_numbers(shop: &Shop, owner: AccountId) -> Result<Vec<OwnedNumber>, DbError> {
    let key = shop.rules.inventory_key.clone();
    shop.db.run(move |conn| owned::my_numbers(conn, owner, &key)).await
}

/// One of the customer's numbers (`None`: not theirs).
///
/// # Errors
/// A database error.
pub async fn my_number(shop: &Shop, owner: AccountId, msisdn: String) -> Result<Option<OwnedNumber>, DbError> {
    let key = shop.rules.inventory_key.clone();
    shop.db.run(move |conn| owned::my_number(conn, owner, &msisdn, &key)).await
}

/// The customer's numbers and the eSIM re-issue offered for those on an eSIM (its product and
/// price, while on sale).
///
/// # Errors
/// A database error.
pub async fn my_numbers_with_reissue(
    shop: &Shop,
    owner: AccountId,
) -> Result<(Vec<OwnedNumber>, Option<(ProductId, Money)>), DbError> {
    let key = shop.rules.inventory_key.clone();
    shop.db.run(move |conn| Ok((owned::my_numbers(conn, owner, &key)?, owned::reissue_offer(conn)?))).await
}

/// The eSIMs an order's owner got with it.
///
/// # Errors
/// A database error.
pub async fn esims_of_order(shop: &Shop, order: OrderId, owner: AccountId) -> Result<Vec<(Msisdn, EsimCode)>, DbError> {
    let key = shop.rules.inventory_key.clone();
    shop.db.run(move |conn| owned::esims_of_order(conn, order, owner, &key)).await
}

/// Activates the customer's inactive number on an eSIM or on a SIM card by its code (`sim`,
/// `activation_code` as typed). Wrong codes are limited like sign-ins.
///
/// # Errors
/// `Invalid`, `Throttled`, and the domain's refusals.
pub async fn activate(
    shop: &Shop,
    owner: AccountId,
    msisdn: String,
    sim: Option<String>,
    code: Option<String>,
    ip: ClientIp,
) -> Result<OwnedNumber, ActivationError> {
    let choice = SimChoice::parse(sim.as_deref(), code.as_deref()).map_err(ActivationError::Invalid)?;
    let typed = matches!(choice, SimChoice::Physical(_));
    let (key, now) = (shop.rules.inventory_key.clone(), shop.now());
    let run = shop.db.write(move |conn| owned::request_activation(conn, owner, &msisdn, &choice, &key, now));
    let wrong = |r: &Result<OwnedNumber, ActivationError>| {
        matches!(r, Err(ActivationError::CodeWrong | ActivationError::CodeUsed))
    };
    let guess = typed.then(|| Attempt::sim_code(&owner.to_string(), ip, &shop.limits));
    let done = throttle::code_guess(shop, guess, run, wrong).await.map_err(|e| match e {
        AccountError::Throttled { retry_after_secs } => ActivationError::Throttled { retry_after_secs },
        other => ActivationError::Internal(other.to_string()),
    })??;
    shop.wake_jobs();
    Ok(done)
}

/// A number as staff see it, with its history.
///
/// # Errors
/// A database error.
pub async fn record(shop: &Shop, msisdn: Msisdn) -> Result<Option<NumberRecord>, DbError> {
    shop.db.run(move |conn| lifecycle::record(conn, &msisdn)).await
}
