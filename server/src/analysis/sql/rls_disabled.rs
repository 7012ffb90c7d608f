//! `sql/rls-disabled`: a table in an exposed schema without row level
//! security.

use tree_sitter::Node;

use crate::analysis::rule::{Rule, Severity};
use crate::analysis::sql::{is_supabase_facing, qualified_name, statement_end, QualifiedName};
use crate::analysis::util::{
    capture, child_of_kind, for_each_match_within, has_child, line_end, newline_of,
};
use crate::analysis::{FileContext, Finding};
use crate::fix::{Applicability, Edit, Fix};
use crate::language::{query, Language};

/// The rule declaration.
pub static RULE: Rule = Rule {
    id: "sql/rls-disabled",
    default_severity: Severity::Error,
    summary: "A table in schema public is created without row level security being enabled.",
    docs: r#"
## What it does
Finds `create table` statements for tables in schema `public` (named
explicitly or left unqualified) with no later
`alter table ... enable row level security` for the same table in the same
file. Temporary tables and tables in other schemas are not reported.

Only files of a Supabase project are checked: a file under a `supabase/`
folder, or one that uses Supabase's schemas and roles (`auth.users`,
`auth.uid()`, `anon`, `authenticated`, `service_role`, `storage.objects`) or
row level security anywhere (`create policy`, `enable row level security`).
A plain Postgres migration (Prisma, Rails, Django) has no anonymous API in
front of its tables, so a table without RLS there is not a hole.

The finding is reported on `create table <name>`. Enabling row level security
later in the same file (before or after other statements) clears it. Today the
check looks at one file at a time; a table secured in a later migration is
still reported until the cross-file schema model lands.

## Why is this bad?
Supabase exposes every table in `public` through its REST and GraphQL APIs,
and the `anon` key that ships in every web client can call them. Without row
level security, anyone holding that key can read, change and delete every row:
the app works, the tests pass, and the data is open (CWE-862, CWE-284).

## How to fix
Enable row level security right after creating the table, then add policies
that say who may do what. With RLS on and no policy, the API denies every row
to `anon` and `authenticated` (the service role still bypasses RLS), so the
quick fix is marked unsafe: it closes the hole but your app will need policies
before it can read the table again.

## Example
```sql
create table public.notes (
  id bigint generated always as identity primary key,
  owner uuid not null references auth.users,
  body text
);
-- Fixed:
alter table public.notes enable row level security;
create policy "owners read their notes" on public.notes
  for select to authenticated using ((select auth.uid()) = owner);
```

## References
- CWE-862: Missing Authorization
- CWE-284: Improper Access Control
- Supabase: Row Level Security (https://supabase.com/docs/guides/database/postgres/row-level-security)
- PostgreSQL: Row Security Policies (https://www.postgresql.org/docs/current/ddl-rowsecurity.html)
"#,
    languages: &[Language::Sql],
    check: Some(check),
};

/// A table creation found in the file.
struct Created<'t> {
    name: QualifiedName,
    /// The `qualified_name` node as written.
    name_node: Node<'t>,
    statement: Node<'t>,
}

