//! What the shop forgets, and when: rows that only served a while (sign-in attempts, spent or
//! expired tokens, reset links and sessions, idempotency keys) and guests' carts left alone for
//! a month. Run by the job runner on its own slow schedule; each statement deletes a bounded
//! batch along an index, so a backlog drains over a few runs without a long lock.
use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;

use crate::db::DbError;

/// Sign-in attempts are read over a limit's window (minutes to hours): a week covers any.
pub const ATTEMPTS_KEPT: Duration = Duration::days(7);
/// Tokens, reset links and sessions that stopped working are kept a day for inquiries.
pub const SPENT_KEPT: Duration = Duration::days(1);
/// A guest's cart nobody touched for this long is abandoned.
pub const GUEST_CART_KEPT: Duration = Duration::days(30);
/// Rows one statement deletes at most.
const BATCH: i64 = 5_000;

/// How many rows a run forgot, per kind.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Pruned {
    pub attempts: usize,
    pub api_tokens: usize,
    pub reset_links: usize,
    pub sessions: usize,
    pub idempotency_keys: usize,
    pub carts: usize,
}

impl Pruned {
    pub fn total(&self) -> usize {
        self.attempts + self.api_tokens + self.reset_links + self.sessions + self.idempotency_keys + self.carts
    }
}

fn delete(
    conn: &mut PgConnection,
    table: &str,
    key: &str,
    condition: &str,
    before: DateTime<Utc>,
) -> Result<usize, DbError> {
    let sql = format!("DELETE FROM {table} WHERE {key} IN (SELECT {key} FROM {table} WHERE {condition} LIMIT {BATCH})");
    Ok(diesel::sql_query(sql).bind::<diesel::sql_types::Timestamptz, _>(before).execute(conn)?)
}

/// Forgets one batch of each kind of row that outlived its use.
///
/// # Errors
/// A database error.
pub fn prune(conn: &mut PgConnection, now: DateTime<Utc>) -> Result<Pruned, DbError> {
    let spent = now - SPENT_KEPT;
    Ok(Pruned {
        attempts: delete(conn, "auth_attempts", "id", "at < $1", now - ATTEMPTS_KEPT)?,
        api_tokens: delete(conn, "api_tokens", "id", "expires_at < $1 OR revoked_at < $1", spent)?,
        reset_links: delete(conn, "password_resets", "id", "expires_at < $1 OR used_at < $1", spent)?,
        sessions: delete(conn, "browser_sessions", "secret_hash", "expires_at < $1 OR ended_at < $1", spent)?,
        idempotency_keys: delete(conn, "idempotency_keys", "ctid", "created_at < $1", spent)?,
        // Merged carts were emptied into an account's; an order keeps its own copy of a
        // checked-out one, which stays for the order's sake. A cart unused since the cut-off
        // was made before it: the index on age finds them (`updated_at` is not indexed, so
        // touching a cart rewrites no index).
        carts: delete(
            conn,
            "carts",
            "id",
            "account_id IS NULL AND status IN ('open', 'merged') AND created_at < $1 AND updated_at < $1",
            now - GUEST_CART_KEPT,
        )?,
    })
}
