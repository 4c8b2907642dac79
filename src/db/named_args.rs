//! Hand-written calls of SQL functions whose text is fixed, so each connection prepares them
//! once (`sql_query` would prepare at every call: a second round trip on a hot path).

use diesel::QueryResult;
use diesel::pg::Pg;
use diesel::query_builder::AstPass;
use diesel::serialize::ToSql;
use diesel::sql_types::HasSqlType;

/// `name => $n`: an argument passed by name, so that Rust and SQL cannot fall out of step by
/// position. The caller writes the separators.
pub fn named_arg<'b, ST, T>(
    out: &mut AstPass<'_, 'b, Pg>,
    name: &'static str,
    value: &'b T,
) -> QueryResult<()>
where
    Pg: HasSqlType<ST>,
    T: ToSql<ST, Pg> + ?Sized,
{
    out.push_sql(name);
    out.push_sql(" => ");
    out.push_bind_param::<ST, T>(value)
}
