//! `secrets/sendgrid`: SendGrid API keys.

use super::tokens::{trigger, TokenSpec};
use super::{Trigger, EVERY_LANGUAGE};
use crate::analysis::rule::{Rule, Severity};
use crate::analysis::{FileContext, Finding};

/// The rule declaration.
pub static RULE: Rule = Rule {
    id: "secrets/sendgrid",
    default_severity: Severity::Error,
    summary: "A SendGrid API key (SG.…) is written in a file.",
    docs: r#"
## What it does
Finds SendGrid API keys: `SG.`, 22 characters, a dot, and 43 more
(base64url).

Placeholders (`SG.xxxxx`, `SG.your-key`) and references are not reported;
under test and fixture folders findings are info.

## Why is this bad?
A key with mail-send access lets anyone send mail as your verified domain:
phishing that passes SPF and DKIM, and a sender reputation you lose. Keys
with full access also read your contacts and templates (CWE-798).

## How to fix
Delete the key in SendGrid (Settings → API Keys) and create a new one with
only the scopes the code needs. Read it from the environment
(`SENDGRID_API_KEY`); in JavaScript and TypeScript the quick fix writes
`process.env.SENDGRID_API_KEY`.

## Example
```ts
// Reported:
sgMail.setApiKey('SG.…');
// Fixed:
sgMail.setApiKey(process.env.SENDGRID_API_KEY!);
```

## References
- CWE-798: Use of Hard-coded Credentials
- Twilio SendGrid: API keys, https://www.twilio.com/docs/sendgrid/ui/account-and-settings/api-keys
"#,
    languages: EVERY_LANGUAGE,
    check: Some(check),
};

fn check(ctx: &FileContext<'_>) -> Vec<Finding> {
    super::findings_of(ctx, &RULE)
}

fn body(b: u8) -> bool {
    super::b64url(b) || b == b'.'
}

/// 22 characters, a dot, 43 characters.
fn shape(body: &str) -> bool {
    matches!(body.split_once('.'), Some((id, key)) if id.len() == 22 && key.len() == 43 && !key.contains('.'))
}

pub(super) static TRIGGERS: &[Trigger] = &[trigger(TokenSpec {
    prefix: "SG.",
    body,
    min: 66,
    max: 66,
    rule: &RULE,
    severity: Severity::Error,
    what: "A SendGrid API key",
    env: "SENDGRID_API_KEY",
    shape: Some(shape),
})];
