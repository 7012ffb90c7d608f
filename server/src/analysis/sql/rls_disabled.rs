//! `sql/rls-disabled`: a table in an exposed schema that no migration
//! ever enables row level security on.

use crate::analysis::rule::{Rule, Severity};
use crate::analysis::sql::model::{Privilege, RlsChange, Schema, Table};
use crate::analysis::sql::statements::Statement;
use crate::analysis::sql::{is_supabase_project, owner_column};
use crate::analysis::util::{line_end, newline_of};
use crate::analysis::workspace::SqlSource;
use crate::analysis::{FileContext, Finding};
use crate::fix::{Applicability, Edit, Fix};
use crate::language::Language;

/// The rule declaration.
pub static RULE: Rule = Rule {
    id: "sql/rls-disabled",
    default_severity: Severity::Error,
    summary: "A table in an exposed schema that no migration ever enables row level security on.",
    docs: r#"
## What it does
Finds tables in a schema the Data API exposes (`public`, or the `[api]
schemas` of `supabase/config.toml`) that no migration ever enables row level
security on. The check reads every migration of the project in order
(`supabase/migrations/<timestamp>_<name>.sql`): a table created in one
migration and secured in a later one is not reported, and enabling RLS in
one file clears the finding shown in another. Temporary tables and tables in
other schemas are not reported. A table whose RLS was enabled and later
disabled is `sql/rls-explicitly-disabled`'s.

Reported on `create table <name>`, as an error when `anon` or
`authenticated` can reach the table through the API, and as a warning when
no role can (one grant away from open). Who can reach it comes from the
GRANT / REVOKE and ALTER DEFAULT PRIVILEGES statements in the migrations;
where they say nothing, Moat assumes Supabase's old default grants (select,
insert, update and delete for `anon` and `authenticated` on every new table
in `public`, the default until 2026) and the message says so. A project on
the new defaults sets `[sql] default_api_grants = false` in `moat.toml`.

Only Supabase projects are checked: a project with a `supabase/` folder, or
whose SQL uses Supabase's schemas and roles (`auth.users`, `auth.uid()`,
`anon`, `authenticated`, `service_role`, `storage.objects`) or row level
security. A plain Postgres app (Prisma, Rails, Django migrations) has no
anonymous API in front of its tables, so a table without RLS there is not a
hole.

## Why is this bad?
Supabase exposes every table in `public` through its REST and GraphQL APIs,
and the `anon` key that ships in every web client can call them. Without row
level security, anyone holding that key can read, change and delete every row:
the app works, the tests pass, and the data is open (CWE-862, CWE-284).

## How to fix
Enable row level security right after creating the table, then add policies
that say who may do what. The quick fixes insert
`alter table <name> enable row level security;` after the statement and,
when the table has an owner column (one referencing `auth.users`, or named
`user_id`, `owner_id`, …), also owner policies for each command
(`to authenticated using ((select auth.uid()) = <column>)`). With RLS on and
no policy the API denies every row to `anon` and `authenticated` (the
service role still bypasses RLS), so both fixes are marked unsafe: they
close the hole, but check that your app's reads and writes still pass.

## Example
```sql
create table public.notes (
  id bigint generated always as identity primary key,
  owner uuid not null references auth.users,
  body text
);
-- Fixed:
alter table public.notes enable row level security;
create policy "Owners can read their notes" on public.notes
  for select to authenticated using ((select auth.uid()) = owner);
```

