//! `Idempotency-Key`: the first outcome of a request is stored with the work it did, in the same
//! transaction, and given back to every retry with that key: one key, one order.
//!
//! What is stored is the domain's outcome (the placed order, the refunded order, or the
//! refusal), not a presentation's rendering of it, so a key names one request whether it came
//! through a page or the API, and both render the replay as they render a first answer.
//!
//! The key itself is kept only as its SHA-256: it is the one thing a retry has that the
//! database does not, so a secret of the first answer (a guest's order link) is stored sealed
//! under it (`IdempotencyKey::seal`) and opens again only for the client's own retries.
use diesel::prelude::*;
use serde::de::DeserializeOwned;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::db::schema::idempotency_keys;
use crate::db::{together, DbError, Staged, WithWrites};
use crate::domain::shared::{AccountId, CartId};

/// A client's name for one request: 1 to 255 visible ASCII characters (a UUID is typical).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyKey(String);

impl IdempotencyKey {
    pub const MAX_LEN: usize = 255;

    /// `None` for an empty, overlong or non-printable key.
    pub fn parse(raw: &str) -> Option<Self> {
        let raw = raw.trim();
        let ok = !raw.is_empty() && raw.len() <= Self::MAX_LEN && raw.bytes().all(|b| b.is_ascii_graphic());
        ok.then(|| Self(raw.to_string()))
    }

    /// A fresh key, for a form that lost its own.
    pub fn random() -> Self {
        Self(uuid::Uuid::new_v4().to_string())
    }

