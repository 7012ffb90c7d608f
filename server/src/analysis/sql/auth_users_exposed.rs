//! `sql/auth-users-exposed`: a view or materialized view in an exposed
//! schema that reads `auth.users` with its owner's rights.

use crate::analysis::rule::{Rule, Severity};
use crate::analysis::sql::model::{Schema, View};
use crate::analysis::sql::objects::{
    display, is_temporary, readers_text, related, revoke_select_fix, statement_at, view_readers,
};
use crate::analysis::sql::{is_supabase_project, QualifiedName};
use crate::analysis::{FileContext, Finding};
use crate::language::Language;

/// The rule declaration.
pub static RULE: Rule = Rule {
    id: "sql/auth-users-exposed",
    default_severity: Severity::Error,
    summary: "A view or materialized view in an exposed schema reads `auth.users` and serves it to the API roles.",
    docs: r#"
## What it does
Finds views and materialized views in a schema the Data API exposes
(`public`, or the `[api] schemas` of `supabase/config.toml`) that read
`auth.users` — directly, or through other views the migrations create —
and that `anon` or `authenticated` may select from. A plain view is
reported when it runs with its owner's rights (no `security_invoker =
true`); a materialized view always (it has neither `security_invoker` nor
row level security). Reported on `create view <name>`, as an error; when
`auth.users` is reached through another view, that view is a related
place.

A view with `security_invoker = true` is not reported: it reads
`auth.users` with the caller's rights, and Supabase grants `anon` and
`authenticated` no privilege on it, so the API gets a permission error
rather than the rows. (Supabase's linter also flags such a view when
`auth.users` has row level security off; the migrations do not say what a
project did to `auth.users`, so Moat does not guess.) A view the API roles
cannot select from (its grants revoked) is not reported either. Grants the
migrations do not mention are assumed to be Supabase's old defaults (every
API role may select); the message says when the finding rests on that
assumption. Only SQL files of a Supabase project are checked.

## Why is this bad?
`auth.users` holds every account: email addresses, phone numbers, sign-in
metadata, provider identities. Supabase keeps it out of the API on purpose.
A view in `public` that selects from it runs with its owner's rights, so
anyone with the public anon key (or any signed-up user) can list every
user of the project (CWE-200, CWE-359). Supabase's database linter reports
this as `auth_users_exposed`, an error.

## How to fix
Keep the public parts of a user in a table of your own (a `profiles`
table filled by a trigger on `auth.users`), with row level security, and
drop the view. Or move the view to a schema the API does not expose. The
quick fix revokes `select` on the view from the API roles that hold it
(PUBLIC, `anon`, `authenticated`); it is marked unsafe because the app can
no longer read the view through the API.

## Example
```sql
create view public.user_directory as
  select id, email, raw_user_meta_data->>'name' as name from auth.users;
-- Fixed: a profiles table instead, or at least
revoke select on public.user_directory from anon, authenticated;
```

## References
- CWE-200: Exposure of Sensitive Information to an Unauthorized Actor
- CWE-359: Exposure of Private Personal Information to an Unauthorized Actor
- Supabase database linter: auth_users_exposed (https://supabase.com/docs/guides/database/database-linter?lint=0002_auth_users_exposed)
- Supabase: User management, profiles table (https://supabase.com/docs/guides/auth/managing-user-data)
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
        let Some(path) = path_to_auth_users(schema, view) else {
            continue;
        };
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
        let kind = if view.materialized {
            "Materialized view"
        } else {
            "View"
        };
        let (who, note) = readers_text(&readers);
        let through = if path.is_empty() {
            String::new()
        } else {
            let names: Vec<String> = path.iter().map(|v| display(&v.name)).collect();
            format!(" (through {})", names.join(" → "))
        };
        let rights = if view.materialized {
            "stores what it read, without row level security"
        } else {
            "runs with its owner's rights"
        };
        let mut finding = Finding::new(
            &RULE,
            view.created.range.clone(),
            format!(
                "{kind} {name} reads auth.users{through} and {rights}, and {who} can select from it through the API{note}: it exposes the project's user accounts (emails, phone numbers, metadata) to anyone with the anon key or any signed-up user. Keep public user data in a table of your own with row level security."
            ),
        );
        for inner in &path {
            finding.related.push(related(
                ws,
                this_file,
                inner.created.file,
                inner.created.range.clone(),
                format!("{} reads auth.users", display(&inner.name)),
            ));
        }
        if let Some(fix) = stmt.as_ref().and_then(|s| revoke_select_fix(ws, view, s)) {
            finding = finding.with_fix(fix);
        }
        findings.push(finding);
    }
    findings
}

/// Whether a name is `auth.users`.
fn is_auth_users(name: &QualifiedName) -> bool {
    name.schema.as_deref() == Some("auth") && name.name == "users"
}

/// How `view` reaches `auth.users`: `Some(vec![])` when it reads it
/// directly, `Some([w, …])` through the views `w, …` (the last one reads
/// it), `None` when it does not. Views are followed breadth first, each
/// once.
fn path_to_auth_users<'s>(schema: &'s Schema, view: &'s View) -> Option<Vec<&'s View>> {
    if view.reads.iter().any(is_auth_users) {
        return Some(Vec::new());
    }
    // (view, index of the entry it was reached from)
    let mut queue: Vec<(&View, Option<usize>)> = vec![(view, None)];
    let mut i = 0;
    while i < queue.len() && queue.len() < 256 {
        let (current, _) = queue[i];
        for read in &current.reads {
            let Some(next) = schema.views.iter().find(|v| v.name.same_relation(read)) else {
                continue;
            };
            if queue.iter().any(|(v, _)| std::ptr::eq(*v, next)) {
                continue;
            }
            queue.push((next, Some(i)));
            if next.reads.iter().any(is_auth_users) {
                let mut path = Vec::new();
                let mut at = queue.len() - 1;
                while let Some(from) = queue[at].1 {
                    path.push(queue[at].0);
                    at = from;
                }
                path.reverse();
                return Some(path);
            }
        }
        i += 1;
    }
    None
}
