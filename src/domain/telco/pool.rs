//! The number pool as staff run it: every number found by pattern, state and tier, with its
//! owner and order; a free number retired (taken out of sale) and a retired one released back.
//! Both changes are conditional updates, so a number a shopper is buying at that moment is never
//! taken from them, whichever server process either request runs on.
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable, Text, Timestamptz};

use super::numbers::NumberPattern;
use super::types::{Msisdn, NumberStatus};
use crate::db::{prepared, DbError};
use crate::domain::audit::{self, AuditAction, Subject};
use crate::domain::catalog::Tier;
use crate::domain::shared::{AccountId, PageRequest};

/// Counts stop here: past it a list says "more than" instead of scanning a million rows.
pub const COUNT_CAP: i64 = 1_000;

/// A page of a list whose total is exact up to [`COUNT_CAP`].
#[derive(Debug, Clone)]
pub struct CappedPage<T> {
    pub items: Vec<T>,
    pub page: u32,
    pub per_page: u32,
    /// At most `COUNT_CAP + 1`; more than `COUNT_CAP` means "more than".
    pub total: i64,
}

impl<T> CappedPage<T> {
    pub fn more_than_cap(&self) -> bool {
        self.total > COUNT_CAP
    }
}

/// A number as the staff list shows it.
#[derive(Debug, Clone, PartialEq, QueryableByName)]
pub struct NumberLine {
    #[diesel(sql_type = Text)]
    pub msisdn: String,
    #[diesel(sql_type = Text)]
    pub tier: Tier,
    #[diesel(sql_type = Text)]
    pub status: NumberStatus,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    pub held_until: Option<DateTime<Utc>>,
    #[diesel(sql_type = Nullable<Text>)]
    pub owner: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub order_number: Option<String>,
}

impl NumberLine {
    pub fn display(&self) -> String {
        Msisdn::from_stored(self.msisdn.clone()).display()
    }

    /// A cart's hold that has run out leaves the number free to sell.
    pub fn hold_ended(&self, now: DateTime<Utc>) -> bool {
        self.status == NumberStatus::Held && self.held_until.is_none_or(|t| t <= now)
    }

    pub fn can_retire(&self, now: DateTime<Utc>) -> bool {
        self.status == NumberStatus::Available || self.hold_ended(now)
    }

    pub fn can_release(&self) -> bool {
        self.status == NumberStatus::Retired
    }
}

/// What staff look for.
#[derive(Debug, Clone, Default)]
pub struct PoolSearch {
    pub pattern: Option<NumberPattern>,
    pub status: Option<NumberStatus>,
    pub tier: Option<Tier>,
    pub page: PageRequest,
}

/// Numbers in any state, in number order: one page and a count capped at [`COUNT_CAP`], two
/// statements served by the pool's indexes (the number's own order, state with number, and
/// trigrams for digits anywhere).
///
/// # Errors
/// A database failure.
pub fn search(conn: &mut PgConnection, s: &PoolSearch) -> Result<CappedPage<NumberLine>, DbError> {
    #[derive(QueryableByName)]
    struct Count {
        #[diesel(sql_type = BigInt)]
        n: i64,
    }
    let like = s.pattern.as_ref().map(|p| p.like().to_string());
    let status = s.status.map(NumberStatus::as_str);
    let tier = s.tier.map(Tier::as_str);
    let items: Vec<NumberLine> = prepared(
        "SELECT n.msisdn, n.tier, n.status, n.held_until, a.email AS owner, o.number AS order_number \
         FROM numbers n LEFT JOIN accounts a ON a.id = n.owner_id LEFT JOIN orders o ON o.id = n.order_id \
         WHERE ($1::text IS NULL OR n.msisdn LIKE $1) AND ($2::text IS NULL OR n.status = $2) \
           AND ($3::text IS NULL OR n.tier = $3) \
         ORDER BY n.msisdn LIMIT $4 OFFSET $5",
    )
    .bind::<Nullable<Text>, _>(like.as_deref())
    .bind::<Nullable<Text>, _>(status)
    .bind::<Nullable<Text>, _>(tier)
    .bind::<BigInt, _>(s.page.limit())
    .bind::<BigInt, _>(s.page.offset())
    .load(conn)?;
    let count: Count = prepared(
        "SELECT count(*) AS n FROM (SELECT 1 FROM numbers n \
           WHERE ($1::text IS NULL OR n.msisdn LIKE $1) AND ($2::text IS NULL OR n.status = $2) \
             AND ($3::text IS NULL OR n.tier = $3) LIMIT $4) AS capped",
    )
    .bind::<Nullable<Text>, _>(like.as_deref())
    .bind::<Nullable<Text>, _>(status)
    .bind::<Nullable<Text>, _>(tier)
    .bind::<BigInt, _>(COUNT_CAP + 1)
    .get_result(conn)?;
    Ok(CappedPage { items, page: s.page.page, per_page: s.page.per_page, total: count.n })
}

