//! `secrets/slack-token`: Slack bot, user, app-level and configuration
//! tokens, and incoming webhook URLs.

use super::tokens::{trigger, TokenSpec};
use super::{noise, Candidate, Check, Hit, Scan, Trigger, EVERY_LANGUAGE};
use crate::analysis::rule::{Rule, Severity};
use crate::analysis::{FileContext, Finding};

/// The rule declaration.
pub static RULE: Rule = Rule {
    id: "secrets/slack-token",
    default_severity: Severity::Error,
    summary: "A Slack token (xoxb-, xoxp-, xapp-, …) or incoming webhook URL is written in a file.",
    docs: r#"
## What it does
Finds Slack tokens — bot (`xoxb-`), user (`xoxp-`), workspace (`xoxa-`),
refresh (`xoxr-`), session (`xoxs-`), configuration (`xoxe-`, `xoxe.xoxp-`)
and app-level (`xapp-`) tokens, with the dashes and digits of their
format — and incoming webhook URLs
(`https://hooks.slack.com/services/T…/B…/…`, `/workflows/`, `/triggers/`).

Placeholders (`xoxb-your-token`, `xoxb-not-a-real-token`,
`hooks.slack.com/services/XXX/YYY/ZZZ`) are not reported; under test and
fixture folders findings are info.

## Why is this bad?
A bot or user token reads the channels and messages it can reach and posts
as your app or as the user, which is how phishing inside a company starts.
A webhook URL lets anyone post into the channel it belongs to (CWE-798).

## How to fix
Revoke the token (the app's OAuth & Permissions page, or
`auth.revoke`) or delete and recreate the webhook, then read the value from
the environment (`SLACK_BOT_TOKEN`, `SLACK_WEBHOOK_URL`); in JavaScript and
TypeScript the quick fix writes `process.env.SLACK_BOT_TOKEN`.

## Example
```ts
// Reported:
const slack = new WebClient('xoxb-…');
// Fixed:
const slack2 = new WebClient(process.env.SLACK_BOT_TOKEN);
```

## References
- CWE-798: Use of Hard-coded Credentials
- Slack: Token types, https://api.slack.com/concepts/token-types
"#,
    languages: EVERY_LANGUAGE,
    check: Some(check),
};

fn check(ctx: &FileContext<'_>) -> Vec<Finding> {
    super::findings_of(ctx, &RULE)
}

fn body(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-'
}

/// Dash-separated parts, the first of them digits, at least three parts.
fn shape(body: &str) -> bool {
    let parts: Vec<&str> = body.split('-').collect();
    parts.len() >= 3
        && parts[0].bytes().all(|b| b.is_ascii_digit())
        && !parts[0].is_empty()
        && parts.iter().all(|p| !p.is_empty())
}

const fn token(prefix: &'static str, what: &'static str, env: &'static str) -> Trigger {
    trigger(TokenSpec {
        prefix,
        body,
        min: 20,
        max: 255,
        rule: &RULE,
        severity: Severity::Error,
        what,
        env,
        shape: Some(shape),
    })
}

pub(super) static TRIGGERS: &[Trigger] = &[
    token("xoxb-", "A Slack bot token", "SLACK_BOT_TOKEN"),
    token("xoxp-", "A Slack user token", "SLACK_USER_TOKEN"),
    token("xoxa-", "A Slack workspace token", "SLACK_TOKEN"),
    token("xoxr-", "A Slack refresh token", "SLACK_REFRESH_TOKEN"),
    token("xoxs-", "A Slack session token", "SLACK_TOKEN"),
    token("xoxe-", "A Slack configuration token", "SLACK_CONFIG_TOKEN"),
    token(
        "xoxe.xoxp-",
        "A Slack configuration token",
        "SLACK_CONFIG_TOKEN",
    ),
    token("xapp-", "A Slack app-level token", "SLACK_APP_TOKEN"),
    Trigger {
        literal: "hooks.slack.com/",
        check: Check::Custom(webhook),
    },
];

/// `https://hooks.slack.com/services/T…/B…/secret` and friends.
fn webhook(scan: &mut Scan<'_>, hit: Hit) {
    let b = scan.bytes;
    if !scan.text[hit.start..hit.end].eq_ignore_ascii_case("hooks.slack.com/") {
        return;
    }
    let path_end = super::run_end(
        b,
        hit.end,
        |c| c.is_ascii_alphanumeric() || matches!(c, b'/' | b'_' | b'-'),
        512,
    );
    let path = &scan.text[hit.end..path_end];
    let Some(rest) = ["services/", "workflows/", "triggers/"]
        .iter()
        .find_map(|p| path.strip_prefix(p))
    else {
        return;
    };
    let secret = rest.rsplit('/').next().unwrap_or("");
    if rest.split('/').count() < 3 || secret.len() < 16 {
        return;
    }
    // The URL from its scheme, for the fix.
    let mut start = hit.start;
    let prefix = "https://";
    if start >= prefix.len() && scan.text[start - prefix.len()..start].eq_ignore_ascii_case(prefix)
    {
        start -= prefix.len();
    }
    if noise::is_placeholder(rest) {
        scan.quiet(start..path_end);
        return;
    }
    let mut c = Candidate::specific(
        &RULE,
        path_end - secret.len()..path_end,
        Severity::Error,
        "A Slack incoming webhook URL",
        "SLACK_WEBHOOK_URL",
    );
    c.value = start..path_end;
    scan.push(c);
}
