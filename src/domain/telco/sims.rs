//! The SIM card and eSIM profile pools: staff import them, a number activated now takes one.
//! Cards are found by their code's keyed hash; profiles are handed out oldest first, each to one
//! order, with concurrent orders skipping each other's rows.
use std::collections::HashSet;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Array, Bytea, Text, Timestamptz, Uuid as SqlUuid};

use super::inventory::{EsimCode, Iccid, InventoryKey, SimCode};
use super::numbers::{ImportReport, LineError};
use super::types::{Msisdn, SimCardStatus};
use crate::db::prepared;
use crate::db::DbError;
use crate::domain::shared::{Code, FieldErrors, OrderId, SimCardId};

/// What a typed SIM code found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CardLookup {
    /// A card that may still activate a number.
    Free(SimCardId),
    /// A card already used (or on an order, or retired).
    Used,
    /// No card has this code.
    Unknown,
}

/// The card whose code this is.
///
/// # Errors
/// A database failure.
pub fn find_card(conn: &mut PgConnection, code: &SimCode, key: &InventoryKey) -> Result<CardLookup, DbError> {
    #[derive(QueryableByName)]
    struct Card {
        #[diesel(sql_type = SqlUuid)]
        id: SimCardId,
        #[diesel(sql_type = Text)]
        status: SimCardStatus,
    }
    let card: Option<Card> = prepared("SELECT id, status FROM sim_cards WHERE code_hash = $1")
        .bind::<Bytea, _>(code.digest(key))
        .get_result(conn)
        .optional()?;
    Ok(match card {
        None => CardLookup::Unknown,
        Some(c) if c.status == SimCardStatus::Available => CardLookup::Free(c.id),
        Some(_) => CardLookup::Used,
    })
}

/// The card goes with a placed order's number. `false` when another order took it first.
///
/// # Errors
/// A database failure.
pub fn reserve_card(
    conn: &mut PgConnection,
    card: SimCardId,
    order: OrderId,
    msisdn: &Msisdn,
    now: DateTime<Utc>,
) -> Result<bool, DbError> {
    let n = prepared(
        "UPDATE sim_cards SET status = 'reserved', order_id = $2, msisdn = $3, updated_at = $4 \
         WHERE id = $1 AND status = 'available'",
    )
    .bind::<SqlUuid, _>(card)
    .bind::<SqlUuid, _>(order)
    .bind::<Text, _>(msisdn.as_str())
    .bind::<Timestamptz, _>(now)
    .execute(conn)?;
    Ok(n == 1)
}

/// Whether the eSIM pool has a profile to give.
///
/// # Errors
/// A database failure.
pub fn esim_in_stock(conn: &mut PgConnection) -> Result<bool, DbError> {
    use crate::db::schema::esim_profiles;
    Ok(diesel::select(diesel::dsl::exists(esim_profiles::table.filter(esim_profiles::status.eq("available"))))
        .get_result(conn)?)
}

/// Takes the pool's oldest free profile for a placed order's number. `false` when the pool is
/// empty.
///
/// # Errors
/// A database failure.
pub fn reserve_esim(
    conn: &mut PgConnection,
    order: OrderId,
    msisdn: &Msisdn,
    now: DateTime<Utc>,
) -> Result<bool, DbError> {
    let n = prepared(
        "UPDATE esim_profiles SET status = 'reserved', order_id = $1, msisdn = $2, updated_at = $3 \
         WHERE id = (SELECT id FROM esim_profiles WHERE status = 'available' ORDER BY created_at, id \
                     LIMIT 1 FOR UPDATE SKIP LOCKED)",
    )
    .bind::<SqlUuid, _>(order)
    .bind::<Text, _>(msisdn.as_str())
    .bind::<Timestamptz, _>(now)
    .execute(conn)?;
    Ok(n == 1)
}

/// A cancelled or expired order gives back the cards and profiles it took.
///
/// # Errors
/// A database failure.
pub fn release_order(conn: &mut PgConnection, order: OrderId, now: DateTime<Utc>) -> Result<(), DbError> {
    for pool in [
        "UPDATE sim_cards SET status = 'available', order_id = NULL, msisdn = NULL, updated_at = $2 \
         WHERE order_id = $1 AND status = 'reserved'",
        "UPDATE esim_profiles SET status = 'available', order_id = NULL, msisdn = NULL, updated_at = $2 \
         WHERE order_id = $1 AND status = 'reserved'",
    ] {
        prepared(pool).bind::<SqlUuid, _>(order).bind::<Timestamptz, _>(now).execute(conn)?;
    }
    Ok(())
}

/// Which pool an import fills.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pool {
    SimCards,
    EsimProfiles,
}

/// A line of a pool import, as written.
#[derive(Debug, Clone, Default)]
pub struct PoolLine {
    pub line: usize,
    pub iccid: String,
    pub activation_code: String,
}

impl PoolLine {
    /// The lines of an `iccid,activation_code` CSV (a header line allowed).
    pub fn from_csv(text: &str) -> Vec<PoolLine> {
        super::numbers::csv_pairs(text, "iccid")
            .into_iter()
            .map(|(line, iccid, activation_code)| PoolLine { line, iccid, activation_code })
            .collect()
    }
}

fn first_error(e: &FieldErrors, field: &'static str, fallback: Code) -> LineError {
    let error = e.fields().get(field).and_then(|v| v.first().cloned()).unwrap_or(fallback.into());
    LineError { line: 0, field, error }
}

