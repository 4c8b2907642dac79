//! The ranked name search over a conference's registrations: one prepared statement.

use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::sql_types::{Text, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::{RegistrationFilter, RegistrationRow};

/// A folded query (see `domain::search`): the whole text and its words.
#[derive(Clone, Copy)]
pub struct NameSearch<'a> {
    pub folded: &'a str,
    pub words: &'a [String],
}

/// At most this many matches of one ranking tier are read and sorted by name: a tier with more
/// (a lone `nguyen` among 100,000) shows the first page of a sample of that size, so a search
/// never reads thousands of rows. Refining the query brings the wanted person into range.
pub const SEARCH_SAMPLE: i64 = 100;

/// A `tsquery` of the words, each quoted literally, as whole words or as prefixes.
fn tsquery(words: &[String], prefix: bool) -> String {
    words
        .iter()
        .map(|w| {
            let quoted = w.replace('\\', "\\\\").replace('\'', "''");
            format!("'{quoted}'{}", if prefix { ":*" } else { "" })
        })
        .collect::<Vec<_>>()
        .join(" & ")
}

/// The search, ranked in tiers (each excludes those before it): 0 the folded name equals the
/// query; 1 every query word is a whole word of the name; 2 every query word is a prefix of a
/// word of the name; 3 every query word is a prefix of a word of the search text (name, unit,
/// organization, reference, email, phones). Within a tier by folded name.
///
/// One statement, bounded work: a tier is read only when the tiers before it hold fewer rows
/// than the page (`One-Time Filter` on their counts), and then at most `$sample` rows of it. The
/// candidate sets are `MATERIALIZED` so the planner costs them as whole sets (GIN bitmap scans
/// for rare words) while the `LIMIT` above still stops reading early; with the `LIMIT` inside,
/// the planner misjudges rare prefixes and walks the whole table.
pub const SEARCH: &str = "
WITH filtered AS NOT MATERIALIZED (
    SELECT r.* FROM registrations r
    WHERE r.conference_id = $conference
      AND ($status::text IS NULL OR r.status = $status)
      AND ($category::text IS NULL OR r.category = $category)
      AND ($source::text IS NULL OR r.source = $source)
      AND ($unit_id::uuid IS NULL OR r.unit_id = $unit_id)
      AND ($invitation_id::uuid IS NULL OR r.invitation_id = $invitation_id)
      AND ($unit_kind::text IS NULL OR r.unit_id IN (SELECT u.id FROM units u WHERE u.kind = $unit_kind))
      AND ($within_unit::uuid IS NULL OR r.unit_id IN (
          WITH RECURSIVE below(id) AS (SELECT $within_unit::uuid UNION SELECT u.id FROM units u JOIN below ON u.parent_id = below.id)
          SELECT id FROM below))
),
m0 AS MATERIALIZED (SELECT id FROM filtered WHERE name_folded = $folded),
t0 AS (SELECT id, 0 AS tier FROM m0 LIMIT $sample),
m1 AS MATERIALIZED (SELECT id FROM filtered WHERE name_words @@ $whole::tsquery AND name_folded <> $folded),
t1 AS (SELECT id, 1 AS tier FROM m1 WHERE (SELECT count(*) FROM t0) < $page LIMIT $sample),
m2 AS MATERIALIZED (SELECT id FROM filtered WHERE name_words @@ $prefixes::tsquery AND NOT name_words @@ $whole::tsquery),
t2 AS (SELECT id, 2 AS tier FROM m2 WHERE (SELECT count(*) FROM t0) + (SELECT count(*) FROM t1) < $page LIMIT $sample),
m3 AS MATERIALIZED (SELECT id FROM filtered WHERE search_words @@ $prefixes::tsquery AND NOT name_words @@ $prefixes::tsquery),
t3 AS (SELECT id, 3 AS tier FROM m3
       WHERE (SELECT count(*) FROM t0) + (SELECT count(*) FROM t1) + (SELECT count(*) FROM t2) < $page LIMIT $sample)
SELECT r.id, r.conference_id, r.number, r.full_name, r.position, r.unit_id, r.organization, r.category,
       r.email, r.phone, r.status, r.source, r.invitation_id, r.qr_secret, r.waitlisted_at, r.version,
       r.created_at, r.updated_at, r.language
