//! `secrets/resend`: Resend API keys.

use super::tokens::{trigger, TokenSpec};
use super::{word, Trigger, EVERY_LANGUAGE};
use crate::analysis::rule::{Rule, Severity};
use crate::analysis::{FileContext, Finding};

/// The rule declaration.
pub static RULE: Rule = Rule {
    id: "secrets/resend",
    default_severity: Severity::Error,
    summary: "A Resend API key (re_…) is written in a file.",
    docs: r#"
## What it does
Finds Resend API keys: `re_`, an id of letters and digits, an underscore,
and a key of at least 16 letters and digits, 24 to 64 characters after the
prefix in all, with at least one digit and one upper-case letter (so that
identifiers such as `re_render_all_pages` stay quiet).

Placeholders and references (`re_123456789`, `re_your_api_key`,
`${RESEND_API_KEY}`) are not reported; under test and fixture folders
findings are info.

## Why is this bad?
A full-access key sends mail from your verified domains and reads and
deletes your domains, audiences and API keys; a sending key alone lets
anyone phish in your name (CWE-798).

## How to fix
Delete the key in the Resend dashboard (API Keys) and create a new one,
with sending access only if that is all the code does. Read it from the
environment (`RESEND_API_KEY`); in JavaScript and TypeScript the quick fix
writes `process.env.RESEND_API_KEY`.

## Example
```ts
// Reported:
const resend = new Resend('re_…');
// Fixed:
const resend2 = new Resend(process.env.RESEND_API_KEY);
```

## References
- CWE-798: Use of Hard-coded Credentials
- Resend: API keys, https://resend.com/docs/dashboard/api-keys/introduction
"#,
    languages: EVERY_LANGUAGE,
    check: Some(check),
};

fn check(ctx: &FileContext<'_>) -> Vec<Finding> {
    super::findings_of(ctx, &RULE)
}

/// `<id>_<key>` with a digit and an upper-case letter.
fn shape(body: &str) -> bool {
    let Some((id, key)) = body.split_once('_') else {
        return false;
    };
    !id.is_empty()
        && key.len() >= 16
        && !key.contains('_')
        && body.bytes().any(|b| b.is_ascii_digit())
        && body.bytes().any(|b| b.is_ascii_uppercase())
}

pub(super) static TRIGGERS: &[Trigger] = &[trigger(TokenSpec {
    prefix: "re_",
    body: word,
    min: 24,
    max: 64,
    rule: &RULE,
    severity: Severity::Error,
    what: "A Resend API key",
    env: "RESEND_API_KEY",
    shape: Some(shape),
})];
