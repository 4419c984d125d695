//! Hand-written SQL that PostgreSQL prepares once per connection. Diesel's `sql_query` is parsed
//! and planned on every call (it marks itself unsafe to cache); the write path's statements are
//! fixed text with numbered parameters, so they can go through Diesel's statement cache like
//! its own query builder's: `prepared("… WHERE id = $1 …").bind::<Uuid, _>(id).execute(conn)`.
//! A piece of fixed SQL inside a query Diesel builds is a `fixed::<Bool>("…")` expression: unlike
//! `diesel::dsl::sql`, which cannot tell text built at run time from a constant and so keeps
//! every statement holding it out of the cache (parsed and planned on every call), its text is
//! `'static`, so the statement around it is prepared once per connection like the rest.
use std::marker::PhantomData;

use diesel::expression::ValidGrouping;
use diesel::expression::{is_aggregate, AppearsOnTable, Expression, SelectableExpression, TypedExpressionType};
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

/// Writes `text` into `out` with each `$n` replaced by parameter n as `bind` pushes it, so a
/// parameter used twice is sent twice and the text's own numbers need not be the statement's.
pub(super) fn fill<'b>(
    text: &'b str,
    out: &mut AstPass<'_, 'b, Pg>,
    mut bind: impl FnMut(usize, &mut AstPass<'_, 'b, Pg>) -> QueryResult<()>,
) -> QueryResult<()> {
    let mut rest = text;
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
        bind(n, out)?;
        rest = &rest[at + 1 + digits..];
    }
    out.push_sql(rest);
    Ok(())
}

impl<B: Params> QueryFragment<Pg> for Prepared<B> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        fill(self.text, &mut out, |n, out| self.binds.push(n, out))
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

/// Fixed SQL text of type `ST` (with `$1`, `$2`, … placeholders for its own parameters) used as
/// an expression in a query Diesel builds.
#[must_use = "an expression does nothing until it is part of a statement that is run"]
pub struct Fixed<ST, B = ()> {
    inner: Prepared<B>,
    _type: PhantomData<ST>,
}

/// Fixed SQL text as an expression of type `ST`.
pub fn fixed<ST>(text: &'static str) -> Fixed<ST> {
    Fixed { inner: prepared(text), _type: PhantomData }
}

impl<ST, B> Fixed<ST, B> {
    /// Binds the expression's next parameter (`$1` first).
    pub fn bind<BT, V>(self, value: V) -> Fixed<ST, (B, Bound<BT, V>)> {
        Fixed { inner: self.inner.bind(value), _type: PhantomData }
    }
}

impl<ST: TypedExpressionType, B> Expression for Fixed<ST, B> {
    type SqlType = ST;
}

impl<ST, B: Params> QueryFragment<Pg> for Fixed<ST, B> {
    fn walk_ast<'b>(&'b self, out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        self.inner.walk_ast(out)
    }
}

impl<ST, B> QueryId for Fixed<ST, B> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<ST, B, QS> SelectableExpression<QS> for Fixed<ST, B> where Self: AppearsOnTable<QS> {}

impl<ST, B, QS> AppearsOnTable<QS> for Fixed<ST, B> where Self: Expression {}

impl<ST, B, GB> ValidGrouping<GB> for Fixed<ST, B> {
    type IsAggregate = is_aggregate::Never;
}

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
    fn a_query_built_around_fixed_text_stays_in_the_statement_cache() -> Result<(), diesel::result::Error> {
        use crate::db::schema::products;
        use diesel::prelude::*;
        use diesel::sql_types::Bool;

        let built = products::table
            .filter(fixed::<Bool>("products.price > $1").bind::<Integer, _>(5))
            .select((products::id, fixed::<Bool>("true")))
            .into_boxed::<Pg>();
        assert!(QueryFragment::<Pg>::is_safe_to_cache_prepared(&built, &Pg)?);
        let shown = diesel::debug_query::<Pg, _>(&built).to_string();
        assert!(shown.contains("products.price > $1"), "{shown}");
        // What it replaces does not: such statements were parsed and planned on every call.
        let literal = products::table.filter(diesel::dsl::sql::<Bool>("true")).select(products::id).into_boxed::<Pg>();
        assert!(!QueryFragment::<Pg>::is_safe_to_cache_prepared(&literal, &Pg)?);
        Ok(())
    }

    #[test]
    fn a_dollar_sign_that_is_no_placeholder_stays() -> Result<(), diesel::result::Error> {
        let shown = sql_of(&prepared("SELECT '$' || $1").bind::<Text, _>("x"))?;
        assert!(shown.starts_with("SELECT '$' || $1"), "{shown}");
        Ok(())
    }
}
