//! `sql/policy-user-metadata`: a policy that trusts `user_metadata`, which
//! every user can edit.

use std::cell::OnceCell;
use std::ops::Range;

use crate::analysis::rule::{Rule, Severity};
use crate::analysis::sql::is_supabase_project;
use crate::analysis::sql::model::Function;
use crate::analysis::sql::objects::{display, related};
use crate::analysis::sql::policy_expr::facts;
use crate::analysis::workspace::SqlWorkspace;
use crate::analysis::{FileContext, Finding};
use crate::fix::{Applicability, Edit, Fix};
use crate::language::Language;

/// The rule declaration.
pub static RULE: Rule = Rule {
    id: "sql/policy-user-metadata",
    default_severity: Severity::Error,
    summary: "A row level security policy decides access with user_metadata (raw_user_meta_data), which every user can change for themselves.",
    docs: r#"
## What it does
Finds row level security policies whose `USING` or `WITH CHECK` reads a
user's `user_metadata`:

- the JWT claim, `auth.jwt() -> 'user_metadata' ->> 'role'` or
  `auth.jwt() #>> '{user_metadata,role}'` (any string constant naming
  `user_metadata`);
- the column, `raw_user_meta_data` of `auth.users` (or a column named
  `user_metadata`);
- a function the policy calls whose body (created in the migrations)
  reads either: `using (public.is_admin())` where `is_admin` looks at
  `raw_user_meta_data`. Only functions called directly from the policy are
  read, not the functions they call in turn.

Each read is reported where it is (a call to such a function on the call,
with the place in the function's body as related information).
`app_metadata` / `raw_app_meta_data` is not reported. Policies are read as
all migrations leave them; only SQL of a Supabase project is checked.

## Why is this bad?
`user_metadata` is the part of a Supabase user that the user controls: any
signed-in user can call `supabase.auth.updateUser({ data: { role: 'admin' }
})` from the browser, and the next token they get carries the new claim. A
policy that grants access by a role, team or flag kept there lets every
user grant it to themselves (CWE-639, CWE-285). `app_metadata` can only be
written with the service role key, on your server.

## How to fix
Keep authorization data in `app_metadata` (set it from your server or an
auth hook) or in a table the user cannot write, and read that in the
policy. For a string constant or `raw_user_meta_data` the quick fix
rewrites it to `app_metadata` / `raw_app_meta_data`; it is unsafe: the
policy only works once your server writes the value there.

## Example
```sql
create policy "admins read all" on public.reports for select to authenticated
  using ((select auth.jwt()) -> 'user_metadata' ->> 'role' = 'admin');   -- reported
create policy "admins read all" on public.reports for select to authenticated
  using ((select auth.jwt()) -> 'app_metadata' ->> 'role' = 'admin');    -- fixed
```

## References
- CWE-639: Authorization Bypass Through User-Controlled Key
- CWE-285: Improper Authorization
- Supabase: Row Level Security, "auth.jwt()" and user_metadata (https://supabase.com/docs/guides/database/postgres/row-level-security#authjwt)
- Supabase: User management, app_metadata and user_metadata (https://supabase.com/docs/guides/auth/managing-user-data)
"#,
    languages: &[Language::Sql],
    check: Some(check),
};

fn check(ctx: &FileContext<'_>) -> Vec<Finding> {
    let (ws, this) = ctx.sql_workspace();
    if !is_supabase_project(ws) {
        return Vec::new();
    }
    let text = &ws.files[this].text;
    let functions = &ws.schema.functions;
    // Per function: where its body reads user metadata, found on first use.
    let reads: Vec<OnceCell<Option<Range<usize>>>> =
        functions.iter().map(|_| OnceCell::new()).collect();
    let mut findings: Vec<Finding> = Vec::new();
    for policy in &ws.schema.policies {
        for expr in [&policy.using, &policy.with_check].into_iter().flatten() {
            if expr.file != this {
                continue;
            }
            let Some(facts) = facts(ws, expr) else {
                continue;
            };
            let head = format!("Policy \"{}\" on {}", policy.name, display(&policy.table));
            for range in &facts.user_metadata {
                if findings.iter().any(|f| f.range == *range) {
                    continue;
                }
                let written = text.get(range.clone()).unwrap_or("");
                let message = format!(
                    "{head} decides access with user_metadata (`{written}`), which every signed-in user can change for themselves with supabase.auth.updateUser(). Keep roles and permissions in app_metadata, which only your server can write."
                );
                let mut finding = Finding::new(&RULE, range.clone(), message);
                if let Some(fixed) = to_app_metadata(written) {
                    finding = finding.with_fix(Fix::new(
                        "Read app_metadata instead (only your server can write it)",
                        Applicability::Unsafe,
                        Edit::replace(range.clone(), fixed),
                    ));
                }
                findings.push(finding);
            }
            for call in &facts.calls {
                if call.name.schema.as_deref() == Some("auth") {
                    continue;
                }
                let Some((i, at)) = functions.iter().enumerate().find_map(|(i, f)| {
                    if !f.name.same_relation(&call.name) {
                        return None;
                    }
                    let at = reads[i]
                        .get_or_init(|| body_reads_user_metadata(ws, f))
                        .clone()?;
                    Some((i, at))
                }) else {
                    continue;
                };
                if findings.iter().any(|f| f.range == call.range) {
                    continue;
                }
                let f = &functions[i];
                let message = format!(
                    "{head} calls {}(), which reads user_metadata (`{}`): every signed-in user can change it for themselves with supabase.auth.updateUser(). Keep roles and permissions in app_metadata, which only your server can write.",
                    display(&f.name),
                    ws.files[f.created.file].text.get(at.clone()).unwrap_or(""),
                );
                let mut finding = Finding::new(&RULE, call.range.clone(), message);
                finding.related.push(related(
                    ws,
                    this,
                    f.created.file,
                    at,
                    format!("{}() reads user_metadata here", display(&f.name)),
                ));
                findings.push(finding);
            }
        }
    }
    findings
}

/// `'user_metadata'` → `'app_metadata'`, `raw_user_meta_data` →
/// `raw_app_meta_data` (keeping the case as written).
fn to_app_metadata(written: &str) -> Option<String> {
    let lower = written.to_ascii_lowercase();
    for (from, to) in [
        ("raw_user_meta_data", "raw_app_meta_data"),
        ("user_metadata", "app_metadata"),
    ] {
        if let Some(i) = lower.find(from) {
            let to = if written[i..i + from.len()]
                .chars()
                .any(|c| c.is_ascii_uppercase())
            {
                to.to_ascii_uppercase()
            } else {
                to.to_string()
            };
            return Some(format!(
                "{}{to}{}",
                &written[..i],
                &written[i + from.len()..]
            ));
        }
    }
    None
}

/// Where a function's body reads `raw_user_meta_data` or `user_metadata`
/// (outside `--` comments), as a file range; `None` when it does not.
fn body_reads_user_metadata(ws: &SqlWorkspace, f: &Function) -> Option<Range<usize>> {
    let body_range = f.body.clone()?;
    let text = ws.files.get(f.created.file)?.text.get(body_range.clone())?;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let code = line.find("--").map_or(line, |i| &line[..i]);
        let lower = code.to_ascii_lowercase();
        for word in ["raw_user_meta_data", "user_metadata"] {
            if let Some(i) = find_word(&lower, word) {
                let start = body_range.start + offset + i;
                return Some(start..start + word.len());
            }
        }
        offset += line.len();
    }
    None
}

/// The first occurrence of `word` not inside a longer identifier.
fn find_word(text: &str, word: &str) -> Option<usize> {
    let is_ident = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    let bytes = text.as_bytes();
    text.match_indices(word).map(|(i, _)| i).find(|&i| {
        (i == 0 || !is_ident(bytes[i - 1]))
            && bytes.get(i + word.len()).is_none_or(|&c| !is_ident(c))
    })
}

#[cfg(test)]
mod tests {
    use super::to_app_metadata;

    fn found(sql: &str) -> Vec<String> {
        super::super::findings_in_migration("sql/policy-user-metadata", sql)
            .into_iter()
            .map(|f| sql[f.range].to_string())
            .collect()
    }

    #[test]
    fn claims_columns_and_called_functions() {
        assert_eq!(
            found("create policy p on t to authenticated using ((select auth.jwt()) -> 'user_metadata' ->> 'role' = 'admin');"),
            ["'user_metadata'"]
        );
        assert_eq!(
            found("create policy p on t to authenticated using (auth.jwt() #>> '{user_metadata,role}' = 'admin');"),
            ["'{user_metadata,role}'"]
        );
        assert!(found("create policy p on t to authenticated using ((select auth.jwt()) -> 'app_metadata' ->> 'role' = 'admin');").is_empty());
        let sql = "create function public.is_admin() returns boolean language plpgsql as $$\nbegin\n  -- not user_metadata here\n  return (select raw_user_meta_data ->> 'role' from auth.users where id = auth.uid()) = 'admin';\nend $$;\ncreate function public.is_member() returns boolean language sql as $$ select true $$;\ncreate policy p on t to authenticated using (is_admin() or public.is_member());";
        assert_eq!(found(sql), ["is_admin()"]);
    }

    #[test]
    fn fixes_keep_the_case() {
        assert_eq!(
            to_app_metadata("'user_metadata'").as_deref(),
            Some("'app_metadata'")
        );
        assert_eq!(
            to_app_metadata("'{user_metadata,role}'").as_deref(),
            Some("'{app_metadata,role}'")
        );
        assert_eq!(
            to_app_metadata("RAW_USER_META_DATA").as_deref(),
            Some("RAW_APP_META_DATA")
        );
    }
}