fn check(ctx: &FileContext<'_>) -> Vec<Finding> {
    if !is_supabase_facing(ctx) {
        return Vec::new();
    }
    let Some(q) = query(Language::Sql, "statements") else {
        return Vec::new();
    };
    let mut created: Vec<Created<'_>> = Vec::new();
    // (table, byte offset of the statement) for each `enable row level security`.
    let mut enabled: Vec<(QualifiedName, usize)> = Vec::new();
    // Statements sit at depth 3 (source_file > toplevel_stmt > stmt > X);
    // bounding the start depth keeps the query linear on deep trees.
    for_each_match_within(ctx, q, Some(3), |caps| {
        if let Some(stmt) = capture(caps, "create_table") {
            if is_temporary(stmt) {
                return;
            }
            if let Some(name_node) = child_of_kind(stmt, "qualified_name") {
                if let Some(name) = qualified_name(ctx, name_node) {
                    created.push(Created {
                        name,
                        name_node,
                        statement: stmt,
                    });
                }
            }
        } else if let Some(stmt) = capture(caps, "create_table_as") {
            // CREATE MATERIALIZED VIEW is also a CreateAsStmt; RLS does not apply to it.
            if !has_child(stmt, "kw_table") || is_temporary(stmt) {
                return;
            }
            let target = child_of_kind(stmt, "create_as_target");
            if let Some(name_node) = target.and_then(|t| child_of_kind(t, "qualified_name")) {
                if let Some(name) = qualified_name(ctx, name_node) {
                    created.push(Created {
                        name,
                        name_node,
                        statement: stmt,
                    });
                }
            }
        } else if let Some(stmt) = capture(caps, "alter_table") {
            let enables =
                child_of_kind(stmt, "alter_table_cmds").is_some_and(|cmds| enables_rls(cmds));
            if !enables {
                return;
            }
            let rel = child_of_kind(stmt, "relation_expr");
            let name_node = rel.and_then(|r| {
                child_of_kind(r, "qualified_name").or_else(|| {
                    child_of_kind(r, "extended_relation_expr")
                        .and_then(|e| child_of_kind(e, "qualified_name"))
                })
            });
            if let Some(name) = name_node.and_then(|n| qualified_name(ctx, n)) {
                enabled.push((name, stmt.start_byte()));
            }
        }
    });

    created
        .into_iter()
        .filter(|c| c.name.is_public())
        .filter(|c| {
            !enabled
                .iter()
                .any(|(name, at)| name.same_relation(&c.name) && *at > c.statement.start_byte())
        })
        .map(|c| {
            let written = ctx.node_text(c.name_node);
            let range = c.statement.start_byte()..c.name_node.end_byte();
            let message = format!(
                "Table {written} is created in schema public without row level security: anyone with the project's anon key can read and change every row through the API. Enable row level security and add policies."
            );
            Finding::new(&RULE, range, message).with_fix(enable_fix(ctx, c.statement, written))
        })
        .collect()
}

/// Whether a CREATE statement makes a temporary table (`temp`,
/// `temporary`, `local temp`, `global temporary`); `unlogged` tables are
/// ordinary tables as far as the API is concerned.
fn is_temporary(stmt: Node<'_>) -> bool {
    child_of_kind(stmt, "OptTemp")
        .is_some_and(|t| has_child(t, "kw_temp") || has_child(t, "kw_temporary"))
}

/// Whether an `alter_table_cmds` list contains `ENABLE ROW LEVEL SECURITY`.
fn enables_rls(cmds: Node<'_>) -> bool {
    let mut cursor = cmds.walk();
    let mut stack = vec![cmds];
    while let Some(n) = stack.pop() {
        if n.kind() == "alter_table_cmd" {
            if has_child(n, "kw_enable")
                && has_child(n, "kw_row")
                && has_child(n, "kw_level")
                && has_child(n, "kw_security")
            {
                return true;
            }
            continue;
        }
        stack.extend(n.named_children(&mut cursor));
    }
    false
}

/// Inserts `alter table <name> enable row level security;` after the
/// statement (after a trailing comment on the same line, if any).
fn enable_fix(ctx: &FileContext<'_>, statement: Node<'_>, written: &str) -> Fix {
    let after = statement_end(statement);
    let nl = newline_of(ctx.text);
    let alter = format!("alter table {written} enable row level security;");
    let edit = if ctx.text[..after].ends_with(';') {
        let eol = line_end(ctx.text, after);
        let rest = ctx.text[after..eol].trim();
        let at = if rest.is_empty() || rest.starts_with("--") {
            eol
        } else {
            after
        };
        Edit::insert(at, format!("{nl}{nl}{alter}"))
    } else {
        Edit::insert(after, format!(";{nl}{nl}{alter}"))
    };
    Fix::new(
        format!("Enable row level security on {written}"),
        Applicability::Unsafe,
        edit,
    )
}
