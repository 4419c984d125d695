//! The connection pool, running Diesel off the async threads, and creating the database.
pub mod migrate;
pub mod prepared;
pub mod schema;
pub mod staged;

pub use prepared::{fixed, prepared, Fixed};
pub use staged::{together, Staged, WithWrites};

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use diesel::connection::{Instrumentation, InstrumentationEvent};
use diesel::prelude::*;
use diesel::r2d2::{ConnectionManager, CustomizeConnection, PooledConnection};

pub type PgPool = diesel::r2d2::Pool<ConnectionManager<PgConnection>>;
pub type PgPooled = PooledConnection<ConnectionManager<PgConnection>>;

/// Maps an enum with `as_str` and `parse` to a `text` column, once: written as its name, read
/// back with an error (never a guess) for a value the enum does not know. The enum itself
/// derives `diesel::AsExpression` and `diesel::FromSqlRow` with `#[diesel(sql_type = Text)]`.
macro_rules! text_enum {
    ($ty:ty, $what:literal) => {
        impl diesel::serialize::ToSql<diesel::sql_types::Text, diesel::pg::Pg> for $ty {
            fn to_sql<'b>(
                &'b self,
                out: &mut diesel::serialize::Output<'b, '_, diesel::pg::Pg>,
            ) -> diesel::serialize::Result {
                <str as diesel::serialize::ToSql<diesel::sql_types::Text, diesel::pg::Pg>>::to_sql(self.as_str(), out)
            }
        }

        impl diesel::deserialize::FromSql<diesel::sql_types::Text, diesel::pg::Pg> for $ty {
            fn from_sql(bytes: diesel::pg::PgValue<'_>) -> diesel::deserialize::Result<Self> {
                let raw =
                    <String as diesel::deserialize::FromSql<diesel::sql_types::Text, diesel::pg::Pg>>::from_sql(bytes)?;
                <$ty>::parse(&raw).ok_or_else(|| format!("unknown {} {raw:?} in the database", $what).into())
            }
        }
    };
}
pub(crate) use text_enum;

