//! Writes of several owners sent as one statement. A flow that commits rows in several tables
//! (an order's first payment attempt, its confirmation mail, the idempotency key's answer)
//! would pay a round trip per table; each capability still states its own write (its table,
//! its SQL text, its values) as a `Staged`, and the flow sends them together:
//! `WITH w0 AS (… RETURNING 1), w1 AS (…) SELECT ARRAY[(SELECT count(*) FROM w0), …]`.
//! The statements of a `WITH` run on one snapshot and none sees another's rows, so only writes
//! that do not read each other go together (a foreign key to a row written by an earlier
//! statement is fine). The text of a combination is the same at every call, so PostgreSQL
//! prepares it once per connection like any other fixed statement.
use std::marker::PhantomData;

use diesel::pg::Pg;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::query_dsl::RunQueryDsl;
use diesel::serialize::ToSql;
use diesel::sql_types::{Array, BigInt, HasSqlType};
use diesel::{PgConnection, QueryResult};

use super::prepared::fill;

/// One `INSERT` or `UPDATE` (without `RETURNING`) with its `$1`, `$2`, … parameters, waiting to
/// be sent alone or with others.
#[must_use = "a staged write does nothing until it is sent with `together`"]
pub struct Staged {
    text: &'static str,
    params: Vec<Box<dyn Param>>,
}

/// One parameter of a staged write, of whatever SQL type it has.
trait Param: Send {
    fn push<'b>(&'b self, out: &mut AstPass<'_, 'b, Pg>) -> QueryResult<()>;
}

struct Value<ST, V> {
    value: V,
    _type: PhantomData<fn() -> ST>,
}

impl<ST, V> Param for Value<ST, V>
where
    Pg: HasSqlType<ST>,
    V: ToSql<ST, Pg> + Send,
{
    fn push<'b>(&'b self, out: &mut AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        out.push_bind_param::<ST, V>(&self.value)
    }
}

impl Staged {
    /// A write of fixed text: `INSERT …` or `UPDATE …`, numbered placeholders, no `RETURNING`.
    pub fn new(text: &'static str) -> Self {
        Self { text, params: Vec::new() }
    }

    /// Binds the next parameter (`$1` first).
    pub fn bind<ST: 'static, V>(mut self, value: V) -> Self
    where
        Pg: HasSqlType<ST>,
        V: ToSql<ST, Pg> + Send + 'static,
    {
        self.params.push(Box::new(Value::<ST, V> { value, _type: PhantomData }));
        self
    }
}

/// Sends `writes` as one statement; how many rows each wrote, in their order. Nothing is sent
/// for no writes.
///
/// # Errors
/// The statement's error (any write's failure fails them all).
pub fn together(conn: &mut PgConnection, writes: &[Staged]) -> QueryResult<Vec<i64>> {
    if writes.is_empty() {
        return Ok(Vec::new());
    }
    Together(writes).get_result(conn)
}

/// Something, and the writes it still needs: the caller sends them with whatever else commits
/// with them (`together`), or alone (`send`).
#[must_use = "the writes are lost unless they are sent"]
pub struct WithWrites<T> {
    pub value: T,
    pub writes: Vec<Staged>,
}

impl<T> WithWrites<T> {
    /// Sends the writes, in the caller's transaction, and gives the value back.
    ///
    /// # Errors
    /// The statement's error.
    pub fn send(self, conn: &mut PgConnection) -> QueryResult<T> {
        together(conn, &self.writes)?;
        Ok(self.value)
    }
}

struct Together<'a>(&'a [Staged]);

impl QueryFragment<Pg> for Together<'_> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        for (i, write) in self.0.iter().enumerate() {
            out.push_sql(&if i == 0 { "WITH w0 AS (".to_string() } else { format!("), w{i} AS (") });
            fill(write.text, &mut out, |n, out| match write.params.get(n.wrapping_sub(1)) {
                Some(param) => param.push(out),
                None => Err(diesel::result::Error::QueryBuilderError(format!("no parameter ${n}").into())),
            })?;
            out.push_sql(" RETURNING 1");
        }
        out.push_sql(") SELECT ARRAY[");
        for i in 0..self.0.len() {
            out.push_sql(&format!("{}(SELECT count(*) FROM w{i})", if i == 0 { "" } else { ", " }));
        }
        out.push_sql("]");
        Ok(())
    }
}

impl QueryId for Together<'_> {
    type QueryId = ();
    // Not a static id: the statement cache keys it by its text and parameter types instead.
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl Query for Together<'_> {
    type SqlType = Array<BigInt>;
}

impl<Conn> RunQueryDsl<Conn> for Together<'_> {}

#[cfg(test)]
mod tests {
    use super::*;
    use diesel::query_builder::QueryBuilder;

    fn sql_of(writes: &[Staged]) -> String {
        let mut builder = diesel::pg::PgQueryBuilder::default();
        Together(writes).to_sql(&mut builder, &Pg).unwrap();
        builder.finish()
    }

    #[test]
    fn writes_are_numbered_in_one_statement_that_counts_each() {
        let writes = [
            Staged::new("INSERT INTO a (x, y) VALUES ($1, $2)").bind::<BigInt, _>(1i64).bind::<BigInt, _>(2i64),
            Staged::new("UPDATE b SET x = $1 WHERE y = $1").bind::<BigInt, _>(3i64),
        ];
        assert_eq!(
            sql_of(&writes),
            "WITH w0 AS (INSERT INTO a (x, y) VALUES ($1, $2) RETURNING 1), \
             w1 AS (UPDATE b SET x = $3 WHERE y = $4 RETURNING 1) \
             SELECT ARRAY[(SELECT count(*) FROM w0), (SELECT count(*) FROM w1)]"
        );
    }

    #[test]
    fn a_placeholder_without_its_parameter_is_an_error_not_a_statement() {
        let mut builder = diesel::pg::PgQueryBuilder::default();
        let writes = [Staged::new("INSERT INTO a (x) VALUES ($2)").bind::<BigInt, _>(1i64)];
        assert!(Together(&writes).to_sql(&mut builder, &Pg).is_err());
    }
}
