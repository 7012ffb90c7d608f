//! `sql/rls-no-policy`: row level security on and no policy for the API
//! roles: the Data API cannot reach the table at all.

use crate::analysis::rule::{Rule, Severity};
use crate::analysis::sql::is_supabase_project;
use crate::analysis::sql::model::{Privilege, RlsChange};
use crate::analysis::sql::objects::{display, related};
use crate::analysis::sql::policy_expr::applies_to_api;
use crate::analysis::{FileContext, Finding};
use crate::language::Language;

/// The rule declaration.
pub static RULE: Rule = Rule {
    id: "sql/rls-no-policy",
    default_severity: Severity::Info,
    summary: "Row level security is enabled on an exposed table and no policy lets anon or authenticated in: the API cannot reach the table at all.",
    docs: r#"
## What it does
Reads the migrations in order, across files, and reports a table in a
schema the Data API exposes whose row level security is enabled at the end
while no policy applies to `anon`, `authenticated` or `public` (policies
for other roles, such as `service_role`, do not count). Reported where row
level security was last enabled, as information.

Not reported when neither `anon` nor `authenticated` holds a privilege on
the table (after `revoke all … from anon, authenticated` the table is
clearly meant for the server only), for temporary tables, for tables the
migrations do not create, and outside Supabase projects.

## Why is this bad?
It is not a hole: with RLS on and no policy, PostgreSQL returns no rows and
refuses every write for the API roles, while the service role (your server,
edge functions) bypasses row level security. That is exactly right for a
server-only table (a job queue, an audit log). It is a bug when the app's
browser code reads the table: queries silently return nothing. Often the
policies were written in the dashboard and never made it into a migration,
so a fresh database (a preview branch, a teammate's local copy) behaves
differently from production.

## How to fix
If the browser needs the table, add policies for the roles and commands it
uses, e.g. `create policy "read own" on t for select to authenticated
using ((select auth.uid()) = user_id);`. If the table is server-only, say
so: `revoke all on t from anon, authenticated;` (which also clears this
finding) or a suppression comment
(`-- moat-ignore: sql/rls-no-policy -- server only`). There is no quick
fix: only you know which of the two is meant.

## Example
```sql
create table public.jobs (id bigint primary key, payload jsonb);
alter table public.jobs enable row level security;   -- reported (info)
revoke all on public.jobs from anon, authenticated;  -- server-only: no longer reported
```

## References
- Supabase: Row Level Security (https://supabase.com/docs/guides/database/postgres/row-level-security)
- Supabase database linter: 0008 rls_enabled_no_policy (https://supabase.com/docs/guides/database/database-linter?lint=0008_rls_enabled_no_policy)
- PostgreSQL: Row Security Policies, default deny (https://www.postgresql.org/docs/current/ddl-rowsecurity.html)
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
    for table in &schema.tables {
        if !table.rls.enabled || table.temporary || !schema.is_exposed(&table.name) {
            continue;
        }
        let Some((loc, _)) = table
            .rls_changes
            .iter()
            .rev()
            .find(|(_, c)| *c == RlsChange::Enable)
        else {
            continue;
        };
        if loc.file != this {
            continue;
        }
        let policies: Vec<_> = schema.policies_on(&table.name).collect();
        if policies.iter().any(|p| applies_to_api(p)) {
            continue;
        }
        let reached = ["anon", "authenticated"].iter().any(|role| {
            [
                Privilege::Select,
                Privilege::Insert,
                Privilege::Update,
                Privilege::Delete,
            ]
            .into_iter()
            .any(|p| schema.table_reach(table, role, p).granted)
        });
        if !reached {
            continue;
        }
        let name = display(&table.name);
        let others = if policies.is_empty() {
            "it has no policy".to_string()
        } else {
            let roles: std::collections::BTreeSet<&str> = policies
                .iter()
                .flat_map(|p| p.roles.iter().map(String::as_str))
                .collect();
            format!(
                "its policies are only for {}",
                roles.into_iter().collect::<Vec<_>>().join(", ")
            )
        };
        let message = format!(
            "Row level security is enabled on {name} and {others}: the API returns no rows to anon and authenticated and refuses their writes. Fine for a server-only table (then `revoke all on {name} from anon, authenticated;` says so); otherwise add policies."
        );
        let mut finding = Finding::new(&RULE, loc.range.clone(), message);
        finding.related.push(related(
            ws,
            this,
            table.created.file,
            table.created.range.clone(),
            format!("{name} is created here"),
        ));
        findings.push(finding);
    }
    findings
}

#[cfg(test)]
mod tests {

    fn found(sql: &str) -> Vec<String> {
        super::super::findings_in_migration("sql/rls-no-policy", sql)
            .into_iter()
            .map(|f| sql[f.range].to_string())
            .collect()
    }

    #[test]
    fn enabled_without_api_policies() {
        let t = "create table t (id int);\nalter table t enable row level security;\n";
        assert_eq!(found(t), ["alter table t enable row level security;"]);
        assert_eq!(
            found(&format!(
                "{t}create policy s on t to service_role using (true);"
            ))
            .len(),
            1
        );
        assert!(found(&format!(
            "{t}create policy s on t to authenticated using (true);"
        ))
        .is_empty());
        assert!(found(&format!("{t}revoke all on t from anon, authenticated;")).is_empty());
        assert!(found(
            "create table private.t (id int);\nalter table private.t enable row level security;"
        )
        .is_empty());
    }
}
