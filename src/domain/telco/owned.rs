//! A customer's own numbers: what `/account/numbers` and `GET /api/v1/me/numbers` show, and
//! activating a number bought for later, on an eSIM from the pool or on a SIM card by its code.
//! The activation itself is the operator's, done by a job (`ActivateNumber`) under a key made
//! from the number and the SIM, so a retry never activates twice; until the operator confirms,
//! the number stays inactive with its SIM shown as pending.
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Bytea, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use serde::{Deserialize, Serialize};

use super::inventory::{EsimCode, InventoryKey, SimCode};
use super::operator::OperatorRequest;
use super::sims::{self, CardLookup};
use super::types::{Msisdn, NumberStatus, SimKind};
use crate::db::prepared;
use crate::db::DbError;
use crate::domain::catalog::Tier;
use crate::domain::jobs::{enqueue_job, JobKind, Queue};
use crate::domain::shared::{AccountId, Code, FieldErrors, Money, OrderId, ProductId};

/// A number the customer owns.
#[derive(Debug, Clone, PartialEq)]
pub struct OwnedNumber {
    pub msisdn: Msisdn,
    pub tier: Tier,
    pub active: bool,
    /// The SIM it is active on.
    pub sim: Option<SimKind>,
    /// The SIM an activation under way puts it on.
    pub pending: Option<SimKind>,
    /// By when a number bought for later must be activated.
    pub activate_by: Option<DateTime<Utc>>,
    /// Its eSIM's activation code, for its owner's eyes only.
    pub esim: Option<EsimCode>,
}

#[derive(QueryableByName)]
struct OwnedRow {
    #[diesel(sql_type = Text)]
    msisdn: String,
    #[diesel(sql_type = Text)]
    tier: Tier,
    #[diesel(sql_type = Text)]
    status: NumberStatus,
    #[diesel(sql_type = Nullable<Text>)]
    sim: Option<SimKind>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    activate_by: Option<DateTime<Utc>>,
    #[diesel(sql_type = Nullable<Text>)]
    pending: Option<SimKind>,
    #[diesel(sql_type = Nullable<Bytea>)]
    esim_sealed: Option<Vec<u8>>,
}

/// The owner's numbers with, in the same statement, a pending activation's SIM and the assigned
/// eSIM's sealed code.
const OWNED: &str = "SELECT n.msisdn, n.tier, n.status, n.sim, n.activate_by, \
        CASE WHEN EXISTS (SELECT 1 FROM sim_cards c WHERE c.msisdn = n.msisdn AND c.order_id IS NULL \
                          AND c.status = 'reserved') THEN 'physical' \
             WHEN EXISTS (SELECT 1 FROM esim_profiles e WHERE e.msisdn = n.msisdn AND e.order_id IS NULL \
                          AND e.status = 'reserved') THEN 'esim' END AS pending, \
        (SELECT e.code_sealed FROM esim_profiles e WHERE e.msisdn = n.msisdn AND e.status = 'assigned' \
         ORDER BY e.assigned_at DESC LIMIT 1) AS esim_sealed \
     FROM numbers n WHERE n.owner_id = $1 AND n.status IN ('sold', 'active')";

fn owned_of(row: OwnedRow, key: &InventoryKey) -> OwnedNumber {
    let active = row.status == NumberStatus::Active;
    OwnedNumber {
        esim: row
            .esim_sealed
            .filter(|_| active && row.sim == Some(SimKind::Esim))
            .and_then(|s| key.open(&s))
            .map(EsimCode::from_stored),
        msisdn: Msisdn::from_stored(row.msisdn),
        tier: row.tier,
        active,
        sim: row.sim.filter(|_| active),
        pending: row.pending,
        activate_by: row.activate_by.filter(|_| !active),
    }
}

/// The customer's numbers, in number order. One statement.
///
/// # Errors
/// A database failure.
pub fn my_numbers(conn: &mut PgConnection, owner: AccountId, key: &InventoryKey) -> Result<Vec<OwnedNumber>, DbError> {
    let rows: Vec<OwnedRow> =
        diesel::sql_query(format!("{OWNED} ORDER BY n.msisdn")).bind::<SqlUuid, _>(owner).load(conn)?;
    Ok(rows.into_iter().map(|r| owned_of(r, key)).collect())
}