    /// An id made from the key for `purpose` and `caller`: the same key always names the same
    /// row (a "buy now" form's cart), and nobody can guess it without the key.
    pub fn derive_id(&self, purpose: &str, caller: Option<crate::domain::shared::AccountId>) -> uuid::Uuid {
        use sha2::{Digest, Sha256};
        let mut h = Sha256::new();
        h.update(purpose.as_bytes());
        h.update(b":");
        h.update(caller.map(|c| c.to_string()).unwrap_or_default().as_bytes());
        h.update(b":");
        h.update(self.as_str().as_bytes());
        let digest = h.finalize();
        let mut bytes = [0u8; 16];
        bytes.copy_from_slice(&digest[..16]);
        uuid::Builder::from_random_bytes(bytes).into_uuid()
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// What the database keeps of the key: its SHA-256, in hex.
    fn stored_form(&self) -> String {
        Sha256::digest(self.0.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
    }

    /// Seals a 32-byte `secret` of an answer under this key and `scope`, and unseals it (the
    /// same call): XOR with SHA-256 of the key, which the database never holds. Each key
    /// seals one answer, so the pad is used once.
    pub fn seal(&self, scope: Scope, secret: &[u8; 32]) -> [u8; 32] {
        let mut h = Sha256::new();
        h.update(b"storefront: an answer's secret\n");
        h.update(scope.key().as_bytes());
        h.update(b"\n");
        h.update(self.0.as_bytes());
        let pad = h.finalize();
        let mut sealed = *secret;
        sealed.iter_mut().zip(pad.iter()).for_each(|(s, p)| *s ^= p);
        sealed
    }
}

/// What identifies a request under its key: the operation and its parsed input. The one recipe
/// every use case uses, so a page and the API asking for the same thing fingerprint alike.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fingerprint(Vec<u8>);

impl Fingerprint {
    /// SHA-256 of the operation's name and the input's JSON (fields in declaration order).
    pub fn of(operation: &str, input: &impl Serialize) -> Self {
        let mut h = Sha256::new();
        h.update(operation.as_bytes());
        h.update(b"\n");
        // Serializing plain data structs cannot fail; an empty body still separates operations.
        h.update(serde_json::to_vec(input).unwrap_or_default());
        Self(h.finalize().to_vec())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum IdempotencyError {
    /// The key was used before for a different request.
    #[error("this Idempotency-Key was used for another request")]
    KeyReused,
    /// A stored outcome that no longer reads as one (never written by this version).
    #[error("the outcome stored under this key cannot be read: {0}")]
    Unreadable(String),
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
    Account(AccountId),
    /// A guest's checkout: holding the cart's id is all a guest has.
    Cart(CartId),
}

impl Scope {
    /// A checkout's: the signed-in customer's, else the guest's cart.
    pub fn checkout(account: Option<AccountId>, cart: CartId) -> Self {
        account.map_or(Scope::Cart(cart), Scope::Account)
    }

    fn key(self) -> String {
        match self {
            Scope::Account(id) => format!("account:{id}"),
            Scope::Cart(id) => format!("cart:{id}"),
        }
    }
}

/// Whether a refusal (the caller's mistake: a field, a conflict) is kept under the key like an
/// answer. An API client retrying must get the same refusal; a form sends its key again after
/// the shopper corrected it, so the page forgets refusals.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusals {
    Keep,
    Forget,
}

/// A request to do something once: whose key, the key, and what to do with refusals.
#[derive(Debug, Clone)]
pub struct Once {
    pub scope: Scope,
    pub key: IdempotencyKey,
    pub refusals: Refusals,
}

/// An error that may be stored and given back: refusals are, failures on our side are not (a
/// retry may then succeed).
pub trait Refusal: Serialize + DeserializeOwned {
    fn is_refusal(&self) -> bool;
}

/// The `status_code` of a key's row: finished with an answer, or with a refusal. (0, claimed,
/// was written by an earlier version that claimed keys before working.)
const ANSWERED: i16 = 1;
const REFUSED: i16 = 2;

fn unreadable(e: serde_json::Error) -> IdempotencyError {
    IdempotencyError::Unreadable(e.to_string())
}

/// Why the work's transaction ended without committing.
enum Stop<E> {
    /// The work refused or failed.
    Work(E),
    /// Another request's outcome is already stored under the key.
    Taken,
}

impl<E: From<diesel::result::Error>> From<diesel::result::Error> for Stop<E> {
    fn from(e: diesel::result::Error) -> Self {
        Stop::Work(e.into())
    }
}

/// Stores an outcome under the key unless one is there; `false` when one was (a concurrent
/// request's insert is waited for: its commit makes this a conflict, its rollback lets this in).
fn store(
    conn: &mut PgConnection,
    caller: &str,
    key: &str,
    fingerprint: &[u8],
    state: i16,
    body: String,
) -> Result<bool, diesel::result::Error> {
    Ok(together(conn, &[stage(caller, key, fingerprint, state, body)])? == [1])
}

/// `store` as a write to send with others: it writes no row when an outcome is there.
fn stage(caller: &str, key: &str, fingerprint: &[u8], state: i16, body: String) -> Staged {
    use diesel::sql_types::{Bytea, SmallInt, Text};
    Staged::new(
        "INSERT INTO idempotency_keys (caller, key, fingerprint, status_code, response_body) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
    )
    .bind::<Text, _>(caller.to_string())
    .bind::<Text, _>(key.to_string())
    .bind::<Bytea, _>(fingerprint.to_vec())
    .bind::<SmallInt, _>(state)
    .bind::<Text, _>(body)
}

/// The outcome stored under the key, if any: `None` when there is none; `KeyReused` when it
/// answered another request.
fn stored<T: DeserializeOwned, E: DeserializeOwned + From<IdempotencyError> + From<diesel::result::Error>>(
    conn: &mut PgConnection,
    caller: &str,
    key: &str,
    fingerprint: &[u8],
) -> Result<Option<Result<T, E>>, E> {
    let row: Option<(Vec<u8>, i16, String)> = idempotency_keys::table
        .find((caller, key))
        .select((idempotency_keys::fingerprint, idempotency_keys::status_code, idempotency_keys::response_body))
        .first(conn)
        .optional()?;
    let Some((stored_fp, state, body)) = row else { return Ok(None) };
    if stored_fp != fingerprint {
        return Err(IdempotencyError::KeyReused.into());
    }
    match state {
        ANSWERED => Ok(Some(Ok(serde_json::from_str(&body).map_err(unreadable)?))),
        REFUSED => Ok(Some(Err(serde_json::from_str(&body).map_err(unreadable)?))),
        other => Err(IdempotencyError::Unreadable(format!("state {other}")).into()),
    }
}

/// Runs `work` once per `(scope, key)`: the work and its stored outcome commit in one
/// transaction; a retry with the same fingerprint gets that outcome back, never a second
/// effect. The work runs first and the key is written last, so the happy path costs one
/// statement beyond the work: a retry or a concurrent twin runs into the work's own row locks
/// (the cart, the order) and then into the stored key, rolls its work back and replays.
///
/// # Errors
/// `KeyReused` (as `E`) for another request under a used key; a stored or fresh refusal;
/// whatever else `work` returns (not stored).
pub fn run<T, E>(
    conn: &mut PgConnection,
    once: &Once,
    fingerprint: &Fingerprint,
    work: impl FnOnce(&mut PgConnection) -> Result<T, E>,
) -> Result<T, E>
where
    T: Serialize + DeserializeOwned,
    E: Refusal + From<IdempotencyError> + From<diesel::result::Error>,
{
    run_with_writes(conn, once, fingerprint, |conn| work(conn).map(|value| WithWrites { value, writes: Vec::new() }))
}

/// `run` for work that leaves its last writes to be sent with the key's, in the same one
/// statement: the work's answer is known before they are written.
///
/// # Errors
/// As `run`.
pub fn run_with_writes<T, E>(
    conn: &mut PgConnection,
    once: &Once,
    fingerprint: &Fingerprint,
    work: impl FnOnce(&mut PgConnection) -> Result<WithWrites<T>, E>,
) -> Result<T, E>
where
    T: Serialize + DeserializeOwned,
    E: Refusal + From<IdempotencyError> + From<diesel::result::Error>,
{
    let (caller, key) = (once.scope.key(), once.key.stored_form());
    let (caller, key, fingerprint) = (caller.as_str(), key.as_str(), fingerprint.0.as_slice());
    let done: Result<T, Stop<E>> = conn.transaction(|conn| {
        let WithWrites { value: answer, mut writes } = work(conn).map_err(Stop::Work)?;
        let body = serde_json::to_string(&answer).map_err(|e| Stop::Work(unreadable(e).into()))?;
        writes.push(stage(caller, key, fingerprint, ANSWERED, body));
        if together(conn, &writes)?.last() == Some(&1) {
            Ok(answer)
        } else {
            Err(Stop::Taken)
        }
    });
    match done {
        Ok(answer) => Ok(answer),
        Err(Stop::Taken) => stored(conn, caller, key, fingerprint)?
            .unwrap_or_else(|| Err(IdempotencyError::Unreadable("the key's outcome went away".into()).into())),
        Err(Stop::Work(e)) if e.is_refusal() => {
            // A retry of a request that went through is refused by what it did: replay that.
            if let Some(outcome) = stored(conn, caller, key, fingerprint)? {
                return outcome;
            }
            if once.refusals == Refusals::Keep {
                let body = serde_json::to_string(&e).map_err(unreadable)?;
                if !store(conn, caller, key, fingerprint, REFUSED, body)? {
                    if let Some(outcome) = stored(conn, caller, key, fingerprint)? {
                        return outcome;
                    }
                }
            }
            Err(e)
        }
        Err(Stop::Work(e)) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_printable_ascii_of_bounded_length() {
        assert!(IdempotencyKey::parse("k-1").is_some());
        assert_eq!(IdempotencyKey::parse("  k-1 ").map(|k| k.as_str().to_string()), Some("k-1".into()));
        for bad in ["", "   ", "a b", "ключ", &"k".repeat(256)] {
            assert!(IdempotencyKey::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn a_sealed_secret_opens_only_under_its_key_and_scope() {
        let (key, other) = (IdempotencyKey::random(), IdempotencyKey::random());
        let scope = Scope::Cart(CartId::random());
        let secret = [7u8; 32];
        let sealed = key.seal(scope, &secret);
        assert_ne!(sealed, secret);
        assert_eq!(key.seal(scope, &sealed), secret);
        assert_ne!(other.seal(scope, &sealed), secret);
        assert_ne!(key.seal(Scope::Cart(CartId::random()), &sealed), secret);
        assert!(!key.stored_form().contains(key.as_str()) && key.stored_form().len() == 64);
    }

    #[test]
    fn a_fingerprint_names_the_operation_and_its_input() {
        let a = Fingerprint::of("place_order", &("cart", 1));
        assert_eq!(a, Fingerprint::of("place_order", &("cart", 1)));
        assert_ne!(a, Fingerprint::of("place_order", &("cart", 2)));
        assert_ne!(a, Fingerprint::of("refund", &("cart", 1)));
    }
}
