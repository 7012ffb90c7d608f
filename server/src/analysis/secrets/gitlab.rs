//! `secrets/gitlab-token`: GitLab personal, project, deploy, trigger and
//! runner tokens.

use super::tokens::{trigger, TokenSpec};
use super::{Trigger, EVERY_LANGUAGE};
use crate::analysis::rule::{Rule, Severity};
use crate::analysis::{FileContext, Finding};

/// The rule declaration.
pub static RULE: Rule = Rule {
    id: "secrets/gitlab-token",
    default_severity: Severity::Error,
    summary: "A GitLab token (glpat-, gldt-, glptt-, glrt-, GR1348941…) is written in a file.",
    docs: r#"
## What it does
Finds GitLab tokens by their documented prefixes: personal, project and
group access tokens (`glpat-`), deploy tokens (`gldt-`), pipeline trigger
tokens (`glptt-`), runner authentication tokens (`glrt-`), runner
registration tokens (`GR1348941`), CI/CD job tokens (`glcbt-`), feed tokens
(`glft-`), incoming mail tokens (`glimt-`), OAuth application secrets
(`gloas-`) and SCIM tokens (`glsoat-`), each followed by at least 20
characters.

Placeholders and references (`glpat-xxxxxxxxxxxxxxxxxxxx`,
`${GITLAB_TOKEN}`) are not reported; under test and fixture folders
findings are info.

## Why is this bad?
A personal access token acts as its user on every project the user can
reach: read code, push, read CI variables. Runner tokens let a machine pick
up your jobs and their secrets. The file and its git history give the token
to anyone who reads them (CWE-798).

## How to fix
Revoke the token in GitLab (User settings → Access tokens, or the project's
or runner's settings) and create a new one. Read it from the environment
(`GITLAB_TOKEN`); in JavaScript and TypeScript the quick fix writes
`process.env.GITLAB_TOKEN`. In GitLab CI use masked CI/CD variables.

## Example
```sh
# Reported:
git clone https://oauth2:glpat-…@gitlab.com/acme/app.git
# Fixed:
git clone "https://oauth2:${GITLAB_TOKEN}@gitlab.com/acme/app.git"
```

## References
- CWE-798: Use of Hard-coded Credentials
- GitLab: Token overview, https://docs.gitlab.com/security/tokens/
"#,
    languages: EVERY_LANGUAGE,
    check: Some(check),
};

fn check(ctx: &FileContext<'_>) -> Vec<Finding> {
    super::findings_of(ctx, &RULE)
}

fn body(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.')
}

const fn gitlab(prefix: &'static str, what: &'static str) -> Trigger {
    trigger(TokenSpec {
        prefix,
        body,
        min: 20,
        max: 255,
        rule: &RULE,
        severity: Severity::Error,
        what,
        env: "GITLAB_TOKEN",
        shape: Some(super::tokens::has_digit_and_letter),
    })
}

pub(super) static TRIGGERS: &[Trigger] = &[
    gitlab("glpat-", "A GitLab access token"),
    gitlab("gldt-", "A GitLab deploy token"),
    gitlab("glptt-", "A GitLab pipeline trigger token"),
    gitlab("glrt-", "A GitLab runner authentication token"),
    gitlab("GR1348941", "A GitLab runner registration token"),
    gitlab("glcbt-", "A GitLab CI/CD job token"),
    gitlab("glft-", "A GitLab feed token"),
    gitlab("glimt-", "A GitLab incoming mail token"),
    gitlab("gloas-", "A GitLab OAuth application secret"),
    gitlab("glsoat-", "A GitLab SCIM token"),
];
