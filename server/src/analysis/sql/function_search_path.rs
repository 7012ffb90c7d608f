//! `sql/function-search-path`: a function whose `search_path` is not fixed.

use std::collections::BTreeSet;

use tree_sitter::Node;

use crate::analysis::rule::{Rule, Severity};
use crate::analysis::sql::model::{Function, Schema};
use crate::analysis::sql::objects::{display, schema_of, statement_at, SYSTEM_SCHEMAS};
use crate::analysis::sql::statements::Statement;
use crate::analysis::sql::{fold_identifier, is_supabase_project};
use crate::analysis::util::{child_of_kind, has_child, walk, Step};
use crate::analysis::{FileContext, Finding};
use crate::fix::{Applicability, Edit, Fix};
use crate::language::Language;

/// The rule declaration.
pub static RULE: Rule = Rule {
    id: "sql/function-search-path",
    default_severity: Severity::Warning,
    summary: "A function does not fix its `search_path`, so the names in its body resolve through the caller's.",
    docs: r#"
## What it does
Finds functions and procedures created without a fixed `search_path`
(`set search_path = …` on the function, at creation or by a later `alter
function`), in any schema except those Supabase manages (`auth`,
`storage`, `extensions`, `realtime`, …), like Supabase's database linter
(`function_search_path_mutable`). Functions in `c` or `internal` have no
SQL body and are skipped. Only SQL files of a Supabase project are checked.

The severity depends on whose rights the function runs with:

- `security definer`: a warning (the rule's default). The function runs
  with its owner's rights but finds unqualified names through the
  caller's `search_path`.
- `security invoker` (the default): an info. It runs with the caller's own
  rights, so a hijacked name gains the caller nothing they could not do
  themselves; Supabase's linter lists it anyway (as a warning), and
  pinning the path keeps name resolution the same for every caller.

## Why is this bad?
PostgreSQL resolves an unqualified table, function, operator or type name
in a function body through the `search_path` in force when the function
runs — the caller's, unless the function sets its own. For a `security
definer` function, a caller who can put an object earlier in that path (a
schema they can create objects in, or `pg_temp`, which is searched first
for tables) makes the function use their `admins` table or their `now()`
with the owner's rights: a privilege escalation (CWE-426, CWE-427).

## How to fix
Add `set search_path = ''` to the function and write every name in its
body with its schema (`public.admins`, `auth.uid()`), as Supabase
recommends; built-in functions and types (`pg_catalog`) are always found.
The quick fix adds `set search_path = ''` when Moat finds no unqualified
name of a table, view or function the migrations create in `public` in
the body. When it finds some, an empty path would break the function (a
`language sql` function fails to be created; a PL/pgSQL one fails when
called), so the quick fix instead pins the path Supabase's API roles use,
`set search_path = public, extensions, pg_temp` (`pg_temp` last, so
temporary tables cannot shadow yours). Both are marked unsafe: Moat does
not check types or extension functions named without their schema, which
an empty path no longer finds either, and a function that relied on each
caller's own path resolves differently.

## Example
```sql
create or replace function public.is_admin() returns boolean
language sql security definer
as $$ select exists(select 1 from admins where id = auth.uid()) $$;
-- Fixed:
create or replace function public.is_admin() returns boolean
language sql security definer set search_path = ''
as $$ select exists(select 1 from public.admins where id = auth.uid()) $$;
```

## References
- CWE-426: Untrusted Search Path
- CWE-427: Uncontrolled Search Path Element
- Supabase database linter: function_search_path_mutable (https://supabase.com/docs/guides/database/database-linter?lint=0011_function_search_path_mutable)
- PostgreSQL: Writing SECURITY DEFINER functions safely (https://www.postgresql.org/docs/current/sql-createfunction.html#SQL-CREATEFUNCTION-SECURITY)
"#,
    languages: &[Language::Sql],
    check: Some(check),
};

fn check(ctx: &FileContext<'_>) -> Vec<Finding> {
    let (ws, this_file) = ctx.sql_workspace();
    if !is_supabase_project(ws) {
        return Vec::new();
    }
    let schema = &ws.schema;
    let mut findings = Vec::new();
    let mut known: Option<Known<'_>> = None;
    for f in &schema.functions {
        if f.created.file != this_file || f.search_path.is_some() {
            continue;
        }
        if SYSTEM_SCHEMAS.contains(&schema_of(&f.name)) || schema_of(&f.name) == "pg_temp" {
            continue;
        }
        if matches!(f.language.as_str(), "c" | "internal") {
            continue;
        }
        let text = &ws.files[f.created.file].text;
        let stmt = statement_at(ws, &f.created);
        let body = stmt.as_ref().and_then(|s| body_range(f, s));
        let unqualified = body
            .and_then(|b| text.get(b))
            .map(|b| unqualified_names(b, known.get_or_insert_with(|| Known::of(schema))))
            .unwrap_or_default();
        let name = format!("{}{}", display(&f.name), compact_args(&f.args));
        let names = if unqualified.is_empty() {
            String::new()
        } else {
            let list: Vec<&str> = unqualified.iter().map(String::as_str).collect();
            format!(" ({})", list.join(", "))
        };
        let mut finding = if f.security_definer {
            Finding::new(
                &RULE,
                f.created.range.clone(),
                format!(
                    "Function {name} is SECURITY DEFINER and does not fix its search_path: it runs with its owner's rights but resolves the unqualified names in its body{names} through the caller's search_path, so a caller who can place an object earlier in that path gets it run with the owner's rights. Add `set search_path = ''` and qualify the names in the body."
                ),
            )
        } else {
            let mut finding = Finding::new(
                &RULE,
                f.created.range.clone(),
                format!(
                    "Function {name} does not fix its search_path, so the names in its body{names} resolve through each caller's search_path (Supabase's linter: function_search_path_mutable). It runs with the caller's rights, so the risk is low; add `set search_path = ''` and qualify the names in the body."
                ),
            );
            finding.severity = Severity::Info;
            finding
        };
        if let Some(at) = stmt.as_ref().and_then(|s| insertion_point(text, s)) {
            let fix = if unqualified.is_empty() {
                Fix::new(
                    "Fix the search_path: `set search_path = ''`",
                    Applicability::Unsafe,
                    Edit::insert(at.offset, at.wrap("set search_path = ''")),
                )
            } else {
                Fix::new(
                    "Fix the search_path to `public, extensions, pg_temp` (the body names objects without their schema)",
                    Applicability::Unsafe,
                    Edit::insert(
                        at.offset,
                        at.wrap("set search_path = public, extensions, pg_temp"),
                    ),
                )
            };
            finding = finding.with_fix(fix);
        }
        findings.push(finding);
    }
    findings
}

/// `()` or the argument list as written, on one line.
pub fn compact_args(args: &str) -> String {
    let joined = args.split_whitespace().collect::<Vec<_>>().join(" ");
    let joined = joined.replace("( ", "(").replace(" )", ")");
    if joined.is_empty() {
        "()".to_string()
    } else {
        joined
    }
}

/// The function body's bytes in the file: inside the dollar quotes, or
/// the SQL-standard body (`begin atomic … end`, `return …`).
fn body_range(f: &Function, stmt: &Statement) -> Option<std::ops::Range<usize>> {
    if let Some(b) = &f.body {
        return Some(b.clone());
    }
    let node = stmt.node()?;
    child_of_kind(node, "opt_routine_body").map(|b| stmt.file_range(b))
}

/// Where to insert a `set` option in a `create function` statement.
struct Insertion {
    offset: usize,
    /// Insert as ` set …` after an option (true) or `set … ` before the
    /// body (false).
    after: bool,
}

impl Insertion {
    fn wrap(&self, option: &str) -> String {
        if self.after {
            format!(" {option}")
        } else {
            format!("{option} ")
        }
    }
}

/// After the last option that is not the body (`language sql security
/// definer|` then `as $$…$$`), or before the body when it is the only one.
/// `None` when the statement already sets `search_path` (a later `alter
/// function … reset search_path` unset it: another `set` here would not
/// help).
fn insertion_point(text: &str, stmt: &Statement) -> Option<Insertion> {
    let node = stmt.node().filter(|n| n.kind() == "CreateFunctionStmt")?;
    let mut options: Vec<Node<'_>> = Vec::new();
    if let Some(list) = child_of_kind(node, "opt_createfunc_opt_list") {
        walk(list, |cursor, _| {
            let n = cursor.node();
            match n.kind() {
                "createfunc_opt_item" => {
                    options.push(n);
                    Step::Over
                }
                "opt_createfunc_opt_list" | "createfunc_opt_list" => Step::Into,
                _ => Step::Over,
            }
        });
    }
    let is_body = |n: &Node<'_>| has_child(*n, "kw_as");
    let sets_path = options.iter().filter(|n| !is_body(n)).any(|n| {
        text.get(stmt.file_range(*n))
            .is_some_and(|t| t.to_ascii_lowercase().contains("search_path"))
    });
    if sets_path {
        return None;
    }
    if let Some(last) = options.iter().rev().find(|n| !is_body(n)) {
        return Some(Insertion {
            offset: stmt.file_range(*last).end,
            after: true,
        });
    }
    let body = options
        .first()
        .copied()
        .or_else(|| child_of_kind(node, "opt_routine_body"))?;
    Some(Insertion {
        offset: stmt.file_range(body).start,
        after: false,
    })
}

/// The names of the relations and functions the migrations create in
/// `public`, which a function body may name without the schema.
pub struct Known<'s> {
    relations: BTreeSet<&'s str>,
    functions: BTreeSet<&'s str>,
}

impl<'s> Known<'s> {
    pub fn of(schema: &'s Schema) -> Known<'s> {
        let relations = schema
            .tables
            .iter()
            .map(|t| &t.name)
            .chain(schema.views.iter().map(|v| &v.name))
            .filter(|n| n.is_public())
            .map(|n| n.name.as_str())
            .collect();
        let functions = schema
            .functions
            .iter()
            .filter(|f| f.name.is_public())
            .map(|f| f.name.name.as_str())
            .collect();
        Known {
            relations,
            functions,
        }
    }
}

/// The unqualified names in a function body that an empty search_path
/// would no longer find: tables, views and functions the migrations create
/// in `public`, named without a schema (a table after `from`, `join`,
/// `update`, `into`, `table`; a function before `(`). A lexical scan that
/// skips strings and comments; names of other things (columns, variables)
/// are ignored because they are not relations or functions of the model.
pub fn unqualified_names(body: &str, known: &Known<'_>) -> BTreeSet<String> {
    let (relations, functions) = (&known.relations, &known.functions);
    let mut found = BTreeSet::new();
    let bytes = body.as_bytes();
    let mut i = 0;
    // The previous word (lower case) and whether a `.` came right before
    // the current token.
    let mut prev_word = String::new();
    let mut after_dot = false;
    while i < bytes.len() {
        let b = bytes[i];
        match b {
            b'-' if bytes.get(i + 1) == Some(&b'-') => {
                i = body[i..].find('\n').map_or(bytes.len(), |p| i + p);
                continue;
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i = body[i + 2..]
                    .find("*/")
                    .map_or(bytes.len(), |p| i + 2 + p + 2);
                continue;
            }
            b'\'' => {
                let mut j = i + 1;
                while j < bytes.len() {
                    if bytes[j] == b'\'' {
                        if bytes.get(j + 1) == Some(&b'\'') {
                            j += 2;
                            continue;
                        }
                        break;
                    }
                    j += 1;
                }
                i = j + 1;
                prev_word.clear();
                after_dot = false;
                continue;
            }
            _ => {}
        }
        let (word, end) = if b == b'"' {
            let end = body[i + 1..]
                .find('"')
                .map_or(bytes.len(), |p| i + 1 + p + 1);
            (fold_identifier(&body[i..end]), end)
        } else if b.is_ascii_alphabetic() || b == b'_' {
            let end = body[i..]
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '$'))
                .map_or(bytes.len(), |p| i + p);
            (body[i..end].to_ascii_lowercase(), end)
        } else {
            if b == b'.' {
                after_dot = true;
            } else if !b.is_ascii_whitespace() {
                after_dot = false;
                prev_word.clear();
            }
            i += 1;
            continue;
        };
        let rest = body[end..].trim_start();
        let qualified = after_dot || rest.starts_with('.');
        if !qualified {
            let relation_position = matches!(
                prev_word.as_str(),
                "from" | "join" | "update" | "into" | "table" | "only"
            );
            let relation = relation_position && relations.contains(word.as_str());
            let call = rest.starts_with('(') && functions.contains(word.as_str());
            if relation || call {
                found.insert(word.clone());
            }
        }
        after_dot = false;
        prev_word = word;
        i = end;
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::sql::model::Settings;
    use crate::analysis::workspace::{SqlSource, SqlWorkspace};

    fn schema_of(sql: &str) -> Schema {
        let src = SqlSource::new(
            "supabase/migrations/1.sql".into(),
            "/1.sql".into(),
            sql.into(),
        );
        SqlWorkspace::build(vec![src], &Settings::default()).schema
    }

    #[test]
    fn unqualified_names_of_the_model_are_found() {
        let schema = schema_of(
            "create table admins (id uuid);\ncreate table public.logs (id int);\ncreate view public.v as select 1;\ncreate function public.is_admin() returns boolean language sql as 'select true';",
        );
        let found = unqualified_names(
            "select exists(select 1 from admins a join public.logs l on true where a.id = auth.uid()) and is_admin() and public.is_admin();\n-- from v\ninsert into logs values (1); select 'from v'; select * from \"V\"; select * from v",
            &Known::of(&schema),
        );
        let found: Vec<&str> = found.iter().map(String::as_str).collect();
        assert_eq!(found, ["admins", "is_admin", "logs", "v"]);
        assert!(unqualified_names(
            "select extract(epoch from now()) from public.admins",
            &Known::of(&schema)
        )
        .is_empty());
    }

    #[test]
    fn args_are_compacted_for_messages() {
        assert_eq!(
            compact_args("( p_id uuid,\n  p_x text )"),
            "(p_id uuid, p_x text)"
        );
        assert_eq!(compact_args(""), "()");
    }
}
