//! `sql/rls-explicitly-disabled`: row level security switched off on an
//! exposed table, or policies on a table whose row level security is off.

use crate::analysis::rule::{Rule, Severity};
use crate::analysis::sql::is_supabase_project;
use crate::analysis::sql::model::{Privilege, RlsChange, Schema, Table};
use crate::analysis::sql::objects::{display, insert_after, related};
use crate::analysis::sql::policy_expr::with_statement;
use crate::analysis::util::{has_child, walk, Step};
use crate::analysis::{FileContext, Finding};
use crate::fix::{Applicability, Edit, Fix};
use crate::language::Language;

/// The rule declaration.
pub static RULE: Rule = Rule {
    id: "sql/rls-explicitly-disabled",
    default_severity: Severity::Error,
    summary: "Row level security is disabled on an exposed table (and stays disabled), or a table has policies while its row level security is off.",
    docs: r#"
## What it does
Reads the migrations in order, across files, and reports two cases on
tables in the schemas the Data API exposes (`public` unless
`supabase/config.toml` says otherwise):

1. `alter table … disable row level security` is the table's final state:
   no later migration enables it again. Reported on that (last) `disable`
   statement. Related information points at where row level security was
   enabled before, if it was, and at the table's policies, which do nothing
   while it is off. (When no migration ever enabled it, `sql/rls-disabled`
   reports the table as well, at its `create table`.)
2. The table has policies but row level security was never enabled (no
   `disable` statement either). Reported once per table, on its first
   policy in migration order, with the other policies and the `create
   table` as related information: once per table rather than at every
   policy, and at a policy rather than at the `create table`, because the
   policy is where row level security was evidently meant to be on (and
   `sql/rls-disabled` already reports the table at its `create table`).

An error when `anon` or `authenticated` can reach the table (they hold a
table privilege, granted in the migrations or by Supabase's default grants
assumed when the migrations say nothing); a warning when neither can: the
table is one `grant` away from open. Temporary tables and tables the
migrations do not create are not reported; only SQL of a Supabase project
is checked.

## Why is this bad?
With row level security off, every row of the table is open to every role
that holds a privilege on it — and on Supabase that includes `anon`, whose
key ships in every web client. Disabling RLS is often a debugging step or a
quick way around a failing policy that then ships (CWE-284, CWE-862).
Policies on such a table suggest protection that is not there: PostgreSQL
ignores them until RLS is enabled.

## How to fix
Keep row level security enabled and fix the policy that was in the way. The
quick fix turns the `disable` into `enable` (case 1), or adds `alter table
… enable row level security;` after the first policy (case 2). It is
unsafe: with RLS on, only the policies decide who sees which rows, and
requests that worked without them may stop working.

## Example
```sql
create table public.orders (id bigint primary key, user_id uuid references auth.users);
alter table public.orders enable row level security;
-- later migration
alter table public.orders disable row level security;   -- reported
alter table public.orders enable row level security;    -- fixed
```

## References
- CWE-284: Improper Access Control
- CWE-862: Missing Authorization
- Supabase: Row Level Security (https://supabase.com/docs/guides/database/postgres/row-level-security)
- PostgreSQL: Row Security Policies (https://www.postgresql.org/docs/current/ddl-rowsecurity.html)
"#,
    languages: &[Language::Sql],
    check: Some(check),
};

/// Whether an API role can reach the table, and whether that rests on the
/// assumed default grants.
fn api_reach(schema: &Schema, table: &Table) -> (bool, bool) {
    let mut reached = false;
    let mut assumed = true;
    for role in ["anon", "authenticated"] {
        for p in [
            Privilege::Select,
            Privilege::Insert,
            Privilege::Update,
            Privilege::Delete,
        ] {
            let r = schema.table_reach(table, role, p);
            if r.granted {
                reached = true;
                assumed &= r.assumed;
            }
        }
    }
    (reached, reached && assumed)
}

fn check(ctx: &FileContext<'_>) -> Vec<Finding> {
    let (ws, this) = ctx.sql_workspace();
    if !is_supabase_project(ws) {
        return Vec::new();
    }
    let schema = &ws.schema;
    let mut findings = Vec::new();
    for table in &schema.tables {
        if table.rls.enabled || table.temporary || !schema.is_exposed(&table.name) {
            continue;
        }
        let switches: Vec<_> = table
            .rls_changes
            .iter()
            .filter(|(_, c)| matches!(c, RlsChange::Enable | RlsChange::Disable))
            .collect();
        let mut policies: Vec<_> = schema.policies_on(&table.name).collect();
        policies.sort_by_key(|p| (p.created.file, p.created.statement, p.created.range.start));
        let (reached, assumed) = api_reach(schema, table);
        let name = display(&table.name);
        let reach_text = if !reached {
            " No API role holds a privilege on it today, but one grant would open every row."
                .to_string()
        } else if assumed {
            " The API roles anon and authenticated can reach it through Supabase's default grants (the migrations do not change them), so every row is open to anyone with the project's public API key.".to_string()
        } else {
            " The API roles hold privileges on it (granted in the migrations), so every row is open to them.".to_string()
        };
        let severity = if reached {
            Severity::Error
        } else {
            Severity::Warning
        };
        let policy_related = |f: &mut Finding, skip: usize| {
            for p in policies.iter().skip(skip) {
                f.related.push(related(
                    ws,
                    this,
                    p.created.file,
                    p.created.range.clone(),
                    format!(
                        "policy \"{}\" does nothing while row level security is off",
                        p.name
                    ),
                ));
            }
        };
        match switches.last() {
            Some((loc, RlsChange::Disable)) => {
                if loc.file != this {
                    continue;
                }
                let before = switches
                    .iter()
                    .rev()
                    .skip(1)
                    .find(|(_, c)| *c == RlsChange::Enable)
                    .map(|(enabled, _)| enabled);
                let policy_note = match policies.len() {
                    0 => String::new(),
                    1 => " Its policy does nothing while it is off.".to_string(),
                    n => format!(" Its {n} policies do nothing while it is off."),
                };
                let message = format!(
                    "Row level security is disabled on {name} and no later migration enables it again.{reach_text}{policy_note} Keep it enabled and fix the policies instead."
                );
                let mut finding = Finding::new(&RULE, loc.range.clone(), message);
                finding.severity = severity;
                if let Some(enabled) = before {
                    finding.related.push(related(
                        ws,
                        this,
                        enabled.file,
                        enabled.range.clone(),
                        "row level security was enabled here",
                    ));
                }
                policy_related(&mut finding, 0);
                // Turn this `disable` into `enable`.
                let disable = with_statement(ws, loc, |node, to_file| {
                    let mut at = None;
                    walk(node, |cursor, _| {
                        let n = cursor.node();
                        if n.kind() == "alter_table_cmd" {
                            if has_child(n, "kw_row") && has_child(n, "kw_security") {
                                if let Some(k) =
                                    n.named_child(0).filter(|k| k.kind() == "kw_disable")
                                {
                                    at = Some(to_file(k.byte_range()));
                                }
                            }
                            return Step::Over;
                        }
                        Step::Into
                    });
                    at
                })
                .flatten();
                if let Some(range) = disable {
                    let upper = ws.files[this].text.get(range.clone()) == Some("DISABLE");
                    finding = finding.with_fix(Fix::new(
                        format!("Enable row level security on {name}"),
                        Applicability::Unsafe,
                        Edit::replace(range, if upper { "ENABLE" } else { "enable" }),
                    ));
                }
                findings.push(finding);
            }
            None => {
                let Some(first) = policies.first() else {
                    continue;
                };
                if first.created.file != this {
                    continue;
                }
                let message = format!(
                    "Policy \"{}\" is on {name}, whose row level security is never enabled: PostgreSQL ignores its policies ({}) until it is.{reach_text} Enable row level security on the table.",
                    first.name,
                    policies.len()
                );
                let mut finding = Finding::new(&RULE, first.created.range.clone(), message);
                finding.severity = severity;
                policy_related(&mut finding, 1);
                finding.related.push(related(
                    ws,
                    this,
                    table.created.file,
                    table.created.range.clone(),
                    format!("{name} is created here"),
                ));
                let text = &ws.files[this].text;
                let stmt = &ws.files[this].statements[first.created.statement];
                // After the policy (or after the DO block holding it).
                let alter = format!("alter table {name} enable row level security;");
                finding = finding.with_fix(Fix {
                    title: format!("Enable row level security on {name}"),
                    applicability: Applicability::Unsafe,
                    edits: vec![insert_after(text, stmt.range.clone(), &alter, None)],
                });
                findings.push(finding);
            }
            // Enabled last: the table's RLS is on (never reached here).
            Some(_) => {}
        }
    }
    findings
}

#[cfg(test)]
mod tests {
    use crate::analysis::rule::Severity;

    fn found(sql: &str) -> Vec<(String, Severity, usize)> {
        super::super::findings_in_migration("sql/rls-explicitly-disabled", sql)
            .into_iter()
            .map(|f| (sql[f.range].to_string(), f.severity, f.related.len()))
            .collect()
    }

    #[test]
    fn final_disable_and_policies_without_rls() {
        let t = "create table t (id int);\n";
        assert_eq!(
            found(&format!("{t}alter table t enable row level security;\nalter table t disable row level security;")),
            [("alter table t disable row level security;".to_string(), Severity::Error, 1)]
        );
        assert!(found(&format!("{t}alter table t disable row level security;\nalter table t enable row level security;")).is_empty());
        assert_eq!(
            found(&format!("{t}alter table t disable row level security;\nrevoke all on t from anon, authenticated;")),
            [("alter table t disable row level security;".to_string(), Severity::Warning, 0)]
        );
        assert_eq!(
            found(&format!("{t}create policy a on t to authenticated using (true);\ncreate policy b on t to authenticated using (true);")),
            [("create policy a on t to authenticated using (true);".to_string(), Severity::Error, 2)]
        );
        assert!(found(
            "create table private.t (id int);\nalter table private.t disable row level security;"
        )
        .is_empty());
        assert!(found("create policy a on storage.objects using (true);").is_empty());
    }
}