/// A checked line: the ICCID, what the database keeps of the code, and its hash.
struct Checked {
    line: usize,
    iccid: String,
    stored: Vec<u8>,
    hash: Vec<u8>,
}

/// Adds the valid lines' cards or profiles to a pool, in one transaction. A card already in the
/// pool (same ICCID) is left as it is (`skipped`); lines with a bad ICCID or code, a line
/// repeating an earlier one's ICCID or code, or a code another card already has are reported.
///
/// # Errors
/// A database failure (nothing is imported then), or no randomness to seal an eSIM code with.
pub fn import(
    conn: &mut PgConnection,
    pool: Pool,
    lines: &[PoolLine],
    key: &InventoryKey,
    now: DateTime<Utc>,
) -> Result<ImportReport, DbError> {
    let mut report = ImportReport::default();
    let (mut iccids, mut codes) = (HashSet::new(), HashSet::new());
    let mut valid: Vec<Checked> = Vec::with_capacity(lines.len());
    for l in lines {
        let refuse = |e: LineError| LineError { line: l.line, ..e };
        let iccid = match Iccid::parse(&l.iccid, "iccid") {
            Ok(i) => i,
            Err(e) => {
                report.errors.push(refuse(first_error(&e, "iccid", Code::Iccid)));
                continue;
            }
        };
        let (stored, hash) = match pool {
            Pool::SimCards => match SimCode::parse(&l.activation_code, "activation_code") {
                Ok(code) => (Vec::new(), code.digest(key)),
                Err(e) => {
                    report.errors.push(refuse(first_error(&e, "activation_code", Code::SimCode)));
                    continue;
                }
            },
            Pool::EsimProfiles => match EsimCode::parse(&l.activation_code, "activation_code") {
                Ok(code) => {
                    let sealed = key
                        .seal(code.as_str())
                        .map_err(|e| DbError::Query(diesel::result::Error::QueryBuilderError(e.into())))?;
                    (sealed, key.digest(code.as_str()))
                }
                Err(e) => {
                    report.errors.push(refuse(first_error(&e, "activation_code", Code::EsimCode)));
                    continue;
                }
            },
        };
        if !iccids.insert(iccid.as_str().to_string()) {
            report.errors.push(LineError { line: l.line, field: "iccid", error: Code::DuplicateLine.into() });
            continue;
        }
        if !codes.insert(hash.clone()) {
            report.errors.push(LineError { line: l.line, field: "activation_code", error: Code::DuplicateLine.into() });
            continue;
        }
        valid.push(Checked { line: l.line, iccid: iccid.as_str().to_string(), stored, hash });
    }
    let insert = match pool {
        Pool::SimCards => {
            "INSERT INTO sim_cards (iccid, code_hash, created_at, updated_at) \
             SELECT i, h, $4, $4 FROM unnest($1::text[], $2::bytea[], $3::bytea[]) AS l(i, h, s) \
             ON CONFLICT DO NOTHING RETURNING iccid"
        }
        Pool::EsimProfiles => {
            "INSERT INTO esim_profiles (iccid, code_hash, code_sealed, created_at, updated_at) \
             SELECT i, h, s, $4, $4 FROM unnest($1::text[], $2::bytea[], $3::bytea[]) AS l(i, h, s) \
             ON CONFLICT DO NOTHING RETURNING iccid"
        }
    };
    let existing = match pool {
        Pool::SimCards => "SELECT iccid FROM sim_cards WHERE iccid = ANY($1)",
        Pool::EsimProfiles => "SELECT iccid FROM esim_profiles WHERE iccid = ANY($1)",
    };
    #[derive(QueryableByName)]
    struct IccidRow {
        #[diesel(sql_type = Text)]
        iccid: String,
    }
    conn.transaction(|conn| {
        for batch in valid.chunks(5_000) {
            let inserted: HashSet<String> = diesel::sql_query(insert)
                .bind::<Array<Text>, _>(batch.iter().map(|c| c.iccid.as_str()).collect::<Vec<_>>())
                .bind::<Array<Bytea>, _>(batch.iter().map(|c| c.hash.as_slice()).collect::<Vec<_>>())
                .bind::<Array<Bytea>, _>(batch.iter().map(|c| c.stored.as_slice()).collect::<Vec<_>>())
                .bind::<Timestamptz, _>(now)
                .load::<IccidRow>(conn)?
                .into_iter()
                .map(|r| r.iccid)
                .collect();
            report.imported += inserted.len() as u64;
            let left: Vec<&Checked> = batch.iter().filter(|c| !inserted.contains(&c.iccid)).collect();
            if left.is_empty() {
                continue;
            }
            let known: HashSet<String> = diesel::sql_query(existing)
                .bind::<Array<Text>, _>(left.iter().map(|c| c.iccid.as_str()).collect::<Vec<_>>())
                .load::<IccidRow>(conn)?
                .into_iter()
                .map(|r| r.iccid)
                .collect();
            for c in left {
                if known.contains(&c.iccid) {
                    report.skipped += 1;
                } else {
                    report.errors.push(LineError {
                        line: c.line,
                        field: "activation_code",
                        error: Code::CodeInPool.into(),
                    });
                }
            }
        }
        Ok::<_, DbError>(())
    })?;
    report.errors.sort_by_key(|e| e.line);
    Ok(report)
}
