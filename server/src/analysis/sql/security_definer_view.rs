//! `sql/security-definer-view`: a view in an exposed schema that runs with
//! its owner's rights (no `security_invoker = true`), or a materialized view
//! there, which has no row level security at all.

use crate::analysis::rule::{Rule, Severity};
use crate::analysis::sql::is_supabase_project;
use crate::analysis::sql::model::View;
use crate::analysis::sql::objects::{
    display, is_temporary, readers_text, related, revoke_select_fix, statement_at, view_readers,
};
use crate::analysis::sql::statements::Statement;
use crate::analysis::util::child_of_kind;
use crate::analysis::workspace::SqlWorkspace;
use crate::analysis::{FileContext, Finding};
use crate::fix::{Applicability, Edit, Fix};
use crate::language::Language;

/// The rule declaration.
pub static RULE: Rule = Rule {
    id: "sql/security-definer-view",
    default_severity: Severity::Error,
    summary: "A view in an exposed schema runs with its owner's rights (no `security_invoker = true`) and bypasses the row level security of what it reads.",
    docs: r#"
## What it does
Finds views in a schema the Data API exposes (`public`, or the `[api]
schemas` of `supabase/config.toml`) that `anon` or `authenticated` may
select from and that are not created with `with (security_invoker = true)`
(nor given it later by `alter view … set (security_invoker = true)`).
The schema model spans every migration, so a view fixed in a later
migration is not reported. Reported on `create view <name>`, as an error,
with the tables it reads that have row level security as related places.

Materialized views are reported too, as a warning: they have no
`security_invoker` option and row level security cannot be enabled on them,
so whoever may select from one reads every row it stored. Supabase's
database linter reports them separately (`materialized_view_in_api`, a
warning); Moat keeps them under this rule because the hole is the same —
data read with the owner's rights, served to the API roles.

A view that `anon` and `authenticated` cannot select from (the grants were
revoked) is not reported, as in Supabase's linter; nor is a view that
reads no table or view at all (`select 1 as n`), which has nothing to
bypass. Grants the migrations do
not mention are assumed to be Supabase's old defaults (every API role may
select); the message says when the finding rests on that assumption.
Only SQL files of a Supabase project are checked.

## Why is this bad?
A PostgreSQL view runs the query it wraps with the rights of the view's
owner — in Supabase, `postgres`, which bypasses row level security. A view
in `public` over a table whose policies let each user see only their own
rows hands every row to anyone who selects from the view through the API
with the public anon key (CWE-863, CWE-284). Supabase's linter reports the
same thing as `security_definer_view` (an error).

## How to fix
Create the view with `with (security_invoker = true)` (PostgreSQL 15 and
later, which every Supabase project runs): it then runs with the rights of
the caller, and the policies of the tables it reads apply. The quick fix
adds the option (merging it into an existing `with (…)`). It is marked
unsafe: callers may then see fewer rows, or get a permission error if they
cannot select from the underlying tables, which is the point but may break
a screen that relied on the view's rights.

If the view is meant to publish a summary of private data (counts,
leaderboards), keep it as it is but move it to a schema the API does not
expose and serve it through a function that decides what to return, or
revoke `select` from `anon` and `authenticated`.

For a materialized view, the quick fix revokes `select` from the API roles
(also unsafe: the app can no longer read it through the API); move it to a
private schema, or wrap it in a function, if the app needs it.

## Example
```sql
create view public.order_totals as
  select user_id, sum(amount) as total from public.orders group by user_id;
-- Fixed:
create view public.order_totals with (security_invoker = true) as
  select user_id, sum(amount) as total from public.orders group by user_id;
```

