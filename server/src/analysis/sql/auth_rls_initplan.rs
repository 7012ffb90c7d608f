//! `sql/auth-rls-initplan`: `auth.uid()` and friends called bare in a
//! policy, evaluated once per row instead of once per query.

use crate::analysis::rule::{Rule, Severity};
use crate::analysis::sql::is_supabase_project;
use crate::analysis::sql::objects::display;
use crate::analysis::sql::policy_expr::{facts, Call};
use crate::analysis::{FileContext, Finding};
use crate::fix::{Applicability, Edit, Fix};
use crate::language::Language;

/// The rule declaration.
pub static RULE: Rule = Rule {
    id: "sql/auth-rls-initplan",
    default_severity: Severity::Info,
    summary: "A policy calls auth.uid(), auth.jwt(), auth.role(), auth.email() or current_setting() bare instead of as (select …), so it runs once per row.",
    docs: r#"
## What it does
Finds calls to `auth.uid()`, `auth.jwt()`, `auth.role()`, `auth.email()` and
`current_setting(…)` in the `USING` and `WITH CHECK` expressions of row level
security policies that are not wrapped in a subquery of their own, such as
`using (auth.uid() = user_id)`. Each bare call is reported, on the call. A
call inside a subquery without `FROM` (`(select auth.uid())`) is fine; a call
inside a subquery that reads a table (`exists (select 1 from members m where
m.user_id = auth.uid())`) is reported too, since it runs for each row that
subquery scans.

Policies are read as the migrations leave them, across all files (an
`alter policy` that replaces an expression is read instead of the original).
Only SQL of a Supabase project is checked. The expressions of the policy are
all that is read: functions the policy calls are not.

## Why is this bad?
This is about speed, not safety. PostgreSQL evaluates a function call in a
policy for every row it considers, and these functions read the request's
JWT settings each time: on a large table a simple `select` becomes slow
enough to time out. Wrapped in `(select …)` the call becomes an *initPlan*,
run once per query, and its result is reused for every row. Supabase's
database linter reports the same pattern (lint 0003, auth_rls_initplan).

## How to fix
Wrap the call: `(select auth.uid()) = user_id`. The quick fix does exactly
that; it is safe (the function returns the same value for every row of a
query, so the result is unchanged) and is applied by fix-all.

## Example
```sql
create policy "read own notes" on public.notes for select to authenticated
  using (auth.uid() = owner);            -- reported
create policy "read own notes" on public.notes for select to authenticated
  using ((select auth.uid()) = owner);   -- fixed
```

## References
- Supabase: RLS performance recommendations (https://supabase.com/docs/guides/database/postgres/row-level-security#rls-performance-recommendations)
- Supabase database linter: 0003 auth_rls_initplan (https://supabase.com/docs/guides/database/database-linter?lint=0003_auth_rls_initplan)
- PostgreSQL: Row Security Policies (https://www.postgresql.org/docs/current/ddl-rowsecurity.html)
"#,
    languages: &[Language::Sql],
    check: Some(check),
};

/// Whether a call is to one of the per-request functions.
fn is_request_function(call: &Call) -> bool {
    match call.name.schema.as_deref() {
        Some("auth") => matches!(call.name.name.as_str(), "uid" | "jwt" | "role" | "email"),
        None | Some("pg_catalog") => call.name.name == "current_setting",
        _ => false,
    }
}

fn check(ctx: &FileContext<'_>) -> Vec<Finding> {
    let (ws, this) = ctx.sql_workspace();
    if !is_supabase_project(ws) {
        return Vec::new();
    }
    let text = &ws.files[this].text;
    let mut findings = Vec::new();
    for policy in &ws.schema.policies {
        for expr in [&policy.using, &policy.with_check].into_iter().flatten() {
            if expr.file != this {
                continue;
            }
            let Some(facts) = facts(ws, expr) else {
                continue;
            };
            for call in facts
                .calls
                .iter()
                .filter(|c| !c.wrapped && is_request_function(c))
            {
                let Some(written) = text.get(call.range.clone()) else {
                    continue;
                };
                let short = if call.name.name == "current_setting" {
                    "current_setting(…)".to_string()
                } else {
                    written.to_string()
                };
                let message = format!(
                    "`{short}` is called bare in policy \"{}\" on {}: PostgreSQL may run it once for every row. Write `(select {short})` so it runs once per query.",
                    policy.name,
                    display(&policy.table),
                );
                findings.push(
                    Finding::new(&RULE, call.range.clone(), message).with_fix(Fix::new(
                        format!("Wrap in (select {short})"),
                        Applicability::Safe,
                        Edit::replace(call.range.clone(), format!("(select {written})")),
                    )),
                );
            }
        }
    }
    findings
}

#[cfg(test)]
mod tests {

    fn found(sql: &str) -> Vec<String> {
        super::super::findings_in_migration("sql/auth-rls-initplan", sql)
            .into_iter()
            .map(|f| sql[f.range].to_string())
            .collect()
    }

    #[test]
    fn bare_calls_only() {
        assert_eq!(
            found("create policy p on t to authenticated using (auth.uid() = user_id and (select auth.jwt()) ->> 'x' = 'y') with check (current_setting('request.jwt.claims', true) is not null);"),
            ["auth.uid()", "current_setting('request.jwt.claims', true)"]
        );
        assert!(found(
            "create policy p on t to authenticated using ((select auth.uid()) = user_id);"
        )
        .is_empty());
        // Dropped policies are gone.
        assert!(
            found("create policy p on t using (auth.uid() = user_id);\ndrop policy p on t;")
                .is_empty()
        );
    }
}
