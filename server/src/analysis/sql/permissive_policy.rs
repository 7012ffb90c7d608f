//! `sql/permissive-policy`: a policy that lets every user through, whatever
//! the row.

use crate::analysis::rule::{Rule, Severity};
use crate::analysis::sql::model::{Command, Policy, PolicyExpr};
use crate::analysis::sql::objects::display;
use crate::analysis::sql::policy_expr::{
    applies_to_api, name_promises_ownership, sql_identifier, table_is_served, user_data_columns,
    PolicyFacts, Truth,
};
use crate::analysis::sql::{is_supabase_project, owner_column};
use crate::analysis::{FileContext, Finding};
use crate::fix::{Applicability, Edit, Fix};
use crate::language::Language;

/// The rule declaration.
pub static RULE: Rule = Rule {
    id: "sql/permissive-policy",
    default_severity: Severity::Error,
    summary: "A row level security policy lets every user (or every signed-in user) write, or read user data, whatever the row: its USING or WITH CHECK is `true`.",
    docs: r#"
## What it does
Finds permissive row level security policies for `anon`, `authenticated` or
`public` (no `TO` clause) whose condition lets every user through whatever
the row:

- always true: `true`, `1 = 1`, `'a' = 'a'`, `not false`, `x or true`;
- true for every signed-in user: `auth.uid() is not null`,
  `auth.role() = 'authenticated'` (also wrapped in `(select …)`), which on a
  policy is the same as `to authenticated using (true)`.

The expressions are read as PostgreSQL applies them: `USING` decides which
existing rows SELECT, UPDATE and DELETE see; `WITH CHECK` decides which rows
INSERT and UPDATE may write, and when it is missing the `USING` expression
is used in its place — so `for all using (true)` also lets anyone write any
row. A missing `USING` lets no row through, so it is never reported.

- INSERT, UPDATE, DELETE or ALL: reported as an **error**.
- SELECT only: a **warning** when the table holds user data, and nothing
  otherwise — a public catalogue (`products`, `prices`) readable by
  everyone is normal. User data is a personal column (`email`, `phone`,
  `address`, `date_of_birth`, a token…) or an owner column that names an
  app user: one referencing `auth.users` (or a `users`, `profiles`,
  `accounts`, `members` or `customers` table), or a `uuid` column such as
  `user_id` / `owner_id` with no reference. A `user_id text` holding a
  GitHub login, or an `author_id` referencing a public `contributors`
  table, is not an app user. The message names the columns.

The finding is on the expression that opens the policy (`USING` when it
does, else `WITH CHECK`). Restrictive policies, policies for other roles
(`service_role`) and policies on tables outside the exposed schemas (and
Supabase Storage's `storage.objects`) are not reported. When the policy's
name promises a per-user rule ("their own data") the message says that the
body does not keep that promise. Only SQL of a Supabase project is checked;
policies are read as all migrations leave them.

Insert-only policies for `anon` are sometimes meant (a contact form, a
waiting list); say so with a suppression comment
(`-- moat-ignore: sql/permissive-policy -- public sign-up form`) so the
decision is visible in review.

## Why is this bad?
Permissive policies are OR-ed: one that is always true opens the table to
every role it names, whatever the other policies check. Supabase's API is
callable with the public anon key, and with the `authenticated` role by
anyone who signs up. `for all to authenticated using (true)` lets every
user of the app read, change and delete every other user's rows; `with
check (true)` lets them write rows in someone else's name (CWE-863,
CWE-284).

## How to fix
Compare the row's owner with the caller: `using ((select auth.uid()) =
user_id)`, and the same in `with check`. When the table has an owner column
(a column referencing `auth.users`, or `user_id`, `owner_id`, `profile_id`,
`author_id`, `created_by`, `owner`), the quick fix replaces the open
expressions with that check. It changes who can do what, so it is unsafe
and never applied by fix-all. If only your server writes the table, drop
the write policy: the service role bypasses row level security.

## Example
```sql
create policy "auth all" on public.cargo
  for all to authenticated using (true) with check (true);      -- reported
create policy "own cargo" on public.cargo
  for all to authenticated
  using ((select auth.uid()) = user_id)
  with check ((select auth.uid()) = user_id);                   -- fixed
```

## References
- CWE-863: Incorrect Authorization
- CWE-284: Improper Access Control
- Supabase: Row Level Security (https://supabase.com/docs/guides/database/postgres/row-level-security)
- PostgreSQL: CREATE POLICY (https://www.postgresql.org/docs/current/sql-createpolicy.html)
"#,
    languages: &[Language::Sql],
    check: Some(check),
};

/// Who an open expression lets in, given the policy's roles; `None` when
/// it lets in nobody the roles cover (`to anon using (auth.uid() is not
/// null)`).
fn who(policy: &Policy, truth: Truth) -> Option<&'static str> {
    let has = |r: &str| policy.roles.iter().any(|x| x == r);
    let signed_in = has("authenticated") || has("public");
    let anonymous = has("anon") || has("public");
    match truth {
        Truth::Always if anonymous => Some("anyone, signed in or not,"),
        Truth::Always | Truth::SignedIn if signed_in => Some("any signed-in user"),
        _ => None,
    }
}

fn check(ctx: &FileContext<'_>) -> Vec<Finding> {
    let (ws, this) = ctx.sql_workspace();
    if !is_supabase_project(ws) {
        return Vec::new();
    }
    let schema = &ws.schema;
    let mut findings = Vec::new();
    for policy in &schema.policies {
        // Reported at one of its expressions: none here, nothing to do.
        let here = |e: &Option<crate::analysis::sql::model::PolicyExpr>| {
            e.as_ref().is_some_and(|e| e.file == this)
        };
        if !(here(&policy.using) || here(&policy.with_check))
            || !policy.permissive
            || !applies_to_api(policy)
            || !table_is_served(schema, &policy.table)
        {
            continue;
        }
        let pf = PolicyFacts::of(ws, policy);
        let open = |t: Truth| who(policy, t).is_some();
        let using = pf.using_truth(policy);
        let check = pf.check_truth(policy);
        let cmd = policy.command;
        let reads = matches!(cmd, Command::Select | Command::All) && open(using);
        let mut verbs = Vec::new();
        if reads {
            verbs.push("read");
        }
        if matches!(cmd, Command::Insert | Command::All) && open(check) {
            verbs.push("insert");
        }
        // An UPDATE reaches only the rows USING lets through (none without
        // one), and writes what WITH CHECK lets through.
        if matches!(cmd, Command::Update | Command::All)
            && (open(using) || (open(check) && using != Truth::Never))
        {
            verbs.push("update");
        }
        if matches!(cmd, Command::Delete | Command::All) && open(using) {
            verbs.push("delete");
        }
        let writes = verbs.iter().any(|v| *v != "read");
        let table = schema.table(&policy.table);
        let severity = if writes {
            Severity::Error
        } else if reads && table.is_some_and(|t| !user_data_columns(t).is_empty()) {
            Severity::Warning
        } else {
            continue;
        };
        // The expressions that open the policy, USING first.
        let open_exprs: Vec<(&PolicyExpr, Truth, &str)> = pf
            .used(policy)
            .into_iter()
            .filter(|(_, f)| open(f.truth))
            .map(|(e, f)| {
                let clause = if policy.using.as_ref() == Some(*e) && cmd != Command::Insert {
                    "USING"
                } else {
                    "WITH CHECK"
                };
                (*e, f.truth, clause)
            })
            .collect();
        let Some(&(at, truth, clause)) = open_exprs.first() else {
            continue;
        };
        if at.file != this {
            continue;
        }
        let who = who(
            policy,
            open_exprs.iter().map(|e| e.1).max().unwrap_or(truth),
        )
        .unwrap_or("any signed-in user");
        let table_name = display(&policy.table);
        let rows = if writes {
            format!("{} any row of {table_name}", list(&verbs))
        } else {
            let why = table.map(user_data_columns).unwrap_or_default().join(", ");
            format!("read every row of {table_name}, which holds user data ({why})")
        };
        let mut body = format!("its {clause} is `{}`", short(&at.text));
        if pf.check_is_using && verbs.contains(&"insert") {
            body.push_str(", and with no WITH CHECK PostgreSQL checks new rows against it too");
        } else if clause == "WITH CHECK" && !open(using) && cmd != Command::Insert {
            body.push_str(", so users can write rows in someone else's name");
        }
        let promise = if name_promises_ownership(&policy.name) {
            " Its name promises each user their own rows; its body does not check who owns the row."
        } else {
            ""
        };
        let owner = table.and_then(owner_column);
        let owner_check = match owner {
            Some(c) => format!(
                "check the owner: `(select auth.uid()) = {}`",
                sql_identifier(&c.name)
            ),
            None => "check who owns the row (compare a user id column with `(select auth.uid())`)"
                .to_string(),
        };
        let anonymous_form = cmd == Command::Insert
            && truth == Truth::Always
            && policy.roles.iter().any(|r| r == "anon" || r == "public");
        let advice = if !writes {
            format!(" If every row is meant to be public, say so with a suppression comment; otherwise {owner_check}.")
        } else if anonymous_form {
            format!(" If anonymous submissions are the point (a sign-up or contact form), say so with a suppression comment; otherwise {owner_check}.")
        } else if owner.is_some() {
            format!(" Instead, {owner_check}.")
        } else {
            format!(" Instead, {owner_check}, or drop the policy if only your server needs this access.")
        };
        let message = format!(
            "Policy \"{}\" lets {who} {rows}: {body}.{promise}{advice}",
            policy.name
        );
        let mut finding = Finding::new(&RULE, at.range.clone(), message);
        finding.severity = severity;
        if let Some(col) = owner {
            let check = format!("(select auth.uid()) = {}", sql_identifier(&col.name));
            let edits: Vec<Edit> = open_exprs
                .iter()
                .filter(|(e, _, _)| e.file == this)
                .map(|(e, _, _)| Edit::replace(e.range.clone(), check.clone()))
                .collect();
            finding = finding.with_fix(Fix {
                title: format!("Restrict to the row's owner ({})", col.name),
                applicability: Applicability::Unsafe,
                edits,
            });
        }
        findings.push(finding);
    }
    findings
}

/// `read, insert and delete`.
fn list(words: &[&str]) -> String {
    match words {
        [] => String::new(),
        [one] => one.to_string(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// An expression for a message: one line, at most 60 characters.
fn short(text: &str) -> String {
    let code: Vec<&str> = text
        .lines()
        .map(|l| l.find("--").map_or(l, |i| &l[..i]))
        .collect();
    let one_line = code
        .join(" ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    if one_line.chars().count() > 60 {
        let cut: String = one_line.chars().take(57).collect();
        format!("{cut}…")
    } else {
        one_line
    }
}

#[cfg(test)]
mod tests {
    use crate::analysis::analyze_text;
    use crate::analysis::rule::Severity;
    use crate::config::Config;
    use crate::language::Language;
    use std::path::Path;

    fn found(sql: &str) -> Vec<(String, Severity)> {
        super::super::findings_in_migration("sql/permissive-policy", sql)
            .into_iter()
            .map(|f| (sql[f.range].to_string(), f.severity))
            .collect()
    }

    #[test]
    fn writes_are_errors_reads_of_user_data_warnings() {
        let t = "create table notes (id int, user_id uuid references auth.users, body text);\ncreate table products (id int, name text, price int);\n";
        let f = found(&format!(
            "{t}create policy a on notes for all to authenticated using (true) with check (true);"
        ));
        assert_eq!(f, [("true".to_string(), Severity::Error)]);
        let f = found(&format!(
            "{t}create policy a on notes for select using (true);"
        ));
        assert_eq!(f, [("true".to_string(), Severity::Warning)]);
        assert!(found(&format!(
            "{t}create policy a on products for select using (true);"
        ))
        .is_empty());
        let f = found(&format!("{t}create policy a on products for insert to authenticated with check (auth.role() = 'authenticated');"));
        assert_eq!(
            f,
            [("auth.role() = 'authenticated'".to_string(), Severity::Error)]
        );
        // The check falls back to USING.
        let f = found(&format!("{t}create policy a on notes for update using ((select auth.uid()) = user_id) with check (true);"));
        assert_eq!(f, [("true".to_string(), Severity::Error)]);
        assert!(found(&format!(
            "{t}create policy a on notes for all using ((select auth.uid()) = user_id);"
        ))
        .is_empty());
        assert!(found(&format!(
            "{t}create policy a on notes as restrictive for all using (true);"
        ))
        .is_empty());
        assert!(found(&format!(
            "{t}create policy a on notes for all to service_role using (true);"
        ))
        .is_empty());
        assert!(found(&format!(
            "{t}create policy a on notes for all to anon using (auth.uid() is not null);"
        ))
        .is_empty());
        // A missing USING lets no row through.
        assert!(found(&format!(
            "{t}create policy a on notes for update with check (true);"
        ))
        .is_empty());
        assert!(found(&format!(
            "{t}create policy a on notes for delete using (false);"
        ))
        .is_empty());
    }

    #[test]
    fn issue_example_c_says_the_name_promises_more() {
        let sql = "create policy \"All users can access their own data\" on public.users for all to public using (true);";
        let f: Vec<_> = analyze_text(
            Path::new("supabase/migrations/1_a.sql"),
            sql,
            Language::Sql,
            &Config::default(),
        )
        .into_iter()
        .filter(|f| f.rule == "sql/permissive-policy")
        .collect();
        assert_eq!(f.len(), 1);
        assert!(f[0].message.starts_with("Policy \"All users can access their own data\" lets anyone, signed in or not, read, insert, update and delete any row of public.users"), "{}", f[0].message);
        assert!(f[0]
            .message
            .contains("Its name promises each user their own rows"));
        assert!(f[0].fixes.is_empty(), "no owner column is known");
    }
}