## References
- CWE-863: Incorrect Authorization
- CWE-284: Improper Access Control
- Supabase database linter: security_definer_view (https://supabase.com/docs/guides/database/database-linter?lint=0010_security_definer_view)
- Supabase database linter: materialized_view_in_api (https://supabase.com/docs/guides/database/database-linter?lint=0016_materialized_view_in_api)
- Supabase: Row Level Security, views (https://supabase.com/docs/guides/database/postgres/row-level-security#views)
- PostgreSQL: CREATE VIEW, security_invoker (https://www.postgresql.org/docs/current/sql-createview.html)
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
    for view in &schema.views {
        if view.created.file != this_file || !schema.is_exposed(&view.name) {
            continue;
        }
        if view.security_invoker && !view.materialized {
            continue;
        }
        // A view that reads no table or view (`select 1`) bypasses nothing.
        if view.reads.is_empty() {
            continue;
        }
        let readers = view_readers(view);
        if readers.is_empty() {
            continue;
        }
        let stmt = statement_at(ws, &view.created);
        if stmt
            .as_ref()
            .and_then(|s| s.node())
            .is_some_and(is_temporary)
        {
            continue;
        }
        let name = display(&view.name);
        let (who, note) = readers_text(&readers);
        let reads = reads_text(view);
        let mut finding = if view.materialized {
            let mut f = Finding::new(
                &RULE,
                view.created.range.clone(),
                format!(
                    "Materialized view {name} can be read by {who} through the API{note}: a materialized view stores its rows without row level security or security_invoker, so every caller sees every row it holds{reads}. Revoke select from the API roles, or move it to a schema the API does not expose."
                ),
            );
            f.severity = Severity::Warning;
            if let Some(fix) = stmt.as_ref().and_then(|s| revoke_select_fix(ws, view, s)) {
                f = f.with_fix(fix);
            }
            f
        } else {
            let mut f = Finding::new(
                &RULE,
                view.created.range.clone(),
                format!(
                    "View {name} runs with its owner's rights (it has no `security_invoker = true`), and {who} can select from it through the API{note}: they see every row it reads{reads}, bypassing row level security. Add `with (security_invoker = true)`."
                ),
            );
            if let Some(edit) = stmt
                .as_ref()
                .and_then(|s| security_invoker_edit(ws, view, s))
            {
                f = f.with_fix(Fix::new(
                    "Add `with (security_invoker = true)`",
                    Applicability::Unsafe,
                    edit,
                ));
            }
            f
        };
        for read in &view.reads {
            if let Some(t) = schema.table(read).filter(|t| t.rls.enabled) {
                finding.related.push(related(
                    ws,
                    this_file,
                    t.created.file,
                    t.created.range.clone(),
                    format!(
                        "{} has row level security, which {name} bypasses",
                        display(&t.name)
                    ),
                ));
            }
        }
        findings.push(finding);
    }
    findings
}

/// ` (from public.a, public.b)` for a message, or nothing.
fn reads_text(view: &View) -> String {
    if view.reads.is_empty() {
        return String::new();
    }
    let names: Vec<String> = view.reads.iter().take(5).map(display).collect();
    let more = if view.reads.len() > 5 { ", …" } else { "" };
    format!(" (from {}{more})", names.join(", "))
}

/// The edit that makes a `create view` statement `security_invoker`: the
/// option is added to its `with (…)` (replacing a `security_invoker = false`
/// there) or a `with (security_invoker = true)` is added before `as`.
pub fn security_invoker_edit(ws: &SqlWorkspace, view: &View, stmt: &Statement) -> Option<Edit> {
    let text = &ws.files[view.created.file].text;
    let node = stmt.node().filter(|n| n.kind() == "ViewStmt")?;
    if let Some(options) =
        child_of_kind(node, "opt_reloptions").and_then(|o| child_of_kind(o, "reloptions"))
    {
        let list = child_of_kind(options, "reloption_list")?;
        let mut existing = None;
        crate::analysis::util::walk(list, |cursor, _| {
            let n = cursor.node();
            if n.kind() == "reloption_elem" {
                let name = n
                    .named_child(0)
                    .map(|c| text[stmt.file_range(c)].to_ascii_lowercase());
                if name.as_deref() == Some("security_invoker") {
                    existing = Some(n);
                }
                crate::analysis::util::Step::Over
            } else {
                crate::analysis::util::Step::Into
            }
        });
        return Some(match existing {
            Some(elem) => Edit::replace(stmt.file_range(elem), "security_invoker = true"),
            None => Edit::insert(stmt.file_range(list).end, ", security_invoker = true"),
        });
    }
    let mut cursor = node.walk();
    let as_kw = node.children(&mut cursor).find(|c| c.kind() == "kw_as")?;
    // The node before `as`, past comments.
    let mut before = as_kw.prev_sibling()?;
    while before.kind() == "comment" {
        before = before.prev_sibling()?;
    }
    Some(Edit::insert(
        stmt.file_range(before).end,
        " with (security_invoker = true)",
    ))
}