/// Why a number could not be moved.
#[derive(Debug, thiserror::Error)]
pub enum PoolError {
    #[error("number not found")]
    NotFound,
    /// In a state the move does not start from (a shopper holds or bought it; not retired).
    #[error("the number is {0:?}")]
    WrongState(NumberStatus),
    #[error(transparent)]
    Internal(#[from] DbError),
}

impl From<diesel::result::Error> for PoolError {
    fn from(e: diesel::result::Error) -> Self {
        PoolError::Internal(DbError::Query(e))
    }
}

/// What staff do to a number's place in the pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PoolMove {
    /// Take a free number out of sale: one that is available, or held by a cart whose hold ran
    /// out (that cart loses it, as it would to the next shopper).
    Retire,
    /// Put a retired number back on sale.
    Release,
}

impl PoolMove {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "retire" => Some(PoolMove::Retire),
            "release" => Some(PoolMove::Release),
            _ => None,
        }
    }

    /// The conditional update: it moves the number only from the states the move starts from.
    fn statement(self) -> &'static str {
        match self {
            PoolMove::Retire => {
                "UPDATE numbers n SET status = 'retired', held_by = NULL, held_until = NULL, updated_at = $2 \
                 FROM numbers old WHERE old.msisdn = n.msisdn AND n.msisdn = $1 \
                   AND (n.status = 'available' OR (n.status = 'held' AND (n.held_until IS NULL OR n.held_until <= $2))) \
                 RETURNING old.status"
            }
            PoolMove::Release => {
                "UPDATE numbers n SET status = 'available', updated_at = $2 \
                 FROM numbers old WHERE old.msisdn = n.msisdn AND n.msisdn = $1 AND n.status = 'retired' \
                 RETURNING old.status"
            }
        }
    }

    /// What the number's history calls it, the audit's action, and the state it leaves.
    fn record(self) -> (&'static str, AuditAction, NumberStatus) {
        match self {
            PoolMove::Retire => ("retired", AuditAction::NumberRetired, NumberStatus::Retired),
            PoolMove::Release => ("released", AuditAction::NumberReleased, NumberStatus::Available),
        }
    }
}

/// Retires or releases a number, with its history and the audit record, in one transaction.
///
/// # Errors
/// `NotFound`; `WrongState` for a number the move does not start from (a shopper holds, has
/// ordered or owns it; retired already; not retired).
pub fn move_number(
    conn: &mut PgConnection,
    msisdn: &Msisdn,
    mv: PoolMove,
    staff: AccountId,
    now: DateTime<Utc>,
) -> Result<(), PoolError> {
    #[derive(QueryableByName)]
    struct Was {
        #[diesel(sql_type = Text)]
        status: NumberStatus,
    }
    let (event, action, after) = mv.record();
    conn.transaction(|conn| {
        let was: Option<Was> = prepared(mv.statement())
            .bind::<Text, _>(msisdn.as_str())
            .bind::<Timestamptz, _>(now)
            .get_result(conn)
            .optional()?;
        let Some(was) = was else {
            let now_is: Option<NumberStatus> = crate::db::schema::numbers::table
                .find(msisdn.as_str())
                .select(crate::db::schema::numbers::status)
                .first(conn)
                .optional()?;
            return Err(now_is.map_or(PoolError::NotFound, PoolError::WrongState));
        };
        prepared("INSERT INTO number_events (msisdn, event, account_id, at) VALUES ($1, $2, $3, $4)")
            .bind::<Text, _>(msisdn.as_str())
            .bind::<Text, _>(event)
            .bind::<diesel::sql_types::Uuid, _>(staff)
            .bind::<Timestamptz, _>(now)
            .execute(conn)?;
        audit::record(
            conn,
            staff,
            action,
            &Subject::new("number", msisdn.as_str()),
            Some(serde_json::json!({ "status": was.status })),
            Some(serde_json::json!({ "status": after })),
            now,
        )?;
        Ok(())
    })
}
