//! `sql/grant-to-anon`: a GRANT of write privileges on a table to `anon` or
//! PUBLIC.

use std::ops::Range;

use tree_sitter::Node;

use crate::analysis::rule::{Rule, Severity};
use crate::analysis::sql::objects::display;
use crate::analysis::sql::statements::{self, Statement};
use crate::analysis::sql::{fold_identifier, is_supabase_project, statement_name, QualifiedName};
use crate::analysis::util::{child_of_kind, has_child, line_end, walk, Step};
use crate::analysis::workspace::SqlWorkspace;
use crate::analysis::{FileContext, Finding};
use crate::fix::{Applicability, Edit, Fix};
use crate::language::{self, Language};

/// The rule declaration.
pub static RULE: Rule = Rule {
    id: "sql/grant-to-anon",
    default_severity: Severity::Warning,
    summary: "A GRANT gives `anon` (or PUBLIC) INSERT, UPDATE, DELETE, TRUNCATE or ALL on a table.",
    docs: r#"
## What it does
Finds `grant` statements that give `anon` or PUBLIC (every role, `anon`
included) a write privilege — `insert`, `update`, `delete`, `truncate`, or
`all [privileges]` — on tables or views (`on t`, `on table t, u`, `on all
tables in schema s`), also with a column list (`grant update (name) on
…`), and also inside `DO` blocks. Reported on the statement.

The severity depends on what is left to stop a write:

- a warning (the rule's default) when a target has no row level security
  at the end of the migrations, is a view (a view without
  `security_invoker` writes to its tables with its owner's rights), is not
  created by the migrations, or is every table of a schema;
- an info when every target is a table with row level security enabled:
  that is Supabase's old default grant spelled out (the `GRANT ALL ON
  TABLE … TO "anon"` lines of `supabase db dump`), and the table's
  policies decide which writes get through.

`alter default privileges … grant … on tables to anon` is not reported:
it is Supabase's own default setup. Grants to `authenticated` and
`service_role` are not reported. Only SQL files of a Supabase project are
checked.

## Why is this bad?
`anon` is the role of every request made with the public anon key, that
is, of anyone on the internet. A write privilege for it means the only
thing between an anonymous visitor and changing or deleting the table's
rows is row level security: where RLS is off, or the target is a view
that runs with its owner's rights, nothing stops it (CWE-732, CWE-284).
Supabase projects created since 2026 give new tables no API grants at all,
so an explicit grant to `anon` is a decision worth a second look.

## How to fix
Grant `anon` only what anonymous visitors need — usually `select`, or
nothing — and give writes to `authenticated`, with policies that check
`auth.uid()`. The quick fix keeps only `select` when the statement grants
it too (`grant select, insert on t to anon` → `grant select on t to
anon`), or removes the statement when it grants only writes; it is offered
when the statement grants to `anon` and PUBLIC only, and marked unsafe:
anonymous writes the app relies on stop working.

## Example
```sql
grant select, insert, update on public.feedback to anon;
-- Fixed:
grant select on public.feedback to anon;
grant insert, update on public.feedback to authenticated;
```

## References
- CWE-732: Incorrect Permission Assignment for Critical Resource
- CWE-284: Improper Access Control
- Supabase: Securing your API, roles and grants (https://supabase.com/docs/guides/api/securing-your-api)
- Supabase: Postgres roles (https://supabase.com/docs/guides/database/postgres/roles)
- PostgreSQL: GRANT (https://www.postgresql.org/docs/current/sql-grant.html)
"#,
    languages: &[Language::Sql],
    check: Some(check),
};

/// Write privileges, as written in a GRANT (lower case).
const WRITES: [&str; 4] = ["insert", "update", "delete", "truncate"];

fn check(ctx: &FileContext<'_>) -> Vec<Finding> {
    let (ws, this_file) = ctx.sql_workspace();
    if !is_supabase_project(ws) {
        return Vec::new();
    }
    let file = &ws.files[this_file];
    let text: &str = &file.text;
    let mut findings = Vec::new();
    for stmt in file.statements.iter() {
        match stmt.kind() {
            "GrantStmt" => findings.extend(check_grant(ws, text, stmt)),
            "DoStmt" => {
                for inner in grants_in_do(text, stmt) {
                    findings.extend(check_grant(ws, text, &inner));
                }
            }
            _ => {}
        }
    }
    findings
}

/// The GRANT statements of a `DO` body, parsed alone.
fn grants_in_do(text: &str, stmt: &Statement) -> Vec<Statement> {
    let mut out = Vec::new();
    let Some(node) = stmt.node() else {
        return out;
    };
    let mut bodies = Vec::new();
    walk(node, |cursor, _| {
        let n = cursor.node();
        if n.kind() == "Sconst" {
            bodies.push(stmt.file_range(n));
            return Step::Over;
        }
        Step::Into
    });
    for body in bodies {
        let Some(body_text) = text.get(body.clone()) else {
            continue;
        };
        // The content inside the quotes.
        let (start, end) = match body_text.strip_prefix('$') {
            Some(rest) => match rest.find('$') {
                Some(p) if body_text.len() >= 2 * (p + 2) => (p + 2, body_text.len() - (p + 2)),
                _ => continue,
            },
            None => continue,
        };
        let inner = &body_text[start..end];
        for piece in statements::split(inner) {
            let piece_text = &inner[piece.clone()];
            let Some(offset) = word_start(piece_text, "grant") else {
                continue;
            };
            let range = body.start + start + piece.start + offset..body.start + start + piece.end;
            let Some(sql) = text.get(range.clone()) else {
                continue;
            };
            let Some(tree) = language::parse(Language::Sql, sql, None) else {
                continue;
            };
            let inner_stmt = Statement { range, tree };
            if inner_stmt.kind() == "GrantStmt" && !inner_stmt.has_error() {
                out.push(inner_stmt);
            }
        }
    }
    out
}

/// The offset of the first whole word `word` (case-insensitive) in `text`
/// that starts a statement within it (at the start, or after `then`,
/// `else`, `loop`, `begin` or `;`-free whitespace following them).
fn word_start(text: &str, word: &str) -> Option<usize> {
    let lower = text.to_ascii_lowercase();
    let is_ident = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    let bytes = lower.as_bytes();
    let mut from = 0;
    while let Some(p) = lower[from..].find(word) {
        let i = from + p;
        let before_ok = i == 0 || !is_ident(bytes[i - 1]);
        let after_ok = bytes.get(i + word.len()).is_none_or(|c| !is_ident(*c));
        if before_ok && after_ok {
            let prev = lower[..i].trim_end();
            let prev_word = prev
                .rsplit(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .next()
                .unwrap_or("");
            if prev.is_empty() || matches!(prev_word, "then" | "else" | "loop" | "begin") {
                return Some(i);
            }
        }
        from = i + word.len();
    }
    None
}

/// What a GRANT's target is.
enum Target {
    /// Named tables or views.
    Relations(Vec<QualifiedName>),
    /// `all tables in schema …`.
    AllTables(Vec<String>),
}

fn check_grant(ws: &SqlWorkspace, text: &str, stmt: &Statement) -> Option<Finding> {
    let node = stmt.node().filter(|n| n.kind() == "GrantStmt")?;
    let privileges = child_of_kind(node, "privileges")?;
    let (writes, has_select, has_columns) = read_privileges(text, stmt, privileges);
    if writes.is_empty() {
        return None;
    }
    let target_node = child_of_kind(node, "privilege_target")?;
    let target = target(text, stmt, target_node)?;
    let grantees = grantees(text, stmt, child_of_kind(node, "grantee_list")?);
    let to: Vec<&str> = grantees
        .iter()
        .map(String::as_str)
        .filter(|g| matches!(*g, "anon" | "public"))
        .collect();
    if to.is_empty() {
        return None;
    }
    let schema = &ws.schema;
    // Why nothing else stops the write, target by target.
    let mut open = Vec::new();
    let mut targets_text = Vec::new();
    match &target {
        Target::AllTables(schemas) => {
            targets_text.push(format!(
                "every table and view in schema {}",
                schemas.join(", ")
            ));
            open.push(
                "whatever table lacks row level security there is writable by anyone".to_string(),
            );
        }
        Target::Relations(names) => {
            for name in names {
                targets_text.push(display(name));
                if let Some(t) = schema.table(name) {
                    if !t.rls.enabled && !t.temporary {
                        open.push(format!("{} has no row level security", display(name)));
                    }
                } else if let Some(v) = schema.views.iter().find(|v| v.name.same_relation(name)) {
                    if !v.security_invoker {
                        open.push(format!(
                            "{} is a view that writes with its owner's rights",
                            display(name)
                        ));
                    }
                } else {
                    open.push(format!(
                        "{} is not created by the migrations",
                        display(name)
                    ));
                }
            }
        }
    }
    let who = if to.contains(&"public") {
        "PUBLIC (every role, anon included)".to_string()
    } else {
        "anon".to_string()
    };
    let what = writes.join(", ");
    let on = targets_text.join(", ");
    let mut finding = Finding::new(
        &RULE,
        stmt.range.clone(),
        if open.is_empty() {
            format!(
                "This grants {who} {what} on {on}: anyone with the anon key may write there through the API, as far as the table's row level security policies allow. Grant writes to authenticated instead, unless anonymous writes are meant."
            )
        } else {
            format!(
                "This grants {who} {what} on {on}, and {}: anyone with the anon key can write there through the API. Grant anon only select (or nothing) and writes to authenticated.",
                open.join("; ")
            )
        },
    );
    if open.is_empty() {
        finding.severity = Severity::Info;
    }
    // The fix: only when the grant names anon / PUBLIC alone.
    if grantees
        .iter()
        .all(|g| matches!(g.as_str(), "anon" | "public"))
        && !has_columns
    {
        let fix = if has_select {
            Fix::new(
                "Grant only select",
                Applicability::Unsafe,
                Edit::replace(stmt.file_range(privileges), "select"),
            )
        } else {
            Fix::new(
                "Remove the grant",
                Applicability::Unsafe,
                Edit::replace(removal_range(text, stmt.range.clone()), ""),
            )
        };
        finding = finding.with_fix(fix);
    }
    Some(finding)
}

/// The write privileges a `privileges` node names (`all` for ALL), whether
/// it names SELECT, and whether any privilege has a column list.
fn read_privileges(text: &str, stmt: &Statement, node: Node<'_>) -> (Vec<String>, bool, bool) {
    if has_child(node, "kw_all") {
        let columns = child_of_kind(node, "opt_column_list").is_some()
            || child_of_kind(node, "columnList").is_some();
        return (vec!["all privileges".to_string()], false, columns);
    }
    let mut writes = Vec::new();
    let mut select = false;
    let mut columns = false;
    walk(node, |cursor, _| {
        let n = cursor.node();
        if n.kind() != "privilege" {
            return Step::Into;
        }
        if child_of_kind(n, "opt_column_list").is_some() {
            columns = true;
        }
        let written = text
            .get(stmt.file_range(n))
            .unwrap_or("")
            .to_ascii_lowercase();
        let word = written
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .next()
            .unwrap_or("")
            .to_string();
        if word == "select" {
            select = true;
        } else if WRITES.contains(&word.as_str()) && !writes.contains(&word) {
            writes.push(word);
        }
        Step::Over
    });
    (writes, select, columns)
}

fn target(text: &str, stmt: &Statement, node: Node<'_>) -> Option<Target> {
    let first = node.named_child(0)?;
    match first.kind() {
        "kw_all" if has_child(node, "kw_tables") => {
            let list = child_of_kind(node, "name_list")?;
            let mut schemas = Vec::new();
            walk(list, |cursor, _| {
                let n = cursor.node();
                if n.kind() == "name" {
                    schemas.push(fold_identifier(text.get(stmt.file_range(n)).unwrap_or("")));
                    return Step::Over;
                }
                Step::Into
            });
            Some(Target::AllTables(schemas))
        }
        "kw_table" | "qualified_name_list" => {
            let list = child_of_kind(node, "qualified_name_list")?;
            let mut names = Vec::new();
            walk(list, |cursor, _| {
                let n = cursor.node();
                if n.kind() == "qualified_name" {
                    names.extend(statement_name(text, stmt, n));
                    return Step::Over;
                }
                Step::Into
            });
            Some(Target::Relations(names))
        }
        _ => None,
    }
}

/// The roles of a `grantee_list`, folded (`group x` counts as `x`).
fn grantees(text: &str, stmt: &Statement, list: Node<'_>) -> Vec<String> {
    let mut out = Vec::new();
    walk(list, |cursor, _| {
        let n = cursor.node();
        if n.kind() == "RoleSpec" {
            out.push(fold_identifier(text.get(stmt.file_range(n)).unwrap_or("")));
            return Step::Over;
        }
        Step::Into
    });
    out
}

/// The bytes to delete to remove a statement: its whole line (with the
/// line break) when nothing else is on it, else the statement alone.
fn removal_range(text: &str, stmt: Range<usize>) -> Range<usize> {
    let line_start = text[..stmt.start].rfind('\n').map_or(0, |i| i + 1);
    let eol = line_end(text, stmt.end);
    let alone =
        text[line_start..stmt.start].trim().is_empty() && text[stmt.end..eol].trim().is_empty();
    if alone {
        let next = text[eol..].find('\n').map_or(text.len(), |p| eol + p + 1);
        line_start..next
    } else {
        stmt
    }
}
