//! `secrets/anthropic-key`: Anthropic API and admin keys.

use super::tokens::{trigger, TokenSpec};
use super::{b64url, Trigger, EVERY_LANGUAGE};
use crate::analysis::rule::{Rule, Severity};
use crate::analysis::{FileContext, Finding};

/// The rule declaration.
pub static RULE: Rule = Rule {
    id: "secrets/anthropic-key",
    default_severity: Severity::Error,
    summary: "An Anthropic API key (sk-ant-) is written in a file.",
    docs: r#"
## What it does
Finds Anthropic keys: `sk-ant-` followed by a kind and version
(`api03-`, `admin01-`, ...) and at least 40 more characters of the base64url
alphabet.

Placeholders (`sk-ant-your-key`, `sk-ant-...`), repeated or sequential
characters and `${ANTHROPIC_API_KEY}` references are not reported; under
test and fixture folders findings are info.

## Why is this bad?
The key spends your organisation's credits and is limited only by its
workspace's rate limits. The file and its git history hand it to everyone
who can read them (CWE-798); keys in public repositories are revoked by
GitHub's secret scanning partnership only after they have leaked.

## How to fix
Delete the key in the Anthropic Console (Settings → API keys) and create a
new one. Read it from the environment: the SDK reads `ANTHROPIC_API_KEY`
itself, and in JavaScript and TypeScript the quick fix writes
`process.env.ANTHROPIC_API_KEY`.

## Example
```ts
// Reported:
const anthropic = new Anthropic({ apiKey: 'sk-ant-api03-…' });
// Fixed:
const anthropic2 = new Anthropic({ apiKey: process.env.ANTHROPIC_API_KEY });
```

## References
- CWE-798: Use of Hard-coded Credentials
- Anthropic: API key best practices, https://support.anthropic.com/en/articles/9767949-api-key-best-practices-keeping-your-keys-safe-and-secure
"#,
    languages: EVERY_LANGUAGE,
    check: Some(check),
};

fn check(ctx: &FileContext<'_>) -> Vec<Finding> {
    super::findings_of(ctx, &RULE)
}

/// `api03-…`: a kind, a version, a dash, then the key.
fn shape(body: &str) -> bool {
    let Some((kind, rest)) = body.split_once('-') else {
        return false;
    };
    kind.len() <= 12
        && kind.bytes().any(|b| b.is_ascii_digit())
        && rest.len() >= 40
        && super::tokens::has_digit_and_letter(rest)
}

pub(super) static TRIGGERS: &[Trigger] = &[trigger(TokenSpec {
    prefix: "sk-ant-",
    body: b64url,
    min: 46,
    max: 300,
    rule: &RULE,
    severity: Severity::Error,
    what: "An Anthropic API key",
    env: "ANTHROPIC_API_KEY",
    shape: Some(shape),
})];