/// Why the database could not be reached at all (as opposed to a query's own error).
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("no database connection available: {0}")]
    Pool(#[from] diesel::r2d2::PoolError),
    #[error("database task was cancelled")]
    Cancelled,
    #[error("database error: {0}")]
    Query(#[from] diesel::result::Error),
    #[error("cannot connect to the database: {0}")]
    Connect(#[from] diesel::ConnectionError),
}

/// The pool plus a count of the statements (transaction control included) its connections ran, which the tests read
/// to prove a page costs a fixed number of queries whatever its size, and of the connections
/// taken from it (a request refused before it needs the database takes none).
///
/// Two pools: one for reads, sized to the cores (a read keeps its backend busy on the CPU, and
/// more of them at once only queue there and lengthen the tail), and a larger one for the
/// flows that commit a write, whose backends mostly wait for the WAL to reach the disk: many
/// of them waiting together share one flush (group commit), which four could not.
#[derive(Clone)]
pub struct Db {
    pool: PgPool,
    writers: PgPool,
    queries: Arc<AtomicU64>,
    taken: Arc<AtomicU64>,
}

#[derive(Debug)]
struct CountQueries(Arc<AtomicU64>);

impl CustomizeConnection<PgConnection, diesel::r2d2::Error> for CountQueries {
    fn on_acquire(&self, conn: &mut PgConnection) -> Result<(), diesel::r2d2::Error> {
        let counter = Arc::clone(&self.0);
        conn.set_instrumentation(QueryCounter(counter));
        Ok(())
    }
}

struct QueryCounter(Arc<AtomicU64>);

impl Instrumentation for QueryCounter {
    fn on_connection_event(&mut self, event: InstrumentationEvent<'_>) {
        // Transaction control (BEGIN, SAVEPOINT, COMMIT…) goes through `batch_execute`, which
        // reports a query too: every round trip counts once.
        if let InstrumentationEvent::StartQuery { .. } = event {
            self.0.fetch_add(1, Ordering::Relaxed);
        }
    }
}

impl Db {
    /// Builds the pools (`reads` and `writes` connections at most); connections are opened
    /// lazily so a server can start while the database is still coming up (`/readyz` tells
    /// when it is reachable).
    pub fn new(url: &str, reads: u32, writes: u32) -> Result<Self, DbError> {
        let queries = Arc::new(AtomicU64::new(0));
        let pool = |max_size: u32| {
            diesel::r2d2::Pool::builder()
                .max_size(max_size)
                .min_idle(Some(max_size.min(4)))
                .connection_timeout(Duration::from_secs(5))
                // A `SELECT 1` before every checkout is a round trip per request; Diesel reports
                // broken connections after use instead, and r2d2 then discards them.
                .test_on_check_out(false)
                .connection_customizer(Box::new(CountQueries(Arc::clone(&queries))))
                .build_unchecked(ConnectionManager::<PgConnection>::new(url))
        };
        let (pool, writers) = (pool(reads), pool(writes));
        Ok(Self { pool, writers, queries, taken: Arc::new(AtomicU64::new(0)) })
    }

    /// A reader's connection for work on a thread of its own (the job runner, mail, live
    /// updates, start-up), not through `run`.
    pub fn get(&self) -> Result<PgPooled, DbError> {
        take(&self.pool, &self.taken)
    }

    /// How many connections have been taken from the pool so far.
    pub fn connections_taken(&self) -> u64 {
        self.taken.load(Ordering::Relaxed)
    }

    /// How many SQL statements this pool's connections have run so far.
    pub fn queries_run(&self) -> u64 {
        self.queries.load(Ordering::Relaxed)
    }

    /// Whether the database answers: a connection and a trivial statement.
    pub async fn ping(&self) -> Result<(), DbError> {
        self.run(|conn| diesel::sql_query("SELECT 1").execute(conn).map(|_| ()).map_err(DbError::from)).await
    }

    /// Runs blocking Diesel work that reads on actix's blocking thread pool, with one pooled
    /// connection that is never held across an `.await`.
    pub async fn run<F, T, E>(&self, f: F) -> Result<T, E>
    where
        F: FnOnce(&mut PgConnection) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<DbError> + Send + 'static,
    {
        Self::on(self.pool.clone(), Arc::clone(&self.taken), f).await
    }

    /// As `run`, for work that commits a write: on a connection of the writers' pool.
    pub async fn write<F, T, E>(&self, f: F) -> Result<T, E>
    where
        F: FnOnce(&mut PgConnection) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<DbError> + Send + 'static,
    {
        Self::on(self.writers.clone(), Arc::clone(&self.taken), f).await
    }

    async fn on<F, T, E>(pool: PgPool, taken: Arc<AtomicU64>, f: F) -> Result<T, E>
    where
        F: FnOnce(&mut PgConnection) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<DbError> + Send + 'static,
    {
        actix_web::web::block(move || {
            let mut conn = take(&pool, &taken)?;
            f(&mut conn)
        })
        .await
        .map_err(|_| E::from(DbError::Cancelled))?
    }
}

/// A connection from `pool`, counted in `taken`.
fn take(pool: &PgPool, taken: &AtomicU64) -> Result<PgPooled, DbError> {
    taken.fetch_add(1, Ordering::Relaxed);
    Ok(pool.get()?)
}

/// The server a URL names, as `host:port`, without its user or password (for messages).
pub fn server_of(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let authority = rest.split(['/', '?']).next().unwrap_or_default();
    let host = authority.rsplit_once('@').map_or(authority, |(_, host)| host);
    if host.contains(':') && !host.ends_with(']') {
        host.to_string()
    } else {
        format!("{host}:5432")
    }
}

/// Why the database of `url` could not be prepared, said so that the reader knows what to fix:
/// the server is not there, it refused the user, or something else (with PostgreSQL's words).
pub fn explain(url: &str, error: &DbError) -> String {
    let said = error.to_string();
    let first = said.lines().next().unwrap_or_default().trim();
    let server = server_of(url);
    if ["Connection refused", "could not connect", "could not translate host name", "timeout expired", "No such file"]
        .iter()
        .any(|s| said.contains(s))
    {
        format!(
            "cannot reach PostgreSQL at {server} (DATABASE_URL): {first}. Start PostgreSQL \
             (scripts/run installs and starts it on Debian or Ubuntu), or set DATABASE_URL to a running server"
        )
    } else if said.contains("authentication failed") || (said.contains("role") && said.contains("does not exist")) {
        format!("PostgreSQL at {server} refused the user of DATABASE_URL: {first}")
    } else {
        format!("cannot prepare the database of DATABASE_URL at {server}: {first}")
    }
}

/// Splits `postgres://…/name?opts` into the URL of the server's `postgres` database and `name`.
fn admin_url_and_name(url: &str) -> Option<(String, String)> {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let slash = base.rfind('/')?;
    if base[..slash].ends_with('/') {
        return None; // no database name: `postgres://host/`
    }
    let name = base[slash + 1..].to_string();
    if name.is_empty() {
        return None;
    }
    let mut admin = format!("{}/postgres", &base[..slash]);
    if let Some(q) = query {
        admin.push('?');
        admin.push_str(q);
    }
    Some((admin, name))
}

/// Creates the database named in `url` when it does not exist yet.
///
/// # Errors
/// When the server cannot be reached or refuses to create it.
pub fn create_database_if_missing(url: &str) -> Result<bool, DbError> {
    if PgConnection::establish(url).is_ok() {
        return Ok(false);
    }
    let Some((admin_url, name)) = admin_url_and_name(url) else {
        return Err(DbError::Connect(diesel::ConnectionError::InvalidConnectionUrl(
            "DATABASE_URL names no database".into(),
        )));
    };
    let mut admin = PgConnection::establish(&admin_url)?;
    let exists: bool = diesel::select(diesel::dsl::sql::<diesel::sql_types::Bool>(&format!(
        "EXISTS (SELECT 1 FROM pg_database WHERE datname = {})",
        quote_literal(&name)
    )))
    .get_result(&mut admin)?;
    if exists {
        // It exists but refused us: report the original reason.
        PgConnection::establish(url)?;
        return Ok(false);
    }
    match diesel::sql_query(format!("CREATE DATABASE {}", quote_ident(&name))).execute(&mut admin) {
        Ok(_) => Ok(true),
        // Another process created it between our check and our CREATE.
        Err(diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _)) => Ok(false),
        Err(e) if e.to_string().contains("already exists") => Ok(false),
        Err(e) => Err(e.into()),
    }
}

pub fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

pub fn quote_literal(value: &str) -> String {
    format!("'{}'", value.replace('\'', "''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn admin_url_keeps_host_and_options() {
        assert_eq!(
            admin_url_and_name("postgres://u@h:5432/shop?sslmode=disable"),
            Some(("postgres://u@h:5432/postgres?sslmode=disable".into(), "shop".into()))
        );
        assert_eq!(admin_url_and_name("postgres://u@h:5432/"), None);
        assert_eq!(admin_url_and_name("postgres://h"), None);
    }

    #[test]
    fn messages_name_the_server_without_the_password() {
        assert_eq!(server_of("postgres://u:secret@db.internal:6432/shop?x=1"), "db.internal:6432");
        assert_eq!(server_of("postgres://127.0.0.1/shop"), "127.0.0.1:5432");
        assert_eq!(server_of("postgres://u@[::1]/shop"), "[::1]:5432");
    }

    #[test]
    fn identifiers_and_literals_are_quoted() {
        assert_eq!(quote_ident("a\"b"), "\"a\"\"b\"");
        assert_eq!(quote_literal("o'k"), "'o''k'");
    }
}
