//! `sql/security-definer-exposed`: a SECURITY DEFINER function in an
//! exposed schema that `anon` can execute.

use crate::analysis::rule::{Rule, Severity};
use crate::analysis::sql::function_search_path::compact_args;
use crate::analysis::sql::is_supabase_project;
use crate::analysis::sql::model::{Function, Privilege};
use crate::analysis::sql::objects::{
    argtypes, display, in_do_block, indent_at, insert_after, reach, statement_at,
};
use crate::analysis::sql::statements::Statement;
use crate::analysis::util::child_of_kind;
use crate::analysis::workspace::SqlWorkspace;
use crate::analysis::{FileContext, Finding};
use crate::fix::{Applicability, Fix};
use crate::language::Language;

/// The rule declaration.
pub static RULE: Rule = Rule {
    id: "sql/security-definer-exposed",
    default_severity: Severity::Warning,
    summary:
        "A SECURITY DEFINER function in an exposed schema can be called by `anon` through the API.",
    docs: r#"
## What it does
Finds `security definer` functions in a schema the Data API exposes
(`public`, or the `[api] schemas` of `supabase/config.toml`) that the
`anon` role may execute. PostgreSQL gives EXECUTE on every new function to
PUBLIC (every role, `anon` included), and Supabase's default privileges
give it to `anon` and `authenticated` directly as well, so a function is
callable by `anon` unless the migrations revoke EXECUTE from both PUBLIC
and `anon`. Trigger functions (`returns trigger`) are skipped: they cannot
be called through the API. Reported on `create function <name>(<args>)`,
as a warning; the message says whether `anon`'s EXECUTE comes from
PostgreSQL's grant to PUBLIC or explicit grants, or rests on Supabase's
assumed default privileges. When the migrations take EXECUTE from PUBLIC
and grant it to `anon` by name, the exposure is deliberate: that is
reported as an info (without a quick fix), a reminder that the function
must check its caller and its arguments. Only SQL files of a Supabase
project are checked.

This is Supabase's `anon_security_definer_function_executable` lint,
limited to exposed schemas: a function elsewhere cannot be called through
`/rest/v1/rpc`. (Its sibling for `authenticated` is not a Moat rule:
signed-in users calling definer functions is the usual design; the body
should check `auth.uid()`.)

## Why is this bad?
A `security definer` function runs with its owner's rights — in Supabase,
`postgres`, which bypasses row level security. In an exposed schema
PostgREST publishes it as `/rest/v1/rpc/<name>`, so anyone holding the
public anon key can run it, with whatever arguments they like. Helper
functions written for policies (`is_admin()`, `get_org_id(user_id)`)
often answer questions about other users, or change data, with no check of
who is calling (CWE-269, CWE-284).

## How to fix
Move the function to a schema the API does not expose (a `private` schema
is Supabase's recommendation for functions used in policies), or revoke
EXECUTE from PUBLIC and `anon`:

```sql
revoke execute on function public.is_admin() from public, anon;
```

The quick fix inserts that statement after the function; when
`authenticated` could execute the function only through PUBLIC, it also
grants EXECUTE to `authenticated`, so signed-in callers (and policies
evaluated for them) keep working. It is marked unsafe: anonymous callers,
and policies that call the function for `anon`, get a permission error.

## Example
```sql
create or replace function public.is_admin() returns boolean
language sql security definer set search_path = ''
as $$ select exists(select 1 from public.admins where id = auth.uid()) $$;
-- Fixed:
revoke execute on function public.is_admin() from public, anon;
```

## References
- CWE-269: Improper Privilege Management
- CWE-284: Improper Access Control
- Supabase database linter: anon_security_definer_function_executable (https://supabase.com/docs/guides/database/database-linter?lint=0028_anon_security_definer_function_executable)
- Supabase: Database functions, security definer (https://supabase.com/docs/guides/database/functions#security-definer-vs-invoker)
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
    for f in &schema.functions {
        if f.created.file != this_file || !f.security_definer || !schema.is_exposed(&f.name) {
            continue;
        }
        let anon = reach(&f.grants, &f.explicit_grants, "anon", Privilege::Execute);
        if !anon.granted {
            continue;
        }
        let stmt = statement_at(ws, &f.created);
        if stmt
            .as_ref()
            .is_some_and(|s| returns_trigger(&ws.files[f.created.file].text, s))
        {
            continue;
        }
        let name = format!("{}{}", display(&f.name), compact_args(&f.args));
        let through_public = f
            .grants
            .get("public")
            .is_some_and(|p| p.contains(&Privilege::Execute));
        let holds_itself = f
            .grants
            .get("anon")
            .is_some_and(|p| p.contains(&Privilege::Execute));
        let granted_explicitly = holds_itself && f.explicit_grants.contains("anon");
        let why = if through_public {
            "anon can execute it through PUBLIC, which PostgreSQL grants EXECUTE on every new function"
        } else if anon.assumed {
            "anon can execute it through Supabase's default privileges (assumed: the migrations revoke it from PUBLIC but not from anon)"
        } else {
            "anon is granted EXECUTE on it"
        };
        let mut finding = Finding::new(
            &RULE,
            f.created.range.clone(),
            format!(
                "Function {name} is SECURITY DEFINER in an exposed schema and {why}: anyone with the anon key can call it through /rest/v1/rpc/{}, and it runs with its owner's rights, bypassing row level security. Revoke EXECUTE from public and anon, or move it to a schema the API does not expose.",
                f.name.name
            ),
        );
        if granted_explicitly && !through_public {
            // A deliberate `grant execute … to anon`, after taking it from
            // PUBLIC: meant, most likely; the body must check its caller.
            finding.severity = Severity::Info;
            finding.message.push_str(
                " The migrations grant it to anon explicitly, so this is probably meant: make sure the function checks who is calling and what it is given.",
            );
        }
        // After an explicit grant to anon, a revoke after the function
        // would be undone by that grant: no fix then.
        if !granted_explicitly {
            if let Some(fix) = stmt.as_ref().and_then(|s| revoke_fix(ws, f, s)) {
                finding = finding.with_fix(fix);
            }
        }
        findings.push(finding);
    }
    findings
}

/// Whether a `create function` declares `returns trigger` (or
/// `event_trigger`).
fn returns_trigger(text: &str, stmt: &Statement) -> bool {
    let Some(ret) = stmt.node().and_then(|n| child_of_kind(n, "func_return")) else {
        return false;
    };
    let written = text
        .get(stmt.file_range(ret))
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let written = written.strip_prefix("pg_catalog.").unwrap_or(&written);
    matches!(written, "trigger" | "event_trigger")
}

/// `revoke execute on function <name>(<argtypes>) from public, anon;`
/// after the function (and a grant to `authenticated` when it held
/// EXECUTE only through PUBLIC).
fn revoke_fix(ws: &SqlWorkspace, f: &Function, stmt: &Statement) -> Option<Fix> {
    let node = stmt.node().filter(|n| n.kind() == "CreateFunctionStmt")?;
    let text = &ws.files[f.created.file].text;
    let name_node = child_of_kind(node, "func_name")?;
    let name = text.get(stmt.file_range(name_node))?;
    let args = child_of_kind(node, "func_args_with_defaults")
        .map_or("()".to_string(), |a| argtypes(text, stmt, a));
    let routine = if crate::analysis::util::has_child(node, "kw_procedure") {
        "procedure"
    } else {
        "function"
    };
    let target = format!("{routine} {name}{args}");
    let mut sql = format!("revoke execute on {target} from public, anon;");
    let holds = |r: &str| {
        f.grants
            .get(r)
            .is_some_and(|p| p.contains(&Privilege::Execute))
    };
    let nl = crate::analysis::util::newline_of(text);
    let indent = in_do_block(ws, &f.created).then(|| indent_at(text, f.created.range.start));
    if holds("public") && !holds("authenticated") {
        sql.push_str(&format!(
            "{nl}{}grant execute on {target} to authenticated;",
            indent.unwrap_or("")
        ));
    }
    Some(Fix::new(
        format!(
            "Revoke EXECUTE on {} from public and anon",
            display(&f.name)
        ),
        Applicability::Unsafe,
        insert_after(text, stmt.range.clone(), &sql, indent),
    ))
}
