//! `secrets/twilio`: Twilio auth tokens and API key secrets.
//!
//! Twilio's secrets have no prefix of their own (an auth token is 32 hex
//! digits), so they are found as named values by the generic detector and
//! handed to this rule when the name mentions Twilio.

use super::EVERY_LANGUAGE;
use crate::analysis::rule::{Rule, Severity};
use crate::analysis::{FileContext, Finding};

/// The rule declaration.
pub static RULE: Rule = Rule {
    id: "secrets/twilio",
    default_severity: Severity::Error,
    summary: "A Twilio auth token or API key secret is written in a file.",
    docs: r#"
## What it does
Finds Twilio auth tokens (32 hexadecimal digits) and API key secrets (32
letters and digits) assigned to a name that mentions Twilio and a secret
(`TWILIO_AUTH_TOKEN=…`, `twilioApiSecret: '…'`,
`twilio: { authToken: '…' }` is not seen: the name must say Twilio).

Account SIDs (`AC…`) and API key SIDs (`SK…`) are identifiers, not secrets,
and are not reported. Placeholders and references are not reported; under
test and fixture folders findings are info.

## Why is this bad?
The auth token is the account's master credential: it sends SMS and calls
on your bill (toll fraud runs to thousands of dollars in hours), reads
message logs with your users' phone numbers and codes, and manages
sub-accounts (CWE-798).

## How to fix
Rotate the auth token in the Twilio Console (Account → API keys & tokens;
promote the secondary token) or delete the API key, and read the value from
the environment (`TWILIO_AUTH_TOKEN`); in JavaScript and TypeScript the
quick fix writes `process.env.TWILIO_AUTH_TOKEN`. Prefer API keys over the
auth token in code.

## Example
```ts
// Reported:
const TWILIO_AUTH_TOKEN = '…32 hex digits…';
// Fixed:
const TWILIO_AUTH_TOKEN2 = process.env.TWILIO_AUTH_TOKEN;
```

## References
- CWE-798: Use of Hard-coded Credentials
- Twilio: Auth tokens and how to change them, https://www.twilio.com/docs/iam/api/authtoken
"#,
    languages: EVERY_LANGUAGE,
    check: Some(check),
};

fn check(ctx: &FileContext<'_>) -> Vec<Finding> {
    super::findings_of(ctx, &RULE)
}

/// Whether a value assigned to a Twilio secret name has a secret's shape:
/// 32 hex digits (auth token) or 32 letters and digits (API key secret).
pub(super) fn is_secret(value: &str) -> bool {
    value.len() == 32 && value.bytes().all(|b| b.is_ascii_alphanumeric())
}
