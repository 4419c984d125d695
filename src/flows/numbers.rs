//! The number search the `/numbers` page and `GET /api/v1/numbers` both run, and the import
//! staff run (the API today, the admin pages next).
use super::Shop;
use crate::db::DbError;
use crate::domain::shared::{Money, Page};
use crate::domain::telco::numbers::{self, ImportLine, ImportReport, NumberOffer, NumberSearch};
use crate::domain::telco::sims::{self, Pool, PoolLine};

/// The numbers a shopper may choose now that match `search`.
///
/// # Errors
/// A database error.
pub async fn search(shop: &Shop, search: NumberSearch) -> Result<Page<NumberOffer>, DbError> {
    let now = shop.now();
    shop.db.run(move |conn| numbers::search(conn, &search, now)).await
}

/// `search`, and what activating on an eSIM adds (while the pool has one), as the picker shows.
///
/// # Errors
/// A database error.
pub async fn search_with_esim(
    shop: &Shop,
    search: NumberSearch,
) -> Result<(Page<NumberOffer>, Option<Money>), DbError> {
    let now = shop.now();
    shop.db
        .run(move |conn| {
            let page = numbers::search(conn, &search, now)?;
            Ok((page, numbers::esim_offer(conn)?))
        })
        .await
}

/// Adds the valid lines' numbers to the pool, with the shop's own prefixes.
///
/// # Errors
/// A database error (nothing is imported then).
pub async fn import(shop: &Shop, lines: Vec<ImportLine>) -> Result<ImportReport, DbError> {
    let (prefixes, now) = (shop.rules.own_prefixes.clone(), shop.now());
    shop.db.run(move |conn| numbers::import(conn, &lines, &prefixes, now)).await
}

/// Adds the valid lines' SIM cards or eSIM profiles to their pool, under the shop's key.
///
/// # Errors
/// A database error (nothing is imported then).
pub async fn import_pool(shop: &Shop, pool: Pool, lines: Vec<PoolLine>) -> Result<ImportReport, DbError> {
    let (key, now) = (shop.rules.inventory_key.clone(), shop.now());
    shop.db.run(move |conn| sims::import(conn, pool, &lines, &key, now)).await
}
