//! `secrets/gcp-service-account`: a Google Cloud service account key file
//! (JSON with `private_key` and `client_email`).

use super::{private_key, Candidate, Check, Hit, Scan, Trigger, EVERY_LANGUAGE};
use crate::analysis::rule::{Rule, Severity};
use crate::analysis::{FileContext, Finding};

/// The rule declaration.
pub static RULE: Rule = Rule {
    id: "secrets/gcp-service-account",
    default_severity: Severity::Error,
    summary: "A Google Cloud service account key (JSON with private_key and client_email) is written in a file.",
    docs: r#"
## What it does
Finds Google Cloud service account keys: JSON (in a `.json` file, or
pasted into code or an env file) with `"type": "service_account"`, a
`client_email`, and a `private_key` holding a real PEM private key. Reported
on the `private_key` value; the key is not reported again by
`secrets/private-key`. Firebase Admin SDK keys are service account keys.

Not reported: a key file whose `private_key` is a placeholder
(`"-----BEGIN PRIVATE KEY-----\n...\n-----END PRIVATE KEY-----\n"`) or
empty. Under test and fixture folders findings are info.

## Why is this bad?
The key signs in as the service account with every role it holds on the
project — often Editor or Firebase Admin: every Firestore document, every
Storage object, every user, bypassing security rules. Keys do not expire
by default, and the history keeps them (CWE-798, CWE-540).

## How to fix
Delete the key in Google Cloud (IAM & Admin → Service accounts → Keys) and
look at the audit logs for its use. Prefer no key at all: Workload
Identity Federation from CI, attached service accounts on Google Cloud,
`GOOGLE_APPLICATION_CREDENTIALS` pointing at a file outside the repository
otherwise. Add `*-service-account*.json` and similar names to `.gitignore`.

## Example
```json
{
  "type": "service_account",
  "client_email": "app@acme.iam.gserviceaccount.com",
  "private_key": "-----BEGIN PRIVATE KEY-----\nMIIE…\n-----END PRIVATE KEY-----\n"
}
```

## References
- CWE-798: Use of Hard-coded Credentials
- CWE-540: Inclusion of Sensitive Information in Source Code
- Google Cloud: Best practices for managing service account keys, https://cloud.google.com/iam/docs/best-practices-for-managing-service-account-keys
"#,
    languages: EVERY_LANGUAGE,
    check: Some(check),
};

fn check(ctx: &FileContext<'_>) -> Vec<Finding> {
    super::findings_of(ctx, &RULE)
}

pub(super) static TRIGGERS: &[Trigger] = &[Trigger {
    literal: "\"service_account\"",
    check: Check::Custom(service_account),
}];

/// The object around a `"service_account"` hit: 8 KiB either way.
fn service_account(scan: &mut Scan<'_>, hit: Hit) {
    if scan.gcp_done {
        return;
    }
    let text = scan.text;
    let mut from = hit.start.saturating_sub(8192);
    while !text.is_char_boundary(from) {
        from -= 1;
    }
    let mut to = (hit.end + 8192).min(text.len());
    while !text.is_char_boundary(to) {
        to += 1;
    }
    let window = &text[from..to];
    if !window.contains("\"client_email\"") {
        return;
    }
    let Some(key_at) = window.find("\"private_key\"") else {
        return;
    };
    scan.gcp_done = true;
    // The value: the string after `"private_key":`.
    let after = &window[key_at + 13..];
    let Some(colon) = after.find(':') else { return };
    let Some(open) = after[colon..].find('"') else {
        return;
    };
    let value_start = from + key_at + 13 + colon + open + 1;
    let bytes = scan.bytes;
    let mut i = value_start;
    while i < to && bytes[i] != b'"' {
        i += if bytes[i] == b'\\' { 2 } else { 1 };
    }
    let value_end = i.min(to);
    let value = &text[value_start..value_end];
    let Some(begin) = value.find("-----BEGIN ") else {
        return;
    };
    let real = private_key::block(text, value_start + begin)
        .is_some_and(|(_, body)| private_key::is_key_material(&body));
    // The key inside is this rule's, not `secrets/private-key`'s.
    scan.quiet(value_start..value_end);
    if !real {
        return;
    }
    let mut c = Candidate::specific(
        &RULE,
        value_start..value_end,
        Severity::Error,
        "A Google Cloud service account private key",
        "GOOGLE_APPLICATION_CREDENTIALS",
    );
    c.env = String::new();
    scan.push(c);
}
