//! `secrets/stripe-secret-key`: Stripe secret and restricted keys, and
//! webhook signing secrets.

use super::tokens::TokenSpec;
use super::{alnum, Check, Trigger, EVERY_LANGUAGE};
use crate::analysis::rule::{Rule, Severity};
use crate::analysis::{FileContext, Finding};

/// The rule declaration.
pub static RULE: Rule = Rule {
    id: "secrets/stripe-secret-key",
    default_severity: Severity::Error,
    summary: "A Stripe secret key (sk_live_, rk_live_) or webhook signing secret (whsec_) is written in a file.",
    docs: r#"
## What it does
Finds Stripe live secret keys (`sk_live_…`), restricted keys (`rk_live_…`)
and webhook signing secrets (`whsec_…`) in any text file. Test-mode keys
(`sk_test_…`, `rk_test_…`) are reported as info: they reach only test data.

Not reported: publishable keys (`pk_live_…`, `pk_test_…`, public by design),
placeholders such as `sk_live_your_key_here`, `sk_live_xxx…` or values made
of repeated or sequential characters, and `${STRIPE_SECRET_KEY}`-style
references. In files under `test/`, `tests/`, `__tests__/`, `fixtures/` (and
`*.test.*`, `*.spec.*` files) every finding is info.

## Why is this bad?
A secret key can charge cards, issue refunds, read every customer and
payout. A file in a repository is read by everyone with access to it, by
CI logs, by forks, and stays in the git history after it is deleted
(CWE-798). A leaked webhook secret lets anyone forge Stripe events to your
endpoint ("payment succeeded").

## How to fix
Roll the key in the Stripe dashboard (Developers → API keys → Roll key):
deleting it from the file does not remove it from the history. Then read it
from the environment. In JavaScript and TypeScript the quick fix replaces
the literal with `process.env.STRIPE_SECRET_KEY` (`Deno.env.get(...)` in
Supabase Edge Functions and other Deno code); set the variable where the
code runs.

## Example
```ts
// Reported:
const stripe = new Stripe('sk_live_…');
// Fixed:
const stripe2 = new Stripe(process.env.STRIPE_SECRET_KEY!);
```

## References
- CWE-798: Use of Hard-coded Credentials
- Stripe: API keys best practices, https://docs.stripe.com/keys-best-practices
"#,
    languages: EVERY_LANGUAGE,
    check: Some(check),
};

fn check(ctx: &FileContext<'_>) -> Vec<Finding> {
    super::findings_of(ctx, &RULE)
}

const fn spec(
    prefix: &'static str,
    min: usize,
    severity: Severity,
    what: &'static str,
    env: &'static str,
) -> Trigger {
    Trigger {
        literal: prefix,
        check: Check::Token(TokenSpec {
            prefix,
            body: alnum,
            min,
            max: 247,
            rule: &RULE,
            severity,
            what,
            env,
            shape: None,
        }),
    }
}

pub(super) static TRIGGERS: &[Trigger] = &[
    spec(
        "sk_live_",
        24,
        Severity::Error,
        "A Stripe live secret key",
        "STRIPE_SECRET_KEY",
    ),
    spec(
        "rk_live_",
        24,
        Severity::Error,
        "A Stripe live restricted key",
        "STRIPE_SECRET_KEY",
    ),
    spec(
        "whsec_",
        32,
        Severity::Error,
        "A Stripe webhook signing secret",
        "STRIPE_WEBHOOK_SECRET",
    ),
    spec(
        "sk_test_",
        24,
        Severity::Info,
        "A Stripe test-mode secret key",
        "STRIPE_SECRET_KEY",
    ),
    spec(
        "rk_test_",
        24,
        Severity::Info,
        "A Stripe test-mode restricted key",
        "STRIPE_SECRET_KEY",
    ),
];
