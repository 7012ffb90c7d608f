//! `secrets/aws-access-key`: AWS access key ids, and the secret access key
//! written near one (or under a name that says so).

use super::{
    ends_token, noise, run_end, starts_token, Candidate, Check, Hit, Scan, Trigger, EVERY_LANGUAGE,
};
use crate::analysis::rule::{Rule, Severity};
use crate::analysis::{FileContext, Finding};

/// The rule declaration.
pub static RULE: Rule = Rule {
    id: "secrets/aws-access-key",
    default_severity: Severity::Error,
    summary: "An AWS access key id (AKIA…, ASIA…) or secret access key is written in a file.",
    docs: r#"
## What it does
Finds AWS access key ids — `AKIA` (long-term), `ASIA` (temporary), `ABIA`,
`ACCA`, then 16 upper-case letters and digits — and secret access keys: a
40-character base64 value within three lines of an access key id, or
assigned to a name such as `aws_secret_access_key` or `secretAccessKey`.
The id alone is reported too: the secret is rarely far, and the id names
the user to disable.

Not reported: AWS's documented examples (`AKIAIOSFODNN7EXAMPLE`,
`wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY`) and anything ending in
`EXAMPLE`, placeholders and references. Under test and fixture folders
findings are info.

## Why is this bad?
With the pair, anyone can call AWS as that IAM user: read S3 buckets, start
instances for mining on your bill, read other secrets from Secrets Manager.
Bots scrape public commits for AWS keys within minutes; private
repositories leak through forks, CI logs and laptops (CWE-798).

## How to fix
Deactivate and delete the access key in IAM (then look at CloudTrail for
what it did), create a new one only if a long-term key is really needed,
and prefer roles (instance profiles, OIDC from CI, IAM Identity Center).
Read keys from the environment (`AWS_ACCESS_KEY_ID`,
`AWS_SECRET_ACCESS_KEY`), which every AWS SDK does by itself; the quick fix
writes `process.env.AWS_SECRET_ACCESS_KEY`.

## Example
```ini
# Reported:
aws_access_key_id = AKIA…
aws_secret_access_key = …40 characters…
```

## References
- CWE-798: Use of Hard-coded Credentials
- AWS: Best practices for managing access keys, https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html
"#,
    languages: EVERY_LANGUAGE,
    check: Some(check),
};

fn check(ctx: &FileContext<'_>) -> Vec<Finding> {
    super::findings_of(ctx, &RULE)
}

pub(super) static TRIGGERS: &[Trigger] = &[
    Trigger {
        literal: "AKIA",
        check: Check::Custom(key_id),
    },
    Trigger {
        literal: "ASIA",
        check: Check::Custom(key_id),
    },
    Trigger {
        literal: "ABIA",
        check: Check::Custom(key_id),
    },
    Trigger {
        literal: "ACCA",
        check: Check::Custom(key_id),
    },
];

fn upper_digit(b: u8) -> bool {
    b.is_ascii_uppercase() || b.is_ascii_digit()
}

fn key_id(scan: &mut Scan<'_>, hit: Hit) {
    let b = scan.bytes;
    if !b[hit.start..hit.end].iter().all(u8::is_ascii_uppercase) || !starts_token(b, hit.start) {
        return;
    }
    let end = run_end(b, hit.end, upper_digit, 17);
    if end - hit.end != 16 || !ends_token(b, end) {
        return;
    }
    let id = &scan.text[hit.start..end];
    if noise::is_placeholder(&id[4..]) || noise::is_documented(id) || id.ends_with("EXAMPLE") {
        scan.quiet(hit.start..end);
        return;
    }
    scan.push(Candidate::specific(
        &RULE,
        hit.start..end,
        Severity::Error,
        "An AWS access key id",
        "AWS_ACCESS_KEY_ID",
    ));
}

fn secret_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'/' || b == b'+'
}

/// Whether `value` has the shape of a secret access key: 40 base64
/// characters with upper- and lower-case letters and digits, random enough.
pub(super) fn is_secret_key(value: &str) -> bool {
    value.len() == 40
        && value.bytes().all(secret_byte)
        && value.bytes().any(|b| b.is_ascii_uppercase())
        && value.bytes().any(|b| b.is_ascii_lowercase())
        && value.bytes().any(|b| b.is_ascii_digit())
        && noise::entropy(value) >= 4.0
        && !noise::is_placeholder(value)
        && !noise::is_documented(value)
}

/// Looks within three lines of every access key id found for a secret
/// access key standing on its own.
pub(super) fn pair_secret_keys(scan: &mut Scan<'_>) {
    let ids: Vec<usize> = scan
        .out
        .iter()
        .filter(|c| c.rule.id == RULE.id)
        .map(|c| c.secret.start)
        .collect();
    let b = scan.bytes;
    let mut found = Vec::new();
    for at in ids {
        let from = lines_around(b, at, false);
        let to = lines_around(b, at, true);
        let mut i = from;
        while i < to {
            if !secret_byte(b[i]) {
                i += 1;
                continue;
            }
            let end = run_end(b, i, secret_byte, to - i);
            let edge_ok = (i == 0 || b[i - 1] != b'=' && !secret_byte(b[i - 1]))
                && (end >= b.len() || b[end] != b'=');
            if end - i == 40 && edge_ok && is_secret_key(&scan.text[i..end]) {
                found.push(i..end);
            }
            i = end;
        }
    }
    for r in found {
        scan.push(Candidate::specific(
            &RULE,
            r,
            Severity::Error,
            "An AWS secret access key",
            "AWS_SECRET_ACCESS_KEY",
        ));
    }
}

/// The start (or end, `forward`) of the window of three lines before (or
/// after) byte `at`, at most a kilobyte away.
fn lines_around(b: &[u8], at: usize, forward: bool) -> usize {
    let mut lines = 0;
    if forward {
        let limit = (at + 1024).min(b.len());
        let mut i = at;
        while i < limit {
            if b[i] == b'\n' {
                lines += 1;
                if lines > 3 {
                    break;
                }
            }
            i += 1;
        }
        i
    } else {
        let limit = at.saturating_sub(1024);
        let mut i = at;
        while i > limit {
            if b[i - 1] == b'\n' {
                lines += 1;
                if lines > 3 {
                    break;
                }
            }
            i -= 1;
        }
        i
    }
}