FROM registrations r
JOIN (SELECT * FROM t0 UNION ALL SELECT * FROM t1 UNION ALL SELECT * FROM t2 UNION ALL SELECT * FROM t3) ranked USING (id)
ORDER BY ranked.tier, r.name_folded, r.id
LIMIT $page";

/// [`SEARCH`] with its parameters. A query type of its own, so that each connection prepares
/// it once and PostgreSQL may keep one generic plan (the materialized tiers plan alike for
/// every query): planning cost as much as running it.
#[derive(diesel::query_builder::QueryId)]
struct SearchStatement {
    conference_id: Uuid,
    folded: String,
    whole: String,
    prefixes: String,
    sample: i64,
    page: i64,
    status: Option<String>,
    category: Option<String>,
    source: Option<String>,
    unit_id: Option<Uuid>,
    invitation_id: Option<Uuid>,
    unit_kind: Option<String>,
    within_unit: Option<Uuid>,
}

impl diesel::query_builder::QueryFragment<Pg> for SearchStatement {
    fn walk_ast<'b>(
        &'b self,
        mut out: diesel::query_builder::AstPass<'_, 'b, Pg>,
    ) -> QueryResult<()> {
        use diesel::sql_types::{BigInt, Nullable};
        // `$name` marks a parameter; each occurrence becomes a bind of its own.
        let mut rest = SEARCH;
        while let Some(at) = rest.find('$') {
            out.push_sql(&rest[..at]);
            let name_len = rest[at + 1..]
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(rest.len() - at - 1);
            match &rest[at + 1..at + 1 + name_len] {
                "conference" => out.push_bind_param::<SqlUuid, _>(&self.conference_id)?,
                "folded" => out.push_bind_param::<Text, _>(&self.folded)?,
                "whole" => out.push_bind_param::<Text, _>(&self.whole)?,
                "prefixes" => out.push_bind_param::<Text, _>(&self.prefixes)?,
                "sample" => out.push_bind_param::<BigInt, _>(&self.sample)?,
                "page" => out.push_bind_param::<BigInt, _>(&self.page)?,
                "status" => out.push_bind_param::<Nullable<Text>, _>(&self.status)?,
                "category" => out.push_bind_param::<Nullable<Text>, _>(&self.category)?,
                "source" => out.push_bind_param::<Nullable<Text>, _>(&self.source)?,
                "unit_id" => out.push_bind_param::<Nullable<SqlUuid>, _>(&self.unit_id)?,
                "invitation_id" => {
                    out.push_bind_param::<Nullable<SqlUuid>, _>(&self.invitation_id)?
                }
                "unit_kind" => out.push_bind_param::<Nullable<Text>, _>(&self.unit_kind)?,
                "within_unit" => out.push_bind_param::<Nullable<SqlUuid>, _>(&self.within_unit)?,
                other => {
                    return Err(diesel::result::Error::QueryBuilderError(
                        format!("unknown search parameter ${other}").into(),
                    ));
                }
            }
            rest = &rest[at + 1 + name_len..];
        }
        out.push_sql(rest);
        Ok(())
    }
}

impl diesel::query_builder::Query for SearchStatement {
    type SqlType = diesel::sql_types::Untyped;
}

pub(super) async fn search(
    conn: &mut AsyncPgConnection,
    conference_id: Uuid,
    filter: &RegistrationFilter<'_>,
    search: NameSearch<'_>,
) -> QueryResult<Vec<RegistrationRow>> {
    SearchStatement {
        conference_id,
        folded: search.folded.to_owned(),
        whole: tsquery(search.words, false),
        prefixes: tsquery(search.words, true),
        sample: SEARCH_SAMPLE.max(filter.limit),
        page: filter.limit,
        status: filter.status.map(str::to_owned),
        category: filter.category.map(str::to_owned),
        source: filter.source.map(str::to_owned),
        unit_id: filter.unit_id,
        invitation_id: filter.invitation_id,
        unit_kind: filter.unit_kind.map(str::to_owned),
        within_unit: filter.within_unit,
    }
    .load(conn)
    .await
}
