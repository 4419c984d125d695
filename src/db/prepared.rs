//! Hand-written SQL that PostgreSQL prepares once per connection. Diesel's `sql_query` is parsed
//! and planned on every call (it marks itself unsafe to cache); the write path's statements are
//! fixed text with numbered parameters, so they can go through Diesel's statement cache like
//! its own query builder's: `prepared("… WHERE id = $1 …").bind::<Uuid, _>(id).execute(conn)`.
use std::marker::PhantomData;

use diesel::pg::Pg;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::query_dsl::RunQueryDsl;
use diesel::serialize::ToSql;
use diesel::sql_types::{HasSqlType, Untyped};
use diesel::QueryResult;

/// A statement's fixed text (with `$1`, `$2`, … placeholders) and its parameters so far.
#[must_use = "a statement does nothing until it is run"]
pub struct Prepared<B> {
    text: &'static str,
    binds: B,
}

/// Fixed SQL text, prepared once per connection and reused.
pub fn prepared(text: &'static str) -> Prepared<()> {
    Prepared { text, binds: () }
}

/// One parameter of SQL type `ST`.
pub struct Bound<ST, V> {
    value: V,
    _type: PhantomData<ST>,
}

/// The parameters of a statement, in order: `$n` is the n-th bound.
pub trait Params {
    const COUNT: usize;

    /// Pushes parameter `n` (1-based) as the next placeholder.
    fn push<'b>(&'b self, n: usize, out: &mut AstPass<'_, 'b, Pg>) -> QueryResult<()>;
}

impl Params for () {
    const COUNT: usize = 0;

    fn push<'b>(&'b self, n: usize, _out: &mut AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        Err(diesel::result::Error::QueryBuilderError(format!("no parameter ${n}").into()))
    }
}

impl<B: Params, ST, V> Params for (B, Bound<ST, V>)
where
    Pg: HasSqlType<ST>,
    V: ToSql<ST, Pg>,
{
    const COUNT: usize = B::COUNT + 1;

    fn push<'b>(&'b self, n: usize, out: &mut AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        if n == Self::COUNT {
            out.push_bind_param::<ST, V>(&self.1.value)
        } else {
            self.0.push(n, out)
        }
    }
}

impl<B> Prepared<B> {
    /// Binds the next parameter (`$1` first).
    pub fn bind<ST, V>(self, value: V) -> Prepared<(B, Bound<ST, V>)> {
        Prepared { text: self.text, binds: (self.binds, Bound { value, _type: PhantomData }) }
    }
}

impl<B: Params> QueryFragment<Pg> for Prepared<B> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        // Each `$n` becomes a bind of parameter n, so a parameter used twice is sent twice.
        let mut rest = self.text;
        while let Some(at) = rest.find('$') {
            out.push_sql(&rest[..at]);
            let digits = rest[at + 1..].bytes().take_while(u8::is_ascii_digit).count();
            if digits == 0 {
                out.push_sql("$");
                rest = &rest[at + 1..];
                continue;
            }
            let n: usize = rest[at + 1..at + 1 + digits]
                .parse()
                .map_err(|_| diesel::result::Error::QueryBuilderError("bad placeholder".into()))?;
            self.binds.push(n, &mut out)?;
            rest = &rest[at + 1 + digits..];
        }
        out.push_sql(rest);
        Ok(())
    }
}

impl<B> QueryId for Prepared<B> {
    type QueryId = ();
    // Not a static id: the statement cache keys it by its text and parameter types instead.
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<B> Query for Prepared<B> {
    type SqlType = Untyped;
}

impl<B, Conn> RunQueryDsl<Conn> for Prepared<B> {}

#[cfg(test)]
mod tests {
    use diesel::sql_types::{Integer, Text};

    use super::*;

    fn sql_of<B: Params>(q: &Prepared<B>) -> Result<String, diesel::result::Error> {
        Ok(diesel::debug_query::<Pg, _>(q).to_string())
    }

    #[test]
    fn placeholders_become_binds_in_order_and_repeats_are_sent_again() -> Result<(), diesel::result::Error> {
        let q = prepared("SELECT $2::int, $1::text, $2::int").bind::<Text, _>("a").bind::<Integer, _>(7);
        let shown = sql_of(&q)?;
        assert!(shown.starts_with("SELECT $1::int, $2::text, $3::int"), "{shown}");
        assert!(shown.contains("binds: [7, \"a\", 7]"), "{shown}");
        Ok(())
    }

    #[test]
    fn a_dollar_sign_that_is_no_placeholder_stays() -> Result<(), diesel::result::Error> {
        let shown = sql_of(&prepared("SELECT '$' || $1").bind::<Text, _>("x"))?;
        assert!(shown.starts_with("SELECT '$' || $1"), "{shown}");
        Ok(())
    }
}
