//! `sql/pii-exposed`: sensitive columns in a table that `anon` can read.

use crate::analysis::rule::{Rule, Severity};
use crate::analysis::sql::model::{Command, Policy, Privilege, RlsChange, Schema, Table};
use crate::analysis::sql::objects::{display, related};
use crate::analysis::sql::policy_expr::{PolicyFacts, Truth};
use crate::analysis::sql::{is_supabase_project, sensitive_columns};
use crate::analysis::workspace::SqlWorkspace;
use crate::analysis::{FileContext, Finding};
use crate::language::Language;

/// The rule declaration.
pub static RULE: Rule = Rule {
    id: "sql/pii-exposed",
    default_severity: Severity::Error,
    summary: "A table with personal or secret columns (email, phone, password, token …) can be read by `anon`.",
    docs: r#"
## What it does
Finds tables in a schema the Data API exposes (`public`, or the `[api]
schemas` of `supabase/config.toml`) that have columns whose names say they
hold personal or secret data — `email`, `phone`, `mobile`, `address`,
`street`, `postal`/`zip`, `birth`/`dob`, `ssn`, `tax_id`, `passport`,
`national_id`, `iban`, `bank_account`, `account_number`, `routing`,
`card_number`, `credit_card`, `cvv`, `password`, `secret`, `token`,
`api_key`, `private_key`, `salary`, `medical`, `diagnosis`, as whole words
of the column name (`user_email`, `phone_number`, `date_of_birth`) — and
that `anon` can read in full: `anon` holds SELECT on the table, and either
row level security is off, or a permissive `select` or `all` policy for
`anon` or PUBLIC (no `to` clause) lets every row through — `using (true)`,
`1 = 1`, `x or true`: the always-true reading `sql/permissive-policy` uses —
and no restrictive policy for `anon` narrows it.

Where it is reported is where the fix goes: on the `create table` when row
level security is off (with the statement that disabled it as a related
place, if any); on the policy when a policy opens the table (with the
`create table` as a related place). A policy without `using` shows no
rows, so it does not count. The message names the columns and says
whether `anon`'s SELECT is granted by the migrations or rests on
Supabase's assumed default grants. Only SQL files of a Supabase project
are checked.

Supabase's database linter has a narrower lint, `sensitive_columns_exposed`
(tables without RLS and exact column names); tables opened by an
always-true policy for `anon` leak the same way, so Moat reports them too.

## Why is this bad?
The anon key ships in every web and mobile client, so whatever `anon` can
select, anyone on the internet can download with one request:
`/rest/v1/profiles?select=email,phone`. Personal data (emails, phone
numbers, addresses, birth dates) and secrets (password hashes, API keys,
tokens) leak in bulk (CWE-359, CWE-200).

## How to fix
Enable row level security on the table and give `anon` a policy that
shows only what is meant to be public — or none: signed-in users reading
their own rows need `to authenticated using ((select auth.uid()) =
user_id)`. Move sensitive columns that must never reach clients to a
separate table without API access, and publish public profile fields
through a view with `security_invoker = true` or a column-level grant.
There is no quick fix here: `sql/rls-disabled` and
`sql/permissive-policy` offer them at the same places.

## Example
```sql
create table public.customers (id uuid primary key, email text, phone text);
alter table public.customers enable row level security;
create policy "read" on public.customers for select using (true);   -- reported
-- Fixed:
create policy "read own" on public.customers for select to authenticated
  using ((select auth.uid()) = id);
```

## References
- CWE-359: Exposure of Private Personal Information to an Unauthorized Actor
- CWE-200: Exposure of Sensitive Information to an Unauthorized Actor
- Supabase database linter: sensitive_columns_exposed (https://supabase.com/docs/guides/database/database-linter?lint=0023_sensitive_columns_exposed)
- Supabase: Row Level Security (https://supabase.com/docs/guides/database/postgres/row-level-security)
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
    for table in &schema.tables {
        if table.temporary || !schema.is_exposed(&table.name) {
            continue;
        }
        let columns = sensitive_columns(table);
        if columns.is_empty() {
            continue;
        }
        let reach = schema.table_reach(table, "anon", Privilege::Select);
        if !reach.granted {
            continue;
        }
        let names: Vec<&str> = columns.iter().map(|c| c.name.as_str()).collect();
        let cols = names.join(", ");
        let table_name = display(&table.name);
        let grant = if reach.assumed {
            "anon's SELECT is Supabase's old default grant, assumed because the migrations neither grant nor revoke it (set `default_api_grants = false` in moat.toml if the project gives new tables no grants)"
        } else {
            "the migrations grant anon SELECT on it"
        };
        if !table.rls.enabled {
            if table.created.file != this_file {
                continue;
            }
            let mut finding = Finding::new(
                &RULE,
                table.created.range.clone(),
                format!(
                    "Table {table_name} holds sensitive columns ({cols}) and anyone with the anon key can read every row: row level security is off, and {grant}. Enable row level security and give anon only what is meant to be public."
                ),
            );
            if let Some((loc, _)) = table
                .rls_changes
                .iter()
                .rev()
                .find(|(_, c)| *c == RlsChange::Disable)
            {
                finding.related.push(related(
                    ws,
                    this_file,
                    loc.file,
                    loc.range.clone(),
                    format!("row level security on {table_name} is disabled here"),
                ));
            }
            findings.push(finding);
            continue;
        }
        if restricted_for_anon(ws, schema, table) {
            continue;
        }
        for policy in open_policies(ws, schema, table) {
            if policy.created.file != this_file {
                continue;
            }
            let using = policy.using.as_ref().map_or("true", |u| u.text.trim());
            let mut finding = Finding::new(
                &RULE,
                policy.created.range.clone(),
                format!(
                    "Policy \"{}\" lets anyone with the anon key read every row of {table_name} (`using ({using})` for {}), which holds sensitive columns ({cols}); {grant}. Limit the policy to the rows and the role that need them.",
                    policy.name,
                    policy.roles.join(", "),
                ),
            );
            finding.related.push(related(
                ws,
                this_file,
                table.created.file,
                table.created.range.clone(),
                format!("{table_name} is created here, with {cols}"),
            ));
            findings.push(finding);
        }
    }
    findings
}

/// Whether a policy applies to `anon` (named, or through PUBLIC).
fn applies_to_anon(policy: &Policy) -> bool {
    policy.roles.iter().any(|r| r == "anon" || r == "public")
}

/// Whether a policy governs reads.
fn reads(policy: &Policy) -> bool {
    matches!(policy.command, Command::Select | Command::All)
}

/// The permissive read policies that show `anon` every row.
fn open_policies<'s>(ws: &SqlWorkspace, schema: &'s Schema, table: &'s Table) -> Vec<&'s Policy> {
    schema
        .policies_on(&table.name)
        .filter(|p| p.permissive && reads(p) && applies_to_anon(p))
        .filter(|p| PolicyFacts::of(ws, p).using_truth(p) == Truth::Always)
        .collect()
}

/// Whether a restrictive read policy for `anon` that is not always true
/// narrows what the permissive ones show (one without `using` adds no
/// condition).
fn restricted_for_anon(ws: &SqlWorkspace, schema: &Schema, table: &Table) -> bool {
    schema.policies_on(&table.name).any(|p| {
        !p.permissive
            && reads(p)
            && applies_to_anon(p)
            && p.using.is_some()
            && PolicyFacts::of(ws, p).using_truth(p) != Truth::Always
    })
}
