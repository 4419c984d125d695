//! `Idempotency-Key`: the first answer to a request is stored with the work it did, in the same
//! transaction, and replayed to every retry with that key. A concurrent retry waits on the key's
//! row until the first request commits, then reads its answer: one key, one order.
use diesel::prelude::*;
use sha2::{Digest, Sha256};

use crate::db::schema::idempotency_keys;
use crate::db::DbError;

/// A stored answer: status and body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    pub status: u16,
    pub body: String,
}

#[derive(Debug, thiserror::Error)]
pub enum IdempotencyError {
    /// The key was used before for a different request.
    #[error("this Idempotency-Key was used for another request")]
    KeyReused,
    #[error(transparent)]
    Internal(#[from] DbError),
}

impl From<diesel::result::Error> for IdempotencyError {
    fn from(e: diesel::result::Error) -> Self {
        IdempotencyError::Internal(DbError::Query(e))
    }
}

/// Whose keys a request's key is among. Pages and API share them, so a key names one request
/// wherever it comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Account(uuid::Uuid),
    /// A guest's checkout: holding the cart's id is all a guest has.
    Cart(uuid::Uuid),
}

impl Scope {
    /// A checkout's: the signed-in customer's, else the guest's cart.
    pub fn checkout(account: Option<uuid::Uuid>, cart: uuid::Uuid) -> Self {
        account.map_or(Scope::Cart(cart), Scope::Account)
    }

    fn key(self) -> String {
        match self {
            Scope::Account(id) => format!("account:{id}"),
            Scope::Cart(id) => format!("cart:{id}"),
        }
    }
}

/// What identifies a request: its method, path and body.
pub fn fingerprint(method: &str, path: &str, body: &[u8]) -> Vec<u8> {
    let mut h = Sha256::new();
    h.update(method.as_bytes());
    h.update(b" ");
    h.update(path.as_bytes());
    h.update(b"\n");
    h.update(body);
    h.finalize().to_vec()
}

/// Runs `work` once per `(scope, key)`: the first call does it and stores its answer; later
/// calls with the same fingerprint get that answer back without doing anything. `work` runs in
/// a savepoint and answers with what to store; returning `Err` (a failure on our side) stores
/// nothing, so the request may be retried.
///
/// # Errors
/// `KeyReused` (as `E`) for another request under a used key; whatever `work` returns.
pub fn run<E>(
    conn: &mut PgConnection,
    scope: Scope,
    key: &str,
    fingerprint: &[u8],
    work: impl FnOnce(&mut PgConnection) -> Result<Stored, E>,
) -> Result<Stored, E>
where
    E: From<IdempotencyError> + From<diesel::result::Error>,
{
    let caller = scope.key();
    let caller = caller.as_str();
    conn.transaction(|conn| {
        let claimed = diesel::insert_into(idempotency_keys::table)
            .values((
                idempotency_keys::caller.eq(caller),
                idempotency_keys::key.eq(key),
                idempotency_keys::fingerprint.eq(fingerprint),
                idempotency_keys::status_code.eq(0i16),
                idempotency_keys::response_body.eq(""),
            ))
            .on_conflict_do_nothing()
            .execute(conn)?;
        if claimed == 0 {
            let (stored_fp, status, body): (Vec<u8>, i16, String) = idempotency_keys::table
                .find((caller, key))
                .select((idempotency_keys::fingerprint, idempotency_keys::status_code, idempotency_keys::response_body))
                .first(conn)?;
            if stored_fp != fingerprint {
                return Err(IdempotencyError::KeyReused.into());
            }
            return Ok(Stored { status: u16::try_from(status).unwrap_or(500), body });
        }
        let answer = work(conn)?;
        diesel::update(idempotency_keys::table.find((caller, key)))
            .set((
                idempotency_keys::status_code.eq(i16::try_from(answer.status).unwrap_or(500)),
                idempotency_keys::response_body.eq(&answer.body),
            ))
            .execute(conn)?;
        Ok(answer)
    })
}

/// Forgets keys older than a day (a client retries within minutes, not days).
pub fn prune(conn: &mut PgConnection, now: chrono::DateTime<chrono::Utc>) -> Result<usize, IdempotencyError> {
    Ok(diesel::delete(idempotency_keys::table.filter(idempotency_keys::created_at.lt(now - chrono::Duration::days(1))))
        .execute(conn)?)
}
