//! `secrets/npm-token`: npm access tokens, and `_authToken` lines of
//! `.npmrc` files.

use super::tokens::{trigger, TokenSpec};
use super::{alnum, noise, Candidate, Check, Hit, Scan, Trigger, EVERY_LANGUAGE};
use crate::analysis::rule::{Rule, Severity};
use crate::analysis::{FileContext, Finding};

/// The rule declaration.
pub static RULE: Rule = Rule {
    id: "secrets/npm-token",
    default_severity: Severity::Error,
    summary: "An npm access token (npm_…, or an _authToken in .npmrc) is written in a file.",
    docs: r#"
## What it does
Finds npm access tokens (`npm_` and 36 letters and digits) in any file, and
the value of `_authToken=` (and `_auth=`, `_password=`) in `.npmrc`-style
lines, whatever the registry's token format, unless it is a reference such
as `${NPM_TOKEN}`.

Placeholders are not reported; under test and fixture folders findings are
info.

## Why is this bad?
A publish token lets anyone publish a new version of your packages: the
code of everyone who installs them runs the attacker's install scripts
(CWE-798, CWE-506). Read-only tokens open your private packages.

## How to fix
Revoke the token (`npm token revoke`, or the registry's settings) and
create a granular token with the least access. Commit the `.npmrc` with a
reference, `//registry.npmjs.org/:_authToken=${NPM_TOKEN}`, and set
`NPM_TOKEN` in CI's secret store.

## Example
```ini
# Reported:
//registry.npmjs.org/:_authToken=npm_…
# Fixed:
//registry.npmjs.org/:_authToken=${NPM_TOKEN}
```

## References
- CWE-798: Use of Hard-coded Credentials
- npm Docs: Using private packages in a CI/CD workflow, https://docs.npmjs.com/using-private-packages-in-a-ci-cd-workflow
"#,
    languages: EVERY_LANGUAGE,
    check: Some(check),
};

fn check(ctx: &FileContext<'_>) -> Vec<Finding> {
    super::findings_of(ctx, &RULE)
}

pub(super) static TRIGGERS: &[Trigger] = &[
    trigger(TokenSpec {
        prefix: "npm_",
        body: alnum,
        min: 36,
        max: 36,
        rule: &RULE,
        severity: Severity::Error,
        what: "An npm access token",
        env: "NPM_TOKEN",
        shape: Some(super::tokens::has_digit_and_letter),
    }),
    Trigger {
        literal: ":_authToken=",
        check: Check::Custom(auth_line),
    },
    Trigger {
        literal: ":_auth=",
        check: Check::Custom(auth_line),
    },
    Trigger {
        literal: ":_password=",
        check: Check::Custom(auth_line),
    },
];

/// `//registry/:_authToken=VALUE`: the value, to the end of the line.
fn auth_line(scan: &mut Scan<'_>, hit: Hit) {
    let b = scan.bytes;
    let mut end = hit.end;
    let limit = (hit.end + 1024).min(b.len());
    while end < limit && !b[end].is_ascii_whitespace() && !matches!(b[end], b'"' | b'\'' | b'`') {
        end += 1;
    }
    let value = &scan.text[hit.end..end];
    if value.len() < 8 || noise::is_placeholder(value) {
        scan.quiet(hit.end..end);
        return;
    }
    scan.push(Candidate::specific(
        &RULE,
        hit.end..end,
        Severity::Error,
        "An npm registry auth token",
        "NPM_TOKEN",
    ));
}
