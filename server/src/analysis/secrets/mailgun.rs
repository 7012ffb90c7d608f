//! `secrets/mailgun`: Mailgun API keys.

use super::tokens::{trigger, TokenSpec};
use super::{hex_lower, Trigger, EVERY_LANGUAGE};
use crate::analysis::rule::{Rule, Severity};
use crate::analysis::{FileContext, Finding};

/// The rule declaration.
pub static RULE: Rule = Rule {
    id: "secrets/mailgun",
    default_severity: Severity::Error,
    summary: "A Mailgun API key is written in a file.",
    docs: r#"
## What it does
Finds Mailgun private API keys: the legacy `key-` followed by 32 lower-case
hexadecimal digits, and the current format (32 hex digits, a dash, 8, a
dash, 8) assigned to a name that mentions Mailgun (`MAILGUN_API_KEY=…`,
`mailgunKey: '…'`), as the generic detector finds named values.

Placeholders and references are not reported; under test and fixture
folders findings are info.

## Why is this bad?
The private key sends mail from your domains, reads your logs (with the
recipients and often the content of every message) and manages your
domains and routes (CWE-798).

## How to fix
Rotate the key in Mailgun (API Security → API keys) and read it from the
environment (`MAILGUN_API_KEY`); in JavaScript and TypeScript the quick
fix writes `process.env.MAILGUN_API_KEY`.

## Example
```ts
// Reported:
const mg = mailgun.client({ username: 'api', key: 'key-…' });
// Fixed:
const mg2 = mailgun.client({ username: 'api', key: process.env.MAILGUN_API_KEY! });
```

## References
- CWE-798: Use of Hard-coded Credentials
- Mailgun: API key management, https://documentation.mailgun.com/docs/mailgun/user-manual/api-key-mgmt/
"#,
    languages: EVERY_LANGUAGE,
    check: Some(check),
};

fn check(ctx: &FileContext<'_>) -> Vec<Finding> {
    super::findings_of(ctx, &RULE)
}

fn has_digit_and_hex_letter(s: &str) -> bool {
    s.bytes().any(|b| b.is_ascii_digit()) && s.bytes().any(|b| b.is_ascii_lowercase())
}

pub(super) static TRIGGERS: &[Trigger] = &[trigger(TokenSpec {
    prefix: "key-",
    body: hex_lower,
    min: 32,
    max: 32,
    rule: &RULE,
    severity: Severity::Error,
    what: "A Mailgun API key",
    env: "MAILGUN_API_KEY",
    shape: Some(has_digit_and_hex_letter),
})];

/// Whether a value assigned to a Mailgun name has the current key format.
pub(super) fn is_key(value: &str) -> bool {
    let parts: Vec<&str> = value.split('-').collect();
    parts.len() == 3
        && parts[0].len() == 32
        && parts[1].len() == 8
        && parts[2].len() == 8
        && parts.iter().all(|p| p.bytes().all(hex_lower))
}
