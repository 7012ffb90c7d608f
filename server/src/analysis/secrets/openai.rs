//! `secrets/openai-key`: OpenAI API keys.

use super::tokens::{trigger, TokenSpec};
use super::{alnum, b64url, Trigger, EVERY_LANGUAGE};
use crate::analysis::rule::{Rule, Severity};
use crate::analysis::{FileContext, Finding};

/// The rule declaration.
pub static RULE: Rule = Rule {
    id: "secrets/openai-key",
    default_severity: Severity::Error,
    summary:
        "An OpenAI API key (sk-proj-, sk-svcacct-, sk-admin-, legacy sk-) is written in a file.",
    docs: r#"
## What it does
Finds OpenAI API keys: project keys (`sk-proj-…`), service-account keys
(`sk-svcacct-…`) and admin keys (`sk-admin-…`) followed by at least 40
characters, and legacy user keys (`sk-` and 48 letters and digits with the
`T3BlbkFJ` marker in the middle). A bare `sk-` with another shape is left
alone: several other providers use that prefix.

Placeholders (`sk-proj-your-key-here`, `sk-...`), repeated or sequential
characters and `${OPENAI_API_KEY}` references are not reported; under test
and fixture folders findings are info.

## Why is this bad?
Anyone holding the key can spend your credits and read what your
organisation's assistants, files and fine-tunes hold. Keys pushed to public
repositories are found by scrapers within minutes; a private repository
still gives the key to everyone with access to it and its history
(CWE-798).

## How to fix
Revoke the key in the OpenAI dashboard (API keys) and create a new one.
Read it from the environment: the SDK reads `OPENAI_API_KEY` by itself, and
in JavaScript and TypeScript the quick fix writes
`process.env.OPENAI_API_KEY`. Never ship it to a browser: call OpenAI from
your server.

## Example
```ts
// Reported:
const openai = new OpenAI({ apiKey: 'sk-proj-…' });
// Fixed:
const openai2 = new OpenAI({ apiKey: process.env.OPENAI_API_KEY });
```

## References
- CWE-798: Use of Hard-coded Credentials
- OpenAI: Best practices for API key safety, https://help.openai.com/en/articles/5112595-best-practices-for-api-key-safety
"#,
    languages: EVERY_LANGUAGE,
    check: Some(check),
};

fn check(ctx: &FileContext<'_>) -> Vec<Finding> {
    super::findings_of(ctx, &RULE)
}

const fn project(prefix: &'static str, what: &'static str) -> Trigger {
    trigger(TokenSpec {
        prefix,
        body: b64url,
        min: 40,
        max: 300,
        rule: &RULE,
        severity: Severity::Error,
        what,
        env: "OPENAI_API_KEY",
        shape: Some(super::tokens::has_digit_and_letter),
    })
}

fn legacy_shape(body: &str) -> bool {
    body.contains("T3BlbkFJ")
}

pub(super) static TRIGGERS: &[Trigger] = &[
    project("sk-proj-", "An OpenAI project API key"),
    project("sk-svcacct-", "An OpenAI service account key"),
    project("sk-admin-", "An OpenAI admin key"),
    trigger(TokenSpec {
        prefix: "sk-",
        body: alnum,
        min: 48,
        max: 48,
        rule: &RULE,
        severity: Severity::Error,
        what: "An OpenAI API key",
        env: "OPENAI_API_KEY",
        shape: Some(legacy_shape),
    }),
];
