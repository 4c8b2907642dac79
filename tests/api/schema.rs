//! `src/db/schema.rs` is maintained in `diesel print-schema`'s format. This test prints the
//! migrated database's tables the same way and compares, so the file cannot drift from the
//! migrations (CI has no diesel_cli, which would need libpq).

use crate::helpers::TestDatabase;

/// diesel's name for a PostgreSQL type, as print-schema writes it.
fn diesel_type(udt: &str) -> String {
    if let Some(element) = udt.strip_prefix('_') {
        return format!("Array<Nullable<{}>>", diesel_type(element));
    }
    match udt {
        "uuid" => "Uuid",
        "text" => "Text",
        "varchar" => "Varchar",
        "bool" => "Bool",
        "int2" => "Int2",
        "int4" => "Int4",
        "int8" => "Int8",
        "float8" => "Float8",
        "timestamptz" => "Timestamptz",
        "timestamp" => "Timestamp",
        "date" => "Date",
        "bytea" => "Bytea",
        "jsonb" => "Jsonb",
        "json" => "Json",
        // Not one of diesel's own: print-schema declares it in `sql_types` and imports it.
        "tsvector" => "Tsvector",
        other => panic!("add the diesel name of `{other}` to this test"),
    }
    .to_owned()
}

#[actix_web::test]
async fn schema_rs_matches_the_migrated_database() {
    let db = TestDatabase::create().await;
    let client = db.client().await;
    let tables: Vec<String> = client
        .query(
            "SELECT table_name::text FROM information_schema.tables \
             WHERE table_schema = 'public' AND table_type = 'BASE TABLE' \
               AND table_name <> '__diesel_schema_migrations' ORDER BY table_name",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|row| row.get(0))
        .collect();
    let schema_rs =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/src/db/schema.rs")).unwrap();

    let mut missing = Vec::new();
    for table in &tables {
        let key: Vec<String> = client
            .query(
                "SELECT a.attname::text FROM pg_index i \
                 JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) \
                 WHERE i.indrelid = $1::text::regclass AND i.indisprimary \
                 ORDER BY array_position(i.indkey, a.attnum)",
                &[table],
            )
            .await
            .unwrap()
            .iter()
            .map(|row| row.get(0))
            .collect();
        let columns = client
            .query(
                "SELECT column_name::text, udt_name::text, is_nullable = 'YES' \
                 FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1 \
                 ORDER BY ordinal_position",
                &[table],
            )
            .await
            .unwrap();
        let mut custom = std::collections::BTreeSet::new();
        let mut body = String::new();
        for column in columns {
            let (name, udt, nullable): (String, String, bool) =
                (column.get(0), column.get(1), column.get(2));
            let ty = diesel_type(&udt);
            if ty == "Tsvector" {
                custom.insert(ty.clone());
            }
            let ty = if nullable {
                format!("Nullable<{ty}>")
            } else {
                ty
            };
            body.push_str(&format!("        {name} -> {ty},\n"));
        }
        let mut block = "diesel::table! {\n".to_owned();
        if !custom.is_empty() {
            block.push_str("    use diesel::sql_types::*;\n");
            for ty in &custom {
                block.push_str(&format!("    use super::sql_types::{ty};\n"));
            }
            block.push('\n');
        }
        block.push_str(&format!(
            "    {table} ({}) {{\n{body}    }}\n}}\n",
            key.join(", ")
        ));
        if !schema_rs.contains(&block) {
            missing.push(block);
        }
    }
    let declared = schema_rs.matches("diesel::table! {").count();

    assert!(
        missing.is_empty(),
        "src/db/schema.rs is out of step with the migrations; expected:\n{}",
        missing.join("\n")
    );
    assert_eq!(
        declared,
        tables.len(),
        "tables in schema.rs: {declared}, in the database: {tables:?}"
    );
}
