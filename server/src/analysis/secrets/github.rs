//! `secrets/github-token`: GitHub personal access, OAuth, app and refresh
//! tokens.

use super::tokens::{trigger, TokenSpec};
use super::{alnum, word, Trigger, EVERY_LANGUAGE};
use crate::analysis::rule::{Rule, Severity};
use crate::analysis::{FileContext, Finding};

/// The rule declaration.
pub static RULE: Rule = Rule {
    id: "secrets/github-token",
    default_severity: Severity::Error,
    summary: "A GitHub token (ghp_, gho_, ghu_, ghs_, ghr_, github_pat_) is written in a file.",
    docs: r#"
## What it does
Finds GitHub tokens by their documented prefixes: classic personal access
tokens (`ghp_`), fine-grained ones (`github_pat_`), OAuth tokens (`gho_`),
user-to-server and server-to-server tokens of GitHub Apps (`ghu_`, `ghs_`)
and refresh tokens (`ghr_`), followed by at least 36 letters and digits
(82 characters and underscores for `github_pat_`).

Placeholders (`ghp_xxxxxxxx…`, `ghp_your_token_here`), repeated or
sequential characters and `${GITHUB_TOKEN}` references are not reported;
under test and fixture folders findings are info.

## Why is this bad?
A token acts as its user or app: it can read private repositories, push
code, open releases and read secrets of Actions, depending on its scopes.
Anyone who can read the file, or its git history, has it (CWE-798).

## How to fix
Revoke the token (Settings → Developer settings → Personal access tokens,
or the app's settings) and create a new one; deleting the line does not
remove it from the history. Read it from the environment (`GITHUB_TOKEN`):
in JavaScript and TypeScript the quick fix writes `process.env.GITHUB_TOKEN`.
In Actions, use `${{ secrets.GITHUB_TOKEN }}`.

## Example
```ts
// Reported:
const octokit = new Octokit({ auth: 'ghp_…' });
// Fixed:
const octokit2 = new Octokit({ auth: process.env.GITHUB_TOKEN });
```

## References
- CWE-798: Use of Hard-coded Credentials
- GitHub: About authentication (token formats), https://docs.github.com/en/authentication/keeping-your-account-and-data-secure/about-authentication-to-github
"#,
    languages: EVERY_LANGUAGE,
    check: Some(check),
};

fn check(ctx: &FileContext<'_>) -> Vec<Finding> {
    super::findings_of(ctx, &RULE)
}

const fn classic(prefix: &'static str, what: &'static str) -> Trigger {
    trigger(TokenSpec {
        prefix,
        body: alnum,
        min: 36,
        max: 251,
        rule: &RULE,
        severity: Severity::Error,
        what,
        env: "GITHUB_TOKEN",
        shape: None,
    })
}

pub(super) static TRIGGERS: &[Trigger] = &[
    classic("ghp_", "A GitHub personal access token"),
    classic("gho_", "A GitHub OAuth access token"),
    classic("ghu_", "A GitHub App user-to-server token"),
    classic("ghs_", "A GitHub App server-to-server token"),
    classic("ghr_", "A GitHub refresh token"),
    trigger(TokenSpec {
        prefix: "github_pat_",
        body: word,
        min: 60,
        max: 255,
        rule: &RULE,
        severity: Severity::Error,
        what: "A GitHub fine-grained personal access token",
        env: "GITHUB_TOKEN",
        shape: None,
    }),
];