/// One of the customer's numbers (`None`: not theirs).
///
/// # Errors
/// A database failure.
pub fn my_number(
    conn: &mut PgConnection,
    owner: AccountId,
    msisdn: &str,
    key: &InventoryKey,
) -> Result<Option<OwnedNumber>, DbError> {
    let row: Option<OwnedRow> = diesel::sql_query(format!("{OWNED} AND n.msisdn = $2"))
        .bind::<SqlUuid, _>(owner)
        .bind::<Text, _>(msisdn)
        .get_result(conn)
        .optional()?;
    Ok(row.map(|r| owned_of(r, key)))
}

/// Whether `owner` has `msisdn` active on an eSIM (what an eSIM re-issue needs).
///
/// # Errors
/// A database failure.
pub fn owns_esim(conn: &mut PgConnection, owner: AccountId, msisdn: &Msisdn) -> Result<bool, DbError> {
    use crate::db::schema::numbers;
    Ok(diesel::select(diesel::dsl::exists(
        numbers::table.filter(
            numbers::msisdn
                .eq(msisdn.as_str())
                .and(numbers::owner_id.eq(owner))
                .and(numbers::status.eq(NumberStatus::Active))
                .and(numbers::sim.eq(SimKind::Esim)),
        ),
    ))
    .get_result(conn)?)
}

/// The eSIM re-issue service on sale: its product and price.
///
/// # Errors
/// A database failure.
pub fn reissue_offer(conn: &mut PgConnection) -> Result<Option<(ProductId, Money)>, DbError> {
    use crate::db::schema::products;
    let row: Option<(ProductId, rust_decimal::Decimal)> = products::table
        .filter(products::kind.eq("service").and(products::active.eq(true)))
        .filter(diesel::dsl::sql::<diesel::sql_types::Bool>("attributes ->> 'service' = 'esim_reissue'"))
        .select((products::id, products::price))
        .first(conn)
        .optional()?;
    Ok(row.map(|(id, price)| (id, Money::mnt(price))))
}

/// The eSIMs an order's owner got with it, by number (for the order page).
///
/// # Errors
/// A database failure.
pub fn esims_of_order(
    conn: &mut PgConnection,
    order: OrderId,
    owner: AccountId,
    key: &InventoryKey,
) -> Result<Vec<(Msisdn, EsimCode)>, DbError> {
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = Text)]
        msisdn: String,
        #[diesel(sql_type = Bytea)]
        code_sealed: Vec<u8>,
    }
    let rows: Vec<Row> = prepared(
        "SELECT e.msisdn, e.code_sealed FROM esim_profiles e JOIN numbers n ON n.msisdn = e.msisdn \
         WHERE e.order_id = $1 AND e.status = 'assigned' AND n.owner_id = $2 ORDER BY e.msisdn",
    )
    .bind::<SqlUuid, _>(order)
    .bind::<SqlUuid, _>(owner)
    .load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(|r| Some((Msisdn::from_stored(r.msisdn), EsimCode::from_stored(key.open(&r.code_sealed)?))))
        .collect())
}

/// How the customer asks to activate a number bought for later.
#[derive(Debug, Clone)]
pub enum SimChoice {
    Esim,
    Physical(SimCode),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum ActivationError {
    /// Not one of the customer's numbers.
    #[error("number not found")]
    NotFound,
    /// Active already, or an activation is under way.
    #[error("this number is active or being activated")]
    AlreadyActive,
    /// No SIM card has this code.
    #[error("wrong SIM code")]
    CodeWrong,
    /// The card of this code was used.
    #[error("SIM code used")]
    CodeUsed,
    /// The eSIM pool is empty.
    #[error("no eSIM available")]
    NoEsim,
    #[error("invalid input")]
    Invalid(FieldErrors),
    /// Too many wrong SIM codes: try again after this many seconds.
    #[error("too many attempts")]
    Throttled { retry_after_secs: u64 },
    #[error("{0}")]
    #[serde(skip)]
    Internal(String),
}

impl From<DbError> for ActivationError {
    fn from(e: DbError) -> Self {
        ActivationError::Internal(e.to_string())
    }
}

impl From<diesel::result::Error> for ActivationError {
    fn from(e: diesel::result::Error) -> Self {
        ActivationError::Internal(e.to_string())
    }
}

/// Activate a number on the network: the operator's job for an account's number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivateNumber {
    pub msisdn: String,
    pub sim: SimKind,
    pub iccid: String,
}

