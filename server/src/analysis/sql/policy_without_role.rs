//! `sql/policy-without-role`: a policy with no `TO` clause, which applies
//! to every role, `anon` included.

use crate::analysis::rule::{Rule, Severity};
use crate::analysis::sql::is_supabase_project;
use crate::analysis::sql::model::{Command, Policy};
use crate::analysis::sql::objects::display;
use crate::analysis::sql::policy_expr::{
    table_is_served, user_data_columns, with_statement, PolicyFacts, Truth,
};
use crate::analysis::util::child_of_kind;
use crate::analysis::{FileContext, Finding};
use crate::fix::{Applicability, Edit, Fix};
use crate::language::Language;

/// The rule declaration.
pub static RULE: Rule = Rule {
    id: "sql/policy-without-role",
    default_severity: Severity::Warning,
    summary: "A CREATE POLICY has no TO clause, so it applies to every role, anon (anyone with the public API key) included.",
    docs: r#"
## What it does
Finds permissive `create policy` statements without a `TO` clause on tables
the Data API serves (exposed schemas, and Supabase Storage's
`storage.objects`). Without `TO`, a policy applies to `public`: every role,
including `anon`, which anyone holding the project's public API key uses.
A later `alter policy … to …` that names roles clears the finding.

The finding covers `create policy <name> on <table>`. Not reported:
restrictive policies (applying a restriction to everyone is what you
want), and policies that let nobody through (`using (false)`). Only SQL of
a Supabase project is checked.

A policy that lets nobody through who is not signed in is reported as
information only. That is when the expressions its command consults (USING
for SELECT, UPDATE and DELETE; WITH CHECK for INSERT; both for ALL) are
false for a caller without a user id: they compare `auth.uid()` with
something (`(select auth.uid()) = user_id`), ask `auth.uid() is not null`
or `auth.role() = 'authenticated'`, or look rows up by `auth.uid()` in
`exists (…)` / `in (select …)` — in a conjunct of an `and`, or in every
branch of an `or`. Calls to other functions are not followed:
`is_member(auth.uid())` may be true for a null user, so such a policy stays
a warning.

## Why is this bad?
Most policies are written with signed-in users in mind, but without `TO`
they are also evaluated for anonymous visitors. Whether that opens anything
depends on every expression being right for a caller with no user id —
`auth.uid()` is null for `anon`, and an expression such as
`owner_id = auth.uid() or is_public` or a helper function that does not
expect a null user can let anonymous callers in (CWE-284). Naming the roles
makes the intent visible in review, and Supabase recommends it for speed
too: a policy for `authenticated` is skipped entirely for `anon` requests.

## How to fix
Add the roles the policy is meant for. Two quick fixes are offered after
the `FOR` clause (or the table name): `to authenticated` (signed-in users
only), and `to anon, authenticated`, which keeps the policy exactly as it
works for API users today and states that visitors who are not signed in
are meant to have it. A SELECT whose `USING` is `true` on a table without
user data (a public catalogue) is offered `to anon, authenticated` first;
other policies `to authenticated` first. Both are unsafe and never applied
by fix-all — the point is to decide who the policy is for, and `to
authenticated` takes away from `anon` what the policy gave it — except `to
authenticated` on a policy that lets nobody through who is not signed in
(the information-level case), where it changes nothing for the API's
users and is safe.

## Example
```sql
create policy "Public read" on products for select using (true);   -- reported
create policy "Public read" on products for select to anon, authenticated using (true);   -- fixed

create policy "Own profile" on profiles for update
  using ((select auth.uid()) = id);                                  -- reported
create policy "Own profile" on profiles for update to authenticated
  using ((select auth.uid()) = id);                                  -- fixed
```

## References
- CWE-284: Improper Access Control
- Supabase: RLS performance recommendations, "Specify roles in your policies" (https://supabase.com/docs/guides/database/postgres/row-level-security#specify-roles-in-your-policies)
- PostgreSQL: CREATE POLICY (https://www.postgresql.org/docs/current/sql-createpolicy.html)
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
    let mut findings = Vec::new();
    for policy in &schema.policies {
        if policy.created.file != this
            || policy.roles_written
            || !policy.permissive
            || !table_is_served(schema, &policy.table)
        {
            continue;
        }
        let pf = PolicyFacts::of(ws, policy);
        let widest = pf.widest(policy);
        if widest == Truth::Never {
            continue;
        }
        let text = &ws.files[this].text;
        // `create policy <name> on <table>`, and where a TO clause goes.
        let places = with_statement(ws, &policy.created, |node, to_file| {
            let table = child_of_kind(node, "qualified_name")?;
            let after = ["RowSecurityDefaultForCmd", "RowSecurityDefaultPermissive"]
                .iter()
                .filter_map(|k| child_of_kind(node, k))
                .map(|n| n.end_byte())
                .max()
                .unwrap_or(table.end_byte())
                .max(table.end_byte());
            Some((
                to_file(node.start_byte()..table.end_byte()),
                to_file(after..after).start,
            ))
        })
        .flatten();
        let (range, insert_at) = match places {
            Some((r, at)) => (r, Some(at)),
            None => (policy.created.range.clone(), None),
        };
        let table = schema.table(&policy.table);
        let public_read = policy.command == Command::Select
            && widest == Truth::Always
            && table.is_none_or(|t| user_data_columns(t).is_empty());
        // Every expression the command uses is false for callers who are
        // not signed in: nothing is open to anon, and `to authenticated`
        // changes nothing for the API's users.
        let signed_in_only = closed_to_anon(&pf, policy);
        let message = if signed_in_only {
            format!(
                "Policy \"{}\" on {} has no TO clause, so it applies to every role, anon included. Its check lets nobody through who is not signed in, so nothing is open; `to authenticated` says so, and spares anon requests the check.",
                policy.name,
                display(&policy.table),
            )
        } else {
            format!(
                "Policy \"{}\" on {} has no TO clause, so it applies to every role, anon (anyone with the project's public API key) included. Name the roles it is for: `to authenticated`, or `to anon, authenticated` if visitors who are not signed in need it too.",
                policy.name,
                display(&policy.table),
            )
        };
        let mut finding = Finding::new(&RULE, range.clone(), message);
        if signed_in_only {
            finding.severity = Severity::Info;
        }
        if let Some(at) = insert_at {
            let upper = text
                .get(range.clone())
                .is_some_and(|t| t.starts_with("CREATE"));
            let to = if upper { "TO" } else { "to" };
            let signed_in = Fix::new(
                "Apply only to signed-in users (to authenticated)",
                if signed_in_only {
                    Applicability::Safe
                } else {
                    Applicability::Unsafe
                },
                Edit::insert(at, format!(" {to} authenticated")),
            );
            let both = Fix::new(
                "Apply to anon and authenticated explicitly (to anon, authenticated)",
                Applicability::Unsafe,
                Edit::insert(at, format!(" {to} anon, authenticated")),
            );
            let (first, second) = if public_read {
                (both, signed_in)
            } else {
                (signed_in, both)
            };
            finding = finding.with_fix(first).with_fix(second);
        }
        findings.push(finding);
    }
    findings
}

/// Whether a policy lets nobody through who is not signed in: the
/// expressions its command consults all need a user. UPDATE, SELECT and
/// DELETE only reach rows that USING lets through (none without one);
/// INSERT is decided by WITH CHECK; ALL by both.
fn closed_to_anon(pf: &PolicyFacts<'_>, policy: &Policy) -> bool {
    let using = match &pf.using {
        Some((_, f)) => f.needs_user,
        None => policy.using.is_none(),
    };
    let check = match &pf.check {
        Some((_, f)) => f.needs_user,
        None => policy.with_check.is_none() && policy.using.is_none(),
    };
    match policy.command {
        Command::Select | Command::Delete | Command::Update => using,
        Command::Insert => check,
        Command::All => using && check,
    }
}

#[cfg(test)]
mod tests {
    use crate::config::Config;
    use crate::language::Language;
    use std::path::Path;

    fn found(sql: &str) -> Vec<(String, Vec<String>)> {
        super::super::findings_in_migration("sql/policy-without-role", sql)
            .into_iter()
            .map(|f| {
                let fixes = f
                    .fixes
                    .iter()
                    .map(|x| crate::fix::apply(sql, &x.edits).unwrap())
                    .collect();
                (sql[f.range].to_string(), fixes)
            })
            .collect()
    }

    #[test]
    fn policies_without_to_get_roles_after_the_for_clause() {
        let f = found("create policy \"Public read\" on products for select using (true);");
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].0, "create policy \"Public read\" on products");
        assert_eq!(
            f[0].1,
            [
                "create policy \"Public read\" on products for select to anon, authenticated using (true);",
                "create policy \"Public read\" on products for select to authenticated using (true);",
            ]
        );
        let f = found("CREATE POLICY p ON t\nUSING ((select auth.uid()) = user_id);");
        assert_eq!(
            f[0].1[0],
            "CREATE POLICY p ON t TO authenticated\nUSING ((select auth.uid()) = user_id);"
        );
        assert!(found("create policy p on t to authenticated using (true);").is_empty());
        // Signed-in users only anyway: info, and the fix is safe.
        let sql = "create policy p on t for update using ((select auth.uid()) = user_id);";
        let f = crate::analysis::analyze_text(
            Path::new("supabase/migrations/1_a.sql"),
            sql,
            Language::Sql,
            &Config::default(),
        );
        let f: Vec<_> = f
            .into_iter()
            .filter(|f| f.rule == "sql/policy-without-role")
            .collect();
        assert_eq!(f[0].severity, crate::analysis::rule::Severity::Info);
        assert_eq!(f[0].fixes[0].applicability, crate::fix::Applicability::Safe);
        // UPDATE reaches only rows USING lets through; ALL also inserts.
        let severity = |sql: &str| {
            crate::analysis::analyze_text(
                Path::new("supabase/migrations/1_a.sql"),
                sql,
                Language::Sql,
                &Config::default(),
            )
            .into_iter()
            .find(|f| f.rule == "sql/policy-without-role")
            .map(|f| f.severity)
        };
        use crate::analysis::rule::Severity;
        assert_eq!(severity("create policy p on t for update using ((select auth.uid()) = user_id) with check (true);"), Some(Severity::Info));
        assert_eq!(severity("create policy p on t for all using ((select auth.uid()) = user_id) with check (true);"), Some(Severity::Warning));
        assert_eq!(
            severity("create policy p on t for select using (is_member(auth.uid()));"),
            Some(Severity::Warning)
        );
        assert!(found("create policy p on t as restrictive using (is_member());").is_empty());
        assert!(found("create policy p on t for delete using (false);").is_empty());
        assert!(
            found("create policy p on t using (true);\nalter policy p on t to authenticated;")
                .is_empty()
        );
        assert!(found("create policy p on private.t using (true);").is_empty());
    }
}