## References
- CWE-862: Missing Authorization
- CWE-284: Improper Access Control
- Supabase: Row Level Security (https://supabase.com/docs/guides/database/postgres/row-level-security)
- Supabase database linter: rls_disabled_in_public (https://supabase.com/docs/guides/database/database-linter?lint=0013_rls_disabled_in_public)
- PostgreSQL: Row Security Policies (https://www.postgresql.org/docs/current/ddl-rowsecurity.html)
"#,
    languages: &[Language::Sql],
    check: Some(check),
};

fn check(ctx: &FileContext<'_>) -> Vec<Finding> {
    let (ws, this) = ctx.sql_workspace();
    if !is_supabase_project(ws) {
        return Vec::new();
    }
    let schema = &ws.schema;
    let file = &ws.files[this];
    let mut findings = Vec::new();
    for table in &schema.tables {
        if table.created.file != this
            || table.temporary
            || !schema.is_exposed(&table.name)
            || table.rls.enabled
        {
            continue;
        }
        if table
            .rls_changes
            .iter()
            .any(|(_, c)| *c == RlsChange::Enable)
        {
            continue; // Enabled, then disabled: sql/rls-explicitly-disabled.
        }
        let Some(statement) = file.statements.get(table.created.statement) else {
            continue;
        };
        let written = written_name(file, table);
        let (who, assumed) = who_can_reach(schema, table);
        let mut message = format!(
            "Table {written} is in schema {} (exposed through the Data API) and no migration enables row level security on it: ",
            table.name.schema.as_deref().unwrap_or("public")
        );
        let severity = if who.is_empty() {
            message.push_str("no role can reach it through the API today, but a single grant to anon or authenticated opens every row.");
            Severity::Warning
        } else {
            message.push_str(&format!(
                "{} can read and change every row with the project's public API key.",
                who.join(" and ")
            ));
            if assumed {
                message.push_str(" (This assumes Supabase's default grants to anon and authenticated; set `[sql] default_api_grants = false` in moat.toml if this project is on the new defaults.)");
            }
            Severity::Error
        };
        message.push_str(" Enable row level security and add policies.");
        let mut finding = Finding::new(&RULE, table.created.range.clone(), message);
        finding.severity = severity;
        finding.fixes = enable_fixes(ctx, statement, table, &written);
        findings.push(finding);
    }
    findings
}

/// The roles among anon and authenticated that hold any table privilege,
/// and whether that rests on the assumed default grants.
fn who_can_reach(schema: &Schema, table: &Table) -> (Vec<&'static str>, bool) {
    let mut who = Vec::new();
    let mut assumed = false;
    for role in ["anon", "authenticated"] {
        let reaches: Vec<_> = [
            Privilege::Select,
            Privilege::Insert,
            Privilege::Update,
            Privilege::Delete,
        ]
        .into_iter()
        .map(|p| schema.table_reach(table, role, p))
        .filter(|r| r.granted)
        .collect();
        if !reaches.is_empty() {
            who.push(role);
            assumed |= reaches.iter().all(|r| r.assumed);
        }
    }
    (who, assumed)
}

/// The table's name as written in its `create table` (so quoting and
/// schema match what the user wrote), from the reported range.
fn written_name(file: &SqlSource, table: &Table) -> String {
    let created = &file.text[table.created.range.clone()];
    let lower = created.to_ascii_lowercase();
    let after = lower.rfind(" table ").map_or(0, |i| i + " table ".len());
    let mut name = created[after..].trim();
    for prefix in ["if not exists ", "IF NOT EXISTS "] {
        name = name.strip_prefix(prefix).unwrap_or(name).trim();
    }
    if name.is_empty() {
        table.name.name.clone()
    } else {
        name.to_string()
    }
}

/// "Enable row level security", and with owner policies when the table has
/// an owner column. Both are inserted after the `create table` statement
/// (after a comment on the same line, if any).
fn enable_fixes(
    ctx: &FileContext<'_>,
    statement: &Statement,
    table: &Table,
    written: &str,
) -> Vec<Fix> {
    let after = statement.range.end;
    let nl = newline_of(ctx.text);
    let (at, lead) = if ctx.text[..after].ends_with(';') {
        let eol = line_end(ctx.text, after);
        let rest = ctx.text[after..eol].trim();
        (
            if rest.is_empty() || rest.starts_with("--") {
                eol
            } else {
                after
            },
            String::new(),
        )
    } else {
        (after, ";".to_string())
    };
    let enable = format!("alter table {written} enable row level security;");
    let mut fixes = vec![Fix::new(
        format!("Enable row level security on {written}"),
        Applicability::Unsafe,
        Edit::insert(at, format!("{lead}{nl}{nl}{enable}")),
    )];
    if let Some(owner) = owner_column(table) {
        let col = &owner.name;
        let check = format!("((select auth.uid()) = {col})");
        let label = &table.name.name;
        let policies = [
            format!("create policy \"Owners can read their {label}\" on {written}{nl}  for select to authenticated using {check};"),
            format!("create policy \"Owners can create their {label}\" on {written}{nl}  for insert to authenticated with check {check};"),
            format!("create policy \"Owners can update their {label}\" on {written}{nl}  for update to authenticated using {check} with check {check};"),
            format!("create policy \"Owners can delete their {label}\" on {written}{nl}  for delete to authenticated using {check};"),
        ];
        fixes.push(Fix::new(
            format!("Enable row level security on {written} with owner policies on {col}"),
            Applicability::Unsafe,
            Edit::insert(
                at,
                format!("{lead}{nl}{nl}{enable}{nl}{}", policies.join(nl)),
            ),
        ));
    }
    fixes
}