pub const ACTIVATE_NUMBER: &str = "activate_number";

impl JobKind for ActivateNumber {
    const QUEUE: Queue = Queue::Operator;
    const KINDS: &'static [&'static str] = &[ACTIVATE_NUMBER];

    fn kind(&self) -> &'static str {
        ACTIVATE_NUMBER
    }

    fn dedup_key(&self) -> Option<String> {
        Some(format!("{ACTIVATE_NUMBER}:{}:{}", self.msisdn, self.iccid))
    }
}

impl ActivateNumber {
    /// What the operator is asked, under `key()`.
    pub fn request(&self) -> OperatorRequest {
        OperatorRequest::Activate { msisdn: self.msisdn.clone(), sim: self.sim, iccid: self.iccid.clone() }
    }

    pub fn key(&self) -> String {
        format!("activate:{}:{}", self.msisdn, self.iccid)
    }
}

impl SimChoice {
    /// `sim` is `esim`, or `physical` with the 8-digit `activation_code`.
    ///
    /// # Errors
    /// A field error on `sim` or `activation_code`.
    pub fn parse(sim: Option<&str>, code: Option<&str>) -> Result<Self, FieldErrors> {
        match sim.map(|s| s.trim().to_ascii_lowercase()).as_deref() {
            Some("esim") => Ok(SimChoice::Esim),
            Some("physical") => match code.map(str::trim).filter(|c| !c.is_empty()) {
                None => Err(FieldErrors::single("activation_code", Code::Required)),
                Some(raw) => Ok(SimChoice::Physical(SimCode::parse(raw, "activation_code")?)),
            },
            _ => Err(FieldErrors::single("sim", Code::Activation)),
        }
    }
}

/// Takes the SIM (the card of the code, or a profile from the pool) for the customer's
/// inactive number and queues its activation, in one transaction.
///
/// # Errors
/// `NotFound`, `AlreadyActive`, `CodeWrong`, `CodeUsed`, `NoEsim`.
pub fn request_activation(
    conn: &mut PgConnection,
    owner: AccountId,
    msisdn: &str,
    choice: &SimChoice,
    key: &InventoryKey,
    now: DateTime<Utc>,
) -> Result<OwnedNumber, ActivationError> {
    conn.transaction(|conn| {
        // The number's row is locked: two activations of one number queue up.
        let status: Option<String> =
            prepared("SELECT status FROM numbers WHERE msisdn = $1 AND owner_id = $2 FOR UPDATE")
                .bind::<Text, _>(msisdn)
                .bind::<SqlUuid, _>(owner)
                .get_result::<StatusOnly>(conn)
                .optional()?
                .map(|s| s.status);
        match status.as_deref() {
            None => return Err(ActivationError::NotFound),
            Some("sold") => {}
            Some(_) => return Err(ActivationError::AlreadyActive),
        }
        if my_number(conn, owner, msisdn, key)?.is_some_and(|n| n.pending.is_some()) {
            return Err(ActivationError::AlreadyActive);
        }
        let number = Msisdn::from_stored(msisdn.to_string());
        let job = match choice {
            SimChoice::Physical(code) => {
                let card = match sims::find_card(conn, code, key)? {
                    CardLookup::Free(card) => card,
                    CardLookup::Used => return Err(ActivationError::CodeUsed),
                    CardLookup::Unknown => return Err(ActivationError::CodeWrong),
                };
                let iccid: Option<IccidOnly> = prepared(
                    "UPDATE sim_cards SET status = 'reserved', msisdn = $2, updated_at = $3 \
                     WHERE id = $1 AND status = 'available' RETURNING iccid",
                )
                .bind::<SqlUuid, _>(card)
                .bind::<Text, _>(number.as_str())
                .bind::<Timestamptz, _>(now)
                .get_result(conn)
                .optional()?;
                let iccid = iccid.ok_or(ActivationError::CodeUsed)?.iccid;
                ActivateNumber { msisdn: number.as_str().into(), sim: SimKind::Physical, iccid }
            }
            SimChoice::Esim => {
                let iccid: Option<IccidOnly> = prepared(
                    "UPDATE esim_profiles SET status = 'reserved', msisdn = $1, updated_at = $2 \
                     WHERE id = (SELECT id FROM esim_profiles WHERE status = 'available' ORDER BY created_at, id \
                                 LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING iccid",
                )
                .bind::<Text, _>(number.as_str())
                .bind::<Timestamptz, _>(now)
                .get_result(conn)
                .optional()?;
                let iccid = iccid.ok_or(ActivationError::NoEsim)?.iccid;
                ActivateNumber { msisdn: number.as_str().into(), sim: SimKind::Esim, iccid }
            }
        };
        enqueue_job(conn, &job, now)?;
        my_number(conn, owner, msisdn, key)?.ok_or(ActivationError::NotFound)
    })
}

#[derive(QueryableByName)]
struct StatusOnly {
    #[diesel(sql_type = Text)]
    status: String,
}

#[derive(QueryableByName)]
struct IccidOnly {
    #[diesel(sql_type = Text)]
    iccid: String,
}

/// The operator activated the number on its SIM: active, the card used or the profile assigned.
///
/// # Errors
/// A database failure.
pub fn activation_done(conn: &mut PgConnection, job: &ActivateNumber, now: DateTime<Utc>) -> Result<(), DbError> {
    conn.transaction(|conn| {
        prepared(
            "UPDATE numbers SET status = 'active', sim = $2, activated_at = $3, activate_by = NULL, updated_at = $3 \
             WHERE msisdn = $1 AND status = 'sold'",
        )
        .bind::<Text, _>(&job.msisdn)
        .bind::<Text, _>(job.sim)
        .bind::<Timestamptz, _>(now)
        .execute(conn)?;
        let sql = match job.sim {
            SimKind::Physical => {
                "UPDATE sim_cards SET status = 'used', used_at = $3, updated_at = $3 \
                 WHERE iccid = $1 AND msisdn = $2 AND status = 'reserved'"
            }
            SimKind::Esim => {
                "UPDATE esim_profiles SET status = 'assigned', assigned_at = $3, updated_at = $3 \
                 WHERE iccid = $1 AND msisdn = $2 AND status = 'reserved'"
            }
        };
        prepared(sql)
            .bind::<Text, _>(&job.iccid)
            .bind::<Text, _>(&job.msisdn)
            .bind::<Timestamptz, _>(now)
            .execute(conn)?;
        Ok(())
    })
}

/// The operator refused: the SIM goes back to its pool and the number stays inactive, to be
/// activated another way.
///
/// # Errors
/// A database failure.
pub fn activation_refused(conn: &mut PgConnection, job: &ActivateNumber, now: DateTime<Utc>) -> Result<(), DbError> {
    let sql = match job.sim {
        SimKind::Physical => {
            "UPDATE sim_cards SET status = 'available', msisdn = NULL, updated_at = $3 \
             WHERE iccid = $1 AND msisdn = $2 AND status = 'reserved' AND order_id IS NULL"
        }
        SimKind::Esim => {
            "UPDATE esim_profiles SET status = 'available', msisdn = NULL, updated_at = $3 \
             WHERE iccid = $1 AND msisdn = $2 AND status = 'reserved' AND order_id IS NULL"
        }
    };
    prepared(sql).bind::<Text, _>(&job.iccid).bind::<Text, _>(&job.msisdn).bind::<Timestamptz, _>(now).execute(conn)?;
    Ok(())
}
